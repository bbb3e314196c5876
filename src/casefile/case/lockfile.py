"""Stable exhibit numbers and recorded exhibit files: the case's `exhibits.lock`.

Once a dossier is served its exhibit numbers must never change. The first build numbers
items by date then id; later items get the next free number; a removed item's number is
retired and never given to another item (the item gets it back if it returns). Every
exhibit file's sha256 and size are recorded when first seen (chain of custody).

The file is plain text, one record a line, meant to be committed:

    EX-0001  active   1988-khomeini-fatwa
    EX-0007  retired  removed-item
    file  <sha256>  <size>  "sources/article 2.pdf"
    document  0003  active  <sha256>  "sources/article 2.pdf"

A path is written in double quotes, with `\\"`, `\\\\` and `\\uXXXX` escapes (JSON's) for a quote,
a backslash and any character that is invisible or breaks a line (tab, line feed, control and
format characters); everything else, Persian letters included, stays as it is. So every name
the file system allows reads back exactly (spaces, tabs, quotes, a leading `-` or `#`), and the
file stays readable and diffs line by line. A path without quotes (written by casefile before
0.x) is read as the rest of its line.

Documents (see `assign_documents`): every distinct exhibit file, by SHA-256, has a document
number, given when the file is first built and never given to other bytes; page k of the
document carries the evidence number PREFIX-DOCUMENT-PAGE (`evidence_number`).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from casefile.case.dates import sort_key
from casefile.errors import CaseError, Problem

LOCK_NAME = "exhibits.lock"  # in cases/<case-id>/

HEADER = """\
# exhibits.lock — written by casefile; commit this file.
# Exhibit numbers never change once given and are never reused: a removed item's number is
# retired. `casefile build --frozen` refuses to change this file.
# number  state  item-id
"""
DOCUMENTS_HEADER = (
    "# documents: each distinct exhibit file (by SHA-256) has a number, never reused; page k of document D\n"
    "# carries the evidence number <stamp_prefix>-D-k (e.g. IR88-0003-0001): document  number  state  sha256  \"path\"\n")
FILES_HEADER = "# exhibit files as first recorded: file  sha256  size  \"path\" (under exhibits/<case-id>/)\n"


@dataclass
class Lock:
    numbers: dict[str, int] = field(default_factory=dict)  # item id -> number
    retired: set[str] = field(default_factory=set)
    files: dict[str, tuple[str, int]] = field(default_factory=dict)  # path -> (sha256, size)
    documents: dict[str, int] = field(default_factory=dict)  # sha256 -> document number
    document_paths: dict[str, str] = field(default_factory=dict)  # sha256 -> path it was first built from
    retired_documents: set[str] = field(default_factory=set)  # sha256 no item cites any more

    @property
    def next_number(self) -> int:
        return max(self.numbers.values(), default=0) + 1

    def copy(self) -> "Lock":
        return Lock(dict(self.numbers), set(self.retired), dict(self.files), dict(self.documents),
                    dict(self.document_paths), set(self.retired_documents))


DOCUMENT_WIDTH = 4  # digits of a document number, and of a page within it (more when needed)


def evidence_number(stamp_prefix: str, document: int, page: int) -> str:
    """The permanent number of page `page` (1-based) of document `document`: IR88-0003-0001."""
    return f"{stamp_prefix}-{document:0{DOCUMENT_WIDTH}d}-{page:0{DOCUMENT_WIDTH}d}"


def document_label(stamp_prefix: str, document: int) -> str:
    return f"{stamp_prefix}-{document:0{DOCUMENT_WIDTH}d}"


def label(n: int, prefix: str, width: int) -> str:
    return f"{prefix}{n:0{width}d}"


_ESCAPED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})  # invisible, or a line break


def quote_path(name: str) -> str:
    """A path as the lock file writes it: in double quotes, escaped as JSON escapes strings."""
    out = ['"']
    for ch in name:
        if ch in '"\\':
            out.append("\\" + ch)
        elif (unicodedata.category(ch) in _ESCAPED or (ch != " " and unicodedata.category(ch) == "Zs")) \
                and ch not in "\u200c\u200d":  # a space that is not one, but not ZWNJ, ZWJ: Persian spelling
            o = ord(ch)
            if o > 0xFFFF:
                o -= 0x10000
                out.append(f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}")
            else:
                out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _path_field(rest: str) -> str | None:
    """The path at the end of a record: a quoted string (nothing may follow it), or without
    quotes (the older format) the rest of the line. None when it cannot be read."""
    rest = rest.strip(" ")
    if rest.startswith('"'):
        try:
            value, end = json.JSONDecoder().raw_decode(rest)
        except ValueError:
            return None
        return value if isinstance(value, str) and not rest[end:].strip(" \t") else None
    rest = rest.strip()
    return rest or None


_RECOVER = ("; correct this line (a `file` line may also be deleted: the next build records the file again; an "
            "exhibit number or `document` line must be kept, or an exhibit or page would change its number), or "
            "restore exhibits.lock from version control")


def read_lock(path: Path, shown: str) -> Lock:
    lock = Lock()
    if not path.exists():
        return lock
    problems = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CaseError([Problem(shown, 0, "file", f"cannot read: {e}")])
    owner: dict[int, str] = {}
    doc_owner: dict[int, str] = {}
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t\r")
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if parts[0] == "file":
            head = line.split(None, 3)
            name = _path_field(head[3]) if len(head) == 4 else None
            if name is None or not head[2].isdigit() or not _is_sha(head[1]):
                problems.append(Problem(shown, no, "file", "not a file record (file SHA256 SIZE \"PATH\")" + _RECOVER))
                continue
            lock.files[name] = (head[1], int(head[2]))
            continue
        if parts[0] == "document":
            why = _read_document_record(lock, line.split(None, 4), doc_owner)  # the path may hold spaces
            if why:
                problems.append(Problem(shown, no, "document", why + _RECOVER))
            continue
        if len(parts) == 3 and parts[1] in ("active", "retired"):
            digits = "".join(ch for ch in parts[0] if ch.isdigit())
            tail = parts[0][len(parts[0]) - len(digits):] if digits else ""
            if not digits or not parts[0].endswith(tail) or not tail:
                problems.append(Problem(shown, no, "number", f"'{parts[0]}' has no number" + _RECOVER))
                continue
            n = int(tail)
            if n in owner:
                problems.append(Problem(shown, no, "number", f"{parts[0]} is given twice ({owner[n]}, {parts[2]})"
                                        + _RECOVER))
                continue
            if parts[2] in lock.numbers:
                problems.append(Problem(shown, no, "item", f"item '{parts[2]}' has two numbers" + _RECOVER))
                continue
            owner[n] = parts[2]
            lock.numbers[parts[2]] = n
            if parts[1] == "retired":
                lock.retired.add(parts[2])
            continue
        problems.append(Problem(shown, no, "line", "not a lock record (NUMBER active|retired ITEM, file SHA256 SIZE "
                                                   "\"PATH\", or document NUMBER active|retired SHA256 \"PATH\")"
                                                   + _RECOVER))
    if problems:
        raise CaseError(problems)
    return lock


def _read_document_record(lock: Lock, parts: list[str], owner: dict[int, str]) -> str | None:
    """`document  0003  active  <sha256>  <path>` into the lock; what is wrong with it, or None."""
    name = _path_field(parts[4]) if len(parts) == 5 else None
    if name is None or not parts[1].isdigit() or parts[2] not in ("active", "retired") or not _is_sha(parts[3]):
        return "not a document record (document NUMBER active|retired SHA256 \"PATH\")"
    n, sha = int(parts[1]), parts[3]
    if n in owner:
        return f"document {parts[1]} is given twice ({owner[n]}, {sha})"
    if sha in lock.documents:
        return f"file {sha} has two document numbers"
    owner[n] = sha
    lock.documents[sha] = n
    lock.document_paths[sha] = name
    if parts[2] == "retired":
        lock.retired_documents.add(sha)
    return None


def _is_sha(text: str) -> bool:
    return len(text) == 64 and all(ch in "0123456789abcdef" for ch in text)


def assign_documents(lock: Lock, files: list[tuple[str, str]]) -> Lock:
    """Return a new Lock giving every distinct file a document number: `files` is (sha256, path)
    in the order new documents are numbered (the case's exhibits in number order, each item's
    files in the order it lists them). A file whose bytes changed is other bytes: a new number,
    and the old one retired; a file no item cites keeps its number, retired, and gets it back
    if it returns."""
    new = lock.copy()
    present = {sha for sha, _ in files}
    new.retired_documents = {sha for sha in new.documents if sha not in present}
    n = max(new.documents.values(), default=0) + 1
    for sha, path in files:
        if sha not in new.documents:
            new.documents[sha] = n
            new.document_paths[sha] = path
            n += 1
    return new


def format_documents(lock: Lock) -> str:
    if not lock.documents:
        return ""
    out = ["\n" + DOCUMENTS_HEADER]
    for sha, n in sorted(lock.documents.items(), key=lambda kv: kv[1]):
        state = "retired" if sha in lock.retired_documents else "active"
        out.append(f"document  {n:0{DOCUMENT_WIDTH}d}  {state:<7}  {sha}  {quote_path(lock.document_paths[sha])}\n")
    return "".join(out)


def assign(lock: Lock, items: list[tuple[str, str | None]]) -> Lock:
    """Return a new Lock numbering every (item id, date) given; retire the numbers of absent items."""
    new = lock.copy()
    present = {iid for iid, _ in items}
    for iid in new.numbers:
        if iid not in present:
            new.retired.add(iid)
    new.retired -= present
    fresh = sorted((it for it in items if it[0] not in new.numbers), key=lambda it: (sort_key(it[1]), it[0]))
    n = new.next_number
    for iid, _ in fresh:
        new.numbers[iid] = n
        n += 1
    return new


def format_lock(lock: Lock, prefix: str, width: int) -> str:
    out = [HEADER]
    for iid, n in sorted(lock.numbers.items(), key=lambda kv: kv[1]):
        state = "retired" if iid in lock.retired else "active"
        out.append(f"{label(n, prefix, width)}  {state:<7}  {iid}\n")
    if lock.files:
        out.append("\n" + FILES_HEADER)
        for p in sorted(lock.files):
            sha, size = lock.files[p]
            out.append(f"file  {sha}  {size}  {quote_path(p)}\n")
    out.append(format_documents(lock))
    return "".join(out)


def lock_changes(old: Lock, new: Lock) -> list[str]:
    """Human-readable differences, for --frozen errors."""
    out = []
    for iid in sorted(set(new.numbers) - set(old.numbers)):
        out.append(f"new item '{iid}' would get a number")
    for iid in sorted(new.retired - old.retired):
        out.append(f"item '{iid}' is gone and its number would be retired")
    for iid in sorted(old.retired - new.retired):
        out.append(f"retired item '{iid}' is back and its number would be reactivated")
    for p in sorted(set(new.files) - set(old.files)):
        out.append(f"exhibit file '{p}' would be recorded")
    for p in sorted(set(new.files) & set(old.files)):
        if new.files[p] != old.files[p]:
            out.append(f"exhibit file '{p}' would be re-recorded")
    for sha in sorted(set(new.documents) - set(old.documents), key=lambda k: new.documents[k]):
        out.append(f"exhibit file '{new.document_paths[sha]}' (sha256 {sha}) would get document number "
                   f"{new.documents[sha]:0{DOCUMENT_WIDTH}d}")
    for sha in sorted(new.retired_documents ^ old.retired_documents, key=lambda k: new.documents[k]):
        what = "retired" if sha in new.retired_documents else "reactivated"
        out.append(f"document {new.documents[sha]:0{DOCUMENT_WIDTH}d} would be {what}")
    return out
