"""jinja2 templates -> a small safe markup -> reportlab flowables -> PDF, in one pass.

Templates (autoescape on) produce a tiny XML vocabulary (see docs/templates.md); case text only
ever reaches them as data. The markup is parsed with ElementTree, so every piece of user text
comes back as plain text and is escaped again before it reaches a reportlab Paragraph.

Typesetting is single-pass. Page numbers that are not known yet when a page is drawn (the
contents, the index of exhibits, "Page X of Y", the cover's page count) are drawn as PDF form
XObjects referenced by name and defined once the last page is done. Back matter (the index of
names, the annex) is rendered from its template only when the body has been laid out, so its
page numbers are plain text.
"""

from __future__ import annotations

import functools
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFObject, PDFObjectReference
from reportlab.pdfbase.pdfdoc import format as pdf_format
from reportlab.pdfbase.pdfmetrics import getAscentDescent, getFont, stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable
from reportlab.platypus.paragraph import _handleBulletWidth, _processed_frags, cleanBlockQuotedText
from reportlab.platypus.paragraph import _shy as _SHY
from reportlab.platypus.paragraph import split as _rl_split
from reportlab.platypus.paragraph import strip as _rl_strip
from reportlab.platypus.paraparser import ParaParser

from casefile import __version__
from casefile.case.dates import display_date
from casefile.dossier.assembly import TYPE_LABELS, Dossier
from casefile.dossier.sections import AFTER_EXHIBITS, BEFORE_EXHIBITS, EXHIBIT_TEMPLATE
from casefile.errors import fail
from casefile.typeset import rtl

PAGE_W, PAGE_H = A4
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 22 * mm, 22 * mm, 24 * mm, 24 * mm
CONTENT = (MARGIN_L, MARGIN_B, PAGE_W - MARGIN_L - MARGIN_R, PAGE_H - MARGIN_T - MARGIN_B)
INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#5f6368")
LINK = colors.HexColor("#0b5394")
_MARKUP_CHARS = re.compile("[&<>\"']")
_WORD_WIDTHS: dict = {}  # (font, size) -> {word: width}, for Para.breakLines
RULE = colors.HexColor("#b0b4b8")
SHADE = colors.HexColor("#eef0f2")
MARK = colors.HexColor("#fff3b0")
BANNER = {"confidential": ("CONFIDENTIAL", colors.HexColor("#a50e0e")),
          "public": ("PUBLIC — REDACTED", colors.HexColor("#0b5394"))}
TOTAL = "@total"
FRAME = "@frame"  # the form of what every page has
HEAD = "@head"  # forms of running heads: key (HEAD, text)


# ------------------------------------------------------------------ styles

def _styles() -> dict[str, ParagraphStyle]:
    rtl.register_fonts()
    R, B = rtl.FONT_REGULAR, rtl.FONT_BOLD
    base = ParagraphStyle("body", fontName=R, fontSize=10, leading=14.5, textColor=INK, spaceAfter=6)
    s = {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, spaceAfter=3),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.8, leading=11.6, spaceAfter=0),
        "cellhead": ParagraphStyle("cellhead", parent=base, fontName=B, fontSize=8.8, leading=11.6, spaceAfter=0),
        "h1": ParagraphStyle("h1", parent=base, fontName=B, fontSize=17, leading=22, spaceBefore=0, spaceAfter=10),
        "h2": ParagraphStyle("h2", parent=base, fontName=B, fontSize=12.5, leading=17, spaceBefore=8, spaceAfter=6,
                              keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=base, fontName=B, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=4,
                              keepWithNext=1),
        "quote": ParagraphStyle("quote", parent=base, leftIndent=14, rightIndent=10, textColor=INK,
                                borderPadding=(2, 0, 2, 8), spaceBefore=2, spaceAfter=8),
        "li": ParagraphStyle("li", parent=base, leftIndent=16, bulletIndent=4),
        "title": ParagraphStyle("title", parent=base, fontName=B, fontSize=22, leading=28, alignment=TA_CENTER,
                                spaceAfter=14),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=13, leading=18, alignment=TA_CENTER,
                                   spaceAfter=8, textColor=GREY),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=11.5, textColor=GREY),
        "entry": ParagraphStyle("entry", parent=base, spaceAfter=0, leading=14),
    }
    return s


# ------------------------------------------------------------------ links


class _Link(PDFObject):
    """A link annotation to a bookmark, written as reportlab writes `canvas.linkRect(...,
    thickness=0)` (the same bytes) without building its dictionaries: a dossier has a link
    for every contents line, index row and reference, thousands in a big one."""

    def __init__(self, rect, destination):
        self.rect, self.destination = rect, destination

    def format(self, document):
        dests = document.__dict__.setdefault("_casefile_dests", {})  # key -> "[ 12 0 R /Fit ]"
        dest = dests.get(self.destination.name)
        if dest is None:
            dest = dests[self.destination.name] = self.destination.format(document)
        return (b"<<\n/Border [ 0 0 0 ] /Contents () /Dest %s /Rect [ %s ] /Subtype /Link /Type /Annot\n>>"
                % (dest, fp_str(*self.rect).encode()))


