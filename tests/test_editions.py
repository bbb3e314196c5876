"""Issue 5: public and confidential editions; redaction that cannot leak."""

import io

from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from casefile.pdf import leakcheck
from casefile.pdf.leakcheck import Term, find_leaks
from conftest import SECRET_NAME, make_redacted_case, outline_titles, pages_text, run


def test_public_edition_removes_and_keeps_numbering(workspace):
    make_redacted_case(workspace)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    conf = workspace.path / "out/demo/confidential/alpha.pdf"
    pub = workspace.path / "out/demo/public/alpha.pdf"
    ctext, ptext = " ".join(pages_text(conf)), " ".join(pages_text(pub))
    assert SECRET_NAME in ctext and "Ali Hiddenperson" in ctext and "Sealed Confidential Matter" in ctext
    for gone in (SECRET_NAME, "Secretname", "Ali Hiddenperson", "Sealed Confidential Matter", "Confidential Matter"):
        assert gone not in ptext
    assert "P-0291" in ptext and "[redacted]" in ptext
    assert "PUBLIC — REDACTED" in pages_text(pub)[0] and "CONFIDENTIAL" in pages_text(conf)[0]
    assert "public" in PdfReader(str(pub)).metadata.subject
    # the withheld exhibit keeps its number; every exhibit starts on the same page in both editions
    co = {t.split(" — ")[0]: p for _, t, p in outline_titles(conf) if t.startswith("EX-")}
    po = {t.split(" — ")[0]: p for _, t, p in outline_titles(pub) if t.startswith("EX-")}
    assert co == po and len(co) == 3
    assert len(PdfReader(str(conf)).pages) == len(PdfReader(str(pub)).pages)
    withheld = [t for _, t, _ in outline_titles(pub) if "Withheld from the public edition" in t]
    assert len(withheld) == 1
    # and the built-in leak check agrees the public file is clean
    terms = [Term(t, "x", 1, "f") for t in (SECRET_NAME, "Ali Hiddenperson")]
    assert find_leaks(pub.read_bytes(), terms) == []
    assert find_leaks(conf.read_bytes(), terms) != []
    # reading each font once (the leak check's speed-up) extracts exactly what pypdf alone does
    for pdf in (conf, pub):
        assert leakcheck.extract_everything(pdf.read_bytes()) == leakcheck._extract_everything(pdf.read_bytes())


def test_leak_stops_the_build_and_writes_nothing(workspace):
    make_redacted_case(workspace)
    code, out, err = run("build", root=workspace.path)
    assert code == 0
    pub = workspace.path / "out/demo/public/alpha.pdf"
    before = pub.read_bytes()
    # a term redacted in one item but left unmarked in another would leak
    workspace.item("r1", date="1988-09", extra="redact: [Hidden Prison Wing]\n", body="Held in the Hidden Prison Wing.")
    workspace.item("r2", date="1988-10", body="Also in the Hidden Prison Wing, unmarked.")
    code, out, err = run("build", root=workspace.path)
    assert code == 1
    # the place the text comes from (r2's body), the dossier and page, where it is declared, how to fix it
    assert ("cases/demo/evidence/r2.md:11: body: 'Hidden Prison Wing' (a redacted term) would appear in the public "
            "dossier of 'alpha' (page ") in err
    assert "redacted at cases/demo/evidence/r1.md:10 but not here: mark it [[…]]" in err
    assert err.count("Hidden Prison Wing") == 1  # r1, which redacts it, is not blamed
    assert pub.read_bytes() == before


def _pdf(draw) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_leaky_controls_are_caught():
    term = [Term(SECRET_NAME, "item.md", 3, "witness.name")]

    def black_box(c):
        c.drawString(100, 700, f"Witness: {SECRET_NAME}")
        c.rect(150, 695, 200, 20, fill=1)  # covered, but the text is still there

    assert [l.where for l in find_leaks(_pdf(black_box), term)] == ["page 1 text"]

    def clean(c):
        c.drawString(100, 700, "Witness: P-0291")
        c.bookmarkPage("p1")
        c.addOutlineEntry(SECRET_NAME, "p1")

    leaks = find_leaks(_pdf(clean), term)
    assert leaks and leaks[0].where == "outline"

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(lambda c: c.drawString(100, 700, "P-0291")))))
    w.add_metadata({"/Author": SECRET_NAME.upper()})
    buf = io.BytesIO()
    w.write(buf)
    assert [l.where for l in find_leaks(buf.getvalue(), term)] == ["document info"]

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(lambda c: c.drawString(100, 700, "P-0291")))))
    w.add_attachment("notes.txt", f"the witness is {SECRET_NAME}".encode())
    buf = io.BytesIO()
    w.write(buf)
    assert find_leaks(buf.getvalue(), term)[0].where == "attachment notes.txt"


def test_persian_name_found_in_any_order():
    from casefile.typeset import rtl
    rtl.register_fonts()
    name = "حمید نوری"

    def draw(c):
        c.setFont(rtl.FONT_REGULAR, 12)
        c.drawString(100, 700, rtl.visual_line(name))

    assert find_leaks(_pdf(draw), [Term(name, "x", 1, "f")])


def test_verify_public_runs_the_leak_check(workspace, tmp_path):
    make_redacted_case(workspace)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    pub = workspace.path / "out/demo/public/alpha.pdf"
    code, out, err = run("verify", str(pub), "--edition", "public", root=workspace.path)
    assert code == 0, out + err
    assert "ok" in out and "protected names and redacted terms" in out
    # someone else's PDF with the protected name behind a black box
    leaky = tmp_path / "leaky.pdf"

    def black_box(c):
        c.drawString(100, 700, f"Witness: {SECRET_NAME}")
        c.rect(150, 695, 200, 20, fill=1)

    leaky.write_bytes(_pdf(black_box))
    code, out, err = run("verify", str(leaky), "--edition", "public", "--case", "demo", root=workspace.path)
    assert code == 1
    assert f"'{SECRET_NAME}' (cases/demo/evidence/t1.md:" in out and "found in page 1 text" in out
