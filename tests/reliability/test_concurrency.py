"""Builds at the same time: into one output folder they serialise on OUT/.casefile.lock; into
different folders they race only on the case's exhibits.lock, which is replaced atomically.
Every result is valid and equal to a single build's."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time

from conftest import item, run

from casefile.case.lockfile import read_lock

from .cases import ROW
from .conftest import CASEFILE, assert_valid_pdfs, flock_waiting, leftovers, make_workspace, pdfs


def _files() -> dict:
    files = {"exhibits/demo/ok.txt": "An exhibit file.\n"}
    for n in range(6):
        accused = ("alpha",) if n % 2 else ("alpha", "beta")
        files[f"cases/demo/evidence/i{n}.md"] = item(
            f"i{n}", accused=accused, date=f"1988-0{n + 1}",
            extra="charges: [murder/killing]\nexhibits:\n  - file: ok.txt\n", body=f"Item {n}.\n\n" + "Text. " * 40)
    return files


def test_a_second_build_waits_for_the_lock(built):
    """While another build holds OUT/.casefile.lock (taken here), a build waits: the kernel shows
    its lock request held back (not a guess from timing: a build that did not wait would finish,
    however slow), it has written nothing, and it says for which process (the holder writes its
    pid into the lock file). Released, the build runs."""
    lock_path = built.out / ".casefile.lock"
    before = pdfs(built.out)
    built.write("cases/demo/evidence/a1.md", (built.path / "cases/demo/evidence/a1.md").read_text()
                .replace("Title of a1", "A new title"))
    fd = os.open(lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.write(fd, b"4242\n")  # as a build holding the lock does
        proc = subprocess.Popen([str(CASEFILE), "build", "--root", str(built.path)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        while not flock_waiting(proc.pid, lock_path):
            if proc.poll() is not None:
                out, err = proc.communicate()
                raise AssertionError(f"the build ran to its end (exit {proc.returncode}) without waiting for the "
                                     f"lock\n{out}{err}")
            time.sleep(0.01)
        assert pdfs(built.out) == before and leftovers(built.out) == []
        assert flock_waiting(proc.pid, lock_path)  # still held back after the look
    finally:
        os.close(fd)  # releases the lock
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"waiting for another build of this output folder (pid 4242): {built.out}" in out.splitlines()
    assert lock_path.read_text() == ""  # the pid is removed when the build is done
    assert pdfs(built.out) != before
    assert leftovers(built.out) == []


def test_concurrent_builds(tmp_path):
    row = ROW["concurrent-builds"]
    ref = make_workspace(tmp_path / "ref", _files())
    code, out, err = run("build", "--edition", "confidential", root=ref.path)
    assert code == 0, err
    reference = pdfs(ref.out)
    assert len(reference) == 2
    ref_lock = (ref.path / "cases/demo/exhibits.lock").read_text()

    ws = make_workspace(tmp_path / "ws", _files())  # no exhibits.lock yet: every build writes it
    outs = [ws.out, ws.out, ws.path / "out2"]
    procs = [subprocess.Popen([str(CASEFILE), "build", "--root", str(ws.path), "--out", str(o),
                               "--edition", "confidential"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for o in outs]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for _, err, code in results:
        assert code in row.codes and code == 0, err
    for o in set(outs):
        assert pdfs(o) == reference
        assert_valid_pdfs(reference, o)
        assert leftovers(o) == []
    lock_text = (ws.path / "cases/demo/exhibits.lock").read_text()
    assert lock_text == ref_lock
    lock = read_lock(ws.path / "cases/demo/exhibits.lock", "exhibits.lock")
    assert sorted(lock.numbers) == [f"i{n}" for n in range(6)] and not lock.retired
    assert leftovers(ws.path / "cases") == []
    shutil.rmtree(ref.path)


def test_the_lock_file_names_its_holder_while_held(tmp_path):
    from casefile.output.locking import LOCK_FILE, build_lock

    with build_lock(tmp_path):
        assert (tmp_path / LOCK_FILE).read_text() == f"{os.getpid()}\n"
    assert (tmp_path / LOCK_FILE).read_text() == ""
