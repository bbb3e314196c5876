"""Pages of PDF exhibits drawn into the dossier as it is typeset, and the finished PDF's manifest.

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
import mimetypes
import io
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

from casefile.errors import fail
from casefile.pdf.exhibits import Copier, exhibit_form, open_pdf, placement
from casefile.pdf.limits import guard, pdf_limits
from casefile.pdf.manifest import HASH_FIELD, MANIFEST_NAME, NO_HASH, attachment_name, manifest_json
from casefile.typeset import fastpath

def checked_bytes(f) -> bytes:
    """The bytes of exhibit file `f` as they are now, refused unless their SHA-256 is the one the
    dossier records: what is typeset is always what the lock, the manifest and the annex name."""
    path = Path(getattr(f, "drawn", None) or f.abspath)  # a converted file: its rendition is drawn
    want = getattr(f, "rendition_sha256", "") if path != Path(f.abspath) else f.sha256
    data = path.read_bytes()
    now = hashlib.sha256(data).hexdigest()
    if want and now != want:
        raise fail(path, "sha256", f"the file changed during the build or without its size and times "
                                   f"changing (its bytes now have sha256 {now}, {want} was recorded); "
                                   f"nothing written: build again with --force")
    return data


# ------------------------------------------------------------------ PDF exhibits: drawn while typesetting

class _Slot(PdfObject):
    """One indirect object of the dossier being typeset, holding a pypdf object (copied from an
    exhibit, or made here): reportlab numbers it and writes it where it writes its own objects,
    in the PDF syntax `_serialise` gives it. References to other slots are written `n 0 R`."""

    def __init__(self, c, obj, name: str | None = None):
        self.obj = obj
        self.number, self.name = fastpath.add_object(c, self.pdf_bytes, name)

    def get_object(self):
        return self.obj

    def write_to_stream(self, stream, encryption_key=None):  # as a reference, inside another object
        stream.write(b"%d 0 R" % self.number)

    def pdf_bytes(self) -> bytes:  # as the indirect object itself (reportlab adds "n 0 obj ... endobj")
        out: list = []
        _serialise(self.obj, out)
        return b"".join(out)


_NAMES: dict = {}  # NameObject -> its bytes in PDF syntax (escaped once)


def _serialise(obj, out: list):
    """`obj` in PDF syntax appended to `out`: what pypdf's write_to_stream writes, with fast
    paths for the common types (names, integers, dictionaries, arrays)."""
    t = type(obj)
    if t is _Slot:
        out.append(b"%d 0 R" % obj.number)
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
            _serialise(k, out)
            out.append(b" ")
            _serialise(v, out)
            out.append(b"\n")
        if stream:  # (a stream made here or by the copier: a plain StreamObject holding its stored bytes)
            data = obj.get_data()
            out.append(b"/Length %d>>\nstream\n" % len(data))
            out.append(data)
            out.append(b"\nendstream")
        else:
            out.append(b">>")
    elif isinstance(obj, ArrayObject):
        out.append(b"[")
        for v in obj:
            _serialise(v, out)
            out.append(b" ")
        out.append(b"]")
    else:
        buf = io.BytesIO()
        obj.write_to_stream(buf)
        out.append(buf.getvalue())


class _Sink:
    """What `Copier` copies into while typesetting: the reportlab document on the canvas."""

    def __init__(self, c):
        self.c = c

    def add(self, obj) -> _Slot:
        return _Slot(self.c, obj)

    def replace(self, slot: _Slot, obj):
        slot.obj = obj


class ExhibitPages:
    """Pages of exhibit PDFs drawn into the dossier as it is typeset. Each exhibit file is opened
    once per dossier and its objects are copied once (fonts and images shared by its pages stay
    shared), straight into the reportlab document: nothing is re-read or re-written afterwards."""

    def __init__(self):
        self.files: dict = {}
        self.count = 0

    def unembedded_fonts(self) -> dict[str, list[str]]:
        """Exhibit file -> the fonts its pages drawn so far show text with, not embedded."""
        return {path: sorted(copier.unembedded) for path, (_, copier) in sorted(self.files.items())
                if copier.unembedded}

    def draw(self, c, f, index: int, w: float, h: float):
        """Draw page `index` (0-based) of the PDF exhibit file `f` (its rendition, for a converted
        file) fitted and centred into the box (0, 0, w, h) of the current coordinates, upright,
        with a hairline round it; return where the page's visible box was drawn (x, y, w, h).
        The file is read once per dossier, and its bytes checked against the recorded SHA-256."""
        path = Path(f.drawn)
        with pdf_limits():
            key = str(path)  # (a str hashes once; a new Path object hashes its parts every time)
            if key not in self.files:
                self.files[key] = (open_pdf(path, checked_bytes(f)), Copier(_Sink(c), path))
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
        return placed


def _form_name(c, slot: _Slot, name: str) -> str:
    """Make the copied form in `slot` drawable with `c.doForm(name)`."""
    return fastpath.name_form(c, slot.name, name)


def _embedded_file(c, name: str, data: bytes, description: str, relationship: str, subtype: str | None = None):
    """A file specification with its embedded file stream, stored as is (not compressed)."""
    ef = StreamObject()
    ef.set_data(data)
    ef[NameObject("/Type")] = NameObject("/EmbeddedFile")
    if subtype:
        ef[NameObject("/Subtype")] = NameObject(subtype)
    ef[NameObject("/Params")] = DictionaryObject({NameObject("/Size"): NumberObject(len(data))})
    ef_slot = _Slot(c, ef)
    spec = DictionaryObject({
        NameObject("/Type"): NameObject("/Filespec"),
        NameObject("/F"): TextStringObject(name), NameObject("/UF"): TextStringObject(name),
        NameObject("/Desc"): TextStringObject(description),
        NameObject("/AFRelationship"): NameObject(relationship),
        NameObject("/EF"): DictionaryObject({NameObject("/F"): ef_slot, NameObject("/UF"): ef_slot})})
    return _Slot(c, spec), ef_slot


def set_document_id(c, d, profile: str = "archive"):
    """The document /ID, derived from the dossier's inputs (identical inputs, identical file)."""
    parts = [d.fingerprint, d.edition, d.code, d.accused["id"]] + ([profile] if profile != "archive" else [])
    ident = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32].encode()
    fastpath.set_document_id(c, ident)


