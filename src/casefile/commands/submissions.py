"""Submissions, built after the dossiers they annex: for each submission and edition, the brief
is assembled (dossier/submission.py), placed against the annexed dossiers as just built (their
manifests give every exhibit's pages), typeset (typeset/submission.py), bound with its annexes
(pdf/annexes.py), checked for leaks like a public dossier, and written to a temporary file beside
its target: OUT/<case>/<edition>/submissions/<name>.pdf (the text and its annexes in one file)
and/or <name>-text.pdf (the text alone, its links opening ../<accused>.pdf)."""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from casefile import __version__
from casefile.dossier.assembly import assemble
from casefile.dossier.editions import EDITIONS, submission_redaction_terms
from casefile.dossier.submission import annex_title, assemble_brief, locate
from casefile.errors import CaseError, Problem
from casefile.output.atomic import unlink, write_temporary
from casefile.output.freshness import Options, out_root
from casefile.pdf.annexes import AnnexPDF, bind
from casefile.pdf.leakcheck import find_leaks
from casefile.pdf.manifest import MANIFEST_NAME, read_manifest, sidecar_path

FOLDER = "submissions"  # in OUT/<case>/<edition>/


def outputs(name: str, bundle: str) -> list[tuple[str, bool]]:
    """(file name, combined?) of a submission's PDFs in each edition's folder."""
    out = []
    if bundle in ("combined", "both"):
        out.append((f"{name}.pdf", True))
    if bundle in ("separate", "both"):
        out.append((f"{name}-text.pdf", False))
    return out


@dataclass
class MadeBrief:
    """A submission's PDF made and checked, waiting in its temporary file beside its target."""
    target: Path
    tmp: str
    case: str
    pages: int  # of the text
    notes: int
    annex_pages: int = 0  # of the annexes bound after the text (the combined PDF)
    beside: tuple = ()  # nothing is written beside a submission

    @property
    def files(self) -> tuple:
        """(target, temporary file) of every file to rename into place."""
        return ((self.target, self.tmp),)


