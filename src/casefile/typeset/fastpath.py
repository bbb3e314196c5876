"""Every shortcut into reportlab's internals, in one place, each with the plain way beside it.

reportlab's public API lays a dossier out; the shortcuts below make it faster (line breaking
with remembered word widths, plain text given to a paragraph without its markup parser, link
annotations and page-number forms written directly) or find out what the public API does not
tell (a table's row heights, a group's height, the font subset a glyph is written in). They
lean on names reportlab does not promise to keep, so they live here and nowhere else
(tests/test_layers.py checks it).

One switch turns them off: with the environment variable CASEFILE_PLAIN_REPORTLAB=1 every
shortcut here takes its plain way, public reportlab API only (the objects reportlab did not
make, at the end, have no plain way: plain reportlab cannot place a page of another PDF). A
dossier made either way has the same text on the same pages, the same outline and the same
links (tests/test_fastpath.py); with the shortcuts on (the default) it is the one casefile has
always made, byte for byte. If a new reportlab breaks a shortcut, the switch keeps casefile
working until the shortcut is mended.
"""

from __future__ import annotations

import os
import re
import unicodedata
import weakref

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDFObject, PDFObjectReference
from reportlab.pdfbase.pdfdoc import format as pdf_format
from reportlab.pdfbase.pdfmetrics import getAscentDescent, getFont, stringWidth
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.paragraph import _handleBulletWidth, _processed_frags, cleanBlockQuotedText
from reportlab.platypus.paragraph import _shy as _SHY
from reportlab.platypus.paragraph import split as _rl_split
from reportlab.platypus.paragraph import strip as _rl_strip
from reportlab.platypus.paraparser import ParaParser

SWITCH = "CASEFILE_PLAIN_REPORTLAB"
ON = os.environ.get(SWITCH, "") != "1"  # the shortcuts are taken (read once, at import)


# ------------------------------------------------------------------ paragraphs
# Shortcut: Para (line breaking with word widths remembered, wrap remembered per width) and
# plain text given as the parser's fragment. Plain: reportlab's Paragraph, parser and all.

_MARKUP_CHARS = re.compile("[&<>\"']")
_WORD_WIDTHS: dict = {}  # (font, size) -> {word: width}, for Para.breakLines


def paragraph(markup: str, style, bullet: str | None = None) -> Paragraph:
    """A paragraph of reportlab paragraph markup (user text in it already escaped)."""
    if ON:
        return Para(markup, style, bulletText=bullet)
    return Paragraph(markup, style, bulletText=bullet)


def text_paragraph(text: str, style, bullet: str | None, cache: dict) -> Paragraph | None:
    """A paragraph of plain `text` (not escaped), given to reportlab as the one fragment its
    parser would make of it, which skips the parser: the same paragraph, a fraction of the cost
    (tests/test_dossier.py compares both ways). None for text that needs the parser (empty, or
    with a character markup escapes: & < > " '), and always None in plain mode: the caller then
    makes the paragraph from escaped markup. `cache` keeps the parser's model fragment per
    style (one dict per rendering)."""
    if not ON:
        return None
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
# Shortcut: the annotation written as the bytes linkRect would write, without its dictionaries
# (plain: canvas.linkRect); the opening view (plain: none).


def link(c, key: str, rect):
    """Make `rect` (in the current coordinates) a link to the bookmark `key`."""
    if ON:
        c._addAnnotation(_Link(c._absRect(rect, 1), c._bookmarkReference(key)))
    else:
        c.linkRect("", key, rect, relative=1, thickness=0)


def open_at(c, key: str):
    """The document opens at the bookmark `key` (its destination as the catalog's /OpenAction).
    Plain: nothing (reportlab's API cannot name a bookmark's destination there; a reader opens
    at the first page, at its own zoom)."""
    if ON:
        c._doc.Catalog.OpenAction = c._bookmarkReference(key)


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
        return (b"<<\n/Border [ 0 0 0 ] /Contents () /Dest %s /F 4 /Rect [ %s ] /Subtype /Link /Type /Annot\n>>"
                % (dest, fp_str(*self.rect).encode()))


# ------------------------------------------------------------------ forms
# Shortcut: a one-line text form written directly. Plain: beginForm, drawString, endForm.


def text_form(c, name: str, text: str, font_name: str, size: float, right: bool, colour, centre: bool = False):
    """Define the form `name`: one line of `text` in `colour`, ending at x=0 when `right`,
    centred on it when `centre`, else starting there. Call it after the last page (the text is
    not known before)."""
    if ON:
        c._doc.addForm(name, _TextForm(c, text, font_name, size, right, colour, centre))
        return
    w = stringWidth(text, font_name, size)
    x = -w if right else -w / 2 if centre else 0
    c.beginForm(name, lowerx=x - 2, lowery=-size, upperx=x + w + 2, uppery=size * 2)
    c.setFillColor(colour)
    c.setFont(font_name, size)
    c.drawString(x, 0, text)
    c.endForm()


