"""One build at a time per output folder: a second build waits for the first (flock)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


@contextlib.contextmanager
def build_lock(out_root: Path):
    out_root.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_root / ".casefile.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released by the kernel even after kill -9
        yield
    finally:
        os.close(fd)
