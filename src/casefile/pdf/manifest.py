"""The dossier's manifest: its format, written as canonical JSON, read back, and the content
hash that seals the finished file (`casefile verify` checks a dossier against it).

The manifest
------------
Every dossier carries a file attachment named ``casefile-manifest.json`` (UTF-8 JSON, sorted
keys): the case, accused and edition, the page count, the exhibits with their page ranges and
files (path under ``exhibits/<case-id>/``, sha256, size, page range, document number, and
where the file's pages are shown when another exhibit shows them), ``evidence`` (every evidence
number of the dossier: the permanent number of an exhibit file's page, with its page in this
edition, the exhibit showing it and the file) and ``content_sha256``.
A converted file (Word, e-mail, web capture, CSV) keeps the original's path, sha256 and size
and adds ``rendition`` (the PDF shown in its place); an e-mail attachment adds ``part_of``;
a file with OCR'd pages adds ``machine_read_pages``, and ``not_fully_read_pages`` for those OCR
did not read in full (see intake_record).

The content hash (``casefile-content-v2``)
-----------------------------------------
``content_sha256`` is the SHA-256 of the PDF file itself, byte for byte, as it is with the 64
hex digits of ``content_sha256`` (in the manifest, which is stored uncompressed) replaced by
64 ``0`` characters. To check it: find the recorded value in the file (it occurs exactly once),
put the zeros back, hash.

So every change to the file after it was written is found: a page's text or drawing, an
image, a page removed, added or reordered, but also an annotation or a signature appended,
changed document information, or the file re-saved by another tool (even one that keeps every
page as it was). ``verify`` checks the dossier exactly as casefile wrote it; work on a copy
for anything else.

Exit status: 0 only when the dossier's content and page count match its manifest and (with a
workspace) every exhibit file on disk still has its recorded sha256; 1 otherwise.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from casefile.dossier.sections import file_end_key, file_key, page_ranges
from casefile.errors import fail

CONTENT_HASH = "casefile-content-v2 (sha256 of this file with these 64 digits set to 0)"
SIDECAR_HASH = "casefile-sidecar-v1 (sha256 of the PDF file beside this manifest)"
MANIFEST_NAME = "casefile-manifest.json"
SIDECAR_SUFFIX = ".manifest.json"  # the filing copy's manifest, beside it: <accused>.manifest.json
HASH_FIELD = b'"content_sha256": "'  # how the hash's field starts in the manifest as written


def sidecar_path(pdf: Path) -> Path:
    return Path(pdf).with_suffix(SIDECAR_SUFFIX)


def content_sha256(data: bytes, recorded: str, content_hash: str = CONTENT_HASH) -> str:
    """The content hash of a dossier's bytes, given the value its manifest records (see above).
    When that value is not found exactly once, the hash of the bytes as they are: it cannot
    equal the recorded value."""
    if content_hash == SIDECAR_HASH:  # the manifest is not inside the file: the file's own hash
        return hashlib.sha256(data).hexdigest()
    key = HASH_FIELD + recorded.encode("ascii", "replace") + b'"'
    if len(recorded) != 64 or data.count(key) != 1:
        return hashlib.sha256(data).hexdigest()
    at = data.index(key) + len(key) - 65
    return hashlib.sha256(data[:at] + b"0" * 64 + data[at + 64:]).hexdigest()


def original_revision(data: bytes, recorded: str, content_hash: str = CONTENT_HASH) -> int | None:
    """Where the dossier as casefile wrote it ends inside `data`: a signature or another
    incremental update appends a revision, so the dossier as built is a prefix of the file
    ending with an end-of-file marker (`%%EOF` and its end of line). The first prefix whose
    content hash is the recorded one; None when there is none (the built bytes were changed)."""
    at = data.find(b"%%EOF")
    while at >= 0:
        end = at + 5
        for eol in (b"\r\n", b"\n", b"\r"):
            if data.startswith(eol, end):
                end += len(eol)
                break
        if content_sha256(data[:end], recorded, content_hash) == recorded:
            return end
        at = data.find(b"%%EOF", at + 5)
    return None


def read_manifest(reader, shown: str, pdf: Path | None = None) -> dict:
    """The dossier's manifest: embedded (the archive copy), or beside the PDF (the filing copy,
    which embeds no file: `<accused>.manifest.json`)."""
    try:
        found = reader.attachments.get(MANIFEST_NAME)
    except Exception as e:  # a damaged name tree
        raise fail(shown, "manifest", f"cannot read the attachments: {type(e).__name__}: {e}")
    sidecar = sidecar_path(pdf) if pdf is not None else None
    if not found and sidecar is not None and sidecar.is_file():
        found, shown = [sidecar.read_bytes()], sidecar.as_posix()
    if not found:
        beside = f" and no {sidecar.name} beside it" if sidecar is not None else ""
        raise fail(shown, "manifest", f"no {MANIFEST_NAME} attached{beside}: not a casefile dossier, or the "
                                      f"manifest was removed")
    try:
        m = json.loads(found[0].decode("utf-8"))
        if not isinstance(m, dict) or not str(m.get("format", "")).startswith("casefile-manifest/"):
            raise ValueError("not a casefile manifest")
        return m
    except (ValueError, UnicodeDecodeError) as e:
        raise fail(shown, "manifest", f"the attached manifest is not valid: {e}")



NO_HASH = "0" * 64


def attachment_name(number: str, i: int, path: str, public: bool = False) -> str:
    """The name of an attached exhibit file; the public edition shows no file names."""
    if public:
        return f"{file_key(number, i)}{Path(path).suffix.lower()}"
    return f"{file_key(number, i)}-{Path(path).name}"


def exhibit_pages(d, anchors: dict, pages: int) -> dict:
    """Pages of every shown exhibit ([first, last]) and of each of its files ([first, last], or
    None when not typeset), from the typesetter's anchors."""
    ranges = page_ranges(anchors, [e.number for e in d.exhibits], pages)
    out = {}
    for e in d.exhibits:
        if e.withheld or e.number not in ranges:
            continue
        first, last = ranges[e.number]
        files = []
        for i in range(1, len(e.files) + 1):
            a, b = anchors.get(file_key(e.number, i)), anchors.get(file_end_key(e.number, i))
            files.append([a, b] if a is not None and b is not None else None)
        out[e.number] = ([first, max(first, last)], files)
    return out


