"""Issue 15: witness protection and redaction fail closed (points 1-7), read back from the PDFs,
the manifest and the export: redaction markup checked like any syntax, every form of a protected
name replaced (parts, aliases, original script, case.yaml text), no internal identifier in the
public edition, withheld exhibits said to be withheld, pages the leak check cannot read withheld,
and the confidential edition marking everything the public one replaces or withholds."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from casefile.pdf.leakcheck import extract_everything, normalise
from conftest import CASE_YAML, make_pdf, outline_titles, pages_text, png, run

CONF, PUB = "out/demo/confidential/alpha.pdf", "out/demo/public/alpha.pdf"
REPLACED = "replaced in the public edition"
WITHHELD = "withheld from the public edition"


def set_witness(ws, id, witness: str, body: str = "Some text.", extra: str = "", date="1988-08"):
    """A testimony whose witness block is `witness` (YAML lines under `witness:`)."""
    ws.item(id, type="testimony", date=date, body=body, extra=extra)
    p = ws.path / f"cases/demo/evidence/{id}.md"
    p.write_text(p.read_text().replace("witness:\n  name: A Witness\n", "witness:\n" + witness))
    return p


def everything(pdf: Path) -> str:
    """Every text a PDF holds (page text, streams, metadata, outline, annotations, attachments),
    normalised, plus the names of its attachments."""
    data = Path(pdf).read_bytes()
    return "\n".join(normalise(t) for _, t in extract_everything(data))


def text_of(pdf) -> str:
    return " ".join(pages_text(pdf))


def word_boxes(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xmin, ymin, xmax, ymax) in points from the top left, read by pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(m.group(5), *map(float, m.group(1, 2, 3, 4))) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def highlighted(pdf: Path, page: int, word: str, tmp: Path) -> bool:
    """Whether `word` on `page` is drawn over the confidential edition's highlight (read from the
    rendered pixels: yellow behind the word's box)."""
    boxes = sorted((b for b in word_boxes(pdf, page) if word in b[0]), key=lambda b: b[3] - b[4])
    assert boxes, f"{word!r} is not on page {page}"  # the largest first (a heading, not the running head)
    out = tmp / f"hl-{page}"
    subprocess.run(["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-png", str(pdf), str(out)],
                   check=True)
    img = Image.open(next(tmp.glob(f"hl-{page}*.png"))).convert("RGB")
    _, x0, y0, x1, y1 = boxes[0]
    pixels = [img.getpixel((x, y)) for x in range(int(x0), int(x1)) for y in range(int(y0), int(y1))]
    yellow = sum(1 for r, g, b in pixels if r > 240 and 225 < g < 250 and 150 < b < 200)
    return yellow > len(pixels) * 0.2


def margin_notes(pdf: Path, page: int) -> str:
    """The words right of the content box (the margin notes) on `page`."""
    return " ".join(w for w, x0, *_ in word_boxes(pdf, page) if x0 > 535)


def page_with(pdf: Path, text: str) -> int:
    return next(i for i, t in enumerate(pages_text(pdf), 1) if text in t)


# ------------------------------------------------------------------ 1. redaction markup is syntax

@pytest.mark.parametrize("body, message", [
    ("He was questioned by [[a man called Zeta every night.", "'[[' is not closed by ']]'"),
    ("A stray close]] here.", "']]' closes nothing"),
    ("Nested [[outer [[inner]] still]] spans.", "spans cannot be nested"),
    ("Open [[here\n\nand closed in the next paragraph]].", "before the end of its paragraph"),
])
def test_bad_redaction_markup_in_a_body_is_an_error_at_its_line(workspace, body, message):
    workspace.item("a1", body="First line.\n" + body)
    code, out, err = run("check", root=workspace.path)
    assert code == 1, out
    line = next(l for l in err.splitlines() if message in l)
    assert line.startswith("cases/demo/evidence/a1.md:12: body: "), line
    code, out, err = run("build", root=workspace.path)
    assert code == 1 and not (workspace.path / PUB).exists()