class _TextForm(PDFObject):
    """One line of text drawn as a form (a page number, a running head): what `beginForm`,
    `drawString` and `endForm` make of it, written directly (a dossier has one for every page
    reference of its contents and indexes, and reportlab's forms carry a resource dictionary
    and a preamble each). The text is encoded now, before the fonts are written."""

    def __init__(self, c, text: str, font_name: str, size: float, right: bool, colour, centre: bool = False):
        font = getFont(font_name)
        w = stringWidth(text, font_name, size)
        x = -w if right else -w / 2 if centre else 0
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
# Shortcut (a patch of reportlab's ToUnicode map maker): Persian and Arabic are drawn with the
# presentation-form glyphs that arabic-reshaper chooses (initial, medial, final, isolated forms,
# ligatures). reportlab's ToUnicode map gives each drawn glyph the code it was drawn with, so
# copying or searching in a reader returned U+FExx forms, and a search for the ordinary spelling
# "خمینی" failed. The map below gives each presentation form its ordinary letters instead
# (Unicode compatibility decomposition), for pypdf, pdftotext and every PDF reader. Ligatures
# (lam-alef, U+FEF5-FEFC) keep their code: one glyph for two letters breaks the extraction order
# of the line. Plain: reportlab's maps as they are (the text reads back as presentation forms:
# the same text under NFKC normalisation).

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
    (idempotent; called when the fonts are registered). Plain: nothing."""
    if not ON:
        return
    from reportlab.pdfbase import ttfonts

    made = ttfonts.makeToUnicodeCMap
    if getattr(made, "ordinary_letters", False):
        return

    def make_to_unicode_cmap(fontname, subset):
        return _TO_UNICODE_ENTRY.sub(_ordinary_letters, made(fontname, subset))

    make_to_unicode_cmap.ordinary_letters = True
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


# ------------------------------------------------------------------ tables
# Shortcut: a table's row heights and positions as reportlab computed them (_calc,
# _rowHeights, _rowpositions, _width). Plain: the row heights the table was given (reportlab
# gives them to the parts of a table it splits), else measured as reportlab measures them:
# each cell's content wrapped at its column width, plus the cell's padding. `t` is a
# flowables.RowSplitTable (it keeps `rows`, `col_widths`, `given_heights`, `cell_box` and the
# size its last wrap returned, `size`).


def row_heights(t, aw: float, ah: float, wrapped: bool = False) -> list:
    """The heights of the rows of table `t` laid out at width `aw` (`wrapped`: t.wrap(aw, ah)
    was the last call made to it)."""
    if ON:
        if not wrapped:
            t._calc(aw, ah)
        return t._rowHeights
    if t.given_heights is not None and None not in t.given_heights:
        return list(t.given_heights)
    heights = t.__dict__.get("measured_heights")
    if heights is None:
        heights = t.measured_heights = _measure_rows(t)
    return heights


def row_positions(t) -> tuple[list, float]:
    """(y of each row's top, then the bottom of the last row; the table's width), from the top
    down, in the table's own coordinates, after it was wrapped."""
    if ON:
        return t._rowpositions, t._width
    heights = row_heights(t, t.size[0], t.size[1])
    positions = [0.0]
    for h in reversed(heights):
        positions.append(positions[-1] + h)
    return positions[::-1], t.size[0]


def _measure_rows(t) -> list:
    left, right, top, bottom, leading = t.cell_box
    out = []
    for row in t.rows:
        h = 0
        for v, w in zip(row, t.col_widths):
            if isinstance(v, (list, tuple, Flowable)):
                parts = [v] if isinstance(v, Flowable) else list(v)
                cell_h, first_before, after = 0, None, 0
                for f in parts:
                    _, fh = f.wrap(w - left - right, 72000 - top - bottom)
                    before, after = f.getSpaceBefore(), f.getSpaceAfter()
                    cell_h += fh + after + before
                    if first_before is None:
                        first_before = before
                cell_h = cell_h - first_before - after if parts else 0
            else:
                cell_h = leading * len((v is not None and str(v) or "").split("\n"))
            cell_h += bottom + top
            if cell_h > h:
                h = cell_h
        out.append(h)
    return out


# ------------------------------------------------------------------ kept-together groups
# Shortcut: the group's height as KeepTogether.wrap computed it (_H, _wrapInfo). Plain: the
# same sum made here from its flowables' public wrap and spaces.


def kept_height(k, aw: float, ah: float) -> float:
    """The height of the KeepTogether `k` (whose flowables are `k.parts`) at width `aw`."""
    if ON:
        if getattr(k, "_wrapInfo", None) != (aw, ah):
            k.wrap(aw, ah)
        return k._H
    total, space_after, first = 0, 0, True
    for f in k.parts:
        if hasattr(f, "frameAction"):
            continue
        _, h = f.wrap(aw, 0xfffffff)
        if h <= 1e-6:
            continue
        total += h
        if first:
            first = False
        else:
            total += max(f.getSpaceBefore() - space_after, 0)
        space_after = f.getSpaceAfter()
        total += space_after
    return total - space_after


