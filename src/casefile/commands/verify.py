"""`casefile verify`: check a dossier against its embedded manifest, and the exhibit files on
disk against the hashes recorded in it (the manifest's format: pdf/manifest.py).

Exit status: 0 only when the dossier's content and page count match its manifest and (with a
workspace) every exhibit file on disk still has its recorded sha256; 1 otherwise.
"""

from __future__ import annotations

import io
from pathlib import Path

from casefile.case.loading import sha256_file
from casefile.errors import CaseError, fail
from casefile.pdf.manifest import content_sha256, original_revision, read_manifest
from casefile.pdf.signatures import has_signature_bytes, signatures


def default_root(cwd: Path | None = None) -> Path | None:
    cwd = Path.cwd() if cwd is None else Path(cwd)
    return cwd if (cwd / "cases").is_dir() else None


def verify(pdf: Path, root: Path | None, report=print) -> int:
    """Check one dossier; print one line per check; return the number of failures. A file
    that cannot be read as a dossier at all raises CaseError (one line). A volume of a dossier
    in volumes: every volume is checked (each beside the others, by the name its manifest gives)."""
    pdf = Path(pdf)
    shown = pdf.as_posix()
    m, pages, content, end, data = _read(pdf, shown)
    bad = 0
    what = f"{m.get('case')} · {m.get('accused')} · {m.get('edition')} edition"
    if pages != m.get("pages"):
        bad += 1
        report(f"changed  {shown}: pages: the manifest records {m.get('pages')} pages, the PDF has {pages}")
    if content != m.get("content_sha256"):
        bad += 1
        report(f"changed  {shown}: content: the file changed since casefile wrote it (sha256 "
               f"{m.get('content_sha256')} → {content})")
    if not bad:
        later = f" (the first {end} bytes of {len(data)}: the dossier as built)" if end and end < len(data) else ""
        vol = f", volume {m['volume']} of {len(m['volumes'])}" if m.get("volumes") else ""
        report(f"ok       {shown}: {what}{vol}, {pages} pages, content sha256 {content}{later}")
        if end and end < len(data):
            bad += _check_later_revisions(data, end, shown, report)
    if m.get("volumes"):
        bad += _check_volumes(pdf, m, report)
    files = [(e["number"], f) for e in m.get("exhibits", []) for f in e.get("files", [])]
    if root is None:
        report(f"note     exhibit files not checked ({len(files)} recorded): no workspace here; "
               f"give --root DIR")
    else:
        folder = Path(root) / "exhibits" / str(m.get("case"))
        inside: dict = {}  # e-mail file -> {attachment path: sha256}
        by_hash = None
        for number, f in files:
            name = f.get("path")
            if name is None and f.get("part_of"):  # a public manifest: an attachment inside another file,
                report(f"ok       {number}  {f.get('label', number)}  (inside {f['part_of']}: checked with it)")
                continue  # which is checked by its hash (its attachments are read from it)
            if name is None:  # a public manifest names no file: find it by its hash in exhibits.lock
                if by_hash is None:
                    by_hash = _recorded_by_hash(Path(root), str(m.get("case")))
                name = by_hash.get(f["sha256"])
                if name is None:
                    bad += 1
                    report(f"missing  {number}  {f.get('label', number)}  (no file with sha256 {f['sha256']} is "
                           f"recorded in cases/{m.get('case')}/exhibits.lock)")
                    continue
            path = folder / name
            rel = f"exhibits/{m.get('case')}/{name}" if f.get("path") is not None else f.get("label", number)
            if f.get("part_of"):
                bad += _verify_attachment(folder, number, f, rel, inside, report)
                continue
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
           ("verified: the dossier matches its manifest" if not m.get("volumes") else
            f"verified: all {len(m['volumes'])} volumes of the dossier match their manifests") + ("" if root is None else
                                                          f" and all {len(files)} exhibit files are unchanged"))
    return bad


def _read(pdf: Path, shown: str):
    """A dossier's manifest, page count (as built), content hash (as built), where the dossier as
    built ends, and its bytes. CaseError (one line) when it cannot be read as a dossier."""
    from pypdf import PdfReader

    from casefile.pdf.limits import guard, pdf_limits

    if not pdf.is_file():
        raise fail(shown, "file", "no such file")
    data = pdf.read_bytes()
    with pdf_limits():
        try:
            if b"%PDF-" not in data[:1024]:
                raise fail(shown, "pdf", "not a PDF (the file does not start with %PDF-)")
            reader = guard(pdf, lambda: PdfReader(io.BytesIO(data), strict=False))
            if guard(pdf, lambda: reader.is_encrypted):
                raise fail(shown, "pdf", "the PDF is encrypted; a casefile dossier never is")
            m = read_manifest(reader, shown, pdf)
            recorded, kind = str(m.get("content_sha256", "")), str(m.get("content_hash", ""))
            end = original_revision(data, recorded, kind)
            built = data[:end] if end else data
            if end and end < len(data):  # later revisions appended: count the pages as built
                reader = guard(pdf, lambda: PdfReader(io.BytesIO(built), strict=False))
            pages = guard(pdf, lambda: len(reader.pages))
            content = content_sha256(built, recorded, kind)
        except CaseError as e:
            raise CaseError([type(p)(shown, p.line, p.field, p.message) for p in e.problems])
    return m, pages, content, end, data


