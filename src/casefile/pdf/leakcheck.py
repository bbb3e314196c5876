"""The leak check: before a public edition is written, everything that can be extracted from
the produced PDF is searched for every protected name and redacted span.

Extracted: page text, document info and XMP metadata, outline titles, named destinations,
annotations (contents, titles, URIs), form fields, attached files, and the decompressed
content streams. Text is normalised (NFKC, case-folded, bidi marks, ZWNJ/ZWJ and Arabic
presentation forms removed by NFKC, whitespace collapsed) and each term is looked for as
is, without spaces, and reversed (visual-order extraction of right-to-left text).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from pypdf import PdfReader

from casefile.case.body import alternation
from casefile.dossier.editions import Term
from casefile.pdf.fastpath import fonts_read_once

_MARKS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")


@dataclass(frozen=True)
class Leak:
    term: Term
    where: str


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _MARKS.sub("", text).casefold()
    text = text.replace("ي", "ی").replace("ك", "ک")
    return " ".join(text.split())


def _walk_outline(items, out):
    for it in items:
        if isinstance(it, list):
            _walk_outline(it, out)
        else:
            out.append(str(it.title))


def extract_everything(pdf: bytes) -> list[tuple[str, str]]:
    """(where, text) for every place text can hide in a PDF."""
    with fonts_read_once():  # (pypdf would read each font again for every page that uses it)
        return _extract_everything(pdf)


def _extract_everything(pdf: bytes) -> list[tuple[str, str]]:
    r = PdfReader(io.BytesIO(pdf))
    out: list[tuple[str, str]] = []
    for i, page in enumerate(r.pages, 1):
        out.append((f"page {i} text", page.extract_text() or ""))
        try:
            data = page.get_contents().get_data() if page.get_contents() is not None else b""
        except Exception:  # a content stream pypdf cannot decode is searched raw below
            data = b""
        out.append((f"page {i} content stream", data.decode("latin-1")))
        for a in page.get("/Annots", []) or []:
            a = a.get_object()
            parts = [str(a.get(k, "")) for k in ("/Contents", "/T", "/TU", "/NM")]
            if "/A" in a:
                act = a["/A"].get_object()
                parts += [str(act.get(k, "")) for k in ("/URI", "/JS", "/F", "/D")]
            out.append((f"page {i} annotation", " ".join(parts)))
    meta = r.metadata or {}
    out.append(("document info", " ".join(f"{k} {v}" for k, v in meta.items())))
    root = r.trailer["/Root"]
    if "/Metadata" in root:
        out.append(("XMP metadata", root["/Metadata"].get_object().get_data().decode("utf-8", "replace")))
    titles: list[str] = []
    _walk_outline(r.outline, titles)
    out.append(("outline", "\n".join(titles)))
    out.append(("named destinations", "\n".join(map(str, r.named_destinations))))
    fields = r.get_fields() or {}
    out.append(("form fields", " ".join(f"{k} {v.get('/V', '')}" for k, v in fields.items())))
    for name, datas in (r.attachments or {}).items():
        for d in datas:
            out.append((f"attachment {name}", name + "\n" + d.decode("utf-8", "replace")))
    return out


def find_leaks(pdf: bytes, terms: list[Term]) -> list[Leak]:
    """Every term found anywhere in the PDF, with the first place it was found. Each place is
    scanned once for all terms (one pattern), so the cost grows with the text, not with
    text × terms."""
    wanted = [(t, normalise(t.text)) for t in terms]
    wanted = [(t, n) for t, n in wanted if len(n) >= 2]
    if not wanted:
        return []  # nothing to look for
    places = [(where, normalise(text)) for where, text in extract_everything(pdf)]
    found: dict[str, str] = {}  # form -> where

    def scan(forms: set[str], texts):
        forms = {f for f in forms if f not in found}
        if not forms:
            return
        pattern = re.compile(alternation(forms))
        for where, text in texts:
            for m in pattern.finditer(text):
                found.setdefault(m.group(0), where)

    scan({f for _, n in wanted for f in (n, n[::-1])}, places)
    tight = {f.replace(" ", "") for _, n in wanted for f in (n, n[::-1])}
    scan({f for f in tight if len(f) >= 4}, [(w, t.replace(" ", "")) for w, t in places])
    leaks = []
    for term, n in wanted:
        forms = [n, n[::-1], n.replace(" ", ""), n[::-1].replace(" ", "")]
        where = next((found[f] for f in forms if f in found), None)
        if where is None and any(n in f or n[::-1] in f for f in found):
            # hidden inside a longer match of another term: look once more, directly
            where = next((w for w, t in places if n in t or n[::-1] in t), None)
        if where is not None:
            leaks.append(Leak(term, where))
    return leaks
