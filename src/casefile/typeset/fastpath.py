"""Every shortcut into reportlab's internals, in one place.

reportlab's public API lays a dossier out; the shortcuts below make it faster (line breaking
with remembered word widths, plain text given to a paragraph without its markup parser, link
annotations and page-number forms written directly) or do what the public API cannot (a
table's row heights, a frame's "nothing drawn yet"). They lean on names reportlab does not
promise to keep, so they live here and nowhere else (tests/test_layers.py checks it).
"""

from __future__ import annotations

import re
import unicodedata

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDFObject, PDFObjectReference
from reportlab.pdfbase.pdfdoc import format as pdf_format
from reportlab.pdfbase.pdfmetrics import getAscentDescent, getFont, stringWidth
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import _handleBulletWidth, _processed_frags, cleanBlockQuotedText
from reportlab.platypus.paragraph import _shy as _SHY
from reportlab.platypus.paragraph import split as _rl_split
from reportlab.platypus.paragraph import strip as _rl_strip
from reportlab.platypus.paraparser import ParaParser

# ------------------------------------------------------------------ paragraphs

_MARKUP_CHARS = re.compile("[&<>\"']")
_WORD_WIDTHS: dict = {}  # (font, size) -> {word: width}, for Para.breakLines


def paragraph(markup: str, style, bullet: str | None = None) -> Paragraph:
    """A paragraph of reportlab paragraph markup (user text in it already escaped)."""
    return Para(markup, style, bulletText=bullet)


def text_paragraph(text: str, style, bullet: str | None, cache: dict) -> Paragraph | None:
    """A paragraph of plain `text` (not escaped), given to reportlab as the one fragment its
    parser would make of it, which skips the parser: the same paragraph, a fraction of the cost
    (tests/test_dossier.py compares both ways). None for text that needs the parser (empty, or
    with a character markup escapes: & < > " '). `cache` keeps the parser's model fragment per
    style (one dict per rendering)."""
    text = cleanBlockQuotedText(text)  # as Paragraph cleans it
    if not text or _MARKUP_CHARS.search(text):
        return None
    model = cache.get(id(style))
    if model is None:
        model = cache[id(style)] = (style, ParaParser().parse("x", style)[1][0])
    frag = model[1].clone(text=text)
    frag.us_lines = list(frag.us_lines)  # its own list, as the parser gives each fragment
    p = Para(None, style, bulletText=bullet, frags=[frag])
    p.text = text
    return p


class Para(Paragraph):
    """A Paragraph that remembers its line breaking for the last width it was wrapped at.
    reportlab wraps the same paragraph several times at one width (a table measures its cells,
    then draws them; a remainder table after a page break measures its rows again; a kept-
    together group measures, then places), and line breaking is the dominant cost of a
    dossier. The result of `wrap` depends only on the width (the style and text never change),
    so the second and later calls are free."""

    _wrapped_at = None

    def wrap(self, availWidth, availHeight):
        if availWidth == self._wrapped_at and "blPara" in self.__dict__:  # split() may drop blPara
            return self.width, self.height
        w, h = super().wrap(availWidth, availHeight)
        if availWidth >= 1:
            self._wrapped_at = availWidth
        return w, h

    def breakLines(self, width):
        """reportlab's line breaking for its simplest case (one plain fragment: no hyphenation,
        soft hyphens, bidi, shaping or words longer than a line), done the same way with word
        widths remembered per font and size; any other case is reportlab's own. The lines are
        the same (tests/test_dossier.py compares both ways)."""
        style, frags = self.style, self.frags
        maxWidths = width if isinstance(width, (tuple, list)) else [width]
        f = frags[0] if len(frags) == 1 else None
        if (f is None or not hasattr(f, "text") or style.wordWrap or style.endDots
                or hasattr(f, "cbDefn") or hasattr(f, "backColor") or _processed_frags(frags)
                or (style.shaping and getFont(style.fontName).shapable)
                or getattr(style, "hyphenationLang", "") or style.uriWasteReduce or style.embeddedHyphenation
                or _SHY in f.text):
            return super().breakLines(width)
        font_name, font_size = f.fontName, f.fontSize
        widths = _WORD_WIDTHS.get((font_name, font_size))
        if widths is None:
            if len(_WORD_WIDTHS) > 64:
                _WORD_WIDTHS.clear()
            widths = _WORD_WIDTHS[(font_name, font_size)] = {}
        elif len(widths) > 200_000:
            widths.clear()
        text = _rl_strip(f.text)
        words = _rl_split(text) if text else []
        measured = []
        for word in words:
            w = widths.get(word)
            if w is None:
                w = widths[word] = stringWidth(word, font_name, font_size, self.encoding)
            measured.append(w)
        saved = list(maxWidths)
        _handleBulletWidth(self.bulletText, style, maxWidths)
        if measured and max(measured) > min(maxWidths):  # a word to split: reportlab's way
            maxWidths[:] = saved
            return super().breakLines(width)
        self._width_max = 0
        self.height = 0
        self._splitLongWordCount = self._hyphenations = 0
        ascent, descent = getAscentDescent(font_name, font_size)
        if not text:
            return f.clone(kind=0, lines=[], ascent=ascent, descent=descent, fontSize=font_size)
        space = widths.get(" ")
        if space is None:
            space = widths[" "] = stringWidth(" ", font_name, font_size, self.encoding)
        shrink = style.spaceShrinkage * space
        last = len(maxWidths) - 1
        lineno, max_width, width_max = 0, maxWidths[0], 0
        lines, line, current = [], [], -space
        for word, w in zip(words, measured):
            new = current + space + w
            if new <= max_width + shrink * len(line) or not line:
                line.append(word)
                current = new
            else:
                if current > width_max:
                    width_max = current
                lines.append((max_width - current, line))
                line, current = [word], w
                lineno += 1
                max_width = maxWidths[min(last, lineno)]
        if line:
            if current > width_max:
                width_max = current
            lines.append((max_width - current, line))
        self._width_max = width_max
        return f.clone(kind=0, lines=lines, ascent=ascent, descent=descent, fontSize=font_size)


