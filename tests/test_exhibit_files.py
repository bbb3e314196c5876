"""Exhibit files inside the dossier: PDF pages placed after their item, images, text, media,
what never survives from an exhibit PDF, the manifest, determinism, bad files, chain of custody
and the annex. Every exhibit file is made on the fly; the PDF is read back with pypdf (and
rendered with pdftoppm where what matters is what a reader sees)."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from reportlab.lib.pagesizes import A4, landscape

from casefile.typeset.styles import FILE_BAND_BOTTOM, FILE_BAND_TOP, page_geometry
from casefile.commands.verify import content_sha256
from conftest import (OUT, build, exhibit_item, file_entry, flate_bomb_pdf, make_pdf, manifest, norm, pages_text, png,
                      png_header_only, poppler, raw_pdf, run)

PAGE_W, PAGE_H = page_geometry("A4").size  # the demo case's pages (no page_size: A4)
CONTENT = page_geometry("A4").frame

# ------------------------------------------------------------------ exhibit files, made here

def write_pdf(writer: PdfWriter) -> bytes:
    b = io.BytesIO()
    writer.write(b)
    return b.getvalue()


def rotated_pdf(label: str, degrees: int = 90) -> bytes:
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([label], corner=True))))
    w.pages[0].rotate(degrees)
    return write_pdf(w)


def active_pdf(label: str) -> bytes:
    """A PDF with everything that must not survive: a URI link, JavaScript run on opening,
    a page action, a form field and an embedded file."""
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([label]))))
    page = w.pages[0]
    w.add_annotation(0, DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(100), NumberObject(100), NumberObject(300), NumberObject(200)]),
        NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/URI"),
                                            NameObject("/URI"): TextStringObject("https://evil.example/x")})}))
    field = w.add_annotation(0, DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("secretfield"),
        NameObject("/Rect"): ArrayObject([NumberObject(100), NumberObject(300), NumberObject(300), NumberObject(330)])}))
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('page')")})})
    root = w.root_object
    root[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject([field.indirect_reference])})
    root[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('open')")})
    w.add_attachment("payload.exe", b"MZ evil payload")
    # a resource entry pointing back at the catalog: copying resources must not drag it along
    res = page["/Resources"].get_object()
    res[NameObject("/Properties")] = DictionaryObject({NameObject("/Sneaky"): root.indirect_reference})
    return write_pdf(w)


def annotated_pdf() -> bytes:
    """A page with a filled-in form field, a black "stamp" annotation at its lower left and a
    hidden annotation: what a viewer shows of them must survive (flattened), nothing else."""
    def stream(dictionary: bytes, data: bytes) -> bytes:
        return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)

    def appearance(ops: bytes, bbox: bytes) -> bytes:
        return stream(b"/Type /XObject /Subtype /Form /BBox [%s] /Resources << /Font << /Helv 6 0 R >> >>" % bbox, ops)

    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [7 0 R] >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.2756 841.8898] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R 9 0 R 11 0 R] >>",
        stream(b"", b"BT /F1 24 Tf 150 420.9449 Td (ANNOTATED PAGE) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Annot /Subtype /Widget /Rect [100 600 400 630] /F 4 /AP << /N 8 0 R >> "
        b"/FT /Tx /T (name) /V (FIELD VALUE) /P 3 0 R >>",
        appearance(b"BT /Helv 14 Tf 4 8 Td (FIELD VALUE) Tj ET", b"0 0 300 30"),
        b"<< /Type /Annot /Subtype /Stamp /Rect [0 0 120 120] /F 4 /AP << /N 10 0 R >> >>",
        appearance(b"0 g 0 0 10 10 re f", b"0 0 10 10"),
        b"<< /Type /Annot /Subtype /FreeText /Rect [100 400 400 430] /F 2 /AP << /N 12 0 R >> >>",
        appearance(b"BT /Helv 14 Tf 4 8 Td (HIDDEN TEXT) Tj ET", b"0 0 300 30"),
    ])


def page_tree_loop_pdf() -> bytes:
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"])


def encrypted_pdf(algorithm: str) -> bytes:
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["secret"]))))
    w.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    return write_pdf(w)


# ------------------------------------------------------------------ workspace helpers

def placed_box(page) -> tuple[float, float, float, float]:
    """Where the exhibit page landed on the dossier page (x, y, w, h): the hairline drawn round
    it right after the form of the exhibit page, moved to where the page's content places both
    (the flowable's own place, then the exhibit area's)."""
    content = page.get_contents().get_data()
    m = re.search(rb"1 0 0 1 ([-\d.]+) ([-\d.]+) cm\s+q\s+1 0 0 1 ([-\d.]+) ([-\d.]+) cm\s+q\s+[-\d. ]+ cm\s+"
                  rb"/FormXob\.cfExhibitPage\d+ Do", content)
    box = re.compile(rb"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re S").search(content, m.end())
    x, y, w, h = (float(v) for v in box.groups())
    dx, dy = float(m.group(1)) + float(m.group(3)), float(m.group(2)) + float(m.group(4))
    return x + dx, y + dy, w, h


def page_size(page) -> tuple[float, float]:
    return float(page.mediabox.width), float(page.mediabox.height)


def inside_file_area(page, box) -> bool:
    """The exhibit page lies on its dossier page clear of the bands above and below."""
    x, y, w, h = box
    pw, ph = page_size(page)
    eps = 0.01
    return x >= -eps and x + w <= pw + eps and y >= FILE_BAND_BOTTOM - eps and y + h <= ph - FILE_BAND_TOP + eps


def render_page(pdf: Path, page: int, tmp: Path, dpi: int = 36) -> Image.Image:
    prefix = tmp / f"render-{page}"
    subprocess.run([poppler("pdftoppm"), "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", str(pdf), str(prefix)],
                   check=True, capture_output=True)
    out = next(tmp.glob(f"render-{page}*.png"))
    img = Image.open(out).convert("L")
    img.load()
    out.unlink()
    return img


def region_mean(img: Image.Image, box_pt, dpi: int = 36) -> float:
    """Mean grey level (0 black .. 255 white) of a box given in PDF points (x, y, w, h)."""
    k = dpi / 72
    x, y, w, h = box_pt
    top = img.height - (y + h) * k
    crop = img.crop((int(x * k), int(top), int((x + w) * k), int(top + h * k)))
    return ImageStat.Stat(crop).mean[0]


# ------------------------------------------------------------------ PDF exhibits

def test_pdf_pages_follow_their_item_each_stamped(workspace):
    workspace.write("exhibits/demo/letter.pdf", make_pdf(["LETTER ONE", "LETTER TWO", "LETTER THREE"]))
    exhibit_item(workspace, "a1", ["letter.pdf"])
    workspace.item("a2", date="1988-09")
    pdf = build(workspace)
    texts = pages_text(pdf)
    m = manifest(pdf)
    ex1 = next(e for e in m["exhibits"] if e["number"] == "EX-0001")
    first, last = file_entry(m, "letter.pdf")["pages"]
    assert (first, last) == (ex1["pages"][0] + 1, ex1["pages"][1])  # right after the item's own page
    assert last - first + 1 == 3
    for k, label in enumerate(["LETTER ONE", "LETTER TWO", "LETTER THREE"]):
        page = first + k
        t = texts[page - 1]
        assert label in t
        assert f"EX-0001 · letter.pdf · page {k + 1} of 3" in t
        assert f"DM-0001-{k + 1:04d}" in t  # the page's evidence number: document 1, page k + 1
        assert "DM-ALPHA" not in t  # and no per-dossier stamp
        assert f"Page {page} of {len(texts)}" in t  # and footer
    # the next item starts after the exhibit's last page
    assert "Title of a2" in texts[last]
    r = PdfReader(str(pdf))
    for page in range(first, last + 1):  # an A4 page on an A4 page, at no less than 95 %
        box = placed_box(r.pages[page - 1])
        assert inside_file_area(r.pages[page - 1], box)
        assert page_size(r.pages[page - 1]) == pytest.approx(A4)
        assert box[2] >= 0.95 * A4[0] and box[3] >= 0.95 * A4[1]


def test_rotated_and_landscape_pages_are_upright_and_fitted(workspace, tmp_path):
    workspace.write("exhibits/demo/rot.pdf", rotated_pdf("ROTATED", 90))
    workspace.write("exhibits/demo/rot270.pdf", rotated_pdf("ROTATED270", 270))
    workspace.write("exhibits/demo/land.pdf", make_pdf(["LANDSCAPE"], size=landscape(A4), corner=True))
    exhibit_item(workspace, "a1", ["rot.pdf", "rot270.pdf", "land.pdf"])
    pdf = build(workspace)
    m = manifest(pdf)
    r = PdfReader(str(pdf))
    for name in ("rot.pdf", "rot270.pdf", "land.pdf"):
        page = file_entry(m, name)["pages"][0]
        x, y, w, h = placed_box(r.pages[page - 1])
        assert inside_file_area(r.pages[page - 1], (x, y, w, h))
        assert w > h, f"{name}: shown as the viewer shows it, landscape"
        pw, ph = page_size(r.pages[page - 1])
        assert pw > ph and pw == pytest.approx(A4[1]), f"{name}: on a landscape page of its own width"
        assert w >= 0.95 * A4[1] - 0.01 and h >= 0.95 * A4[0] - 0.01  # at no less than 95 %
        assert "/Rotate" not in r.pages[page - 1] or r.pages[page - 1]["/Rotate"] == 0
    # the black corner square is where a viewer shows it on the exhibit itself
    for name, corner in (("rot.pdf", "top-left"), ("rot270.pdf", "bottom-right"), ("land.pdf", "bottom-left")):
        page = file_entry(m, name)["pages"][0]
        img = render_page(pdf, page, tmp_path)
        x, y, w, h = placed_box(r.pages[page - 1])
        q = {"bottom-left": (x, y), "top-left": (x, y + h - 40), "bottom-right": (x + w - 40, y),
             "top-right": (x + w - 40, y + h - 40)}
        means = {k: region_mean(img, (qx + 2, qy + 2, 36, 36)) for k, (qx, qy) in q.items()}
        assert min(means, key=means.get) == corner, (name, means)


def test_stamps_stay_visible_over_an_opaque_full_page_scan(workspace, tmp_path):
    workspace.write("exhibits/demo/scan.pdf", make_pdf(["SCAN"], fill=(0.1, 0.1, 0.1)))
    exhibit_item(workspace, "a1", ["scan.pdf"])
    pdf = build(workspace)
    page = file_entry(manifest(pdf), "scan.pdf")["pages"][0]
    img = render_page(pdf, page, tmp_path, dpi=72)
    cx, cy, cw, ch = placed_box(PdfReader(str(pdf)).pages[page - 1])
    assert region_mean(img, (cx + 20, cy + 20, cw - 40, ch - 40), dpi=72) < 60  # the scan is there
    # nothing of it outside its box: the bands above and below stay white but for the text
    assert region_mean(img, (0, 0, PAGE_W, cy - 1), dpi=72) > 200
    assert region_mean(img, (0, cy + ch + 1, PAGE_W, PAGE_H - cy - ch - 1), dpi=72) > 200
    assert region_mean(img, (0, cy, cx - 1, ch), dpi=72) > 250
    assert region_mean(img, (cx + cw + 1, cy, PAGE_W - cx - cw - 1, ch), dpi=72) > 250
    text = pages_text(pdf)[page - 1]
    assert "EX-0001 · scan.pdf · page 1 of 1" in text and "DM-0001-0001" in text


def test_exhibit_pdf_loses_links_javascript_forms_and_attachments(workspace):
    workspace.write("exhibits/demo/active.pdf", active_pdf("ACTIVE CONTENT"))
    exhibit_item(workspace, "a1", ["active.pdf"])
    pdf = build(workspace)
    m = manifest(pdf)
    page = file_entry(m, "active.pdf")["pages"][0]
    r = PdfReader(str(pdf))
    assert "ACTIVE CONTENT" in pages_text(pdf)[page - 1]  # the page itself is there
    root = r.trailer["/Root"]
    assert "/AcroForm" not in root and "/AA" not in root
    # the dossier's own opening view (a destination: page 1 at 100 %), never the exhibit's action
    open_at = root["/OpenAction"].get_object()
    assert list(open_at)[1:] == ["/XYZ", 0, open_at[3], 1] and open_at[0].idnum == r.pages[0].indirect_reference.idnum
    assert list(r.attachments) == ["casefile-manifest.json"]
    for p in r.pages:
        assert "/AA" not in p
        for a in p.get("/Annots", []) or []:
            a = a.get_object()
            assert a["/Subtype"] == "/Link"
            action = a.get("/A")
            assert action is None or action.get("/S") == "/GoTo", action
    raw = pdf.read_bytes()
    # (pypdf writes the punctuation of strings as octal escapes: look for plain words)
    for word in (b"/JavaScript", b"/JS", b"/URI", b"/Widget", b"/AcroForm", b"evil", b"payload",
                 b"secretfield", b"MZ evil", b"/Launch", b"alert"):
        assert word not in raw, word
    assert raw.count(b"/OpenAction") == 1  # the dossier's own
    assert raw.count(b"/Type /Catalog") == 1  # the resource pointing at the exhibit's catalog led nowhere


def test_annotation_appearances_are_flattened_not_kept(workspace, tmp_path):
    workspace.write("exhibits/demo/form.pdf", annotated_pdf())
    exhibit_item(workspace, "a1", ["form.pdf"])
    pdf = build(workspace)
    page = file_entry(manifest(pdf), "form.pdf")["pages"][0]
    text = pages_text(pdf)[page - 1]
    assert "ANNOTATED PAGE" in text and "FIELD VALUE" in text
    assert "HIDDEN TEXT" not in text
    r = PdfReader(str(pdf))
    assert not r.pages[page - 1].get("/Annots")
    assert "/AcroForm" not in r.trailer["/Root"]
    assert b"/Widget" not in pdf.read_bytes()
    # the black stamp sits at the exhibit page's lower left
    img = render_page(pdf, page, tmp_path)
    x, y, w, h = placed_box(r.pages[page - 1])
    assert region_mean(img, (x + 4, y + 4, 30, 30)) < 80
    assert region_mean(img, (x + w - 40, y + 4, 30, 30)) > 200


# ------------------------------------------------------------------ images, text, media

def test_images_become_fitted_pages(workspace, tmp_path):
    workspace.write("exhibits/demo/wide.png", png((1600, 400), (20, 20, 160)))
    b = io.BytesIO()
    Image.new("RGB", (300, 900), (30, 120, 30)).save(b, "JPEG")
    workspace.write("exhibits/demo/tall.jpg", b.getvalue())
    workspace.write("exhibits/demo/clear.png", png((200, 200), (0, 0, 0, 0), mode="RGBA"))
    exhibit_item(workspace, "a1", ["wide.png", "tall.jpg", "clear.png"])
    pdf = build(workspace)
    m = manifest(pdf)
    texts = pages_text(pdf)
    r = PdfReader(str(pdf))
    for name in ("wide.png", "tall.jpg", "clear.png"):
        first, last = file_entry(m, name)["pages"]
        assert first == last
        assert f"EX-0001 · {name} · page 1 of 1" in texts[first - 1]
        assert "reduced" not in texts[first - 1]  # at their own resolution (under 300 dpi here)
    # a wide picture gets a landscape page, a tall one a portrait page
    wide = r.pages[file_entry(m, "wide.png")["pages"][0] - 1].mediabox
    tall = r.pages[file_entry(m, "tall.jpg")["pages"][0] - 1].mediabox
    assert float(wide.width) > float(wide.height) and float(tall.width) < float(tall.height)
    # the JPEG is embedded as the JPEG it is: its bytes, unchanged, in the dossier
    assert (workspace.path / "exhibits/demo/tall.jpg").read_bytes() in pdf.read_bytes()
    cx, cy, cw, ch = CONTENT
    img = render_page(pdf, file_entry(m, "tall.jpg")["pages"][0], tmp_path)
    assert region_mean(img, (PAGE_W / 2 - 20, PAGE_H / 2 - 20, 40, 40)) < 150  # the picture, centred
    assert region_mean(img, (0, 0, PAGE_W, FILE_BAND_BOTTOM - 1)) > 200  # the band below clear but for text
    img = render_page(pdf, file_entry(m, "clear.png")["pages"][0], tmp_path)
    assert region_mean(img, (cx + 10, cy + 10, cw - 20, ch - 20)) > 250  # transparency is white, not black


def test_jpeg_keeps_its_bytes_and_orientation_and_a_reduced_image_says_so(workspace, tmp_path):
    """A JPEG whose EXIF orientation turns it is embedded unchanged and drawn turned; an image
    above 300 dpi at the size it is printed is reduced to 300 dpi, and its page says so."""
    b = io.BytesIO()
    stored = Image.new("RGB", (900, 300), (230, 230, 230))
    stored.paste((0, 0, 0), (0, 0, 300, 300))  # black at the stored image's left
    exif = Image.Exif()
    exif[0x0112] = 6  # to be turned 90° clockwise: black at the top once upright
    stored.save(b, "JPEG", exif=exif.tobytes())
    workspace.write("exhibits/demo/turned.jpg", b.getvalue())
    workspace.write("exhibits/demo/huge.png", png((6000, 1500), (20, 20, 160)))
    exhibit_item(workspace, "a1", ["turned.jpg", "huge.png"])
    pdf = build(workspace)
    m = manifest(pdf)
    r = PdfReader(str(pdf))
    assert b.getvalue() in pdf.read_bytes()
    page = file_entry(m, "turned.jpg")["pages"][0]
    box = r.pages[page - 1].mediabox
    assert float(box.width) < float(box.height)  # upright it is tall: a portrait page
    img = render_page(pdf, page, tmp_path)
    top = region_mean(img, (PAGE_W / 2 - 20, PAGE_H / 2 + 150, 40, 40))
    bottom = region_mean(img, (PAGE_W / 2 - 20, PAGE_H / 2 - 190, 40, 40))
    assert top < 60 < 200 < bottom, (top, bottom)
    huge = file_entry(m, "huge.png")["pages"][0]
    text = pages_text(pdf)[huge - 1]
    assert re.search(r"image reduced from 6000×1500 to \d{4}×\d{3} pixels \(300 dpi at this size\)", text), text
    images = [o for o in r.pages[huge - 1]["/Resources"]["/XObject"].values()]
    widths = [int(x.get_object()["/Width"]) for x in images if x.get_object().get("/Subtype") == "/Image"]
    assert widths and all(3000 < w_ < 3400 for w_ in widths), widths


def test_long_text_file_breaks_across_stamped_pages(workspace):
    lines = [f"line {i:04d} " + "word " * (i % 30) for i in range(600)]
    lines.append("y" * 5000)  # one very long line: wrapped, never off the page
    lines.append("tab\there\x00and a control character")
    workspace.write("exhibits/demo/notes.txt", "\n".join(lines) + "\nTHE LAST LINE\n")
    exhibit_item(workspace, "a1", ["notes.txt"])
    pdf = build(workspace)
    first, last = file_entry(manifest(pdf), "notes.txt")["pages"]
    n = last - first + 1
    assert n >= 5
    texts = pages_text(pdf)
    spans = []  # each page says which lines of the stored file it shows: together, all 603 in order
    for k in range(n):
        m = re.search(r"EX-0001 · notes\.txt · lines? (\d+)(?:–(\d+))? of 603", texts[first - 1 + k])
        assert m, texts[first - 1 + k][-300:]
        spans.append((int(m.group(1)), int(m.group(2) or m.group(1))))
    assert spans[0][0] == 1 and spans[-1][1] == 603
    assert all(b[0] in (a[1], a[1] + 1) for a, b in zip(spans, spans[1:])), spans
    assert "line 0000" in texts[first - 1]
    assert "THE LAST LINE" in texts[last - 1]
    joined = " ".join(texts[first - 1:last])
    assert all(f"line {i:04d}" in joined for i in range(600))
    assert "tab here" in joined


def test_media_is_a_placeholder_and_attached_only_on_request(workspace):
    clip = b"ID3\x03\x00" + bytes(range(256)) * 40
    workspace.write("exhibits/demo/clip.mp3", clip)
    exhibit_item(workspace, "a1", ["clip.mp3"])
    pdf = build(workspace)
    m = manifest(pdf)
    entry = file_entry(m, "clip.mp3")
    page = entry["pages"][0]
    text = pages_text(pdf)[page - 1]
    assert "Exhibit file placeholder" in text and hashlib.sha256(clip).hexdigest() in text.replace(" ", "")
    assert "EX-0001 · clip.mp3 · page 1 of 1" in text
    assert entry["attachment"] is None
    assert list(PdfReader(str(pdf)).attachments) == ["casefile-manifest.json"]

    pdf = build(workspace, "--attach-media")
    r = PdfReader(str(pdf))
    name = file_entry(manifest(pdf), "clip.mp3")["attachment"]
    assert name == "EX-0001-file1-clip.mp3"
    assert sorted(r.attachments) == sorted(["casefile-manifest.json", name])
    assert r.attachments[name][0] == clip


# ------------------------------------------------------------------ manifest and determinism

def test_manifest_records_exhibits_files_pages_and_content_hash(workspace):
    workspace.write("exhibits/demo/letter.pdf", make_pdf(["MANIFEST LETTER A", "MANIFEST LETTER B"]))
    workspace.write("exhibits/demo/pic.png", png())
    exhibit_item(workspace, "a1", ["letter.pdf", "pic.png"])
    workspace.item("a2", date="1988-09")
    pdf = build(workspace)
    r = PdfReader(str(pdf))
    m = manifest(pdf)
    assert (m["case"], m["accused"], m["edition"]) == ("demo", "alpha", "confidential")
    assert m["pages"] == len(r.pages)
    assert m["content_sha256"] == content_sha256(pdf.read_bytes(), m["content_sha256"])
    assert m["content_hash"].startswith("casefile-content-v2")
    assert [e["number"] for e in m["exhibits"]] == ["EX-0001", "EX-0002"]
    letter = file_entry(m, "letter.pdf")
    data = (workspace.path / "exhibits/demo/letter.pdf").read_bytes()
    assert letter["sha256"] == hashlib.sha256(data).hexdigest() and letter["size"] == len(data)
    assert letter["source_pages"] == 2
    texts = pages_text(pdf)
    a, b = letter["pages"]
    assert "MANIFEST LETTER A" in texts[a - 1] and "MANIFEST LETTER B" in texts[b - 1] and b == a + 1
    pic = file_entry(m, "pic.png")["pages"]
    assert pic == [b + 1, b + 1]
    ex2 = m["exhibits"][1]
    assert ex2["pages"][0] == b + 2 and "Title of a2" in texts[ex2["pages"][0] - 1]


def test_identical_inputs_give_identical_bytes(workspace):
    workspace.write("exhibits/demo/letter.pdf", make_pdf(["SAME"]))
    workspace.write("exhibits/demo/rot.pdf", rotated_pdf("SAME ROTATED"))
    workspace.write("exhibits/demo/pic.png", png())
    workspace.write("exhibits/demo/clip.mp3", b"ID3 bytes")
    exhibit_item(workspace, "a1", ["letter.pdf", "rot.pdf", "pic.png", "clip.mp3"])
    first = hashlib.sha256(build(workspace, "--attach-media").read_bytes()).hexdigest()
    second = hashlib.sha256(build(workspace, "--attach-media").read_bytes()).hexdigest()
    assert first == second
    ids = PdfReader(str(workspace.path / OUT)).trailer["/ID"]
    assert ids[0] == ids[1]


# ------------------------------------------------------------------ bad files

BAD = {
    "corrupt.pdf": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n",
                    "pdf: not a readable PDF"),
    "truncated.pdf": (lambda: make_pdf(["TRUNCATED"])[:1500],
                      "pdf: the PDF is truncated or damaged (no %%EOF marker at its end)"),
    "empty.pdf": (lambda: b"", "file: the file is empty"),
    "rc4.pdf": (lambda: encrypted_pdf("RC4-128"), "pdf: the PDF is encrypted; give a decrypted copy"),
    "aes.pdf": (lambda: encrypted_pdf("AES-256"), "pdf: the PDF is encrypted; give a decrypted copy"),
    "text.pdf": (lambda: b"just some text, not a PDF\n",
                 "pdf: not a PDF (the file does not start with %PDF-)"),
    "bomb.pdf": (flate_bomb_pdf,
                 "pdf: page 1: refused as a decompression bomb (a stream inflates beyond 50 MB)"),
    "loop.pdf": (page_tree_loop_pdf, "pdf: not a readable PDF: the page tree has a loop"),
    "huge.png": (lambda: png_header_only(20000, 20000),
                 "image: image too large (20000×20000 = 400 megapixels; the limit is 60 megapixels); "
                 "refused before decoding"),
    "big.png": (lambda: png_header_only(12000, 12000),
                "image: image too large (12000×12000 = 144 megapixels; the limit is 60 megapixels); "
                "refused before decoding"),
    "broken.png": (lambda: png()[:60], "image: not a readable image"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_exhibit_files_are_one_line_errors_and_nothing_is_written(workspace, name):
    workspace.write("exhibits/demo/good.pdf", make_pdf(["GOOD"]))
    exhibit_item(workspace, "a1", ["good.pdf"])
    before = build(workspace).read_bytes()
    make, message = BAD[name]
    workspace.write(f"exhibits/demo/{name}", make())
    exhibit_item(workspace, "a2", [name])
    code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", "--force",
                         root=workspace.path)
    assert code == 1, err + out
    lines = err.strip().splitlines()
    mine = [l for l in lines if l.startswith(f"exhibits/demo/{name}:0: ")]
    assert len(mine) == 1, lines
    assert mine[0].startswith(f"exhibits/demo/{name}:0: {message}"), mine[0]
    # one line for the bad file (issue 15, point 11): it names the file and the item line listing it
    assert mine[0].endswith("(listed at cases/demo/evidence/a2.md:11)"), mine[0]
    assert lines[-1] == "1 problem found", lines
    assert "Traceback" not in err and "internal error" not in err
    assert (workspace.path / OUT).read_bytes() == before


# ------------------------------------------------------------------ chain of custody and the annex

def test_changed_exhibit_stops_the_build_until_accepted(workspace):
    path = workspace.write("exhibits/demo/x.pdf", make_pdf(["ORIGINAL"]))
    exhibit_item(workspace, "a1", ["x.pdf"])
    before = build(workspace).read_bytes()
    old = hashlib.sha256(path.read_bytes()).hexdigest()
    lock = workspace.path / "cases/demo/exhibits.lock"
    assert f"file  {old}  {path.stat().st_size}  \"x.pdf\"" in lock.read_text()
    path.write_bytes(make_pdf(["ALTERED"]))
    new = hashlib.sha256(path.read_bytes()).hexdigest()
    code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", root=workspace.path)
    assert code == 1
    assert (f"exhibits/demo/x.pdf:0: sha256: exhibit changed since it was recorded (sha256 {old} → {new}); "
            f"if the change is intended, rebuild with --accept-changes exhibits/demo/x.pdf") in err.splitlines()
    assert (workspace.path / OUT).read_bytes() == before
    pdf = build(workspace, "--accept-changes", "exhibits/demo/x.pdf")
    assert f"file  {new}  {path.stat().st_size}  \"x.pdf\"" in lock.read_text()
    # other bytes are another document: a new number; the old one is kept, retired, never reused
    assert f"document  0001  retired  {old}  \"x.pdf\"" in lock.read_text()
    assert f"document  0002  active   {new}  \"x.pdf\"" in lock.read_text()
    assert f"file  {old}" not in lock.read_text()
    assert "ALTERED" in " ".join(pages_text(pdf))
    assert "DM-0002-0001" in " ".join(pages_text(pdf)) and "DM-0001-0001" not in " ".join(pages_text(pdf))
    assert file_entry(manifest(pdf), "x.pdf")["sha256"] == new


def test_annex_lists_every_file_where_its_pages_are(workspace):
    workspace.write("exhibits/demo/letter.pdf", make_pdf(["ANNEX A", "ANNEX B", "ANNEX C"]))
    workspace.write("exhibits/demo/pic.png", png())
    workspace.write("exhibits/demo/clip.mp3", b"ID3 clip")
    exhibit_item(workspace, "a1", ["letter.pdf", "pic.png"])
    exhibit_item(workspace, "a2", ["clip.mp3"], date="1988-09")
    pdf = build(workspace)
    texts = pages_text(pdf)
    annex = next(i for i, t in enumerate(texts) if "Annex: exhibit files and chain of custody" in t
                 and "SHA-256" in t)
    table = texts[annex].replace(" ", "")
    m = manifest(pdf)
    for number, name in (("EX-0001", "letter.pdf"), ("EX-0001", "pic.png"), ("EX-0002", "clip.mp3")):
        f = file_entry(m, name)
        a, b = f["pages"]
        shown = f"{a}–{b}" if b != a else f"{a}"
        assert re.search(f"DM-\\d{{4}}{re.escape(name)}.*?{f['sha256']}{number}{number}{re.escape(shown)}",
                         norm(table)), (name, table)
        # and the pages are really that file's: its stamp is on each
        for page in range(a, b + 1):
            assert f"{number} · {name} · page {page - a + 1} of {b - a + 1}" in texts[page - 1]
