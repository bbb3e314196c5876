"""Ready to file and to archive: what a PDF reader, a registry and a search tool see."""

from __future__ import annotations

import re
import subprocess

import pytest
from pypdf import PdfReader

from conftest import pdfa_findings, qpdf_check, run

PRESENTATION_LETTERS = re.compile("[\ufb50-\ufdff\ufe70-\ufef4\ufefd-\ufeff]")  # all but lam-alef ligatures


def test_persian_extracts_as_ordinary_letters(workspace):
    """Copy and search return the ordinary letters in logical order (no U+FExx forms): the name
    in original script is found by pypdf, by pdftotext and by a plain grep of its output."""
    workspace.item("s1", body="The statement names حمید نوری twice: حمید نوری.")
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, out + err
    pdf = workspace.path / "out/demo/confidential/alpha.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert text.count("حمید نوری") >= 3  # cover, profile, the statement (twice)
    assert not PRESENTATION_LETTERS.search(text)
    poppler = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    assert "حمید نوری".encode() in poppler
    assert not PRESENTATION_LETTERS.search(poppler.decode())
    grep = subprocess.run(["grep", "-c", "نوری"], input=poppler, capture_output=True, check=True)
    assert int(grep.stdout) >= 3


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_a_dossier_is_pdfa_3b_with_its_manifest_an_associated_file(workspace, page_size):
    case = workspace.path / "cases/demo/case.yaml"
    case.write_text(case.read_text().replace("accused:\n", f"page_size: {page_size}\naccused:\n", 1))
    workspace.write("exhibits/demo/notes.txt", "some notes\n")
    workspace.item("s1", body="A statement.", extra="exhibits:\n  - file: notes.txt\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, out + err
    for edition in ("confidential", "public"):
        pdf = workspace.path / f"out/demo/{edition}/alpha.pdf"
        assert pdfa_findings(pdf, "3b") == []
        assert "No syntax or stream encoding errors found" in qpdf_check(pdf)
        r = PdfReader(str(pdf))
        assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in r.pages} == \
            {"A4": {(595, 842)}, "Letter": {(612, 792)}}[page_size]
        root = r.trailer["/Root"]
        xmp = root["/Metadata"].get_object().get_data().decode()
        assert "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
        assert f"<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{r.metadata.title}</rdf:li>" in xmp
        assert root["/Lang"] == "en"
        [intent] = root["/OutputIntents"]
        assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object()["/N"] == 3
        [spec] = root["/AF"]
        assert spec.get_object()["/F"] == "casefile-manifest.json"
        assert spec.get_object()["/AFRelationship"] == "/Data"
        for page in r.pages:
            assert "/Trans" not in page
            for a in page.get("/Annots") or []:
                assert int(a.get_object()["/F"]) & 4  # printable: kept by PDF/A tools and printers
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # every font embedded