def test_bad_redaction_markup_in_any_field_and_in_case_yaml(workspace):
    workspace.item("a1", extra="summary: \"A summary with [[an open span\"\n")
    p = workspace.path / "cases/demo/evidence/a1.md"
    p.write_text(p.read_text().replace("title: Title of a1", "title: \"A title]] with a stray close\""))
    workspace.write("cases/demo/case.yaml", CASE_YAML.replace("title: Ceasefire accepted",
                                                              "title: \"Ceasefire [[accepted\""))
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    assert "cases/demo/evidence/a1.md:4: title: ']]' closes nothing" in err
    assert "cases/demo/evidence/a1.md:10: summary: '[[' is not closed by ']]'" in err
    assert "cases/demo/case.yaml:34: events.0.title: '[[' is not closed by ']]'" in err
    assert err.strip().endswith("3 problems found")


def test_a_span_in_a_title_is_redacted_in_contents_bookmarks_and_running_head(workspace, tmp_path):
    workspace.item("a1", body="Body text.")
    p = workspace.path / "cases/demo/evidence/a1.md"
    p.write_text(p.read_text().replace("title: Title of a1", "title: \"Questioned by [[Iota]] at night\""))
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    pub, conf = workspace.path / PUB, workspace.path / CONF
    assert "iota" not in everything(pub) and "[[" not in everything(pub)
    titles = [t for _, t, _ in outline_titles(pub) if t.startswith("EX-0001")]
    assert titles == ["EX-0001 — Questioned by [redacted] at night"]
    ptext = pages_text(pub)
    assert "Questioned by [redacted] at night" in ptext[1]  # contents
    ex = page_with(pub, "EX-0001 · Statement")
    assert ptext[ex - 1].count("Questioned by [redacted] at night") >= 2  # running head and heading
    # confidential: the plain text, no brackets, marked
    assert [t for _, t, _ in outline_titles(conf) if t.startswith("EX-0001")] == ["EX-0001 — Questioned by Iota at night"]
    ctext = pages_text(conf)
    assert "[[" not in "".join(ctext) and "\ue000" not in everything(conf)
    ex = page_with(conf, "EX-0001 · Statement")
    assert ctext[ex - 1].count("Questioned by Iota at night") >= 2
    assert highlighted(conf, ex, "Iota", tmp_path) and "replaced" in margin_notes(conf, ex)
    assert highlighted(conf, 2, "Iota", tmp_path)  # the contents entry