def make_submissions(opts: Options, prepared: list, dossiers: list, report=print) -> list[MadeBrief]:
    """Every submission of the prepared cases, in the editions asked for. `dossiers`: the
    dossiers made in this run (each with its `target` and `tmp`, the temporary file); the
    others are read where an earlier build left them. On any problem nothing is left behind
    (of the submissions) and CaseError says what."""
    if opts.accused and any(p.submissions for p in prepared):
        report("submissions are not built with --accused (their annexes would not all be fresh)")
        return []
    from casefile.typeset.submission import annex_stamps, render_brief

    made: dict[str, str] = {str(d.target): d.tmp for d in dossiers}
    made.update({str(target): tmp for d in dossiers for target, tmp in d.beside})
    out: list[MadeBrief] = []
    problems: list[Problem] = []
    try:
        for p in prepared:
            cid = p.lc.case.id
            for sub in p.submissions:
                for edition in (e for e in EDITIONS if e in opts.editions and e in sub.front.editions):
                    per: dict = {}
                    manifests: dict = {}
                    annex_pdfs: dict = {}
                    for acc in sub.front.annexes:
                        per[acc] = assemble(p.lc, p.numbers, p.files, edition, p.fingerprints, [acc],
                                            p.documents, p.targets)[0]
                        target = out_root(opts) / cid / edition / f"{acc}.pdf"
                        if made.get(str(target)) == "" or (str(target) not in made and not target.exists() and
                                                           any(target.parent.glob(f"{acc}.vol*.pdf"))):
                            problems.append(Problem(sub.path, sub.line_of("annexes"), "annexes",
                                                    f"the {edition} dossier of '{acc}' is written in volumes "
                                                    f"(--max-size, or case.yaml's max_size), and a submission binds "
                                                    f"each dossier it annexes whole; build the submissions without "
                                                    f"volumes (--max-size none overrides case.yaml's max_size)"))
                            break
                        try:
                            data = Path(made.get(str(target), target)).read_bytes()
                        except OSError as e:
                            problems.append(Problem(sub.path, sub.line_of("annexes"), "annexes",
                                                    f"the {edition} dossier of '{acc}' cannot be read "
                                                    f"({e.strerror or e}); build it first"))
                            break
                        annex_pdfs[acc] = data
                        manifests[acc] = _manifest(data, target, made)
                    if len(annex_pdfs) != len(sub.front.annexes):
                        continue
                    fp = hashlib.sha256("\0".join([__version__, sub.digest, edition] + [
                        p.fingerprints[a] for a in sub.front.annexes]).encode()).hexdigest()
                    brief = assemble_brief(p.lc, sub, per, edition, fp)
                    found = locate(brief, manifests)
                    if found:
                        problems += found
                        continue
                    targets = {r.key: (r.annex, r.annex_page) for r in brief.references
                               if r.annex is not None and r.annex_page and not r.withheld}
                    for r in brief.references:
                        if r.annex is not None and not r.withheld:
                            entry = next((e for e in manifests[brief.annexes[r.annex].accused["id"]]["exhibits"]
                                          if e["number"] == r.number and e.get("pages")), None)
                            if entry:
                                targets.setdefault(f"exhibit:{r.number}", (r.annex, entry["pages"][0]))
                    for ai, a in enumerate(brief.annexes):  # the contents' entry of each annex: its first page
                        targets[f"annex:{a.letter}"] = (ai, 1)
                    annexes = [AnnexPDF(a.letter, annex_title(a), annex_pdfs[a.accused["id"]], f"../{a.file_name}")
                               for a in brief.annexes]
                    terms = submission_redaction_terms(p.lc, sub, {e.id for d in per.values() for e in d.exhibits}) \
                        if edition == "public" else []
                    for file_name, combined in outputs(sub.name, sub.front.bundle):
                        rendered = render_brief(brief, combined)
                        pdf = bind(rendered.pdf, annexes, targets, combined, stamps=annex_stamps)
                        if terms:
                            leaks = find_leaks(pdf, terms)
                            if leaks:
                                raise CaseError([Problem(l.term.path, l.term.line, l.term.field,
                                                         f"'{l.term.text}' would appear in the public edition of "
                                                         f"submission '{sub.name}' ({l.where}); nothing written")
                                                 for l in leaks])
                        target = out_root(opts) / cid / edition / FOLDER / file_name
                        out.append(MadeBrief(target, write_temporary(target, pdf), cid, rendered.pages,
                                             len(brief.notes),
                                             sum(a.pages for a in brief.annexes) if combined else 0))
        if problems:
            raise CaseError(problems)
    except BaseException:
        for b in out:
            unlink(b.tmp)
        raise
    return out


def _manifest(data: bytes, target: Path, made: dict[str, str]) -> dict:
    """A dossier's manifest: attached to it, or (a filing copy) in the file beside it."""
    import json

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if MANIFEST_NAME in (reader.attachments or {}):
        return read_manifest(reader, str(target))
    beside = sidecar_path(target)
    try:
        return json.loads(Path(made.get(str(beside), beside)).read_bytes().decode("utf-8"))
    except (OSError, ValueError) as e:
        raise CaseError([Problem(str(beside), 0, "manifest", f"the dossier's manifest cannot be read ({e})")])


def record(state: dict, out_case: Path, briefs: list[MadeBrief], editions: tuple[str, ...] | None) -> list[Path]:
    """Record the submissions written (renamed into place) in the case's state. Those recorded
    before in the `editions` the run made and not made now (the submission is gone, or no longer
    built that way) are forgotten; returns their files, for removal. `editions` None: the run
    made no submissions (--accused): nothing is forgotten."""
    recs = state.setdefault("submissions", {})
    made = set()
    for b in briefs:
        key = Path(b.target).relative_to(out_case).as_posix()
        st = os.stat(b.target)
        recs[key] = {"pages": b.pages, "notes": b.notes, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
        made.add(key)
    gone = []
    if editions is not None:
        for key in sorted(k for k in set(recs) - made if k.split("/")[0] in editions):
            del recs[key]
            path = out_case / key
            if path.exists():
                gone.append(path)
    state["submissions"] = {k: v for k, v in recs.items() if (out_case / k).exists() or k in made}
    return gone
