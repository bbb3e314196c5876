"""Is a build needed at all? Answered cheaply, before anything heavy is imported: the names,
sizes, mtimes, ctimes and inodes of every input are compared with what the last build recorded in
OUT/<case>/.casefile-state.json, and the recorded outputs must still be there, untouched."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from casefile import __version__
from casefile.case.lockfile import LOCK_NAME
from casefile.dossier.editions import EDITIONS


@dataclass
class Options:
    root: Path = Path(".")
    cases: list[str] | None = None
    accused: list[str] | None = None
    out: Path | None = None
    editions: tuple[str, ...] = EDITIONS
    frozen: bool = False
    accept_changes: list[str] = field(default_factory=list)
    jobs: int = 0  # 0: one worker per core
    force: bool = False  # re-render even when nothing changed
    attach_media: bool = False
    profile: str = "archive"  # archive: PDF/A-3b, manifest inside; filing: PDF/A-2b, manifest beside it
    max_size: int | None = None  # --max-size, bytes: a dossier over it is written as volumes (pdf/volumes.py);
    # None: case.yaml's max_size decides (commands/build.volume_limit), 0: no volumes whatever it says


STATE_NAME = ".casefile-state.json"


def lock_stat(opts: "Options", case_id: str) -> list | None:
    """exhibits.lock is an input the build itself writes: it is compared by the size and mtime
    the build recorded after writing it, not by the signature taken before."""
    try:
        st = (Path(opts.root) / "cases" / case_id / LOCK_NAME).stat()
        return [st.st_size, st.st_mtime_ns]
    except OSError:
        return None


def out_root(opts: Options) -> Path:
    return Path(opts.out) if opts.out else Path(opts.root) / "out"


def state_path(opts: Options, case_id: str) -> Path:
    return out_root(opts) / case_id / STATE_NAME


def read_state(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and data.get("version") == __version__ else {}
    except (OSError, ValueError):
        return {}


def input_signature(opts: Options, case_id: str, tools: str = "") -> str:
    """Cheap: names, sizes and mtimes of every input of a case, the options, and `tools` (what
    the exhibit converters and OCR on this machine are: intake.converters.tools_signature), so
    that a converter installed or upgraded since the last build is used without --force."""
    root = Path(opts.root)
    h = hashlib.sha256(f"{__version__}\0{sorted(opts.editions)}\0{sorted(opts.accused or [])}\0"
                       f"{opts.attach_media}\0{opts.max_size}\0{tools}\0".encode())
    folders = [root / "cases" / case_id, root / "exhibits" / case_id, root / "templates",
               Path(__file__).parent.parent]  # casefile itself: code, templates, fonts
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                p = Path(dirpath) / name
                if name.endswith(".pyc") or name == LOCK_NAME:  # the lock: see lock_stat
                    continue
                try:
                    st = p.stat()
                except OSError:
                    continue
                # ctime and inode too: a copy that keeps size and mtime (cp -p, rsync -a, tar) is a change
                h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\0".encode())
    return h.hexdigest()


def written_files(out_case: Path, rel_path: str, rec: dict) -> list[tuple[Path, dict]]:
    """The files of a recorded dossier, each with its record (size, mtime_ns): the dossier, or
    each of its volumes (written beside where the dossier would be)."""
    path = out_case / rel_path
    if rec.get("volumes"):
        return [(path.parent / v["file"], v) for v in rec["volumes"]]
    return [(path, rec)]


def outputs_intact(state: dict, out_case: Path) -> bool:
    """Every dossier (every volume of one) and submission the state records is there, as written."""
    for rel_path, rec in [*state.get("dossiers", {}).items(), *state.get("submissions", {}).items()]:
        for path, r in written_files(out_case, rel_path, rec):
            try:
                st = path.stat()
            except OSError:
                return False
            if st.st_size != r["size"] or st.st_mtime_ns != r["mtime_ns"]:
                return False
    return bool(state.get("dossiers"))




def recorded_if_fresh(opts: Options, case_id: str, state: dict, signature: str) -> list[tuple[Path, int, int]] | None:
    """(path, pages, exhibits) of the dossiers asked for, as the last build recorded them in
    `state`, when nothing the case is made from changed since (`signature`: input_signature,
    taken now) and those dossiers are still there, untouched; None when the case must be built."""
    if opts.force or not state or state.get("signature") != signature or state.get("lock") != lock_stat(opts, case_id) \
            or not outputs_intact(state, out_root(opts) / case_id):
        return None
    return [(out_root(opts) / case_id / k, v["pages"], v["exhibits"]) for k, v in sorted(state["dossiers"].items())
            if k.split("/")[0] in opts.editions and (not opts.accused or Path(k).stem in opts.accused)]


def up_to_date(opts: Options, tools: str = "") -> list[tuple[Path, int, int]] | None:
    """(path, pages, exhibits) of every recorded dossier when every case asked for is up to
    date (`tools`: as for input_signature); None when something must be built (or checked)."""
    base = Path(opts.root) / "cases"
    if opts.force or not base.is_dir():
        return None
    ids = opts.cases or sorted(p.name for p in base.iterdir() if (p / "case.yaml").is_file())
    out = []
    for cid in ids:
        fresh = recorded_if_fresh(opts, cid, read_state(state_path(opts, cid)), input_signature(opts, cid, tools))
        if fresh is None:
            return None
        out += fresh
    return out if ids else None


def code_signature() -> str:
    """casefile's own files (code, templates, fonts): a change re-renders every dossier."""
    h = hashlib.sha256(__version__.encode())
    for dirpath, dirnames, filenames in os.walk(Path(__file__).parent.parent):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".pyc"):
                st = (Path(dirpath) / name).stat()
                h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()
