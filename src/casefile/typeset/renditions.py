"""PDF renditions that casefile typesets itself from plain data that intake read: an e-mail
(its header table, the list of its attachments, its body), a web capture (the URL and date of
the capture, what was left out, the page's text), a table (CSV). Each is a PDF of its own, made
deterministically (the same data and paper give the same bytes), which the dossier then shows
like any PDF exhibit, page by page, stamped. Its pages are of the case's paper (page_size: A4 or
Letter), as every page casefile typesets; a Word document's rendition is LibreOffice's, on the
document's own paper.

Everything is data: every string is escaped before reportlab sees it, characters the fonts
cannot draw become U+FFFD, right-to-left lines are set by rtl.RTLParagraph."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from casefile.typeset import rtl
from casefile.typeset.styles import PAGE_SIZES

_INK = colors.HexColor("#1a1a1a")
_GREY = colors.HexColor("#5f6368")
_RULE = colors.HexColor("#b0b4b8")
_SHADE = colors.HexColor("#eef0f2")
_MAX_LINE = 1000  # characters: longer lines are set in pieces
_MARGIN = 20 * mm  # on every side, on A4 and on Letter


def _styles():
    rtl.register_fonts()
    base = ParagraphStyle("r-body", fontName=rtl.FONT_REGULAR, bulletFontName=rtl.FONT_REGULAR, fontSize=10,
                          leading=14, textColor=_INK, spaceAfter=4)  # every font embedded: no Helvetica
    return {
        "body": base,
        "line": ParagraphStyle("r-line", parent=base, spaceAfter=0, leftIndent=14, firstLineIndent=-14),
        "h1": ParagraphStyle("r-h1", parent=base, fontName=rtl.FONT_BOLD, fontSize=14, leading=19, spaceAfter=8),
        "h2": ParagraphStyle("r-h2", parent=base, fontName=rtl.FONT_BOLD, fontSize=11, leading=15, spaceBefore=8,
                             spaceAfter=4),
        "li": ParagraphStyle("r-li", parent=base, leftIndent=14, bulletIndent=2),
        "pre": ParagraphStyle("r-pre", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        "note": ParagraphStyle("r-note", parent=base, fontSize=8.5, leading=11.5, textColor=_GREY),
        "cell": ParagraphStyle("r-cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        "cellhead": ParagraphStyle("r-cellhead", parent=base, fontName=rtl.FONT_BOLD, fontSize=8.5, leading=11,
                                   spaceAfter=0),
    }


def printable(text: str) -> str:
    text = str(text)
    for ch in rtl.missing_glyphs(text):
        text = text.replace(ch, "\ufffd")
    return text


def _para(text: str, style, bullet: str | None = None):
    """One paragraph of plain text (escaped); right-to-left text set right to left."""
    text = printable(" ".join(text.split()))
    if rtl.has_rtl(text) and rtl.is_mainly_rtl(text):
        return rtl.RTLParagraph(text, style.fontName, style.fontSize, style.leading)
    return Paragraph(escape(text), style, bulletText=bullet)


def _lines(text: str, style) -> list:
    """Text kept line by line (an e-mail body): empty lines as space, long lines wrapped."""
    out = []
    for line in text.split("\n"):
        pieces = [line[i:i + _MAX_LINE] for i in range(0, len(line), _MAX_LINE)] or [""]
        for piece in pieces:
            if not piece.strip():
                out.append(Spacer(1, style.leading / 2))
                continue
            stripped = printable(piece.rstrip())
            if rtl.has_rtl(stripped) and rtl.is_mainly_rtl(stripped):
                out.append(rtl.RTLParagraph(" ".join(stripped.split()), style.fontName, style.fontSize,
                                            style.leading))
            else:
                lead = len(stripped) - len(stripped.lstrip(" "))
                out.append(Paragraph("\u00a0" * lead + escape(stripped.lstrip(" ")), style))
    return out


def _table(rows: list, s, widths=None, header: bool = False) -> Table:
    cells = [[_para(c, s["cellhead"] if header and i == 0 else s["cell"]) for c in row] for i, row in enumerate(rows)]
    t = Table(cells, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [("GRID", (0, 0), (-1, -1), 0.4, _RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("FONTNAME", (0, 0), (-1, -1), rtl.FONT_REGULAR),  # the cell font (else Helvetica, not embedded)
             ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), _SHADE))
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), _SHADE))
    t.setStyle(TableStyle(style))
    return t


def _build(story: list, title: str, paper: tuple[float, float]) -> bytes:
    b = io.BytesIO()
    doc = SimpleDocTemplate(b, pagesize=paper, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN,
                            bottomMargin=_MARGIN, invariant=1, title=printable(title), author="casefile",
                            creator="casefile", producer="casefile", subject="", keywords="",
                            initialFontName=rtl.FONT_REGULAR)  # every font embedded: no Helvetica
    doc.build(story)
    return b.getvalue()


def _name(source: str) -> str:
    return source.rsplit("/", 1)[-1]


def _email(m, paper: tuple[float, float]) -> bytes:
    s = _styles()
    width = paper[0] - 2 * _MARGIN
    story = [_para(f"E-mail: {_name(m.source)}", s["h1"]),
             _table([[label, value] for label, value in m.headers] or [["Headers", "none"]], s,
                    [28 * mm, width - 28 * mm])]
    if m.attachments:
        story.append(_para("Attachments", s["h2"]))
        for i, a in enumerate(m.attachments, 1):
            story.append(_para(f"{a.name} ({a.content_type}, {len(a.data):,} bytes, SHA-256 {a.sha256}): shown "
                               f"after this message, as a further file of this exhibit", s["li"], bullet=f"{i}."))
    story.append(_para("Body", s["h2"]))
    story.append(_para(f"Taken from {m.body_from}.", s["note"]))
    story += _lines(m.body, s["line"]) if m.body.strip() else [_para("(no text)", s["note"])]
    return _build(story, f"E-mail {_name(m.source)}", paper)


def _web(w, paper: tuple[float, float]) -> bytes:
    s = _styles()
    width = paper[0] - 2 * _MARGIN
    rows = [["File", _name(w.source)]]
    if w.title:
        rows.append(["Page title", w.title])
    rows.append(["Captured from", w.url or "not given by the item"])
    rows.append(["Captured on", w.captured or "not given by the item"])
    if w.saved_from:
        rows.append(["Saved from (file)", w.saved_from])
    if w.saved_on:
        rows.append(["Saved on (file)", w.saved_on])
    r = w.resources
    left_out = (f"{r.total + w.embedded_parts} resource(s) of the page were left out: {r.remote} remote (never "
                f"fetched), {r.local} local (file: or paths, never read), {r.embedded + w.embedded_parts} "
                f"embedded (images, style sheets). Scripts, styles and frames are not run or shown."
                if r.total + w.embedded_parts else "The page refers to no images, scripts or other resources.")
    story = [_para(f"Web capture: {_name(w.source)}", s["h1"]), _table(rows, s, [34 * mm, width - 34 * mm]),
             Spacer(1, 4), _para("This is the text of the stored page, set by casefile without fetching anything "
                                 "from the network. " + left_out, s["note"]), Spacer(1, 6)]
    for b in w.blocks:
        if b.kind == "h":
            story.append(_para(b.text, s["h2"]))
        elif b.kind == "li":
            story.append(_para(b.text, s["li"], bullet="•"))
        elif b.kind == "pre":
            story += _lines(b.text, s["pre"])
        else:
            story.append(_para(b.text, s["body"]))
    if not w.blocks:
        story.append(_para("(the page has no text)", s["note"]))
    return _build(story, f"Web capture {_name(w.source)}", paper)


def _csv(t, paper: tuple[float, float]) -> bytes:
    s = _styles()
    width = paper[0] - 2 * _MARGIN
    columns = max(len(r) for r in t.rows)
    story = [_para(f"Table: {_name(t.source)}", s["h1"]),
             _para(f"{len(t.rows)} rows of {columns} columns, every cell as written in the file (the first row "
                   f"is repeated at the top of each page).", s["note"]), Spacer(1, 4),
             _table(t.rows, s, [width / columns] * columns, header=True)]
    return _build(story, f"Table {_name(t.source)}", paper)


def typeset_rendition(kind: str, data, page_size: str = "A4") -> bytes:
    """The PDF of an intake rendition: kind is "email", "web" or "table"; its pages of the paper
    `page_size` names (case.yaml's page_size: A4 or Letter)."""
    return {"email": _email, "web": _web, "table": _csv}[kind](data, PAGE_SIZES[page_size])