def evidence_pages(d, anchors: dict) -> list[dict]:
    """Every evidence number of the dossier with its page in this edition: the pages of each
    exhibit file shown (each file once), in page order. The renderer records the page of each
    evidence number under that number (its bookmark)."""
    out = []
    for e in d.exhibits:
        for f in e.files:
            if f.withheld or f.placed_in is not None or not f.document_label:
                continue
            k = 1
            while f.evidence_number(k) in anchors:
                out.append({"number": f.evidence_number(k), "page": anchors[f.evidence_number(k)],
                            "exhibit": e.number, "file": f.shown, "sha256": f.sha256, "file_page": k})
                k += 1
    return sorted(out, key=lambda r: r["page"])


def text_line_pages(d, text_lines: dict) -> list[dict]:
    """Every page of a typeset text file with the lines of the stored file it shows (a text file
    is cited by line; its pages get no evidence number): `text_lines` is the renderer's record,
    document number -> page -> [first line, last line]. In page order."""
    out = []
    for e in d.exhibits:
        for f in e.files:
            spans = text_lines.get(f.document_label) if f.kind == "text" and not f.withheld else None
            if spans and f.placed_in is None:
                out += [{"document": f.document_label, "page": page, "lines": list(span), "exhibit": e.number,
                         "file": f.shown, "sha256": f.sha256} for page, span in sorted(spans.items())]
    return sorted(out, key=lambda r: r["page"])


def intake_record(f) -> dict:
    """What intake made of a file, for its manifest entry (nothing for a file shown as it is):
    `rendition` (the PDF shown in place of a converted original: sha256, size, made_by, from),
    `part_of` (an e-mail attachment: the file holding it), `machine_read_pages` (pages of the
    file whose text layer is OCR, 1-based), `not_fully_read_pages` (pages OCR did not read in
    full: the public edition withholds them unless a person reviewed the file)."""
    out = {}
    if getattr(f, "rendition", None):
        out["rendition"] = {"sha256": f.rendition_sha256, "size": f.rendition_size, "made_by": f.converter,
                            "from": f.converted_from}
    if getattr(f, "part_of", ""):  # (the public edition's names the holding file by its label)
        out["part_of"] = f.part_of
    if getattr(f, "ocr", None) and not f.withheld:
        out["machine_read_pages"] = sorted(i + 1 for i in f.ocr)
    if getattr(f, "unread", None) and not f.withheld:
        out["not_fully_read_pages"] = sorted(i + 1 for i in f.unread)
    return out


def manifest_json(d, anchors: dict, content: str, pages: int, attached: dict,
                  content_hash: str = CONTENT_HASH, text_lines: dict | None = None) -> bytes:
    """The manifest, as canonical JSON bytes (sorted keys, UTF-8). `text_lines`: the lines each
    page of a typeset text file shows (see text_line_pages)."""
    from casefile import __version__

    from casefile.case.body import strip_marks

    public = d.edition == "public"
    ranges = exhibit_pages(d, anchors, pages)
    exhibits = []
    for e in d.exhibits:
        entry = {"number": e.number, "withheld": bool(e.withheld)}
        if not e.withheld:
            item_pages, file_pages = ranges.get(e.number, (None, []))
            # the public edition carries no internal identifier: no item id, no file path
            entry.update({"item": None if public else e.id, "type": e.type, "title": strip_marks(e.title),
                          "pages": item_pages, "files": []})
            for i, f in enumerate(e.files, 1):
                entry["files"].append({
                    "label": f"{e.number} file {i}", "path": None if public else f.path,
                    "sha256": f.sha256, "size": f.size, "kind": f.kind, "withheld": bool(f.withheld),
                    "withheld_pages": [k + 1 for k in f.unreadable] if public and not f.withheld else [],
                    "source_pages": f.pages if f.kind in ("pdf", "image") else None,
                    "pages": file_pages[i - 1] if i - 1 < len(file_pages) else None,
                    "document": f.document_label or None, "shown_in": f.placed_in,
                    "attachment": attached.get((e.number, i)), **intake_record(f)})
        exhibits.append(entry)
    m = {
        "format": "casefile-manifest/1",
        "generator": f"casefile {__version__}",
        "case": d.case["id"],
        "case_title": strip_marks(d.case["title"]),
        "accused": d.accused["id"],
        "accused_name": strip_marks(d.accused["name"]),
        "edition": d.edition,
        "dossier_code": d.code,
        "input_fingerprint": d.fingerprint,
        "pages": pages,
        "content_sha256": content,
        "content_hash": content_hash,
        "exhibit_files_folder": f"exhibits/{d.case['id']}",
        "exhibits": exhibits,
        "evidence": evidence_pages(d, anchors),
        "text_lines": text_line_pages(d, text_lines or {}),
    }
    return (json.dumps(m, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")

