"""Exhibit files inside the dossier: pages for PDFs, images, text and media; the finished PDF.

Reportlab lays out every page. A page of a PDF exhibit gets a whole page of the dossier: while
it is typeset, the exhibit page becomes a form XObject of the dossier (`ExhibitPages.draw`),
fitted into the content box and upright (the page's /Rotate is applied by the form's matrix,
as `transfer_rotation_to_content` would) and clipped to its visible box, so nothing of the scan
ever reaches the margin band where the stamps, footer and banner are drawn over it.

Only what draws the page is taken from an exhibit PDF: its content and the resources that
content uses, copied object by object without anything that can act (links and other
annotations, actions and JavaScript, forms, embedded files, metadata, the document catalog).
The visible appearance of annotations (filled-in fields, highlights) is kept as drawing.

The dossier carries a machine-readable manifest, `casefile-manifest.json`, as a file
attachment (see verify.py for how `casefile verify` checks a dossier against it), and with
`--attach-media` a copy of every audio/video/other exhibit file. It is byte-identical for
identical inputs: the document /ID is derived from the dossier's input fingerprint.
"""


from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from pathlib import Path

from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFObject
from reportlab.platypus import Flowable, Paragraph, Spacer

from casefile.dossier.sections import file_end_key, file_key
from casefile.errors import fail
from casefile.pdf.exhibits import Copier, exhibit_form, open_pdf, placement
from casefile.pdf.images import open_image, printable
from casefile.pdf.limits import guard, pdf_limits
from casefile.pdf.manifest import HASH_FIELD, MANIFEST_NAME, NO_HASH, attachment_name, manifest_json

PRINT_DPI = 200

def draw_image(c, path: Path, x: float, y: float, w: float, h: float):
    """Draw an image fitted (aspect kept) and centred in the box, upright, at most PRINT_DPI."""
    max_box = (int(w / 72 * PRINT_DPI) + 1, int(h / 72 * PRINT_DPI) + 1)
    img = printable(open_image(path, fit=(max(max_box), max(max_box))))
    iw, ih = img.size
    scale = min(w / iw, h / ih)
    dw, dh = iw * scale, ih * scale
    max_px = (max(int(dw / 72 * PRINT_DPI), 1), max(int(dh / 72 * PRINT_DPI), 1))
    if iw > max_px[0] * 1.05:
        img = img.resize(max_px)
    c.drawImage(ImageReader(img), x + (w - dw) / 2, y + (h - dh) / 2, dw, dh)



# ------------------------------------------------------------------ flowables for exhibit files

def file_flowables(ex, mk) -> list:
    """Flowables for every file of an exhibit, each file starting on a new page."""
    from casefile.typeset.document import Anchor, FilePage, PageBreakIfNotTop

    st, s = mk.state, mk.s
    out = []
    for i, f in enumerate(ex.files, 1):
        key = file_key(ex.number, i)
        title = f"{ex.number} file {i}: {f.path}"
        out += [PageBreakIfNotTop(), Anchor(key, title, 2, st)]
        stamp = _StampSetter(ex.number, f.path, key, 1, st)
        if f.withheld:
            out += [stamp] + _placeholder(f, s, "Withheld from the public edition: this file is marked "
                                                "confidential.")
        elif f.kind == "pdf":
            for p in range(f.pages):  # a whole page each: FilePage fills what is left of a page
                out += ([PageBreakIfNotTop()] if p else []) + [FilePage(ex.number, f, p, f.pages, st)]
        elif f.kind == "image":
            out.append(FilePage(ex.number, f, 0, 1, st))
        elif f.kind == "text":
            def make():
                return [Paragraph(mk._text(f"{ex.number} · {f.path} (text file, as stored; long lines are "
                                           f"wrapped, continuation lines indented)"), s["note"])] + \
                    _text_flowables(f.abspath, mk, s["small"])
            stamp.count = _pages_needed(make())
            for flowable in make():
                out += [flowable, _StampSetter(ex.number, f.path, key, stamp.count, st)]
        else:
            out += [stamp] + _placeholder(f, s, "This file cannot be printed. It is identified by its SHA-256 "
                                                "above; a copy is attached to this PDF only when it is built "
                                                "with --attach-media.")
        out.append(Anchor(file_end_key(ex.number, i), None, 2, st))
    return out