def link(c, key: str, rect):
    """Make `rect` (in the current coordinates) a link to the bookmark `key`."""
    c._addAnnotation(_Link(c._absRect(rect, 1), c._bookmarkReference(key)))


# ------------------------------------------------------------------ flowables


class Anchor(Flowable):
    """A named place: records its page, adds a bookmark and an outline entry."""

    def __init__(self, key: str, title: str | None, level: int, state: "RenderState"):
        super().__init__()
        self.key, self.title, self.level, self.state = key, title, level, state
        self.width = self.height = 0

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        c = self.canv
        page = c.getPageNumber()
        self.state.pages[self.key] = page
        c.bookmarkPage(self.key)
        if self.title is not None:
            c.addOutlineEntry(self.title, self.key, self.level, closed=self.level > 0)
            self.state.outline.append((self.level, self.title, self.key))
        if self.level <= 1 and self.title:
            self.state.running[page] = self.title
            self.state.current_head = self.title


class PageRef(Flowable):
    """The page number of a key, right-aligned, drawn from a form defined after the last page."""

    def __init__(self, key: str, state: "RenderState", size: float = 8.8, align: str = "right"):
        super().__init__()
        self.key, self.state, self.size, self.align = key, state, size, align
        state.refs.add(key)

    def wrap(self, aw, ah):
        self.width = aw
        return aw, self.size * 1.3

    def draw(self):
        x = self.width if self.align == "right" else 0
        self.canv.saveState()
        self.canv.translate(x, self.size * 0.25)
        self.canv.doForm(self.state.form_name(self.key, self.size, self.align))
        self.canv.restoreState()


