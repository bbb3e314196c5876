"""The templates' small XML vocabulary -> reportlab flowables. Every piece of text in it is
plain text (ElementTree gives it back unescaped) and is escaped again before it reaches a
reportlab paragraph: user text is data, never markup."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, TableStyle
from reportlab.platypus.flowables import HRFlowable

from casefile.dossier.assembly import Dossier
from casefile.errors import fail
from casefile.typeset import fastpath, marks, rtl
from casefile.typeset.exhibit_files import file_flowables
from casefile.typeset.flowables import (
    Anchor,
    ContentsEntry,
    OnePage,
    PageBreakIfNotTop,
    PageRef,
    Quoted,
    RefList,
    RenderState,
    RowSplitTable,
    VolumeLine,
)
from casefile.typeset.styles import CELL_PAD, INK, RULE, SHADE


class Markup:
    """Turns the template markup into flowables."""

    def __init__(self, state: RenderState, styles: dict, dossier: Dossier):
        self.state, self.s, self.dossier = state, styles, dossier
        self._fragments: dict = {}  # for fastpath.text_paragraph

    def inline_xml(self, el) -> str:
        """Paragraph markup from an element's mixed content; all text escaped."""
        out = [self.text(el.text)]
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
            out.append(self.text(child.tail))
        return "".join(out)

    @staticmethod
    def text(t: str | None) -> str:
        """Plain text as paragraph markup: escaped, right-to-left runs in visual order."""
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
        if rtl.is_mainly_rtl(text):  # right-aligned, unless asked otherwise or its style is centred
            return rtl.RTLParagraph(" ".join(text.split()) if "\n" not in text.strip() else text.strip(),
                                    st.fontName if style not in ("h1", "h2", "h3") else rtl.FONT_BOLD,
                                    st.fontSize, st.leading, space_after=st.spaceAfter,
                                    align=align or ("center" if st.alignment == TA_CENTER else "right"))
        if align:
            st = ParagraphStyle(f"{style}-{align}", parent=st,
                                alignment={"center": TA_CENTER, "right": TA_RIGHT, "left": TA_LEFT}[align])
        return self.paragraph(el, st, el.get("marker"))

    def paragraph(self, el, st: ParagraphStyle, bullet: str | None = None) -> Paragraph:
        """A paragraph of the element's content. Text without inline markup may skip reportlab's
        markup parser (fastpath.text_paragraph)."""
        if len(el) == 0:
            p = fastpath.text_paragraph(rtl.ltr_visual(el.text or ""), st, bullet, self._fragments)
            if p is not None:
                return p
        return fastpath.paragraph(self.inline_xml(el), st, bullet)

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
            flows += self.blocks(el)
            return [OnePage(flows)] if key == "cover" else flows
        if tag == "anchor":
            return [Anchor(el.get("key"), el.get("title"), int(el.get("level", "1")), st)]
        if tag in ("h1", "h2", "h3", "p", "quote", "li"):
            style = {"p": el.get("class", "body"), "quote": "quote", "li": "li"}.get(tag, tag)
            if style not in self.s:
                raise fail("templates", "class", f"unknown paragraph class '{style}'")
            f = self.para(el, style)
            if tag == "quote" and not isinstance(f, rtl.RTLParagraph):
                f = Quoted(f)
            return [self.noted(el, f)]
        if tag == "table":
            return [self.table(el)]
        if tag == "entry":
            p = fastpath.paragraph(self.inline_xml(el), self.s["entry"])
            return [self.noted(el, ContentsEntry(p, el.get("key"), int(el.get("level", "0")), st))]
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
        if tag == "volume":  # the cover of a dossier in volumes: which volume this is
            return [VolumeLine(st)] if st.volumes is not None else []
        raise fail("templates", tag, f"unknown element <{tag}>")

    @staticmethod
    def noted(el, flowable: Flowable) -> Flowable:
        """The flowable with the element's margin note (its `note` attribute), if it has one."""
        note = el.get("note")
        return marks.Noted(flowable, note) if note else flowable

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
        if td.get("note"):
            return self.noted(td, rtl.RTLParagraph(" ".join(text.split()), st.fontName, st.fontSize, st.leading)
                              if rtl.is_mainly_rtl(text) else self.paragraph(td, st))
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
        page = self.state.page
        col_w = [page.content_width * w / total for w in widths]
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
        cs, hs = self.s["cell"], self.s["cellhead"]
        t = RowSplitTable(rows, colWidths=col_w, repeatRows=1 if header else 0, hAlign="LEFT", links=links,
                          cell_box=(CELL_PAD, CELL_PAD, 3, 3, cs.leading), frame_height=page.content_height)
        style = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("FONT", (0, 0), (-1, -1), cs.fontName, cs.fontSize, cs.leading),
                 ("TEXTCOLOR", (0, 0), (-1, -1), cs.textColor),
                 ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
        style += [("FONT", (col, first), (col, last), hs.fontName, hs.fontSize, hs.leading)
                  for col, first, last in runs(bold)]
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
        page = self.state.page
        w = page.content_width / 2
        t = RowSplitTable(rows, colWidths=[w, w], repeatRows=1 if el.get("header") == "1" else 0, split_tall=False,
                          cell_box=(6, 6, 3, 3, 12), frame_height=page.content_height)
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEAFTER", (0, 0), (0, -1), 0.3, RULE),
                               ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6)]))
        return t

    def files(self, number: str) -> list[Flowable]:
        ex = next(e for e in self.dossier.exhibits if e.number == number)
        return file_flowables(ex, self)



def runs(cells: list) -> list:
    """(column, first row, last row) for runs of consecutive rows among (column, row) cells: one
    table style command per run instead of one per cell."""
    out: list = []
    for col, row in sorted(cells):
        if out and out[-1][0] == col and out[-1][2] == row - 1:
            out[-1][2] = row
        else:
            out.append([col, row, row])
    return [tuple(r) for r in out]
