"""Which page of an exhibit PDF holds each of its numbered lines (a transcript, a stored copy of
an article set with its lines numbered in the margin), so a locator naming a line can link to
its page.

The numbers are read from the page text: a line number starts a text line, and the numbers run
up from 1 through the file, by small steps (a few numbers may be missing where the text
extraction merges lines); any other number at the start of a text line (a year, a figure) is
not taken for a line number.
"""

from __future__ import annotations

import re
from pathlib import Path

from casefile.pdf.exhibits import open_pdf
from casefile.pdf.limits import guard, pdf_limits

_LEADING = re.compile(r"(?m)^\s*(\d{1,6})(?=\s|$)")
MAX_STEP = 3


def line_pages(path: Path) -> dict[int, int]:
    """{line number: 1-based page} for the numbered lines of the PDF at `path` (empty when its
    lines are not numbered)."""
    out: dict[int, int] = {}
    last = 0
    with pdf_limits():
        reader = open_pdf(path)
        for index in range(len(reader.pages)):
            text = guard(path, lambda: reader.pages[index].extract_text() or "", page=index + 1)
            for m in _LEADING.finditer(text):
                n = int(m.group(1))
                if last < n <= last + MAX_STEP:
                    out[n] = index + 1
                    last = n
    return out
