"""`casefile verify`: check a dossier against its embedded manifest, and the exhibit files on
disk against the hashes recorded in it.

The manifest
------------
Every dossier carries a file attachment named ``casefile-manifest.json`` (UTF-8 JSON, sorted
keys): the case, accused and edition, the page count, the exhibits with their page ranges and
files (path under ``exhibits/<case-id>/``, sha256, size, page range) and ``content_sha256``.

The rendered-content hash (``casefile-content-v1``)
---------------------------------------------------
``content_sha256`` is a SHA-256 over everything that draws the pages, in page order, and
nothing else (not the manifest, the outline, the document information or the /ID), so it can
be recomputed from the PDF after the manifest is attached. The hash is fed, in order:

1. ``casefile-content-v1\\n``
2. for each page *i* (1-based): ``page i\\n``; then for each of ``/MediaBox``, ``/CropBox``,
   ``/Rotate`` the page has: the key and its canonical value (below); then
   ``contents N\\n`` with N the number of content streams, and for each content stream
   ``<length>\\n`` followed by its *decoded* bytes (filters applied); then ``resources\\n`` and
   the canonical form of the page's ``/Resources``.

The canonical form of an object: a dictionary is ``<<`` + (key + value) for its keys in sorted
order, leaving out ``/Length`` and ``/Parent``, + ``>>``; an array ``[`` + items separated by a
space + ``]``; a stream is ``stream`` + its dictionary + ``sha256:`` + the SHA-256 of its
bytes *as stored* (still encoded); a name is itself (``/Font``); an integer in decimal; a real
number in the shortest form with at most 8 significant digits (as pypdf writes it: 0.5, 12,
595.27559); a string ``<hex>``; ``true``, ``false``, ``null``. An indirect object met for the
first time is written ``#k=`` followed by its canonical form, where k counts first meetings
from 0 across the whole document; met again it is ``#k`` — so shared resources (a font used
on every page) are hashed once, and object numbers do not matter.

So any change to what a page shows (text, drawing, an image, a font, a page removed, added or
reordered) changes the hash; re-saving the PDF with a tool that re-encodes streams changes it
too (by design: verify checks the dossier as it was written).

Exit status: 0 only when the dossier's content and page count match its manifest and (with a
workspace) every exhibit file on disk still has its recorded sha256; 1 otherwise.
"""

from __future__ import annotations

import hashlib
import json
from math import isfinite, log10
from pathlib import Path

from .errors import CaseError, fail
from .loading import sha256_file

CONTENT_HASH = "casefile-content-v1"
MANIFEST_NAME = "casefile-manifest.json"
_SKIP = frozenset(["/Length", "/Parent"])


def _real(v: float) -> str:
    if v == 0:
        return "0"
    nb = 8 - int(log10(abs(v)))
    s = f"{v:.{max(1, nb)}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


