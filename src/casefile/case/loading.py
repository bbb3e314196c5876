"""Read a workspace's cases: sorted files, front matter split from body, validated, cross-checked.

Everything is gathered and checked before anything is built; all problems of a run are
reported together (one CaseError), each with the path and line of the offending key.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from casefile.case.body import XREF_ID, cross_references
from casefile.case.attribution import attribution_warnings
from casefile.case.messages import validation_problems
from casefile.case.models import ITEM_TYPES, Case, Item, unprintable
from casefile.case.yamlread import read_yaml
from casefile.errors import CaseError, Problem

ITEM_ADAPTER: TypeAdapter = TypeAdapter(Item)
MAX_TEXT_FILE = 5 * 1024 * 1024


@dataclass
class LoadedItem:
    item: object  # one of models.Testimony, Decree, Statement, Document, Media
    body: str
    path: str  # relative to the workspace root, posix
    body_line: int
    lines: dict = field(default_factory=dict, repr=False)
    digest: str = ""  # sha256 of the file's text, for fingerprints and change detection

    def line_of(self, *loc) -> int:
        return line_for(self.lines, tuple(loc), 1)


@dataclass
class LoadedCase:
    root: Path
    case: Case
    case_path: str
    items: list[LoadedItem]
    lines: dict = field(default_factory=dict, repr=False)
    digest: str = ""  # sha256 of case.yaml
    warnings: list[Problem] = field(default_factory=list)  # attribution (case/attribution.py)

    @property
    def case_dir(self) -> Path:
        return self.root / "cases" / self.case.id

    @property
    def exhibit_dir(self) -> Path:
        return self.root / "exhibits" / self.case.id


def rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def case_ids(root: Path) -> list[str]:
    base = root / "cases"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / "case.yaml").is_file())


def load_cases(root: Path, wanted: list[str] | None = None) -> list[LoadedCase]:
    """Load and check the named cases (default: all). Raise CaseError with every problem."""
    root = Path(root)
    known = case_ids(root)
    problems: list[Problem] = []
    if wanted:
        for cid in wanted:
            if cid not in known:
                problems.append(Problem(f"cases/{cid}/case.yaml", 0, "case",
                                        f"no case '{cid}' (known: {', '.join(known) or 'none'})"))
        ids = [c for c in wanted if c in known]
    else:
        ids = known
        if not ids:
            problems.append(Problem("cases", 0, "case", f"no case folders with a case.yaml under {root / 'cases'}"))
    loaded = []
    for cid in ids:
        lc, probs = _load_case(root, cid)
        problems += probs
        if lc is not None:
            loaded.append(lc)
    if problems:
        raise CaseError(one_line(problems))
    return loaded


def one_line(problems: list[Problem]) -> list[Problem]:
    """Every problem is one line: a line break or control character that came from the input
    (a file name, a key, a quoted value) is shown escaped, e.g. \\n."""
    def esc(s: str) -> str:
        return "".join(ch.encode("unicode_escape").decode("ascii")
                       if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in s)
    return [Problem(esc(p.path), p.line, esc(p.field), esc(p.message)) for p in problems]


def _read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    try:
        if path.stat().st_size > MAX_TEXT_FILE:
            problems.append(Problem(shown, 0, "file", f"larger than {MAX_TEXT_FILE // (1024 * 1024)} MiB"))
            return None
        data = path.read_bytes()
    except OSError as e:
        problems.append(Problem(shown, 0, "file", f"cannot read: {e.strerror or e}"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.append(Problem(shown, line, "file", "not valid UTF-8 text"))
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(shown, line, "file", "contains a NUL character"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def line_for(lines: dict, loc: tuple, default: int) -> int:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return default


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter, body, line number of the body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    return None, text, 1


@dataclass
class Known:
    """The ids an item may refer to, as far as case.yaml could be read (None: not known)."""
    accused: list[str] | None = None
    charges: dict[str, set[str]] | None = None


def _known(case: Case | None, data) -> Known:
    if case is not None:
        return Known([a.id for a in case.accused], {c.id: {e.id for e in c.elements} for c in case.charges})
    if not isinstance(data, dict):
        return Known()

    def ids(seq):
        return [x["id"].strip() for x in seq if isinstance(x, dict) and isinstance(x.get("id"), str)] \
            if isinstance(seq, list) else []
    charges = {}
    for c in data.get("charges") or [] if isinstance(data.get("charges"), list) else []:
        if isinstance(c, dict) and isinstance(c.get("id"), str):
            charges[c["id"].strip()] = set(ids(c.get("elements")))
    return Known(ids(data.get("accused")), charges)


def _load_case(root: Path, cid: str) -> tuple[LoadedCase | None, list[Problem]]:
    problems: list[Problem] = []
    case_dir = root / "cases" / cid
    case_path = rel(root, case_dir / "case.yaml")
    text = _read_text(case_dir / "case.yaml", case_path, problems)
    if text is None:
        return None, problems
    data, lines, probs = read_yaml(text, case_path)
    problems += probs
    case = None
    if data is None and not probs:
        problems.append(Problem(case_path, 1, "-", "the file is empty: write the case's fields "
                                                   "(casefile init writes a case.yaml to fill in)"))
    elif not probs and not isinstance(data, dict):
        problems.append(Problem(case_path, 1, "-", "case.yaml must be a mapping of fields (id: …, title: …)"))
    elif not probs:
        try:
            case = Case.model_validate(data)
        except ValidationError as err:
            problems += validation_problems(err, case_path, lines, line_for, root=Case, item=False)
    if case is not None:
        if case.id != cid:
            problems.append(Problem(case_path, line_for(lines, ("id",), 1), "id",
                                    f"'{case.id}' differs from the folder name '{cid}': write id: {cid}"))
        problems += _check_case_ids(case, case_path, lines)
    known = _known(case, data if not probs else None)

    # the items are read and checked even when case.yaml has problems: all problems of a run at once
    items: list[LoadedItem] = []
    ev_dir = case_dir / "evidence"
    files = sorted(ev_dir.rglob("*.md"), key=lambda p: p.relative_to(ev_dir).as_posix()) if ev_dir.is_dir() else []
    for f in files:
        shown = rel(root, f)
        if f.is_symlink() and not _inside(f.resolve(), case_dir.resolve()):
            problems.append(Problem(shown, 0, "file", "symbolic link leading outside the case folder"))
            continue
        li = _load_item(f, shown, problems, known)
        if li is not None:
            items.append(li)
    if case is None:
        return None, problems
    lc = LoadedCase(root, case, case_path, items, lines, hashlib.sha256(text.encode("utf-8")).hexdigest())
    problems += _cross_check(lc)
    problems += _markup_check(lc)
    lc.warnings = one_line(attribution_warnings(lc))
    return lc, problems


def _load_item(f: Path, shown: str, problems: list[Problem], known: Known) -> LoadedItem | None:
    text = _read_text(f, shown, problems)
    if text is None:
        return None
    fm, body, body_line = split_front_matter(text)
    bad_body = unprintable(body) if fm is not None else None
    if bad_body:
        at, why = bad_body
        problems.append(Problem(shown, body_line + body[:at].count("\n"), "body", why))
    if fm is None:
        problems.append(Problem(shown, 1, "-", "no front matter: the file must start with a '---' line, "
                                               "the YAML fields, and a closing '---' line"))
        return None
    data, lines, probs = read_yaml(fm, shown, line_offset=1)
    if probs:
        problems += probs
        return None
    if not isinstance(data, dict):
        problems.append(Problem(shown, 2, "-", "the front matter must be a mapping of fields "
                                               "(id: …, type: …, title: …)"))
        return None
    reported = _check_refs(data, lines, shown, known, problems)
    try:
        item = ITEM_ADAPTER.validate_python(data)
    except ValidationError as err:
        root = ITEM_TYPES.get(data.get("type")) if isinstance(data.get("type"), str) else None
        problems += validation_problems(err, shown, lines, line_for, root=root, item=True, default_line=2,
                                        known_accused=known.accused, skip=reported)
        return None
    if bad_body:
        return None
    lead = len(body) - len(body.lstrip("\n"))  # blank lines before the body's text: body_line is its first line
    return LoadedItem(item, body.strip("\n"), shown, body_line + lead, lines,
                      hashlib.sha256(text.encode("utf-8")).hexdigest())


def _check_refs(data: dict, lines: dict, shown: str, known: Known, problems: list[Problem]) -> set:
    """Accused and charge ids of an item, checked against case.yaml on the item as written, so a
    typo is reported in the same run as the item's other problems. Returns the places reported."""
    reported = set()
    accused = data.get("accused")
    if known.accused is not None and isinstance(accused, list):
        for i, a in enumerate(accused):
            if isinstance(a, str) and a.strip() and a.strip() not in known.accused:
                problems.append(Problem(shown, line_for(lines, ("accused", i), 1), f"accused.{i}",
                                        f"unknown accused '{a.strip()}' (known: {', '.join(sorted(known.accused)) or 'none'})"))
                reported.add(("accused", i))
    charges = data.get("charges")
    if known.charges is not None and isinstance(charges, list):
        for i, c in enumerate(charges):
            if not isinstance(c, str) or not c.strip():
                continue
            cid, _, eid = c.strip().partition("/")
            if cid not in known.charges:
                problems.append(Problem(shown, line_for(lines, ("charges", i), 1), f"charges.{i}",
                                        f"unknown charge '{cid}' (known: {', '.join(sorted(known.charges)) or 'none'})"))
            elif eid and eid not in known.charges[cid]:
                problems.append(Problem(shown, line_for(lines, ("charges", i), 1), f"charges.{i}",
                                        f"charge '{cid}' has no element '{eid}'"
                                        + (f" (its elements: {', '.join(sorted(known.charges[cid]))})"
                                           if known.charges[cid] else " (it defines no elements)")))
            else:
                continue
            reported.add(("charges", i))
    return reported