def test_verify_public_searches_for_spans(workspace):
    workspace.item("a1", body="Body text.", extra="summary: \"He was questioned by [[a man called Zeta]].\"\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    assert "Zeta" not in text_of(workspace.path / PUB) and "[[" not in text_of(workspace.path / PUB)
    code, out, err = run("verify", str(workspace.path / PUB), "--edition", "public", root=workspace.path)
    assert code == 0, out + err
    assert "none of 0 " not in out and re.search(r"none of [1-9]\d* protected names", out), out


# ------------------------------------------------------------------ 2. every form of a protected name

WITNESS = ("  name: Delta Witnessname\n  name_original: دلتا ویتنس\n  aliases: [D. Witnessnaam]\n"
           "  protected: true\n  pseudonym: W-1\n")


def test_every_form_and_part_of_a_protected_name_is_replaced(workspace):
    set_witness(workspace, "t1", WITNESS, body="I, Delta Witnessname, saw it. Witnessname was moved.")
    workspace.item("s1", date="1988-09", body="Ms Witnessname, sister of Delta, and D. Witnessnaam (ویتنس) "
                                              "were there; the quality of the records is poor.")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    pub, conf = everything(workspace.path / PUB), text_of(workspace.path / CONF)
    for form in ("delta", "witnessname", "witnessnaam", "ویتنس", "دلتا"):
        assert form not in pub, form
    ptext = text_of(workspace.path / PUB)
    assert "Ms W-1, sister of W-1, and W-1 (W-1) were there" in ptext
    assert "the quality of the records" in ptext  # a part matches whole words only
    assert "Ms Witnessname, sister of Delta" in conf


def test_not_identifying_parts_stay(workspace):
    set_witness(workspace, "t1", WITNESS + "  not_identifying: [Delta]\n", body="Witnessname spoke.")
    workspace.item("s1", date="1988-09", body="Delta Force and Mr Witnessname.")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    ptext = text_of(workspace.path / PUB)
    assert "Delta Force and Mr W-1." in ptext and "Witnessname" not in ptext


def test_a_part_of_the_name_inside_another_name_is_warned_and_the_fix_named(workspace):
    """'Delta' is a word of the protected name: in 'Delta Force' it is replaced too (safe), and
    check says so with the fix (`not_identifying`); in an exhibit file it stops the build with
    both fixes."""
    p = set_witness(workspace, "t1", WITNESS, body="Delta Witnessname’s account; Witnessname himself.")
    workspace.item("s1", date="1988-09", body="Delta Force came; Delta Force left.")
    code, out, err = run("check", root=workspace.path)
    assert code == 0, err
    declared = f"cases/demo/evidence/t1.md:{next(i for i, l in enumerate(p.read_text().split(chr(10)), 1) if l == 'witness:')}"
    assert [l for l in err.splitlines() if "a word of the protected name" in l] == [
        f"cases/demo/evidence/s1.md:11: body: warning: 'Delta Force' (and 1 more place): 'Delta', a word of the "
        f"protected name 'Delta Witnessname', is replaced by 'W-1' here too in the public edition; if it names "
        f"someone else, list it under `not_identifying` at {declared}"]
    workspace.write("exhibits/demo/force.pdf", make_pdf(["The Delta Force report"]))
    workspace.item("s2", date="1988-10", extra="exhibits:\n  - file: force.pdf\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 1
    assert re.search(r"^exhibits/demo/force\.pdf:0: page 1: 'Delta' .*mark the file `confidential: true` .*; or, "
                     rf"if 'Delta' does not identify 'Delta Witnessname' here \(another person's name\), list it "
                     rf"under `not_identifying` at {re.escape(declared)}$", err, re.M), err
    p.write_text(p.read_text().replace("  pseudonym: W-1\n", "  pseudonym: W-1\n  not_identifying: [Delta]\n"))
    code, out, err = run("check", root=workspace.path)
    assert code == 0 and "a word of the protected name" not in err, err
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    assert "The Delta Force report" in text_of(workspace.path / PUB)


def test_a_form_left_in_an_exhibit_file_stops_the_build_naming_the_file_line_dossier_and_page(workspace):
    set_witness(workspace, "t1", WITNESS, body="Text.")
    workspace.write("exhibits/demo/notes.txt", "Line one.\nNotes taken by Witnessname himself.\n")
    workspace.write("exhibits/demo/scan.pdf", make_pdf(["A statement by Delta Witnessname"]))
    workspace.item("s1", date="1988-09", extra="exhibits:\n  - file: notes.txt\n  - file: scan.pdf\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 1, out
    assert not (workspace.path / PUB).exists()
    assert re.search(r"^exhibits/demo/notes\.txt:2: text: 'Witnessname' \(a form of the protected name 'Delta "
                     r"Witnessname'\) would appear in the public dossier of 'alpha' \(page \d+\); this exhibit file is "
                     r"printed in the public edition: give a copy with it removed, or mark the file "
                     r"`confidential: true` in an item that lists it", err, re.M), err
    assert re.search(r"^exhibits/demo/scan\.pdf:0: page 1: 'Delta Witnessname' \(a form of the protected name "
                     r"'Delta Witnessname', declared at cases/demo/evidence/t1\.md:\d+\) is in the text of this "
                     r"exhibit file and would appear on page \d+ of the public dossier of 'alpha'; give a copy "
                     r"with it removed, or mark the file `confidential: true`", err, re.M), err


def test_a_protected_person_declared_in_case_yaml(workspace):
    workspace.write("cases/demo/case.yaml", CASE_YAML + (
        "persons:\n  - name: Epsilon Sourcename\n    protected: true\n    pseudonym: SOURCE-A\n"))
    workspace.item("s1", body="Epsilon Sourcename told us; Sourcename again.",
                   extra="persons: [Epsilon Sourcename]\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    assert "sourcename" not in everything(workspace.path / PUB)
    assert "SOURCE-A told us; SOURCE-A again." in text_of(workspace.path / PUB)
    assert "Epsilon Sourcename told us" in text_of(workspace.path / CONF)


def test_a_pseudonym_must_not_identify(workspace):
    set_witness(workspace, "t1", "  name: Delta Witnessname\n  protected: true\n  pseudonym: Witnessname-1\n")
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    assert "witness.pseudonym: the pseudonym 'Witnessname-1' contains 'Witnessname'" in err


# ------------------------------------------------------------------ 4. case.yaml text

def test_case_yaml_text_is_redacted_and_a_leak_there_points_at_its_line(workspace, tmp_path):
    set_witness(workspace, "t1", WITNESS, body="Text.")
    case = CASE_YAML.replace("title: Ceasefire accepted",
                             "title: \"Delta Witnessname transferred; ceasefire [[in secret]] accepted\"")
    workspace.write("cases/demo/case.yaml", case)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    pub, conf = workspace.path / PUB, workspace.path / CONF
    assert "W-1 transferred; ceasefire [redacted] accepted" in text_of(pub)
    assert "secret" not in everything(pub) and "witnessname" not in everything(pub)
    chrono = page_with(conf, "Dated exhibits and the events")
    assert "Delta Witnessname transferred; ceasefire in secret accepted" in pages_text(conf)[chrono - 1]
    assert highlighted(conf, chrono, "secret", tmp_path) and highlighted(conf, chrono, "Witnessname", tmp_path)
    # a spelling the replacement does not know (Arabic yeh for Persian yeh) is caught and located
    workspace.write("cases/demo/case.yaml", case.replace("Delta Witnessname transferred", "ويتنس transferred"))
    code, out, err = run("build", root=workspace.path)
    assert code == 1
    assert re.search(r"^cases/demo/case\.yaml:34: events\.0\.title: 'ویتنس' \(a form of the protected name "
                     r"'Delta Witnessname'\) would appear in the public dossier of 'alpha' \(page \d+\); this "
                     r"spelling was not replaced by the pseudonym: add it to the `aliases`", err, re.M), err


# ------------------------------------------------------------------ 5. withheld, said so everywhere

def test_withheld_exhibits_are_said_to_be_withheld(workspace):
    workspace.item("c1", date="1988-07", extra="confidential: true\ncharges: [murder/killing]\n",
                   body="Sealed.")
    workspace.item("s1", date="1988-09", accused=("beta",), body="Another dossier's exhibit.")
    workspace.item("s2", date="1988-10", extra="charges: [persecution]\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    pub, conf = workspace.path / PUB, workspace.path / CONF
    ptext = pages_text(pub)
    matrix = "".join(t for t in ptext if "Evidence matrix" in t and "Charge / element" in t)
    assert "No supporting evidence" not in matrix.split("The perpetrator killed")[1].split("Persecution")[0]
    assert "Only exhibits withheld from the public edition: EX-0001" in matrix
    chrono = next(t for t in ptext if "Dated exhibits and the events" in t)
    assert "withheld Withheld from the public edition EX-0001" in chrono
    index = next(t for t in ptext if "Index of exhibits" in t and "Title and source" in t)
    assert "EX-0001 — Withheld from the public edition" in index
    assert "Not in this dossier: EX-0002 (in another dossier)." in index
    names = next(t for t in ptext if "Index of persons, places" in t and "Persons" in t)
    assert "The exhibits withheld from the public edition (EX-0001) are not indexed." in names
    annex = next(t for t in ptext if "Annex: exhibit files" in t and "SHA-256" in t)
    assert "withheld: the exhibit and its files are withheld from the public edition" in annex
    # the confidential edition says what the public one withholds
    page = page_with(conf, "This exhibit is withheld from the public edition")
    assert "withheld from the" in margin_notes(conf, page)


# ------------------------------------------------------------------ 6. what the leak check cannot read

def test_images_and_pages_without_text_are_withheld_unless_reviewed(workspace):
    workspace.write("exhibits/demo/scan.png", png())
    blank = io.BytesIO()
    from reportlab.pdfgen import canvas
    c = canvas.Canvas(blank, invariant=1)
    c.drawString(100, 700, "A typed page")
    c.showPage()
    c.rect(100, 100, 300, 300, fill=1)  # a page of drawing only: no text layer
    c.showPage()
    c.save()
    workspace.write("exhibits/demo/mixed.pdf", blank.getvalue())
    workspace.item("s1", extra="exhibits:\n  - file: scan.png\n  - file: mixed.pdf\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    pub, conf = workspace.path / PUB, workspace.path / CONF
    ptext = pages_text(pub)
    assert any("This image is withheld from the public edition: it has no text the leak check can read" in t
               for t in ptext)
    assert any("Page 2 of 2 of this file is withheld from the public edition" in t for t in ptext)
    assert any("A typed page" in t for t in ptext)
    reader = PdfReader(str(pub))
    images = sum(1 for p in reader.pages for x in (p.get("/Resources") or {}).get("/XObject", {}).values()
                 if x.get_object().get("/Subtype") == "/Image")
    assert images == 0
    m = json.loads(reader.attachments["casefile-manifest.json"][0])
    files = {f["label"]: f for e in m["exhibits"] for f in e.get("files", [])}
    assert files["EX-0001 file 1"]["withheld_pages"] == [1] and files["EX-0001 file 2"]["withheld_pages"] == [2]
    # the confidential edition shows them, each marked
    assert any("EX-0001 · scan.png · page 1 of 1 · withheld from the public edition (no text layer)" in t
               for t in pages_text(conf))
    assert any("EX-0001 · mixed.pdf · page 2 of 2 · withheld from the public edition (no text layer)" in t
               for t in pages_text(conf))
    # reviewed by a person: public
    p = workspace.path / "cases/demo/evidence/s1.md"
    p.write_text(p.read_text().replace("  - file: scan.png\n", "  - file: scan.png\n    public_reviewed: true\n"))
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    reader = PdfReader(str(pub))
    assert not any("This image is withheld" in t for t in pages_text(pub))
    assert any(x.get_object().get("/Subtype") == "/Image" for p in reader.pages
               for x in (p.get("/Resources") or {}).get("/XObject", {}).values())


# ------------------------------------------------------------------ 7. the confidential edition marks

def test_the_confidential_edition_marks_every_replacement(workspace, tmp_path):
    set_witness(workspace, "t1", WITNESS, body="Witnessname saw the Hidden Wing.",
                extra="redact: [Hidden Wing]\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    conf = workspace.path / CONF
    page = page_with(conf, "Witnessname saw the Hidden Wing.")
    assert highlighted(conf, page, "Witnessname", tmp_path)
    assert highlighted(conf, page, "Hidden", tmp_path)
    assert "replaced in the" in margin_notes(conf, page)
    assert "W-1 saw the [redacted]." in text_of(workspace.path / PUB)
    # and the public edition has no mark
    assert "replaced in the" not in text_of(workspace.path / PUB)


# ------------------------------------------------------------------ 3. no internal identifiers

def test_the_public_edition_carries_no_internal_identifier(workspace):
    set_witness(workspace, "testimony-witnessname", WITNESS, body="Text.",
                extra="exhibits:\n  - file: witnessname-statement.pdf\n  - file: clip.mp3\n")
    workspace.write("exhibits/demo/witnessname-statement.pdf", make_pdf(["STATEMENT W-1"]))
    workspace.write("exhibits/demo/clip.mp3", b"ID3 clip")
    code, out, err = run("build", "--attach-media", root=workspace.path)
    assert code == 0, err
    pub, conf = workspace.path / PUB, workspace.path / CONF
    everything_pub = everything(pub)
    for internal in ("testimony-witnessname", "witnessname-statement", "testimony-witnessname.md",
                     "cases/demo/evidence", "clip.mp3"):
        assert internal not in everything_pub, internal
    reader = PdfReader(str(pub))
    assert sorted(reader.attachments) == ["EX-0001-file2.mp3", "casefile-manifest.json"]
    m = json.loads(reader.attachments["casefile-manifest.json"][0])
    [ex] = m["exhibits"]
    assert ex["item"] is None
    assert [(f["label"], f["path"]) for f in ex["files"]] == [("EX-0001 file 1", None), ("EX-0001 file 2", None)]
    assert all(len(f["sha256"]) == 64 for f in ex["files"])
    assert "EX-0001 file 1" in text_of(pub) and "EX-0001 · file 1 · page 1 of 1" in text_of(pub)
    # the confidential edition keeps them
    mc = json.loads(PdfReader(str(conf)).attachments["casefile-manifest.json"][0])
    assert mc["exhibits"][0]["item"] == "testimony-witnessname"
    assert mc["exhibits"][0]["files"][0]["path"] == "witnessname-statement.pdf"
    assert "cases/demo/evidence/testimony-witnessname.md" in text_of(conf)
    # verify finds the public dossier's files by their hash
    code, out, err = run("verify", str(pub), root=workspace.path)
    assert code == 0, out + err
    assert "all 2 exhibit files are unchanged" in out and "witnessname" not in out.lower()
    # and so does the export
    for fmt in ("json", "csv"):
        code, out, err = run("export", "--format", fmt, "--edition", "public", root=workspace.path)
        assert code == 0, err
        folder = workspace.path / "out/demo/export/public"
        text = "".join(p.read_text(encoding="utf-8-sig") for p in folder.iterdir()).casefold()
        for internal in ("testimony-witnessname", "witnessname", "clip.mp3", "evidence/"):
            assert internal not in text, (fmt, internal)
    data = json.loads((workspace.path / "out/demo/export/public/demo-public.json").read_text())
    assert [f["path"] for f in data["exhibits"][0]["files"]] == ["EX-0001 file 1", "EX-0001 file 2"]
    assert data["exhibits"][0]["item"] is None
    code, out, err = run("export", "--format", "json", "--edition", "confidential", root=workspace.path)
    conf_data = json.loads((workspace.path / "out/demo/export/confidential/demo-confidential.json").read_text())
    assert conf_data["exhibits"][0]["item"] == "testimony-witnessname"
    assert conf_data["exhibits"][0]["files"][0]["path"] == "witnessname-statement.pdf"


# ------------------------------------------------------------------ done when: the sample case

def test_sample_case_with_hossein_farsi_protected(tmp_path):
    """A copy of the sample case with Hossein Farsi protected: the first public build stops on the
    seed article that names him (the exhibit file, its page, every dossier), the fix it names is
    one line, and then no public edition holds any form of his name or any identifier of his item."""
    import shutil

    from conftest import REPO

    ws = tmp_path / "ws"
    for folder in ("cases", "exhibits"):
        shutil.copytree(REPO / folder, ws / folder)
    item = ws / "cases/1988-massacre/evidence/testimonies/farsi.md"
    text = item.read_text(encoding="utf-8")
    assert "  protected: false\n" in text
    item.write_text(text.replace("  protected: false\n", "  protected: true\n  pseudonym: \"W-HELD\"\n"
                                                          "  not_identifying: [Hossein]\n"), encoding="utf-8")
    code, out, err = run("build", "--jobs", "1", root=ws)
    assert code == 1
    assert re.search(r"^exhibits/1988-massacre/sources/003_81e6a1d7c85d90ca\.pdf:0: page \d+: 'Hossein Farsi' "
                     r"\(a form of the protected name 'Hossein Farsi'.*public dossier of '\w+'.*mark the file "
                     r"`confidential: true`", err, re.M), err
    assert not (ws / "out/1988-massacre/public").exists()
    text = item.read_text(encoding="utf-8")
    pin = '    sha256: "e10eae962398b6577239cd12c90fa47e48462f68a0f55135c8e0426ff7562b86"\n'
    item.write_text(text.replace(pin, pin + "    confidential: true\n"), encoding="utf-8")
    code, out, err = run("build", "--jobs", "1", root=ws)
    assert code == 0, err
    public = sorted((ws / "out/1988-massacre/public").rglob("*.pdf"))  # the submissions too
    assert len(public) == 5
    forbidden = ["hossein farsi", "farsi", normalise("حسین فارسی"), "فارسی", "testimony-farsi", "farsi.md"]
    for pdf in public:
        assert "farsi" not in pdf.name
        data = pdf.read_bytes()
        assert b"arsi" not in data.replace(b"Parsineh", b"").replace(b"ARSI", b"")  # raw bytes, streams undecoded
        held = everything(pdf)
        for form in forbidden:
            assert form not in held, (pdf.name, form)
        names = list(PdfReader(str(pdf)).attachments)
        assert not any("farsi" in n.casefold() for n in names)
    # the testimony is filed under Khomeini (seed 003 names him, not Noury, in its account)
    khomeini = text_of(ws / "out/1988-massacre/public/khomeini.pdf")
    assert "W-HELD himself was transferred to Gohardasht" in khomeini
    # a withheld file is not said to be shown: its placeholder page is
    assert "(withheld from the public edition) (its placeholder page is with EX-0002)" in khomeini
    assert "shown once" not in khomeini.split("(withheld from the public edition)", 1)[1][:40]
    ptext = pages_text(ws / "out/1988-massacre/public/khomeini.pdf")
    [placeholder] = [i for i, t in enumerate(ptext, 1) if "Exhibit file placeholder" in t]
    row = next(t for t in ptext if "EX-0014 file 1" in t and "Files of this exhibit" in t)
    assert re.search(rf"\(its placeholder page is with EX-0002\) [0-9a-f ]+ \([\d.]+ KiB\) withheld {placeholder} ", row)
    assert "Hossein Ali Montazeri" in text_of(ws / "out/1988-massacre/public/khomeini.pdf")  # not identifying
    # the confidential edition marks every place
    conf = ws / "out/1988-massacre/confidential/khomeini.pdf"
    ctext = pages_text(conf)
    for i, t in enumerate(ctext, 1):  # every page naming him, but the pages of the file withheld whole
        if "Farsi" in t and "· withheld from the public edition" not in t:
            assert "replaced in the" in margin_notes(conf, i), (i, t[:200])
    for i, t in enumerate(ctext, 1):
        if "Farsi" in t and "EX-0014" in t and "Testimony" in t and "Witness" in t:
            assert "replaced in the" in margin_notes(conf, i)
            break
    else:
        raise AssertionError("the exhibit page of EX-0014 was not found")
    # the public export: no identifier either
    code, out, err = run("export", "--format", "json", "--edition", "public", root=ws)
    assert code == 0, err
    exported = (ws / "out/1988-massacre/export/public/1988-massacre-public.json").read_text(encoding="utf-8")
    for form in forbidden:
        assert form not in normalise(exported), form