class _StampSetter(Flowable):
    """Zero-size: gives the page it lands on the exhibit stamp "EX-0007 · file · page k of n"
    (k counted from the page of the file's anchor `key`), which the page decoration draws."""

    def __init__(self, number: str, path: str, key: str, count: int, state):
        super().__init__()
        self.number, self.path, self.key, self.count, self.state = number, path, key, count, state
        self.width = self.height = 0

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        page = self.canv.getPageNumber()
        k = page - self.state.pages.get(self.key, page) + 1
        self.state.stamps[page] = f"{self.number} · {self.path} · page {k} of {max(k, self.count)}"


def _pages_needed(flowables: list) -> int:
    """How many pages the flowables take when they start on a fresh page of the dossier's
    content box (a trial layout, discarded), so a stamp can say "page 2 of 5" in one pass."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    from casefile.typeset.document import CONTENT, PAGE_H, PAGE_W

    doc = BaseDocTemplate(io.BytesIO(), pagesize=(PAGE_W, PAGE_H), invariant=1)
    doc.addPageTemplates([PageTemplate("p", frames=[Frame(*CONTENT, leftPadding=0, rightPadding=0,
                                                          topPadding=0, bottomPadding=0)])])
    doc.build(flowables)
    return doc.page


_MAX_LINE = 1000  # characters: longer lines are set in pieces, so no piece outgrows a page
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _text_flowables(path: Path, mk, style) -> list:
    """A text file, one flowable per line: long lines wrap (with a hanging indent), runs of
    spaces are kept, characters the fonts cannot draw become U+FFFD."""
    from reportlab.lib.styles import ParagraphStyle

    from casefile.typeset import rtl

    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    text = _CONTROL.sub("\ufffd", unicodedata.normalize("NFC", text))
    for ch in rtl.missing_glyphs(text):
        text = text.replace(ch, "\ufffd")
    line_style = ParagraphStyle("textfile", parent=style, leftIndent=14, firstLineIndent=-14, spaceAfter=0,
                                spaceBefore=0)
    out = []
    lines = []
    for line in text.rstrip("\n").split("\n"):
        lines += [line[i:i + _MAX_LINE] for i in range(0, len(line), _MAX_LINE)] or [line]
    for line in lines:
        if not line.strip():
            out.append(Spacer(1, line_style.leading))
        elif rtl.is_mainly_rtl(line):
            out.append(rtl.RTLParagraph(" ".join(line.split()), line_style.fontName, line_style.fontSize,
                                        line_style.leading))
        else:
            stripped = line.lstrip(" ")
            line = "\u00a0" * (len(line) - len(stripped)) + re.sub(r"(?<= ) ", "\u00a0", stripped)
            out.append(Paragraph(mk._text(line), line_style))
    return out


def _placeholder(f, s, why: str) -> list:
    from xml.sax.saxutils import escape
    rows = [("File", f.path), ("Type", f.kind), ("Size", f"{f.size} bytes"), ("SHA-256", f.sha256),
            ("Description", f.description or "—")]
    out = [Spacer(1, 30), Paragraph("Exhibit file placeholder", s["h2"])]
    for k, v in rows:
        out.append(Paragraph(f"<b>{escape(k)}:</b> {escape(v)}", s["body"]))
    out.append(Paragraph(escape(why), s["note"]))
    return out



# ------------------------------------------------------------------ PDF exhibits: drawn while typesetting

class _Slot(PdfObject, PDFObject):
    """One indirect object of the dossier being typeset, holding a pypdf object (copied from an
    exhibit, or made here): reportlab numbers it and writes it where it writes its own objects,
    in the PDF syntax `_serialise` gives it. References to other slots are written `n 0 R`."""

    def __init__(self, doc, obj, name: str | None = None):
        self.doc, self.obj = doc, obj
        self.name = doc.Reference(self, name).name

    def get_object(self):
        return self.obj

    def write_to_stream(self, stream, encryption_key=None):  # as a reference, inside another object
        stream.write(b"%d %d R" % self.doc.idToObjectNumberAndVersion[self.name])

    def format(self, document):  # as the indirect object itself (reportlab adds "n 0 obj ... endobj")
        out: list = []
        _serialise(self.obj, out, document.idToObjectNumberAndVersion)
        return b"".join(out)


_NAMES: dict = {}  # NameObject -> its bytes in PDF syntax (escaped once)


def _serialise(obj, out: list, numbers: dict):
    """`obj` in PDF syntax appended to `out`: what pypdf's write_to_stream writes, with fast
    paths for the common types (names, integers, dictionaries, arrays)."""
    t = type(obj)
    if t is _Slot:
        out.append(b"%d %d R" % numbers[obj.name])
    elif t is NameObject:
        b = _NAMES.get(obj)
        if b is None:
            buf = io.BytesIO()
            obj.write_to_stream(buf)
            b = _NAMES[obj] = buf.getvalue()
        out.append(b)
    elif t is NumberObject:
        out.append(b"%d" % obj)
    elif isinstance(obj, DictionaryObject):
        stream = isinstance(obj, StreamObject)
        out.append(b"<<")
        for k, v in obj.items():
            if stream and k == "/Length":
                continue
            _serialise(k, out, numbers)
            out.append(b" ")
            _serialise(v, out, numbers)
            out.append(b"\n")
        if stream:
            data = obj._data
            out.append(b"/Length %d>>\nstream\n" % len(data))
            out.append(data)
            out.append(b"\nendstream")
        else:
            out.append(b">>")
    elif isinstance(obj, ArrayObject):
        out.append(b"[")
        for v in obj:
            _serialise(v, out, numbers)
            out.append(b" ")
        out.append(b"]")
    else:
        buf = io.BytesIO()
        obj.write_to_stream(buf)
        out.append(buf.getvalue())


class _Sink:
    """What `Copier` writes into while typesetting: the reportlab document."""

    def __init__(self, doc):
        self.doc = doc

    def _add_object(self, obj):
        return _Slot(self.doc, obj)

    def _replace_object(self, slot, obj):
        slot.obj = obj


class ExhibitPages:
    """Pages of exhibit PDFs drawn into the dossier as it is typeset. Each exhibit file is opened
    once per dossier and its objects are copied once (fonts and images shared by its pages stay
    shared), straight into the reportlab document: nothing is re-read or re-written afterwards."""

    def __init__(self):
        self.files: dict = {}
        self.count = 0

    def draw(self, c, path: Path, index: int, w: float, h: float):
        """Draw page `index` (0-based) of the PDF at `path` fitted and centred into the box
        (0, 0, w, h) of the current coordinates, upright, with a hairline round it."""
        with pdf_limits():
            key = str(path)  # (a str hashes once; a new Path object hashes its parts every time)
            if key not in self.files:
                self.files[key] = (open_pdf(path), Copier(_Sink(c._doc), path))
            reader, copier = self.files[key]
            ref, vbox, rotation, appearances = guard(path, lambda: exhibit_form(reader, index, copier),
                                                      page=index + 1)
        matrix, placed = placement(vbox, rotation, (0, 0, w, h))
        self.count += 1
        name = f"cfExhibitPage{self.count}"
        c.saveState()
        c.transform(*matrix)
        c.doForm(_form_name(c, ref, name))
        if appearances:  # drawn over the page, clipped to its visible box like the page itself
            l, b, r_, t = vbox
            clip = c.beginPath()
            clip.rect(l, b, r_ - l, t - b)
            c.clipPath(clip, stroke=0, fill=0)
            for k, (a, am) in enumerate(appearances, 1):
                c.saveState()
                c.transform(*am)
                c.doForm(_form_name(c, a, f"{name}A{k}"))
                c.restoreState()
        c.restoreState()
        # a hairline round the page (white pages need an edge)
        c.saveState()
        c.setStrokeColorRGB(0.69, 0.706, 0.722)
        c.setLineWidth(0.5)
        c.rect(*placed, stroke=1, fill=0)
        c.restoreState()


def _form_name(c, slot: _Slot, name: str) -> str:
    """Make the copied form in `slot` drawable with `c.doForm(name)`: reportlab finds a form by
    its name, so the name is added as a second name of the same object (one object, written once)."""
    doc = c._doc
    internal = doc.getXObjectName(name)
    doc.idToObject[internal] = slot
    doc.idToObjectNumberAndVersion[internal] = doc.idToObjectNumberAndVersion[slot.name]
    return name



def _embedded_file(doc, name: str, data: bytes, description: str, relationship: str, subtype: str | None = None):
    """A file specification with its embedded file stream, stored as is (not compressed)."""
    ef = StreamObject()
    ef._data = data
    ef[NameObject("/Type")] = NameObject("/EmbeddedFile")
    if subtype:
        ef[NameObject("/Subtype")] = NameObject(subtype)
    ef[NameObject("/Params")] = DictionaryObject({NameObject("/Size"): NumberObject(len(data))})
    ef_slot = _Slot(doc, ef)
    spec = DictionaryObject({
        NameObject("/Type"): NameObject("/Filespec"),
        NameObject("/F"): TextStringObject(name), NameObject("/UF"): TextStringObject(name),
        NameObject("/Desc"): TextStringObject(description),
        NameObject("/AFRelationship"): NameObject(relationship),
        NameObject("/EF"): DictionaryObject({NameObject("/F"): ef_slot, NameObject("/UF"): ef_slot})})
    return _Slot(doc, spec), ef_slot


def add_manifest(c, d, anchors: dict, pages: int, attach_media: bool = False):
    """Attach the manifest (and, with --attach-media, a copy of each media file) to the document
    on canvas `c`, give it a /ID derived from the dossier's inputs, and return the function that
    seals the saved bytes: it writes the content hash into the manifest (see verify.py)."""
    doc = c._doc
    attachments = []
    if attach_media:
        for ex in d.exhibits:
            for i, f in enumerate(ex.files, 1):
                if f.kind == "media" and not f.withheld and all(a[1].path != f.path for a in attachments):
                    data = Path(f.abspath).read_bytes()
                    if hashlib.sha256(data).hexdigest() != f.sha256:
                        raise fail(f.abspath, "sha256", "exhibit file changed during the build; build again")
                    attachments.append((attachment_name(ex.number, i, f.path), f, data))
    manifest = manifest_json(d, anchors, NO_HASH, pages, {(a[1].path): a[0] for a in attachments})
    entries = [(name, _embedded_file(doc, name, data, f"{f.path} (sha256 {f.sha256})", "/Source")[0])
               for name, f, data in attachments]
    spec, manifest_stream = _embedded_file(
        doc, MANIFEST_NAME, manifest, "casefile manifest: exhibits, files, page ranges and the content hash",
        "/Data", "/application/json")
    entries.append((MANIFEST_NAME, spec))
    names = ArrayObject()
    for name, ref in sorted(entries, key=lambda e: e[0].encode("utf-16-be")):
        names += [TextStringObject(name), ref]
    doc.Catalog.Names = _Slot(doc, DictionaryObject({NameObject("/EmbeddedFiles"): DictionaryObject(
        {NameObject("/Names"): names})}))
    ident = hashlib.sha256("\0".join([d.fingerprint, d.edition, d.stamp_prefix, d.accused["id"]]).encode())
    ident = ident.hexdigest()[:32].encode()
    doc._ID = b"\n[<" + ident + b"><" + ident + b">]\n"

    def seal(pdf: bytes) -> bytes:
        at = pdf.find(HASH_FIELD + NO_HASH.encode(), doc.idToOffset[manifest_stream.name])
        if at < 0:
            raise RuntimeError("the manifest's content hash field was not found in the written PDF")
        at += len(HASH_FIELD)
        return pdf[:at] + hashlib.sha256(pdf).hexdigest().encode() + pdf[at + 64:]
    return seal


