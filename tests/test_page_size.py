"""case.yaml's page_size: a Letter case is Letter on every page casefile typesets (dossiers of
both editions, text exhibits, submissions), its text inside the page's margins; an exhibit file's
pages keep their own size whatever the case's paper. Read back from the PDFs (pypdf for the page
sizes, pdftotext -bbox for where the words are)."""

from __future__ import annotations

import io
import json
import re
import subprocess
from html import unescape

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, LETTER

from conftest import CASE_YAML, make_pdf, norm, pages_text, png, poppler, run

MARGIN = 22 * 72 / 25.4  # the left and right margins, the same on A4 and Letter (22 mm)

SUBMISSION = """\
---
title: A submission on Letter paper
addressee: The Court
date: 2026-11-20
authors: [Test team]
annexes: [alpha]
bundle: both
---
# Facts

The statement says so [@s1]. The scan shows it [@scan, p. 1].^[See also [@notes].]
"""


def letter_case(ws, page_size: str = "Letter"):
    """The demo case on `page_size` paper, with an A4 and a Letter exhibit PDF, a portrait
    image, a text file long enough for two pages, and a submission."""
    p = ws.path / "cases/demo/case.yaml"
    p.write_text(p.read_text().replace("accused:\n", f"page_size: {page_size}\naccused:\n", 1))
    ws.write("exhibits/demo/a4.pdf", make_pdf(["A4 SHEET"], size=A4))
    ws.write("exhibits/demo/letter.pdf", make_pdf(["LETTER SHEET"], size=LETTER))
    ws.write("exhibits/demo/photo.png", png((300, 500)))
    ws.write("exhibits/demo/notes.txt", "".join(f"Line {k}: " + "a long line of the notes " * 6 + "\n"
                                                for k in range(120)))
    ws.item("s1", accused=("alpha", "beta"), body="A statement. " * 200)
    ws.item("scan", type="document", extra="exhibits:\n  - file: a4.pdf\n  - file: letter.pdf\n"
                                            "  - file: photo.png\n")
    ws.item("notes", type="document", extra="exhibits:\n  - file: notes.txt\n")
    ws.write("cases/demo/submissions/brief.md", SUBMISSION)


def sizes(pdf) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in PdfReader(str(pdf)).pages]


def file_pages(pdf) -> dict[str, list[int]]:
    """Exhibit file (its path, or in the public edition its label) -> the dossier pages showing
    its pages: PDF and image files, whose pages keep their own size (a page the public edition
    withholds is a typeset placeholder instead)."""
    m = json.loads(PdfReader(str(pdf)).attachments["casefile-manifest.json"][0])
    return {f["path"] or f["label"]: [n for n in range(f["pages"][0], f["pages"][1] + 1)
                                      if n - f["pages"][0] + 1 not in f.get("withheld_pages", [])]
            for e in m["exhibits"] for f in e.get("files", []) if f["kind"] in ("pdf", "image") and f.get("pages")}


