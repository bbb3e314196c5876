"""`casefile verify`: a dossier against its embedded manifest, the exhibit files against the
sha256 recorded in it."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader, PdfWriter

from conftest import OUT, build, exhibit_item, make_pdf, manifest, png, run


@pytest.fixture
def dossier(workspace):
    workspace.write("exhibits/demo/letter.pdf", make_pdf(["VERIFY ONE", "VERIFY TWO"]))
    workspace.write("exhibits/demo/pic.png", png())
    workspace.write("exhibits/demo/notes.txt", "some notes\n")
    exhibit_item(workspace, "a1", ["letter.pdf", "pic.png"])
    exhibit_item(workspace, "a2", ["notes.txt"], date="1988-09")
    return build(workspace)


def verify(pdf, *args):
    return run("verify", str(pdf), *args)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rewrite(pdf, change) -> None:
    """Let pypdf change the dossier (the attachments, manifest included, come along)."""
    w = PdfWriter(clone_from=PdfReader(str(pdf)))
    change(w)
    b = io.BytesIO()
    w.write(b)
    pdf.write_bytes(b.getvalue())


def test_a_fresh_dossier_verifies(workspace, dossier):
    code, out, err = verify(dossier, "--root", str(workspace.path))
    assert code == 0, out + err
    lines = out.splitlines()
    m = manifest(dossier)
    assert lines[0] == (f"ok       {dossier.as_posix()}: demo · alpha · confidential edition, {m['pages']} pages, "
                        f"content sha256 {m['content_sha256']}")
    for number, name in (("EX-0001", "letter.pdf"), ("EX-0001", "pic.png"), ("EX-0002", "notes.txt")):
        path = workspace.path / "exhibits/demo" / name
        assert f"ok       {number}  exhibits/demo/{name}  sha256 {sha(path)}" in lines
    assert lines[-1] == "verified: the dossier matches its manifest and all 3 exhibit files are unchanged"


def test_changed_and_missing_exhibit_files(workspace, dossier):
    letter = workspace.path / "exhibits/demo/letter.pdf"
    old = sha(letter)
    letter.write_bytes(make_pdf(["SOMETHING ELSE"]))
    (workspace.path / "exhibits/demo/pic.png").unlink()
    code, out, err = verify(dossier, "--root", str(workspace.path))
    assert code == 1
    lines = out.splitlines()
    assert f"changed  EX-0001  exhibits/demo/letter.pdf  sha256 {old} → {sha(letter)}" in lines
    assert any(l.startswith("missing  EX-0001  exhibits/demo/pic.png") for l in lines)
    assert any(l.startswith("ok       EX-0002  exhibits/demo/notes.txt") for l in lines)
    assert lines[-1] == "2 problems found"


def changed_line(out: str) -> str:
    return next(l for l in out.splitlines() if l.startswith("changed  "))


def test_edited_page_content_is_found(workspace, dossier):
    recorded = manifest(dossier)["content_sha256"]

    def edit(w):  # a line of text added to the cover, as any PDF tool could
        page = w.pages[0]
        content = page.get_contents()
        content.set_data(content.get_data() + b"\nBT /F1 30 Tf 100 100 Td (FORGED) Tj ET")
        page.replace_contents(content)
    rewrite(dossier, edit)
    code, out, err = verify(dossier, "--root", str(workspace.path))
    assert code == 1
    line = changed_line(out)
    assert line.startswith(f"changed  {dossier.as_posix()}: content: the file changed since casefile wrote it "
                           f"(sha256 {recorded} → ")
    assert line.endswith(")") and len(line.split("→ ")[1]) == 65 and recorded not in line.split("→ ")[1]


def test_removed_page_is_found(workspace, dossier):
    m = manifest(dossier)

    def remove(w):
        del w.pages[3]
    rewrite(dossier, remove)
    code, out, err = verify(dossier)
    assert code == 1
    lines = out.splitlines()
    assert (f"changed  {dossier.as_posix()}: pages: the manifest records {m['pages']} pages, the PDF has "
            f"{m['pages'] - 1}") in lines
    assert any(": content: the file changed since casefile wrote it (sha256 " + m["content_sha256"] in l
               for l in lines)


def test_any_change_to_the_file_is_found(workspace, dossier):
    """The hash covers the file as written: re-saved with every page unchanged, an annotation
    added, the document information edited, one byte of a scan flipped — all are found."""
    original = dossier.read_bytes()
    m = manifest(dossier)
    page_no = next(f["pages"][0] for e in m["exhibits"] for f in e["files"] if f["path"] == "pic.png")

    def annotate(w):
        from pypdf.annotations import FreeText
        w.add_annotation(0, FreeText(text="FORGED", rect=(50, 50, 200, 80)))

    def swap(w):  # one pixel of the scan changed
        image = w.pages[page_no - 1].images[0]
        pixels = image.image.copy()
        first = pixels.getpixel((0, 0))
        pixels.putpixel((0, 0), first ^ 1 if isinstance(first, int) else (first[0] ^ 1, *first[1:]))
        image.replace(pixels)
    changes = {"re-saved": lambda w: None, "annotated": annotate, "swapped image": swap,
               "information": lambda w: w.add_metadata({"/Title": "Another title"})}
    for what, change in changes.items():
        dossier.write_bytes(original)
        rewrite(dossier, change)
        code, out, err = verify(dossier)
        assert code == 1, what
        assert ": content: the file changed since casefile wrote it" in changed_line(out), what
    appended = original + b"\n% one more line\n"
    dossier.write_bytes(appended)
    assert verify(dossier)[0] == 1
    dossier.write_bytes(original)
    code, out, err = verify(dossier, "--root", str(workspace.path))
    assert code == 0, out + err


def test_default_root_is_the_current_folder_with_cases(workspace, dossier, monkeypatch):
    monkeypatch.chdir(workspace.path)
    code, out, err = verify(OUT)
    assert code == 0, out + err
    assert "ok       EX-0001  exhibits/demo/letter.pdf" in out
    monkeypatch.chdir(workspace.path / "exhibits")  # no cases/ here: only the dossier is checked
    code, out, err = verify(dossier)
    assert code == 0
    assert "note     exhibit files not checked (3 recorded): no workspace here; give --root DIR" in out


def test_a_pdf_without_manifest_or_not_a_pdf(workspace, tmp_path):
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(make_pdf(["NOT A DOSSIER"]))
    code, out, err = verify(plain)
    assert code == 1
    assert err.splitlines() == [
        f"{plain.as_posix()}:0: manifest: no casefile-manifest.json attached and no plain.manifest.json "
        f"beside it: not a casefile dossier, or the manifest was removed", "1 problem found"]
    text = tmp_path / "text.pdf"
    text.write_text("hello")
    code, out, err = verify(text)
    assert code == 1
    assert err.splitlines()[0] == f"{text.as_posix()}:0: pdf: not a PDF (the file does not start with %PDF-)"
    code, out, err = verify(tmp_path / "nothing.pdf")
    assert code == 1
    assert err.splitlines()[0] == f"{(tmp_path / 'nothing.pdf').as_posix()}:0: file: no such file"