class RefList(Flowable):
    """A list of linked references ("12 (EX-0003), 45 (EX-0010)"), as in a names-index row:
    the references are laid out whole, line by line, each one a link to its key, the page
    number in link colour. Far cheaper than a paragraph of hundreds of links, and a long list
    splits between lines when its table row is taller than a page."""

    SEP = ", "

    def __init__(self, refs: list, style: ParagraphStyle, lines: list | None = None):
        super().__init__()
        self.refs, self.style = refs, style  # refs: (page text, rest of the text, key)
        self.lines = lines
        self._laid_at = None

    def _layout(self, width: float) -> list:
        font, size = self.style.fontName, self.style.fontSize
        sep_w = stringWidth(self.SEP, font, size)
        lines, line, x = [], [], 0.0
        for i, (page, rest, key) in enumerate(self.refs):
            pw, rw = stringWidth(page, font, size), stringWidth(rest, font, size)
            w = pw + rw
            if line and x + w > width:
                lines.append(line)
                line, x = [], 0.0
            last = i == len(self.refs) - 1
            line.append((x, page, pw, rest + ("" if last else self.SEP), w, key))
            x += w + (0 if last else sep_w)
        if line:
            lines.append(line)
        return lines

    def wrap(self, aw, ah):
        if self.lines is None or (self._laid_at is not None and self._laid_at != aw):
            self.lines, self._laid_at = self._layout(aw), aw
        self.width, self.height = aw, len(self.lines) * self.style.leading
        return self.width, self.height

    def split(self, aw, ah):
        self.wrap(aw, ah)
        n = int(ah // self.style.leading)
        if n < 1 or n >= len(self.lines):
            return [] if n < 1 else [self]
        return [RefList(self.refs, self.style, self.lines[:n]), RefList(self.refs, self.style, self.lines[n:])]

    def draw(self):
        c, st = self.canv, self.style
        lead, size = st.leading, st.fontSize
        for i, line in enumerate(self.lines):
            y = self.height - i * lead - size
            t = c.beginText(0, y)
            t.setFont(st.fontName, size, lead)
            for x, page, pw, rest, w, key in line:  # each reference ends with its separator:
                # the text goes on where the next one starts
                t.setFillColor(LINK)
                t.textOut(page)
                t.setFillColor(st.textColor)
                t.textOut(rest)
            c.drawText(t)
            for x, page, pw, rest, w, key in line:
                link(c, key, (x, y - size * 0.25, x + w, y + size))


class ContentsEntry(Flowable):
    """A contents line: title (wrapped), dot leaders, page number (form), the whole line a link."""

    def __init__(self, para: Paragraph, key: str, level: int, state: "RenderState"):
        super().__init__()
        self.para, self.key, self.level, self.state = para, key, level, state
        state.refs.add(key)
        self.indent = 14 * level
        self.numw = 34

    def wrap(self, aw, ah):
        self.width = aw
        self.avail = aw - self.indent - self.numw - 8
        self.pw, self.ph = self.para.wrap(self.avail, ah)
        self.height = self.ph + 3
        return aw, self.height

    def draw(self):
        c = self.canv
        self.para.drawOn(c, self.indent, 3)
        # dot leaders from the end of the last line to the number
        last = self.para.blPara.lines[-1]
        extra = last[0] if isinstance(last, tuple) else last.extraSpace
        x0 = self.indent + (self.avail - extra) + 4
        x1 = self.width - self.numw
        if x1 - x0 > 8:  # a dotted line: round caps on a dash pattern (no text to encode)
            c.saveState()
            c.setStrokeColor(RULE)
            c.setLineWidth(0.9)
            c.setLineCap(1)
            c.setDash([0, 4], 0)
            c.line(x1 - 4 * int((x1 - x0) / 4), 6.3, x1, 6.3)
            c.restoreState()
        c.saveState()
        c.translate(self.width, 6)
        c.doForm(self.state.form_name(self.key, 10, "right"))
        c.restoreState()
        link(c, self.key, (0, 0, self.width, self.height))


class FilePage(Flowable):
    """A whole page given to one page of an exhibit file: a PDF page or an image, fitted inside
    the content box so stamps never cover it."""

    def __init__(self, number: str, file, index: int, count: int, state: "RenderState"):
        super().__init__()
        self.number, self.file, self.index, self.count, self.state = number, file, index, count, state

    def wrap(self, aw, ah):
        self.width, self.height = aw, ah - 1
        return self.width, self.height

    def draw(self):
        c = self.canv
        page = c.getPageNumber()
        self.state.stamps[page] = f"{self.number} · {self.file.path} · page {self.index + 1} of {self.count}"
        if self.file.kind == "pdf":
            if self.state.exhibit_pages is None:
                from casefile.typeset.exhibit_pages import ExhibitPages
                self.state.exhibit_pages = ExhibitPages()
            self.state.exhibit_pages.draw(c, Path(self.file.abspath), self.index, self.width, self.height)
            self.state.reserved.append((page, str(self.file.abspath), self.index))
        elif self.file.kind == "image":
            from casefile.typeset.exhibit_pages import draw_image
            draw_image(c, self.file.abspath, 0, 0, self.width, self.height)


# ------------------------------------------------------------------ state and document


@dataclass
class RenderState:
    pages: dict = field(default_factory=dict)  # key -> page
    refs: set = field(default_factory=set)  # keys whose page number is drawn by a form
    outline: list = field(default_factory=list)  # (level, title, key)
    running: dict = field(default_factory=dict)  # page -> running head
    stamps: dict = field(default_factory=dict)  # page -> exhibit stamp text
    reserved: list = field(default_factory=list)  # (page, pdf path, page index) of exhibit PDF pages
    exhibit_pages: object = None  # stamping.ExhibitPages, made at the first exhibit PDF page

    form_ids: dict = field(default_factory=dict)  # (key, size, align) -> form name
    current_head: str = ""

    def form_name(self, key: str, size: float, align: str) -> str:
        k = (key, size, align)
        if k not in self.form_ids:
            self.form_ids[k] = f"pn{len(self.form_ids)}"
        return self.form_ids[k]


class Deferred(Flowable):
    """Stands for flowables made only when reached: `make()` runs once the body is laid out."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        pass


class KeepWithNext(KeepTogether):
    """A heading kept with what follows it (reportlab groups a keepWithNext paragraph and the
    next flowable in one of these). reportlab moves the whole group to a new page whenever it is
    taller than the space left, which for a heading followed by a table longer than a page
    leaves a page empty but for the heading before it. A group taller than a page is instead
    kept only with the start of what follows: the headings and the first row of a table (its
    repeated header included) or the first lines of a paragraph."""

    def split(self, aW, aH):
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        if self._H <= CONTENT[3]:
            return super().split(aW, aH)
        *heads, last = self._content
        need = sum(f.wrap(aW, aH)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in heads)
        _, h = last.wrap(aW, aH)
        if isinstance(last, Table):
            rows = (last.repeatRows if isinstance(last.repeatRows, int) else 0) + 1
            h = sum(last._rowHeights[:rows])
        need += min(h, 48) if not isinstance(last, Table) else h
        return [CondPageBreak(min(need, CONTENT[3]))] + self._content[:]


class DossierDoc(BaseDocTemplate):
    def __init__(self, stream, dossier: Dossier, state: RenderState, **kw):
        super().__init__(stream, pagesize=A4, leftMargin=MARGIN_L, rightMargin=MARGIN_R, topMargin=MARGIN_T,
                         bottomMargin=MARGIN_B, invariant=1, **kw)
        self.dossier, self.state = dossier, state
        frame = Frame(*CONTENT, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", frames=[frame], onPageEnd=self._decorate)])
        self.keepTogetherClass = KeepWithNext
        self._doSave = 0

    def handle_flowable(self, flowables):
        first = flowables[0]
        if isinstance(first, Deferred):
            flowables[0:1] = first.make()
            return
        if isinstance(first, PageBreakIfNotTop):
            flowables.pop(0)
            if not self.frame._atTop:
                self.handle_pageBreak()
            return
        if isinstance(first, PadTo):
            flowables.pop(0)
            used = self.canv.getPageNumber() - self.state.pages[first.key] + (0 if self.frame._atTop else 1)
            blank = []
            for _ in range(max(0, first.pages - used)):
                blank += [PageBreakIfNotTop(), Paragraph(
                    "This page is intentionally blank: it keeps page numbers identical across editions.",
                    ParagraphStyle("blank", fontName=rtl.FONT_REGULAR, fontSize=9, textColor=GREY,
                                   alignment=TA_CENTER, spaceBefore=120))]
            flowables[0:0] = blank
            return
        super().handle_flowable(flowables)

    def _decorate(self, c, doc):
        d, st = self.dossier, self.state
        page = c.getPageNumber()
        c.saveState()
        # what every page has (edition banner, case title, rules, case and accused): one form,
        # defined once after the last page
        c.doForm(st.form_name(FRAME, 0, ""))
        # running head and "Page X of"; the page count; edition and page stamp
        head = st.running.get(page) or st.current_head
        if head:  # one form per running head
            c.saveState()
            c.translate(PAGE_W - MARGIN_R, PAGE_H - 16 * mm)
            c.doForm(st.form_name((HEAD, _fit(rtl.ltr_visual(head), rtl.FONT_REGULAR, 7.5, 70 * mm)), 7.5, "right"))
            c.restoreState()
        t = c.beginText()
        t.setFillColor(INK)
        t.setFont(rtl.FONT_REGULAR, 7.5)
        label = f"Page {page} of "
        w = stringWidth(label, rtl.FONT_REGULAR, 7.5)
        x = PAGE_W / 2 - (w + 8) / 2
        t.setTextOrigin(x, 12 * mm)
        t.textOut(label)
        c.drawText(t)
        c.saveState()
        c.translate(x + w, 12 * mm)
        c.doForm(st.form_name(TOTAL, 7.5, "left"))  # the page count, known at the end
        c.restoreState()
        c.setFillColor(INK)
        c.setFont(rtl.FONT_BOLD, 8)
        c.drawRightString(PAGE_W - MARGIN_R, 12 * mm, f"{d.stamp_prefix}-{page:06d}")
        c.restoreState()

        if page in st.stamps:
            c.saveState()
            c.setFillColor(colors.white)
            c.setStrokeColor(INK)
            c.setLineWidth(0.6)
            text = st.stamps[page]
            c.setFont(rtl.FONT_BOLD, 8)
            w = stringWidth(text, rtl.FONT_BOLD, 8) + 10
            x, y = PAGE_W - MARGIN_R - w, MARGIN_B - 5.5 * mm
            c.rect(x, y, w, 4.6 * mm, fill=1, stroke=1)
            c.setFillColor(INK)
            c.drawString(x + 5, y + 1.5 * mm, text)
            c.restoreState()


@functools.lru_cache(maxsize=1024)
def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text`, cut short with "…" if wider than `width`."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _draw_frame(c, d: Dossier):
    """What every page of the dossier has: edition banner, case title, rules, case and accused."""
    text, colour = BANNER[d.edition]
    c.setFillColor(colour)
    c.setFont(rtl.FONT_BOLD, 8.5)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 11 * mm, text)
    c.setFillColor(GREY)
    c.setFont(rtl.FONT_REGULAR, 7.5)
    c.drawString(MARGIN_L, PAGE_H - 16 * mm, _fit(d.case["title"], rtl.FONT_REGULAR, 7.5, 95 * mm))
    c.setStrokeColor(RULE)
    c.setLineWidth(0.4)
    c.line(MARGIN_L, PAGE_H - 18 * mm, PAGE_W - MARGIN_R, PAGE_H - 18 * mm)
    c.line(MARGIN_L, 17 * mm, PAGE_W - MARGIN_R, 17 * mm)
    c.setFillColor(INK)
    c.setFont(rtl.FONT_REGULAR, 7.5)
    original = f" · {d.accused['name_original']}" if d.accused.get("name_original") else ""
    left = rtl.ltr_visual(f"{d.case['id']} · {d.accused['name']}{original}")
    c.drawString(MARGIN_L, 12 * mm, _fit(left, rtl.FONT_REGULAR, 7.5, 70 * mm))
    # the edition, left of the page stamp (as wide as its widest digits allow)
    digit = max(stringWidth(ch, rtl.FONT_BOLD, 8) for ch in "0123456789")
    stamp_w = stringWidth(f"{d.stamp_prefix}-", rtl.FONT_BOLD, 8) + 6 * digit
    c.drawRightString(PAGE_W - MARGIN_R - stamp_w - 8, 12 * mm, f"{d.edition} edition ·")


def _define_forms(c, st: RenderState, total: int, d: Dossier):
    for (key, size, align), name in st.form_ids.items():
        if key == FRAME:
            c.beginForm(name, lowerx=0, lowery=0, upperx=PAGE_W, uppery=PAGE_H)
            _draw_frame(c, d)
            c.endForm()
            continue
        if isinstance(key, tuple):  # (HEAD, running head as fitted)
            c._doc.addForm(name, _TextForm(c, key[1], size, True, GREY))
            continue
        if key == TOTAL:
            text = str(total)
        elif key in st.pages:
            text = str(st.pages[key])
        else:
            text = "—"  # a withheld exhibit, or a key never placed: shown as a dash
        c._doc.addForm(name, _TextForm(c, text, size, align == "right"))


class _TextForm(PDFObject):
    """One line of text drawn as a form (a page number, a running head): what `beginForm`,
    `drawString` and `endForm` make of it, written directly (a dossier has one for every page
    reference of its contents and indexes, and reportlab's forms carry a resource dictionary
    and a preamble each). The text is encoded now, before the fonts are written."""

    def __init__(self, c, text: str, size: float, right: bool, colour=INK):
        font = getFont(rtl.FONT_REGULAR)
        w = stringWidth(text, rtl.FONT_REGULAR, size)
        x = -w if right else 0
        ops = [f"{fp_str(colour.red, colour.green, colour.blue)} rg BT 1 0 0 1 {fp_str(x)} 0 Tm"]
        for subset, t in font.splitString(text, c._doc):
            ops.append(f"{font.getSubsetInternalName(subset, c._doc)} {fp_str(size)} Tf {fp_str(size * 1.2)} TL "
                       f"({c._escape(t)}) Tj")
        ops.append("T* ET")  # the line ends here (text extraction sees the break, as after drawString)
        self.content = "\n".join(ops).encode("latin-1")
        self.bbox = b"[ %s ]" % fp_str(x - 2, -size, x + w + 2, size * 2).encode()

    def format(self, document):
        fonts = pdf_format(PDFObjectReference("BasicFonts"), document)
        return (b"<< /BBox %s /Length %d /Resources << /Font %s >> /Subtype /Form "
                b"/Type /XObject >>\nstream\n%s\nendstream" % (self.bbox, len(self.content), fonts, self.content))


# ------------------------------------------------------------------ markup -> flowables



CELL_PAD = 4  # left and right padding of table cells


class Markup:
    """Turns the template markup into flowables."""

    def __init__(self, state: RenderState, styles: dict, dossier: Dossier):
        self.state, self.s, self.dossier = state, styles, dossier
        self._fragments: dict = {}  # id(style) -> (style, the parser's fragment for "x")

    def inline_xml(self, el) -> str:
        """Paragraph markup from an element's mixed content; all text escaped."""
        out = [self._text(el.text)]
        for child in el:
            tag = child.tag
            if tag == "br":
                out.append("<br/>")
            elif tag in ("b", "i"):
                inner = self.inline_xml(child)
                out.append(f"<font name='{rtl.FONT_BOLD}'>{inner}</font>" if tag == "b" else f"<i>{inner}</i>")
            elif tag == "ref":
                key = escape(child.get("to", ""), {'"': "&quot;"})
                out.append(f'<a href="#{key}" color="#0b5394">{self.inline_xml(child)}</a>')
            elif tag == "small":
                out.append(f'<font size="7.5" color="#5f6368">{self.inline_xml(child)}</font>')
            elif tag == "mark":
                out.append(f"<span backColor='#fff3b0'>{self.inline_xml(child)}</span>")
            else:
                raise fail("templates", tag, f"<{tag}> is not allowed inside text")
            out.append(self._text(child.tail))
        return "".join(out)

    @staticmethod
    def _text(t: str | None) -> str:
        if not t:
            return ""
        return escape(rtl.ltr_visual(t), {'"': "&quot;", "'": "&#39;"})

    @staticmethod
    def plain(el) -> str:
        return "".join(el.itertext())

    def para(self, el, style: str) -> Flowable:
        text = self.plain(el)
        st = self.s[style]
        align = el.get("align")
        if rtl.is_mainly_rtl(text):
            return rtl.RTLParagraph(" ".join(text.split()) if "\n" not in text.strip() else text.strip(),
                                    st.fontName if style not in ("h1", "h2", "h3") else rtl.FONT_BOLD,
                                    st.fontSize, st.leading, space_after=st.spaceAfter)
        if align:
            st = ParagraphStyle(f"{style}-{align}", parent=st,
                                alignment={"center": TA_CENTER, "right": TA_RIGHT, "left": TA_LEFT}[align])
        return self.paragraph(el, st, el.get("marker"))

    def paragraph(self, el, st: ParagraphStyle, bullet: str | None = None) -> Para:
        """A paragraph of the element's content. Text without inline markup and without the
        characters markup escapes (& < > " ') is given to reportlab as the one fragment its
        parser would make of it, which skips the parser: the same paragraph, a fraction of the
        cost (tests/test_dossier.py compares both ways)."""
        if len(el) == 0:
            text = cleanBlockQuotedText(rtl.ltr_visual(el.text or ""))  # as Paragraph cleans it
            if text and not _MARKUP_CHARS.search(text):
                p = Para(None, st, bulletText=bullet, frags=[self.fragment(st, text)])
                p.text = text
                return p
        return Para(self.inline_xml(el), st, bulletText=bullet)

    def fragment(self, st: ParagraphStyle, text: str):
        """reportlab's parser's fragment for plain `text` in style `st`."""
        model = self._fragments.get(id(st))
        if model is None:
            model = self._fragments[id(st)] = (st, ParaParser().parse("x", st)[1][0])
        frag = model[1].clone(text=text)
        frag.us_lines = list(frag.us_lines)  # its own list, as the parser gives each fragment
        return frag

    def blocks(self, parent) -> list[Flowable]:
        out: list[Flowable] = []
        for el in parent:
            out += self.block(el)
        return out

    def block(self, el) -> list[Flowable]:
        tag = el.tag
        st = self.state
        if tag == "section":
            key = el.get("key")
            level = int(el.get("level", "0"))
            title = el.get("title")
            flows: list[Flowable] = []
            if el.get("newpage", "1") == "1":
                flows.append(PageBreakIfNotTop())
            if el.get("group-key"):
                flows.append(Anchor(el.get("group-key"), el.get("group-title"), level - 1, st))
            flows.append(Anchor(key, title, level, st))
            pad = self.dossier.min_pages.get(key)
            flows += self.blocks(el)
            if pad:
                flows.append(PadTo(key, pad, st))
            return flows
        if tag == "anchor":
            return [Anchor(el.get("key"), el.get("title"), int(el.get("level", "1")), st)]
        if tag in ("h1", "h2", "h3", "p", "quote", "li"):
            style = {"p": el.get("class", "body"), "quote": "quote", "li": "li"}.get(tag, tag)
            if style not in self.s:
                raise fail("templates", "class", f"unknown paragraph class '{style}'")
            f = self.para(el, style)
            if tag == "quote" and not isinstance(f, rtl.RTLParagraph):
                f = Quoted(f)
            return [f]
        if tag == "table":
            return [self.table(el)]
        if tag == "entry":
            p = Para(self.inline_xml(el), self.s["entry"])
            return [ContentsEntry(p, el.get("key"), int(el.get("level", "0")), st)]
        if tag == "spacer":
            return [Spacer(1, float(el.get("height", "12")))]
        if tag == "pagebreak":
            return [PageBreak()]
        if tag == "condbreak":
            return [CondPageBreak(float(el.get("height", "80")))]
        if tag == "rule":
            return [HRFlowable(width="100%", thickness=0.5, color=RULE, spaceBefore=4, spaceAfter=8)]
        if tag == "keep":
            return [KeepTogether(self.blocks(el))]
        if tag == "parallel":
            return [self.parallel(el)]
        if tag == "files":
            return self.files(el.get("exhibit"))
        raise fail("templates", tag, f"unknown element <{tag}>")

    def cell(self, td, head: bool, width: float | None = None) -> Flowable | str:
        """A table cell. Plain text that fits on one line at `width` is given as a string, which
        the table draws with the same font, size and baseline as the one-line paragraph it
        stands for (a fraction of the cost); anything else is a paragraph."""
        ref = td.find("pageref")
        if ref is not None:
            return PageRef(ref.get("key"), self.state, align=ref.get("align", "right"))
        refs = td.find("refs")
        if refs is not None:
            # <refs><r to="key" page="12">12 (EX-0003)</r>...</refs>: the leading `page` part in
            # link colour (without `page`, the whole text)
            items = []
            for r in refs.findall("r"):
                text, page = " ".join("".join(r.itertext()).split()), r.get("page")
                if page is None:
                    page = text
                elif not text.startswith(page):
                    page = ""
                items.append((page, text[len(page):], r.get("to", "")))
            return RefList(items, self.s["cellhead" if head else "cell"])
        st = self.s["cellhead" if head else "cell"]
        text = self.plain(td)
        if width is not None and len(td) == 0 and not rtl.has_rtl(text):
            line = " ".join(text.split())
            if stringWidth(line, st.fontName, st.fontSize) <= width - 2 * CELL_PAD:
                return line
        if rtl.is_mainly_rtl(text):
            return rtl.RTLParagraph(" ".join(text.split()), st.fontName, st.fontSize, st.leading)
        return self.paragraph(td, st)

    def table(self, el) -> Flowable:
        widths = [float(w) for w in el.get("widths", "1").split(",")]
        total = sum(widths)
        col_w = [CONTENT[2] * w / total for w in widths]
        header = el.get("header", "0") == "1"
        kind = el.get("class", "grid")
        rows, bold, links = [], [], []
        for ri, tr in enumerate(el.findall("tr")):
            head = header and ri == 0
            links.append(tr.get("link"))
            cells = []
            for ci, td in enumerate(tr.findall("td")):
                is_head = head or (kind == "meta" and ci == 0)
                f = self.cell(td, is_head, None if ci >= len(col_w) else col_w[ci])
                if isinstance(f, str) and is_head:
                    bold.append((ci, ri))
                cells.append(f)
            rows.append(cells)
        if not rows:
            return Spacer(1, 0)
        t = RowSplitTable(rows, colWidths=col_w, repeatRows=1 if header else 0, hAlign="LEFT", links=links)
        cs, hs = self.s["cell"], self.s["cellhead"]
        style = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("FONT", (0, 0), (-1, -1), cs.fontName, cs.fontSize, cs.leading),
                 ("TEXTCOLOR", (0, 0), (-1, -1), cs.textColor),
                 ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
        style += [("FONT", (col, first), (col, last), hs.fontName, hs.fontSize, hs.leading)
                  for col, first, last in _runs(bold)]
        if kind == "meta":
            style += [("BACKGROUND", (0, 0), (0, -1), SHADE), ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                      ("LINEABOVE", (0, 0), (-1, 0), 0.3, RULE)]
        else:
            style += [("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE)]
            if header:
                style += [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK)]
        t.setStyle(TableStyle(style))
        return t

    def parallel(self, el) -> Flowable:
        """Original and translation side by side: one table row per paragraph pair; the RTL
        column on the right."""
        rows = []
        for row in el.findall("row"):
            cells = []
            for side in ("left", "right"):
                c = row.find(side)
                cells.append(self.blocks(c) if c is not None else [])
            rows.append(cells)
        w = CONTENT[2] / 2
        t = Table(rows, colWidths=[w, w], repeatRows=1 if el.get("header") == "1" else 0)
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEAFTER", (0, 0), (0, -1), 0.3, RULE),
                               ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6)]))
        return t

    def files(self, number: str) -> list[Flowable]:
        ex = next(e for e in self.dossier.exhibits if e.number == number)
        from casefile.typeset.exhibit_pages import file_flowables
        return file_flowables(ex, self)


