"""`casefile build`: prepare (load, check, number the exhibits) and the build's five steps,
plan -> prepare -> make -> commit -> record (see build()).

Everything is gathered and checked before the first byte is written. Each PDF is written to a
temporary file in its own folder and renamed into place, so a failed or interrupted build
never leaves a half-written file and never damages the previous one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.platypus.doctemplate import LayoutError

from casefile import __version__
from casefile.case.body import parse_body
from casefile.case.loading import LoadedCase, line_for, load_cases, one_line, rel
from casefile.case.lockfile import LOCK_NAME, assign, assign_documents, format_lock, lock_changes, read_lock
from casefile.case.submission import load_submissions
from casefile.commands.submissions import make_submissions
from casefile.commands.submissions import record as record_submissions
from casefile.commands.workers import run_jobs
from casefile.dossier.assembly import Dossier, FileInfo, assemble, file_kind, template_context
from casefile.dossier.citations import line_files, pinpoints, stored_lines
from casefile.dossier.editions import (EDITIONS, explain_leaks, leak_terms, name_part_warnings, partly_read_warnings,
                                       policy, policy_problems)
from casefile.dossier.sections import AFTER_EXHIBITS, page_ranges
from casefile.dossier.submission import check_brief, check_evidence_numbers
from casefile.errors import CaseError, Problem
from casefile.intake.cache import CACHE_NAME
from casefile.intake.converters import tools_signature
from casefile.intake.exhibits import Intake, derived_fingerprint
from casefile.output.atomic import atomic_write, clean_leftovers, io_error, unlink, write_temporary
from casefile.output.freshness import (
    Options,
    code_signature,
    input_signature,
    lock_stat,
    out_root,
    outputs_intact,
    read_state,
    recorded_if_fresh,
    state_path,
    written_files,
)
from casefile.output.locking import build_lock
from casefile.pdf.exhibits import pdf_page_sizes
from casefile.pdf.leakcheck import find_leaks
from casefile.pdf.manifest import evidence_pages, sidecar_path, text_line_pages
from casefile.pdf.numbered_lines import line_pages
from casefile.pdf.volumes import TooBig, volume_name
from casefile.pdf.volumes import split as split_volumes
from casefile.typeset import rtl
from casefile.typeset.document import Rendered, render
from casefile.typeset.renditions import typeset_rendition
from casefile.typeset.submission import glyph_problems as submission_glyph_problems
from casefile.typeset.templates import template_env


@dataclass
class Written:
    path: Path
    pages: int
    exhibits: int
    skipped: bool = False  # up to date: not rendered again


@dataclass
class Prepared:
    lc: LoadedCase
    numbers: dict
    files: dict
    documents: dict  # sha256 -> document number (exhibits.lock)
    targets: dict  # (item id, source index) -> the file page its locator names
    fingerprints: dict  # accused id -> sha256 over that dossier's inputs
    lock_text: str | None  # new lock file text when it changed
    submissions: list = field(default_factory=list)  # case/submission.LoadedSubmission
    partly_read: list = field(default_factory=list)  # warnings (Problem): pages OCR did not read in full, withheld


def _inspect_files(lc: LoadedCase, problems: list[Problem], cache: dict, intake=None,
                   force: bool = False) -> dict[str, FileInfo]:
    """Hash, size, kind and pages of every exhibit file, from one reading of its bytes: the
    SHA-256 recorded is that of the bytes checked and counted here (and the renderer checks the
    bytes it typesets against it). The previous build's record is used only when nothing about
    the file changed: size, mtime, ctime and inode; otherwise the file is read again. With
    `intake` (intake.exhibits.Intake), files that are not PDFs or images get their rendition
    and pages without a text layer their OCR text (both cached). A bad file is one line,
    naming the file and the items that list it."""
    from casefile.pdf.images import frame_sizes
    from casefile.pdf.leakcheck import pages_without_text

    files: dict[str, FileInfo] = {}
    listed: dict[str, list] = {}
    for li in lc.items:
        for i, ef in enumerate(li.item.exhibits):
            listed.setdefault(ef.file, []).append((li, i))
    where = {}  # shown path -> file name, for the problems intake finds later

    def cannot_use(name: str, shown: str, e: CaseError):
        listing = ", ".join(f"{li.path}:{li.line_of('exhibits', i, 'file')}" for li, i in listed[name])
        for p in e.problems:
            path = shown if p.path in (shown, str(lc.exhibit_dir / name)) else p.path
            problems.append(Problem(path, 0, p.field, f"{p.message} (listed at {listing})"))

    for name, uses in listed.items():
        path = lc.exhibit_dir / name
        shown = rel(lc.root, path)
        kind = file_kind(name)
        try:
            st = path.stat()
            key = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
            hit = cache.get(name)
            hit = hit if isinstance(hit, list) and len(hit) == 9 else None
            if hit and hit[:4] == key and not force:
                info = FileInfo(name, path, st.st_size, hit[4], kind, "", pages=hit[5],
                                untexted=tuple(hit[6]), page_sizes=tuple(tuple(x) for x in hit[7]), stat_key=key,
                                lines=hit[8])
            else:
                data = path.read_bytes()
                if not data:
                    raise CaseError([Problem(shown, 0, "file", "the file is empty")])
                sha = hashlib.sha256(data).hexdigest()
                lines = len(stored_lines(data)) if kind == "text" else 0
                if hit and hit[4] == sha:  # the same bytes (only the times changed): the same facts
                    pages, untexted, sizes = hit[5], tuple(hit[6]), tuple(tuple(x) for x in hit[7])
                elif kind == "pdf":
                    sizes = tuple(pdf_page_sizes(path, data))
                    pages, untexted = len(sizes), pages_without_text(data)
                elif kind == "image":  # every frame a page (a multi-page TIFF); sizes in pixels
                    sizes = tuple(frame_sizes(path, data))
                    pages, untexted = len(sizes), ()
                else:
                    pages, untexted, sizes = 0, (), ()
                info = FileInfo(name, path, len(data), sha, kind, "", pages=pages, untexted=untexted,
                                page_sizes=sizes, stat_key=key, lines=lines)
            if intake is not None:
                li, i = uses[0]
                where[shown] = name
                info = intake.take(info, shown, exhibit_languages(lc, li), capture_of(li.item))
                if info.rendition is not None and kind not in ("pdf", "image"):  # what is drawn: its pages
                    info.untexted = pages_without_text(Path(info.rendition).read_bytes())
            files[name] = info
        except CaseError as e:
            cannot_use(name, shown, e)
        except OSError as e:
            problems.append(Problem(shown, 0, "file", f"cannot read: {e.strerror or e}"))
    if intake is not None:
        for shown, found in sorted(intake.finish().items()):
            name = where[shown]
            cannot_use(name, shown, CaseError(found))
            files.pop(name, None)
    return files
    return files


def capture_of(item) -> tuple[str, str]:
    """Where and when a web capture was made, as its item says: a media item's url and captured
    date, else the first source's url and accessed date."""
    url = getattr(item, "url", None) or next((s.url for s in item.sources if s.url), "")
    when = getattr(item, "captured", None) or next((s.accessed for s in item.sources if s.accessed), "")
    return url or "", when or ""