def _exhibit_pdf(draw_with: str, size=None) -> bytes:
    """A one-page PDF made by reportlab (A4, or `size`): it always selects Helvetica first (not
    embedded), then draws with `draw_with`."""
    import io

    from reportlab.pdfgen import canvas

    from casefile.typeset import rtl

    rtl.register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, **({"pagesize": size} if size else {}))
    c.setFont(draw_with, 12)
    c.drawString(72, 720, "EXHIBIT TEXT")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_an_exhibit_font_that_draws_nothing_is_replaced_and_one_that_draws_must_be_embedded(workspace):
    from casefile.typeset import rtl

    workspace.write("exhibits/demo/good.pdf", _exhibit_pdf(rtl.FONT_REGULAR))
    workspace.item("s1", extra="exhibits:\n  - file: good.pdf\n")
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, out + err
    pdf = workspace.path / "out/demo/confidential/alpha.pdf"
    assert pdfa_findings(pdf, "3b") == []
    assert "EXHIBIT TEXT" in "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)

    # an exhibit that shows text in a font it does not embed (Helvetica, as reportlab makes it)
    workspace.write("exhibits/demo/bad.pdf", _exhibit_pdf("Helvetica"))
    workspace.item("s2", extra="exhibits:\n  - file: bad.pdf\n")
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, out + err
    assert ("exhibits/demo/bad.pdf:0: pdf: shows text in fonts that are not embedded (Helvetica): the dossier of "
            "'alpha' (confidential) is written without its PDF/A-3b identification; for a PDF/A dossier, save "
            "the exhibit again with its fonts embedded (print it to PDF, or gs -o fixed.pdf -sDEVICE=pdfwrite "
            "-dEmbedAllFonts=true file.pdf) and record it with --accept-changes") in out.splitlines()
    xmp = PdfReader(str(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>" not in xmp and "<pdfaid:conformance>" not in xmp  # no false claim
    assert [f for f in pdfa_findings(pdf, "3b") if "not embedded" in f]  # what the claim would have hidden

    # a page that shows text in an embedded font and in one it does not embed (Courier): that
    # one is kept as it is (drawn with the embedded one instead, its text would be other glyphs,
    # or none: those the embedded subset lacks)
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.setFont(rtl.FONT_REGULAR, 12)
    c.drawString(72, 720, "EMBEDDED LINE")
    c.setFont("Courier", 12)
    c.drawString(72, 700, "COURIER LINE \u2022")
    c.showPage()
    c.save()
    workspace.write("exhibits/demo/mixed.pdf", buf.getvalue())
    workspace.item("s3", extra="exhibits:\n  - file: mixed.pdf\n")
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, out + err
    assert "exhibits/demo/mixed.pdf:0: pdf: shows text in fonts that are not embedded (Courier)" in out
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert [line.split()[0] for line in fonts.splitlines()[2:] if line.split()[-5] == "no"] == \
        ["Helvetica", "Courier"], fonts  # bad.pdf's and mixed.pdf's, each drawing its own text
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "EMBEDDED LINE" in shown and "COURIER LINE \u2022" in shown


def test_the_sample_dossiers_are_pdfa_3b_and_pass_qpdf(tmp_path):
    import shutil

    from conftest import REPO

    ws = tmp_path / "ws"
    for folder in ("cases", "exhibits"):
        shutil.copytree(REPO / folder, ws / folder)
    code, out, err = run("build", root=ws)
    assert code == 0, out + err
    dossiers = sorted((ws / "out").glob("*/*/*.pdf"))
    assert len(dossiers) == 6
    for pdf in dossiers:
        assert pdfa_findings(pdf, "3b") == [], pdf
        assert "No syntax or stream encoding errors found" in qpdf_check(pdf)


def test_a_filing_copy_is_pdfa_2b_embeds_nothing_and_verifies_with_its_sidecar(workspace):
    workspace.item("s1", body="A statement for a court portal.")
    code, out, err = run("build", "--profile", "filing", root=workspace.path)
    assert code == 0, out + err
    pdf = workspace.path / "out/filing/demo/confidential/alpha.pdf"
    sidecar = pdf.with_suffix(".manifest.json")
    assert sidecar.is_file() and not (workspace.path / "out/demo").exists()  # the archive copies' folder untouched
    assert pdfa_findings(pdf, "2b") == []
    assert "No syntax or stream encoding errors found" in qpdf_check(pdf)
    data = pdf.read_bytes()
    assert b"/EmbeddedFiles" not in data and b"/AF" not in data
    xmp = PdfReader(str(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp
    import hashlib
    import json

    m = json.loads(sidecar.read_text())
    assert m["content_sha256"] == hashlib.sha256(data).hexdigest()
    code, out, err = run("verify", str(pdf), "--root", str(workspace.path))
    assert code == 0, out + err
    pdf.write_bytes(data.replace(b"/Title", b"/Title", 1) + b"%\n")  # one byte more
    code, out, err = run("verify", str(pdf))
    assert code == 1 and "changed" in out
    sidecar.unlink()
    pdf.write_bytes(data)
    code, out, err = run("verify", str(pdf))
    assert code == 1 and "no alpha.manifest.json beside it" in err


def test_a_letter_filing_copy_is_pdfa_2b_and_passes_qpdf(workspace):
    """A Letter case built with --profile filing: every dossier (both editions, with a text file,
    an e-mail casefile sets on Letter, a Letter exhibit PDF and an image) is PDF/A-2b, clean for
    qpdf, embeds no file, is Letter on every page casefile typesets, and verifies with its sidecar."""
    from email.message import EmailMessage

    from reportlab.lib.pagesizes import LETTER

    from conftest import png

    from casefile.typeset import rtl

    case = workspace.path / "cases/demo/case.yaml"
    case.write_text(case.read_text().replace("accused:\n", "page_size: Letter\naccused:\n", 1))
    m = EmailMessage()
    m["From"] = "Anna Example <anna@example.invalid>"
    m["Subject"] = "Minutes of the meeting"
    m.set_content("Dear Office,\n\n" + "the minutes follow. " * 200)
    workspace.write("exhibits/demo/mail.eml", bytes(m))
    workspace.write("exhibits/demo/letter.pdf", _exhibit_pdf(rtl.FONT_REGULAR, LETTER))
    workspace.write("exhibits/demo/photo.png", png((300, 500)))
    workspace.write("exhibits/demo/notes.txt", "some notes\n" * 80)
    workspace.item("s1", accused=("alpha", "beta"), body="A statement for a US court portal. " * 60,
                   extra="exhibits:\n  - file: mail.eml\n  - file: letter.pdf\n  - file: photo.png\n"
                         "  - file: notes.txt\n")
    code, out, err = run("build", "--profile", "filing", root=workspace.path)
    assert code == 0, out + err
    dossiers = sorted((workspace.path / "out/filing/demo").glob("*/*.pdf"))
    assert len(dossiers) == 4  # two accused, two editions
    for pdf in dossiers:
        assert pdfa_findings(pdf, "2b") == [], pdf
        assert "No syntax or stream encoding errors found" in qpdf_check(pdf)
        assert b"/EmbeddedFiles" not in pdf.read_bytes()
        xmp = PdfReader(str(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
        assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
        sizes = {(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2))
                 for p in PdfReader(str(pdf)).pages}
        assert sizes == {(612, 792)}, (pdf, sizes)  # the Letter exhibit and the e-mail too: no other paper
        code, out, err = run("verify", str(pdf), "--root", str(workspace.path))
        assert code == 0, out + err