# ------------------------------------------------------------------ right-to-left lines
# Shortcut: the font subset (of 256 glyphs) a character is written in, from the document's
# font state, so that a line's glyphs are grouped by the PDF font that writes them. Plain: the
# font name a text object writes for the character (PDFTextObject.getCode).

_PLAIN_FONT_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # canvas -> {(font, char): name}
_TF = re.compile(r"(\S+) \S+ Tf")


def glyph_font_key(canv):
    """A function of a glyph of an RTL line (its `font` and `char`) naming the PDF font that
    writes it: reportlab splits a TrueType font into 256-glyph subsets, each one a separate
    PDF font, and a subset change is a font change for extractors."""
    if not ON:
        names = _PLAIN_FONT_NAMES.setdefault(canv, {})

        def plain_key(glyph) -> str:
            k = (glyph.font, glyph.char)
            name = names.get(k)
            if name is None:
                t = canv.beginText()  # never drawn: it only says which font writes the character
                t.setFont(glyph.font, 10)
                t.textOut(glyph.char)
                name = names[k] = _TF.findall(t.getCode())[-1]
            return name
        return plain_key
    doc = canv._doc
    subsets = doc.__dict__.setdefault("_casefile_subsets", {})  # a character keeps its subset

    def key(glyph) -> tuple[str, int]:
        k = (glyph.font, glyph.char)
        subset = subsets.get(k)
        if subset is None:
            subset = subsets[k] = getFont(glyph.font).splitString(glyph.char, doc)[0][0]
        return glyph.font, subset
    return key


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


def form_number(c, name: str) -> int:
    """The object number the form `name` (as `c.doForm(name)` draws it) has in the document."""
    doc = c._doc
    return doc.idToObjectNumberAndVersion[doc.getXObjectName(name)][0]


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


# ------------------------------------------------------------------ PDF/A: what reportlab does not write
# Not a shortcut (always on): reportlab has no PDF/A support. Its catalog writes only the keys
# it knows, so the output intent and the associated files are added to that list for this
# document's catalog; the XMP metadata is an uncompressed stream; the document information's
# date is read the way reportlab writes it, so that XMP and /Info agree.

def info_date(c) -> str:
    """The date reportlab writes as /CreationDate and /ModDate of the document on canvas `c`."""
    from reportlab.pdfbase.pdfdoc import PDFDate

    doc = c._doc
    d = PDFDate(ts=doc._timeStamp, dateFormatter=doc.info._dateFormatter)
    fmt = d.dateFormatter or (lambda yyyy, mm, dd, hh, m, s: "D:%04d%02d%02d%02d%02d%02d%+03d'%02d'"
                              % (yyyy, mm, dd, hh, m, s, d.dhh, d.dmm))
    return fmt(*d.date)


def make_archival(c, xmp: bytes, icc: bytes, condition: str, associated: list) -> None:
    """Give the document on canvas `c` its PDF/A catalog entries: /Metadata (the XMP packet,
    uncompressed), /OutputIntents (the ICC profile), /AF (the associated files' specifications,
    objects already in the document); and no empty /Trans on its pages."""
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString

    doc = c._doc
    catalog = doc.Catalog
    known = list(type(catalog).__NoDefault__)
    catalog.__NoDefault__ = known + [k for k in ("OutputIntents", "AF") if k not in known]
    catalog.__Refs__ = [k for k in catalog.__NoDefault__ if k not in ("OutputIntents",)]
    catalog.Metadata = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), xmp,
                                 filters=[])
    profile = PDFStream(PDFDictionary({"N": 3}), icc)
    catalog.OutputIntents = PDFArray([PDFDictionary({
        "Type": PDFName("OutputIntent"), "S": PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": PDFString(condition), "Info": PDFString(condition),
        "DestOutputProfile": doc.Reference(profile)})])
    if associated:
        catalog.AF = PDFArray([PDFObjectReference(slot.name) for slot in associated])


def pdfa_page_objects() -> None:
    """What reportlab writes on pages, as PDF/A wants it (idempotent): no /Trans dictionary on a
    page without a transition (reportlab writes an empty one), and every link annotation
    printable (/F 4: PDF/A requires the flag; tools that keep only printable annotations keep
    them), including those reportlab makes for paragraph links."""
    from reportlab.pdfbase.pdfdoc import Annotation, LinkAnnotation, PDFDictionary, PDFPage

    if getattr(PDFPage.setPageTransition, "only_when_set", False):
        return

    def set_page_transition(self, transition):
        self.Trans = PDFDictionary(transition) if transition else None

    set_page_transition.only_when_set = True
    PDFPage.setPageTransition = set_page_transition
    LinkAnnotation.defaults = list(Annotation.defaults) + [("F", 4)]
