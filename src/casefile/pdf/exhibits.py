"""PDF exhibits read and checked: every defect of an exhibit file is one problem line, found at
inspection before anything is written; its pages become form XObjects holding only what draws
the page (content and the resources it uses), never anything that can act (links and other
annotations, actions and JavaScript, forms, embedded files, metadata, the document catalog).
The visible appearance of annotations (filled-in fields, highlights) is kept as drawing."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

from casefile.errors import fail
from casefile.pdf.fastpath import stored_bytes
from casefile.pdf.fonts import embedded_only, forms, lists_unembedded, unembedded_in_use
from casefile.pdf.limits import MAX_FILE_BYTES, MAX_IMAGE_PIXELS, MAX_OBJECTS, MAX_PAGE_BYTES, guard, pdf_limits


def pdf_page_count(path: Path, data: bytes | None = None) -> int:
    """The number of pages of a PDF exhibit, checked as `pdf_page_sizes` checks it."""
    return len(pdf_page_sizes(path, data))


def pdf_page_sizes(path: Path, data: bytes | None = None) -> list[tuple[float, float]]:
    """Open a PDF exhibit, check everything the dossier will take from it, and give the size of
    each page as a viewer shows it (width, height of its visible box, turned by its /Rotate).

    Every defect is a one-line error: not a PDF, truncated or damaged, encrypted, a page-tree
    loop, a stream inflating beyond MAX_STREAM_BYTES (a decompression bomb), an image of more
    than MAX_IMAGE_PIXELS. The pages are copied exactly as `ExhibitPages` will copy them, so the
    build fails here, before anything is written, and never later. `data`: the file's bytes, read
    once by the caller (who hashes the same bytes)."""
    with pdf_limits():
        reader = open_pdf(path, data)
        n = guard(path, lambda: len(reader.pages))
        if n == 0:
            raise fail(path, "pdf", "the PDF has no pages")
        copier = Copier(Inspection(), path)
        sizes = []
        for i in range(n):
            _, (l, b, r, t), rotation, _ = guard(path, lambda: exhibit_form(reader, i, copier, check=True),
                                                 page=i + 1)
            sizes.append((t - b, r - l) if rotation in (90, 270) else (r - l, t - b))
    return sizes


def open_pdf(path: Path, data: bytes | None = None) -> PdfReader:
    """The exhibit PDF read by pypdf (not strict: what a viewer shows of a slightly damaged file
    is what the dossier shows); the first checks, each a problem line. `data`: its bytes, when
    the caller has read (and hashed) them."""
    if data is None:
        data = guard(path, lambda: Path(path).read_bytes())
    if b"%PDF-" not in data[:1024]:
        raise fail(path, "pdf", "not a PDF (the file does not start with %PDF-)")
    if b"%%EOF" not in data[-2048:]:
        raise fail(path, "pdf", "the PDF is truncated or damaged (no %%EOF marker at its end)")
    reader = guard(path, lambda: PdfReader(io.BytesIO(data), strict=False))
    if guard(path, lambda: reader.is_encrypted):
        raise fail(path, "pdf", "the PDF is encrypted; give a decrypted copy")
    return reader




def in_reading_order(path: Path, data: bytes) -> bytes:
    """The PDF written again by pypdf with its objects numbered in the order they are reached
    from the catalog: the same document gives the same bytes, whatever order its producer
    wrote its objects in (LibreOffice numbers a page's fonts in a varying order)."""
    from pypdf import PdfWriter

    reader = open_pdf(path, data)
    out = io.BytesIO()
    guard(path, lambda: PdfWriter(clone_from=reader).write(out))
    return out.getvalue()

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


class Kept(PdfObject):
    """An object copied at inspection, held until the check is over."""

    def __init__(self, obj):
        self.obj = obj

    def get_object(self):
        return self.obj


class Inspection:
    """Where the copies made while checking an exhibit go: nowhere but memory, for the check.

    A copier's target has two methods: `add(obj)` makes `obj` an indirect object of the target
    and returns the reference to it (a pypdf object whose `get_object()` gives `obj`);
    `replace(ref, obj)` puts `obj` in the place of the object `ref` refers to."""

    def add(self, obj) -> Kept:
        return Kept(obj)

    def replace(self, ref: Kept, obj):
        ref.obj = obj


class Copier:
    """Copies objects from exhibit readers into a target (`Inspection`, or the dossier being
    typeset), once each, leaving out what can act."""

    def __init__(self, target, path: Path):
        self.target, self.path = target, path
        self.memo: dict = {}
        self.count = 0
        self.decoded = 0  # bytes of content decoded while checking
        self.unembedded: set[str] = set()  # fonts its pages show text with that are not embedded

    def copy(self, obj):
        """A copy of `obj` for the target; indirect objects are queued and copied iteratively
        (no recursion on reference chains)."""
        pending: list = []
        out = self._direct(obj, pending)
        while pending:
            src, ref = pending.pop()
            self.target.replace(ref, self._direct(src, pending))
        return out

    def _direct(self, obj, pending):

        if isinstance(obj, IndirectObject):
            key = (id(obj.pdf), obj.idnum, obj.generation)
            ref = self.memo.get(key)
            if ref is None:
                self.count += 1
                if self.count > MAX_OBJECTS:
                    raise fail(self.path, "pdf", f"too many objects (more than {MAX_OBJECTS}) on its pages")
                found = obj.get_object()
                ref = self.target.add(NullObject())
                self.memo[key] = ref
                pending.append((found if found is not None else NullObject(), ref))
            return ref
        if isinstance(obj, DictionaryObject):
            if obj.get("/Type") in _DROP_TYPES or obj.get("/S") in ("/JavaScript", "/URI", "/Launch",
                                                                      "/SubmitForm", "/ImportData"):
                return NullObject()
            stream = isinstance(obj, StreamObject)
            new = StreamObject() if stream else DictionaryObject()
            if stream:
                new.set_data(stored_bytes(obj))
            put = dict.__setitem__  # the keys are the source's names already: no re-wrapping
            for k, v in dict.items(obj):
                if k in _DROP_KEYS or (stream and k == "/Length"):
                    continue
                if k == "/Font" and isinstance(v.get_object(), DictionaryObject):  # resources' fonts:
                    v = embedded_only(v.get_object(), self.unembedded)  # one that shows nothing: replaced
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


def exhibit_form(reader, index: int, copier: Copier, check: bool = False):
    """The exhibit's page `index` as a form XObject in the copier's target.

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
    copier.unembedded |= unembedded_fonts(page, streams)
    form = StreamObject()
    if len(streams) == 1:  # the stored bytes, still encoded: nothing to decode or parse
        form.set_data(stored_bytes(streams[0]))
        for k in ("/Filter", "/DecodeParms"):
            if k in streams[0]:
                form[NameObject(k)] = copier.copy(streams[0][k])
    elif streams:
        form.set_data(zlib.compress(b"\n".join(_decoded(s) for s in streams), 6))
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
            copier.target.add(copier.copy(ap))
        target = ref.get_object()
        if not isinstance(target, StreamObject):  # dropped: it was something that acts
            continue
        target[NameObject("/Type")] = NameObject("/XObject")
        target[NameObject("/Subtype")] = NameObject("/Form")
        appearances.append((ref, matrix))
    return copier.target.add(form), box, rotation, appearances


def unembedded_fonts(page, streams) -> set[str]:
    """The fonts a page shows text with that are not embedded (PDF/A embeds every font): only
    looked for when its resources list such a font (a font selected but never shown with, as
    reportlab selects Helvetica on every page it makes, is replaced in the copy: fonts.py)."""
    resources = page.get("/Resources")
    drawn = [(resources, streams)] + [(res, [form]) for res, form in forms(resources)] + \
        [(ap.get("/Resources"), [ap]) for ap, _ in _appearances(page)]
    found = set()
    for res, content in drawn:
        if lists_unembedded(res):  # only then is the content decoded
            found |= set(unembedded_in_use(res, [_decoded(s) for s in content]))
    return found


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


def placement(box, rotation: int, target) -> list[float]:
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

