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

import contextlib
import hashlib
import io
import json
import logging
import re
import unicodedata
import warnings
import zlib
from pathlib import Path

from pypdf.generic import (ArrayObject, DictionaryObject, FloatObject, IndirectObject,
                           NameObject, NullObject, NumberObject, PdfObject, StreamObject, TextStringObject)
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFObject
from reportlab.platypus import Flowable, Paragraph, Spacer

from .errors import CaseError, fail
from .verify import CONTENT_HASH, HASH_FIELD, MANIFEST_NAME

MAX_IMAGE_PIXELS = 60_000_000  # pixels of an image exhibit (or of an image inside an exhibit PDF)
PRINT_DPI = 200
MAX_STREAM_BYTES = 50_000_000  # one decoded content stream of an exhibit PDF
MAX_PAGE_BYTES = 50_000_000  # all decoded content streams of one exhibit page together
MAX_FILE_BYTES = 500_000_000  # all decoded content of one exhibit PDF (checked at inspection)
MAX_OBJECTS = 500_000  # objects copied from one exhibit PDF


# ------------------------------------------------------------------ pypdf, quietly and within limits

_LIMITS_ON = [0]


@contextlib.contextmanager
def pdf_limits():
    """pypdf with casefile's decompression limits, and its log warnings silenced (a damaged file
    is reported once, as a problem line, never as log noise). Nested uses cost nothing."""
    if _LIMITS_ON[0]:
        yield
        return
    _LIMITS_ON[0] += 1
    try:
        with _pdf_limits():
            yield
    finally:
        _LIMITS_ON[0] -= 1


@contextlib.contextmanager
def _pdf_limits():
    log = logging.getLogger("pypdf")
    old_disabled = log.disabled
    log.disabled = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                from pypdf import apply_configuration
            except ImportError:  # pypdf < 7: the module constants are the limits
                from pypdf import filters
                saved = filters.ZLIB_MAX_OUTPUT_LENGTH
                filters.ZLIB_MAX_OUTPUT_LENGTH = MAX_STREAM_BYTES
                try:
                    yield
                finally:
                    filters.ZLIB_MAX_OUTPUT_LENGTH = saved
                return
            limits = dict(zlib_maximum_output_length=MAX_STREAM_BYTES,
                          lzw_maximum_output_length=MAX_STREAM_BYTES,
                          run_length_maximum_output_length=MAX_STREAM_BYTES,
                          array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
                          jbig2_maximum_output_length=MAX_STREAM_BYTES,
                          brotli_maximum_output_length=MAX_STREAM_BYTES,
                          image_maximum_buffer_size=MAX_STREAM_BYTES)
            from pypdf import get_configuration
            known = {k: v for k, v in limits.items() if hasattr(get_configuration(), k)}
            with apply_configuration(**known):
                yield
    finally:
        log.disabled = old_disabled


# ------------------------------------------------------------------ images