class _Canon:
    def __init__(self, h):
        self.h = h
        self.seen: dict = {}

    def put(self, s: str | bytes):
        self.h.update(s.encode("utf-8") if isinstance(s, str) else s)

    def obj(self, o, depth: int = 0):
        from pypdf.generic import (ArrayObject, BooleanObject, ByteStringObject, DictionaryObject,
                                   FloatObject, IndirectObject, NameObject, NullObject, NumberObject,
                                   StreamObject, TextStringObject)

        if depth > 200:
            raise RecursionError("objects nested too deeply")
        if isinstance(o, IndirectObject):
            key = (id(o.pdf), o.idnum, o.generation)
            if key in self.seen:
                self.put(f"#{self.seen[key]}")
                return
            self.seen[key] = len(self.seen)
            self.put(f"#{self.seen[key]}=")
            self.obj(o.get_object(), depth + 1)
            return
        if isinstance(o, StreamObject):
            self.put("stream")
            self._dict(o, depth)
            self.put("sha256:" + hashlib.sha256(o._data or b"").hexdigest())
        elif isinstance(o, DictionaryObject):
            self._dict(o, depth)
        elif isinstance(o, ArrayObject):
            self.put("[")
            for i, x in enumerate(o):
                if i:
                    self.put(" ")
                self.obj(x, depth + 1)
            self.put("]")
        elif isinstance(o, BooleanObject):
            self.put("true" if o else "false")
        elif isinstance(o, NameObject):
            self.put(str(o))
        elif isinstance(o, (NumberObject, FloatObject, int, float)):
            v = float(o)
            if not isfinite(v):
                self.put("nan")
            else:
                self.put(str(int(v)) if v == int(v) and abs(v) < 2 ** 53 else _real(v))
        elif isinstance(o, TextStringObject):
            self.put("<" + o.original_bytes.hex() + ">")
        elif isinstance(o, (ByteStringObject, bytes)):
            self.put("<" + bytes(o).hex() + ">")
        elif isinstance(o, str):
            self.put("<" + o.encode("utf-8").hex() + ">")
        elif o is None or isinstance(o, NullObject):
            self.put("null")
        else:
            self.put(f"?{type(o).__name__}")

    def _dict(self, d, depth):
        self.put("<<")
        for k in sorted(d.keys()):
            if k in _SKIP:
                continue
            self.put(str(k))
            self.obj(d.raw_get(k), depth + 1)
        self.put(">>")


def content_sha256(pages) -> str:
    """The rendered-content hash of a sequence of pypdf pages (reader or writer); see above."""
    from pypdf.generic import ArrayObject, StreamObject

    h = hashlib.sha256()
    c = _Canon(h)
    c.put(f"{CONTENT_HASH}\n")
    for i, page in enumerate(pages, 1):
        c.put(f"page {i}\n")
        for key in ("/MediaBox", "/CropBox", "/Rotate"):
            if key in page:
                c.put(key)
                c.obj(page.raw_get(key))
                c.put("\n")
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        streams = [s.get_object() for s in contents] if isinstance(contents, ArrayObject) else \
            [contents] if contents is not None else []
        c.put(f"contents {len(streams)}\n")
        for s in streams:
            data = s.get_data() if isinstance(s, StreamObject) else b""
            c.put(f"{len(data)}\n")
            c.put(data)
        c.put("resources\n")
        c.obj(page.raw_get("/Resources") if "/Resources" in page else None)
        c.put("\n")
    return h.hexdigest()


def read_manifest(reader, shown: str) -> dict:
    try:
        found = reader.attachments.get(MANIFEST_NAME)
    except Exception as e:  # a damaged name tree
        raise fail(shown, "manifest", f"cannot read the attachments: {type(e).__name__}: {e}")
    if not found:
        raise fail(shown, "manifest", f"no {MANIFEST_NAME} attached: not a casefile dossier, or the "
                                      f"manifest was removed")
    try:
        m = json.loads(found[0].decode("utf-8"))
        if not isinstance(m, dict) or not str(m.get("format", "")).startswith("casefile-manifest/"):
            raise ValueError("not a casefile manifest")
        return m
    except (ValueError, UnicodeDecodeError) as e:
        raise fail(shown, "manifest", f"the attached manifest is not valid: {e}")


def default_root(cwd: Path | None = None) -> Path | None:
    cwd = Path.cwd() if cwd is None else Path(cwd)
    return cwd if (cwd / "cases").is_dir() else None


