"""A Brief (dossier/submission.py) typeset: cover, contents, the text with its footnotes (or
endnotes), the table of cited evidence, the summary for UN special procedures, the list of
annexes. reportlab only.

Footnotes are set on the page of their marker. Each paragraph that holds markers reports the
height of its notes as part of its own (so the frame keeps room for them) and is drawn that much
higher, and so is everything after it on the page: the room collects at the foot of the page,
where the notes are drawn when the page ends. A paragraph split across pages takes the notes of
the lines on each page with it.

A reference to evidence is a link to `cfcite:<key>`, a placeholder: pdf/annexes.py turns it into
a link to the cited page (of an annex in the combined PDF, or of the dossier file beside it).
The brief is typeset twice: the second time with the page numbers of the first (contents,
"Page X of Y", where each note is).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from casefile import __version__
from casefile.case.body import strip_marks
from casefile.case.dates import display_date
from casefile.dossier.submission import Brief, Piece, annex_title, reference_text, where_text
from casefile.errors import Problem
from casefile.pdf.annexes import CITE_SCHEME, AnnexPage
from casefile.typeset import fastpath, rtl
from casefile.typeset.document import HeldCanvas
from casefile.typeset.flowables import LeaderLine, outline_title
from casefile.typeset.styles import (
    BANNER,
    FILE_BAND_TOP,
    GREY,
    INK,
    RULE,
    SHADE,
    PageGeometry,
    page_geometry,
    paragraph_styles,
)
from casefile.typeset.styles import LINK as LINK_COLOUR

LINK = "#" + LINK_COLOUR.hexval()[2:]  # in paragraph markup

OPEN_AT = "@open"  # where the document opens: page 1, 100 %
NUMBER_INDENT = 11 * mm  # numbered paragraphs: the number at the margin, the text indented


def _styles() -> dict[str, ParagraphStyle]:
    rtl.register_fonts()
    R, B = rtl.FONT_REGULAR, rtl.FONT_BOLD
    base = ParagraphStyle("body", fontName=R, fontSize=10.5, leading=15, textColor=INK, spaceAfter=7,
                          allowWidows=0, bulletFontName=R)  # paragraph numbers too: no Helvetica
    return {
        "body": base,
        "numbered": ParagraphStyle("numbered", parent=base, leftIndent=NUMBER_INDENT, bulletIndent=0),
        "quote": ParagraphStyle("quote", parent=base, fontSize=10, leading=14, leftIndent=NUMBER_INDENT + 8 * mm,
                                rightIndent=8 * mm, spaceBefore=1, spaceAfter=8),
        "li": ParagraphStyle("li", parent=base, leftIndent=NUMBER_INDENT + 6 * mm, bulletIndent=NUMBER_INDENT),
        "h1": ParagraphStyle("h1", parent=base, fontName=B, fontSize=13.5, leading=18, spaceBefore=10, spaceAfter=7,
                             keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=base, fontName=B, fontSize=11.5, leading=15.5, spaceBefore=7, spaceAfter=5,
                             keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=base, fontName=B, fontSize=10.5, leading=14.5, spaceBefore=5, spaceAfter=4,
                             keepWithNext=1),
        "section": ParagraphStyle("section", parent=base, fontName=B, fontSize=16, leading=21, spaceAfter=10),
        "note": ParagraphStyle("note", parent=base, fontSize=8.3, leading=10.6, leftIndent=5.5 * mm,
                               firstLineIndent=-5.5 * mm, spaceAfter=1.6),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        "cellhead": ParagraphStyle("cellhead", parent=base, fontName=B, fontSize=8.5, leading=11, spaceAfter=0),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, textColor=GREY),
        "toc": paragraph_styles()["entry"],  # the dossiers' contents line
        "cover-kicker": ParagraphStyle("cover-kicker", parent=base, fontName=B, fontSize=9, leading=12,
                                       alignment=TA_CENTER, textColor=GREY, spaceAfter=4),
        "cover-to": ParagraphStyle("cover-to", parent=base, fontSize=13, leading=18, alignment=TA_CENTER,
                                   spaceAfter=4),
        "cover-forum": ParagraphStyle("cover-forum", parent=base, fontSize=10, leading=14, alignment=TA_CENTER,
                                      textColor=GREY),
        "title": ParagraphStyle("title", parent=base, fontName=B, fontSize=21, leading=27, alignment=TA_CENTER,
                                spaceAfter=10),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12.5, leading=17, alignment=TA_CENTER,
                                   textColor=GREY, spaceAfter=6),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT, spaceAfter=2),
    }


def text(s: str) -> str:
    """User text as Paragraph markup: right-to-left runs set in visual order, then escaped (a
    confidential dossier's marks of what the public edition replaces are not shown here)."""
    return escape(rtl.ltr_visual(strip_marks(s or "")), {'"': "&quot;", "'": "&#39;"})


def _attr(s: str) -> str:
    return escape(strip_marks(s), {'"': "&quot;"})


# ------------------------------------------------------------------ state and the footnote area


@dataclass
class BriefState:
    page: PageGeometry = field(default_factory=page_geometry)  # the case's page_size
    known: dict = field(default_factory=dict)  # anchor -> page, from the previous pass
    pages: dict = field(default_factory=dict)  # anchor -> page, this pass
    total: int = 0  # pages of the previous pass
    outline: list = field(default_factory=list)
    footnotes: bool = True
    notes: dict = field(default_factory=dict)  # note number -> Paragraph of the note
    page_notes: list = field(default_factory=list)  # notes drawn at the foot of the current page
    offset: float = 0.0  # how much higher the rest of the page is drawn (the notes' room so far)
    heights: dict = field(default_factory=dict)  # note number -> height of the note (with its space)
    head: str = ""  # the running head in force
    page_head: str | None = None  # the first one set on the current page

    def page_of(self, key: str) -> str:
        return str(self.known.get(key, "")) or "…"

    def notes_height(self, numbers: list[int], width: float) -> float:
        if not self.footnotes or not numbers:
            return 0.0
        h = 0.0
        for n in numbers:
            if n not in self.heights:  # notes are set at the full width: measured once
                self.heights[n] = self.notes[n].wrap(width, self.page.height)[1] + self.notes[n].style.spaceAfter
            h += self.heights[n]
        return h + (0 if self.page_notes else SEPARATOR)


SEPARATOR = 9.0  # the rule above a page's notes, and its space


def _notes_in(para: Paragraph) -> list[list[int]]:
    """The note numbers whose markers are on each line of a wrapped paragraph (markers link to
    "#fn-N")."""
    out = []
    for line in para.blPara.lines:
        found = []
        for frag in getattr(line, "words", ()) if not isinstance(line, tuple) else ():
            for link in getattr(frag, "link", None) or ():
                href = link[1] if isinstance(link, tuple) else link
                if isinstance(href, str) and href.startswith("#fn-"):
                    n = int(href[4:])
                    if n not in found:
                        found.append(n)
        out.append(found)
    return out


class NotedPara(Flowable):
    """A paragraph of the text, with the notes its markers call for (see the module's docstring)."""

    def __init__(self, inner: Paragraph, state: BriefState, number_of: str = "", rule: bool = False):
        super().__init__()
        self.inner, self.state, self.rule = inner, state, rule
        self.keepWithNext = getattr(inner.style, "keepWithNext", 0)
        self.notes: list[int] = []
        self.lines: list[list[int]] = []
        self.n_h = 0.0

    def wrap(self, aw, ah):
        w, h = self.inner.wrap(aw, ah)
        self.lines = _notes_in(self.inner)
        self.notes = [n for line in self.lines for n in line]
        self.n_h = self.state.notes_height(self.notes, self.state.page.content_width)
        self.width, self.height = w, h + self.n_h
        return w, self.height

    def split(self, aw, ah):
        self.wrap(aw, ah)
        if not self.state.footnotes or not self.notes:
            parts = self.inner.split(aw, ah)
            return [NotedPara(p, self.state, rule=self.rule) for p in parts]
        leading = self.inner.style.leading
        n_lines = len(self.lines)
        fit = 0
        for k in range(min(n_lines, int(ah // leading)), 0, -1):
            need = k * leading + self.state.notes_height([n for ln in self.lines[:k] for n in ln],
                                                         self.state.page.content_width)
            if need <= ah:
                fit = k
                break
        if fit >= n_lines:
            return []
        if n_lines - fit < 2:  # no last line alone at the top of the next page
            fit = n_lines - 2
        if fit < 2:  # nor a first line alone at the foot of this one
            return []
        parts = self.inner.split(aw, fit * leading + 0.5)
        return [NotedPara(p, self.state, rule=self.rule) for p in parts]

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def drawOn(self, canvas, x, y, _sW=0):
        st = self.state
        top = y + self.n_h + st.offset
        self.inner.drawOn(canvas, x, top, _sW)
        if self.rule:
            canvas.saveState()
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(2)
            left = x + self.inner.style.leftIndent - 4 * mm
            canvas.line(left, top, left, top + self.inner.height)
            canvas.restoreState()
        if st.footnotes:
            st.page_notes += self.notes
            st.offset += self.n_h


class Anchor(Flowable):
    """A named place: its page, a bookmark, and (with a title) an outline entry and running head."""

    def __init__(self, key: str, title: str | None, level: int, state: BriefState, head: bool = True):
        super().__init__()
        self.key, self.title, self.level, self.state, self.head = key, title, level, state, head
        self.width = self.height = 0
        self.keepWithNext = 1  # a place is where what follows it starts: a heading is not left at a page's foot

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        c = self.canv
        self.state.pages[self.key] = c.getPageNumber()
        c.bookmarkPage(self.key)
        if self.title:
            last = self.state.outline[-1][0] if self.state.outline else -1
            level = min(self.level, last + 1)  # an outline goes down one level at a time
            c.addOutlineEntry(outline_title(self.title, c.getPageNumber()), self.key, level, closed=False)
            self.state.outline.append((level, self.title, self.key))
            if self.head and self.level == 0:
                self.state.head = self.title
                if self.state.page_head is None:
                    self.state.page_head = self.title


class BriefDoc(BaseDocTemplate):
    def __init__(self, stream, brief: Brief, state: BriefState, styles: dict, **kw):
        g = state.page
        super().__init__(stream, pagesize=g.size, leftMargin=g.margin_l, rightMargin=g.margin_r,
                         topMargin=g.margin_t, bottomMargin=g.margin_b, invariant=1, **kw)
        self.brief, self.state, self.s = brief, state, styles
        frame = Frame(*g.frame, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", frames=[frame], onPage=self._begin, onPageEnd=self._end)])

    def _begin(self, c, doc):
        self.state.page_notes = []
        self.state.offset = 0.0
        self.state.page_head = None

    def _end(self, c, doc):
        st, b = self.state, self.brief
        g = st.page
        if c.getPageNumber() == 1:  # where the document opens: the first page at 100 %
            c.bookmarkPage(OPEN_AT, fit="XYZ", left=0, top=g.height, zoom=1)
        if st.page_notes:
            heights = [st.notes[n].wrap(g.content_width, g.height)[1] for n in st.page_notes]
            total = sum(heights) + sum(st.notes[n].style.spaceAfter for n in st.page_notes)
            y = g.margin_b + total
            c.saveState()
            c.setStrokeColor(RULE)
            c.setLineWidth(0.5)
            c.line(g.margin_l, y + SEPARATOR - 3, g.margin_l + 45 * mm, y + SEPARATOR - 3)
            c.restoreState()
            for n, h in zip(st.page_notes, heights):
                c.bookmarkHorizontal(f"fn-{n}", g.margin_l, y + 2)
                st.pages[f"fn-{n}"] = c.getPageNumber()
                st.notes[n].drawOn(c, g.margin_l, y - h)
                y -= h + st.notes[n].style.spaceAfter
        page = c.getPageNumber()
        c.saveState()
        label, colour = BANNER[b.edition]
        if b.edition == "public" and not b.removed:
            label = "PUBLIC"
        c.setFillColor(colour)
        c.setFont(rtl.FONT_BOLD, 8.5)
        c.drawCentredString(g.width / 2, g.height - 11 * mm, label)
        c.setFillColor(GREY)
        c.setFont(rtl.FONT_REGULAR, 7.5)
        c.drawString(g.margin_l, g.height - 16 * mm, _fit(rtl.ltr_visual(b.title), 7.5, 100 * mm))
        head = st.page_head or st.head
        if head and page > 1:
            c.drawRightString(g.width - g.margin_r, g.height - 16 * mm, _fit(rtl.ltr_visual(head), 7.5, 60 * mm))
        c.setStrokeColor(RULE)
        c.setLineWidth(0.4)
        c.line(g.margin_l, g.height - 18 * mm, g.width - g.margin_r, g.height - 18 * mm)
        c.line(g.margin_l, 17 * mm, g.width - g.margin_r, 17 * mm)
        c.setFillColor(INK)
        c.drawString(g.margin_l, 12 * mm, _fit(rtl.ltr_visual(f"{b.case['id']} · submission {b.name}"), 7.5, 70 * mm))
        c.drawCentredString(g.width / 2, 12 * mm, f"Page {page} of {st.total or '…'}")
        c.drawRightString(g.width - g.margin_r, 12 * mm, f"{b.edition} edition")
        c.restoreState()


def _fit(s: str, size: float, width: float) -> str:
    if stringWidth(s, rtl.FONT_REGULAR, size) <= width:
        return s
    while s and stringWidth(s + "…", rtl.FONT_REGULAR, size) > width:
        s = s[:-1]
    return s.rstrip() + "…"


# ------------------------------------------------------------------ inline markup


def _style_markup(s: str, style: str) -> str:
    if "b" in style:
        s = f"<font name='{rtl.FONT_BOLD}'>{s}</font>"
    if "i" in style:
        s = f"<i>{s}</i>"
    if style == "mark":
        s = f"<span backColor='#fff3b0'>{s}</span>"
    return s


def reference_markup(p: Piece, brief: Brief) -> str:
    r = p.ref
    body = text(reference_text(r))
    where = where_text(r, brief.annexes)
    if where:
        body += f" ({text(where)})"
    if r.withheld or r.annex is None:
        return body
    return f'<a href="{CITE_SCHEME}{_attr(r.key)}" color="{LINK}">{body}</a>'


def markup(pieces: list[Piece], brief: Brief, state: BriefState) -> str:
    out = []
    prev_marker = False
    for p in pieces:
        if p.kind == "text":
            out.append(_style_markup(text(p.text), p.style))
        elif p.kind == "marker":
            if prev_marker:
                out.append("<super>,</super>")
            out.append(f'<a name="fnref-{p.text}"/><super><a href="#{p.key}" color="{LINK}">{p.text}</a></super>')
        elif p.kind == "ref":
            out.append(reference_markup(p, brief))
        elif p.kind == "xref":
            out.append(f'<a href="#{_attr(p.key)}" color="{LINK}">{text(p.text)}</a>' if p.key else text(p.text))
        elif p.kind == "link":
            out.append(f'<a href="{_attr(p.key)}" color="{LINK}">{text(p.text)}</a>')
        prev_marker = p.kind == "marker"
    return "".join(out)


# ------------------------------------------------------------------ sections


def _section(key: str, title: str, state: BriefState, s: dict, new_page: bool = True) -> list[Flowable]:
    return ([PageBreak()] if new_page else []) + [Anchor(key, title, 0, state),
                                                   Paragraph(text(title), s["section"])]


def _cover(b: Brief, s: dict, state: BriefState) -> list[Flowable]:
    f = b.front
    out: list[Flowable] = [Anchor("cover", "Cover", 0, state, head=False), Spacer(1, 18 * mm),
                           Paragraph("SUBMISSION TO", s["cover-kicker"]),
                           Paragraph(text(f["addressee"]), s["cover-to"])]
    if f["forum"]:
        out.append(Paragraph(text(f["forum"]), s["cover-forum"]))
    out += [Spacer(1, 16 * mm), Paragraph(text(f["title"]), s["title"])]
    if f["subtitle"]:
        out.append(Paragraph(text(f["subtitle"]), s["subtitle"]))
    out += [Spacer(1, 12 * mm),
            Paragraph("Submitted by " + text("; ".join(f["authors"])), s["center"]),
            Paragraph(text(display_date(f["date"])), s["center"]),
            Spacer(1, 14 * mm),
            Paragraph(f"Concerning: {text(b.case['title'])}", s["center"])]
    annexes = "; ".join(f"{a.letter}. Dossier concerning {a.accused['name']}" for a in b.annexes)
    out.append(Paragraph(f"Annexes: {text(annexes)}", s["center"]))
    cited = len({r.number for r in b.references})
    out += [Spacer(1, 10 * mm),
            Paragraph(f"{len(b.notes)} notes citing {cited} exhibit{'s' if cited != 1 else ''} · "
                      f"{text(b.edition)} edition", ParagraphStyle("c", parent=s["small"], alignment=TA_CENTER))]
    if b.edition == "public":
        what = (f"Public edition, redacted (in this text or its annexes): {'; '.join(b.removed)}." if b.removed else
                "Public edition: nothing was removed (no cited exhibit or annex is confidential, names a protected "
                "witness or has a passage marked for redaction, nor does the text).")
        out.append(Paragraph(text(what), ParagraphStyle("c", parent=s["small"], alignment=TA_CENTER)))
    out += [
            Spacer(1, 30 * mm),
            Paragraph("Every reference to evidence is a link to the cited page of the annexed dossier "
                      "(exhibit number, short title and pinpoint, then the annex and its page). "
                      f"Made by casefile {text(__version__)} from the case files; input fingerprint "
                      f"{text(b.fingerprint[:16] or '—')}.", s["small"])]
    return out


class BriefEntry(LeaderLine):
    """A line of the brief's contents: as a dossier's (dot leaders, the whole line a link), its
    number written now (the brief is typeset twice and knows its pages by the second time), its
    link to a place of the brief ("#key") or to an annex (a placeholder pdf/annexes.py points)."""

    def __init__(self, para: Paragraph, level: int, number: str, href: str, number_width: float):
        super().__init__(para, level)
        self.number, self.href, self.number_width = number, href, number_width

    def draw_number(self, c, right, baseline):
        c.setFillColor(INK)
        c.setFont(self.para.style.fontName, self.para.style.fontSize)
        c.drawRightString(right, baseline, self.number)

    def draw_link(self, c, rect):
        if self.href.startswith("#"):
            fastpath.link(c, self.href[1:], rect)
        else:
            c.linkURL(self.href, rect, relative=1, thickness=0)


def _contents(b: Brief, s: dict, state: BriefState, toc: list[tuple[int, str, str]],
              combined: bool) -> list[Flowable]:
    """Each section and heading with its page, then each annex: its first page, A-1 (the combined
    PDF labels an annex's pages A-1, A-2 …), or the dossier file (the text alone)."""
    out = _section("contents", "Contents", state, s)
    lines = [(level, text(title), state.page_of(key), f"#{key}") for level, title, key in toc]
    lines += [(0, text(annex_title(a)), f"{a.letter}-1" if combined else a.file_name,
               f"{CITE_SCHEME}annex:{a.letter}") for a in b.annexes]
    style = s["toc"]
    width = max(34.0, *(stringWidth(number, style.fontName, style.fontSize) + 10 for _, _, number, _ in lines))
    return out + [BriefEntry(Paragraph(title, style), level, number, href, width)
                  for level, title, number, href in lines]


def _body(b: Brief, s: dict, state: BriefState) -> list[Flowable]:
    out: list[Flowable] = [PageBreak()]
    numbered = b.front["numbered_paragraphs"]
    for p in b.paras:
        mk = markup(p.pieces, b, state)
        if p.kind == "h":
            title = (f"{p.number}. " if p.number else "") + "".join(x.text for x in p.pieces if x.kind == "text")
            style = s[f"h{p.level}"]
            label = f"{p.number}.&nbsp;&nbsp;" if p.number else ""
            out.append(Anchor(p.key, title, p.level - 1, state))
            out.append(NotedPara(Paragraph(label + mk, style), state))
            continue
        if p.kind == "quote":
            para = Paragraph(mk, s["quote"])
            out.append(NotedPara(para, state, rule=True))
        elif p.kind == "li":
            out.append(NotedPara(Paragraph(mk, s["li"], bulletText=p.marker), state))
        else:
            if p.number:
                out.append(Anchor(p.key, None, 1, state))
                out.append(NotedPara(Paragraph(mk, s["numbered"], bulletText=f"{p.number}."), state))
            else:
                out.append(NotedPara(Paragraph(mk, s["numbered"] if numbered else s["body"]), state))
    return out


def _note_paragraph(n, b: Brief, s: dict, state: BriefState, anchor: bool) -> Paragraph:
    name = f'<a name="fn-{n.number}"/>' if anchor else ""
    number = f'{name}<a href="#fnref-{n.number}" color="{LINK}">{n.number}</a>'
    return Paragraph(f"{number}&nbsp;&nbsp;{markup(n.pieces, b, state)}", s["note"])


def _cited(row, state: BriefState) -> str:
    parts = []
    for note, para in row.cited:
        where = f"n. {note}" + (f" (para. {para})" if para else "")
        page = state.known.get(f"fn-{note}")
        if page:
            where += f", p. {page}"
        parts.append(f'<a href="#fn-{note}" color="{LINK}">{text(where)}</a>')
    return "; ".join(parts)


def _table(rows: list[list], widths: list[float], s: dict, state: BriefState) -> Table:
    """A table whose column widths are `widths` as shares of the text's width."""
    width = state.page.content_width
    t = Table(rows, colWidths=[width * w / sum(widths) for w in widths], repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), rtl.FONT_REGULAR),  # the cells' font: no Helvetica
                           ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                           ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                           ("LEFTPADDING", (0, 0), (-1, -1), 3.5), ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
                           ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return t


def _exhibit_link(number: str, ref_key: str, withheld: bool, s) -> Paragraph:
    if withheld:
        return Paragraph(text(number), s)
    return Paragraph(f'<a href="{CITE_SCHEME}exhibit:{_attr(number)}" color="{LINK}">{text(number)}</a>', s)


def _evidence(b: Brief, s: dict, state: BriefState) -> list[Flowable]:
    out = _section("evidence", "Table of cited evidence", state, s)
    out.append(Paragraph("Every exhibit the submission cites, in the order of its number: its type, date and "
                         "short title, and each note that cites it (with the paragraph and page of the note). "
                         "The exhibit number links to the exhibit in its annex.", s["small"]))
    c, h = s["cell"], s["cellhead"]
    rows = [[Paragraph(x, h) for x in ("Exhibit", "Type", "Date", "Short title", "Cited in")]]
    for r in b.evidence:
        rows.append([_exhibit_link(r.number, r.ref.key, r.withheld, c), Paragraph(text(r.type), c),
                     Paragraph(text(r.date), c), Paragraph(text(r.short_title), c), Paragraph(_cited(r, state), c)])
    return out + [_table(rows, [15, 13, 16, 30, 26], s, state)]


def _summary(b: Brief, s: dict, state: BriefState) -> list[Flowable]:
    out = _section("summary", "Summary for the special procedures", state, s)
    out.append(Paragraph("Built from the cited items, one row each: the alleged victims as the item names them "
                         "(protected witnesses under their pseudonyms in the public edition), the alleged "
                         "perpetrators (the annexed accused the item concerns), the date and the places the item "
                         "records (every place its passage names), and its source.", s["small"]))
    c, h = s["cell"], s["cellhead"]
    rows = [[Paragraph(x, h) for x in ("Exhibit", "Alleged victims", "Alleged perpetrators", "Date",
                                       "Places named", "Source")]]
    for r in b.summary or []:
        rows.append([_exhibit_link(r.number, r.ref.key, r.ref.withheld, c)] +
                    [Paragraph(text(x), c) for x in (r.victims, r.perpetrators, r.dates, r.places, r.source)])
    return out + [_table(rows, [12, 20, 15, 12, 16, 25], s, state)]


def _annex_list(b: Brief, s: dict, state: BriefState, combined: bool) -> list[Flowable]:
    out = _section("annexes", "List of annexes", state, s)
    if combined:  # what a reader sees, told with the first annex's second page
        a = b.annexes[0]
        k = min(2, a.pages or 2)
        file_pages = (state.total + sum(x.pages for x in b.annexes)) if state.total else "…"
        place = state.total + a.offset + k if state.total else "…"
        where = (f"The annexes follow this text in the same PDF file. Each keeps the page numbers of its dossier "
                 f"as built (“Page {k} of {a.pages or '…'}”), which its own contents, indexes and bookmarks cite, "
                 f"and a citation here gives the annex and that page (“Annex {a.letter}, p. {k}”). This file "
                 f"labels those pages {a.letter}-1, {a.letter}-2 … (the page box of a PDF reader shows the label), "
                 f"and each is stamped at its top right with its label and its place in the file (“Annex "
                 f"{a.letter} · page {a.letter}-{k} · PDF page {place} of {file_pages}”). The text's own pages are "
                 f"1 to {state.total or '…'}.")
    else:
        where = ("Each annex is the dossier file named here, in the folder above this file's; the links open it "
                 "at the cited page.")
    out.append(Paragraph(text(where), s["small"]))
    c, h = s["cell"], s["cellhead"]
    rows = [[Paragraph(x, h) for x in ("Annex", "Dossier", "Edition", "Pages", "File" if not combined
                                       else "Its pages in this file")]]
    for a in b.annexes:
        if combined and state.total and a.pages:
            place = (f"{a.letter}-1 to {a.letter}-{a.pages} (PDF pages {state.total + a.offset + 1}–"
                     f"{state.total + a.offset + a.pages})")
        else:
            place = f"{a.letter}-1 …" if combined else a.file_name
        rows.append([Paragraph(text(a.letter), c), Paragraph(text(f"Dossier concerning {a.accused['name']}"), c),
                     Paragraph(text(b.edition), c), Paragraph(str(a.pages or "…"), c), Paragraph(text(place), c)])
    return out + [_table(rows, [9, 38, 13, 8, 32], s, state)]


# ------------------------------------------------------------------ the whole brief


@dataclass
class RenderedBrief:
    pdf: bytes
    pages: int
    anchors: dict
    outline: list


def render_brief(b: Brief, combined: bool) -> RenderedBrief:
    """Typeset the brief (twice: the second pass knows the pages of the first)."""
    known: dict = {}
    total = 0
    for _ in range(3):
        r = _render_once(b, known, total, combined)
        if r.pages == total and r.anchors == known:
            break
        known, total = r.anchors, r.pages
    return r


def _render_once(b: Brief, known: dict, total: int, combined: bool) -> RenderedBrief:
    s = _styles()
    state = BriefState(page=page_geometry(b.case.get("page_size")), known=dict(known), total=total,
                       footnotes=b.front["notes"] == "footnotes")
    for n in b.notes:
        state.notes[n.number] = _note_paragraph(n, b, s, state, anchor=False)
    toc: list[tuple[int, str, str]] = []
    for key, title in (("cover", "Cover"), ("contents", "Contents")):
        toc.append((0, title, key))
    if b.summary is not None:
        toc.append((0, "Summary for the special procedures", "summary"))
    for p in b.paras:
        if p.kind == "h":
            title = (f"{p.number}. " if p.number else "") + "".join(x.text for x in p.pieces if x.kind == "text")
            toc.append((p.level - 1, title, p.key))
    if not state.footnotes and b.notes:
        toc.append((0, "Notes", "notes"))
    toc += [(0, "Table of cited evidence", "evidence"), (0, "List of annexes", "annexes")]

    flows: list[Flowable] = _cover(b, s, state) + _contents(b, s, state, toc, combined)
    if b.summary is not None:
        flows += _summary(b, s, state)
    flows += _body(b, s, state)
    if not state.footnotes and b.notes:
        flows += _section("notes", "Notes", state, s)
        for n in b.notes:
            flows.append(_note_paragraph(n, b, s, state, anchor=True))
    flows += _evidence(b, s, state) + _annex_list(b, s, state, combined)
    buf = io.BytesIO()
    doc = BriefDoc(buf, b, state, s, title=b.title, author="; ".join(b.front["authors"]),
                   subject=f"Submission to {b.front['addressee']} — {b.edition} edition",
                   keywords=", ".join(["casefile", "submission", b.case["id"], b.name, b.edition]),
                   creator=f"casefile {__version__}", producer=f"casefile {__version__} (reportlab)",
                   initialFontName=rtl.FONT_REGULAR)  # every font embedded: no Helvetica
    doc.build(flows, canvasmaker=HeldCanvas)
    pages = doc.canv.getPageNumber() - 1
    doc.canv.showOutline()  # the bookmarks panel open
    fastpath.open_at(doc.canv, OPEN_AT)
    doc.canv.finish()
    return RenderedBrief(buf.getvalue(), pages, dict(state.pages), list(state.outline))


STAMP_SIZE = 7.0  # the annex stamp: as the exhibit file pages' banner, in the band above them


def annex_stamps(pages: list[AnnexPage]) -> bytes:
    """The stamps of the annex pages of a combined PDF (pdf/annexes.py draws each page over its
    annex page): "Annex A · page A-12 · PDF page 22 of 67" at the top right, in the band an
    exhibit file's page keeps free above it (its banner's line), where a dossier's own page has
    nothing either (its banner is lower)."""
    rtl.register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1, initialFontName=rtl.FONT_REGULAR)  # every font embedded: no Helvetica
    for p in pages:
        c.setPageSize((p.width, p.height))
        bold = f"Annex {p.letter} · page {p.label}"
        rest = f" · PDF page {p.file_page} of {p.file_pages}"
        right = p.width - min(14.0, p.width * 0.025)
        y = p.height - FILE_BAND_TOP + 4.5
        x = right - stringWidth(bold, rtl.FONT_BOLD, STAMP_SIZE) - stringWidth(rest, rtl.FONT_REGULAR, STAMP_SIZE)
        t = c.beginText(x, y)
        t.setFillColor(INK)
        t.setFont(rtl.FONT_BOLD, STAMP_SIZE)
        t.textOut(bold)
        t.setFont(rtl.FONT_REGULAR, STAMP_SIZE)
        t.textOut(rest)
        c.drawText(t)
        c.showPage()
    c.save()
    return buf.getvalue()


def glyph_problems(sub) -> list[Problem]:
    """Characters of a submission the fonts cannot draw, each with its line."""
    rtl.register_fonts()
    out = []
    for i, line in enumerate(sub.body.split("\n")):
        for ch in rtl.missing_glyphs(line):
            out.append(Problem(sub.path, sub.body_line + i, "body", f"character U+{ord(ch):04X} {ch!r} is not in "
                                                                   f"the fonts"))
    for key, value in sub.front.model_dump().items():
        for v in (value if isinstance(value, list) else [value]):
            if isinstance(v, str):
                for ch in rtl.missing_glyphs(v):
                    out.append(Problem(sub.path, sub.line_of(key), key, f"character U+{ord(ch):04X} {ch!r} is "
                                                                        f"not in the fonts"))
    return out