def exhibit_languages(lc: LoadedCase, li) -> tuple[str, ...]:
    """Languages to read an item's scans in: the item's, its original's, the case's."""
    original = getattr(li.item, "original", None)
    return tuple(dict.fromkeys(x for x in (li.item.language, original.language if original else None,
                                            lc.case.language) if x))


def _glyph_problems(lc: LoadedCase) -> list[Problem]:
    """A character the fonts cannot draw is an error naming the item, field and character; so is
    right-to-left text the typesetter cannot lay out (see _bidi_problem)."""
    rtl.register_fonts()
    out = []

    def strings(v, loc=()):
        if isinstance(v, str):
            yield loc, v
        elif isinstance(v, list):
            for i, x in enumerate(v):
                yield from strings(x, loc + (i,))
        elif isinstance(v, dict):
            for k, x in v.items():
                yield from strings(x, loc + (k,))

    def check(data, body, path, lines_of, body_line):
        values = list(strings(data))
        for loc, v in values:
            where = (path, lines_of(*loc), ".".join(map(str, loc)) or "-")
            for ch in rtl.missing_glyphs(v):
                out.append(Problem(*where, f"character U+{ord(ch):04X} {ch!r} is not in the fonts"))
            why = _bidi_problem(v)
            if why:
                out.append(Problem(*where, why))
        for ch in rtl.missing_glyphs(body):
            n = body.index(ch)
            out.append(Problem(path, body_line + body[:n].count("\n"), "body",
                               f"character U+{ord(ch):04X} {ch!r} is not in the fonts"))
        bad = [(i, why) for i, line in enumerate(body.split("\n")) if (why := _bidi_problem(line))]
        if not bad:  # lines are joined into paragraphs: a paragraph can fail where no line does
            whys = [why for block in parse_body(body) if (why := _bidi_problem(block.text))]
            bad = [(0, whys[0])] if whys else []
        for i, why in bad:
            out.append(Problem(path, body_line + i, "body", why))

    check(lc.case.model_dump(by_alias=True), "", lc.case_path, lambda *loc: line_for(lc.lines, loc, 1), 1)
    for li in lc.items:
        check(li.item.model_dump(by_alias=True, exclude={"type"}), li.body, li.path, li.line_of, li.body_line)
    return out




