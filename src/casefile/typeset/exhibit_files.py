"""Exhibit files inside the dossier, as flowables: each file starts on a new page under its own
anchor; a PDF exhibit gets a whole dossier page per page (drawn by exhibit_pages.ExhibitPages),
an image one page, a text file its lines as paragraphs, anything else (and a withheld file) a
placeholder naming it by its SHA-256. Every such page carries an exhibit stamp. The bytes typeset
are the bytes whose SHA-256 the dossier records (exhibit_pages.checked_bytes).

The public edition names a file by its label ("EX-0014 file 1", never its file name) and puts a
placeholder page in place of a withheld file and of each page the leak check cannot read (an
image, a PDF page without a text layer); the confidential edition's stamp on such a page says
the public edition withholds it."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from contextlib import contextmanager

from reportlab import rl_config
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Paragraph, Spacer

from casefile.dossier.citations import stored_lines
from casefile.dossier.editions import NO_TEXT_LAYER, NOT_FULLY_READ, WITHHELD_NOTE
from casefile.dossier.sections import file_end_key, file_key
from casefile.pdf.images import image_facts, open_image, printable
from casefile.typeset import rtl
from casefile.typeset.exhibit_pages import ExhibitPages, checked_bytes
from casefile.typeset.flowables import Anchor, PageBreakIfNotTop, PageSize, RenderState
from casefile.typeset.styles import GREY, IMAGE_DPI, file_page, image_page
from casefile.typeset.text_layer import NOTE as TEXT_LAYER_NOTE
from casefile.typeset.text_layer import draw_text_layer

JPEG_MAGIC = b"\xff\xd8\xff"


@contextmanager
def _streams_as_they_are():
    """reportlab writes image data ASCII85-encoded unless told not to: a JPEG then is not the
    file's bytes any more. Within this, it is stored as it is."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def draw_image(c, f, pixels: tuple[int, int], x: float, y: float, w: float, h: float,
               frame: int = 0) -> str | None:
    """Draw frame `frame` of image file `f` (upright size `pixels`) fitted and centred in the box,
    upright. A JPEG is embedded as the file it is, at its own resolution (EXIF orientation applied
    by turning it); any other image losslessly, at its own resolution up to IMAGE_DPI at the
    printed size. The bytes drawn are read once and checked against the recorded SHA-256.
    Returns what was done to the image that the page must say (or None)."""
    path = Path(f.abspath)
    data = checked_bytes(f)
    pw, ph = pixels
    scale = min(w / pw, h / ph)
    dw, dh = pw * scale, ph * scale
    cx, cy = x + w / 2, y + h / 2
    jpeg = data[:3] == JPEG_MAGIC and not frame
    probe = open_image(path, fit=(64, 64), data=data) if jpeg else None  # orientation only: decodes next to nothing
    turn = image_facts(probe)[2] if probe is not None else None
    if probe is not None:
        probe.close()
    if jpeg and turn is not None and Path(path).suffix.lower() in (".jpg", ".jpeg"):
        sw, sh = (dh, dw) if turn in (90, 270) else (dw, dh)  # the stored image, before turning
        c.saveState()
        c.translate(cx, cy)
        c.rotate(-turn)
        with _streams_as_they_are():  # the checked bytes, embedded as they are
            c.drawImage(ImageReader(io.BytesIO(data)), -sw / 2, -sh / 2, sw, sh)
        c.restoreState()
        return None
    img = printable(open_image(path, data=data, frame=frame))
    note = None
    limit = (max(1, round(dw / 72 * IMAGE_DPI)), max(1, round(dh / 72 * IMAGE_DPI)))
    if img.size[0] > limit[0] * 1.01:
        note = (f"image reduced from {img.size[0]}×{img.size[1]} to {limit[0]}×{limit[1]} pixels "
                f"({IMAGE_DPI} dpi at this size)")
        img = img.resize(limit)
    if jpeg:
        note = "; ".join(filter(None, [note, "JPEG decoded to apply its orientation, stored losslessly"]))
    c.drawImage(ImageReader(img), cx - dw / 2, cy - dh / 2, dw, dh)
    return note


# ------------------------------------------------------------------ flowables for exhibit files