def words(pdf) -> list[list[tuple[float, float, str]]]:
    """(xMin, xMax, word) of every word, page by page, as pdftotext -bbox places them."""
    out = subprocess.run([poppler("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append([(float(a), float(b), unescape(w)) for a, b, w in
                      re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', page)])
    return pages


def assert_letter_with_text_inside(pdf, shown_own_size=()):
    """Every page but those of `shown_own_size` is 612 x 792 and no word of it reaches into the
    left or right margin (half a point allowed for rounding), but for the confidential edition's
    notes in the right margin (what the public edition withholds), which start 2.5 mm right of
    it and stay 1 mm inside the page."""
    note_x = 612 - MARGIN + 2.5 * 72 / 25.4
    typeset = 0
    for n, (size, page_words) in enumerate(zip(sizes(pdf), words(pdf)), 1):
        if n in shown_own_size:
            continue
        typeset += 1
        assert size == (612, 792), (pdf.name, n, size)
        assert page_words, (pdf.name, n)
        for x0, x1, w in page_words:
            in_margin_note = x0 >= note_x - 0.5 and x1 <= 612 - 72 / 25.4
            assert MARGIN - 0.5 <= x0 and (x1 <= 612 - MARGIN + 0.5 or in_margin_note), (pdf.name, n, w, x0, x1)
    return typeset


def test_a_letter_case_is_letter_on_every_typeset_page(workspace):
    letter_case(workspace)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, out + err
    for edition in ("confidential", "public"):
        for accused in ("alpha", "beta"):
            pdf = workspace.path / f"out/demo/{edition}/{accused}.pdf"
            own = file_pages(pdf)
            shown = {n for pages in own.values() for n in pages}
            assert assert_letter_with_text_inside(pdf, shown) >= 5
            if accused == "alpha" and edition == "confidential":
                all_sizes = sizes(pdf)
                # an exhibit file page keeps its own size: an A4 one is on an A4 page, a Letter one
                # on a Letter page (drawn a little smaller for the bands, not on a taller page)
                [a4], [letter] = own["a4.pdf"], own["letter.pdf"]
                assert all_sizes[a4 - 1] == (round(A4[0], 2), round(A4[1], 2))
                assert all_sizes[letter - 1] == (612, 792)
        # the text file, typeset in the dossier's frame, is on Letter pages (checked above) and
        # takes more than one of them
        text = "\n".join(p.extract_text() for p in PdfReader(str(workspace.path / f"out/demo/{edition}/alpha.pdf")).pages)
        spans = set(re.findall(r"· lines (\d+)–(\d+) of \d+", text))  # each page of it says which lines it shows
        assert len(spans) >= 2 and any(int(lo) > 1 for lo, _ in spans), spans
    submissions = sorted((workspace.path / "out/demo").glob("*/submissions/*.pdf"))
    assert len(submissions) == 4  # both editions, combined and text alone
    for pdf in submissions:
        if pdf.stem.endswith("-text"):
            assert assert_letter_with_text_inside(pdf) >= 3
        else:  # the annexed dossier follows the text: every page Letter but its exhibit files'
            n_sizes = sizes(pdf)
            assert sum(1 for s in n_sizes if s == (612, 792)) >= len(n_sizes) - 3
            assert {s[0] for s in n_sizes} <= {612, round(A4[0], 2)}


def test_an_a4_case_keeps_a_letter_exhibit_letter(workspace):
    letter_case(workspace, "A4")
    code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", root=workspace.path)
    assert code == 0, out + err
    pdf = workspace.path / "out/demo/confidential/alpha.pdf"
    own = file_pages(pdf)
    all_sizes = sizes(pdf)
    [letter], [a4], [photo] = own["letter.pdf"], own["a4.pdf"], own["photo.png"]
    assert all_sizes[letter - 1][0] == 612 and all_sizes[a4 - 1][0] == round(A4[0], 2)
    assert all_sizes[photo - 1] == (round(A4[0], 2), round(A4[1], 2))  # an image: a page of the case's paper
    shown = {n for pages in own.values() for n in pages}
    assert {s for n, s in enumerate(all_sizes, 1) if n not in shown} == {(round(A4[0], 2), round(A4[1], 2))}


@pytest.mark.parametrize("value", ["a4", "Legal", "[A4]"])
def test_a_page_size_the_format_does_not_know_is_one_line(workspace, value):
    p = workspace.path / "cases/demo/case.yaml"
    p.write_text(p.read_text().replace("accused:\n", f"page_size: {value}\naccused:\n", 1))
    line = p.read_text().splitlines().index(f"page_size: {value}") + 1
    code, out, err = run("build", root=workspace.path)
    assert code == 1
    assert f"cases/demo/case.yaml:{line}: page_size: write A4 or Letter (got " in err, err
    assert "Traceback" not in err + out and "literal" not in err.lower()


def test_the_cover_stays_one_page_on_letter_its_spaces_giving_way(workspace):
    """A cover that fits an A4 page but not a Letter one (50 pt shorter) keeps to its page: the
    spaces between its parts shrink (the first line moves up), nothing goes to page 2."""
    def cover(sentences: int) -> tuple[float, str, str]:
        summary = " ".join(f"Sentence {i} of the summary says what the case is about." for i in range(sentences))
        p = workspace.path / "cases/demo/case.yaml"
        p.write_text(CASE_YAML.replace("accused:\n", f"page_size: Letter\nsummary: {summary}\naccused:\n", 1))
        code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", root=workspace.path)
        assert code == 0, out + err
        pdf = workspace.path / "out/demo/confidential/alpha.pdf"
        out = subprocess.run([poppler("pdftotext"), "-bbox", "-f", "1", "-l", "2", str(pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
        first, second = out.split("<page ")[1:3]
        top = float(re.search(r'yMin="([\d.]+)"[^>]*>Submission</word>', first).group(1))  # the forum's line
        return top, first, second

    workspace.item("s1")
    short_top, _, _ = cover(5)
    top, first, second = cover(45)
    assert ">44</word>" in first and "Sentence" not in second and ">Contents</word>" in second
    assert top < short_top - 20  # the spaces gave way


def rendition_fixtures(ws):
    """An e-mail, a saved web page and a CSV table: the renditions casefile typesets itself."""
    from email.message import EmailMessage

    m = EmailMessage()
    m["From"] = "Anna Example <anna@example.invalid>"
    m["To"] = "Northtown Office <office@example.invalid>"
    m["Date"] = "Sat, 03 Mar 2001 10:00:00 +0000"
    m["Subject"] = "Minutes of the Northtown meeting"
    m.set_content("Dear Office,\n\n" + "the minutes of the meeting follow in full. " * 120 + "\n\nAnna Example")
    ws.write("exhibits/demo/mail.eml", bytes(m))
    ws.write("exhibits/demo/page.html", "<html><head><title>Northtown news</title></head><body><h1>Northtown"
                                        "</h1><p>" + "</p><p>".join(["The speech on the square was reported. " * 8] * 12) + "</p></body></html>")
    ws.write("exhibits/demo/people.csv", "name,place,date\n" + "".join(f"Person {k},Northtown,2001-03-03\n"
                                                                        for k in range(60)))
    ws.item("conv", type="document", extra="exhibits:\n  - file: mail.eml\n  - file: page.html\n"
                                           "  - file: people.csv\n")


def rendition_pages(pdf) -> dict[str, list[tuple[float, float]]]:
    """Converted file -> the sizes of the dossier pages showing its rendition (from the manifest)."""
    m = json.loads(PdfReader(str(pdf)).attachments["casefile-manifest.json"][0])
    all_sizes = sizes(pdf)
    return {f["path"]: [all_sizes[n - 1] for n in range(f["pages"][0], f["pages"][1] + 1)]
            for e in m["exhibits"] for f in e.get("files", []) if f.get("rendition")}


def test_the_renditions_casefile_typesets_are_on_the_cases_paper(workspace):
    """An e-mail, a web capture and a table are set on Letter in a Letter case, and the dossier
    pages showing them are Letter (612 x 792) too; the paper is part of the rendition's cache
    key, so a case changing its paper gets new renditions without --force, and back again the
    ones it had (the same bytes)."""
    rendition_fixtures(workspace)
    case = workspace.path / "cases/demo/case.yaml"
    pdf = workspace.path / "out/demo/confidential/alpha.pdf"
    cache = workspace.path / "out/.casefile-cache"

    def build_on(paper: str) -> dict:
        case.write_text(CASE_YAML.replace("accused:\n", f"page_size: {paper}\naccused:\n", 1))
        code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", root=workspace.path)
        assert code == 0, out + err
        shown = rendition_pages(pdf)
        assert sorted(shown) == ["mail.eml", "page.html", "people.csv"]
        assert all(len(pages) >= 2 for pages in shown.values()), shown  # long enough for two pages each
        return shown

    a4 = build_on("A4")
    assert {s for pages in a4.values() for s in pages} == {(round(A4[0], 2), round(A4[1], 2))}
    a4_renditions = {p.name: p.read_bytes() for p in cache.rglob("*-pdf")}
    letter = build_on("Letter")
    assert {s for pages in letter.values() for s in pages} == {(612, 792)}
    renditions = {p.name: p.read_bytes() for p in cache.rglob("*-pdf")}
    letter_renditions = {k: v for k, v in renditions.items() if k not in a4_renditions}
    assert len(letter_renditions) == 3  # made again for the other paper, the A4 ones kept
    for data in letter_renditions.values():  # the renditions themselves: every page Letter
        assert {(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(io.BytesIO(data)).pages} == \
            {(612, 792)}
    # the text stays inside the page and reaches its width (set for Letter, not A4 shrunk or cut)
    texts = [norm(t) for t in pages_text(pdf)]
    assert any("Minutes of the Northtown meeting" in t for t in texts)
    assert any("Person 59" in t for t in texts)
    first = next(n for n, t in enumerate(texts, 1) if "E-mail: mail.eml" in t)
    xs = [w for w in words(pdf)[first - 1] if w[2] == "minutes"]
    assert xs and max(x1 for _, x1, _ in xs) <= 612 - 16
    # back to A4: the A4 renditions from the cache, the dossier as it was
    before = pdf.read_bytes()
    build_on("A4")
    assert {p.name: p.read_bytes() for p in cache.rglob("*-pdf")} == renditions
    assert pdf.read_bytes() != before
