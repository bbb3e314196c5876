"""Thin typer commands around the pipeline. Every failure of a command becomes lines and an exit code, never a traceback."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from pathlib import Path
from typing import Optional

import typer

from casefile.errors import EXIT_INTERNAL, EXIT_IO, EXIT_PROBLEMS, EXIT_USAGE, CaseError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Build evidence dossiers (one PDF per accused) from plain case files.")

RootOpt = typer.Option(Path("."), "--root", help="workspace folder (holds cases/, exhibits/, templates/)")


def command(name: Optional[str] = None):
    """`app.command`, with the command's whole body (its imports included) under one wrapper:
    every failure is its lines and an exit code, never a traceback."""
    def register(fn):
        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except (typer.Exit, typer.Abort, typer.TyperException):
                raise  # typer's own way out (an exit code, a usage error): already a line
            except CaseError as e:
                print(e.report(), file=sys.stderr)
                raise typer.Exit(e.exit_code)
            except KeyboardInterrupt:
                print("casefile: interrupted; earlier output is untouched", file=sys.stderr)
                raise typer.Exit(130)
            except OSError as e:
                where = getattr(e, "filename", None) or "-"
                print(f"{where}:0: io: {e.strerror or e}\n1 problem found", file=sys.stderr)
                raise typer.Exit(EXIT_IO)
            except ImportError as e:  # a broken installation, not the case's fault
                print(f"casefile: cannot load {e.name or 'a module'}: {e} (the installation is incomplete: "
                      f"reinstall casefile)", file=sys.stderr)
                raise typer.Exit(EXIT_INTERNAL)
            except Exception as e:  # a bug: say so in one line, never a traceback
                print(f"casefile: internal error: {type(e).__name__}: {e} (please report this)", file=sys.stderr)
                raise typer.Exit(EXIT_INTERNAL)
        return app.command(name)(guarded)
    return register


@command()
def check(case: Optional[str] = typer.Argument(None, help="case id (default: every case)"),
          root: Path = RootOpt):
    """Load, validate and cross-check; print every problem as path:line: field: message."""
    from casefile.commands.build import Options, prepare

    with _showing_progress() as (report, ocr_progress, _):  # conversions and OCR, as build shows them
        prepared = prepare(Options(root=root, cases=[case] if case else None), report, ocr_progress)
    warnings = sorted(w for p in prepared for w in [*p.lc.warnings, *p.partly_read])  # by path, then line
    for w in warnings:
        print(w, file=sys.stderr)
    for lc in (p.lc for p in prepared):
        print(f"{lc.case_path}: ok ({len(lc.items)} items, {len(lc.case.accused)} accused)")
    n = len(warnings)
    print("0 problems found" + (f", {n} warning{'s' if n != 1 else ''}" if n else ""))


@command("list")
def list_(case: Optional[str] = typer.Argument(None, help="case id (default: every case)"),
          root: Path = RootOpt):
    """A table of the accused with their item counts, and the items per type."""
    from collections import Counter

    from rich.console import Console
    from rich.table import Table

    from casefile.case.loading import load_cases

    console = Console()
    for lc in load_cases(root, [case] if case else None):
        t = Table(title=f"{lc.case.id}: {lc.case.title}")
        for col in ("accused", "name", "status", "items"):
            t.add_column(col)
        for a in lc.case.accused:
            n = sum(1 for li in lc.items if a.id in li.item.accused)
            t.add_row(a.id, a.name, a.status, str(n))
        console.print(t)
        types = Counter(li.item.type for li in lc.items)
        t2 = Table(title="items per type")
        t2.add_column("type")
        t2.add_column("items")
        for k in sorted(types):
            t2.add_row(k, str(types[k]))
        console.print(t2)


SCHEMAS = ("case", "item", "export", "all")


@command()
def schema(what: str = typer.Argument("all", help="case | item | export | all"),
           root: Path = RootOpt):
    """Print the JSON Schema of case.yaml, of an item's front matter, or of the JSON export.
    (The schemas are the same for every workspace: --root is accepted like everywhere else.)"""
    from casefile.case.loading import ITEM_ADAPTER
    from casefile.case.models import Case
    from casefile.commands.export import export_schema

    out = {}
    if what in ("case", "all"):
        out["case"] = Case.model_json_schema(by_alias=True)
    if what in ("item", "all"):
        out["item"] = ITEM_ADAPTER.json_schema(by_alias=True)
    if what in ("export", "all"):
        out["export"] = export_schema()
    if not out:
        print(f"unknown schema '{what}' (one of: {', '.join(SCHEMAS)})", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    print(json.dumps(out if what == "all" else out[what], indent=2, ensure_ascii=False))


@command()
def new(type: str = typer.Argument(..., help="testimony | decree | statement | document | media"),
        case: str = typer.Option(..., "--case", help="case id"),
        id: Optional[str] = typer.Option(None, "--id", help="item id (default: new-TYPE)"),
        root: Path = RootOpt):
    """Write a new item file with every field of TYPE, ready to fill in."""
    from casefile.case.models import ITEM_TYPES
    from casefile.commands.new import new_item

    if type not in ITEM_TYPES:  # a word of the command line, like --edition's: no path:line
        print(f"TYPE: unknown type '{type}' (one of: {', '.join(ITEM_TYPES)})", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    path = new_item(root, case, type, id)
    print(path)


@command()
def init(case: str = typer.Argument(..., help="id of the new case (its folder name), e.g. 1988-massacre"),
         root: Path = RootOpt):
    """Start a case: a commented case.yaml to fill in, its folders, and an example item."""
    from casefile.commands.init import init_case

    made = init_case(root, case)
    for path in made:
        print(f"created  {path}{'/' if path.is_dir() else ''}")
    at = "" if root == Path(".") else f" --root {root}"
    print(f"next: write the values `casefile check {case}{at}` lists, add items with "
          f"`casefile new TYPE --case {case}{at}`, then `casefile build {case}{at}`")



@command()
def build(case: Optional[str] = typer.Argument(None, help="case id (default: every case under cases/)"),
          accused: Optional[list[str]] = typer.Option(None, "--accused", help="only this accused (repeatable)"),
          out: Optional[Path] = typer.Option(None, "--out", help="output folder (default: ROOT/out)"),
          edition: str = typer.Option("all", "--edition", help="public | confidential | all"),
          frozen: bool = typer.Option(False, "--frozen", help="fail instead of changing exhibits.lock"),
          accept_changes: Optional[list[str]] = typer.Option(None, "--accept-changes",
                                                              help="record a changed exhibit file (repeatable)"),
          attach_media: bool = typer.Option(False, "--attach-media",
                                            help="embed audio/video exhibit files as PDF attachments"),
          jobs: int = typer.Option(0, "--jobs", "-j", help="parallel workers (default: all cores)"),
          force: bool = typer.Option(False, "--force", help="re-render even dossiers that are up to date"),
          profile: str = typer.Option("archive", "--profile", help="archive: PDF/A-3b, manifest inside | "
                                      "filing: PDF/A-2b, no embedded file, manifest beside it (default out: "
                                      "ROOT/out/filing)"),
          max_size: Optional[str] = typer.Option(None, "--max-size", help="largest file, e.g. 25MB (1 MB = "
                                                 "1,000,000 bytes; KB, MB, GB, MiB, GiB): a dossier over it is "
                                                 "written as <accused>.vol1.pdf, .vol2.pdf, … at exhibit boundaries; "
                                                 "overrides case.yaml's max_size (none: no volumes)"),
          root: Path = RootOpt):
    """Build one PDF dossier per accused into OUT/<case>/<edition>/<accused>.pdf."""
    import time

    from casefile.output.freshness import Options, up_to_date

    if edition not in ("public", "confidential", "all"):
        print(f"--edition: unknown edition '{edition}' (public, confidential, all)", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    if profile not in ("archive", "filing"):
        print(f"--profile: unknown profile '{profile}' (archive, filing)", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    limit = None
    if max_size is not None:
        from casefile.case.sizes import SIZE_FORM, parse_size

        limit = 0 if max_size.strip().lower() == "none" else parse_size(max_size)  # 0: whole, whatever case.yaml says
        if limit is None:
            print(f"--max-size: '{max_size}' is not a size: {SIZE_FORM}, or none", file=sys.stderr)
            raise typer.Exit(EXIT_USAGE)
    if profile == "filing" and out is None:
        out = Path(root) / "out" / "filing"  # beside the archive copies, never over them
    opts = Options(root=root, cases=[case] if case else None, accused=accused or None, out=out, profile=profile,
                   editions=("confidential", "public") if edition == "all" else (edition,),
                   frozen=frozen, accept_changes=accept_changes or [], attach_media=attach_media,
                   jobs=max(jobs, 0), force=force, max_size=limit)
    started = time.monotonic()
    from casefile.intake.converters import tools_signature

    fresh = up_to_date(opts, tools_signature())  # cheap: nothing heavy is imported when nothing changed
    if fresh is not None and not _leftovers(opts, fresh):
        print(f"0 dossiers built, {len(fresh)} up to date, {sum(p for _, p, _ in fresh)} pages, "
              f"{time.monotonic() - started:.1f} s")
        return
    from casefile.commands.build import build as run_build

    with _showing_progress("typesetting dossiers") as (report, ocr_progress, progress):
        written = run_build(opts, report=report, progress=progress, ocr_progress=ocr_progress)
    built = [w for w in written if not w.skipped]
    skipped = len(written) - len(built)
    pages = sum(w.pages for w in written)
    print(f"{len(built)} dossier{'s' if len(built) != 1 else ''} built, {skipped} up to date, "
          f"{pages} pages, {time.monotonic() - started:.1f} s")


@contextlib.contextmanager
def _showing_progress(counting: str | None = None):
    """(report, ocr_progress, progress) for a command that may convert and OCR (build, check).
    On a terminal: progress bars (OCR pages read; and `counting`, when given, advanced by
    `progress(n)`), lines printed above them. Otherwise: each line as it comes, and the OCR's
    progress as a line at each tenth (and the last)."""
    if sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(counting, total=None) if counting else None
            ocr_task = bar.add_task("OCR", total=None, visible=False)

            def ocr_progress(done: int, total: int):
                bar.update(ocr_task, completed=done, total=total, visible=True,
                           description=f"OCR: {done}/{total} pages read", refresh=True)

            yield bar.console.print, ocr_progress, (lambda n: bar.update(task, completed=n)) if task is not None \
                else None
    else:
        def ocr_lines(done: int, total: int):
            if done and (done == total or done * 10 // total != (done - 1) * 10 // total):
                print(f"OCR: {done}/{total} pages read", flush=True)

        yield (lambda line: print(line, flush=True)), ocr_lines, None


def _leftovers(opts, fresh) -> bool:
    """Temporary files of an interrupted build (kill -9): only a build holding the build lock
    may remove them (they could be another build's, in progress), so take the full path."""
    cases = Path(opts.root) / "cases"
    ids = opts.cases or sorted(d.name for d in cases.iterdir() if d.is_dir())
    folders = {p.parent for p, _, _ in fresh} | {p.parent.parent for p, _, _ in fresh} | {cases / c for c in ids}
    return any(next(f.glob(".*.tmp"), None) for f in folders if f.is_dir())


@command()
def verify(dossier: Path = typer.Argument(..., help="a dossier PDF written by casefile build"),
           root: Optional[Path] = typer.Option(None, "--root", help="workspace whose exhibits/ to check "
                                               "(default: the current folder, if it has cases/)"),
           edition: Optional[str] = typer.Option(None, "--edition", help="public: also run the leak check "
                                                 "for protected names and redacted terms"),
           case: Optional[str] = typer.Option(None, "--case", help="with --edition public, for a PDF without a "
                                              "manifest: the case whose terms to look for"),
           accused: Optional[str] = typer.Option(None, "--accused", help="with --edition public: only the "
                                                 "terms of this accused's items")):
    """Check a dossier against its embedded manifest, and the exhibit files against their sha256.
    With --edition public, search the PDF for every protected name and redacted term."""
    from casefile.commands.verify import check_public, default_root
    from casefile.commands.verify import verify as run_verify

    if edition not in (None, "public", "confidential"):
        print(f"--edition: unknown edition '{edition}' (public, confidential)", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    root = root if root is not None else default_root()
    bad = 0
    if edition == "public":
        bad += check_public(dossier, root, case, accused)
        from pypdf import PdfReader

        try:
            has_manifest = "casefile-manifest.json" in (PdfReader(str(dossier)).attachments or {}) or \
                Path(dossier).with_suffix(".manifest.json").is_file()
        except Exception:
            has_manifest = False
        if not has_manifest:
            print(f"note     {dossier}: no casefile manifest: only the leak check was run")
            if bad:
                raise typer.Exit(EXIT_PROBLEMS)
            return
    bad += run_verify(dossier, root)
    if bad:
        raise typer.Exit(EXIT_PROBLEMS)


@command()
def sign(dossier: Path = typer.Argument(..., help="a dossier PDF written by casefile build"),
         key: Path = typer.Option(..., "--key", help="PKCS#12 file (.p12/.pfx) with the signer's certificate and key"),
         out: Optional[Path] = typer.Option(None, "--out", help="write the signed copy here (default: sign in place)"),
         passphrase_file: Optional[Path] = typer.Option(None, "--passphrase-file", help="file holding the key's "
                                                        "passphrase (default: $CASEFILE_KEY_PASSPHRASE, else none)"),
         reason: Optional[str] = typer.Option(None, "--reason", help="reason shown with the signature")):
    """Sign a dossier (PAdES-B-B, offline) as an incremental revision that any PDF reader can check."""
    from casefile.commands.sign import sign as run_sign

    run_sign(dossier, key, out, passphrase_file, reason)


@command()
def export(case: Optional[str] = typer.Argument(None, help="case id (default: every case)"),
           format: str = typer.Option("csv", "--format", help="csv | json"),
           accused: Optional[list[str]] = typer.Option(None, "--accused", help="only this accused (repeatable)"),
           edition: str = typer.Option("confidential", "--edition", help="public | confidential"),
           out: Optional[Path] = typer.Option(None, "--out", help="folder (default: DOSSIERS/<case>/export/<edition>)"),
           dossiers: Optional[Path] = typer.Option(None, "--dossiers", help="the output folder the dossiers were "
                                                   "built into (build's --out; default: ROOT/out)"),
           root: Path = RootOpt):
    """Write the exhibit list and the chronology as CSV (UTF-8 with BOM) or JSON, from the dossiers
    `build` wrote (their page ranges): run `build` first."""
    from casefile.commands.build import Options
    from casefile.commands.export import export as run_export

    if format not in ("csv", "json") or edition not in ("public", "confidential"):
        print("--format is csv or json; --edition is public or confidential", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    opts = Options(root=root, cases=[case] if case else None, accused=accused or None, out=dossiers)
    run_export(opts, format, edition, out)
