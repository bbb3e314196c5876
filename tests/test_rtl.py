"""Tests for casefile.typeset.rtl: Persian/Arabic text in reportlab PDFs.

The PDFs are read back with pypdf.  What pypdf's ``extract_text`` yields for
the RTL lines drawn by :class:`RTLParagraph` (documented in casefile.typeset.rtl):

* each line in logical order -- words, Persian digits, brackets with ``(``
  still the opening bracket, ``« »``, embedded Latin words and ASCII numbers;
* letters as Arabic presentation forms, hence the NFKC normalisation;
* ZWNJ (U+200C) at its logical place: ``روح‌الله`` comes back with the ZWNJ,
  not as ``روحالله`` and not with a space.
"""

from __future__ import annotations

import random
import re
import subprocess
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib import fonts as rl_fonts
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from casefile.typeset import rtl
from casefile.typeset.rtl import (
    FONT_BOLD,
    FONT_REGULAR,
    RTLParagraph,
    has_rtl,
    is_mainly_rtl,
    is_rtl_char,
    ltr_visual,
    missing_glyphs,
    register_fonts,
    shape,
    visual_line,
)
from conftest import poppler

ZWNJ = "\u200c"
DECREE = "فرمان روح‌الله خمینی درباره زندانیان سیاسی (سال ۱۳۶۷) در زندان اوین و گوهردشت"

SENTENCES = [
    "در تابستان سال ۱۳۶۷ هزاران زندانی سیاسی در زندان‌های اوین و گوهردشت اعدام شدند.",
    "هیئتی که زندانیان آن را «هیئت مرگ» می‌نامیدند، در جلسه‌هایی چند دقیقه‌ای درباره سرنوشت هر زندانی تصمیم می‌گرفت.",
    "خانواده‌های قربانیان سال‌ها از محل دفن عزیزانشان بی‌خبر ماندند.",
    "شاهدان می‌گویند پرسش‌ها درباره وابستگی سیاسی و باورهای مذهبی زندانیان بود.",
    "این پرونده شامل اسناد، شهادت‌نامه‌ها و فهرست نام‌ها (به ترتیب تاریخ) است.",
]

# Marks that extractors may add around or inside RTL text (LRM, RLM, ALM,
# embeddings, overrides, isolates, BOM); ZWNJ is deliberately not among them.
BIDI_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")

MARGIN = 2 * cm


