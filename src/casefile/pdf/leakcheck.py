"""The leak check: before a public edition is written, everything that can be extracted from
the produced PDF is searched for every protected name and redacted span.

Extracted: page text, document info and XMP metadata, outline titles, named destinations,
annotations (contents, titles, URIs), form fields, attached files, and the decompressed
content streams. Text is normalised (NFKC, case-folded, bidi marks, ZWNJ/ZWJ and Arabic
presentation forms removed by NFKC, whitespace collapsed) and each term is looked for as
is, without spaces, and reversed (visual-order extraction of right-to-left text). A part of a
protected name is looked for as a whole word only ("Ali" is not found in "quality").

`pages_without_text` says which pages of an exhibit PDF have no text layer: the public edition
withholds them (dossier/editions.py), since the leak check could not read them.
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
    where: str  # the first place it was found
    places: tuple = ()  # every place it was found


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


def pages_without_text(pdf: bytes) -> tuple[int, ...]:
    """Pages (0-based) of a PDF whose extracted text has no letter or digit: a scan without a
    text layer, or a page of drawings. Pages whose text cannot be extracted count as such."""
    from casefile.pdf.limits import pdf_limits

    out = []
    with pdf_limits(), fonts_read_once():
        r = PdfReader(io.BytesIO(pdf))
        for i, page in enumerate(r.pages):
            try:
                text = page.extract_text() or ""
            except Exception:  # noqa: BLE001 - text pypdf cannot extract is text the leak check cannot read
                text = ""
            if not any(ch.isalnum() for ch in text):
                out.append(i)
    return tuple(out)


_LETTER = r"[^\W\d_]"


def find_leaks(pdf: bytes, terms: list[Term], extra: list[tuple[str, str]] = ()) -> list[Leak]:
    """Every term found anywhere in the PDF (and in `extra` (where, text) places: OCR text of
    pages the PDF shows as images), with every place it was found. Each place is scanned once
    for all terms (one pattern for substrings, one for whole words), so the cost grows with the
    text, not with text × terms. A term found only inside a longer term that is found too is
    not reported separately."""
    wanted = [(t, normalise(t.text)) for t in terms]
    wanted = [(t, n) for t, n in wanted if len(n) >= 2]
    if not wanted:
        return []  # nothing to look for
    places = [(where, normalise(text)) for where, text in list(extract_everything(pdf)) + list(extra)]
    found: dict[str, list[str]] = {}  # form -> places

    def scan(forms: set[str], texts, whole: bool):
        if not forms:
            return
        pattern = alternation(forms)
        if whole:
            pattern = f"(?<!{_LETTER})(?:{pattern})(?!{_LETTER})"
        pattern = re.compile(pattern)
        for where, text in texts:
            for m in pattern.finditer(text):
                wheres = found.setdefault(("w:" if whole else "") + m.group(0), [])
                if where not in wheres:
                    wheres.append(where)

    subs = [(t, n) for t, n in wanted if not t.whole_word]
    words = [(t, n) for t, n in wanted if t.whole_word]
    scan({f for _, n in subs for f in (n, n[::-1])}, places, False)
    scan({f for _, n in words for f in (n, n[::-1])}, places, True)
    # without spaces (text extracted without its word spaces): full names and terms of 4+ letters
    tight = {f.replace(" ", "") for t, n in wanted if " " in n or not t.whole_word for f in (n, n[::-1])}
    scan({f for f in tight if len(f) >= 4}, [(w, t.replace(" ", "")) for w, t in places], False)
    leaks = []
    for term, n in wanted:
        prefix = "w:" if term.whole_word else ""
        forms = [prefix + n, prefix + n[::-1], n.replace(" ", ""), n[::-1].replace(" ", "")]
        wheres = [w for f in forms for w in found.get(f, [])]
        if not wheres:
            inside = [f for f in found if n in f.removeprefix("w:") or n[::-1] in f.removeprefix("w:")]
            if inside:
                continue  # found only within a longer term, which is reported
        if wheres:
            leaks.append(Leak(term, wheres[0], tuple(dict.fromkeys(wheres))))
    return leaks
