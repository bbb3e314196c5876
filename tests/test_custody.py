"""Issue 15: chain of custody fails closed (points 8-11). The SHA-256 recorded for an exhibit
(lock, manifest, annex, export) is that of the bytes typeset in the same build; every frame of a
multi-page image becomes a page; the lock file reads back every file name; a bad file is one
line naming it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from casefile.case.lockfile import Lock, format_lock, read_lock
from conftest import OUT, build, exhibit_item, file_entry, make_pdf, manifest, pages_text, run

LOCK = "cases/demo/exhibits.lock"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def same_size_change(path, label: str):
    """Other bytes of the same size in `path` (a PDF showing `label` and a digit), its mtime put
    back (as cp -p, rsync -a, tar and touch -r do)."""
    st_ = path.stat()
    old = path.read_bytes()
    new = next(b for b in (make_pdf([f"{label}{k}"]) for k in range(1000)) if len(b) == len(old))
    path.write_bytes(new)
    os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns))
    assert path.stat().st_size == st_.st_size and path.stat().st_mtime_ns == st_.st_mtime_ns
    return new


# ------------------------------------------------------------------ 8. the hash of the bytes typeset

def test_a_changed_file_with_the_same_size_and_mtime_is_read_again(workspace):
    path = workspace.write("exhibits/demo/x.pdf", make_pdf(["ORIGINAL"]))
    exhibit_item(workspace, "a1", ["x.pdf"])  # no sha256 pin
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    before = (workspace.path / OUT).read_bytes()
    old = sha(path.read_bytes())
    new_bytes = same_size_change(path, "ALTERED")
    workspace.item("b1", date="1988-09", body="An edit elsewhere.")  # something to rebuild
    code, out, err = run("build", root=workspace.path)
    assert code == 1, out
    assert (f"exhibits/demo/x.pdf:0: sha256: exhibit changed since it was recorded (sha256 {old} → "
            f"{sha(new_bytes)})") in err
    assert (workspace.path / OUT).read_bytes() == before
    # accepted: the lock, the manifest, the annex and the export all give the hash of the bytes typeset
    code, out, err = run("build", "--accept-changes", "exhibits/demo/x.pdf", root=workspace.path)
    assert code == 0, err
    pdf = workspace.path / OUT
    assert "ALTERED" in " ".join(pages_text(pdf))
    new = sha(new_bytes)
    assert f"file  {new}  {len(new_bytes)}  \"x.pdf\"" in (workspace.path / LOCK).read_text()
    assert file_entry(manifest(pdf), "x.pdf")["sha256"] == new
    annex = next(t for t in pages_text(pdf) if "Annex: exhibit files" in t and "SHA-256" in t)
    assert new in annex.replace(" ", "") and old not in annex.replace(" ", "")
    code, out, err = run("export", "--format", "json", root=workspace.path)
    assert code == 0, err
    data = json.loads((workspace.path / "out/demo/export/confidential/demo-confidential.json").read_text())
    assert [f["sha256"] for e in data["exhibits"] for f in e["files"]] == [new]


def test_the_bytes_typeset_are_checked_against_the_recorded_hash(workspace):
    """Even when the record of the last build says a file is unchanged (its size and times all
    the same), what is typeset is checked: a mismatch stops the build, nothing is written."""
    path = workspace.write("exhibits/demo/x.pdf", make_pdf(["ORIGINAL"]))
    exhibit_item(workspace, "a1", ["x.pdf"])
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    before = (workspace.path / OUT).read_bytes()
    old = sha(path.read_bytes())
    new_bytes = same_size_change(path, "ALTERED")
    # the state as if the file had been changed without its stat changing at all (ctime, inode)
    state_path = workspace.path / "out/demo/.casefile-state.json"
    state = json.loads(state_path.read_text())
    st_ = path.stat()
    state["files"]["x.pdf"][:4] = [st_.st_size, st_.st_mtime_ns, st_.st_ctime_ns, st_.st_ino]
    assert state["files"]["x.pdf"][4] == old
    state_path.write_text(json.dumps(state))
    workspace.item("b1", date="1988-09", body="An edit elsewhere.")
    code, out, err = run("build", root=workspace.path)
    assert code == 1, out
    assert f"sha256: the file changed during the build or without its size and times changing (its bytes now " \
           f"have sha256 {sha(new_bytes)}, {old} was recorded); nothing written: build again with --force" in err
    assert (workspace.path / OUT).read_bytes() == before
    # --force reads every file again: the change is found and named
    code, out, err = run("build", "--force", root=workspace.path)
    assert code == 1 and f"exhibit changed since it was recorded (sha256 {old} → {sha(new_bytes)})" in err


def test_images_are_checked_when_drawn(workspace):
    img = io.BytesIO()
    Image.new("RGB", (200, 100), (10, 200, 10)).save(img, "PNG")
    path = workspace.write("exhibits/demo/p.png", img.getvalue())
    exhibit_item(workspace, "a1", ["p.png"])
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, err
    st_ = path.stat()
    other = io.BytesIO()
    Image.new("RGB", (200, 100), (200, 10, 10)).save(other, "PNG")
    assert len(other.getvalue()) == st_.st_size
    path.write_bytes(other.getvalue())
    state_path = workspace.path / "out/demo/.casefile-state.json"
    state = json.loads(state_path.read_text())
    st2 = path.stat()
    state["files"]["p.png"][:4] = [st2.st_size, st2.st_mtime_ns, st2.st_ctime_ns, st2.st_ino]
    state_path.write_text(json.dumps(state))
    workspace.item("b1", date="1988-09")
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 1 and "p.png:0: sha256: the file changed during the build" in err


# ------------------------------------------------------------------ 9. every frame a page

def tiff(frames: int) -> bytes:
    b = io.BytesIO()
    imgs = [Image.new("RGB", (300, 200), (40 * k, 100, 200 - 40 * k)) for k in range(frames)]
    imgs[0].save(b, "TIFF", save_all=True, append_images=imgs[1:])
    return b.getvalue()


def test_every_frame_of_a_multi_page_tiff_is_a_page(workspace):
    workspace.write("exhibits/demo/two.tiff", tiff(3))
    exhibit_item(workspace, "a1", ["two.tiff"])
    pdf = build(workspace)
    texts = pages_text(pdf)
    for k in (1, 2, 3):
        assert any(f"EX-0001 · two.tiff · page {k} of 3" in t for t in texts), k
    f = file_entry(manifest(pdf), "two.tiff")
    assert f["source_pages"] == 3 and f["pages"][1] - f["pages"][0] == 2
    reader = PdfReader(str(pdf))
    colours = set()
    for page in reader.pages[f["pages"][0] - 1:f["pages"][1]]:
        xs = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
        images = [x for x in xs if x.get("/Subtype") == "/Image"]
        assert len(images) == 1
        colours.add(sha(images[0].get_data()))
    assert len(colours) == 3  # three different frames, not the first one three times


def test_an_animated_png_is_every_frame_too(workspace):
    b = io.BytesIO()
    frames = [Image.new("RGB", (120, 80), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(b, "PNG", save_all=True, append_images=frames[1:])
    workspace.write("exhibits/demo/anim.png", b.getvalue())
    exhibit_item(workspace, "a1", ["anim.png"])
    texts = pages_text(build(workspace))
    assert any("EX-0001 · anim.png · page 2 of 2" in t for t in texts)


# ------------------------------------------------------------------ 10. the lock file reads back every name

NAMES = ["a b.txt", "tab\there.txt", "حسین فارسی.txt", 'quote"d.txt', "-leading.txt", "#hash.txt",
         "back\\slash.txt", "two  spaces.txt", "نام‌ها.txt", "a b.pdf"]


def test_file_names_with_spaces_and_more_survive_two_builds(workspace):
    for name in NAMES:
        workspace.write(f"exhibits/demo/{name}", make_pdf(["A B"]) if name.endswith(".pdf") else f"exhibit\n")
    extra = "exhibits:\n" + "".join(f"  - file: {json.dumps(name)}\n" for name in NAMES)
    workspace.item("a1", extra=extra)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    lock = read_lock(workspace.path / LOCK, LOCK)
    assert sorted(lock.files) == sorted(NAMES)
    assert '"a b.pdf"' in (workspace.path / LOCK).read_text()
    code, out, err = run("check", root=workspace.path)
    assert code == 0, err
    workspace.item("b1", date="1988-09")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err


# every name a file in the exhibit folder can have: any characters but "/" and NUL (a path of
# such names), of any length a name can have
_NAME = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1,
                max_size=40).filter(lambda n: n not in (".", ".."))
_PATH = st.lists(_NAME, min_size=1, max_size=3).map("/".join)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_PATH, st.tuples(st.text("0123456789abcdef", min_size=64, max_size=64),
                                        st.integers(0, 2 ** 40)), max_size=6),
       st.lists(st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12), max_size=5,
                unique=True))
def test_the_lock_file_round_trips_every_file_name(tmp_path_factory, files, items):
    items = [i for i in items if i[0].isalnum()]
    lock = Lock(numbers={iid: k for k, iid in enumerate(items, 1)}, files=dict(files),
                documents={sha_: k for k, (sha_, _) in enumerate(sorted({v for v in files.values()}), 1)})
    lock.document_paths = {sha_: next(p for p, v in sorted(files.items()) if v[0] == sha_) for sha_ in lock.documents}
    text = format_lock(lock, "EX-", 4)
    # readable: one record a line, no character that breaks a line or is invisible but a Persian joiner
    for line in text.split("\n"):
        assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn") or
                       (unicodedata.category(ch) == "Zs" and ch != " ") for ch in line if ch not in "\u200c\u200d")
    path = tmp_path_factory.mktemp("lock") / "exhibits.lock"
    path.write_text(text, encoding="utf-8")
    back = read_lock(path, "exhibits.lock")
    assert back.files == lock.files and back.numbers == lock.numbers
    assert back.documents == lock.documents and back.document_paths == lock.document_paths


def test_an_unreadable_lock_names_its_line_and_how_to_recover(workspace):
    workspace.write("exhibits/demo/ok.txt", "ok\n")
    exhibit_item(workspace, "a1", ["ok.txt"])
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    lock = workspace.path / LOCK
    lines = lock.read_text().split("\n")
    at = next(i for i, l in enumerate(lines) if l.startswith("file "))
    lines[at] = lines[at].replace('"ok.txt"', '"ok.txt')  # an unclosed quote
    lock.write_text("\n".join(lines))
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    assert (f"{LOCK}:{at + 1}: file: not a file record (file SHA256 SIZE \"PATH\"); correct this line (a `file` "
            f"line may also be deleted: the next build records the file again; an exhibit number or `document` "
            f"line must be kept, or an exhibit or page would change its number), or restore exhibits.lock from "
            f"version control") in err


def test_a_lock_written_before_paths_were_quoted_is_still_read(tmp_path):
    path = tmp_path / "exhibits.lock"
    path.write_text("EX-0001  active   a1\nfile  " + "a" * 64 + "  12  sub/a b.pdf\n")
    assert read_lock(path, "x").files == {"sub/a b.pdf": ("a" * 64, 12)}


# ------------------------------------------------------------------ 11. one line per bad file; a pin mismatch

def test_a_bad_file_listed_twice_is_one_line(workspace):
    workspace.write("exhibits/demo/bad.pdf", b"%PDF-1.4 truncated")
    exhibit_item(workspace, "a1", ["bad.pdf"])
    exhibit_item(workspace, "a2", ["bad.pdf"], date="1988-09")
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    lines = err.strip().splitlines()
    assert lines == ["exhibits/demo/bad.pdf:0: pdf: the PDF is truncated or damaged (no %%EOF marker at its end) "
                     "(listed at cases/demo/evidence/a1.md:11, cases/demo/evidence/a2.md:11)", "1 problem found"]


def test_a_pin_mismatch_names_the_file_both_hashes_and_what_to_do(workspace):
    path = workspace.write("exhibits/demo/x.txt", "the file\n")
    workspace.item("a1", extra=f"exhibits:\n  - file: x.txt\n    sha256: {'0' * 64}\n")
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    actual = sha(path.read_bytes())
    assert (f"cases/demo/evidence/a1.md:12: exhibits.0.sha256: exhibits/demo/x.txt: the pinned sha256 is "
            f"{'0' * 64} but the file's is {actual}; if the file is the right one, pin the new value, otherwise "
            f"put back the file that was pinned") in err
