"""Exhibit files inside the dossier, as flowables: each file starts on a new page under its own
anchor; a PDF exhibit gets a whole dossier page per page (drawn by exhibit_pages.ExhibitPages),
an image one page, a text file its lines as paragraphs, anything else (and a withheld file) a
placeholder naming it by its SHA-256. Every such page carries an exhibit stamp."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer

from casefile.dossier.sections import file_end_key, file_key
from casefile.pdf.images import open_image, printable
from casefile.typeset import rtl
from casefile.typeset.exhibit_pages import ExhibitPages
from casefile.typeset.flowables import Anchor, PageBreakIfNotTop, RenderState
from casefile.typeset.styles import CONTENT, PAGE_H, PAGE_W

PRINT_DPI = 200


def draw_image(c, path: Path, x: float, y: float, w: float, h: float):
    """Draw an image fitted (aspect kept) and centred in the box, upright, at most PRINT_DPI."""
    max_box = (int(w / 72 * PRINT_DPI) + 1, int(h / 72 * PRINT_DPI) + 1)
    img = printable(open_image(path, fit=(max(max_box), max(max_box))))
    iw, ih = img.size
    scale = min(w / iw, h / ih)
    dw, dh = iw * scale, ih * scale
    max_px = (max(int(dw / 72 * PRINT_DPI), 1), max(int(dh / 72 * PRINT_DPI), 1))
    if iw > max_px[0] * 1.05:
        img = img.resize(max_px)
    c.drawImage(ImageReader(img), x + (w - dw) / 2, y + (h - dh) / 2, dw, dh)


# ------------------------------------------------------------------ flowables for exhibit files


def file_flowables(ex, mk) -> list:
    """Flowables for every file of an exhibit, each file starting on a new page."""
    st, s = mk.state, mk.s
    out = []
    for i, f in enumerate(ex.files, 1):
        if f.placed_in is not None:
            continue  # shown once per dossier: under the exhibit `placed_in`
        key = file_key(ex.number, i)
        title = f"{ex.number} file {i}: {f.path}"
        out += [PageBreakIfNotTop(), Anchor(key, title, 2, st)]
        stamp = _StampSetter(ex.number, f, key, 1, st)
        if f.withheld:
            out += [stamp] + _placeholder(f, s, "Withheld from the public edition: this file is marked "
                                                "confidential.")
        elif f.kind == "pdf":
            for p in range(f.pages):  # a whole page each: FilePage fills what is left of a page
                out += ([PageBreakIfNotTop()] if p else []) + [FilePage(ex.number, f, p, f.pages, st)]
        elif f.kind == "image":
            out.append(FilePage(ex.number, f, 0, 1, st))
        elif f.kind == "text":
            def make():
                return [Paragraph(mk.text(f"{ex.number} · {f.path} (text file, as stored; long lines are "
                                           f"wrapped, continuation lines indented)"), s["note"])] + \
                    _text_flowables(f.abspath, mk, s["small"])
            stamp.count = _pages_needed(make())
            for flowable in make():
                out += [flowable, _StampSetter(ex.number, f, key, stamp.count, st)]
        else:
            out += [stamp] + _placeholder(f, s, "This file cannot be printed. It is identified by its SHA-256 "
                                                "above; a copy is attached to this PDF only when it is built "
                                                "with --attach-media.")
        out.append(Anchor(file_end_key(ex.number, i), None, 2, st))
    return out


class _StampSetter(Flowable):
    """Zero-size: gives the page it lands on the exhibit stamp "EX-0007 · file · page k of n"
    (k counted from the page of the file's anchor `key`), which the page decoration draws."""

    def __init__(self, number: str, file, key: str, count: int, state):
        super().__init__()
        self.number, self.file, self.key, self.count, self.state = number, file, key, count, state
        self.width = self.height = 0

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        page = self.canv.getPageNumber()
        k = page - self.state.pages.get(self.key, page) + 1
        self.state.stamps[page] = f"{self.number} · {self.file.path} · page {k} of {max(k, self.count)}"
        f = self.file
        if not f.withheld and f.document_label and page not in self.state.evidence:
            mark_evidence(self.canv, self.state, f.evidence_number(k))


def mark_evidence(c, state: RenderState, number: str):
    """Give the current page its evidence number: drawn by the page decoration, and a bookmark
    of that name (locators and the annex link to it, the manifest gives its page)."""
    page = c.getPageNumber()
    state.evidence[page] = number
    state.pages[number] = page
    c.bookmarkPage(number)


def _pages_needed(flowables: list) -> int:
    """How many pages the flowables take when they start on a fresh page of the dossier's
    content box (a trial layout, discarded), so a stamp can say "page 2 of 5" in one pass."""
    doc = BaseDocTemplate(io.BytesIO(), pagesize=(PAGE_W, PAGE_H), invariant=1)
    doc.addPageTemplates([PageTemplate("p", frames=[Frame(*CONTENT, leftPadding=0, rightPadding=0,
                                                          topPadding=0, bottomPadding=0)])])
    doc.build(flowables)
    return doc.page


_MAX_LINE = 1000  # characters: longer lines are set in pieces, so no piece outgrows a page
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _text_flowables(path: Path, mk, style) -> list:
    """A text file, one flowable per line: long lines wrap (with a hanging indent), runs of
    spaces are kept, characters the fonts cannot draw become U+FFFD."""
    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    text = _CONTROL.sub("\ufffd", unicodedata.normalize("NFC", text))
    for ch in rtl.missing_glyphs(text):
        text = text.replace(ch, "\ufffd")
    line_style = ParagraphStyle("textfile", parent=style, leftIndent=14, firstLineIndent=-14, spaceAfter=0,
                                spaceBefore=0)
    out = []
    lines = []
    for line in text.rstrip("\n").split("\n"):
        lines += [line[i:i + _MAX_LINE] for i in range(0, len(line), _MAX_LINE)] or [line]
    for line in lines:
        if not line.strip():
            out.append(Spacer(1, line_style.leading))
        elif rtl.is_mainly_rtl(line):
            out.append(rtl.RTLParagraph(" ".join(line.split()), line_style.fontName, line_style.fontSize,
                                        line_style.leading))
        else:
            stripped = line.lstrip(" ")
            line = "\u00a0" * (len(line) - len(stripped)) + re.sub(r"(?<= ) ", "\u00a0", stripped)
            out.append(Paragraph(mk.text(line), line_style))
    return out


def _placeholder(f, s, why: str) -> list:
    rows = [("File", f.path), ("Type", f.kind), ("Size", f"{f.size} bytes"), ("SHA-256", f.sha256),
            ("Description", f.description or "—")]
    out = [Spacer(1, 30), Paragraph("Exhibit file placeholder", s["h2"])]
    for k, v in rows:
        out.append(Paragraph(f"<b>{escape(k)}:</b> {escape(v)}", s["body"]))
    out.append(Paragraph(escape(why), s["note"]))
    return out


class FilePage(Flowable):
    """A whole page given to one page of an exhibit file: a PDF page or an image, fitted inside
    the content box so stamps never cover it."""

    def __init__(self, number: str, file, index: int, count: int, state: RenderState):
        super().__init__()
        self.number, self.file, self.index, self.count, self.state = number, file, index, count, state

    def wrap(self, aw, ah):
        self.width, self.height = aw, ah - 1
        return self.width, self.height

    def draw(self):
        c = self.canv
        page = c.getPageNumber()
        self.state.stamps[page] = f"{self.number} · {self.file.path} · page {self.index + 1} of {self.count}"
        if self.file.document_label:
            mark_evidence(c, self.state, self.file.evidence_number(self.index + 1))
        if self.file.kind == "pdf":
            if self.state.exhibit_pages is None:
                self.state.exhibit_pages = ExhibitPages()
            self.state.exhibit_pages.draw(c, Path(self.file.abspath), self.index, self.width, self.height)
            self.state.reserved.append((page, str(self.file.abspath), self.index))
        elif self.file.kind == "image":
            draw_image(c, self.file.abspath, 0, 0, self.width, self.height)
