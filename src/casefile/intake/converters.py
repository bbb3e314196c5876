"""The outside programs that convert and read exhibit files (LibreOffice, Tesseract, poppler),
found on PATH and run as contained subprocesses.

Every run has a time limit (the whole process group is killed when it is reached), a memory
limit (RLIMIT_AS, set in the child before it starts), no core dumps, an empty standard input,
and no network: where the kernel allows it the program runs in a network namespace of its own
(`unshare --net`), which has no interface but a loopback that is down. A program that is not
installed is one problem line naming the file that needed it and the Debian package to install.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from casefile.errors import fail


@dataclass(frozen=True)
class Tool:
    command: str  # the program looked for on PATH
    name: str  # what it is called in messages
    package: str  # the Debian package that installs it


LIBREOFFICE = Tool("soffice", "LibreOffice", "libreoffice-writer-nogui")
TESSERACT = Tool("tesseract", "Tesseract OCR", "tesseract-ocr")
PDFTOPPM = Tool("pdftoppm", "pdftoppm (poppler)", "poppler-utils")

GIB = 1 << 30


def find(tool: Tool, shown: str, why: str) -> str:
    """The program's path, or one problem line: what is missing for which file, and the package."""
    path = shutil.which(tool.command)
    if path is None:
        raise fail(shown, "converter", f"{why} needs {tool.name} ('{tool.command}' is not installed): install "
                                       f"the Debian package {tool.package} (make tools)")
    return path


def available(tool: Tool) -> bool:
    return shutil.which(tool.command) is not None


def _isolation() -> tuple[str, ...]:
    """The prefix that runs a program without network, when this machine allows it."""
    return _isolation_by(shutil.which("unshare"))


