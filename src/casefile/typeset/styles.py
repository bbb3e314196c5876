"""Page geometry, colours and paragraph styles of a dossier: the one place a page's look is set."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from casefile.typeset import rtl

PAGE_W, PAGE_H = A4
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 22 * mm, 22 * mm, 24 * mm, 24 * mm
CONTENT = (MARGIN_L, MARGIN_B, PAGE_W - MARGIN_L - MARGIN_R, PAGE_H - MARGIN_T - MARGIN_B)  # x, y, w, h
INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#5f6368")
LINK = colors.HexColor("#0b5394")
RULE = colors.HexColor("#b0b4b8")
SHADE = colors.HexColor("#eef0f2")
MARK = colors.HexColor("#fff3b0")
BANNER = {"confidential": ("CONFIDENTIAL", colors.HexColor("#a50e0e")),
          "public": ("PUBLIC — REDACTED", colors.HexColor("#0b5394"))}
CELL_PAD = 4  # left and right padding of table cells


def paragraph_styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles by name (templates choose them with <p class=...>)."""
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