def file_flowables(ex, mk) -> list:
    """Flowables for every file of an exhibit, each file starting on a new page."""
    st, s = mk.state, mk.s
    out = []
    for i, f in enumerate(ex.files, 1):
        if f.placed_in is not None:
            continue  # shown once per dossier: under the exhibit `placed_in`
        key = file_key(ex.number, i)
        title = f.label or f"{ex.number} file {i}: {f.path}"
        shown = not f.withheld and f.kind in ("pdf", "image") and f.page_sizes
        withheld_pages = set(f.unreadable) if f.label else set()  # the public edition's
        if shown:  # each page of the file on a page of its own size (every frame of an image)
            sizes = [file_page(*s) for s in f.page_sizes] if f.kind == "pdf" else \
                [image_page(s, st.page) for s in f.page_sizes]
            sizes = [(None, None) if p in withheld_pages else size for p, size in enumerate(sizes)]
            out.append(PageSize(sizes[0][0]))
        out += [PageBreakIfNotTop(), Anchor(key, title, 2, st)]
        stamp = _StampSetter(ex.number, f, key, 1, st)
        if f.withheld:
            out += [stamp] + _placeholder(f, s, "Withheld from the public edition: this file is marked "
                                                "confidential.")
        elif shown:
            for p, (size, box) in enumerate(sizes):  # a whole page each
                out += ([PageSize(size), PageBreakIfNotTop()] if p else [])
                if p in withheld_pages:
                    out += [_StampSetter(ex.number, f, key, len(sizes), st)] + _withheld_page(f, p, len(sizes), s)
                else:
                    out.append(FilePage(ex.number, f, p, len(sizes), st, box))
        elif f.kind == "text":  # its lines numbered: a line, not a page, is what a locator names
            lines = _TextLines(ex.number, f, st)
            out.append(Paragraph(mk.text(f"{ex.number} · {f.shown} (text file, as stored, its lines numbered "
                                         f"in the margin; long lines are wrapped, continuation lines "
                                         f"indented)"), s["note"]))
            out += _text_flowables(f, mk, s["small"], lines)
        else:
            out += [stamp] + _placeholder(f, s, "This file cannot be printed. It is identified by its SHA-256 "
                                                "above; a copy is attached to this PDF only when it is built "
                                                "with --attach-media.")
        out.append(Anchor(file_end_key(ex.number, i), None, 2, st))
        if shown:
            out.append(PageSize(None))
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
        self.state.stamps[page] = f"{self.number} · {stamp_name(self.file)} · page {k} of {max(k, self.count)}"
        f = self.file
        if not f.withheld and f.document_label and page not in self.state.evidence:
            mark_evidence(self.canv, self.state, f.evidence_number(k))


def stamp_name(f) -> str:
    """The file as its page stamps name it: its path, or in the public edition "file 2"."""
    return f"file {f.label.rsplit(' file ', 1)[-1]}" if f.label else f.path


def _withheld_page(f, page: int, count: int, s) -> list:
    """The public edition's page in place of an exhibit page the leak check cannot read."""
    what = "This image" if f.kind == "image" and count == 1 else f"Page {page + 1} of {count} of this file"
    if page in f.unread:  # OCR read part of it (intake/ocr.py says what it missed)
        why = (f"OCR did not read all of it ({f.unread[page]}), so it could show a protected name the leak "
               f"check cannot find")
    else:
        why = "it has no text the leak check can read (an image or a scan), so it could show a protected name"
    return [Spacer(1, 30), Paragraph(escape(f"{f.shown}, page {page + 1} of {count}"), s["h2"]),
            Paragraph(escape(f"{what} is withheld from the public edition: {why}. It is included once a person "
                             f"has checked it and its exhibit entry says public_reviewed: true."), s["note"])]


def mark_evidence(c, state: RenderState, number: str):
    """Give the current page its evidence number: drawn by the page decoration, and a bookmark
    of that name (locators and the annex link to it, the manifest gives its page)."""
    page = c.getPageNumber()
    state.evidence[page] = number
    state.pages[number] = page
    c.bookmarkPage(number)


_MAX_LINE = 1000  # characters: longer lines are set in pieces, so no piece outgrows a page
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class _TextLines:
    """What the pages of one typeset text file show: each page's first and last line (its stamp
    "EX-0007 · notes.txt · lines 53–104 of 120", at the bottom right its document number), and
    a link target at each line a locator names (exhibit pages link to "IR88-0004, line 6")."""

    def __init__(self, number: str, file, state: RenderState):
        self.number, self.file, self.state = number, file, state
        self.pages: dict[int, list[int]] = {}
        self.cited = set(file.cited_lines)

    def drawn(self, c, line: int, first: bool, top: float):
        page = c.getPageNumber()
        span = self.pages.setdefault(page, [line, line])
        span[0], span[1] = min(span[0], line), max(span[1], line)
        lo, hi = span
        f, st = self.file, self.state
        shown = f"line {lo}" if lo == hi else f"lines {lo}–{hi}"
        st.stamps[page] = f"{self.number} · {stamp_name(f)} · {shown} of {f.lines}"
        if f.document_label and not f.withheld:
            st.evidence[page] = f.document_label
            st.text_lines.setdefault(f.document_label, {})[page] = [lo, hi]
        if first and line in self.cited:
            key = f.line_mark(line)
            c.bookmarkHorizontal(key, 0, top)
            st.pages[key] = page


class _NumberedLine(Flowable):
    """One line of a stored text file, its number in the margin; the part of a long line carried
    over to the next page goes without the number (and tells that page it shows the line)."""

    GUTTER = 26

    def __init__(self, line: int, inner, record: _TextLines, size: float, first: bool = True):
        super().__init__()
        self.line, self.inner, self.record, self.size, self.first = line, inner, record, size, first
        self.width = self.height = 0

    def wrap(self, aw, ah):
        _, self.height = self.inner.wrap(aw - self.GUTTER, ah)
        self.width = aw
        return aw, self.height

    def split(self, aw, ah):
        parts = self.inner.split(aw - self.GUTTER, ah)
        return [_NumberedLine(self.line, p, self.record, self.size, self.first and i == 0)
                for i, p in enumerate(parts)]

    def draw(self):
        c = self.canv
        if self.first:
            c.saveState()
            c.setFont(rtl.FONT_REGULAR, self.size - 1.5)
            c.setFillColor(GREY)
            c.drawRightString(self.GUTTER - 8, self.height - self.size, str(self.line))
            c.restoreState()
        self.inner.drawOn(c, self.GUTTER, 0)
        self.record.drawn(c, self.line, self.first, self.height)


