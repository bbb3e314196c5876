"""One build at a time per output folder: a second build waits for the first (flock), and says so.

The build holding the lock writes its process id into the lock file, so the one waiting can
name it: "waiting for another build of this output folder (pid 1234)"; it empties the file
again when it is done (so a build leaves the folder as it was, but for its outputs).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

LOCK_FILE = ".casefile.lock"


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


@contextlib.contextmanager
def build_lock(out_root: Path, waiting=None):
    """Hold the output folder's build lock. `waiting(message)` is called once if another build
    holds it, before this one waits."""
    out_root.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                pid = _holder(fd)
                waiting(f"waiting for another build of this output folder{f' (pid {pid})' if pid else ''}: "
                        f"{out_root}")
            fcntl.flock(fd, fcntl.LOCK_EX)  # released by the kernel even after kill -9
        with contextlib.suppress(OSError):  # a full disk: no pid to show, nothing else changes
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):  # emptied again: the folder is as before the build
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)
