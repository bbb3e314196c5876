"""Right-to-left (Persian / Arabic) text support for reportlab.

reportlab has no usable bidi support of its own (``wordWrap='RTL'`` silently
does nothing without the uninstallable ``rlbidi``) and it draws the characters
of a string strictly left to right, one glyph per character, without any
OpenType shaping.  This module does the missing work itself:

1. **Shaping** -- :mod:`arabic_reshaper` replaces every Arabic-script letter
   by the presentation form (isolated / initial / medial / final, lam-alef
   ligature) that the joining context requires.  The configuration keeps
   harakat (tanwin in ``فوراً``, the hamza of ``خانهٔ``) instead of deleting
   them, and writes ``الله`` out letter by letter (names such as ``روح‌الله``
   must not turn into the U+FDF2 word sign).  ZWNJ (U+200C, *nim-fasele*)
   is not a letter for the reshaper, so it breaks the joining exactly as
   Persian orthography needs (``می‌خواهم``, ``کتاب‌ها``); it is kept in the
   text and drawn with the font's zero-width glyph, so it survives copying.
   Presentation forms that the font lacks fall back to the plain letter.
2. **Line breaking** in *logical* order, at spaces, measuring the shaped text
   with :func:`reportlab.pdfbase.pdfmetrics.stringWidth`.
3. **Reordering** of every line with the Unicode bidi algorithm of
   python-bidi's pure-python implementation (``bidi.algorithm``; the default
   Rust ``bidi.get_display`` does not mirror brackets).  The resolved levels
   are used directly so that every glyph keeps the index of its logical
   character.

How an RTL line is written into the PDF
---------------------------------------
Glyphs are *placed* in visual order (the line reads correctly, right-aligned
by default), but they are *written* to the content stream in reverse logical
order -- a "reverse-order show string" (ISO 32000-1, 14.8.2.3.3) -- with a
text-positioning operator wherever the next written glyph is not the visual
neighbour of the previous one (a number inside Persian text is written right
to left).  Bracket-like characters (``( ) [ ] { } « »``...) that bidi rule
L4 mirrors are drawn with a twin of the font whose cmap swaps each mirror
pair, so the *glyph* is mirrored while the character code (and with it the
ToUnicode entry) stays the logical one.  Every line is also wrapped in a
``/Span << /ActualText (...) >> BDC ... EMC`` marked-content sequence that
carries the logical text of the line.

What text extraction yields (verified by ``tests/test_rtl.py``):

* poppler (``pdftotext``), Acrobat and other ActualText-aware tools return
  the logical source text of each line exactly, ZWNJ included.
* pypdf ignores ActualText and reverses runs of Arabic-script characters and
  of the characters it treats as neutral (ASCII punctuation, spaces, Persian
  and Arabic-Indic digits, U+2000-U+206F).  For lines made of such
  characters -- Persian words, Persian digits, ``( ) [ ] . ، ؛ ؟``, ZWNJ --
  it therefore returns the logical text, in presentation forms (normalise
  with NFKC) and with the ZWNJ in place.  Lines that also contain characters
  pypdf treats as left-to-right (Latin letters, ASCII digits, ``« »``)
  come out with their directional runs in reverse order; that is a pypdf
  limitation which no glyph order can avoid.

Public API
----------
``FONT_REGULAR``, ``FONT_BOLD``, :func:`register_fonts`, :func:`is_rtl_char`,
:func:`has_rtl`, :func:`is_mainly_rtl`, :func:`shape`, :func:`visual_line`,
:func:`ltr_visual`, :func:`missing_glyphs` and the flowable
:class:`RTLParagraph`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from arabic_reshaper import ArabicReshaper
from bidi import algorithm as _bidi
from bidi.mirror import MIRRORED as _MIRRORED
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

__all__ = [
    "FONT_BOLD",
    "FONT_DIR",
    "FONT_REGULAR",
    "RTLParagraph",
    "has_rtl",
    "is_mainly_rtl",
    "is_rtl_char",
    "ltr_visual",
    "missing_glyphs",
    "register_fonts",
    "shape",
    "visual_line",
]

FONT_REGULAR = "Vazirmatn"
FONT_BOLD = "Vazirmatn-Bold"
FONT_DIR = Path(__file__).parent / "fonts"
_FONT_FILES = {
    FONT_REGULAR: "Vazirmatn-Regular.ttf",
    FONT_BOLD: "Vazirmatn-Bold.ttf",
}

#: Suffix of the internal twin fonts whose cmap swaps bidi mirror pairs.
_MIRROR_SUFFIX = "-RTLMirror"

_ZWNJ = "\u200c"
_ZWJ = "\u200d"

# Arabic presentation forms (A and B) as produced by the reshaper.
_PRESENTATION_FORMS = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))

# Whitespace at which lines may be broken: every whitespace character except
# the no-break spaces (NBSP, figure space, narrow NBSP).  Newlines are handled
# before this is applied.
_BREAKABLE_SPACE_RE = re.compile(r"[^\S\u00a0\u2007\u202f]+")
_NEWLINE_RE = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")

_register_lock = threading.RLock()


# --------------------------------------------------------------------------
# fonts


def register_fonts() -> None:
    """Register Vazirmatn regular and bold with reportlab (idempotent).

    Both TTFs are embedded as subsets (reportlab's default for ``TTFont``).
    The font family ``Vazirmatn`` maps ``<b>`` to the bold face and ``<i>`` to
    the regular face (Vazirmatn has no italic), so the fonts can also be used
    in ordinary :class:`reportlab.platypus.Paragraph` markup.
    """
    with _register_lock:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in _FONT_FILES.items():
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        pdfmetrics.registerFontFamily(
            FONT_REGULAR,
            normal=FONT_REGULAR,
            bold=FONT_BOLD,
            italic=FONT_REGULAR,
            boldItalic=FONT_BOLD,
        )


def _ttfont(font_name: str) -> TTFont:
    """Return the registered TrueType font ``font_name``.

    Our own fonts are registered on demand; any other font must have been
    registered by the caller.
    """
    if font_name in _FONT_FILES:
        register_fonts()
    font = pdfmetrics.getFont(font_name)
    if not isinstance(font, TTFont):
        raise TypeError(f"font {font_name!r} is not a TrueType font (got {type(font).__name__})")
    return font


def _cmap(font_name: str) -> dict[int, int]:
    return _ttfont(font_name).face.charToGlyph


def _mirror_font(font_name: str) -> str | None:
    """Name of the twin of ``font_name`` whose cmap swaps bidi mirror pairs.

    In the twin, the code of ``(`` is mapped to the glyph (and width) of
    ``)`` and vice versa, and likewise for every other pair of
    Bidi_Mirroring_Glyph characters that the font has both of.  Drawing the
    *logical* character with the twin shows the mirrored glyph while the
    PDF's ToUnicode map still says ``(``.  Returns ``None`` when the font file
    cannot be reloaded (fonts loaded from file objects).
    """
    twin_name = font_name + _MIRROR_SUFFIX
    with _register_lock:
        if twin_name in pdfmetrics.getRegisteredFontNames():
            return twin_name
        base = _ttfont(font_name)
        filename = getattr(base.face, "filename", None)
        if not filename or not Path(filename).is_file():
            return None
        twin = TTFont(twin_name, filename)
        face = twin.face
        # A distinct face name keeps reportlab from aliasing the twin to the
        # original font and gives the embedded subsets distinct PDF names.
        face.name = face.name + _MIRROR_SUFFIX.encode("ascii")
        c2g = dict(face.charToGlyph)
        widths = dict(face.charWidths)
        for ch, partner in _MIRRORED.items():
            a, b = ord(ch), ord(partner)
            if a in c2g and b in c2g:
                face.charToGlyph[a] = c2g[b]
                face.charWidths[a] = widths.get(b, face.defaultWidth)
        pdfmetrics.registerFont(twin)
        return twin_name


# --------------------------------------------------------------------------
# character classification


def is_rtl_char(ch: str) -> bool:
    """True for a strong right-to-left character (bidi class R or AL)."""
    return unicodedata.bidirectional(ch) in ("R", "AL")


def has_rtl(text: str) -> bool:
    """True if ``text`` contains at least one strong right-to-left character."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


_ISOLATE_OPEN = {"\u2066", "\u2067", "\u2068"}  # LRI, RLI, FSI
_ISOLATE_CLOSE = "\u2069"  # PDI


def is_mainly_rtl(text: str) -> bool:
    """Paragraph base direction per UAX #9 rules P2/P3.

    True when the first strong character (L, R or AL; text inside directional
    isolates is skipped) is right-to-left.  Text without any strong character
    is left-to-right.
    """
    depth = 0
    for ch in text:
        if ch in _ISOLATE_OPEN:
            depth += 1
            continue
        if ch == _ISOLATE_CLOSE:
            depth = max(0, depth - 1)
            continue
        if depth:
            continue
        bidi_class = unicodedata.bidirectional(ch)
        if bidi_class in ("R", "AL"):
            return True
        if bidi_class == "L":
            return False
    return False


def _is_invisible(ch: str) -> bool:
    """Whitespace, control and format characters (ZWNJ, ZWJ, LRM, RLM...)."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


# --------------------------------------------------------------------------
# shaping

# The reshaper's "Arabic" language covers Persian (پ چ ژ گ ک ی); what matters
# for Persian is the rest of the configuration, see the module docstring.
_RESHAPER = ArabicReshaper(
    configuration={
        "language": "Arabic",
        "delete_harakat": False,
        "shift_harakat_position": False,
        "delete_tatweel": False,
        "support_zwj": True,
        "support_ligatures": True,
        "ARABIC LIGATURE ALLAH": False,
    }
)


def _in_presentation_forms(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _PRESENTATION_FORMS)


@lru_cache(maxsize=8192)
def _shape_cached(text: str, font_name: str | None) -> str:
    shaped = _RESHAPER.reshape(text)
    if font_name is None:
        return shaped
    cmap = _cmap(font_name)
    out = []
    for ch in shaped:
        cp = ord(ch)
        if cp not in cmap and _in_presentation_forms(cp):
            plain = unicodedata.normalize("NFKC", ch)
            if all(ord(c) in cmap for c in plain):
                out.append(plain)
                continue
        out.append(ch)
    return "".join(out)


def shape(text: str, font_name: str | None = FONT_REGULAR) -> str:
    """Reshape Arabic-script letters of ``text`` into presentation forms.

    The result is still in logical order.  With a ``font_name``, presentation
    forms missing from that font are replaced by the plain letter (which the
    font draws in its isolated shape) rather than left to render as boxes.
    Text without RTL characters is returned unchanged.
    """
    if not has_rtl(text):
        return text
    return _shape_cached(text, font_name)


# --------------------------------------------------------------------------
# bidi reordering


def _visual_order(text: str, base_level: int) -> list[tuple[int, int]]:
    """Reorder one line with the Unicode bidi algorithm.

    Returns ``(logical_index, embedding_level)`` for every character of
    ``text``, in visual order (left to right).  Characters that rule X9
    removes (ZWNJ, ZWJ, embedding controls) are put back next to their
    logical predecessor, so nothing is lost.  Mirroring (rule L4) is left to
    the caller: a character at an odd level with a Bidi_Mirrored property
    must be shown mirrored.
    """
    if not text:
        return []
    storage = _bidi.get_empty_storage()
    storage["base_level"] = base_level
    storage["base_dir"] = ("L", "R")[base_level]
    _bidi.get_embedding_levels(text, storage)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index
    _bidi.explicit_embed_and_overrides(storage)
    kept = {char["index"] for char in storage["chars"]}
    _bidi.resolve_weak_types(storage)
    _bidi.resolve_neutral_types(storage, False)
    _bidi.resolve_implicit_levels(storage, False)
    _bidi.reorder_resolved_levels(storage, False)
    order = [(char["index"], char["level"]) for char in storage["chars"]]

    removed = [i for i in range(len(text)) if i not in kept]
    for i in removed:
        position = {index: pos for pos, (index, _) in enumerate(order)}
        if i - 1 in position:
            pos = position[i - 1]
            level = order[pos][1]
            # Logically "after" the predecessor: to its left in an RTL run.
            order.insert(pos if level % 2 else pos + 1, (i, level))
        else:
            # Nothing before it on the line: put it at the line start.
            order.insert(len(order) if base_level % 2 else 0, (i, base_level))
    return order


def _mirror_char(ch: str, level: int) -> str:
    return _MIRRORED.get(ch, ch) if level % 2 and unicodedata.mirrored(ch) else ch


def visual_line(text: str, base_dir: str = "R", font_name: str | None = FONT_REGULAR) -> str:
    """Reshape and reorder one line of text into visual (left-to-right) order.

    ``base_dir`` is the paragraph direction: ``"R"`` (default) for an RTL
    paragraph, ``"L"`` for an LTR paragraph with embedded RTL runs.  Mirrored
    characters are replaced by their mirror partner (``(`` <-> ``)``), so the
    string can be drawn as is with ``canvas.drawString``.
    """
    if base_dir not in ("L", "R"):
        raise ValueError(f"base_dir must be 'L' or 'R', not {base_dir!r}")
    shaped = shape(text, font_name)
    order = _visual_order(shaped, 1 if base_dir == "R" else 0)
    return "".join(_mirror_char(shaped[i], level) for i, level in order)


def ltr_visual(text: str, font_name: str | None = FONT_REGULAR) -> str:
    """Prepare a left-to-right paragraph with embedded RTL runs for reportlab.

    The RTL runs (Persian names, quotations) are reshaped and reversed in
    place so that reportlab's normal left-to-right ``Paragraph`` shows them
    correctly; the order of the LTR text is untouched.  Spaces *inside* an
    RTL run become no-break spaces, so ``Paragraph`` never wraps a run across
    lines (which would put its words on the wrong lines).  Newlines are kept.

    Pass plain text and escape it for Paragraph markup afterwards (escaping is
    per character, so it commutes with reordering).  Markup tags are left
    intact when they sit at run boundaries (``<b>روح‌الله</b>``), not inside
    an RTL run.  Text without RTL characters is returned unchanged.
    """
    if not has_rtl(text):
        return text
    return "\n".join(_ltr_visual_line(line, font_name) for line in text.split("\n"))


def _ltr_visual_line(line: str, font_name: str | None) -> str:
    if not has_rtl(line):
        return line
    shaped = shape(line, font_name)
    order = _visual_order(shaped, 0)
    out = []
    for pos, (i, level) in enumerate(order):
        ch = _mirror_char(shaped[i], level)
        if ch == " " and level % 2:
            # A space inside an RTL run (its neighbours are at the same odd
            # level) must not become a line-break opportunity.
            left = order[pos - 1][1] if pos else 0
            right = order[pos + 1][1] if pos + 1 < len(order) else 0
            if left % 2 and right % 2:
                ch = "\u00a0"
        out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------
# missing glyphs


def missing_glyphs(text: str, font_name: str = FONT_REGULAR) -> list[str]:
    """Characters of ``text`` that ``font_name`` has no glyph for.

    The check is made after reshaping (so presentation forms count), and
    ignores whitespace, control and format characters (ZWNJ, ZWJ, LRM, RLM,
    bidi embeddings and isolates), which are never drawn.  The characters are
    returned distinct, in order of first appearance, e.g. ``['😀', '中']``.
    """
    cmap = _cmap(font_name)
    missing: dict[str, None] = {}
    for ch in shape(text, font_name):
        if ch in missing or _is_invisible(ch) or ord(ch) in cmap:
            continue
        missing[ch] = None
    return list(missing)


# --------------------------------------------------------------------------
# RTL line layout and drawing


@dataclass(frozen=True)
class _Glyph:
    char: str  # character code written to the PDF
    font: str  # font to draw it with
    x: float  # left edge, relative to the line's left end
    width: float
    logical: int  # index in the logical line


@dataclass(frozen=True)
class _LineLayout:
    glyphs: tuple[_Glyph, ...]
    width: float


def _layout_rtl_line(text: str, font_name: str, font_size: float) -> _LineLayout:
    """Shape, reorder and place the glyphs of one RTL line."""
    cmap = _cmap(font_name)
    shaped = shape(text, font_name)
    twin = None
    glyphs = []
    x = 0.0
    for index, level in _visual_order(shaped, 1):
        ch = shaped[index]
        font = font_name
        if level % 2 and unicodedata.mirrored(ch) and ch in _MIRRORED:
            twin = twin or _mirror_font(font_name)
            partner = _MIRRORED[ch]
            if twin is not None and ord(partner) in cmap and ord(ch) in cmap:
                font = twin
            else:
                ch = partner
        if _is_invisible(ch) and ch != " " and ord(ch) not in cmap:
            continue  # a format character the font cannot draw: skip it
        width = pdfmetrics.stringWidth(ch, font, font_size)
        glyphs.append(_Glyph(ch, font, x, width, index))
        x += width
    return _LineLayout(tuple(glyphs), x)


def _pdf_text_string(text: str) -> str:
    """A PDF hex text string (UTF-16BE with BOM) for ``text``."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _draw_rtl_line(canv, layout: _LineLayout, x_left: float, y: float, font_size: float,
                   actual_text: str) -> None:
    """Draw a laid-out RTL line with its left end at ``x_left``.

    Glyphs are written in reverse logical order (see the module docstring),
    batched into one show string wherever consecutive glyphs are visual
    neighbours in the same font.
    """
    if not layout.glyphs:
        return
    canv.addLiteral(f"/Span <</ActualText {_pdf_text_string(actual_text)}>> BDC")
    text_object = canv.beginText()
    pen_x = None
    current_font = None
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            text_object.textOut("".join(chunk))
            chunk.clear()

    for glyph in sorted(layout.glyphs, key=lambda g: -g.logical):
        x = x_left + glyph.x
        if glyph.font != current_font:
            flush()
            text_object.setFont(glyph.font, font_size)
            current_font = glyph.font
        if pen_x is None or abs(x - pen_x) > 1e-6:
            flush()
            text_object.setTextOrigin(x, y)
        chunk.append(glyph.char)
        pen_x = x + glyph.width
    flush()
    canv.drawText(text_object)
    canv.addLiteral("EMC")