def _check_volumes(pdf: Path, m: dict, report) -> int:
    """A dossier in volumes: every other volume of the set is beside this one (the name its
    manifest gives), belongs to the same dossier (`dossier_sha256`), holds the pages it should
    and is unchanged (its own manifest and content hash). Returns the problems found."""
    bad = 0
    for v in m["volumes"]:
        if v.get("number") == m.get("volume"):
            continue
        path = pdf.parent / str(v.get("file"))
        shown = path.as_posix()
        pages = f"pages {v['pages'][0]}-{v['pages'][1]}"
        if not path.is_file():
            bad += 1
            report(f"missing  {shown}: volume {v['number']} of {len(m['volumes'])} ({pages}) is not beside "
                   f"{pdf.name}: a dossier in volumes is checked whole")
            continue
        try:
            other, count, content, end, data = _read(path, shown)
        except CaseError as e:
            bad += 1
            report(f"changed  {shown}: volume {v['number']}: {e.problems[0].message}")
            continue
        if other.get("dossier_sha256") != m.get("dossier_sha256") or other.get("volume") != v["number"]:
            bad += 1
            report(f"changed  {shown}: not volume {v['number']} of this dossier (its manifest names "
                   f"volume {other.get('volume')} of dossier {other.get('dossier_sha256')})")
        elif count != other.get("pages") or count != v.get("page_count"):
            bad += 1
            report(f"changed  {shown}: pages: volume {v['number']} should have {v.get('page_count')} pages, "
                   f"the PDF has {count}")
        elif content != other.get("content_sha256"):
            bad += 1
            report(f"changed  {shown}: content: volume {v['number']} changed since casefile wrote it (sha256 "
                   f"{other.get('content_sha256')} → {content})")
        else:
            report(f"ok       {shown}: volume {v['number']} of {len(m['volumes'])}, {pages}, content sha256 "
                   f"{content}")
            if end and end < len(data):  # signed, or changed after it was written
                bad += _check_later_revisions(data, end, shown, report)
    return bad


def _check_later_revisions(data: bytes, end: int, shown: str, report) -> int:
    """What was appended after the dossier as built: signatures, each reported (signer, time,
    intact); anything not covered by a signature is a change. Returns the problems found."""
    try:
        found = signatures(data, shown)
    except CaseError:
        if has_signature_bytes(data):
            report(f"note     {shown}: signed, but the signatures cannot be checked here (pyHanko is not "
                   f"installed: pip install 'casefile[sign]')")
            return 0
        found = []
    bad = 0
    for s in found:
        state = "intact" if s.intact else "NOT intact (the signed bytes were changed)"
        report(f"{'signed  ' if s.intact else 'changed '} {shown}: signature {s.field} by {s.signer}, "
               f"signed {s.signed_at}: {state}")
        bad += not s.intact
    covered = max((s.revision_end for s in found if s.intact), default=0)
    if covered < len(data.rstrip(b"\r\n")):
        bad += 1
        after = "after the last signature" if found else "after casefile wrote it"
        report(f"changed  {shown}: content: {len(data) - max(covered, end)} bytes were added {after} (an edit, "
               f"annotation or re-save); the dossier as built is intact in the file's first {end} bytes")
    elif found:
        report(f"ok       {shown}: nothing was changed after the last signature (the signer's certificate was "
               f"not checked against a trust list)")
    return bad


def _recorded_by_hash(root: Path, case: str) -> dict[str, str]:
    """sha256 -> file name of every exhibit file recorded in the case's exhibits.lock."""
    from casefile.case.lockfile import LOCK_NAME, read_lock

    path = root / "cases" / case / LOCK_NAME
    try:
        lock = read_lock(path, f"cases/{case}/{LOCK_NAME}")
    except CaseError:
        return {}
    return {sha: name for name, (sha, _) in sorted(lock.files.items())}


def check_public(pdf: Path, root: Path | None, case: str | None, accused: str | None, report=print) -> int:
    """The public-edition leak check on any PDF (ours or someone else's): search everything
    extractable for the protected names and redacted terms of the workspace's case. The case
    and accused come from the embedded manifest when there is one, else from the options."""
    from pypdf import PdfReader

    from casefile.case.loading import case_ids, load_cases
    from casefile.dossier.editions import redaction_terms
    from casefile.pdf.leakcheck import find_leaks

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


def _verify_attachment(folder: Path, number: str, f: dict, rel: str, inside: dict, report) -> int:
    """An e-mail attachment is checked inside the e-mail file it came from (read again)."""
    from casefile.intake.mail import attachment_hashes

    top = str(f["part_of"]).split(" › ")[0]
    if top not in inside:
        try:
            inside[top] = attachment_hashes(folder / top, top)
        except (CaseError, OSError, ValueError):
            inside[top] = {}
    now = inside[top].get(f["path"])
    if now is None:
        report(f"missing  {number}  {rel}  (not found in {top}; recorded sha256 {f['sha256']})")
        return 1
    if now == f["sha256"]:
        report(f"ok       {number}  {rel}  sha256 {now}")
        return 0
    report(f"changed  {number}  {rel}  sha256 {f['sha256']} → {now}")
    return 1
