#!/usr/bin/env python3
"""Make the exhibit files of the sample case `1988-massacre` from the two stored seed articles.

Run from the repository root with the project's venv:

    .venv/bin/python scripts/make_sample_exhibits.py [--seeds DIR]

It writes, under exhibits/1988-massacre/:

  sources/<seed>.txt   a byte-for-byte copy of each seed article
  sources/<seed>.pdf   the same text set on A4 pages, each line of the stored file numbered
                       in the margin (the items' `locator`s give these line numbers)
  images/places-named-in-the-sources.png
                       an illustrative card naming the places the articles mention; it is
                       NOT a map, not to scale and not evidence of location

Every output is deterministic: the PDFs are made with reportlab's `invariant=1` (fixed
creation date and document id) and the PNG carries no time stamp, so a re-run gives
byte-identical files and the sha256 pins in the case stay valid.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

ROOT = Path(__file__).resolve().parent.parent
CASE_ID = "1988-massacre"
SEEDS = ("000_fde17719c94e9e12.txt", "003_81e6a1d7c85d90ca.txt")
DEFAULT_SEED_DIR = Path("/work/shared/seeds")
FONT_DIR = ROOT / "src" / "casefile" / "fonts"
REGULAR = FONT_DIR / "Vazirmatn-Regular.ttf"
BOLD = FONT_DIR / "Vazirmatn-Bold.ttf"

GREY = "#555555"


def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont("Vazirmatn", str(REGULAR)))
    pdfmetrics.registerFont(TTFont("Vazirmatn-Bold", str(BOLD)))
    pdfmetrics.registerFontFamily("Vazirmatn", normal="Vazirmatn", bold="Vazirmatn-Bold",
                                  italic="Vazirmatn", boldItalic="Vazirmatn-Bold")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render_pdf(txt: Path, pdf: Path) -> None:
    """Set the stored text on A4 pages: header line, numbered lines, page numbers."""
    name = txt.name
    header = f"Source copy: {name} — text as stored, for reference"
    text = txt.read_bytes().decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # a final newline ends the last line; it is not a line of its own

    body = ParagraphStyle("body", fontName="Vazirmatn", fontSize=10.5, leading=15.5,
                          leftIndent=14 * mm, bulletIndent=0, bulletFontName="Vazirmatn",
                          bulletFontSize=7.5, spaceAfter=5)
    note = ParagraphStyle("note", fontName="Vazirmatn", fontSize=8, leading=11, textColor=GREY,
                          spaceAfter=2)

    def decorate(canvas, doc):
        canvas.saveState()
        w, h = A4
        canvas.setFont("Vazirmatn-Bold", 9)
        canvas.drawString(20 * mm, h - 14 * mm, header)
        canvas.setLineWidth(0.4)
        canvas.line(20 * mm, h - 16 * mm, w - 20 * mm, h - 16 * mm)
        canvas.setFont("Vazirmatn", 8)
        canvas.setFillColor(GREY)
        canvas.drawCentredString(w / 2, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    flow = [
        Paragraph(escape(f"SHA-256 of the stored file: {sha256(txt)}"), note),
        Paragraph(escape("Each line of the stored file is set as one paragraph, numbered in the "
                         "margin; empty lines are kept as gaps. No title, author, publisher or "
                         "date is given in the stored file."), note),
        Spacer(1, 5 * mm),
    ]
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            flow.append(Paragraph("", body, bulletText=f"{n}"))
            continue
        flow.append(Paragraph(escape(line), body, bulletText=f"{n}"))

    pdf.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(pdf), pagesize=A4, invariant=1,
                            leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=24 * mm, bottomMargin=20 * mm,
                            title=f"Source copy: {name}", author="unknown (stored seed article)",
                            subject="text as stored, for reference",
                            creator="scripts/make_sample_exhibits.py")
    doc.build(flow, onFirstPage=decorate, onLaterPages=decorate)


def render_card(png: Path) -> None:
    """A plain card naming the places the two articles mention. Deliberately not map-like."""
    W, H = 1000, 640
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    f_title = ImageFont.truetype(str(BOLD), 30)
    f_box = ImageFont.truetype(str(BOLD), 24)
    f_small = ImageFont.truetype(str(REGULAR), 18)
    f_warn = ImageFont.truetype(str(BOLD), 20)

    d.rectangle([0, 0, W - 1, H - 1], outline="black", width=3)
    d.text((40, 30), "Places named in the two source articles", font=f_title, fill="black")
    d.rectangle([40, 82, W - 40, 122], fill="#fff2cc", outline="#b38f00", width=2)
    d.text((56, 90), "ILLUSTRATIVE DIAGRAM — NOT TO SCALE — NOT EVIDENCE OF LOCATION",
           font=f_warn, fill="#7a5c00")

    boxes = [
        ("Evin Prison", "“Evin Prison in Tehran” (seed 000)"),
        ("Gohardasht Prison", "seeds 000 and 003"),
        ("Ghezel Hesar Prison", "also spelled “Ghezelhesar” (seed 003)"),
        ("Behesht-e Zahra Cemetery", "seed 000"),
    ]
    bw, bh = 420, 110
    pos = [(40, 160), (540, 160), (40, 320), (540, 320)]
    for (label, sub), (x, y) in zip(boxes, pos):
        d.rectangle([x, y, x + bw, y + bh], outline="black", width=2, fill="#f2f2f2")
        d.text((x + 18, y + 22), label, font=f_box, fill="black")
        d.text((x + 18, y + 66), sub, font=f_small, fill="#333333")

    notes = [
        "The boxes are arranged in a grid for legibility only; their positions say nothing",
        "about where the places are. Other places in the sources: the Joint Committee prison,",
        "Tehran, Urmia, Stockholm, and “at least 110 cities” (seed 000).",
        "Made by scripts/make_sample_exhibits.py for the casefile sample case 1988-massacre.",
    ]
    for i, line in enumerate(notes):
        d.text((40, 470 + i * 32), line, font=f_small, fill="black")

    png.parent.mkdir(parents=True, exist_ok=True)
    img.save(png, format="PNG", optimize=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEED_DIR,
                    help=f"folder holding the seed articles (default: {DEFAULT_SEED_DIR})")
    args = ap.parse_args(argv)

    out = ROOT / "exhibits" / CASE_ID
    sources = out / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    register_fonts()
    for name in SEEDS:
        seed = args.seeds / name
        copy = sources / name
        if seed.is_file():
            if not copy.exists() or copy.read_bytes() != seed.read_bytes():
                shutil.copyfile(seed, copy)
        elif not copy.is_file():
            print(f"seed article not found: {seed} (and no stored copy at {copy})", file=sys.stderr)
            return 1
        # the PDF is always made from the stored copy, so a checkout re-makes it without the seeds
        pdf = copy.with_suffix(".pdf")
        render_pdf(copy, pdf)
        print(f"{pdf.relative_to(ROOT)}  sha256 {sha256(pdf)}")
        print(f"{copy.relative_to(ROOT)}  sha256 {sha256(copy)}")
    png = out / "images" / "places-named-in-the-sources.png"
    render_card(png)
    print(f"{png.relative_to(ROOT)}  sha256 {sha256(png)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