def _markup_check(lc: LoadedCase) -> list[Problem]:
    """The redaction markup `[[…]]` of every text field (case.yaml included) and body."""
    from casefile.case.body import field_markup_problems

    out = field_markup_problems(lc.case.model_dump(by_alias=True), lc.case_path,
                                lambda *loc: line_for(lc.lines, loc, 1))
    for li in lc.items:
        out += field_markup_problems(li.item.model_dump(by_alias=True, exclude={"type"}), li.path, li.line_of,
                                     li.body, li.body_line)
    return out


def _check_case_ids(case: Case, path: str, lines: dict) -> list[Problem]:
    out = []
    for what, seq in (("accused", case.accused), ("charges", case.charges)):
        seen: dict[str, int] = {}
        for i, x in enumerate(seq):
            if x.id in seen:
                out.append(Problem(path, line_for(lines, (what, i, "id"), 1), f"{what}.{i}.id",
                                   f"duplicate id '{x.id}' (also {what}.{seen[x.id]})"))
            seen.setdefault(x.id, i)
    for i, a in enumerate(case.accused):
        for j, entry in enumerate(a.supplied_by_compiler):
            why = supplied_problem(a, entry)
            if why:
                out.append(Problem(path, line_for(lines, ("accused", i, "supplied_by_compiler", j), 1),
                                   f"accused.{i}.supplied_by_compiler.{j}", why))
    stamps: dict[str, str] = {}
    for i, a in enumerate(case.accused):
        code = stamp_code(a)
        if code in stamps and stamps[code] != a.id:
            out.append(Problem(path, line_for(lines, ("accused", i), 1), f"accused.{i}.stamp",
                               f"page-stamp code '{code}' is also used by '{stamps[code]}'"))
        stamps.setdefault(code, a.id)
    for ci, c in enumerate(case.charges):
        seen_e: set[str] = set()
        for ei, el in enumerate(c.elements):
            if el.id in seen_e:
                out.append(Problem(path, line_for(lines, ("charges", ci, "elements", ei, "id"), 1),
                                   f"charges.{ci}.elements.{ei}.id", f"duplicate element id '{el.id}'"))
            seen_e.add(el.id)
    return out