# ------------------------------------------------------------------ links

class _Link(PDFObject):
    """A link annotation to a bookmark, written as reportlab writes `canvas.linkRect(...,
    thickness=0)` (the same bytes) without building its dictionaries: a dossier has a link
    for every contents line, index row and reference, thousands in a big one."""

    def __init__(self, rect, destination):
        self.rect, self.destination = rect, destination

    def format(self, document):
        dests = document.__dict__.setdefault("_casefile_dests", {})  # key -> "[ 12 0 R /Fit ]"
        dest = dests.get(self.destination.name)
        if dest is None:
            dest = dests[self.destination.name] = self.destination.format(document)
        return (b"<<\n/Border [ 0 0 0 ] /Contents () /Dest %s /Rect [ %s ] /Subtype /Link /Type /Annot\n>>"
                % (dest, fp_str(*self.rect).encode()))


def link(c, key: str, rect):
    """Make `rect` (in the current coordinates) a link to the bookmark `key`."""
    c._addAnnotation(_Link(c._absRect(rect, 1), c._bookmarkReference(key)))


def open_at(c, key: str):
    """The document opens at the bookmark `key` (its destination as the catalog's /OpenAction)."""
    c._doc.Catalog.OpenAction = c._bookmarkReference(key)


# ------------------------------------------------------------------ forms


def text_form(c, name: str, text: str, font_name: str, size: float, right: bool, colour):
    """Define the form `name`: one line of `text` (right-aligned at x=0 when `right`)."""
    c._doc.addForm(name, _TextForm(c, text, font_name, size, right, colour))


class _TextForm(PDFObject):
    """One line of text drawn as a form (a page number, a running head): what `beginForm`,
    `drawString` and `endForm` make of it, written directly (a dossier has one for every page
    reference of its contents and indexes, and reportlab's forms carry a resource dictionary
    and a preamble each). The text is encoded now, before the fonts are written."""

    def __init__(self, c, text: str, font_name: str, size: float, right: bool, colour):
        font = getFont(font_name)
        w = stringWidth(text, font_name, size)
        x = -w if right else 0
        ops = [f"{fp_str(colour.red, colour.green, colour.blue)} rg BT 1 0 0 1 {fp_str(x)} 0 Tm"]
        for subset, t in font.splitString(text, c._doc):
            ops.append(f"{font.getSubsetInternalName(subset, c._doc)} {fp_str(size)} Tf {fp_str(size * 1.2)} TL "
                       f"({c._escape(t)}) Tj")
        ops.append("T* ET")  # the line ends here (text extraction sees the break, as after drawString)
        self.content = "\n".join(ops).encode("latin-1")
        self.bbox = b"[ %s ]" % fp_str(x - 2, -size, x + w + 2, size * 2).encode()

    def format(self, document):
        fonts = pdf_format(PDFObjectReference("BasicFonts"), document)
        return (b"<< /BBox %s /Length %d /Resources << /Font %s >> /Subtype /Form "
                b"/Type /XObject >>\nstream\n%s\nendstream" % (self.bbox, len(self.content), fonts, self.content))