_EXPLICIT_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _bidi_problem(text: str) -> str | None:
    """Right-to-left text the bidi code cannot lay out becomes a problem naming the field,
    never an internal error while typesetting. Only the explicit directional controls
    (embeddings, overrides, isolates: the characters python-bidi's legacy algorithm has
    failed on) send the bidi code down paths plain right-to-left text never takes, so text
    without them is not laid out here (prepare stays linear and cheap)."""
    if not _EXPLICIT_BIDI.search(text) or not rtl.has_rtl(text):
        return None
    try:
        rtl.ltr_visual(text)
    except Exception as e:  # noqa: BLE001 - whatever the bidi code raises
        return f"cannot be set right to left ({type(e).__name__}: {e})"
    return None


def fingerprints(lc: LoadedCase, files: dict[str, FileInfo], numbers: dict, tdigest: str,
                 documents: dict | None = None) -> dict[str, str]:
    """Per accused: sha256 over everything its dossiers are made from (case.yaml, its items and
    their numbers, their exhibit files, the case's protected names, templates, version)."""
    common = hashlib.sha256()
    common.update(f"casefile {__version__}\0{tdigest}\0{lc.digest}\0".encode())
    for name, pseudonym in sorted(policy(lc).names.items()):  # every protected form, case-wide
        common.update(f"{name}\0{pseudonym}\0".encode())
    for name in sorted({ef.file for li in lc.items for ef in li.item.exhibits if ef.confidential}):
        common.update(f"withheld\0{name}\0".encode())  # a file withheld by any item, everywhere
    out = {}
    for acc in lc.case.accused:
        h = common.copy()
        for li in lc.items:
            if acc.id in li.item.accused:
                h.update(f"{li.path}\0{li.digest}\0{numbers[li.item.id]}\0".encode())
                for ef in li.item.exhibits:
                    sha = files[ef.file].sha256
                    h.update(f"{ef.file}\0{sha}\0{(documents or {}).get(sha, 0)}\0"
                             f"{derived_fingerprint(files[ef.file])}\0".encode())
        out[acc.id] = h.hexdigest()
    return out