# --------------------------------------------------------------------------
# line breaking


@dataclass(frozen=True)
class _Line:
    text: str  # logical text of the line
    end: str  # what separated it from the next line: " ", "\n" or ""


def _clusters(word: str) -> list[str]:
    """Split a word into grapheme-like clusters (base + combining marks/joiners)."""
    clusters: list[str] = []
    for ch in word:
        if clusters and (unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me")
                         or ch in (_ZWJ, _ZWNJ)):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _break_lines(text: str, font_name: str, font_size: float, max_width: float) -> list[_Line]:
    """Break ``text`` into lines no wider than ``max_width`` (logical order)."""

    def width(s: str) -> float:
        return pdfmetrics.stringWidth(shape(s, font_name), font_name, font_size)

    space = width(" ")
    lines: list[_Line] = []
    hard_lines = _NEWLINE_RE.sub("\n", text).split("\n")
    for n, hard_line in enumerate(hard_lines):
        words = [w for w in _BREAKABLE_SPACE_RE.split(hard_line) if w]
        current: list[str] = []
        current_width = 0.0

        def emit(end: str) -> None:
            nonlocal current, current_width
            lines.append(_Line(" ".join(current), end))
            current, current_width = [], 0.0

        for word in words:
            word_width = width(word)
            needed = word_width + (space if current else 0.0)
            if current_width + needed <= max_width + 1e-6:
                current.append(word)
                current_width += needed
                continue
            if current:
                emit(" ")
            if word_width <= max_width + 1e-6:
                current, current_width = [word], word_width
                continue
            # A single word wider than the line: break it between clusters.
            piece = ""
            for cluster in _clusters(word):
                if piece and width(piece + cluster) > max_width + 1e-6:
                    current = [piece]
                    emit("")
                    piece = ""
                piece += cluster
            current, current_width = [piece], width(piece)
        lines.append(_Line(" ".join(current), "\n" if n < len(hard_lines) - 1 else ""))
    return lines