def persian_digits(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def normalise(text: str) -> str:
    """NFKC (presentation forms -> letters), no bidi marks, single spaces."""
    text = BIDI_MARKS.sub("", unicodedata.normalize("NFKC", text))
    return re.sub(r"[ \t]+", " ", text).strip()


def build(path: Path, flowables, pagesize=A4, margin: float = MARGIN) -> Path:
    doc = SimpleDocTemplate(
        str(path), pagesize=pagesize,
        leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin,
    )
    doc.build(list(flowables))
    return path


def frame_width(pagesize=A4, margin: float = MARGIN) -> float:
    # SimpleDocTemplate's frame has 6pt padding on each side.
    return pagesize[0] - 2 * margin - 12


def extracted_lines(path: Path) -> list[list[str]]:
    """Normalised non-empty text lines, per page."""
    pages = []
    for page in PdfReader(str(path)).pages:
        lines = [normalise(line) for line in page.extract_text().splitlines()]
        pages.append([line for line in lines if line])
    return pages


def para(text: str, size: float = 12, **kwargs) -> RTLParagraph:
    return RTLParagraph(text, FONT_REGULAR, size, size * 1.6, **kwargs)


@pytest.fixture(scope="module", autouse=True)
def fonts():
    register_fonts()


# ---------------------------------------------------------------- fonts


def test_register_fonts_is_idempotent_and_maps_the_family():
    register_fonts()
    register_fonts()
    regular = pdfmetrics.getFont(FONT_REGULAR)
    bold = pdfmetrics.getFont(FONT_BOLD)
    assert regular is not bold
    assert Path(regular.face.filename).name == "Vazirmatn-Regular.ttf"
    assert Path(bold.face.filename).name == "Vazirmatn-Bold.ttf"
    assert rl_fonts.tt2ps(FONT_REGULAR, 1, 0) == FONT_BOLD  # <b>
    assert rl_fonts.tt2ps(FONT_REGULAR, 0, 1) == FONT_REGULAR  # <i>: no italic face
    assert rl_fonts.tt2ps(FONT_REGULAR, 1, 1) == FONT_BOLD


# ---------------------------------------------------------------- classification


def test_direction_helpers():
    assert is_rtl_char("ب") and is_rtl_char("א")
    assert not is_rtl_char("a") and not is_rtl_char("۱") and not is_rtl_char(ZWNJ)
    assert has_rtl("Born in تهران") and not has_rtl("Born in Tehran 1340")
    assert is_mainly_rtl(DECREE)
    assert is_mainly_rtl("۱۳۶۷ سال")  # digits are weak: the first strong char decides
    assert is_mainly_rtl("(\u200f۱) x")  # RLM is a strong R character
    assert not is_mainly_rtl("PDF فایل")
    assert not is_mainly_rtl("") and not is_mainly_rtl("۱۲۳ - ۴")
    assert is_mainly_rtl("\u2066Latin inside an isolate\u2069 سپس فارسی")


# ---------------------------------------------------------------- shaping


def test_shaping_is_configured_for_persian():
    # ZWNJ stops the joining: in می‌خواهم the yeh takes its final form and the
    # khah its initial form; without the ZWNJ both are medial.
    shaped = shape("می‌خواهم")
    assert ZWNJ in shaped
    assert "\ufbfd" in shaped and "\ufea7" in shaped
    joined = shape("میخواهم")
    assert "\ufbff" in joined and "\ufea8" in joined
    # روح‌الله: hah isolated, alef isolated; روحالله: hah initial, alef final.
    assert "\ufea1" in shape("روح‌الله") and "\ufe8d" in shape("روح‌الله")
    assert "\ufea3" in shape("روحالله") and "\ufe8e" in shape("روحالله")
    assert "\ufdf2" not in shape("روح‌الله")  # names keep their letters, no ﷲ word sign
    assert "\u064b" in shape("فوراً") and "\u0654" in shape("خانهٔ")  # harakat kept
    assert unicodedata.normalize("NFKC", shape(DECREE)) == DECREE
    # Vazirmatn lacks the isolated form of ۀ (U+FBA4): the plain letter is used.
    assert shape("ۀ") == "ۀ" and missing_glyphs("خانۀ ۀ") == []
    assert shape("plain ASCII") == "plain ASCII"


def test_visual_line_mirrors_brackets():
    visual = visual_line("(سال ۱۳۶۷)")
    # Drawn left to right, the logical closing bracket is on the left and is
    # shown mirrored, i.e. as "(", and the digits keep their order.
    assert visual[0] == "(" and visual[-1] == ")"
    assert "۱۳۶۷" in visual
    assert unicodedata.normalize("NFKC", visual[-2]) == "س"  # first letter of سال, rightmost


# ---------------------------------------------------------------- missing glyphs


def test_missing_glyphs_finds_emoji_and_cjk_only():
    text = "سند 😀 شماره ۱۲ 中 ABC 😀 روح‌الله \u200f\u200e\u202b\u202c\t\n❤\ufe0f"
    assert missing_glyphs(text) == ["😀", "中", "❤"]
    assert missing_glyphs(DECREE) == []
    assert missing_glyphs("The quick brown fox, 1988.") == []
    assert missing_glyphs("كتاب يك ٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ «»؛،؟", FONT_BOLD) == []


# ---------------------------------------------------------------- line breaking


def test_lines_keep_logical_order_and_newlines():
    p = para(DECREE + "\nخط دوم\n\nخط چهارم")
    wide = p.lines(1000)
    assert wide == [DECREE, "خط دوم", "", "خط چهارم"]
    narrow = p.lines(150)
    assert len(narrow) > 4
    assert " ".join(narrow[: narrow.index("خط دوم")]) == DECREE
    for line in narrow:
        width = pdfmetrics.stringWidth(shape(line), FONT_REGULAR, 12)
        assert width <= 150 + 1e-6


def test_overlong_word_is_force_broken():
    word = "بی‌خانمان‌شدگان" * 6
    p = para(word, size=14)
    lines = p.lines(60)
    assert len(lines) > 3
    assert "".join(lines) == word
    for line in lines:
        assert pdfmetrics.stringWidth(shape(line), FONT_REGULAR, 14) <= 60 + 1e-6


def test_min_width_is_the_widest_word():
    p = para("کوتاه بلندترین‌کلمه\nیک")
    widest = pdfmetrics.stringWidth(shape("بلندترین‌کلمه"), FONT_REGULAR, 12)
    assert p.minWidth() == pytest.approx(widest)
    assert p.lines(widest) == ["کوتاه", "بلندترین‌کلمه", "یک"]


def test_split_divides_the_lines():
    text = " ".join(SENTENCES)
    p = para(text)
    width = 200
    _, height = p.wrap(width, 10_000)
    lines = p.lines(width)
    assert height == pytest.approx(len(lines) * p.leading)
    assert p.split(width, p.leading * 0.9) == []
    first, second = p.split(width, p.leading * 3.5)
    assert first.lines(width) == lines[:3]
    assert second.lines(width) == lines[3:]
    assert first.wrap(width, 10_000)[1] == pytest.approx(3 * p.leading)
    assert first.spaceAfter == 0 and second.spaceAfter == p.spaceAfter


# ---------------------------------------------------------------- PDF round trips


def test_extracted_text_is_logical(tmp_path):
    p = para(DECREE, size=13)
    pdf = build(tmp_path / "decree.pdf", [p])
    [page] = extracted_lines(pdf)
    assert page == [normalise(DECREE)]
    line = page[0]
    assert "روح" + ZWNJ + "الله" in line  # ZWNJ kept in place
    assert "(سال ۱۳۶۷)" in line  # digits in order, "(" still opens
    assert line.index("(") < line.index("۱۳۶۷") < line.index(")")


def test_extracted_wrapped_lines_are_in_logical_order(tmp_path):
    text = DECREE + "\n" + SENTENCES[1] + "\nماده 10 قانون PDF و [بند ۲] است؟"
    p = para(text, size=12)
    pdf = build(tmp_path / "wrapped.pdf", [p], margin=6 * cm)
    expected = [normalise(line) for line in p.lines(frame_width(margin=6 * cm))]
    assert len(expected) >= 5
    [page] = extracted_lines(pdf)
    assert page == expected
    assert normalise(" ".join(page)) == normalise(text.replace("\n", " "))


def test_long_text_flows_over_pages(tmp_path):
    paragraphs = []
    for i in range(36):
        sentence = SENTENCES[i % len(SENTENCES)]
        paragraphs.append(f"بند {persian_digits(i + 1)}: {sentence} {SENTENCES[(i + 2) % len(SENTENCES)]}")
    long_one = "\n".join(SENTENCES * 8)  # longer than a page, with explicit newlines
    texts = paragraphs[:20] + [long_one] + paragraphs[20:]
    flowables = [para(t, size=12, space_after=6) for t in texts]
    pdf = build(tmp_path / "long.pdf", flowables)

    width = frame_width()
    expected = [normalise(line) for f in flowables for line in f.lines(width) if line]
    pages = extracted_lines(pdf)
    assert len(pages) >= 2
    assert [line for page in pages for line in page] == expected
    # Every paragraph reads back as its source text.
    got = iter(line for page in pages for line in page)
    for f, text in zip(flowables, texts):
        n = len([line for line in f.lines(width) if line])
        assert normalise(" ".join(next(got) for _ in range(n))) == normalise(text.replace("\n", " "))
    # The long paragraph is taller than a page, so it was split.
    frame_height = A4[1] - 2 * MARGIN - 12
    assert len(flowables[20].lines(width)) * flowables[20].leading > frame_height


def test_many_distinct_glyphs_use_several_font_subsets(tmp_path):
    """reportlab splits a TrueType font into 256-code subsets (separate PDF
    fonts); lines that switch subsets must still extract in logical order."""
    letters = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكةئؤأإآ"
    words = [f"{c}{c}{c} {c}" for c in letters]
    latin = "àáâãäåçèéêëìíîïñòóôõöùúûüý ÀÉÖÜßøæœ €£§°±×÷"
    text = " ".join(words) + " ٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ " + latin + " فوراً خانهٔ"
    assert missing_glyphs(text) == []
    p = para(text, size=11)
    pdf = build(tmp_path / "subsets.pdf", [p])
    reader = PdfReader(str(pdf))
    font_names = list(reader.pages[0]["/Resources"]["/Font"].keys())
    assert any(name.endswith("+1") for name in font_names), font_names
    [page] = extracted_lines(pdf)
    assert page == [normalise(line) for line in p.lines(frame_width())]


MIXED_TOKENS = [
    "فرمان", "روح‌الله", "خمینی", "زندان", "اوین", "می‌خواهم", "کتاب‌ها", "مُحَمَّد", "فوراً", "خانهٔ",
    "لا", "۱۳۶۷", "۲", "۱۲/۰۵", "۱۲٫۵", "٪۵", "١٢٣", "12", "3.5", "50%", "2024-01-05", "$100",
    "PDF", "Evin prison", "U.N.", "A/B", "(سال", "۱۳۶۷)", "(۱)", "(a)", "x)", "[بند", "۲]", "[PDF]",
    "«هیئت", "مرگ»", "«PDF»", "«", "»", "،", "؛", "؟", ".", ":", "-", "/", "—", "…", "©", "°C", "×",
]


def test_mixed_lines_extract_in_logical_order(tmp_path):
    """Seeded random lines mixing Persian, Persian/Arabic/ASCII digits, Latin,
    brackets, guillemets and punctuation all read back in logical order."""
    rng = random.Random(1367)
    texts = [" ".join(rng.choice(MIXED_TOKENS) for _ in range(rng.randint(1, 24))) for _ in range(40)]
    flowables = [para(t, size=11) for t in texts]
    margin = 4 * cm
    pdf = build(tmp_path / "mixed.pdf", flowables, margin=margin)
    width = frame_width(margin=margin)
    expected = [normalise(line) for f in flowables for line in f.lines(width) if line]
    got = [line for page in extracted_lines(pdf) for line in page]
    assert got == expected


def test_poppler_reads_persian_lines_in_logical_order(tmp_path):
    text = "فرمان روح‌الله خمینی درباره زندانیان سیاسی"
    pdf = build(tmp_path / "poppler.pdf", [para(text)])
    out = subprocess.run([poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert normalise(out) == normalise(text)


def test_ltr_visual_in_an_english_paragraph(tmp_path):
    sentence = "The decree of روح‌الله خمینی was carried out in 1988 in the prisons of Tehran."
    assert ltr_visual("Plain English, no RTL: (1988).") == "Plain English, no RTL: (1988)."
    visual = ltr_visual(sentence)
    assert visual.startswith("The decree of ") and visual.endswith(" was carried out in 1988 in the prisons of Tehran.")
    assert "\u00a0" in visual  # the two-word name cannot be wrapped apart
    style = ParagraphStyle("en", fontName=FONT_REGULAR, fontSize=12, leading=16)
    pdf = build(tmp_path / "ltr.pdf", [Paragraph(escape(visual), style)])
    [page] = extracted_lines(pdf)
    text = " ".join(page)
    assert "روح" + ZWNJ + "الله خمینی" in text  # the name in logical order
    english = re.findall(r"[A-Za-z0-9]+", text)
    assert english == re.findall(r"[A-Za-z0-9]+", sentence)  # English order kept


# ---------------------------------------------------------------- rendering


def ink_bbox(png: Path) -> tuple[int, int, int, int]:
    image = Image.open(png).convert("L")
    return image.point(lambda v: 255 if v < 160 else 0).getbbox()


def render(pdf: Path, out_prefix: Path, dpi: int = 60) -> Path:
    subprocess.run([poppler("pdftoppm"), "-r", str(dpi), "-png", "-f", "1", "-l", "1", str(pdf), str(out_prefix)], check=True)
    [png] = sorted(out_prefix.parent.glob(out_prefix.name + "*.png"))
    return png


@pytest.mark.parametrize("align", ["right", "left"])
def test_paragraph_alignment(tmp_path, align):
    pdf = build(tmp_path / f"{align}.pdf", [para("فرمان روح‌الله خمینی", size=14, align=align)])
    left, _, right, _ = ink_bbox(render(pdf, tmp_path / align))
    scale = 60 / 72
    frame_left = (MARGIN + 6) * scale
    frame_right = (A4[0] - MARGIN - 6) * scale
    if align == "right":
        assert abs(right - frame_right) <= 3  # touches the right margin...
        assert left - frame_left > 150  # ...and stays far from the left one
    else:
        assert abs(left - frame_left) <= 3
        assert frame_right - right > 150


def test_mirror_font_draws_the_mirrored_glyph(tmp_path):
    """The twin font shows ")" for the code of "(": the PDF keeps the logical code."""
    twin = rtl._mirror_font(FONT_REGULAR)
    images = []
    for name, font, char in (("twin", twin, "("), ("plain", FONT_REGULAR, ")")):
        path = tmp_path / f"{name}.pdf"
        c = rl_canvas.Canvas(str(path), pagesize=(100, 100))
        c.setFont(font, 60)
        c.drawString(30, 30, char)
        c.save()
        images.append(Image.open(render(path, tmp_path / name, dpi=72)).convert("L").tobytes())
    assert images[0] == images[1]
    assert pdfmetrics.stringWidth("(", twin, 10) == pdfmetrics.stringWidth(")", FONT_REGULAR, 10)


def test_brackets_in_an_rtl_line_are_drawn_mirrored(tmp_path):
    """The logical "(" sits right of سال and bulges to the right (it opens
    towards the text on its left); the logical ")" is its mirror image."""
    size, x_left, dpi = 30, 20, 150
    layout = rtl._layout_rtl_line("سیاسی (سال ۱۳۶۷) در", FONT_REGULAR, size)
    path = tmp_path / "brackets.pdf"
    c = rl_canvas.Canvas(str(path), pagesize=(400, 100))
    rtl._draw_rtl_line(c, layout, x_left, 40, size)
    c.save()
    image = Image.open(render(path, tmp_path / "brackets", dpi=dpi)).convert("L")
    scale = dpi / 72

    def bulge(glyph) -> str:
        a, b = int((x_left + glyph.x) * scale), int((x_left + glyph.x + glyph.width) * scale)
        rows = []
        for y in range(image.height):
            xs = [x for x in range(a, b) if image.getpixel((x, y)) < 128]
            if xs:
                rows.append(sum(xs) / len(xs))
        middle = rows[len(rows) // 2]
        ends = (rows[2] + rows[-3]) / 2
        return "right" if middle > ends else "left"

    glyphs = {g.char: g for g in layout.glyphs if g.char in "()"}
    left_neighbour = max((g for g in layout.glyphs if g.x < glyphs["("].x), key=lambda g: g.x)
    assert unicodedata.normalize("NFKC", left_neighbour.char) == "س"  # "(" is right of سال
    assert bulge(glyphs["("]) == "right"
    assert bulge(glyphs[")"]) == "left"