def open_image(path: Path, fit: tuple[int, int] | None = None):
    """Open an image safely and decode it: too many pixels is refused from the header alone,
    before anything is decoded. `fit` lets a JPEG decode at a reduced scale (draft mode)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            Image.MAX_IMAGE_PIXELS = None  # only while the header is read: the check is ours, below
            try:
                img = Image.open(path)
            finally:
                Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow's own guard stays on otherwise
            w, h = img.size
            if w * h > MAX_IMAGE_PIXELS:
                img.close()
                raise fail(path, "image", f"image too large ({w}×{h} = {w * h / 1e6:.0f} megapixels; the limit "
                                          f"is {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels); refused before decoding")
            if fit and img.format == "JPEG":
                img.draft("RGB" if img.mode not in ("L", "1") else "L", fit)
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise fail(path, "image", f"refused as a decompression bomb: {e}")
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as e:
            raise fail(path, "image", f"not a readable image: {type(e).__name__}: {_one_line(e)}")
    return img


def _printable(img):
    """RGB or L, upright (EXIF orientation applied), transparency flattened onto white."""
    from PIL import Image, ImageOps

    try:
        img = ImageOps.exif_transpose(img)
    except Exception:  # a broken EXIF block: keep the stored orientation
        pass
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        bg = Image.new("RGB", rgba.size, (255, 255, 255))
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    if img.mode == "1":
        return img.convert("L")
    if img.mode.startswith("I") or img.mode == "F":  # 16/32-bit grey: scale to 8 bits, not clip
        lo, hi = img.convert("F").getextrema()
        if img.mode.startswith("I;16") or (img.mode != "F" and lo >= 0 and hi <= 65535):
            lo, hi = 0, 65535
        span = (hi - lo) or 1
        return img.convert("F").point(lambda v: (v - lo) * 255 / span).convert("L")
    if img.mode not in ("RGB", "L"):
        return img.convert("RGB")
    return img


def draw_image(c, path: Path, x: float, y: float, w: float, h: float):
    """Draw an image fitted (aspect kept) and centred in the box, upright, at most PRINT_DPI."""
    max_box = (int(w / 72 * PRINT_DPI) + 1, int(h / 72 * PRINT_DPI) + 1)
    img = _printable(open_image(path, fit=(max(max_box), max(max_box))))
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
    from .rendering import Anchor, FilePage, PageBreakIfNotTop

    st, s = mk.state, mk.s
    out = []
    for i, f in enumerate(ex.files, 1):
        key = f"{ex.number}-file{i}"
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
        out.append(Anchor(key + "-end", None, 2, st))
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

    from .rendering import CONTENT, PAGE_H, PAGE_W

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

    from . import rtl

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


# ------------------------------------------------------------------ PDF exhibits: inspection

def pdf_page_count(path: Path) -> int:
    """Open a PDF exhibit, check everything the dossier will take from it, count its pages.

    Every defect is a one-line error: not a PDF, truncated or damaged, encrypted, a page-tree
    loop, a stream inflating beyond MAX_STREAM_BYTES (a decompression bomb), an image of more
    than MAX_IMAGE_PIXELS. The pages are copied exactly as `ExhibitPages` will copy them, so the
    build fails here, before anything is written, and never later."""
    from pypdf import PdfWriter

    with pdf_limits():
        reader = _open_pdf(path)
        n = _guard(path, lambda: len(reader.pages))
        if n == 0:
            raise fail(path, "pdf", "the PDF has no pages")
        copier = _Copier(PdfWriter(), path)
        for i in range(n):
            _guard(path, lambda: _exhibit_form(reader, i, copier, check=True), page=i + 1)
    return n


def _open_pdf(path: Path):
    from .pdfobjects import ExhibitReader

    data = _guard(path, lambda: Path(path).read_bytes())
    if b"%PDF-" not in data[:1024]:
        raise fail(path, "pdf", "not a PDF (the file does not start with %PDF-)")
    if b"%%EOF" not in data[-2048:]:
        raise fail(path, "pdf", "the PDF is truncated or damaged (no %%EOF marker at its end)")
    reader = _guard(path, lambda: ExhibitReader(data))
    if _guard(path, lambda: reader.is_encrypted):
        raise fail(path, "pdf", "the PDF is encrypted; give a decrypted copy")
    return reader


def _guard(path: Path, fn, page: int | None = None):
    """Run fn; turn whatever pypdf (or a hostile file) raises into one problem line."""
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PdfReadError, PyPdfError

    where = f"page {page}: " if page else ""
    try:
        return fn()
    except CaseError:
        raise
    except FileNotDecryptedError:
        raise fail(path, "pdf", "the PDF is encrypted; give a decrypted copy")
    except LimitReachedError:
        raise fail(path, "pdf", f"{where}refused as a decompression bomb (a stream inflates beyond "
                                f"{MAX_STREAM_BYTES // 1_000_000} MB)")
    except RecursionError:
        raise fail(path, "pdf", f"{where}not a readable PDF: objects nested too deeply or in a loop")
    except MemoryError:
        raise fail(path, "pdf", f"{where}not a readable PDF: it needs too much memory")
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            AssertionError, zlib.error, ArithmeticError) as e:
        if "cyclic" in str(e).lower() or "loop" in str(e).lower():
            raise fail(path, "pdf", f"{where}not a readable PDF: the page tree has a loop")
        raise fail(path, "pdf", f"{where}not a readable PDF: {type(e).__name__}: {_one_line(e)}")


def _one_line(e) -> str:
    return " ".join(str(e).split())[:200] or "no detail"


# ------------------------------------------------------------------ PDF exhibits: copying

# Keys never copied from an exhibit: anything that can act, link, hold files or forms, or lead
# back to the exhibit's page tree and catalog.
_DROP_KEYS = frozenset(["/Parent", "/P", "/AA", "/A", "/JS", "/JavaScript", "/OpenAction", "/AcroForm",
                        "/Names", "/EmbeddedFiles", "/EF", "/Annots", "/URI", "/Metadata", "/StructParent",
                        "/StructParents", "/Dests", "/Outlines", "/Threads", "/B", "/F", "/FFilter",
                        "/FDecodeParms", "/PieceInfo", "/Next", "/Kids", "/Pages", "/Root", "/Collection",
                        "/OCProperties", "/Launch", "/XFA", "/RichMedia", "/Sound", "/Movie"])
# Objects replaced by null wherever they are met.
_DROP_TYPES = frozenset(["/Catalog", "/Pages", "/Page", "/Annot", "/Action", "/Filespec", "/EmbeddedFile",
                         "/Sig", "/AcroForm"])


class _Copier:
    """Copies objects from exhibit readers into a writer, once each, leaving out what can act."""

    def __init__(self, writer, path: Path):
        self.writer, self.path = writer, path
        self.memo: dict = {}
        self.count = 0
        self.decoded = 0  # bytes of content decoded while checking

    def copy(self, obj):
        """A copy of `obj` for the writer; indirect objects are queued and copied iteratively
        (no recursion on reference chains)."""
        pending: list = []
        out = self._direct(obj, pending)
        while pending:
            src, ref = pending.pop()
            self.writer._replace_object(ref, self._direct(src, pending))
        return out

    def _direct(self, obj, pending):

        if isinstance(obj, IndirectObject):
            key = (id(obj.pdf), obj.idnum, obj.generation)
            ref = self.memo.get(key)
            if ref is None:
                self.count += 1
                if self.count > MAX_OBJECTS:
                    raise fail(self.path, "pdf", f"too many objects (more than {MAX_OBJECTS}) on its pages")
                target = obj.get_object()
                ref = self.writer._add_object(NullObject())
                self.memo[key] = ref
                pending.append((target if target is not None else NullObject(), ref))
            return ref
        if isinstance(obj, DictionaryObject):
            if obj.get("/Type") in _DROP_TYPES or obj.get("/S") in ("/JavaScript", "/URI", "/Launch",
                                                                      "/SubmitForm", "/ImportData"):
                return NullObject()
            stream = isinstance(obj, StreamObject)
            new = StreamObject() if stream else DictionaryObject()
            if stream:
                new._data = obj._data
            put = dict.__setitem__  # the keys are the source's names already: no re-wrapping
            for k, v in dict.items(obj):
                if k in _DROP_KEYS or (stream and k == "/Length"):
                    continue
                put(new, k, self._direct(v, pending))
            return new
        if isinstance(obj, ArrayObject):
            return ArrayObject(self._direct(x, pending) for x in obj)
        if obj is None:
            return NullObject()
        return obj


def _num(x: float):

    r = round(float(x), 4)
    return NumberObject(int(r)) if r == int(r) else FloatObject(r)


def _box(page, name: str, default: str | None = None) -> list[float]:
    """pypdf's `page.mediabox` / `page.cropbox` as four floats, without building a
    RectangleObject (the costliest step of placing a page): a missing or null box falls back to
    `default`; more than four values keep the first four, fewer are an error."""
    v = page.get(name)
    v = v.get_object() if v is not None else None
    if (v is None or isinstance(v, NullObject)) and default is not None:
        v = page.get(default)
        v = v.get_object() if v is not None else None
    if not isinstance(v, ArrayObject) or len(v) < 4:
        raise ValueError(f"expected an array of four values for {name}, got {v}")
    return [float(x) for x in v[:4]]


def _visible_box(page) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of what a viewer shows: the crop box within the media box."""
    mb = _box(page, "/MediaBox")
    cb = _box(page, "/CropBox", "/MediaBox")
    ml, mb_, mr, mt = min(mb[0], mb[2]), min(mb[1], mb[3]), max(mb[0], mb[2]), max(mb[1], mb[3])
    cl, cb_, cr, ct = min(cb[0], cb[2]), min(cb[1], cb[3]), max(cb[0], cb[2]), max(cb[1], cb[3])
    box = (max(ml, cl), max(mb_, cb_), min(mr, cr), min(mt, ct))
    if not (box[2] - box[0] > 1 and box[3] - box[1] > 1):
        box = (ml, mb_, mr, mt)
    if not all(abs(v) < 1e7 for v in box) or not (box[2] - box[0] > 1 and box[3] - box[1] > 1):
        raise ValueError(f"the page has no usable size (MediaBox {mb})")
    return box


