"""What the confidential edition marks: every passage and name the public edition replaces or
removes (carried through the text between MARK_OPEN and MARK_CLOSE, see case/body.py) is
highlighted and gets a margin note, "replaced in the public edition"; an element of the
template markup with a `note` attribute (a withheld item or file) gets that note.

`to_elements` turns the marks in the parsed template markup into `<mark>` elements (and drops
them from attributes: bookmarks, running heads and link keys carry plain text); `Noted` draws a
flowable with a rule and its note in the right margin, beside it (drawn when the page ends)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from casefile.case.body import MARK_CLOSE, MARK_OPEN, strip_marks
from casefile.dossier.editions import REPLACED_NOTE
from casefile.typeset import rtl

NOTE_COLOUR = colors.HexColor("#a50e0e")
NOTE_SIZE = 5.2
# elements a note can stand beside: the blocks of the markup and table cells
_BLOCKS = frozenset({"p", "h1", "h2", "h3", "quote", "li", "td", "entry"})


def _pieces(text: str) -> list[tuple[str, bool]]:
    """(piece, marked) pieces of a text with marks (an unclosed mark runs to the end)."""
    out, buf, inside = [], [], False
    for ch in text:
        if ch in (MARK_OPEN, MARK_CLOSE):
            if buf:
                out.append(("".join(buf), inside))
                buf = []
            inside = ch == MARK_OPEN
        else:
            buf.append(ch)
    if buf:
        out.append(("".join(buf), inside))
    return out


def _has(text: str | None) -> bool:
    return bool(text) and (MARK_OPEN in text or MARK_CLOSE in text)


def to_elements(root: ET.Element) -> ET.Element:
    """Marks in the text of `root` become `<mark>` elements; the nearest block around each gets
    `note="replaced in the public edition"`; marks in attributes are dropped."""
    parents = {child: parent for parent in root.iter() for child in parent}

    def noted(el):
        while el is not None and el.tag not in _BLOCKS:
            el = parents.get(el)
        if el is not None and not el.get("note"):
            el.set("note", REPLACED_NOTE)

    def build(pieces) -> tuple[str, list[ET.Element]]:
        lead, made = "", []
        for piece, marked in pieces:
            if marked:
                m = ET.Element("mark")
                m.text = piece
                made.append(m)
            elif made:
                made[-1].tail = (made[-1].tail or "") + piece
            else:
                lead += piece
        return lead, made

    for el in list(root.iter()):
        for k, v in el.attrib.items():
            if _has(v):
                el.set(k, strip_marks(v))
        if el.tag == "mark":
            if _has(el.text):
                el.text = strip_marks(el.text)
        elif _has(el.text):
            el.text, made = build(_pieces(el.text))
            for i, m in enumerate(made):
                el.insert(i, m)
            if made:
                noted(el)
        if _has(el.tail):
            parent = parents.get(el)
            if parent is None:
                el.tail = strip_marks(el.tail)
                continue
            el.tail, made = build(_pieces(el.tail))
            at = list(parent).index(el) + 1
            for i, m in enumerate(made):
                parent.insert(at + i, m)
            if made:
                noted(parent)
    return root


def note_lines(note: str, width: float) -> list[str]:
    lines, line = [], ""
    for word in note.split():
        trial = f"{line} {word}".strip()
        if line and stringWidth(trial, rtl.FONT_REGULAR, NOTE_SIZE) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


def margin_note(c, note: str, top: float, bottom: float):
    """A margin note beside the box from `top` to `bottom` (current coordinates) of the page
    being drawn: collected, and drawn when the page ends (`draw_notes`), after everything
    else, so that the page's text reads on without it."""
    _, y1 = c.absolutePosition(0, top)
    _, y0 = c.absolutePosition(0, bottom)
    c.__dict__.setdefault("casefile_notes", []).append((max(y0, y1), min(y0, y1), note))


def draw_notes(c, x: float, width: float):
    """Draw the page's margin notes at `x` (page coordinates): a rule beside each noted box and
    its note, unless the note just above already says it and would overlap."""
    notes = c.__dict__.pop("casefile_notes", [])
    if not notes:
        return
    c.saveState()
    c.setStrokeColor(NOTE_COLOUR)
    c.setFillColor(NOTE_COLOUR)
    c.setLineWidth(1.1)
    c.setFont(rtl.FONT_REGULAR, NOTE_SIZE)
    free_below = None  # the lowest y of the text drawn so far
    for top, bottom, note in sorted(notes, key=lambda n: -n[0]):
        c.line(x, bottom, x, top)
        lines = note_lines(note, width)
        if free_below is not None and top > free_below:
            continue  # would overlap the note above: the rule alone marks this box
        y = top - NOTE_SIZE
        for line in lines:
            c.drawString(x + 2.5, y, line)
            y -= NOTE_SIZE * 1.15
        free_below = y
    c.restoreState()


class Noted(Flowable):
    """A flowable with a margin note beside it (in the right margin, whatever its indent)."""

    def __init__(self, inner: Flowable, note: str):
        super().__init__()
        self.inner, self.note = inner, note
        self.keepWithNext = inner.getKeepWithNext()

    def wrap(self, aw, ah):
        self.width, self.height = self.inner.wrap(aw, ah)
        return self.width, self.height

    def split(self, aw, ah):
        return [Noted(p, self.note) for p in self.inner.split(aw, ah)]

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def draw(self):
        self.inner.drawOn(self.canv, 0, 0)
        margin_note(self.canv, self.note, self.height, 0)
