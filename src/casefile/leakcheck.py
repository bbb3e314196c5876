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

_MARKS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")


@dataclass(frozen=True)
class Term:
    text: str
    path: str  # where the term comes from (item file)
    line: int
    field: str


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
    if not any(len(normalise(t.text)) >= 2 for t in terms):
        return []  # nothing to look for
    places = [(where, normalise(text)) for where, text in extract_everything(pdf)]
    squeezed = [(where, t.replace(" ", "")) for where, t in places]
    leaks = []
    for term in terms:
        n = normalise(term.text)
        if len(n) < 2:
            continue
        forms = {n, n[::-1]}
        tight = {f.replace(" ", "") for f in forms}
        hit = next((w for w, t in places if any(f in t for f in forms)), None)
        if hit is None and min(len(f) for f in tight) >= 4:
            hit = next((w for w, t in squeezed if any(f in t for f in tight)), None)
        if hit is not None:
            leaks.append(Leak(term, hit))
    return leaks
