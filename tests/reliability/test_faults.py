"""Faults during a build: kill -9 at random moments, a full disk, a read-only output folder.
Whatever happens, the previous dossiers stay byte-identical and valid, nothing half-written is
left (no `.tmp` file), and the error is one clear line with exit code 3."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import casefile.output.atomic
from conftest import run

from .cases import ITEM, ROW
from .conftest import CASEFILE, REPO, assert_report, assert_valid_pdfs, flock_held, leftovers, pdfs

SAMPLE = "1988-massacre"


# ------------------------------------------------------------------ kill -9


def _group_alive(pgid: int) -> list[int]:
    """Processes of a process group that are still running (zombies excluded)."""
    alive = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(d.name))
    return alive


def test_kill_9_mid_build(tmp_path):
    """The sample case (3 dossiers on 2 workers, then its submission) is rebuilt with --force
    and killed with SIGKILL at three moments seen from outside: while the build holds the build
    lock (the kernel lists it), while its workers typeset, and while a finished dossier waits in
    its temporary file.
    Each kill lands mid-build (the build dies of the signal, it did not finish). Inputs are
    unchanged, so every dossier must stay byte-identical (builds are deterministic), and no
    worker may survive its build: an orphaned worker used to hold the build lock forever, and
    the next build hung. The next build removes the temporary file left behind."""
    row = ROW["kill-9"]
    ws = tmp_path / "ws"
    for sub in ("cases", "exhibits"):
        shutil.copytree(REPO / sub / SAMPLE, ws / sub / SAMPLE)
    args = [str(CASEFILE), "build", SAMPLE, "--root", str(ws), "--edition", "confidential", "--jobs", "2"]
    subprocess.run(args, check=True, capture_output=True, timeout=300)
    out = ws / "out"
    before = pdfs(out)
    lock = (ws / "cases" / SAMPLE / "exhibits.lock").read_bytes()
    assert len(before) == 5  # 3 dossiers; the sample submission, with its annexes and alone
    moments = {
        "holding the build lock": lambda pid: flock_held(pid, out / ".casefile.lock"),
        "typesetting in its workers": lambda pid: len(_group_alive(pid)) > 1,
        "a dossier made, in its temporary file": lambda pid: bool(leftovers(out)),
    }
    for moment, seen in moments.items():
        proc = subprocess.Popen(args + ["--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            while not seen(proc.pid):
                assert proc.poll() is None, f"the build ended before it was seen {moment}"
                time.sleep(0.005)
            proc.send_signal(signal.SIGKILL)  # the build only, as `kill -9 PID` would
            assert proc.wait(timeout=60) == -signal.SIGKILL, f"killed {moment}: the build had already ended"
            for _ in range(500):  # the workers die with it (at once, or within 0.2 s by their watchdog)
                if not _group_alive(proc.pid):
                    break
                time.sleep(0.01)
            assert _group_alive(proc.pid) == [], f"workers outlived the build killed {moment}"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # our own process group, should anything be left
            except ProcessLookupError:
                pass
        assert pdfs(out) == before, f"a dossier changed after kill -9 {moment}"
        assert_valid_pdfs(before, out)
        assert (ws / "cases" / SAMPLE / "exhibits.lock").read_bytes() == lock
    assert leftovers(out), "the last kill, before any dossier was renamed into place, left its temporary file"
    final = subprocess.run(args, capture_output=True, text=True, timeout=300)  # no --force: the next build
    assert final.returncode in row.codes and final.returncode == 0, final.stderr
    assert pdfs(out) == before
    assert leftovers(out, ws / "cases") == []


def test_leftovers_are_removed_even_when_everything_is_up_to_date(built):
    """`.tmp` files of a killed build are removed by the next build, also when it has nothing to
    do (it then takes the build lock instead of the quick up-to-date answer)."""
    code, out, err = run("build", root=built.path)  # the copy's paths differ: made up to date here
    assert code == 0, err
    code, out, err = run("build", root=built.path)
    assert code == 0 and out.startswith("0 dossiers built"), out + err
    before = pdfs(built.out)
    # (one in cases/demo/ would change the inputs' signature, so is cleaned by the full path anyway)
    planted = [built.out / "demo/confidential/.alpha.pdf.k1ll3d.tmp", built.out / "demo/.casefile-state.json.x.tmp"]
    for p in planted:
        p.write_bytes(b"%PDF-1.4 half-writ")
    code, out, err = run("build", root=built.path)
    assert code == ROW["kill-9"].codes[0], err
    assert leftovers(built.out, built.path / "cases") == []
    assert pdfs(built.out) == before


# ------------------------------------------------------------------ disk full


class _FullDisk:
    """A file object whose write stores half of the data, then fails as a full disk does."""

    def __init__(self, f):
        self.f = f

    def write(self, data):
        self.f.write(data[: len(data) // 2])
        self.f.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()


def _fill_disk_when(monkeypatch, predicate):
    real = os.fdopen

    def fdopen(fd, *a, **kw):
        f = real(fd, *a, **kw)
        return _FullDisk(f) if predicate(os.readlink(f"/proc/self/fd/{fd}")) else f

    monkeypatch.setattr(casefile.output.atomic.os, "fdopen", fdopen)


def test_disk_full_while_writing_a_dossier(built, monkeypatch):
    row = ROW["disk-full"]
    before = pdfs(built.out)
    built.write(ITEM, (built.path / ITEM).read_text().replace("Title of a1", "A new title"))
    _fill_disk_when(monkeypatch, lambda path: path.endswith(".tmp"))
    code, out, err = run("build", "--jobs", "1", root=built.path)
    assert code in row.codes and code == 3, err
    assert_report(err, (f"{built.out}/demo/confidential/alpha.pdf:0: io: No space left on device",))
    assert pdfs(built.out) == before
    assert leftovers(built.out, built.path / "cases") == []
    monkeypatch.undo()
    code, out, err = run("build", root=built.path)
    assert code == 0, err
    assert pdfs(built.out) != before


def test_disk_full_while_writing_the_exhibit_lock(built, monkeypatch):
    """Every dossier is made, then writing exhibits.lock fails: no dossier may be renamed into
    place (they would cite exhibit numbers the lock does not record) and no temporary is left."""
    row = ROW["disk-full-lock"]
    before = pdfs(built.out)
    lock = built.path / "cases/demo/exhibits.lock"
    lock_before = lock.read_bytes()
    built.write("cases/demo/evidence/a2.md", (built.path / ITEM).read_text().replace("id: a1", "id: a2"))
    _fill_disk_when(monkeypatch, lambda path: os.path.basename(path).startswith(".exhibits.lock."))
    code, out, err = run("build", "--jobs", "1", root=built.path)
    assert code in row.codes and code == 3, err
    assert_report(err, (f"{lock}:0: io: No space left on device",))
    assert pdfs(built.out) == before
    assert lock.read_bytes() == lock_before
    assert leftovers(built.out, built.path / "cases") == []


TMPFS_SCRIPT = textwrap.dedent('''
    import hashlib, json, os, subprocess, sys
    casefile, root, out = sys.argv[1:4]
    def build():
        p = subprocess.run([casefile, "build", "--root", root, "--out", out], capture_output=True, text=True)
        return p.returncode, p.stderr
    def state():
        files = {}
        for d, _, names in os.walk(out):
            for n in names:
                p = os.path.join(d, n)
                if n != "filler":
                    files[os.path.relpath(p, out)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
        return files
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", out], check=True)
    r = {"first": build(), "before": state()}
    f = open(os.path.join(out, "filler"), "wb", buffering=0)  # fill the disk to the last byte
    try:
        while True:
            f.write(b"\\0" * 4096)
    except OSError:
        pass
    f.close()
    item = os.path.join(root, "cases/demo/evidence/a1.md")
    text = open(item, encoding="utf-8").read()
    open(item, "w", encoding="utf-8").write(text.replace("Title of a1", "A new title"))
    r["full"] = build()
    r["after"] = state()
    os.unlink(os.path.join(out, "filler"))
    r["freed"] = build()
    r["end"] = state()
    print(json.dumps(r))
''')


def test_disk_full_on_a_real_tmpfs(built, tmp_path):
    """A real full disk: a 512 KiB tmpfs mounted over the output folder in a private mount
    namespace (`unshare -m`; needs root, as in this sandbox), filled to the last byte."""
    row = ROW["disk-full-tmpfs"]
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("mounting a tmpfs needs root and unshare")
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {tmp_path}"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {probe.stderr.strip()}")
    out = tmp_path / "full"
    out.mkdir()
    script = tmp_path / "tmpfs.py"
    script.write_text(TMPFS_SCRIPT)
    p = subprocess.run(["unshare", "-m", sys.executable, str(script), str(CASEFILE), str(built.path), str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert r["first"][0] == 0, r["first"][1]
    code, err = r["full"]
    assert code in row.codes and code == 3, err
    assert_report(err, (f"{out}/demo/confidential/alpha.pdf:0: io: No space left on device",))
    assert r["after"] == r["before"]  # byte-identical, and no .tmp file (nor anything else) added
    assert r["freed"][0] == 0, r["freed"][1]
    assert r["end"]["demo/confidential/alpha.pdf"] != r["before"]["demo/confidential/alpha.pdf"]
    assert not [f for f in r["end"] if f.endswith(".tmp")]


# ------------------------------------------------------------------ read-only output


def _unprivileged() -> list[str]:
    """What runs the build so that file permissions apply to it as to anyone: as root, every
    capability dropped (setpriv), the user staying root, so the checkout and its private venv
    stay readable even under a folder only root may enter (a build run as `nobody` could not
    read them there); as another user, nothing to drop."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is needed to drop root's capabilities")
    return ["setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"]


