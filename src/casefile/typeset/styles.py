"""Page geometry, colours and paragraph styles of a dossier: the one place a page's look is set."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from casefile.typeset import rtl

PAGE_SIZES = {"A4": A4, "Letter": LETTER}  # case.yaml's page_size: (width, height) in points


@dataclass(frozen=True)
class PageGeometry:
    """The page of a dossier or a submission, chosen by the case's page_size: its size, its
    margins, and the frame inside them where the text goes. The margins are the same on A4 and
    on Letter (the page is what changes): the running head, the footer and the frame keep their
    distance from the edges."""

    width: float
    height: float
    margin_l: float = 22 * mm
    margin_r: float = 22 * mm
    margin_t: float = 24 * mm
    margin_b: float = 24 * mm

    @property
    def size(self) -> tuple[float, float]:
        return self.width, self.height

    @property
    def content_width(self) -> float:
        return self.width - self.margin_l - self.margin_r

    @property
    def content_height(self) -> float:
        return self.height - self.margin_t - self.margin_b

    @property
    def frame(self) -> tuple[float, float, float, float]:
        """The text's box: x, y, w, h."""
        return self.margin_l, self.margin_b, self.content_width, self.content_height


def page_geometry(page_size: str | None = "A4") -> PageGeometry:
    """The geometry of the pages a case's page_size names (A4 when it names none)."""
    return PageGeometry(*PAGE_SIZES[page_size or "A4"])


INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#5f6368")
LINK = colors.HexColor("#0b5394")
RULE = colors.HexColor("#b0b4b8")
SHADE = colors.HexColor("#eef0f2")
MARK = colors.HexColor("#fff3b0")
BANNER = {"confidential": ("CONFIDENTIAL", colors.HexColor("#a50e0e")),
          "public": ("PUBLIC — REDACTED", colors.HexColor("#0b5394"))}
CELL_PAD = 4  # left and right padding of table cells

# An exhibit file's page keeps its size and orientation: the dossier page is the exhibit page's
# size, the exhibit page drawn on it at no less than MIN_FILE_SCALE (95 %), leaving bands above
# and below for the edition banner, the exhibit stamp, the evidence number and "Page X of Y". A
# page too short for the bands at 95 % is made taller, but one at least as tall as Letter keeps
# its height (a Letter page, an e-mail's rendition in a Letter case, is drawn at 94.7 % on a
# Letter page, as an A4 one is at 95.0 % on an A4 page); an image gets a page of the dossier's
# size (landscape when it is wider than high) and fills its exhibit area.
FILE_BAND_TOP, FILE_BAND_BOTTOM = 14.0, 28.0  # points
MIN_FILE_SCALE = 0.95
KEPT_HEIGHT = LETTER[1]  # points: a page this tall or taller keeps its height
IMAGE_DPI = 300  # an image above this at the size it is printed is reduced to it (and says so)


def file_page(width: float, height: float) -> tuple[tuple[float, float], tuple[float, float, float, float]]:
    """The dossier page for an exhibit page of `width` x `height` points (as a viewer shows it):
    (page size, (x, y, w, h) where the exhibit page goes on it)."""
    bands = FILE_BAND_TOP + FILE_BAND_BOTTOM
    scale = min(1.0, max(MIN_FILE_SCALE if height < KEPT_HEIGHT else 0, 1 - bands / height))
    w, h = width * scale, height * scale
    page_h = max(height, h + bands)
    return (width, page_h), ((width - w) / 2, FILE_BAND_BOTTOM + (page_h - bands - h) / 2, w, h)


def image_page(pixels: tuple[int, int], page: PageGeometry) -> tuple[tuple[float, float],
                                                                     tuple[float, float, float, float]]:
    """The dossier page for an image of `pixels` (width, height, upright): a page of the
    dossier's size (`page`), landscape for a wide image; the box is its exhibit area (the image
    is fitted into it)."""
    w, h = pixels
    return file_page(*((page.height, page.width) if w > h else page.size))


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
        # what a reader must not miss: no supporting evidence, paragraphs that do not pair up
        "warning": ParagraphStyle("warning", parent=base, fontName=B, fontSize=9, leading=12.5,
                                  textColor=colors.HexColor("#a50e0e"), borderColor=colors.HexColor("#a50e0e"),
                                  borderWidth=0.6, borderPadding=5, spaceBefore=4, spaceAfter=10),
        "entry": ParagraphStyle("entry", parent=base, spaceAfter=0, leading=14),
    }
    return s