def templates_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in template_files(root):
        h.update(f"{p.name}\0".encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def template_files(root: Path) -> list[Path]:
    builtin = Path(__file__).parent.parent / "templates"
    chosen = {p.name: p for p in builtin.glob("*.j2")}
    ws = Path(root) / "templates"
    if ws.is_dir():
        chosen.update({p.name: p for p in ws.glob("*.j2")})
    return [chosen[k] for k in sorted(chosen)]


def prepare(opts: Options, report=None, ocr_progress=None) -> list[Prepared]:
    """Load, check, number. Raise CaseError with every problem; write no dossier (intake's
    conversions and OCR go to its cache beside the output; `report` gets a line for each,
    `ocr_progress(pages read, pages to read)` is called as OCR goes)."""
    loaded = load_cases(opts.root, opts.cases)
    problems: list[Problem] = []
    prepared = []
    accept = {a.replace("\\", "/") for a in opts.accept_changes}
    tdigest = templates_digest(opts.root)
    for lc in loaded:
        intake = Intake(out_root(opts) / CACHE_NAME, opts.jobs, typeset_rendition, report, ocr_progress,
                        lc.case.page_size)
        files = _inspect_files(lc, problems, read_state(state_path(opts, lc.case.id)).get("files", {}), intake,
                               opts.force)
        problems += _glyph_problems(lc)
        subs, found = load_submissions(lc)
        problems += found
        for s in subs:
            problems += check_brief(lc, s, files, opts.editions) + submission_glyph_problems(s)
        problems += policy_problems(lc)
        if not policy_problems(lc):
            lc.warnings = sorted(set(lc.warnings) | set(one_line(name_part_warnings(lc))))
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
        if any(name not in files for li in lc.items for name in (ef.file for ef in li.item.exhibits)):
            continue  # a file problem is already reported
        order = sorted(lc.items, key=lambda li: new.numbers[li.item.id])
        new = assign_documents(new, [(files[ef.file].sha256, ef.file) for li in order for ef in li.item.exhibits])
        for s in subs:
            problems += check_evidence_numbers(lc, s, files, new.documents)
        changed = lock_changes(old, new)
        if changed and opts.frozen:
            for c in changed:
                problems.append(Problem(shown, 0, "frozen", f"{c}, but --frozen forbids changing the lock"))
        numbers = {iid: n for iid, n in new.numbers.items() if iid not in new.retired}
        targets = _pinpoints(lc, files, problems)
        fps = fingerprints(lc, files, numbers, tdigest, new.documents)
        text = format_lock(new, lc.case.numbering.exhibit_prefix, lc.case.numbering.exhibit_width)
        prepared.append(Prepared(lc, numbers, files, dict(new.documents), targets, fps,
                                 text if (changed or not lock_path.exists()) else None, subs,
                                 partly_read_warnings(lc, files)))
    if problems:
        raise CaseError(one_line(problems))
    return prepared


def _pinpoints(lc: LoadedCase, files: dict[str, FileInfo], problems: list[Problem]) -> dict:
    """The file page every locator with a page or line names; a problem for each that names one
    its file does not have."""
    lines = {}
    for path in sorted(line_files(lc, files)):
        try:
            lines[path] = line_pages(files[path].abspath)
        except CaseError as e:
            problems += e.problems
    targets, found = pinpoints(lc, files, lines)
    problems += found
    return targets


# ------------------------------------------------------------------ the build, step by step


def build(opts: Options, report=print, progress=None, ocr_progress=None) -> list[Written]:
    """Build every dossier asked for, in five steps, holding the output folder's build lock.
    Nothing is renamed into place until every dossier of the run has been made and checked: a
    failure leaves all earlier output as it was. `progress(dossiers made)` and
    `ocr_progress(pages read, pages to read)` are called as the work goes (progress bars)."""
    with build_lock(out_root(opts), waiting=report):
        plan = plan_cases(opts)  # 1. which cases changed since the last build
        if not plan.cases:
            return plan.fresh
        work = prepare_jobs(opts, plan, report, ocr_progress)  # 2. load, check, number; one job per accused to make
        made = run_jobs(make_dossiers, work.jobs, opts.jobs, progress, discard)  # 3. typeset, in workers
        try:  # 3b. then the submissions, against the dossiers as just made
            briefs = make_submissions(opts, work.prepared, made, report)
        except BaseException:
            discard(made)
            raise
        commit(opts, work, made + briefs)  # 4. the lock files, then every dossier and submission, renamed into place
        return plan.fresh + work.fresh + record(opts, plan, work, made, report, briefs)  # 5. the state files


@dataclass
class Plan:
    cases: list[str]  # cases to prepare: something they are made from changed (or unknown ids)
    fresh: list[Written]  # the dossiers of the other cases, up to date
    signatures: dict[str, str]  # case id -> input signature, taken before anything was read


@dataclass
class Job:
    """Everything one worker needs to make one accused's dossiers (pickled to the worker)."""
    prepared: Prepared
    accused: str
    opts: Options

    @property
    def size(self) -> int:
        """A rough cost: body text, plus the pages of the exhibit files."""
        size = 0
        for li in self.prepared.lc.items:
            if self.accused in li.item.accused:
                size += 2000 + len(li.body)
                for ef in li.item.exhibits:
                    f = self.prepared.files.get(ef.file)
                    size += 1500 * (f.pages or 1) if f else 0
        return size


@dataclass
class Work:
    prepared: list[Prepared]
    jobs: list[Job]  # biggest first, so that no worker is left with a long one at the end
    fresh: list[Written]  # dossiers whose inputs did not change
    stale: list[Path]  # dossiers of an accused no evidence concerns any more: to remove
    states: dict[str, dict]  # case id -> what its state file recorded
    code: str  # code_signature() when the build started


@dataclass(order=True)
class Made:
    """A dossier made and checked, waiting in its temporary file beside its target."""
    target: Path
    tmp: str
    case: str
    pages: int
    exhibits: int
    fingerprint: str
    ranges: dict = field(compare=False)  # section key or exhibit number -> (first page, last page)
    evidence: list = field(compare=False)  # each evidence number with its page (as in the manifest)
    notes: tuple = ()  # warnings to report with it (e.g. fonts that keep it from claiming PDF/A)
    beside: tuple = ()  # (target, temporary file) of files written beside it (a filing copy's manifest)
    volumes: tuple = ()  # a dossier in volumes: (file name, first, last, page count) of each; tmp is ""
    text_lines: list = field(default_factory=list, compare=False)  # each typeset text page's lines (as in the manifest)
    limit: int | None = None  # the size over which it was to be written in volumes (volume_limit)

    @property
    def files(self) -> tuple:
        """(target, temporary file) of every file to rename into place."""
        return self.beside + (((self.target, self.tmp),) if self.tmp else ())


def plan_cases(opts: Options) -> Plan:
    """Step 1: leftovers of an interrupted build removed; a case whose inputs have the names,
    sizes and mtimes the last build recorded, with its dossiers still in place, is up to date."""
    from casefile.case.loading import case_ids

    known = case_ids(Path(opts.root))
    plan = Plan([], [], {})
    tools = tools_signature()
    for cid in opts.cases or known:
        if cid in known:
            clean_leftovers(out_root(opts) / cid, Path(opts.root) / "cases" / cid)
            plan.signatures[cid] = input_signature(opts, cid, tools)
            fresh = recorded_if_fresh(opts, cid, read_state(state_path(opts, cid)), plan.signatures[cid])
            if fresh is not None:
                plan.fresh += [Written(path, pages, n, skipped=True) for path, pages, n in fresh]
                continue
        plan.cases.append(cid)  # an unknown id too: prepare reports it
    return plan


def prepare_jobs(opts: Options, plan: Plan, report, ocr_progress=None) -> Work:
    """Step 2: the changed cases loaded, checked and numbered (prepare); one job per accused
    whose dossiers' inputs (fingerprint) or casefile itself changed since they were made."""
    prepared = prepare(Options(**{**opts.__dict__, "cases": plan.cases}), report, ocr_progress)
    work = Work(prepared, [], [], [], {}, code_signature())
    for p in prepared:
        if "public" in opts.editions:  # one line per page the public edition withholds as not fully read
            for warning in p.partly_read:
                report(str(warning))
        cid = p.lc.case.id
        state = work.states[cid] = read_state(state_path(opts, cid))
        recorded = state.get("dossiers", {})
        for acc in p.lc.case.accused:
            if opts.accused and acc.id not in opts.accused:
                continue
            if not any(acc.id in li.item.accused for li in p.lc.items):
                report(f"{p.lc.case_path}: accused '{acc.id}': no evidence item concerns this person; "
                       f"no dossier written")
                # a dossier an earlier build wrote for this person is no longer true: remove it
                work.stale += [out_root(opts) / cid / k for k in recorded if Path(k).name == f"{acc.id}.pdf"]
                continue
            mine = {f"{ed}/{acc.id}.pdf": recorded.get(f"{ed}/{acc.id}.pdf") for ed in opts.editions}
            if not opts.force and state.get("code") == work.code and \
                    all(r and r["fingerprint"] == p.fingerprints[acc.id] and
                        r.get("max_size") == volume_limit(opts, p.lc) for r in mine.values()) and \
                    outputs_intact({"dossiers": mine}, out_root(opts) / cid):
                work.fresh += [Written(out_root(opts) / cid / k, r["pages"], r["exhibits"], skipped=True)
                               for k, r in mine.items()]
                continue
            work.jobs.append(Job(p, acc.id, opts))
    work.jobs.sort(key=lambda j: -j.size)
    return work


def make_dossiers(job: Job) -> list[Made]:
    """Step 3, in a worker: typeset each edition of one accused's dossier (each paginated on its
    own), check the public one for leaks, write each to a temporary file beside its target."""
    p, opts = job.prepared, job.opts
    env = template_env(opts.root)
    limit = volume_limit(opts, p.lc)
    made: list[Made] = []
    try:
        for edition in opts.editions:
            d = assemble(p.lc, p.numbers, p.files, edition, p.fingerprints, [job.accused], p.documents, p.targets)[0]
            try:
                r = render(d, env, template_context(d), opts.attach_media, opts.profile)
            except LayoutError as e:
                raise _too_tall(p, d, env, e) from None
            if edition == "public":
                _check_public(p.lc, d, r, r.pdf)
            target = out_root(opts) / p.lc.case.id / edition / f"{d.file_stem}.pdf"
            ranges = page_ranges(r.anchors, [e.number for e in d.exhibits], r.pages)
            shown = sum(1 for e in d.exhibits if not e.withheld)
            if limit and len(r.pdf) > limit:  # over the limit: in volumes
                r, parts = _in_volumes(p, d, env, opts, ranges, limit)
                beside = []
                try:
                    for vol, data, side in parts:
                        path = target.parent / volume_name(d.file_stem, vol.number)
                        beside.append((path, write_temporary(path, data)))
                        if side is not None:
                            beside.append((sidecar_path(path), write_temporary(sidecar_path(path), side)))
                except BaseException:
                    for _, tmp in beside:
                        unlink(tmp)
                    raise
                made.append(Made(target, "", p.lc.case.id, r.pages, shown, d.fingerprint, ranges,
                                 evidence_pages(d, r.anchors), tuple(r.notes), tuple(beside),
                                 tuple((volume_name(d.file_stem, v.number), *v.own, len(v.pages))
                                       for v, _, _ in parts), text_line_pages(d, r.text_lines), limit))
                continue
            beside = ((sidecar_path(target), write_temporary(sidecar_path(target), r.sidecar)),) if r.sidecar else ()
            made.append(Made(target, write_temporary(target, r.pdf), p.lc.case.id, r.pages, shown, d.fingerprint,
                             ranges, evidence_pages(d, r.anchors), tuple(r.notes), beside,
                             text_lines=text_line_pages(d, r.text_lines), limit=limit))
    except BaseException:
        discard(made)
        raise
    return made


def commit(opts: Options, work: Work, made: list[Made]):
    """Step 4: every dossier was made and checked; now the changed lock files, then every
    dossier, each renamed into place. A failure removes every temporary file still there."""
    try:
        for p in work.prepared:
            if p.lock_text is not None and not opts.frozen:
                atomic_write(p.lc.case_dir / LOCK_NAME, p.lock_text.encode("utf-8"))
        for m in made:
            for target, tmp in m.files:
                try:
                    os.replace(tmp, target)
                except OSError as e:
                    raise io_error(target, e) from None
    except BaseException:
        discard(made)  # those already renamed are gone: nothing happens
        raise
    for m in made:  # then what an earlier build wrote in their place: the whole dossier, or more volumes
        for path in outdated_files(m.target, {t.name for t, _ in m.files}) if isinstance(m, Made) else ():
            unlink(str(path))


_VOLUME_FILE = re.compile(r"\.vol[0-9]+\.(pdf|manifest\.json)$")


def outdated_files(target: Path, written: set) -> list[Path]:
    """The files of a dossier `target` (itself, its volumes, their sidecar manifests) that are
    not among the names just `written`: a dossier now in volumes leaves no whole file, one in
    two volumes no third volume of a bigger build, one under the limit no volumes."""
    stem = target.stem
    found = [target, sidecar_path(target)] + [p for p in sorted(target.parent.glob(f"{glob_escape(stem)}.vol*"))
                                              if _VOLUME_FILE.search(p.name[len(stem):])]
    return [p for p in found if p.name not in written and p.exists()]


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def volume_limit(opts: Options, lc: LoadedCase) -> int | None:
    """The size over which a dossier of the case is written in volumes: --max-size, else
    case.yaml's max_size; None for no limit (neither, or --max-size none)."""
    if opts.max_size is not None:
        return opts.max_size or None  # 0: --max-size none
    return lc.case.max_size


def limit_name(opts: Options, limit: int) -> str:
    """The limit as the user set it: "--max-size 25.0 MB", or "max_size 25.0 MB (case.yaml)"."""
    return f"--max-size {size_text(limit)}" if opts.max_size else f"max_size {size_text(limit)} (case.yaml)"


def _in_volumes(p: Prepared, d: Dossier, env, opts: Options, ranges: dict, limit: int):
    """A dossier over its size limit (volume_limit), typeset again with room in its contents for each line's volume,
    then cut into volumes (pdf/volumes.py) at exhibit boundaries: the contents say the volume the
    cut puts each line in (typeset until the cut and the contents agree; the layout does not
    change, only the numbers). Returns the rendering and the volumes; an exhibit that does not fit
    in a volume by itself is refused, naming it."""
    numbers = [e.number for e in d.exhibits]
    starts = sorted(ranges[k][0] for k in numbers + [s.key for s in AFTER_EXHIBITS] if k in ranges)
    label = {ranges[k][0]: k for k in numbers + [s.key for s in AFTER_EXHIBITS] if k in ranges}
    mapping: dict = {}
    for _ in range(4):
        r = render(d, env, template_context(d), opts.attach_media, opts.profile, volumes=mapping)
        if not starts or "contents" not in r.anchors:
            raise _too_big(p, d, opts, None, len(r.pdf), limit)
        front = (1, page_ranges(r.anchors, numbers, r.pages)["contents"][1])
        units = [(1, starts[0] - 1)] + [(a, (starts[i + 1] - 1) if i + 1 < len(starts) else r.pages)
                                        for i, a in enumerate(starts)]

        def ident(n, count):
            return hashlib.sha256(f"{d.fingerprint}\0{d.edition}\0{d.code}\0{d.accused['id']}\0"
                                  f"{opts.profile}\0volume {n} of {count}".encode()).hexdigest()[:32].encode()
        try:
            parts = split_volumes(r.pdf, d.file_stem, front, units, limit, r.sidecar if r.sidecar else None, ident,
                                  r.cover_lines)
        except TooBig as e:
            raise _too_big(p, d, opts, label.get(units[e.unit][0]) if e.unit else None, e.size, limit) from None
        now = {page: v.number for v, _, _ in parts for page in range(v.own[0], v.own[1] + 1)}
        if now == mapping:
            return r, parts
        mapping = now
    raise CaseError([Problem(p.lc.case_path, 0, "max_size", f"the dossier of '{d.accused['id']}' ({d.edition}) "
                                                             f"could not be cut into volumes that stay the same")])


def size_text(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def _too_big(p: Prepared, d: Dossier, opts: Options, key: str | None, size: int, limit: int) -> CaseError:
    """One line: what does not fit in a volume by itself, and its size there."""
    named = limit_name(opts, limit)
    ex = next((e for e in d.exhibits if e.number == key), None)
    if ex is not None:
        li = next(li for li in p.lc.items if li.item.id == ex.id)
        return CaseError([Problem(li.path, 1, "exhibits", f"exhibit {ex.number} alone makes a volume of "
                                  f"{size_text(size)} (with the cover and contents every volume begins with), over "
                                  f"{named}: a volume holds whole exhibits; raise {named.split()[0]} or give the "
                                  f"files of this item to several items")])
    what = f"the {key} section" if key else "the pages before the exhibits (cover, contents, profile, indexes)"
    return CaseError([Problem(p.lc.case_path, 0, "max_size", f"the dossier of '{d.accused['id']}' ({d.edition}) "
                              f"cannot be cut into volumes under {named}: {what} alone make "
                              f"{size_text(size)}")])


def record(opts: Options, plan: Plan, work: Work, made: list[Made], report, briefs: list = ()) -> list[Written]:
    """Step 5: report each dossier and submission made, remove the stale ones, and write each
    case's state file (what the next build compares with: signature, lock, files, dossiers,
    submissions)."""
    written = []
    for m in made:
        rec = {"fingerprint": m.fingerprint, "pages": m.pages, "exhibits": m.exhibits, "max_size": m.limit,
               "ranges": {k: list(v) for k, v in m.ranges.items()}, "evidence": m.evidence,
               "text_lines": m.text_lines}
        if m.volumes:
            rec["volumes"] = []
            for name, first, last, count in m.volumes:
                st = os.stat(m.target.parent / name)
                rec["volumes"].append({"file": name, "first": first, "last": last, "pages": count,
                                       "size": st.st_size, "mtime_ns": st.st_mtime_ns})
                report(f"{m.target.parent / name}: volume {name.split('.vol')[-1].split('.')[0]} of "
                       f"{len(m.volumes)}, pages {first}-{last} of {m.pages}, {size_text(st.st_size)}")
        else:
            st = os.stat(m.target)
            rec.update(size=st.st_size, mtime_ns=st.st_mtime_ns)
        work.states[m.case].setdefault("dossiers", {})[f"{m.target.parent.name}/{m.target.name}"] = rec
        written.append(Written(m.target, m.pages, m.exhibits))
        report(f"{m.target}: {m.pages} pages, {m.exhibits} exhibits" +
               (f", in {len(m.volumes)} volumes" if m.volumes else ""))
        for note in m.notes:
            report(note)
    for path in work.stale:
        for old in outdated_files(path, set()):
            old.unlink()
            if old.suffix == ".pdf":
                report(f"{old}: removed (no evidence concerns this person any more)")
    for b in briefs:
        annexes = f" and {b.annex_pages} of annexes" if b.annex_pages else ""
        report(f"{b.target}: {b.pages} pages of text{annexes}, {b.notes} notes")
    for p in work.prepared:
        cid = p.lc.case.id
        for path in record_submissions(work.states[cid], out_root(opts) / cid, [b for b in briefs if b.case == cid],
                                       None if opts.accused else opts.editions):
            path.unlink()
            report(f"{path}: removed (no longer built)")
    for p in work.prepared:
        cid = p.lc.case.id
        state = work.states[cid]
        state.update(version=__version__, code=work.code, lock=lock_stat(opts, cid), signature=plan.signatures.get(cid),
                     # the stat taken before the bytes were read: a change after it is seen next time
                     files={name: [*f.stat_key, f.sha256, f.pages, list(f.untexted), f.page_sizes, f.lines]
                            for name, f in sorted(p.files.items())})
        # forget dossiers that are gone
        state["dossiers"] = {k: v for k, v in state.get("dossiers", {}).items()
                             if all(path.exists() for path, _ in written_files(out_root(opts) / cid, k, v))}
        atomic_write(state_path(opts, cid), json.dumps(state, indent=1, sort_keys=True).encode("utf-8"))
    return written


def discard(made: list[Made]):
    """Remove the temporary files of dossiers that will not be renamed into place."""
    for m in made:
        for _, tmp in m.files:
            unlink(tmp)


def _check_public(lc: LoadedCase, d: Dossier, r: Rendered, pdf: bytes):
    """The leak check: a form the public edition must not show, found anywhere in the finished
    PDF, stops the build, with the case file and line (or exhibit file and page) it comes from."""
    ids = {e.id for e in d.exhibits}
    leaks = find_leaks(pdf, leak_terms(lc, ids))
    if not leaks:
        return
    original = {str(f.drawn): f.abspath for e in d.exhibits for f in e.files}  # a rendition: its original
    pages = {page: (rel(lc.root, Path(original.get(path, path))), index + 1) for page, path, index in r.reserved}
    texts = {rel(lc.root, Path(f.abspath)): f.abspath for e in d.exhibits for f in e.files
             if f.kind == "text" and not f.withheld}
    raise CaseError(explain_leaks(lc, leaks, d.accused["id"], pages, texts, ids))


def _too_tall(p: Prepared, d: Dossier, env, err: Exception) -> CaseError:
    """reportlab splits neither a table row nor a translation set beside its original across
    pages, and gives up on one taller than a page. Say so, naming the file that holds it: the
    case-level sections are typeset without exhibits, then each exhibit alone, until one fails."""
    import dataclasses

    m = re.search(r"containing\s*'(?:<[^>]*>)?([^'<]{1,40})", str(err))
    what = f"a table row or paragraph beginning '{m.group(1).strip()}'" if m else "a table row or paragraph"
    message = (f"too long to typeset: {what} is taller than a page; shorten the text or split it "
               f"(into paragraphs or list entries)")
    items = {li.item.id: li for li in p.lc.items}
    for ex in [None] + list(d.exhibits):
        solo = dataclasses.replace(d, exhibits=[ex] if ex else [])
        try:
            render(solo, env, template_context(solo))
        except LayoutError:
            path = items[ex.id].path if ex else p.lc.case_path
            return CaseError([Problem(path, 1, "-", message)])
        except Exception:
            break
    return CaseError([Problem(p.lc.case_path, 1, "-", f"{message} (dossier of '{d.accused['id']}')")])