class Para(Paragraph):
    """A Paragraph that remembers its line breaking for the last width it was wrapped at.
    reportlab wraps the same paragraph several times at one width (a table measures its cells,
    then draws them; a remainder table after a page break measures its rows again; a kept-
    together group measures, then places), and line breaking is the dominant cost of a
    dossier. The result of `wrap` depends only on the width (the style and text never change),
    so the second and later calls are free."""

    _wrapped_at = None

    def wrap(self, availWidth, availHeight):
        if availWidth == self._wrapped_at and "blPara" in self.__dict__:  # split() may drop blPara
            return self.width, self.height
        w, h = super().wrap(availWidth, availHeight)
        if availWidth >= 1:
            self._wrapped_at = availWidth
        return w, h

    def breakLines(self, width):
        """reportlab's line breaking for its simplest case (one plain fragment: no hyphenation,
        soft hyphens, bidi, shaping or words longer than a line), done the same way with word
        widths remembered per font and size; any other case is reportlab's own. The lines are
        the same (tests/test_dossier.py compares both ways)."""
        style, frags = self.style, self.frags
        maxWidths = width if isinstance(width, (tuple, list)) else [width]
        f = frags[0] if len(frags) == 1 else None
        if (f is None or not hasattr(f, "text") or style.wordWrap or style.endDots
                or hasattr(f, "cbDefn") or hasattr(f, "backColor") or _processed_frags(frags)
                or (style.shaping and getFont(style.fontName).shapable)
                or getattr(style, "hyphenationLang", "") or style.uriWasteReduce or style.embeddedHyphenation
                or _SHY in f.text):
            return super().breakLines(width)
        font_name, font_size = f.fontName, f.fontSize
        widths = _WORD_WIDTHS.get((font_name, font_size))
        if widths is None:
            if len(_WORD_WIDTHS) > 64:
                _WORD_WIDTHS.clear()
            widths = _WORD_WIDTHS[(font_name, font_size)] = {}
        elif len(widths) > 200_000:
            widths.clear()
        text = _rl_strip(f.text)
        words = _rl_split(text) if text else []
        measured = []
        for word in words:
            w = widths.get(word)
            if w is None:
                w = widths[word] = stringWidth(word, font_name, font_size, self.encoding)
            measured.append(w)
        saved = list(maxWidths)
        _handleBulletWidth(self.bulletText, style, maxWidths)
        if measured and max(measured) > min(maxWidths):  # a word to split: reportlab's way
            maxWidths[:] = saved
            return super().breakLines(width)
        self._width_max = 0
        self.height = 0
        self._splitLongWordCount = self._hyphenations = 0
        ascent, descent = getAscentDescent(font_name, font_size)
        if not text:
            return f.clone(kind=0, lines=[], ascent=ascent, descent=descent, fontSize=font_size)
        space = widths.get(" ")
        if space is None:
            space = widths[" "] = stringWidth(" ", font_name, font_size, self.encoding)
        shrink = style.spaceShrinkage * space
        last = len(maxWidths) - 1
        lineno, max_width, width_max = 0, maxWidths[0], 0
        lines, line, current = [], [], -space
        for word, w in zip(words, measured):
            new = current + space + w
            if new <= max_width + shrink * len(line) or not line:
                line.append(word)
                current = new
            else:
                if current > width_max:
                    width_max = current
                lines.append((max_width - current, line))
                line, current = [word], w
                lineno += 1
                max_width = maxWidths[min(last, lineno)]
        if line:
            if current > width_max:
                width_max = current
            lines.append((max_width - current, line))
        self._width_max = width_max
        return f.clone(kind=0, lines=lines, ascent=ascent, descent=descent, fontSize=font_size)


