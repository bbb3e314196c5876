"""A submission's text bound with its annexes: PDF in, PDF out, no layout.

The typeset text links each reference to evidence to a placeholder address, `cfcite:<key>`.
Here every such link is pointed at its page: in the combined PDF (the text followed by the
annexed dossiers, each under an outline entry of its own) a link to that page of the file; in
the text alone, a link that opens the dossier file beside it at that page (/GoToR). A
placeholder without a target is removed (its text stays). The dossiers' own links and outline
come along with their pages; their attachments (the manifest) do not: each dossier file keeps
its own.

Pages of the combined PDF: the text's pages are labelled 1, 2 … (its footer prints "Page 6 of
10"); an annex keeps its dossier's page numbers ("Page 12 of 43", which its contents, indexes
and bookmarks cite), so its pages are labelled A-1, A-2 … (B-1 … for the next), its bookmarks'
pages are written so, and each of its pages is stamped at the top right with that label and
its place in the file ("Annex A · page A-12 · PDF page 22 of 67"): the printed numbers, the
labels a reader's page box shows and the page counter all agree.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Callable

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, NameObject, NumberObject, TextStringObject

CITE_SCHEME = "cfcite:"


@dataclass
class AnnexPDF:
    letter: str
    title: str  # its outline entry: "Annex A — Dossier concerning …" (its page is added)
    pdf: bytes
    file: str  # the dossier file as the text alone reaches it: "../khomeini.pdf"


@dataclass(frozen=True)
class AnnexPage:
    """A page of an annex in the combined PDF, for its stamp: its size, its annex and number
    there (A, 12: labelled A-12), and its place in the file (22 of 67)."""
    width: float
    height: float
    letter: str
    number: int
    file_page: int
    file_pages: int

    @property
    def label(self) -> str:
        return f"{self.letter}-{self.number}"


def _append(writer: PdfWriter, a: AnnexPDF):
    """The annex's pages, and its outline under an entry of its own. A dossier's bookmark ends
    with its page ("· p. 12"), which in the combined PDF is the annex's page A-12."""
    reader = PdfReader(io.BytesIO(a.pdf))
    first = len(writer.pages)
    writer.append(reader, import_outline=False)
    top = writer.add_outline_item(title=f"{a.title} · p. {a.letter}-1", page_number=first, is_open=False)

    def walk(items, parent, level):
        last = parent
        for it in items:
            if isinstance(it, list):
                walk(it, last, level + 1)
                continue
            title = re.sub(r" · p\. (\d+)$", lambda m: f" · p. {a.letter}-{m.group(1)}", str(it.title))
            last = writer.add_outline_item(title=title, page_number=first + reader.get_destination_page_number(it),
                                           parent=parent,
                                           is_open=level == 0)

    walk(reader.outline, top, 0)


def bind(text_pdf: bytes, annexes: list[AnnexPDF], targets: dict[str, tuple[int, int]], combined: bool,
         stamps: Callable[[list[AnnexPage]], bytes] | None = None) -> bytes:
    """`targets`: placeholder key -> (annex index, page of that annex, 1-based). `stamps` (the
    combined PDF): makes a PDF with one page per annex page, of its size, holding its stamp,
    which is drawn over it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf)))
    text_pages = len(writer.pages)
    offsets = []
    if combined:
        for a in annexes:
            offsets.append(len(writer.pages))
            _append(writer, a)
        writer.set_page_label(0, text_pages - 1, style="/D", start=1)
        total = len(writer.pages)
        stamped: list[AnnexPage] = []
        for a, first, last in zip(annexes, offsets, offsets[1:] + [total]):
            writer.set_page_label(first, last - 1, style="/D", prefix=f"{a.letter}-", start=1)
            for index in range(first, last):
                box = writer.pages[index].mediabox
                stamped.append(AnnexPage(float(box.width), float(box.height), a.letter, index - first + 1,
                                         index + 1, total))
        if stamps is not None and stamped:
            overlay = PdfReader(io.BytesIO(stamps(stamped)))
            for page, stamp in zip(writer.pages[text_pages:], overlay.pages):
                page.merge_page(stamp, over=True)
                page.compress_content_streams()  # (merged, the page's content is written anew)
    for index in range(text_pages):
        page = writer.pages[index]
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject()
        for ref in annots.get_object():
            a = ref.get_object()
            action = a.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if not uri.startswith(CITE_SCHEME):
                kept.append(ref)
                continue
            target = targets.get(uri[len(CITE_SCHEME):])
            if target is None:
                continue
            ai, page_no = target
            if combined:
                del a[NameObject("/A")]
                a[NameObject("/Dest")] = ArrayObject([writer.pages[offsets[ai] + page_no - 1].indirect_reference,
                                                      NameObject("/Fit")])
            else:
                a[NameObject("/A")] = DictionaryObject({
                    NameObject("/S"): NameObject("/GoToR"),
                    NameObject("/F"): TextStringObject(annexes[ai].file),
                    NameObject("/D"): ArrayObject([NumberObject(page_no - 1), NameObject("/Fit")]),
                    NameObject("/NewWindow"): BooleanObject(False)})
            kept.append(ref)
        page[NameObject("/Annots")] = kept
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
