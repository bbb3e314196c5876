"""The invisible text layer of an OCR'd page (a scan or a photo), drawn over the page's image
where it is placed in the dossier.

Each line Tesseract read (intake/ocr.py: plain data, in logical order, with its box in the
pixels of the image it read) is written once, invisibly (text render mode 3), at its box: the
font size from the box's height, stretched horizontally to the box's width. Left-to-right
lines are written as they are; right-to-left lines are written by rtl.draw_line, the way every
Persian line of the dossier is, so that pypdf and pdftotext give the words back in logical
order. Lines are written in reading order. The text is then found by search, copy, the
public leak check and anything else that reads the PDF's text.
"""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth

from casefile.typeset import rtl

NOTE = "text layer machine-read (OCR)"  # added to the exhibit stamp of each OCR'd page


def printable_text(text: str) -> str:
    for ch in rtl.missing_glyphs(text):
        text = text.replace(ch, "\ufffd")
    return text


def draw_text_layer(c, page, box: tuple[float, float, float, float]):
    """Draw `page` (an OcrPage) invisibly into `box` (x, y, w, h: where its image is drawn)."""
    if not page.lines or not page.width or not page.height:
        return
    x, y, w, h = box
    sx, sy = w / page.width, h / page.height
    font = rtl.FONT_REGULAR
    c.saveState()
    c.addLiteral("3 Tr")  # invisible (kept until restoreState, across text objects)
    for line in page.lines:
        text = printable_text(" ".join(line.text.split()))
        if not text:
            continue
        height = max((line.bottom - line.top) * sy, 1.0)
        size = height
        left = x + line.left * sx
        width = max((line.right - line.left) * sx, 1.0)
        baseline = y + h - line.bottom * sy + 0.2 * height
        if rtl.has_rtl(text) and rtl.is_mainly_rtl(text):
            natural = rtl.line_width(text, size, font) or width
            c.saveState()
            c.translate(left, baseline)
            c.scale(width / natural, 1)
            rtl.draw_line(c, text, 0, 0, size, font)
            c.restoreState()
        else:
            natural = stringWidth(text, font, size) or width
            t = c.beginText(left, baseline)
            t.setTextRenderMode(3)
            t.setFont(font, size)
            t.setHorizScale(100 * width / natural)
            t.textOut(text)
            t.setHorizScale(100)
            c.drawText(t)
    c.restoreState()
