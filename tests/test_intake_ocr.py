"""OCR of scans and photos (intake/ocr.py, typeset/text_layer.py): image exhibits and PDF pages
without a text layer get an invisible text layer that pdftotext and pypdf read in logical
order (Persian too); the page's stamp says the layer is machine-read; the text is searched by
the public leak check; a rebuild OCRs nothing and is byte-identical. Every scan is made here,
from fictional text drawn with the shipped Vazirmatn font."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pypdf import PdfReader

from casefile.typeset.rtl import FONT_DIR
from conftest import REPO, counting_tool, norm, run

OUT = "out/demo/confidential/alpha.pdf"
FONT = str(FONT_DIR / "Vazirmatn-Regular.ttf")
ENGLISH = ["Statement of the fictional witness Anna Example", "given at Northtown on 3 March 2001."]
PERSIAN = ["گزارش کمیته حقیقت یاب درباره زندان", "شاهد دوم در دادگاه سخن گفت"]


def scan(lines, rtl=False, size=(1654, 2339), font_size=44) -> Image.Image:
    """A white A4 page at 200 dpi with the lines drawn in black (a clean scan)."""
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(FONT, font_size)
    for i, text in enumerate(lines):
        if rtl:
            d.text((size[0] - 150, 250 + i * 100), text, font=f, fill=0, anchor="ra", direction="rtl")
        else:
            d.text((150, 250 + i * 100), text, font=f, fill=0)
    return img


def png(img: Image.Image) -> bytes:
    b = io.BytesIO()
    img.save(b, format="PNG", dpi=(200, 200))
    return b.getvalue()


def scanned_pdf(img: Image.Image) -> bytes:
    """A PDF whose only page is the image: no font, no text layer (as a scanner makes it)."""
    b = io.BytesIO()
    img.save(b, format="PDF", resolution=200)
    return b.getvalue()


def page_of(pdf: Path, needle: str) -> int:
    """1-based number of the page whose stamp names the file `needle`."""
    for i, page in enumerate(PdfReader(str(pdf)).pages, 1):
        if f"· {needle} · page" in norm(page.extract_text() or ""):
            return i
    raise AssertionError(f"no page of {needle}")


def pdftotext(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8")
    return norm(out)


@pytest.fixture
def scans(workspace):
    workspace.write("exhibits/demo/scan-en.png", png(scan(ENGLISH)))
    workspace.write("exhibits/demo/scan-fa.png", png(scan(PERSIAN, rtl=True)))
    workspace.write("exhibits/demo/letter.pdf", scanned_pdf(scan(["A scanned letter from the Example Office",
                                                                   "signed by the clerk Bruno Sample."])))
    workspace.item("a1", extra="exhibits:\n  - file: scan-en.png\n  - file: letter.pdf\n")
    workspace.item("a2", date="1988-09", extra="language: fa\nexhibits:\n  - file: scan-fa.png\n")
    return workspace


def test_scans_get_a_text_layer_read_in_logical_order(scans):
    code, out, err = run("build", root=scans.path)
    assert code == 0, err
    assert "exhibits/demo/scan-fa.png: OCR by Tesseract (fas+eng): 1 page(s)" in out
    pdf = scans.path / OUT
    en, fa, letter = page_of(pdf, "scan-en.png"), page_of(pdf, "scan-fa.png"), page_of(pdf, "letter.pdf")
    reader = PdfReader(str(pdf))
    for page, lines in ((en, ENGLISH), (letter, ["A scanned letter from the Example Office",
                                                  "signed by the clerk Bruno Sample."])):
        for line in lines:
            assert line in pdftotext(pdf, page)
            assert line in norm(reader.pages[page - 1].extract_text())
    # Persian: the words, in logical order, from both extractors
    for line in PERSIAN:
        assert line in pdftotext(pdf, fa)
        assert line in norm(reader.pages[fa - 1].extract_text())
    for page, name in ((en, "scan-en.png"), (fa, "scan-fa.png"), (letter, "letter.pdf")):
        assert f"{name} · page 1 of 1 · text layer machine-read (OCR)" in norm(reader.pages[page - 1].extract_text())


def test_the_text_layer_lies_over_the_words_and_is_invisible(scans, tmp_path):
    assert run("build", root=scans.path)[0] == 0
    pdf = scans.path / OUT
    page = page_of(pdf, "scan-en.png")
    box = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                         capture_output=True, check=True).stdout.decode()
    import re
    words = {m[4]: tuple(float(v) for v in m[:4]) for m in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<', box)}
    x0, y0, x1, y1 = words["Statement"]
    # where the page's pixels of that word are: render at 72 dpi, find the ink in that box
    subprocess.run(["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf),
                    str(tmp_path / "p")], check=True)
    img = Image.open(tmp_path / "p.png").convert("L")
    ink = img.crop((int(x0) - 2, int(y0) - 2, int(x1) + 2, int(y1) + 2)).point(lambda v: 255 if v < 128 else 0)
    assert ink.getbbox() is not None, "no ink under the word's text"
    ix0, iy0, ix1, iy1 = ink.getbbox()
    assert ix1 - ix0 > 0.8 * (x1 - x0)  # the word's box is about the word's ink
    # invisible: the text drawn a second time would darken the page; the build without OCR
    # (tesseract off PATH) renders the same pixels
    shutil.rmtree(scans.path / "out")
    env_path = os.environ["PATH"]
    try:
        os.environ["PATH"] = str(tmp_path / "nothing")
        assert run("build", "--force", root=scans.path)[0] == 0
    finally:
        os.environ["PATH"] = env_path
    subprocess.run(["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-png", "-singlefile",
                    str(scans.path / OUT), str(tmp_path / "q")], check=True)
    plain = Image.open(tmp_path / "q.png").convert("L")
    band = (0, 60, img.width, img.height - 80)  # the page without its stamp line (which names OCR)
    assert img.crop(band).tobytes() == plain.crop(band).tobytes()


def test_without_tesseract_the_build_says_what_to_install_and_goes_on(scans, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    code, out, err = run("build", root=scans.path)
    assert code == 0, err
    assert ("exhibits/demo/scan-en.png: no text layer added (not OCR'd): install the Debian package "
            "tesseract-ocr (make tools)") in out
    assert "machine-read" not in norm(" ".join(p.extract_text() for p in PdfReader(str(scans.path / OUT)).pages))


def test_a_redacted_term_only_in_an_image_stops_the_public_build(workspace):
    workspace.write("exhibits/demo/photo.png", png(scan(["The hidden cell of Carla Fictive"])))
    workspace.item("a1", extra="redact: [Carla Fictive]\nexhibits:\n  - file: photo.png\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 1
    assert ("exhibits/demo/photo.png:0: page 1: 'Carla Fictive' (a redacted term, declared at "
            "cases/demo/evidence/a1.md:10) is in ") in err
    assert not (workspace.path / "out/demo/public/alpha.pdf").exists()


def test_an_ocrd_scan_is_in_the_public_edition_and_a_blank_one_is_withheld(scans):
    """The leak check reads what OCR read: a scan with a text layer is published (its image and
    its words), one OCR could read nothing from is withheld with one line saying so."""
    scans.write("exhibits/demo/blank.png", png(Image.new("L", (400, 300), 240)))
    p = scans.path / "cases/demo/evidence/a2.md"
    p.write_text(p.read_text().replace("  - file: scan-fa.png\n", "  - file: scan-fa.png\n  - file: blank.png\n"))
    code, out, err = run("build", root=scans.path)
    assert code == 0, err
    pub = scans.path / "out/demo/public/alpha.pdf"
    reader = PdfReader(str(pub))
    texts = [norm(page.extract_text() or "") for page in reader.pages]
    everything = " ".join(texts)
    assert "Statement of the fictional witness Anna Example" in everything
    assert "A scanned letter from the Example Office" in everything
    assert sum("This image is withheld from the public edition" in t for t in texts) == 1
    images = [k for k, page in enumerate(reader.pages)
              for x in (page.get("/Resources") or {}).get("/XObject", {}).values()
              if x.get_object().get("/Subtype") == "/Image"]
    assert len(images) == 2  # the two scans read by OCR (the scanned letter's page is a form), not the blank one


def test_a_rebuild_ocrs_nothing_and_is_byte_identical(scans, tmp_path, monkeypatch):
    log = counting_tool(tmp_path / "bin", "tesseract")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert run("build", root=scans.path)[0] == 0
    runs = [line for line in log.read_text().splitlines() if "tsv" in line]
    assert len(runs) == 3  # two images, one scanned page
    first = {p: p.read_bytes() for p in (scans.path / "out").rglob("*.pdf")}
    code, out, err = run("build", "--force", root=scans.path)
    assert code == 0, err
    assert "OCR" not in out
    assert [line for line in log.read_text().splitlines() if "tsv" in line] == runs  # not run again
    assert {p: p.read_bytes() for p in (scans.path / "out").rglob("*.pdf")} == first
    # with the cache removed, OCR runs again and gives the same dossiers
    shutil.rmtree(scans.path / "out/.casefile-cache")
    assert run("build", "--force", root=scans.path)[0] == 0
    assert {p: p.read_bytes() for p in (scans.path / "out").rglob("*.pdf")} == first


def test_pages_with_a_text_layer_and_blank_images_are_not_ocrd(workspace, tmp_path, monkeypatch):
    from reportlab.pdfgen import canvas

    b = io.BytesIO()
    c = canvas.Canvas(b, invariant=1)
    c.drawString(100, 700, "A typed page with its own text")
    c.showPage()
    c.save()
    workspace.write("exhibits/demo/typed.pdf", b.getvalue())
    workspace.write("exhibits/demo/blank.png", png(Image.new("L", (400, 300), 240)))
    workspace.item("a1", extra="exhibits:\n  - file: typed.pdf\n  - file: blank.png\n")
    log = counting_tool(tmp_path / "bin", "tesseract")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    assert not log.exists()
    assert "machine-read" not in norm(" ".join(p.extract_text() for p in PdfReader(str(workspace.path / OUT)).pages))


def test_ocr_text_feeds_the_names_index_and_the_export(scans):
    # a name the index has (from another item's fields) read on a scan: the scan's exhibit is listed too
    scans.item("a3", date="1988-10", extra="persons: [Anna Example]\n")
    code, out, err = run("build", root=scans.path)
    assert code == 0, err
    pdf = scans.path / OUT
    index = next(t for t in (norm(p.extract_text() or "") for p in PdfReader(str(pdf)).pages)
                 if "Index of persons, places and organisations Persons" in t)
    import re
    entry = re.search(r"Anna Example ((?:\d+ \(EX-\d{4}\),? ?)+)", index).group(1)
    assert "EX-0001" in entry and "EX-0003" in entry, index
    code, out, err = run("export", "--format", "json", "--out", str(scans.path / "x"), root=scans.path)
    assert code == 0, err
    import json
    data = json.loads(next((scans.path / "x").glob("*.json")).read_text(encoding="utf-8"))
    files = {f["path"]: f for e in data["exhibits"] for f in e["files"]}
    assert files["scan-en.png"]["machine_read_pages"] == [1]
    assert "Statement of the fictional witness Anna Example" in files["scan-en.png"]["machine_read_text"]
    assert files["letter.pdf"]["machine_read_pages"] == [1]
    code, out, err = run("export", "--format", "json", "--edition", "public", "--out", str(scans.path / "p"),
                         root=scans.path)
    assert code == 0, err
    data = json.loads(next((scans.path / "p").glob("*.json")).read_text(encoding="utf-8"))
    assert all(f["machine_read_text"] is None for e in data["exhibits"] for f in e["files"])


PUB = "out/demo/public/alpha.pdf"
PATH = os.environ["PATH"]


def test_ocr_text_feeds_the_public_check_and_a_tool_installed_later_is_used_without_force(scans, tmp_path,
                                                                                          monkeypatch):
    from conftest import pages_text

    def withheld(pdf):
        return sum(1 for t in pages_text(pdf) for _ in re.finditer(r"is withheld from the public edition: it has "
                                                                   r"no text the leak check can read", t))

    # no Tesseract: the scans cannot be read, so the public edition withholds them
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    code, out, err = run("build", root=scans.path)
    assert code == 0, err
    assert withheld(scans.path / PUB) == 3
    assert "Statement of the fictional witness" not in " ".join(pages_text(scans.path / PUB))
    # Tesseract installed since: the next build (no --force) reads the scans, and the public
    # edition shows them, their OCR text searched by the leak check instead
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{PATH}")
    log = counting_tool(tmp_path / "bin", "tesseract")
    code, out, err = run("build", root=scans.path)
    assert code == 0, err
    assert "OCR by Tesseract: 3 page(s) to read" in out and "2 dossiers built" in out
    assert len([line for line in log.read_text().splitlines() if "tsv" in line]) == 3
    assert withheld(scans.path / PUB) == 0
    public = " ".join(pages_text(scans.path / PUB))
    assert "Statement of the fictional witness Anna Example" in public and PERSIAN[0] in public
    m = json.loads(PdfReader(str(scans.path / PUB)).attachments["casefile-manifest.json"][0])
    assert all(not f.get("withheld_pages") for e in m["exhibits"] for f in e.get("files", []))
    first = {p: p.read_bytes() for p in (scans.path / "out/demo").rglob("*.pdf")}
    # nothing changed: up to date, nothing read again
    code, out, err = run("build", root=scans.path)
    assert code == 0 and out.startswith("0 dossiers built"), out + err
    assert len([line for line in log.read_text().splitlines() if "tsv" in line]) == 3
    # Tesseract upgraded (another version line): its pages are read again, without --force;
    # the same text, so the same dossiers
    tool = tmp_path / "bin" / "tesseract"
    tool.write_text(tool.read_text().replace("#!/bin/sh\n", "#!/bin/sh\n[ \"$1\" = --version ] && "
                                             "{ echo 'tesseract 99.0.0-fictional'; exit 0; }\n", 1))
    code, out, err = run("build", root=scans.path)
    assert code == 0, err
    assert len([line for line in log.read_text().splitlines() if "tsv" in line]) == 6
    assert {p: p.read_bytes() for p in first} == first


def test_ocr_shows_its_progress(scans, tmp_path):
    # without a terminal: how many pages, then a line as they are read
    code, out, err = run("build", "--jobs", "2", root=scans.path)
    assert code == 0, err
    lines = out.splitlines()
    assert "OCR by Tesseract: 3 page(s) to read, 2 at a time" in lines
    assert [line for line in lines if line.startswith("OCR: ")] == [f"OCR: {n}/3 pages read" for n in (1, 2, 3)]
    # on a terminal: a progress bar counting the pages
    import pty

    shutil.rmtree(scans.path / "out")
    main, child = pty.openpty()
    p = subprocess.Popen([str(Path(sys.executable).with_name("casefile")), "build", "--root", str(scans.path)],
                         stdin=child, stdout=child, stderr=child, env={**os.environ, "COLUMNS": "120"})
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the build ended: the terminal is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    assert p.wait() == 0, seen.decode("utf-8", "replace")
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode("utf-8", "replace"))
    for n in range(4):
        assert f"OCR: {n}/3 pages read" in shown, shown


# ------------------------------------------------------------------ pages OCR did not read in full

HIDDEN = "The hidden cell of Zeta Fictive"


def with_line(img: Image.Image, text: str, size: int = 8, fill: int = 0, stretch=(1.0, 1.0), y: int = 600):
    """The page with one more line: in `size`-pixel print, grey `fill`, stretched (x, y) times."""
    f = ImageFont.truetype(FONT, size)
    w = int(f.getlength(text)) + 10
    line = Image.new("L", (w, size * 2), 255)
    ImageDraw.Draw(line).text((0, size // 4), text, font=f, fill=fill)
    line = line.resize((max(1, int(w * stretch[0])), max(1, int(size * 2 * stretch[1]))))
    img.paste(line, (60 if stretch != (1.0, 1.0) else 150, y))
    return img


def read_pages(pages: dict, tmp_path: Path) -> dict:
    """name -> (OcrPage, why it was not fully read) through the real OCR of one image each."""
    from casefile.intake import ocr

    tasks = []
    for name, (img, langs) in pages.items():
        path = tmp_path / f"{name}.png"
        img.save(path, dpi=(200, 200))
        tasks.append(ocr.PageTask(path, name, None, (0, 0), langs))
    read = ocr.ocr_pages(tasks, 2, tmp_path / "scratch")
    return {name: (page, ocr.not_read(page)) for name, page in zip(pages, read)}


def test_what_tesseract_did_not_read_is_found_on_the_page(tmp_path):
    from casefile.intake import ocr

    seen = read_pages({
        "english": (scan(ENGLISH), "eng"),
        "persian": (scan(PERSIAN, rtl=True), "fas+eng"),
        "ruled": (_ruled(scan(ENGLISH)), "eng"),
        "photocopied": (_photocopied(scan(ENGLISH)), "eng"),
        "lit": (_lit(scan(ENGLISH), 50), "eng"),
        "diagram": (Image.open(REPO / "exhibits/1988-massacre/images/places-named-in-the-sources.png"), "eng"),
        "shadowed": (_lit(scan(ENGLISH), 70), "eng"),
        "tiny": (with_line(scan(ENGLISH), HIDDEN, size=8), "eng"),
        "stretched": (with_line(scan(ENGLISH), HIDDEN, size=44, stretch=(4, 0.35)), "eng"),
        "squashed": (with_line(scan(ENGLISH), HIDDEN, size=44, stretch=(1, 0.2)), "eng"),
        "grey": (with_line(scan(ENGLISH), HIDDEN, size=44, fill=190), "eng"),
    }, tmp_path)
    # clean print, English and Persian; a page with rules and a frame; a scan blurred, turned,
    # specked and saved as a JPEG; one lit unevenly; the sample case's diagram (framed boxes, a
    # framed banner): read in full
    for name in ("english", "persian", "ruled", "photocopied", "lit", "diagram"):
        page, why = seen[name]
        assert why == "", (name, why, page.outside[:3])
        assert page.lines and not [p for p in page.outside if p.ink >= ocr.UNREAD_INK]
    # Tesseract gave no word for these lines (too small, stretched, too light): their ink is
    # outside every word box
    for name in ("tiny", "stretched", "grey"):
        page, why = seen[name]
        assert "Zeta" not in page.text, (name, page.text)
        assert why == "ink outside the words Tesseract read, near the top of the page", (name, why)
        assert any(abs(p.top - 600) < 40 for p in page.outside if p.ink >= ocr.UNREAD_INK)
    # in a deeper shadow Tesseract itself loses the end of a line of clean print: found as well
    page, why = seen["shadowed"]
    assert "Anna Example" not in page.text and "given at Northtown" in page.text
    assert why == "ink outside the words Tesseract read, near the top of the page", why
    # a squashed line comes out as garbled words of low confidence
    page, why = seen["squashed"]
    assert "Zeta" not in page.text
    assert "read with less than 30% confidence, near the top of the page" in why, why


def _photocopied(img: Image.Image) -> Image.Image:
    """Turned by 0.7 degrees, blurred, greyed (25-242), 1,500 specks, a JPEG of quality 60."""
    import random

    r = random.Random(1)
    img = img.rotate(0.7, resample=Image.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.8)).point(lambda v: int(25 + v * 0.85))
    d = ImageDraw.Draw(img)
    for _ in range(1500):
        d.point((r.randrange(img.width), r.randrange(img.height)), fill=r.randrange(60, 160))
    b = io.BytesIO()
    img.save(b, "JPEG", quality=60)
    return Image.open(io.BytesIO(b.getvalue())).convert("L")


def _lit(img: Image.Image, fall: int) -> Image.Image:
    """Light falling off across the page, from white to grey 255 - fall (a phone photo, a book's gutter)."""
    from PIL import ImageChops

    shade = Image.linear_gradient("L").rotate(90).resize(img.size).point(lambda v: v * fall // 255)
    return ImageChops.subtract(img, shade)


def _ruled(img: Image.Image) -> Image.Image:
    d = ImageDraw.Draw(img)
    d.line((150, 500, 1500, 500), fill=0, width=3)  # a rule under the text
    d.rectangle((140, 230, 1520, 460), outline=0, width=2)  # a frame around it
    return img


@pytest.fixture
def partly(workspace):
    """A clean English scan, a clean Persian one, and a scan with a line in 8-pixel print that
    Tesseract does not read, naming a redacted term."""
    workspace.write("exhibits/demo/scan-en.png", png(scan(ENGLISH)))
    workspace.write("exhibits/demo/scan-fa.png", png(scan(PERSIAN, rtl=True)))
    workspace.write("exhibits/demo/tiny.png", png(with_line(scan(ENGLISH), HIDDEN, size=8)))
    workspace.item("a1", extra="redact: [Zeta Fictive]\nexhibits:\n  - file: tiny.png\n  - file: scan-en.png\n")
    workspace.item("a2", date="1988-09", extra="language: fa\nexhibits:\n  - file: scan-fa.png\n")
    return workspace


WARNING = ("exhibits/demo/tiny.png:0: page 1: not fully read by OCR (ink outside the words Tesseract read, near the "
           "top of the page): withheld from the public edition; check the page (the confidential edition shows it), "
           "then write public_reviewed: true in its exhibit entry (cases/demo/evidence/a1.md:12)")


def _images(pdf) -> list[int]:
    """1-based pages drawing an image (directly or in a form)."""
    out = []
    for k, page in enumerate(PdfReader(str(pdf)).pages, 1):
        xs = list((page.get("/Resources") or {}).get("/XObject", {}).values())
        while xs:
            x = xs.pop().get_object()
            if x.get("/Subtype") == "/Image":
                out.append(k)
                break
            xs += list((x.get("/Resources") or {}).get("/XObject", {}).values())
    return out


def test_a_page_ocr_did_not_read_in_full_is_withheld_from_the_public_edition(partly):
    from conftest import pages_text

    code, out, err = run("build", root=partly.path)
    assert code == 0, err  # the leak check cannot see the redacted term: Tesseract did not read it
    assert out.splitlines().count(WARNING) == 1, out
    pub, conf = partly.path / PUB, partly.path / OUT
    texts = pages_text(pub)
    placeholder = [k for k, t in enumerate(texts, 1) if "This image is withheld from the public edition" in t]
    assert len(placeholder) == 1
    assert ("This image is withheld from the public edition: OCR did not read all of it (ink outside the words "
            "Tesseract read, near the top of the page), so it could show a protected name the leak check cannot "
            "find. It is included once a person has checked it and its exhibit entry says public_reviewed: true."
            ) in texts[placeholder[0] - 1]
    assert placeholder[0] not in _images(pub)
    # the clean scans, English and Persian, are read in full: published, image and words
    public = " ".join(texts)
    assert ENGLISH[0] in public and PERSIAN[0] in public
    assert len(_images(pub)) == 2
    # nothing of the withheld page's text reaches the public edition (its OCR'd words are not drawn)
    assert public.count(ENGLISH[0]) == 1
    m = json.loads(PdfReader(str(pub)).attachments["casefile-manifest.json"][0])
    files = {f["label"]: f for e in m["exhibits"] for f in e.get("files", [])}
    assert files["EX-0001 file 1"]["withheld_pages"] == [1] and "machine_read_pages" not in files["EX-0001 file 1"]
    assert files["EX-0001 file 1"]["not_fully_read_pages"] == [1]
    assert not files["EX-0001 file 2"]["withheld_pages"] and "not_fully_read_pages" not in files["EX-0001 file 2"]
    annex = next(t for t in texts if "Annex" in t and "pages withheld" in t)
    assert "1 of 1 pages withheld from the public edition (not fully read by OCR)" in annex
    # the confidential edition is unaffected: the scan with its text layer, and a stamp saying
    # what the public edition does with it
    page = page_of(conf, "tiny.png")
    assert page in _images(conf)
    assert ("tiny.png · page 1 of 1 · withheld from the public edition (not fully read by OCR) · text layer "
            "machine-read (OCR)") in norm(PdfReader(str(conf)).pages[page - 1].extract_text())
    assert ENGLISH[0] in pdftotext(conf, page)
    # a person checked it: the exhibit entry says so, and the page is published (its text checked)
    p = partly.path / "cases/demo/evidence/a1.md"
    p.write_text(p.read_text().replace("  - file: tiny.png\n", "  - file: tiny.png\n    public_reviewed: true\n"))
    code, out, err = run("build", root=partly.path)
    assert code == 0, err
    assert "not fully read by OCR" not in out
    assert not any("is withheld from the public edition" in t for t in pages_text(pub))
    assert len(_images(pub)) == 3


def test_the_decision_comes_from_the_cache_a_rebuild_reads_nothing_and_is_byte_identical(partly, tmp_path,
                                                                                          monkeypatch):
    from casefile.intake import ocr

    log = counting_tool(tmp_path / "bin", "tesseract")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{PATH}")
    assert run("build", root=partly.path)[0] == 0
    runs = [line for line in log.read_text().splitlines() if "tsv" in line]
    assert len(runs) == 3
    first = {p: p.read_bytes() for p in (partly.path / "out/demo").rglob("*.pdf")}
    code, out, err = run("build", "--force", root=partly.path)
    assert code == 0, err
    assert "OCR by" not in out and out.splitlines().count(WARNING) == 1
    assert [line for line in log.read_text().splitlines() if "tsv" in line] == runs
    assert {p: p.read_bytes() for p in first} == first
    # the threshold is applied to the cached measurement at each build: raised, the same cache
    # (no OCR) publishes the page
    monkeypatch.setattr(ocr, "UNREAD_INK", 10**6)
    code, out, err = run("build", "--force", root=partly.path)
    assert code == 0, err
    assert [line for line in log.read_text().splitlines() if "tsv" in line] == runs
    assert "not fully read" not in out
    assert len(_images(partly.path / PUB)) == 3


def test_check_shows_the_ocr_as_build_does_and_warns_of_pages_not_fully_read(partly):
    code, out, err = run("check", root=partly.path)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("OCR by Tesseract: 3 page(s) to read, "), out
    assert "OCR: 3/3 pages read" in lines
    assert "exhibits/demo/scan-fa.png: OCR by Tesseract (fas+eng): 1 page(s)" in lines
    assert err.splitlines().count(WARNING) == 1, err
    n = len(err.splitlines())  # the case's other warnings, and this one
    assert lines[-1] == f"0 problems found, {n} warnings"
    # the next check finds the OCR in the cache: nothing to read, nothing shown but the result
    code, out, err = run("check", root=partly.path)
    assert code == 0 and "OCR" not in out and WARNING in err


def test_the_decision_is_made_from_the_measurement_alone():
    from casefile.errors import CaseError
    from casefile.intake.ocr import (MIN_CONFIDENCE, UNREAD_INK, InkPatch, OcrLine, OcrPage, OcrWord, as_record,
                                     from_record, not_read)

    page = OcrPage(1000, 1000, (OcrLine("A line", 0, 0, 100, 20),), "eng", (OcrWord(0, 0, 100, 20, 90, 400),),
                   (InkPatch(0, 900, 100, 920, UNREAD_INK - 1),), 1)
    assert not_read(page) == ""
    assert not_read(page._replace(outside=(InkPatch(0, 900, 100, 920, UNREAD_INK),))) == \
        "ink outside the words Tesseract read, near the foot of the page"
    low = page._replace(words=(OcrWord(0, 400, 100, 420, MIN_CONFIDENCE - 1, UNREAD_INK),))
    assert not_read(low) == "1 word read with less than 30% confidence, in the middle of the page"
    assert not_read(low._replace(words=(OcrWord(0, 400, 100, 420, MIN_CONFIDENCE - 1, UNREAD_INK - 1),))) == ""
    assert not_read(page._replace(patches=300)) == "300 patches of ink outside the words Tesseract read"
    assert not_read(page._replace(dark=True)).startswith("the image is not dark print on light paper")
    # cached and read back the same; a record without its measurement is refused, never taken as read
    assert from_record(json.loads(json.dumps(as_record(page)))) == page
    record = as_record(page)
    del record["outside"]
    with pytest.raises(CaseError):
        from_record(record)


def test_a_word_box_far_taller_than_the_words_covers_nothing(tmp_path):
    from casefile.intake.ocr import OcrLine, OcrPage, OcrWord, measure, not_read

    img = Image.new("L", (1000, 1000), 255)
    d = ImageDraw.Draw(img)
    words = []
    for k in range(8):  # words of text, 20 pixels high
        d.rectangle((50 + 110 * k, 50, 140 + 110 * k, 62), fill=0)
        words.append(OcrWord(50 + 110 * k, 45, 140 + 110 * k, 65, 95, 0))
    d.ellipse((400, 400, 700, 700), fill=60)  # a picture
    img.save(tmp_path / "page.png")
    page = OcrPage(1000, 1000, (OcrLine("words", 50, 45, 930, 65),), "eng", tuple(words))
    assert not_read(measure(page, tmp_path / "page.png")) == \
        "ink outside the words Tesseract read, in the middle of the page"
    # Tesseract's box for noise or a picture, 300 pixels high, covers it no more than nothing
    giant = page._replace(words=(*words, OcrWord(380, 380, 720, 720, 95, 0)))
    assert not_read(measure(giant, tmp_path / "page.png")) == \
        "ink outside the words Tesseract read, in the middle of the page"
    # a box of a word in a heading five times the size of the text does cover its ink
    heading = page._replace(words=(*words, OcrWord(380, 380, 720, 480, 95, 0)))
    d.rectangle((400, 400, 700, 700), fill=255)
    d.rectangle((400, 400, 700, 470), fill=0)
    img.save(tmp_path / "page.png")
    assert not_read(measure(heading, tmp_path / "page.png")) == ""
    assert not_read(measure(page, tmp_path / "page.png")) != ""