def verify(pdf: Path, root: Path | None, report=print) -> int:
    """Check one dossier; print one line per check; return the number of failures. A file
    that cannot be read as a dossier at all raises CaseError (one line)."""
    from pypdf import PdfReader

    from .stamping import _guard, pdf_limits

    pdf = Path(pdf)
    shown = pdf.as_posix()
    if not pdf.is_file():
        raise fail(shown, "file", "no such file")
    with pdf_limits():
        try:
            with open(pdf, "rb") as fh:
                if b"%PDF-" not in fh.read(1024):
                    raise fail(shown, "pdf", "not a PDF (the file does not start with %PDF-)")
            reader = _guard(pdf, lambda: PdfReader(str(pdf), strict=False))
            if _guard(pdf, lambda: reader.is_encrypted):
                raise fail(shown, "pdf", "the PDF is encrypted; a casefile dossier never is")
            m = read_manifest(reader, shown)
            pages = _guard(pdf, lambda: len(reader.pages))
            content = _guard(pdf, lambda: content_sha256(reader.pages))
        except CaseError as e:
            raise CaseError([type(p)(shown, p.line, p.field, p.message) for p in e.problems])
    bad = 0
    what = f"{m.get('case')} · {m.get('accused')} · {m.get('edition')} edition"
    if pages != m.get("pages"):
        bad += 1
        report(f"changed  {shown}: pages: the manifest records {m.get('pages')} pages, the PDF has {pages}")
    if content != m.get("content_sha256"):
        bad += 1
        report(f"changed  {shown}: content: rendered content changed (sha256 {m.get('content_sha256')} → "
               f"{content})")
    if not bad:
        report(f"ok       {shown}: {what}, {pages} pages, content sha256 {content}")
    files = [(e["number"], f) for e in m.get("exhibits", []) for f in e.get("files", [])]
    if root is None:
        report(f"note     exhibit files not checked ({len(files)} recorded): no workspace here; "
               f"give --root DIR")
    else:
        folder = Path(root) / "exhibits" / str(m.get("case"))
        for number, f in files:
            path = folder / f["path"]
            rel = f"exhibits/{m.get('case')}/{f['path']}"
            if not path.is_file():
                bad += 1
                report(f"missing  {number}  {rel}  (recorded sha256 {f['sha256']})")
                continue
            try:
                now = sha256_file(path)
            except OSError as e:
                bad += 1
                report(f"missing  {number}  {rel}  (cannot read: {e.strerror or e})")
                continue
            if now == f["sha256"]:
                report(f"ok       {number}  {rel}  sha256 {now}")
            else:
                bad += 1
                report(f"changed  {number}  {rel}  sha256 {f['sha256']} → {now}")
    report(f"{bad} problem{'s' if bad != 1 else ''} found" if bad else
           "verified: the dossier matches its manifest" + ("" if root is None else
                                                          f" and all {len(files)} exhibit files are unchanged"))
    return bad


def check_public(pdf: Path, root: Path | None, case: str | None, accused: str | None, report=print) -> int:
    """The public-edition leak check on any PDF (ours or someone else's): search everything
    extractable for the protected names and redacted terms of the workspace's case. The case
    and accused come from the embedded manifest when there is one, else from the options."""
    from pypdf import PdfReader

    from .build import redaction_terms
    from .leakcheck import find_leaks
    from .loading import case_ids, load_cases

    pdf = Path(pdf)
    shown = pdf.as_posix()
    if root is None:
        raise fail(shown, "root", "the leak check needs the workspace that holds the case (--root DIR)")
    if not pdf.is_file():
        raise fail(shown, "file", "no such file")
    data = pdf.read_bytes()
    try:
        m = read_manifest(PdfReader(pdf, strict=False), shown)
        case = case or m.get("case")
        accused = accused or m.get("accused")
    except Exception:  # no manifest, or unreadable: the options name the case; find_leaks reports damage
        pass
    if not case:
        known = case_ids(Path(root))
        if len(known) != 1:
            raise fail(shown, "case", f"name the case with --case (known: {', '.join(known) or 'none'})")
        case = known[0]
    [lc] = load_cases(Path(root), [case])
    ids = {li.item.id for li in lc.items if accused is None or accused in li.item.accused}
    terms = redaction_terms(lc, ids)
    try:
        leaks = find_leaks(data, terms)
    except Exception as e:
        raise fail(shown, "pdf", f"cannot be read for the leak check: {type(e).__name__}: {e}")
    for l in leaks:
        report(f"leak     {shown}: '{l.term.text}' ({l.term.path}:{l.term.line}: {l.term.field}) found in {l.where}")
    if not leaks:
        report(f"ok       {shown}: none of {len(terms)} protected names and redacted terms of case '{case}'"
               f"{f' (accused {accused})' if accused else ''} found")
    return len(leaks)
