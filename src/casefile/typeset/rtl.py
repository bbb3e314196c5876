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
by default), but they are *written* to the content stream in an order chosen
so that text extraction gives back the logical text (see
:func:`_emission_plan`): runs of Arabic-script text are written in reverse
logical order (a "reverse-order show string", ISO 32000-1 14.8.2.3.3), each
run starts with a fresh font selection, numbers and Latin words are written
so that they come out in reading order, and every positioning jump goes
leftwards so that it is never mistaken for a word gap.  Bracket-like
characters (``( ) [ ] { } « »``...) that bidi rule L4 mirrors are drawn with
a twin of the font whose cmap swaps each mirror pair, so the *glyph* is
mirrored while the character code -- and with it the PDF's ToUnicode entry --
stays the logical one.

What text extraction yields (verified by ``tests/test_rtl.py``):

* pypdf (``page.extract_text()``) returns every RTL line in logical order:
  words, Persian and ASCII digits, brackets (``(`` stays the opening
  bracket), ``« »``, embedded Latin words, and ZWNJ at its place.  Letters
  come back as the ordinary letters (the ToUnicode maps give each presentation
  form its letter: typeset/fastpath.py), except lam-alef ligatures, which keep
  their presentation form; normalise with NFKC to compare those.
* poppler (``pdftotext``) orders glyphs by position and applies its own bidi
  heuristics: pure Persian lines come back in logical order; around numbers
  it wraps digit runs in LRE/PDF marks and may attach an adjacent bracket to
  the number.
* No ``/ActualText`` is written: poppler 22 reverses RTL ActualText, which
  would make its output worse.

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
from typing import NamedTuple

from arabic_reshaper import ArabicReshaper
from bidi import algorithm as _bidi
from bidi.mirror import MIRRORED as _MIRRORED
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

from casefile.typeset import fastpath

__all__ = [
    "FONT_BOLD",
    "FONT_DIR",
    "FONT_REGULAR",
    "RTLParagraph",
    "draw_line",
    "has_rtl",
    "is_mainly_rtl",
    "is_rtl_char",
    "line_width",
    "ltr_visual",
    "missing_glyphs",
    "register_fonts",
    "shape",
    "visual_line",
]

FONT_REGULAR = "Vazirmatn"
FONT_BOLD = "Vazirmatn-Bold"
FONT_DIR = Path(__file__).parent.parent / "fonts"
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

# Tolerance for width comparisons (points).
_EPSILON = 1e-6


# --------------------------------------------------------------------------
# fonts


def register_fonts() -> None:
    """Register Vazirmatn regular and bold with reportlab (idempotent).

    Both TTFs are embedded as subsets (reportlab's default for ``TTFont``).
    The font family ``Vazirmatn`` maps ``<b>`` to the bold face and ``<i>`` to
    the regular face (Vazirmatn has no italic), so the fonts can also be used
    in ordinary :class:`reportlab.platypus.Paragraph` markup.
    """
    fastpath.map_presentation_forms_to_letters()  # copy and search give ordinary letters, not U+FExx forms
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
    if font_name in _FONT_FILES and font_name not in pdfmetrics.getRegisteredFontNames():
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


# every strong right-to-left character lies in these blocks (a prefilter: most text has none)
_RTL_BLOCKS = re.compile("[\u200f\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]")


def has_rtl(text: str) -> bool:
    """True if ``text`` contains at least one strong right-to-left character."""
    if text.isascii():
        return False
    for m in _RTL_BLOCKS.finditer(text):  # only the characters of the RTL blocks are looked up
        if unicodedata.bidirectional(m.group()) in ("R", "AL"):
            return True
    return False


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
    """Characters that are never drawn as a glyph of their own.

    Whitespace, control and format characters (ZWNJ, ZWJ, LRM, RLM, ALM, bidi
    embeddings and isolates) and variation selectors.
    """
    cp = ord(ch)
    return (
        ch.isspace()
        or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
        or 0xFE00 <= cp <= 0xFE0F
        or 0xE0100 <= cp <= 0xE01EF
    )


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


_ISOLATES_AS_EMBEDDINGS = {0x2066: 0x202A, 0x2067: 0x202B, 0x2068: 0x202B, 0x2069: 0x202C}  # LRI RLI FSI PDI


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
    # python-bidi's legacy algorithm predates the isolates (UAX#9 6.3) and fails on them: read
    # each as the embedding it approximates (same length, so indices are unchanged)
    text = text.translate(_ISOLATES_AS_EMBEDDINGS)
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

    Text extraction (pypdf, poppler) gives the English in order and each RTL
    run in logical order, but a space or bracket next to an RTL run may come
    out on the other side of the run.
    """
    if not has_rtl(text):
        return text
    return _ltr_visual_cached(text, font_name)


@lru_cache(maxsize=4096)
def _ltr_visual_cached(text: str, font_name: str | None) -> str:
    """The same strings come back on every page (running heads, footers, names): shaped once."""
    return "\n".join(_ltr_visual_line(line, font_name) for line in text.split("\n"))


def _ltr_visual_line(line: str, font_name: str | None) -> str:
    if not has_rtl(line):
        return line
    shaped = shape(line, font_name)
    order = _visual_order(shaped, 0)
    out = []
    for pos, (i, level) in enumerate(order):
        ch = _mirror_char(shaped[i], level)
        if ch == " " and level > 0:
            # A space inside an RTL run (it and both neighbours are above the
            # paragraph level 0) must not become a line-break opportunity.
            left = order[pos - 1][1] if pos else 0
            right = order[pos + 1][1] if pos + 1 < len(order) else 0
            if left > 0 and right > 0:
                ch = "\u00a0"
        out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------
# missing glyphs


def missing_glyphs(text: str, font_name: str = FONT_REGULAR) -> list[str]:
    """Characters of ``text`` that ``font_name`` has no glyph for.

    The check is made after reshaping (so presentation forms count; one the
    font lacks is reported as the letter of ``text`` it stands for), and
    ignores whitespace, control and format characters (ZWNJ, ZWJ, LRM, RLM,
    bidi embeddings and isolates), which are never drawn.  The characters are
    returned distinct, in order of first appearance, e.g. ``['😀', '中']``.
    ``font_name`` must be a registered TrueType font (``TypeError`` otherwise).
    """
    cmap = _cmap(font_name)
    if not has_rtl(text):  # nothing to reshape: each distinct character once
        return [ch for ch in dict.fromkeys(text) if ord(ch) not in cmap and not _is_invisible(ch)]
    missing: dict[str, None] = {}
    for shaped in dict.fromkeys(shape(text, font_name)):  # each distinct character once
        if _is_invisible(shaped) or ord(shaped) in cmap:
            continue
        # A presentation form stands for letters of ``text``: report those.
        plain = unicodedata.normalize("NFKC", shaped) if _in_presentation_forms(ord(shaped)) else shaped
        for ch in plain:
            if ch not in missing and not _is_invisible(ch) and ord(ch) not in cmap:
                missing[ch] = None
    return list(missing)


# --------------------------------------------------------------------------
# RTL line layout and drawing


class _Glyph(NamedTuple):  # (a named tuple: tens of thousands are made per dossier)
    char: str  # character code written to the PDF
    font: str  # font to draw it with
    x: float  # left edge, relative to the line's left end
    width: float
    logical: int  # index in the logical (shaped) line
    level: int  # resolved bidi embedding level


@dataclass(frozen=True)
class _LineLayout:
    glyphs: tuple[_Glyph, ...]  # in visual order
    width: float


@lru_cache(maxsize=16384)
def _char_width(ch: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(ch, font, size)


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
                font = twin  # mirrored glyph, logical character code
            else:
                ch = partner  # no twin: draw the mirror character itself
        if _is_invisible(ch) and ch != " " and ord(ch) not in cmap:
            continue  # a format character the font cannot draw: skip it
        width = _char_width(ch, font, font_size)
        glyphs.append(_Glyph(ch, font, x, width, index, level))
        x += width
    return _LineLayout(tuple(glyphs), x)


# How text extractors that work on the content stream (pypdf is the reference)
# decide the reading order: runs of "RTL" characters are taken to be written in
# reverse order and are reversed back; "neutral" characters join the current
# run; everything else is read left to right.  The ranges are pypdf's.
_EXTRACT_RTL = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))
_EXTRACT_NEUTRAL = (
    (0x0000, 0x002F),
    (0x003A, 0x0040),
    (0x0660, 0x066D),
    (0x06F0, 0x06F9),
    (0x2000, 0x206F),
    (0x20A0, 0x21FF),
)


@lru_cache(maxsize=4096)
def _extract_class(ch: str) -> str:
    """``"R"``, ``"L"`` or ``"N"``: the direction an extractor assumes for ``ch``."""
    cp = 0x20 if ch == "\u00a0" else ord(ch)  # reportlab writes NBSP as a space
    if any(lo <= cp <= hi for lo, hi in _EXTRACT_NEUTRAL):
        return "N"
    if any(lo <= cp <= hi for lo, hi in _EXTRACT_RTL):
        return "R"
    return "L"


def _emission_plan(glyphs: list[_Glyph], font_key) -> list[list[_Glyph]]:
    """Order the glyphs of a line for the content stream.

    ``glyphs`` are in logical order; ``font_key(glyph)`` identifies the PDF
    font (subset) a glyph is written with.  The result is a list of *pieces*
    in logical order; every piece is started with a fresh font selection,
    which makes extractors close the text run they were building, so the
    pieces are read back in the order they are written.  Inside a piece,
    glyphs that an extractor reads as RTL are written in reverse logical
    order (the extractor's reversal restores the logical order) and LTR ones
    in logical order; weak and neutral characters (digits, spaces, brackets)
    are placed so that they end up in the right place whatever run they
    join.  Positioning jumps between glyphs are either to the adjacent glyph
    or leftwards: a jump to the right would be read as a word gap.
    """
    pieces: list[list[_Glyph]] = []
    state: str | None = None  # direction of the extractor's current run; None = unknown

    def emit_neutrals(run: list[_Glyph], rightwards_only: bool = False) -> None:
        if state == "L":
            pieces.append(list(run))
        elif state == "R" and not (rightwards_only and len(run) > 1):
            pieces.append(run[::-1])
        else:  # one piece per glyph comes out right in any state
            pieces.extend([g] for g in run)

    def last_strong(run: list[_Glyph]) -> str | None:
        for glyph in reversed(run):
            cls = _extract_class(glyph.char)
            if cls != "N":
                return cls
        return state

    # Groups: same font (subset), same embedding level.
    groups: list[list[_Glyph]] = []
    for glyph in glyphs:
        if groups and font_key(groups[-1][-1]) == font_key(glyph) and groups[-1][-1].level == glyph.level:
            groups[-1].append(glyph)
        else:
            groups.append([glyph])

    previous_level = None
    for group in groups:
        level = group[0].level
        classes = [_extract_class(g.char) for g in group]
        if level % 2 == 0:
            # A left-to-right run (number, Latin words) inside the RTL line:
            # its glyphs are drawn left to right in logical order.  When it
            # continues a run of the same level (font subset change), the
            # previous glyph is on its left, so it must be written rightwards.
            continues = previous_level == level
            strong = set(classes) - {"N"}
            if not strong:
                emit_neutrals(group, rightwards_only=continues)
            elif strong == {"L"}:
                first = classes.index("L")
                if first and state != "L":
                    pieces.extend([g] for g in group[:first])
                    pieces.append(group[first:])
                else:
                    pieces.append(list(group))
                state = "L"
            else:  # e.g. an Arabic comma between Latin words
                pieces.extend([g] for g in group)
                state = last_strong(group)
            previous_level = level
            continue

        # A right-to-left run: drawn right to left in logical order.  Split
        # it where the extractor direction of strong characters changes;
        # neutrals go with the following sub-group.
        subgroups: list[list[_Glyph]] = [[]]
        current = None
        for glyph, cls in zip(group, classes):
            if cls != "N":
                if current is not None and cls != current:
                    lead_start = len(subgroups[-1])
                    while lead_start and _extract_class(subgroups[-1][lead_start - 1].char) == "N":
                        lead_start -= 1
                    subgroups.append(subgroups[-1][lead_start:])
                    del subgroups[-2][lead_start:]
                current = cls
            subgroups[-1].append(glyph)

        for sub in subgroups:
            strong_at = [i for i, g in enumerate(sub) if _extract_class(g.char) != "N"]
            if not strong_at:
                emit_neutrals(sub)
                continue
            first, last = strong_at[0], strong_at[-1]
            lead, core, trail = sub[:first], sub[first:last + 1], sub[last + 1:]
            if _extract_class(sub[first].char) == "R":
                # Written left to right = reverse logical order; the lead
                # (logically before the core) continues on the core's right.
                pieces.append(core[::-1] + lead[::-1])
                state = "R"
                if trail:
                    emit_neutrals(trail)
            else:  # LTR-read characters such as « » in an RTL run
                if lead:
                    emit_neutrals(lead)
                pieces.append(core + trail)
                state = "L"
        previous_level = level
    return pieces


def _draw_rtl_line(canv, layout: _LineLayout, x_left: float, y: float, font_size: float) -> None:
    """Draw a laid-out RTL line with its left end at ``x_left``.

    The glyphs are placed at their visual positions but written in the order
    of :func:`_emission_plan`.
    """
    if not layout.glyphs:
        return
    font_key = fastpath.glyph_font_key(canv)
    plan = _emission_plan(sorted(layout.glyphs, key=lambda g: g.logical), font_key)
    # Start the text object at the first glyph: a positioning jump from the
    # left margin would be read as a word gap by extractors.
    pen_x = x_left + plan[0][0].x
    text_object = canv.beginText(pen_x, y)
    buffer: list[str] = []
    font: str | None = None

    def flush() -> None:
        if buffer:
            text_object.textOut("".join(buffer))
            buffer.clear()

    for piece in plan:
        flush()
        font = None  # every piece starts with a font selection
        for glyph in piece:
            x = x_left + glyph.x
            if glyph.font != font:
                flush()
                text_object.setFont(glyph.font, font_size)
                font = glyph.font
            if abs(x - pen_x) > _EPSILON:
                flush()
                text_object.setTextOrigin(x, y)
            buffer.append(glyph.char)
            pen_x = x + glyph.width
    flush()
    canv.drawText(text_object)


def line_width(text: str, font_size: float, font_name: str = FONT_REGULAR) -> float:
    """Width of one right-to-left line as :func:`draw_line` draws it."""
    return _layout_rtl_line(text, font_name, font_size).width


def draw_line(canv, text: str, x_left: float, y: float, font_size: float, font_name: str = FONT_REGULAR) -> None:
    """Draw one right-to-left line (shaped, reordered, written so that text extraction gives
    the logical text back) with its left end at ``x_left``, as :class:`RTLParagraph` draws each
    of its lines. The canvas's graphics state applies (e.g. an invisible text render mode)."""
    _draw_rtl_line(canv, _layout_rtl_line(text, font_name, font_size), x_left, y, font_size)


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


def _force_break(word: str, width, max_width: float) -> list[str]:
    """Break a word wider than ``max_width`` between clusters (at least one
    cluster per piece, so a very narrow column still makes progress)."""
    pieces = [""]
    for cluster in _clusters(word):
        if pieces[-1] and width(pieces[-1] + cluster) > max_width + _EPSILON:
            pieces.append("")
        pieces[-1] += cluster
    return pieces


def _break_lines(text: str, font_name: str, font_size: float, max_width: float) -> list[_Line]:
    """Break ``text`` into lines no wider than ``max_width`` (logical order)."""

    def width(s: str) -> float:
        return pdfmetrics.stringWidth(shape(s, font_name), font_name, font_size)

    space = width(" ")
    hard_lines = _NEWLINE_RE.sub("\n", text).split("\n")
    # Blank lines at the start or end (a trailing newline) are not content.
    while hard_lines and not hard_lines[-1].strip():
        hard_lines.pop()
    while hard_lines and not hard_lines[0].strip():
        hard_lines.pop(0)

    lines: list[_Line] = []
    for n, hard_line in enumerate(hard_lines):
        current: list[str] = []
        current_width = 0.0
        for word in _BREAKABLE_SPACE_RE.split(hard_line):
            if not word:
                continue
            word_width = width(word)
            if current and current_width + space + word_width <= max_width + _EPSILON:
                current.append(word)
                current_width += space + word_width
                continue
            if current:
                lines.append(_Line(" ".join(current), " "))
            if word_width <= max_width + _EPSILON:
                pieces = [word]
            else:
                pieces = _force_break(word, width, max_width)
            lines.extend(_Line(piece, "") for piece in pieces[:-1])
            current, current_width = [pieces[-1]], width(pieces[-1])
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
    Explicit newlines are kept as line breaks inside the paragraph (blank
    lines at its start or end are dropped).  The paragraph splits between
    lines, so long texts flow over several pages.
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

    def lines(self, avail_width: float) -> list[str]:
        """The logical text of each line when laid out at ``avail_width``."""
        return [line.text for line in self._get_lines(avail_width)]

    def minWidth(self) -> float:  # noqa: N802 (reportlab API)
        """Width of the widest word: the narrowest column without forced breaks."""
        words = _BREAKABLE_SPACE_RE.split(_NEWLINE_RE.sub("\n", self.text).replace("\n", " "))
        return max(
            (pdfmetrics.stringWidth(shape(w, self.font_name), self.font_name, self.font_size)
             for w in words if w),
            default=0.0,
        )

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
        fitting = int((availHeight + _EPSILON) // self.leading)
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
            _draw_rtl_line(canv, layout, x_left, y, self.font_size)
