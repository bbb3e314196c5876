"""Fixtures of the reliability suite: a workspace built once per session and copied per test,
snapshots of the output, and the checks every failing build must pass."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CASE_YAML, REPO, pdf_files, run

from .cases import BASE_FILES, Link

CASEFILE = Path(sys.executable).with_name("casefile")  # the venv's console script
PROBLEM_LINE = re.compile(r"(?P<path>[^\n]+?):(?P<line>\d+): (?P<field>[^\n]*?): (?P<message>[^\n]+)")
COUNT_LINE = re.compile(r"(?P<n>\d+) problems? found")


class Workspace:
    def __init__(self, path: Path):
        self.path = path

    def write(self, rel: str, content):
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.is_symlink() or p.exists():
            p.unlink()
        if content is None:
            return p
        if isinstance(content, Link):
            p.symlink_to(content.target.replace("{root}", str(self.path)))
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content.replace("{root}", str(self.path)), encoding="utf-8")
        return p

    def apply(self, files: dict):
        for rel, content in files.items():
            self.write(rel, content)

    @property
    def out(self) -> Path:
        return self.path / "out"


def make_workspace(root: Path, files: dict | None = None) -> Workspace:
    ws = Workspace(root)
    ws.write("cases/demo/case.yaml", CASE_YAML)
    (root / "exhibits/demo").mkdir(parents=True, exist_ok=True)
    ws.apply(BASE_FILES if files is None else files)
    return ws


@pytest.fixture(scope="session")
def baseline(tmp_path_factory) -> Path:
    """The demo workspace, built once (both editions)."""
    ws = make_workspace(tmp_path_factory.mktemp("baseline") / "ws")
    code, out, err = run("build", root=ws.path)
    assert code == 0, err
    assert (ws.out / "demo/confidential/alpha.pdf").is_file() and (ws.out / "demo/public/alpha.pdf").is_file()
    return ws.path


@pytest.fixture
def built(baseline, tmp_path) -> Workspace:
    """A private copy of the built baseline workspace (output included, timestamps kept)."""
    dst = tmp_path / "ws"
    shutil.copytree(baseline, dst, symlinks=True)
    return Workspace(dst)


pdfs = pdf_files  # relative path -> bytes of every PDF under an output folder


def leftovers(*folders: Path) -> list[str]:
    """Temporary files anywhere under the folders (hidden ones included)."""
    return [str(p) for f in folders for p in f.rglob("*") if p.name.endswith(".tmp")]


def _flocks(path: Path) -> list[tuple[bool, int]]:
    """(waiting, pid) of every flock on the file at `path`, as the kernel lists them in
    /proc/locks: a request it holds back is marked `->`."""
    inode = path.stat().st_ino
    out = []
    for line in Path("/proc/locks").read_text().split("\n"):
        f = line.split()[1:]
        waiting = bool(f) and f[0] == "->"
        f = f[1:] if waiting else f
        if len(f) >= 5 and f[0] == "FLOCK" and int(f[4].rsplit(":", 1)[-1]) == inode:
            out.append((waiting, int(f[3])))
    return out


def flock_waiting(pid: int, path: Path) -> bool:
    """Process `pid` is blocked in flock() on the file at `path`."""
    return (True, pid) in _flocks(path)


def flock_held(pid: int, path: Path) -> bool:
    """Process `pid` holds a flock on the file at `path`."""
    return (False, pid) in _flocks(path)


def assert_valid_pdfs(files: dict[str, bytes], out: Path):
    for rel in files:
        assert len(PdfReader(str(out / rel)).pages) > 0, rel


def assert_report(err: str, expected: tuple[str, ...] = ()) -> list[str]:
    """stderr is exactly `path:line: field: message` lines, then `N problem(s) found`; each
    expected line is there (a line ending in '…' is a prefix). Returns the problem lines."""
    lines = err.splitlines()
    assert lines, "no error report"
    m = COUNT_LINE.fullmatch(lines[-1])
    assert m, f"last line is not the count: {lines[-1]!r}"
    problems = lines[:-1]
    assert int(m["n"]) == len(problems) > 0, err
    assert lines[-1] == f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found"
    for line in problems:
        assert PROBLEM_LINE.fullmatch(line), f"not path:line: field: message: {line!r}"
    for want in expected:
        if want.endswith("…"):
            assert any(l.startswith(want[:-1]) for l in problems), f"{want!r} not in {problems}"
        else:
            assert want in problems, f"{want!r} not in {problems}"
    if expected:
        assert len(problems) == len(expected), f"unexpected extra problems: {problems}"
    return problems


__all__ = ["CASEFILE", "REPO", "Workspace", "assert_report", "assert_valid_pdfs", "flock_held", "flock_waiting",
           "leftovers", "make_workspace", "pdfs"]