def _text_flowables(f, mk, style, record: _TextLines) -> list:
    """A text file, one flowable per line of the stored file (dossier/citations.stored_lines),
    numbered: long lines wrap (with a hanging indent), runs of spaces are kept, characters the
    fonts cannot draw become U+FFFD. The bytes typeset are the bytes whose SHA-256 the dossier
    records (checked)."""
    line_style = ParagraphStyle("textfile", parent=style, leftIndent=14, firstLineIndent=-14, spaceAfter=0,
                                spaceBefore=0)
    out = []
    for n, line in enumerate(stored_lines(checked_bytes(f)), 1):
        line = line.expandtabs(4)
        line = _CONTROL.sub("\ufffd", unicodedata.normalize("NFC", line))
        for ch in rtl.missing_glyphs(line):
            line = line.replace(ch, "\ufffd")
        pieces = [line[i:i + _MAX_LINE] for i in range(0, len(line), _MAX_LINE)] or [line]
        for k, piece in enumerate(pieces):
            if not piece.strip():
                inner = Spacer(1, line_style.leading)
            elif rtl.is_mainly_rtl(piece):
                inner = rtl.RTLParagraph(" ".join(piece.split()), line_style.fontName, line_style.fontSize,
                                         line_style.leading)
            else:
                stripped = piece.lstrip(" ")
                piece = "\u00a0" * (len(piece) - len(stripped)) + re.sub(r"(?<= ) ", "\u00a0", stripped)
                inner = Paragraph(mk.text(piece), line_style)
            out.append(_NumberedLine(n, inner, record, line_style.fontSize, first=k == 0))
    return out


def _placeholder(f, s, why: str) -> list:
    rows = [("File", f.shown), ("Type", f.kind), ("Size", f"{f.size} bytes"), ("SHA-256", f.sha256),
            ("Description", f.description or "—")]
    out = [Spacer(1, 30), Paragraph("Exhibit file placeholder", s["h2"])]
    for k, v in rows:
        out.append(Paragraph(f"<b>{escape(k)}:</b> {escape(v)}", s["body"]))
    out.append(Paragraph(escape(why), s["note"]))
    return out


class FilePage(Flowable):
    """A whole page given to one page of an exhibit file, a PDF page or an image: the page is of
    its size (PageSize before it), its one frame the whole page, and the exhibit page is drawn
    into `box` (x, y, w, h of the page), clear of the bands where the stamps are."""

    def __init__(self, number: str, file, index: int, count: int, state: RenderState, box):
        super().__init__()
        self.number, self.file, self.index, self.count, self.state = number, file, index, count, state
        self.box = box

    def wrap(self, aw, ah):
        self.width, self.height = aw, ah - 1
        return self.width, self.height

    def draw(self):
        c = self.canv
        page = c.getPageNumber()
        f = self.file
        self.state.stamps[page] = f"{self.number} · {stamp_name(f)} · page {self.index + 1} of {self.count}"
        if f.public_withheld or self.index in f.unreadable:  # the confidential edition says so
            self.state.stamps[page] += f" · {WITHHELD_NOTE}" + (
                "" if f.public_withheld else f" ({NOT_FULLY_READ if self.index in f.unread else NO_TEXT_LAYER})")
        self.state.file_pages.add(page)
        if self.file.document_label:
            mark_evidence(c, self.state, self.file.evidence_number(self.index + 1))
        x, y, w, h = self.box
        c.saveState()
        c.translate(x, y - 1)  # the frame is the whole page: the flowable stands 1 point above its foot
        placed = None
        if self.file.kind == "pdf":
            if self.state.exhibit_pages is None:
                self.state.exhibit_pages = ExhibitPages()
            placed = self.state.exhibit_pages.draw(c, self.file, self.index, w, h)
            self.state.reserved.append((page, str(self.file.drawn), self.index))
        elif self.file.kind == "image":
            note = draw_image(c, self.file, self.file.page_sizes[self.index], 0, 0, w, h, frame=self.index)
            self.state.reserved.append((page, str(self.file.abspath), self.index))
            if note:
                self.state.stamps[page] += f" · {note}"
            pw, ph = self.file.page_sizes[0]
            scale = min(w / pw, h / ph)
            placed = ((w - pw * scale) / 2, (h - ph * scale) / 2, pw * scale, ph * scale)  # as draw_image places it
        machine_read = self.file.ocr.get(self.index)
        if machine_read is not None and placed is not None:  # OCR text (intake): invisible, over the scan
            draw_text_layer(c, machine_read, placed)
            self.state.stamps[page] += f" · {TEXT_LAYER_NOTE}"
        c.restoreState()
