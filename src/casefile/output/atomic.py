"""Outputs are written to a temporary file beside their target and renamed into place: a failed
or interrupted build never leaves a half-written file and never damages the previous one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from casefile.case.lockfile import LOCK_NAME
from casefile.errors import EXIT_IO, CaseError, Problem


def atomic_write(path: Path, data: bytes):
    """Write to a temporary file in the same folder, then rename it into place."""
    tmp = write_temporary(path, data)
    try:
        os.replace(tmp, path)
    except OSError as e:
        unlink(tmp)
        raise io_error(path, e) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()  # what an ordinary open() would give; mkstemp's 0600 is not wanted


def write_temporary(target: Path, data: bytes) -> str:
    """Write `data` to a new temporary file beside `target`; return its name. An I/O error (disk
    full, read-only folder) removes what was written and becomes one problem naming `target`,
    never the random temporary name (exit code 3; it survives the trip back from a worker)."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise io_error(target, e) from None
    try:
        os.fchmod(fd, _MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException as e:
        unlink(tmp)
        if isinstance(e, OSError):
            raise io_error(target, e) from None
        raise
    return tmp


def io_error(path: Path, e: OSError) -> CaseError:
    return CaseError([Problem(str(path), 0, "io", e.strerror or str(e))], exit_code=EXIT_IO)


def unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def clean_leftovers(out_case: Path, case_dir: Path | None = None):
    """Temporary files left by an interrupted build (kill -9) are removed by the next one: the
    dossiers' under OUT/<case>/, and an unfinished exhibits.lock in the case folder."""
    if out_case.is_dir():
        for tmp in out_case.rglob(".*.tmp"):
            unlink(tmp)
    if case_dir is not None and case_dir.is_dir():
        for tmp in case_dir.glob(f".{LOCK_NAME}.*.tmp"):
            unlink(tmp)
