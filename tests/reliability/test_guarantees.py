"""The rows of the reliability table for the guarantees that hold under ordinary mistakes
(chain of custody, file names, multi-frame images, pages the leak check cannot read); their
input rows (redaction markup, a protected surname, a pin) are run by test_hostile_input.py.
tests/test_custody.py and tests/test_witness_protection.py test the same in more detail."""

from __future__ import annotations

import hashlib
import io
import json
import os

from PIL import Image
from pypdf import PdfReader

from casefile.case.lockfile import read_lock
from conftest import item, run

from .cases import ROW

LOCK = "cases/demo/exhibits.lock"
CONF, PUB = "out/demo/confidential/alpha.pdf", "out/demo/public/alpha.pdf"


def _text(pdf) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages)


def test_same_size_same_mtime(built):
    row = ROW["same-size-same-mtime"]
    path = built.path / "exhibits/demo/ok.txt"
    old = path.read_bytes()
    st = path.stat()
    new = old.replace(b"An exhibit", b"AN EXHIBIT")
    assert len(new) == len(old) and new != old
    path.write_bytes(new)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    built.write("cases/demo/evidence/b1.md", item("b1", date="1988-09", body="An edit elsewhere."))
    before = (built.path / CONF).read_bytes()
    code, out, err = run("build", root=built.path)
    assert code == row.codes[0], out
    sha_old, sha_new = hashlib.sha256(old).hexdigest(), hashlib.sha256(new).hexdigest()
    assert (f"exhibits/demo/ok.txt:0: sha256: exhibit changed since it was recorded (sha256 {sha_old} → "
            f"{sha_new})") in err
    assert (built.path / CONF).read_bytes() == before
    code, out, err = run("build", "--accept-changes", "exhibits/demo/ok.txt", root=built.path)
    assert code == 0, err
    assert read_lock(built.path / LOCK, LOCK).files["ok.txt"][0] == sha_new
    manifest = json.loads(PdfReader(str(built.path / CONF)).attachments["casefile-manifest.json"][0])
    assert [f["sha256"] for e in manifest["exhibits"] for f in e["files"]] == [sha_new]
    assert "AN EXHIBIT" in _text(built.path / CONF) and sha_new[:32] in _text(built.path / CONF).replace(" ", "")


NAMES = ["a b.txt", "tab\there.txt", 'quote"d.txt', "#hash.txt", "-leading.txt", "back\\slash.txt",
         "حسین فارسی.txt"]


def test_exhibit_names(built):
    row = ROW["exhibit-names"]
    for name in NAMES:
        built.write(f"exhibits/demo/{name}", f"exhibit {name}\n")
    built.write("cases/demo/evidence/b1.md", item("b1", date="1988-09", extra="exhibits:\n" + "".join(
        f"  - file: {json.dumps(name)}\n" for name in NAMES)))
    code, out, err = run("build", root=built.path)
    assert code == row.codes[0], err
    assert set(NAMES) <= set(read_lock(built.path / LOCK, LOCK).files)
    assert run("check", root=built.path)[0] == 0
    built.write("cases/demo/evidence/b1.md", (built.path / "cases/demo/evidence/b1.md").read_text() + "More.\n")
    code, out, err = run("build", root=built.path)
    assert code == 0, err


def test_multi_page_tiff(built):
    row = ROW["multi-page-tiff"]
    b = io.BytesIO()
    frames = [Image.new("RGB", (300, 200), (60 * k, 90, 200 - 60 * k)) for k in range(3)]
    frames[0].save(b, "TIFF", save_all=True, append_images=frames[1:])
    built.write("exhibits/demo/three.tiff", b.getvalue())
    built.write("cases/demo/evidence/b1.md", item("b1", date="1988-09", extra="exhibits:\n  - file: three.tiff\n"
                                                                                "    public_reviewed: true\n"))
    code, out, err = run("build", "--edition", "confidential", root=built.path)
    assert code == row.codes[0], err
    text = _text(built.path / CONF)
    assert all(f"three.tiff · page {k} of 3" in text for k in (1, 2, 3)), text


def test_scan_without_text(built):
    row = ROW["scan-without-text"]
    b = io.BytesIO()
    Image.new("L", (400, 300), 235).save(b, "PNG")  # nothing OCR can read
    built.write("exhibits/demo/photo.png", b.getvalue())
    entry = "cases/demo/evidence/b1.md"
    built.write(entry, item("b1", date="1988-09", extra="exhibits:\n  - file: photo.png\n"))
    code, out, err = run("build", root=built.path)
    assert code == row.codes[0], err
    assert "This image is withheld from the public edition" in _text(built.path / PUB)
    assert "photo.png · page 1 of 1 · withheld from the public edition" in _text(built.path / CONF)
    built.write(entry, item("b1", date="1988-09", extra="exhibits:\n  - file: photo.png\n    public_reviewed: true\n"))
    code, out, err = run("build", root=built.path)
    assert code == 0, err
    assert "This image is withheld" not in _text(built.path / PUB)


def test_scan_partly_read(built):
    from PIL import ImageDraw, ImageFont

    from casefile.typeset.rtl import FONT_DIR

    row = ROW["scan-partly-read"]
    img = Image.new("L", (1654, 2339), 255)
    d = ImageDraw.Draw(img)
    font = str(FONT_DIR / "Vazirmatn-Regular.ttf")
    d.text((150, 250), "Statement of a fictional witness", font=ImageFont.truetype(font, 44), fill=0)
    d.text((150, 600), "The hidden cell of Zeta Fictive", font=ImageFont.truetype(font, 8), fill=0)
    b = io.BytesIO()
    img.save(b, "PNG")
    built.write("exhibits/demo/tiny.png", b.getvalue())
    built.write("cases/demo/evidence/b1.md", item("b1", date="1988-09", extra="redact: [Zeta Fictive]\n"
                                                                                "exhibits:\n  - file: tiny.png\n"))
    code, out, err = run("build", root=built.path)
    assert code == row.codes[0], err
    assert [line for line in out.splitlines() if "not fully read" in line] == [
        "exhibits/demo/tiny.png:0: page 1: not fully read by OCR (ink outside the words Tesseract read, near the top "
        "of the page): withheld from the public edition; check the page (the confidential edition shows it), then "
        "write public_reviewed: true in its exhibit entry (cases/demo/evidence/b1.md:12)"]
    public = _text(built.path / PUB)
    assert "This image is withheld from the public edition: OCR did not read all of it (ink outside" in public
    assert "Statement of a fictional witness" not in public
    assert ("tiny.png · page 1 of 1 · withheld from the public edition (not fully read by OCR)"
            in _text(built.path / CONF))