SUPPLIED_PARTS = ("witness", "original", "translation")


def supplied_value(model, entry: str):
    """The value a `supplied_by_compiler` entry names (a field, `witness.name_original`, or
    `accused.ID` for a link to an accused), or None."""
    head, _, tail = entry.partition(".")
    if head == "accused" and tail and hasattr(model, "type"):
        return tail if tail in model.accused else None
    if head not in type(model).model_fields or head in ("id", "type", "supplied_by_compiler"):
        return None
    value = getattr(model, head)
    if tail:
        if head not in SUPPLIED_PARTS or value is None or tail not in type(value).model_fields:
            return None
        value = getattr(value, tail)
    return value if value not in (None, "", []) else None


def supplied_problem(model, entry: str) -> str | None:
    if supplied_value(model, entry) is not None:
        return None
    if hasattr(model, "type"):
        first = model.accused[0] if model.accused else "ID"
        return (f"'{entry}' names no field of this item that has a value: write a field's name (forum, date, "
                f"witness.name_original, …) or accused.ID for a link to an accused (e.g. accused.{first})")
    return f"'{entry}' names no field of this accused that has a value (e.g. name_original, aliases, roles)"


def stamp_code(accused) -> str:
    if accused.stamp:
        return accused.stamp
    return "".join(ch for ch in accused.id.upper() if ch.isalnum())[:12] or "X"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def exhibit_path_problem(exhibit_dir: Path, name: str) -> tuple[Path | None, str | None]:
    """Resolve an exhibit file name under the case's exhibit folder, or say why it is refused."""
    if "\x00" in name:
        return None, "contains a NUL character"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or os.path.isabs(name):
        return None, f"'{name}' is an absolute path; give a path under {exhibit_dir.name}/"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return None, f"'{name}' leaves the exhibit folder ('..' is not allowed)"
    path = exhibit_dir / name
    try:
        real = path.resolve(strict=False)
        base = exhibit_dir.resolve(strict=False)
    except (OSError, RuntimeError) as e:
        return None, f"'{name}' cannot be resolved: {e}"
    if not _inside(real, base):
        return None, f"'{name}' is a symbolic link leading outside the exhibit folder"
    try:
        st = path.stat()
    except FileNotFoundError:
        return None, f"exhibit file not found: {path.as_posix()}"
    except OSError as e:  # a name too long, a loop of links, a component that is a file
        return None, f"'{name}' cannot be used: {e.strerror or e}"
    if not stat.S_ISREG(st.st_mode):
        return None, f"'{name}' is not a regular file"
    return path, None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _cross_check(lc: LoadedCase) -> list[Problem]:
    out: list[Problem] = []
    ids = {li.item.id for li in lc.items}
    for e, ev in enumerate(lc.case.events):
        for j, iid in enumerate(ev.items):
            if iid not in ids:
                out.append(Problem(lc.case_path, line_for(lc.lines, ("events", e, "items", j), 1),
                                   f"events.{e}.items.{j}", f"no item '{iid}' in this case: give the id of an item "
                                   "that records this event"))
    first_path: dict[str, LoadedItem] = {}
    exdir = lc.exhibit_dir
    for li in lc.items:
        it = li.item
        if it.id in first_path:
            other = first_path[it.id]
            out.append(Problem(li.path, li.line_of("id"), "id",
                               f"duplicate item id '{it.id}' (also in {other.path}:{other.line_of('id')})"))
        else:
            first_path[it.id] = li
        for i, entry in enumerate(it.supplied_by_compiler):
            why = supplied_problem(it, entry)
            if why:
                out.append(Problem(li.path, li.line_of("supplied_by_compiler", i), f"supplied_by_compiler.{i}", why))
        for i, ex in enumerate(it.exhibits):
            path, why = exhibit_path_problem(exdir, ex.file)
            if why:
                out.append(Problem(li.path, li.line_of("exhibits", i, "file"), f"exhibits.{i}.file", why))
                continue
            if ex.sha256:
                actual = sha256_file(path)
                if actual != ex.sha256:
                    out.append(Problem(li.path, li.line_of("exhibits", i, "sha256"), f"exhibits.{i}.sha256",
                                       f"{rel(lc.root, path)}: the pinned sha256 is {ex.sha256} but the file's is "
                                       f"{actual}; if the file is the right one, pin the new value, otherwise put "
                                       f"back the file that was pinned"))
    out += _cross_reference_problems(lc, first_path)
    return out