def add_manifest(c, d, anchors: dict, pages: int, attach_media: bool = False, text_lines: dict | None = None):
    """Attach the manifest (and, with --attach-media, a copy of each media file) to the document
    on canvas `c`, give it a /ID derived from the dossier's inputs, and return the function that
    seals the saved bytes: it writes the content hash into the manifest (see verify.py)."""
    public = d.edition == "public"
    attachments = []  # (name, file, bytes, (exhibit number, file index) of every listing)
    if attach_media:
        for ex in d.exhibits:
            for i, f in enumerate(ex.files, 1):
                if f.kind != "media" or f.withheld:
                    continue
                same = next((a for a in attachments if a[1].path == f.path), None)
                if same is not None:
                    same[3].append((ex.number, i))
                    continue
                attachments.append((attachment_name(ex.number, i, f.path, public), f, checked_bytes(f),
                                    [(ex.number, i)]))
    manifest = manifest_json(d, anchors, NO_HASH, pages, {k: a[0] for a in attachments for k in a[3]},
                             text_lines=text_lines)
    entries = [(name, _embedded_file(c, name, data, f"{f.label or f.path} (sha256 {f.sha256})", "/Source",
                                     "/" + (mimetypes.guess_type(f.path)[0] or "application/octet-stream"))[0])
               for name, f, data, _ in attachments]
    spec, manifest_stream = _embedded_file(
        c, MANIFEST_NAME, manifest, "casefile manifest: exhibits, files, page ranges and the content hash",
        "/Data", "/application/json")
    entries.append((MANIFEST_NAME, spec))
    names = ArrayObject()
    for name, ref in sorted(entries, key=lambda e: e[0].encode("utf-16-be")):
        names += [TextStringObject(name), ref]
    fastpath.set_catalog_names(c, _Slot(c, DictionaryObject({NameObject("/EmbeddedFiles"): DictionaryObject(
        {NameObject("/Names"): names})})).name)
    set_document_id(c, d)

    def seal(pdf: bytes) -> bytes:
        at = pdf.find(HASH_FIELD + NO_HASH.encode(), fastpath.offset_of(c, manifest_stream.name))
        if at < 0:
            raise RuntimeError("the manifest's content hash field was not found in the written PDF")
        at += len(HASH_FIELD)
        return pdf[:at] + hashlib.sha256(pdf).hexdigest().encode() + pdf[at + 64:]
    seal.associated = [ref for _, ref in sorted(entries, key=lambda e: e[0].encode("utf-16-be"))]  # PDF/A-3 /AF
    return seal