def _join_lines(lines: list[_Line]) -> str:
    if not lines:
        return ""
    return "".join(line.text + line.end for line in lines[:-1]) + lines[-1].text


# --------------------------------------------------------------------------
# the flowable


class RTLParagraph(Flowable):
    """A right-to-left paragraph of plain text (no markup).

    The text is reshaped, broken into lines in logical order at the available
    width (at spaces; a word longer than a line is broken between letters),
    and every line is reordered for display and drawn right-aligned (or left /
    centred with ``align``).  Lines run top to bottom in logical order.
    Explicit newlines are kept as line breaks inside the paragraph.  The
    paragraph splits between lines, so long texts flow over several pages.
    """

    _ALIGNMENTS = ("right", "left", "center", "centre")

    def __init__(
        self,
        text: str,
        font_name: str,
        font_size: float,
        leading: float,
        space_after: float = 0,
        align: str = "right",
    ) -> None:
        super().__init__()
        align = align.lower()
        if align not in self._ALIGNMENTS:
            raise ValueError(f"align must be one of {self._ALIGNMENTS}, not {align!r}")
        if leading <= 0 or font_size <= 0:
            raise ValueError("font_size and leading must be positive")
        _ttfont(font_name)  # fail early on unknown or non-TrueType fonts
        self.text = text
        self.font_name = font_name
        self.font_size = font_size
        self.leading = leading
        self.align = align
        self.spaceBefore = 0
        self.spaceAfter = space_after
        self._lines: list[_Line] | None = None
        self._lines_width: float | None = None
        self.width = 0.0
        self.height = 0.0

    def __repr__(self) -> str:
        preview = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return f"RTLParagraph({preview!r}, {self.font_name!r}, {self.font_size})"

    @property
    def space_after(self) -> float:
        return self.spaceAfter

    def lines(self, avail_width: float) -> list[str]:
        """The logical text of each line when laid out at ``avail_width``."""
        return [line.text for line in self._get_lines(avail_width)]

    def _get_lines(self, avail_width: float) -> list[_Line]:
        if self._lines is None or self._lines_width != avail_width:
            if not self.text.strip():
                self._lines = []
            else:
                self._lines = _break_lines(self.text, self.font_name, self.font_size, avail_width)
            self._lines_width = avail_width
        return self._lines

    def _with_lines(self, lines: list[_Line], avail_width: float, space_after: float) -> RTLParagraph:
        part = RTLParagraph(_join_lines(lines), self.font_name, self.font_size, self.leading,
                            space_after, self.align)
        part._lines = list(lines)
        part._lines_width = avail_width
        return part

    def wrap(self, availWidth, availHeight):  # noqa: N803 (reportlab API)
        lines = self._get_lines(availWidth)
        self.width = availWidth
        self.height = len(lines) * self.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803 (reportlab API)
        lines = self._get_lines(availWidth)
        fitting = int((availHeight + 1e-6) // self.leading)
        if fitting <= 0 or not lines:
            return []
        if fitting >= len(lines):
            return [self]
        return [
            self._with_lines(lines[:fitting], availWidth, 0),
            self._with_lines(lines[fitting:], availWidth, self.spaceAfter),
        ]

    def draw(self) -> None:
        lines = self._get_lines(self.width)
        canv = self.canv
        for n, line in enumerate(lines):
            layout = _layout_rtl_line(line.text, self.font_name, self.font_size)
            if self.align == "right":
                x_left = self.width - layout.width
            elif self.align == "left":
                x_left = 0.0
            else:
                x_left = (self.width - layout.width) / 2
            # Same first-baseline convention as reportlab's Paragraph.
            y = self.height - self.font_size - n * self.leading
            _draw_rtl_line(canv, layout, x_left, y, self.font_size, line.text)
