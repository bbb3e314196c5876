"""The pipeline, top to bottom: load -> check -> number -> assemble -> render -> stamp -> write.

Everything is gathered and checked before the first byte is written. Each PDF is written to a
temporary file in its own folder and renamed into place, so a failed or interrupted build
never leaves a half-written file and never damages the previous one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, rtl
from .assembly import EDITIONS, Dossier, FileInfo, assemble, file_kind, template_context
from .body import marked_spans
from .leakcheck import Term, find_leaks
from .errors import CaseError, Problem
from .loading import LoadedCase, load_cases, rel, sha256_file
from .numbering import assign, format_lock, lock_changes, read_lock
from .rendering import CONTENT, Rendered, render, template_env
from .stamping import merge_exhibit_pages, open_image, pdf_page_count

LOCK_NAME = "exhibits.lock"


@dataclass
class Options:
    root: Path = Path(".")
    cases: list[str] | None = None
    accused: list[str] | None = None
    out: Path | None = None
    editions: tuple[str, ...] = EDITIONS
    frozen: bool = False
    accept_changes: list[str] = field(default_factory=list)


@dataclass
class Written:
    path: Path
    pages: int
    exhibits: int


@dataclass
class Prepared:
    lc: LoadedCase
    numbers: dict
    files: dict
    fingerprint: str
    lock_text: str | None  # new lock file text when it changed


def atomic_write(path: Path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _inspect_files(lc: LoadedCase, problems: list[Problem]) -> dict[str, FileInfo]:
    files: dict[str, FileInfo] = {}
    for li in lc.items:
        for i, ef in enumerate(li.item.exhibits):
            if ef.file in files:
                continue
            path = lc.exhibit_dir / ef.file
            shown = rel(lc.root, path)
            kind = file_kind(ef.file)
            try:
                size = path.stat().st_size
                if size == 0:
                    raise CaseError([Problem(shown, 0, "file", "the file is empty")])
                pages = 0
                if kind == "pdf":
                    pages = pdf_page_count(path)
                elif kind == "image":
                    open_image(path).close()
                files[ef.file] = FileInfo(ef.file, path, size, sha256_file(path), kind, ef.description or "",
                                          pages=pages)
            except CaseError as e:
                for p in e.problems:
                    problems.append(Problem(shown, 0, p.field, p.message))
                problems.append(Problem(li.path, li.line_of("exhibits", i, "file"), f"exhibits.{i}.file",
                                        f"exhibit file {ef.file} cannot be used (see above)"))
            except OSError as e:
                problems.append(Problem(shown, 0, "file", f"cannot read: {e.strerror or e}"))
    return files


def _glyph_problems(lc: LoadedCase) -> list[Problem]:
    """A character the fonts cannot draw is an error naming the item, field and character."""
    rtl.register_fonts()
    out = []

    def walk(v, loc, path, lines_of):
        if isinstance(v, str):
            for ch in rtl.missing_glyphs(v):
                out.append(Problem(path, lines_of(*loc), ".".join(map(str, loc)) or "-",
                                   f"character U+{ord(ch):04X} {ch!r} is not in the fonts"))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, loc + (i,), path, lines_of)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(x, loc + (k,), path, lines_of)

    walk(lc.case.model_dump(by_alias=True), (), lc.case_path, lambda *loc: _line(lc.lines, loc))
    for li in lc.items:
        walk(li.item.model_dump(by_alias=True, exclude={"type"}), (), li.path, li.line_of)
        for ch in rtl.missing_glyphs(li.body):
            n = li.body.index(ch)
            out.append(Problem(li.path, li.body_line + li.body[:n].count("\n"), "body",
                               f"character U+{ord(ch):04X} {ch!r} is not in the fonts"))
    return out


def _line(lines: dict, loc: tuple) -> int:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return 1


def fingerprint(lc: LoadedCase, files: dict[str, FileInfo], numbers: dict, env_files: list[Path]) -> str:
    h = hashlib.sha256()
    h.update(f"casefile {__version__}\n".encode())
    h.update((lc.case_dir / "case.yaml").read_bytes())
    for li in lc.items:
        h.update(f"\0{li.path}\0".encode())
        h.update((lc.root / li.path).read_bytes())
    for name in sorted(files):
        h.update(f"\0{name}\0{files[name].sha256}".encode())
    for iid in sorted(numbers):
        h.update(f"\0{iid}={numbers[iid]}".encode())
    for p in env_files:
        h.update(f"\0{p.name}\0".encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def template_files(root: Path) -> list[Path]:
    builtin = Path(__file__).parent / "templates"
    chosen = {p.name: p for p in builtin.glob("*.j2")}
    ws = Path(root) / "templates"
    if ws.is_dir():
        chosen.update({p.name: p for p in ws.glob("*.j2")})
    return [chosen[k] for k in sorted(chosen)]


def prepare(opts: Options) -> list[Prepared]:
    """Load, check, number. Raise CaseError with every problem; write nothing."""
    loaded = load_cases(opts.root, opts.cases)
    problems: list[Problem] = []
    prepared = []
    accept = {a.replace("\\", "/") for a in opts.accept_changes}
    tfiles = template_files(opts.root)
    for lc in loaded:
        files = _inspect_files(lc, problems)
        problems += _glyph_problems(lc)
        if opts.accused:
            known = {a.id for a in lc.case.accused}
            for a in opts.accused:
                if a not in known and len(loaded) == 1:
                    problems.append(Problem(lc.case_path, 0, "accused", f"no accused '{a}' in this case"))
        lock_path = lc.case_dir / LOCK_NAME
        shown = rel(lc.root, lock_path)
        try:
            old = read_lock(lock_path, shown)
        except CaseError as e:
            problems += e.problems
            continue
        new = assign(old, [(li.item.id, li.item.date) for li in lc.items])
        for name, info in sorted(files.items()):
            rec = old.files.get(name)
            if rec is None:
                new.files[name] = (info.sha256, info.size)
            elif rec != (info.sha256, info.size):
                shown_file = rel(lc.root, info.abspath)
                if shown_file in accept or name in accept:
                    new.files[name] = (info.sha256, info.size)
                else:
                    problems.append(Problem(shown_file, 0, "sha256",
                                            f"exhibit changed since it was recorded (sha256 {rec[0]} → {info.sha256}); "
                                            f"if the change is intended, rebuild with --accept-changes {shown_file}"))
        changed = lock_changes(old, new)
        if changed and opts.frozen:
            for c in changed:
                problems.append(Problem(shown, 0, "frozen", f"{c}, but --frozen forbids changing the lock"))
        numbers = {iid: n for iid, n in new.numbers.items() if iid not in new.retired}
        fp = fingerprint(lc, files, numbers, tfiles)
        text = format_lock(new, lc.case.numbering.exhibit_prefix, lc.case.numbering.exhibit_width)
        prepared.append(Prepared(lc, numbers, files, fp, text if (changed or not lock_path.exists()) else None))
    if problems:
        raise CaseError(problems)
    return prepared


def redaction_terms(lc: LoadedCase, item_ids: set[str]) -> list[Term]:
    """What the public edition must not contain: every protected witness name of the case,
    and the `redact` terms and `[[…]]` spans of the items in the dossier."""
    terms = []
    for li in lc.items:
        w = getattr(li.item, "witness", None)
        if w is not None and w.protected:
            for f, v in (("name", w.name), ("name_original", w.name_original)):
                if v:
                    terms.append(Term(v, li.path, li.line_of("witness", f), f"witness.{f}"))
        if li.item.id not in item_ids:
            continue
        for i, t in enumerate(li.item.redact):
            terms.append(Term(t, li.path, li.line_of("redact", i), f"redact.{i}"))
        for span in marked_spans(li.body):
            n = li.body.find(span)
            terms.append(Term(span, li.path, li.body_line + li.body[:n].count("\n"), "body"))
    return terms


SECTION_KEYS = ("cover", "contents", "profile", "exhibit-index", "chronology", "matrix", "names-index", "annex")


def section_pages(r: Rendered, d: Dossier) -> dict[str, int]:
    """Pages taken by each section (and each exhibit) of a rendered dossier."""
    keys = list(SECTION_KEYS) + [e.number for e in d.exhibits]
    starts = sorted((r.anchors[k], k) for k in keys if k in r.anchors)
    out = {}
    for i, (page, key) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else r.pages + 1
        out[key] = end - page
    return out


def render_editions(dossiers: dict[str, Dossier], env) -> dict[str, Rendered]:
    """Render the editions of one accused so that every section (and so every exhibit and page
    stamp) falls on the same pages in each: shorter sections are padded with blank pages."""
    if len(dossiers) == 1 and "confidential" in dossiers:
        d = dossiers["confidential"]
        return {"confidential": render(d, env, template_context(d))}
    conf, pub = dossiers["confidential"], dossiers["public"]
    rc = render(conf, env, template_context(conf))
    pub.min_pages = section_pages(rc, conf)
    rp = render(pub, env, template_context(pub))
    wanted = {k: max(v, pub.min_pages.get(k, 0)) for k, v in section_pages(rp, pub).items()}
    if any(wanted[k] > pub.min_pages.get(k, 0) for k in wanted):
        conf.min_pages = wanted
        rc = render(conf, env, template_context(conf))
    return {"confidential": rc, "public": rp}


def build(opts: Options, report=print) -> list[Written]:
    prepared = prepare(opts)
    env = template_env(opts.root)
    out_root = Path(opts.out) if opts.out else Path(opts.root) / "out"
    written: list[Written] = []
    for p in prepared:
        if p.lock_text is not None and not opts.frozen:
            atomic_write(p.lc.case_dir / LOCK_NAME, p.lock_text.encode("utf-8"))
        # the confidential layout is always made: the public edition follows its pagination
        per_edition = {ed: assemble(p.lc, p.numbers, p.files, ed, p.fingerprint, opts.accused)
                       for ed in EDITIONS if ed in opts.editions or ed == "confidential"}
        for i, conf in enumerate(per_edition["confidential"]):
            if not conf.exhibits:
                report(f"{p.lc.case_path}: accused '{conf.accused['id']}': no evidence item concerns this "
                       f"person; no dossier written")
                continue
            rendered = render_editions({ed: ds[i] for ed, ds in per_edition.items()}, env)
            for edition in opts.editions:
                d, r = per_edition[edition][i], rendered[edition]
                pdf = merge_exhibit_pages(r.pdf, r.reserved, CONTENT)
                if edition == "public":
                    terms = redaction_terms(p.lc, {e.id for e in d.exhibits})
                    leaks = find_leaks(pdf, terms)
                    if leaks:
                        raise CaseError([Problem(l.term.path, l.term.line, l.term.field,
                                                 f"'{l.term.text}' would appear in the public edition "
                                                 f"({l.where}); nothing written") for l in leaks])
                target = out_root / p.lc.case.id / edition / f"{d.file_stem}.pdf"
                atomic_write(target, pdf)
                n_ex = sum(1 for e in d.exhibits if not e.withheld)
                written.append(Written(target, r.pages, n_ex))
                report(f"{target}: {r.pages} pages, {n_ex} exhibits")
    return written