def _exhibit_form(reader, index: int, copier: _Copier, check: bool = False):
    """The exhibit's page `index` as a form XObject in the copier's writer.

    Returns (reference, box, rotation, appearances): the visible appearances of the page's
    annotations (filled-in form fields, highlights, stamps) as (form reference, matrix) to be
    drawn over it, so what the exhibit shows survives while the annotations themselves (links,
    actions, fields) do not. With check, every content stream (of the page, of the forms it uses
    and of the appearances) is decoded within the limits and every image's size is checked."""
    page = reader.pages[index]
    box = _visible_box(page)
    rotation = round(float(page.get("/Rotate", 0) or 0) / 90) * 90 % 360
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    streams = [s.get_object() for s in contents] if isinstance(contents, ArrayObject) else \
        [contents] if isinstance(contents, StreamObject) else []
    streams = [s for s in streams if isinstance(s, StreamObject)]
    if check:
        total = 0
        for s in streams:
            total += _decoded_length(s)
            if total > MAX_PAGE_BYTES:
                raise fail(copier.path, "pdf", f"page {index + 1}: refused as a decompression bomb (its content "
                                               f"inflates beyond {MAX_PAGE_BYTES // 1_000_000} MB)")
        total += _check_resources(page.get("/Resources"), copier.path, index + 1)
        for ap, _ in _appearances(page):
            total += _decoded_length(ap) + _check_resources(ap.get("/Resources"), copier.path, index + 1)
        if total > 2 * MAX_PAGE_BYTES:
            raise fail(copier.path, "pdf", f"page {index + 1}: refused as a decompression bomb (its content "
                                           f"inflates beyond {2 * MAX_PAGE_BYTES // 1_000_000} MB)")
        copier.decoded += total
        if copier.decoded > MAX_FILE_BYTES:
            raise fail(copier.path, "pdf", f"page {index + 1}: refused as a decompression bomb (its pages' content "
                                           f"inflates beyond {MAX_FILE_BYTES // 1_000_000} MB)")
    form = StreamObject()
    if len(streams) == 1:  # the stored bytes, still encoded: nothing to decode or parse
        form._data = streams[0]._data
        for k in ("/Filter", "/DecodeParms"):
            if k in streams[0]:
                form[NameObject(k)] = copier.copy(streams[0][k])
    elif streams:
        form._data = zlib.compress(b"\n".join(_decoded(s) for s in streams), 6)
        form[NameObject("/Filter")] = NameObject("/FlateDecode")
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject(_num(v) for v in box),
        NameObject("/Resources"): copier.copy(page.raw_get("/Resources")) if "/Resources" in page
        else DictionaryObject(),
    })
    if "/Group" in page:
        form[NameObject("/Group")] = copier.copy(page.raw_get("/Group"))
    appearances = []
    for ap, matrix in _appearances(page):
        ref = copier.copy(ap.indirect_reference) if ap.indirect_reference is not None else \
            copier.writer._add_object(copier.copy(ap))
        target = ref.get_object()
        if not isinstance(target, StreamObject):  # dropped: it was something that acts
            continue
        target[NameObject("/Type")] = NameObject("/XObject")
        target[NameObject("/Subtype")] = NameObject("/Form")
        appearances.append((ref, matrix))
    return copier.writer._add_object(form), box, rotation, appearances


