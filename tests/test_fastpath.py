"""reportlab's shortcuts (typeset/fastpath.py) against the plain way: the same dossiers built with
CASEFILE_PLAIN_REPORTLAB=1 (public reportlab API only) have the same text on every page, the same
outline (titles and pages) and the same links (where they are and the page each one goes to) as
with the shortcuts on. Built in subprocesses: the switch is read when casefile is imported.
`make test-latest` runs this file against the newest reportlab and pypdf."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from conftest import REPO, outline_entries, pages_text

SWITCH = "CASEFILE_PLAIN_REPORTLAB"


def link_annotations(pdf: Path) -> list[tuple[int, tuple, object]]:
    """(page, rectangle, where it goes) of every link annotation: a page of this file, or what
    the annotation names (a page of another file, a URI)."""
    r = PdfReader(str(pdf))
    ids = {p.indirect_reference.idnum: i + 1 for i, p in enumerate(r.pages)}
    out = []
    for i, page in enumerate(r.pages, 1):
        for a in page.get("/Annots", []) or []:
            a = a.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            action = a.get("/A", {})
            dest = a.get("/Dest", action.get("/D"))
            if isinstance(dest, str):
                dest = r.named_destinations.get(dest, dest)
            if hasattr(dest, "get_object"):
                dest = dest.get_object()
            if hasattr(dest, "page"):  # a resolved named destination
                target = r.get_destination_page_number(dest) + 1
            elif isinstance(dest, list) and dest and isinstance(dest[0], IndirectObject):
                target = ids.get(dest[0].idnum)
            else:
                target = repr((action.get("/S"), action.get("/F"), action.get("/URI"), dest))
            out.append((i, tuple(float(v) for v in a["/Rect"]), target))
    return out


def casefile(*args, plain: bool, cwd: Path = REPO) -> str:
    env = {k: v for k, v in os.environ.items() if k != SWITCH}
    if plain:
        env[SWITCH] = "1"
    r = subprocess.run([sys.executable, "-c", "from casefile.cli import app; app()", *args], cwd=cwd, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def built(root: Path, out: Path, *options) -> dict[str, dict[str, Path]]:
    """{"fast"|"plain": {relative path: dossier}} for the case(s) under `root`, built both ways."""
    found = {}
    for way in ("fast", "plain"):
        casefile("build", "--root", str(root), "--out", str(out / way), *options, plain=way == "plain")
        found[way] = {p.relative_to(out / way).as_posix(): p for p in sorted((out / way).rglob("*.pdf"))}
    assert found["fast"] and sorted(found["fast"]) == sorted(found["plain"])
    return found


@pytest.fixture(scope="module")
def dossiers(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """The sample case (both editions, dossiers and submissions) and a small generated case (40
    items, 2 accused; its confidential edition), each built with the shortcuts and without."""
    tmp = tmp_path_factory.mktemp("fastpath")
    found = {"fast": {}, "plain": {}}
    for way, paths in built(REPO, tmp / "sample").items():
        found[way].update({f"sample/{k}": v for k, v in paths.items()})
    generated = tmp / "generated"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--items", "40", "--accused", "2",
                    "--out", str(generated)], check=True, capture_output=True)
    for way, paths in built(generated, tmp / "generated-out", "--edition", "confidential").items():
        found[way].update({f"generated/{k}": v for k, v in paths.items()})
    return found


def test_the_switch_is_read():
    code = "from casefile.typeset import fastpath; print(fastpath.ON)"
    for plain, shown in ((False, "True"), (True, "False")):
        env = {k: v for k, v in os.environ.items() if k != SWITCH} | ({SWITCH: "1"} if plain else {})
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert r.stdout.strip() == shown


def test_the_plain_way_is_another_way(dossiers):
    """Without the shortcuts the bytes differ (forms, links and line breaking written by
    reportlab's public API): the plain way is taken, not the shortcut again."""
    for name, fast in dossiers["fast"].items():
        assert fast.read_bytes() != dossiers["plain"][name].read_bytes(), name


def test_same_text_on_every_page(dossiers):
    """Page by page, the same text (NFKC: without the shortcut the ToUnicode maps give Persian
    letters as presentation forms, which NFKC makes ordinary letters again). Read in parallel:
    pypdf's extraction is the slow part of this file."""
    names = sorted(dossiers["fast"])
    files = [str(dossiers[way][n]) for n in names for way in ("fast", "plain")]
    with ProcessPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        texts = iter(pool.map(pages_text, files))
    for name in names:
        a, b = next(texts), next(texts)
        assert len(a) == len(b), name
        for page, (x, y) in enumerate(zip(a, b), 1):
            assert x == y, f"{name} page {page}"


def test_same_outline(dossiers):
    for name, fast in dossiers["fast"].items():
        entries = outline_entries(fast)
        assert entries, name
        assert entries == outline_entries(dossiers["plain"][name]), name


def test_same_links(dossiers):
    """Every link annotation on the same page, over the same rectangle (to a hundredth of a
    point), to the same page."""
    for name, fast in dossiers["fast"].items():
        a, b = (sorted(link_annotations(p), key=lambda x: (x[0], x[1], str(x[2])))
                for p in (fast, dossiers["plain"][name]))
        assert a, name
        assert [(page, target) for page, _, target in a] == [(page, target) for page, _, target in b], name
        for (page, r, _), (_, s, _) in zip(a, b):
            assert all(abs(x - y) < 0.01 for x, y in zip(r, s)), f"{name} page {page}: {r} {s}"