def _runs(cells: list) -> list:
    """(column, first row, last row) for runs of consecutive rows among (column, row) cells: one
    table style command per run instead of one per cell."""
    out: list = []
    for col, row in sorted(cells):
        if out and out[-1][0] == col and out[-1][2] == row - 1:
            out[-1][2] = row
        else:
            out.append([col, row, row])
    return [tuple(r) for r in out]


class RowSplitTable(Table):
    """A table whose rows move whole to the next page, as usual, except a row taller than a
    whole page (a person named in hundreds of exhibits has an index row longer than a page):
    that one is split inside, each part keeping at least two lines, instead of stopping the
    build. `links` gives each row the key it links to (or None): the whole row is the link."""

    def __init__(self, *args, links=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.links = list(links) if links else []

    def split(self, availWidth, availHeight):
        self._calc(availWidth, availHeight)
        heights, head = self._rowHeights, self.repeatRows if isinstance(self.repeatRows, int) else 0
        first = heights[head] if len(heights) > head else 0
        self.splitInRow = 24 if sum(heights[:head]) + first > CONTENT[3] else 0
        parts = super().split(availWidth, availHeight)
        if len(parts) == 2 and self.links:
            # the first part has the first rows; the second the repeated header, then the last
            # rows (a row split inside is in both)
            first, rest = parts
            first.links = self.links[:len(first._cellvalues)]
            tail = len(rest._cellvalues) - head
            rest.links = self.links[:head] + self.links[len(self.links) - tail:]
        return parts

    def draw(self):
        super().draw()
        for i, key in enumerate(self.links[:len(self._rowpositions) - 1]):
            if key:
                top, bottom = self._rowpositions[i], self._rowpositions[i + 1]
                link(self.canv, key, (0, bottom, self._width, top))


class Quoted(Flowable):
    """A block quote with a rule on its left."""

    def __init__(self, inner: Paragraph):
        super().__init__()
        self.inner = inner

    def wrap(self, aw, ah):
        self.width = aw
        _, self.height = self.inner.wrap(aw, ah)
        return aw, self.height

    def split(self, aw, ah):
        parts = self.inner.split(aw, ah)
        return [Quoted(p) for p in parts]

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def draw(self):
        self.inner.drawOn(self.canv, 0, 0)
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(2)
        self.canv.line(4, 0, 4, self.height)


class PageBreakIfNotTop(Flowable):
    """A page break, unless the frame is still empty (no blank pages between sections)."""


class PadTo(Flowable):
    """Pads a section with blank pages so that it fills `pages` pages (editions keep the same pages)."""

    def __init__(self, key, pages, state):
        super().__init__()
        self.key, self.pages, self.state = key, pages, state


# ------------------------------------------------------------------ templates


def template_env(root: Path | None) -> Environment:
    loaders = []
    if root is not None and (Path(root) / "templates").is_dir():
        loaders.append(FileSystemLoader(str(Path(root) / "templates")))
    loaders.append(PackageLoader("casefile", "templates"))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True, default_for_string=True),
                      auto_reload=False,  # a build reads each template once (no stat per exhibit)
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["date"] = lambda v: display_date(v) if v else ""
    env.filters["typelabel"] = lambda t: TYPE_LABELS.get(t, t)
    env.filters["size"] = _human_size
    env.filters["language"] = lambda code: f"{LANGUAGES[code]}, {code}" if code in LANGUAGES else code
    env.globals["version"] = __version__
    return env