@functools.lru_cache(maxsize=None)
def _isolation_by(unshare: str | None) -> tuple[str, ...]:  # asked again when PATH gives another unshare
    if unshare is None:
        return ()
    for prefix in ((unshare, "--net"), (unshare, "--net", "--map-root-user")):
        try:
            r = subprocess.run([*prefix, "true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        if r.returncode == 0:
            return tuple(prefix)
    return ()


def isolated() -> bool:
    """Whether converters run without network (a namespace of their own)."""
    return bool(_isolation())


@dataclass
class Run:
    """One program run: its command line, limits, and (once finished) what came of it."""
    argv: list[str]
    shown: str  # the exhibit file it works on (for messages)
    what: str  # e.g. "LibreOffice conversion"
    timeout: float
    memory: int  # bytes of address space
    cwd: str | None = None
    env: dict = field(default_factory=dict)
    returncode: int | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    timed_out: bool = False

    def check(self) -> "Run":
        """Raise one problem line unless the run finished with exit status 0."""
        if self.timed_out:
            raise fail(self.shown, "converter", f"{self.what} did not finish within {self.timeout:g} s; "
                                                f"stopped (nothing converted)")
        if self.returncode != 0:
            detail = " ".join(self.stderr.decode("utf-8", "replace").split())[-200:] or "no message"
            if self.returncode is not None and self.returncode < 0:
                detail = f"killed by signal {-self.returncode} ({detail})"
            raise fail(self.shown, "converter", f"{self.what} failed (exit {self.returncode}): {detail}")
        return self


def _limits(memory: int):
    def apply():  # in the child, before exec: only async-signal-safe work
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def _environment(extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR", "TESSDATA_PREFIX")}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    env["OMP_THREAD_LIMIT"] = "1"  # tesseract: one thread per run; runs are parallel instead
    env.update(extra)
    return env


def run_all(runs: list[Run], jobs: int = 1, finished=None) -> list[Run]:
    """Run every program, at most `jobs` at a time (0: one per core), each within its limits.
    Started from this thread only (so the limits set between fork and exec are safe). Output
    goes to temporary files, never pipes, so a chatty program cannot block. `finished(n)` is
    called with the number of runs finished so far, each time one finishes."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    pending = list(runs)
    active: list[tuple[Run, subprocess.Popen, float, object, object]] = []
    done = 0
    try:
        while pending or active:
            while pending and len(active) < jobs:
                r = pending.pop(0)
                out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
                try:
                    p = subprocess.Popen([*_isolation(), *r.argv], cwd=r.cwd, env=_environment(r.env),
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         preexec_fn=_limits(r.memory), start_new_session=True)
                except OSError as e:
                    out.close()
                    err.close()
                    raise fail(r.shown, "converter", f"{r.what} cannot be started: {e.strerror or e}")
                active.append((r, p, time.monotonic() + r.timeout, out, err))
            still = []
            for r, p, deadline, out, err in active:
                code = p.poll()
                if code is None and time.monotonic() > deadline:
                    _kill(p)
                    r.timed_out = True
                    code = p.returncode
                if code is None:
                    still.append((r, p, deadline, out, err))
                    continue
                _kill(p)  # whatever the program left running in its group
                r.returncode = code
                out.seek(0)
                err.seek(0)
                r.stdout, r.stderr = out.read(), err.read()
                out.close()
                err.close()
                done += 1
                if finished is not None:
                    finished(done)
            active = still
            if active:
                time.sleep(0.005)
    finally:
        for r, p, *_ in active:
            _kill(p)
    return runs


def run(r: Run) -> Run:
    return run_all([r], 1)[0].check()


def _kill(p: subprocess.Popen):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def identity(tool: Tool) -> str:
    """Where the installed program is and its size and time: changes when it is upgraded."""
    path = shutil.which(tool.command)
    if path is None:
        return "missing"
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError:
        return f"{real}:unreadable"
    if tool is LIBREOFFICE:  # soffice is a script: the office itself is soffice.bin beside it
        try:
            st = os.stat(Path(real).with_name("soffice.bin"))
        except OSError:
            pass
    return f"{real}:{st.st_size}:{st.st_mtime_ns}"


TOOLS = (LIBREOFFICE, TESSERACT, PDFTOPPM)
TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
            "/usr/share/tessdata", "/usr/local/share/tessdata")


def tools_signature() -> str:
    """What intake's outside programs are on this machine, cheaply (no program is started):
    each one's identity (path, size, mtime: "missing" when it is not installed), Tesseract's
    language data files, and the extract-msg package (Outlook .msg). Part of a case's input
    signature: a tool installed, removed or upgraded since the last build makes the next build
    look at the exhibits again (without --force); the dossiers are made again only when what
    intake makes of them changed."""
    import importlib.util

    parts = [f"{t.command}={identity(t)}" for t in TOOLS]
    folders = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    for folder in [*folders, *TESSDATA]:
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".traineddata"))
        except OSError:
            continue
        for n in names:
            try:
                st = os.stat(os.path.join(folder, n))
            except OSError:
                continue
            parts.append(f"{folder}/{n}:{st.st_size}:{st.st_mtime_ns}")
    try:
        spec = importlib.util.find_spec("extract_msg")
    except (ImportError, ValueError):
        spec = None
    origin = getattr(spec, "origin", None)
    if origin:
        try:
            st = os.stat(Path(origin).with_name("__init__.py"))
            parts.append(f"extract_msg={origin}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"extract_msg={origin}")
    else:
        parts.append("extract_msg=missing")
    return "\n".join(parts)


def version(tool: Tool) -> str:
    """The tool's version line (part of every cache key of what it makes)."""
    path = shutil.which(tool.command)
    return "missing" if path is None else _version(tool, os.path.realpath(path), identity(tool))


@functools.lru_cache(maxsize=None)
def _version(tool: Tool, path: str, ident: str) -> str:  # asked again when the program changed (ident)
    argv = [path, "-v"] if tool is PDFTOPPM else [path, "--version"]
    with tempfile.TemporaryDirectory(prefix="casefile-version-") as tmp:
        if tool is LIBREOFFICE:
            argv.insert(1, f"-env:UserInstallation={Path(tmp).as_uri()}")
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=60, cwd=tmp,
                               env=_environment({"HOME": tmp}))
        except (OSError, subprocess.SubprocessError):
            return "unknown"
    text = (r.stdout + r.stderr).decode("utf-8", "replace").strip()
    return " ".join(text.splitlines()[0].split()) if text else "unknown"