def _read_only(path: Path, mode_file=0o444, mode_dir=0o555):
    for d, dirs, files in os.walk(path):
        for n in files:
            os.chmod(os.path.join(d, n), mode_file)
        os.chmod(d, mode_dir)


@pytest.mark.parametrize("key", ["read-only-out", "read-only-edition"])
def test_read_only_output(built, key):
    row = ROW[key]
    ws = built.path
    out = ws / "out"
    before = pdfs(out)
    item = ws / ITEM
    item.write_text(item.read_text().replace("Title of a1", "A new title"))  # so that a rebuild is due
    folder = out if key == "read-only-out" else out / "demo/confidential"
    expected = {"read-only-out": f"{out}/.casefile.lock:0: io: Permission denied",
                "read-only-edition": f"{out}/demo/confidential/alpha.pdf:0: io: Permission denied"}[key]
    _read_only(folder)
    try:
        p = subprocess.run(_unprivileged() + [str(CASEFILE), "build", "--root", str(ws)], capture_output=True,
                           text=True, timeout=120, cwd=ws)
    finally:
        _read_only(folder, 0o644, 0o755)  # so that the folder can be removed
    assert p.returncode in row.codes and p.returncode == 3, p.stderr
    assert_report(p.stderr, (expected,))
    assert pdfs(out) == before
    assert leftovers(out) == []
