"""Ready to file and to archive: what a PDF reader, a registry and a search tool see."""

from __future__ import annotations

import re
import subprocess

from pypdf import PdfReader

from conftest import run

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