def _appearances(page) -> list:
    """(normal appearance stream, matrix into page space) of each annotation a viewer shows."""
    out = []
    annots = page.get("/Annots")
    annots = annots.get_object() if annots is not None else None
    if not isinstance(annots, ArrayObject):
        return out
    for a in annots[:10_000]:
        a = a.get_object()
        if not isinstance(a, DictionaryObject) or a.get("/Subtype") in ("/Popup", "/Link"):
            continue
        if int(a.get("/F", 0) or 0) & (2 | 32):  # Hidden, NoView
            continue
        ap = a.get("/AP")
        n = ap.get_object().get("/N") if isinstance(ap, DictionaryObject) else None
        n = n.get_object() if n is not None else None
        if isinstance(n, DictionaryObject) and not isinstance(n, StreamObject):
            state = a.get("/AS")
            n = n.get(state).get_object() if state is not None and n.get(state) is not None else None
        if not isinstance(n, StreamObject):
            continue
        rect = [float(v) for v in a.get("/Rect", [0, 0, 0, 0])]
        rl, rb, rr, rt = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
        bbox = [float(v) for v in n.get("/BBox", [0, 0, 0, 0])]
        m = [float(v) for v in n.get("/Matrix", [1, 0, 0, 1, 0, 0])]
        pts = [(m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
               for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
        tl, tb = min(p[0] for p in pts), min(p[1] for p in pts)
        tw, th = max(p[0] for p in pts) - tl, max(p[1] for p in pts) - tb
        if tw <= 0 or th <= 0 or rr - rl <= 0 or rt - rb <= 0:
            continue
        sx, sy = (rr - rl) / tw, (rt - rb) / th
        out.append((n, [sx, 0, 0, sy, rl - tl * sx, rb - tb * sy]))
    return out


def _decoded(stream) -> bytes:
    """A stream's decoded bytes, not kept in pypdf's cache (memory stays bounded by one stream)."""
    try:
        return stream.get_data()
    finally:
        if getattr(stream, "decoded_self", None) is not None:
            stream.decoded_self = None


def _decoded_length(stream) -> int:
    return len(_decoded(stream))


def _check_resources(resources, path: Path, page_no: int) -> int:
    """Decode the content of every form XObject reachable from `resources` (within the limits)
    and check the declared size of every image: iteratively, each object once. Returns the
    bytes decoded."""
    decoded = 0
    stack = [resources]
    seen: set = set()
    while stack:
        res = stack.pop()
        if isinstance(res, IndirectObject):
            if (res.idnum, res.generation) in seen:
                continue
            seen.add((res.idnum, res.generation))
            if len(seen) > MAX_OBJECTS:
                raise fail(path, "pdf", f"page {page_no}: too many resource objects")
        res = res.get_object() if res is not None else None
        if not isinstance(res, DictionaryObject):
            continue
        xobjects = res.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        if isinstance(xobjects, DictionaryObject):
            for ref in xobjects.values():
                key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else None
                if key in seen:
                    continue
                if key:
                    seen.add(key)
                x = ref.get_object()
                if not isinstance(x, StreamObject):
                    continue
                if x.get("/Subtype") == "/Image":
                    w, h = int(x.get("/Width", 0) or 0), int(x.get("/Height", 0) or 0)
                    if w * h > MAX_IMAGE_PIXELS:
                        raise fail(path, "pdf", f"page {page_no}: an image of {w}×{h} = {w * h / 1e6:.0f} "
                                                f"megapixels (the limit is {MAX_IMAGE_PIXELS / 1e6:.0f})")
                elif x.get("/Subtype") == "/Form":
                    decoded += _decoded_length(x)
                    if decoded > MAX_PAGE_BYTES:
                        raise fail(path, "pdf", f"page {page_no}: refused as a decompression bomb (its forms "
                                                f"inflate beyond {MAX_PAGE_BYTES // 1_000_000} MB)")
                    stack.append(x.raw_get("/Resources") if "/Resources" in x else None)
        for kind in ("/Pattern", "/Font"):  # tiling patterns and Type 3 glyphs are content too
            d = res.get(kind)
            d = d.get_object() if d is not None else None
            if isinstance(d, DictionaryObject):
                for v in d.values():
                    o = v.get_object()
                    if isinstance(o, DictionaryObject) and "/Resources" in o:
                        stack.append(o.raw_get("/Resources"))
    return decoded


def _placement(box, rotation: int, target) -> list[float]:
    """The matrix mapping the exhibit page's visible box, turned by its /Rotate, fitted and
    centred into the target box (x, y, w, h); and where it lands (x, y, w, h)."""
    l, b, r, t = box
    w, h = r - l, t - b
    W, H = (h, w) if rotation in (90, 270) else (w, h)
    bx, by, bw, bh = target
    s = min(bw / W, bh / H)
    tx, ty = bx + (bw - W * s) / 2, by + (bh - H * s) / 2
    placed = (tx, ty, W * s, H * s)
    if rotation == 90:
        return [0, -s, s, 0, tx - s * b, ty + s * (w + l)], placed
    if rotation == 180:
        return [-s, 0, 0, -s, tx + s * (l + w), ty + s * (b + h)], placed
    if rotation == 270:
        return [0, s, -s, 0, tx + s * (b + h), ty - s * l], placed
    return [s, 0, 0, s, tx - s * l, ty - s * b], placed


def _fmt(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


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
    """What `_Copier` writes into while typesetting: the reportlab document."""

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
                self.files[key] = (_open_pdf(path), _Copier(_Sink(c._doc), path))
            reader, copier = self.files[key]
            ref, vbox, rotation, appearances = _guard(path, lambda: _exhibit_form(reader, index, copier),
                                                      page=index + 1)
        matrix, placed = _placement(vbox, rotation, (0, 0, w, h))
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


# ------------------------------------------------------------------ the finished dossier

_NO_HASH = "0" * 64


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
    manifest = manifest_json(d, anchors, _NO_HASH, pages, {(a[1].path): a[0] for a in attachments})
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
        at = pdf.find(HASH_FIELD + _NO_HASH.encode(), doc.idToOffset[manifest_stream.name])
        if at < 0:
            raise RuntimeError("the manifest's content hash field was not found in the written PDF")
        at += len(HASH_FIELD)
        return pdf[:at] + hashlib.sha256(pdf).hexdigest().encode() + pdf[at + 64:]
    return seal


def attachment_name(number: str, i: int, path: str) -> str:
    return f"{number}-file{i}-{Path(path).name}"


def page_ranges(d, anchors: dict) -> dict:
    """Page ranges of every shown exhibit and of each of its files, from the renderer's anchors."""
    shown = [e for e in d.exhibits if not e.withheld]
    out = {}
    for k, e in enumerate(shown):
        first = anchors.get(e.number)
        if first is None:
            continue
        nxt = shown[k + 1].number if k + 1 < len(shown) else "names-index"
        last = anchors[nxt] - 1 if nxt in anchors else max(anchors.values())
        files = []
        for i in range(1, len(e.files) + 1):
            a, b = anchors.get(f"{e.number}-file{i}"), anchors.get(f"{e.number}-file{i}-end")
            files.append([a, b] if a is not None and b is not None else None)
        out[e.number] = ([first, max(first, last)], files)
    return out


def manifest_json(d, anchors: dict, content: str, pages: int, attached: dict) -> bytes:
    """The manifest, as canonical JSON bytes (sorted keys, UTF-8)."""
    from . import __version__

    ranges = page_ranges(d, anchors)
    exhibits = []
    for e in d.exhibits:
        entry = {"number": e.number, "withheld": bool(e.withheld)}
        if not e.withheld:
            item_pages, file_pages = ranges.get(e.number, (None, []))
            entry.update({"item": e.id, "type": e.type, "title": e.title, "pages": item_pages, "files": []})
            for i, f in enumerate(e.files, 1):
                entry["files"].append({
                    "path": f.path, "sha256": f.sha256, "size": f.size, "kind": f.kind,
                    "withheld": bool(f.withheld), "source_pages": f.pages if f.kind == "pdf" else None,
                    "pages": file_pages[i - 1] if i - 1 < len(file_pages) else None,
                    "attachment": attached.get(f.path)})
        exhibits.append(entry)
    m = {
        "format": "casefile-manifest/1",
        "generator": f"casefile {__version__}",
        "case": d.case["id"],
        "case_title": d.case["title"],
        "accused": d.accused["id"],
        "accused_name": d.accused["name"],
        "edition": d.edition,
        "stamp_prefix": d.stamp_prefix,
        "input_fingerprint": d.fingerprint,
        "pages": pages,
        "content_sha256": content,
        "content_hash": CONTENT_HASH,
        "exhibit_files_folder": f"exhibits/{d.case['id']}",
        "exhibits": exhibits,
    }
    return (json.dumps(m, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