LANGUAGES = {"fa": "Persian", "ar": "Arabic", "en": "English", "ku": "Kurdish", "az": "Azerbaijani",
             "fr": "French", "de": "German", "sv": "Swedish", "tr": "Turkish", "ur": "Urdu", "he": "Hebrew"}


def _human_size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def render_markup(env: Environment, name: str, **ctx) -> ET.Element:
    text = env.get_template(name).render(**ctx)
    try:
        return ET.fromstring(f"<doc>{text}</doc>")
    except ET.ParseError as e:
        raise fail(f"templates/{name}", "markup", f"template produced invalid markup: {e}", line=e.position[0])


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    anchors: dict  # key -> page
    outline: list  # (level, title, key)
    reserved: list  # (page, pdf path, page index) of exhibit PDF pages


def render(dossier: Dossier, env: Environment, context: dict, attach_media: bool = False) -> Rendered:
    """Typeset one dossier, finished: exhibit pages in place, manifest attached (with
    `attach_media` the media files too), content hash sealed. `context` carries what the
    templates need beyond the dossier (chronology rows, matrix, names index, file list)."""
    state = RenderState()
    styles = _styles()
    mk = Markup(state, styles, dossier)
    buf = io.BytesIO()
    doc = DossierDoc(buf, dossier, state, title=dossier.title,
                     author=dossier.case["prepared_by"],
                     subject=f"{dossier.case['forum']} — {dossier.edition} edition",
                     keywords=", ".join(["casefile", dossier.case["id"], dossier.accused["id"], dossier.edition]),
                     creator=f"casefile {__version__}", producer=f"casefile {__version__} (reportlab)")
    ctx = dict(context, d=dossier, case=dossier.case, accused=dossier.accused, exhibits=dossier.exhibits,
               TOTAL=TOTAL)
    flows: list[Flowable] = []
    for section in BEFORE_EXHIBITS:
        flows += mk.blocks(render_markup(env, section.template, **ctx))
    for i, ex in enumerate(dossier.exhibits):
        flows += mk.blocks(render_markup(env, EXHIBIT_TEMPLATE, ex=ex, first=i == 0, **ctx))
    for section in AFTER_EXHIBITS:
        flows.append(Deferred(lambda name=section.template: mk.blocks(
            render_markup(env, name, pages=state.pages, page_of=lambda k: state.pages.get(k, "—"), **ctx))))
    from casefile.pdf.limits import pdf_limits
    with pdf_limits():  # exhibit PDFs are read while typesetting
        doc.build(flows)
    total = doc.canv.getPageNumber() - 1
    _define_forms(doc.canv, state, total, dossier)
    from casefile.typeset.exhibit_pages import add_manifest
    seal = add_manifest(doc.canv, dossier, state.pages, total, attach_media)
    doc.canv.save()
    return Rendered(seal(buf.getvalue()), total, dict(state.pages), list(state.outline), list(state.reserved))