# ------------------------------------------------------------------ searchable Arabic-script text
# Not a shortcut (always on): Persian and Arabic are drawn with the presentation-form glyphs
# that arabic-reshaper chooses (initial, medial, final, isolated forms, ligatures). reportlab's
# ToUnicode map gives each drawn glyph the code it was drawn with, so copying or searching in a
# reader returned U+FExx forms, and a search for the ordinary spelling "خمینی" failed. The map
# below gives each presentation form its ordinary letters instead (Unicode compatibility
# decomposition), for pypdf, pdftotext and every PDF reader. Ligatures (lam-alef, U+FEF5-FEFC)
# keep their code: one glyph for two letters breaks the extraction order of the line.

_PRESENTATION = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_TO_UNICODE_ENTRY = re.compile(r"^<([0-9A-F]{2})> <([0-9A-F]{4})>$", re.M)


def _ordinary_letters(match: re.Match) -> str:
    code = int(match.group(2), 16)
    if not any(lo <= code <= hi for lo, hi in _PRESENTATION):
        return match.group(0)
    letter = unicodedata.normalize("NFKC", chr(code)).strip()
    if len(letter) != 1:  # a ligature (lam-alef): two letters for one glyph would upset the
        return match.group(0)  # reverse-order strings' extraction; it keeps its own code
    return f"<{match.group(1)}> <{ord(letter):04X}>"


def map_presentation_forms_to_letters() -> None:
    """Make reportlab's ToUnicode maps give the ordinary letters of presentation forms
    (idempotent; called when the fonts are registered)."""
    from reportlab.pdfbase import ttfonts

    made = ttfonts.makeToUnicodeCMap
    if getattr(made, "ordinary_letters", False):
        return

    def make_to_unicode_cmap(fontname, subset):
        return _TO_UNICODE_ENTRY.sub(_ordinary_letters, made(fontname, subset))

    make_to_unicode_cmap.ordinary_letters = True
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


# ------------------------------------------------------------------ objects reportlab did not make
#
# Pages of exhibit PDFs and the files attached to a dossier are pypdf objects (copied from the
# exhibit, or made by casefile) that reportlab writes among its own objects, numbered by it,
# while it saves the document. Reportlab has no public way to add an object it did not make, to
# draw a form XObject it did not make, to set the catalog's /Names or the document /ID, or to
# tell where an object landed in the written file; these functions are those ways, through the
# canvas's document (`c._doc`: `Reference`, `idToObject`, `idToObjectNumberAndVersion`,
# `idToOffset`, `Catalog`, `_ID`) and reportlab's `PDFObject` protocol (`format(document)`).
# There is no plain alternative (plain reportlab cannot place a page of another PDF), so the
# switch to plain reportlab does not apply to them.


class _Foreign(PDFObject):
    """An indirect object of a reportlab document whose body `write()` gives, in PDF syntax
    (reportlab writes the "n 0 obj" and "endobj" round it)."""

    def __init__(self, write):
        self.write = write

    def format(self, document):
        return self.write()


def add_object(c, write, name: str | None = None) -> tuple[int, str]:
    """A new indirect object of the document on canvas `c`, whose body is `write()` (bytes,
    called once, when the document is saved): (its object number, its name in the document)."""
    doc = c._doc
    internal = doc.Reference(_Foreign(write), name).name
    return doc.idToObjectNumberAndVersion[internal][0], internal


def name_form(c, internal: str, name: str) -> str:
    """Make the form XObject added as `internal` drawable with `c.doForm(name)`: reportlab
    finds a form by its name, so `name` becomes a second name of the same object (one object,
    written once)."""
    doc = c._doc
    alias = doc.getXObjectName(name)
    doc.idToObject[alias] = doc.idToObject[internal]
    doc.idToObjectNumberAndVersion[alias] = doc.idToObjectNumberAndVersion[internal]
    return name


def set_catalog_names(c, internal: str):
    """The document catalog's /Names: the object added as `internal`."""
    doc = c._doc
    doc.Catalog.Names = doc.idToObject[internal]


def set_document_id(c, ident: bytes):
    """The document's /ID (both halves `ident`, hexadecimal) instead of reportlab's digest."""
    c._doc._ID = b"\n[<" + ident + b"><" + ident + b">]\n"


def offset_of(c, internal: str) -> int:
    """Where the object added as `internal` starts in the saved file."""
    return c._doc.idToOffset[internal]