def _cross_reference_problems(lc: LoadedCase, items: dict[str, LoadedItem]) -> list[Problem]:
    """Every `[@item-id]` of a body, of an item's summary, of an accused's notes and of the
    case's summary names an item of the case."""
    out = []

    def check(text: str | None, path: str, line_of, field: str):
        for offset, ref in cross_references(text or ""):
            line = line_of(offset)
            if not XREF_ID.match(ref):
                out.append(Problem(path, line, field, f"cross-reference [@{ref}]: write [@item-id], the id of "
                                                      f"an item of this case (lower-case letters, digits, '.', "
                                                      f"'_', '-')"))
            elif ref not in items:
                out.append(Problem(path, line, field, f"cross-reference [@{ref}]: no item '{ref}' in this case"))

    check(lc.case.summary, lc.case_path, lambda _: line_for(lc.lines, ("summary",), 1), "summary")
    for i, a in enumerate(lc.case.accused):
        check(a.notes, lc.case_path, lambda _, i=i: line_for(lc.lines, ("accused", i, "notes"), 1),
              f"accused.{i}.notes")
    for li in lc.items:
        check(li.item.summary, li.path, lambda _, li=li: li.line_of("summary"), "summary")
        check(li.body, li.path, lambda offset, li=li: li.body_line + offset, "body")
    return out


# the same reading for a case's other input files (submissions)
read_text = _read_text
