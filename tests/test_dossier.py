"""Issue 3: one indexed, paginated PDF per accused, read back with pypdf."""

import hashlib
import html
import re
import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import link_annotations, links, norm, outline_titles, pages_text, poppler, run


HOSTILE = 'AT&T < 5 <font color=red>x</font> <a href="javascript:alert(1)">y</a> {{ 7*7 }} \'q\' "dq"'


def make_case(ws):
    ws.item("s1", date="1988-08-25", body="First statement.\n\n> A quoted sentence.")
    ws.item("t1", type="testimony", date="1988-22", accused=("alpha", "beta"),
            extra="persons: [Hossein Farsi]\nplaces: [Evin Prison, Gohardasht Prison]\ncharges: [murder/killing]\n",
            body="\n\n".join(f"Paragraph {i} of a long testimony. " + "The witness describes the events. " * 30
                             for i in range(12)))
    ws.item("d1", type="decree", date="1988", extra="charges: [murder]\n", body="Decree text.")
    ws.write("cases/demo/evidence/hostile.md",
             "---\nid: hostile\ntype: statement\ntitle: '" + HOSTILE.replace("'", "''") + "'\naccused: [alpha]\n"
             "speaker: '" + HOSTILE.replace("'", "''") + "'\nsources:\n  - title: Source\n---\n" + HOSTILE + "\n")


def build(ws, *extra):
    code, out, err = run("build", "--edition", "confidential", *extra, root=ws.path)
    assert code == 0, err + out
    return ws.path / "out/demo/confidential"


def test_one_pdf_per_accused_with_numbers_and_stamps(workspace):
    make_case(workspace)
    out = build(workspace)
    assert sorted(p.name for p in out.iterdir()) == ["alpha.pdf", "beta.pdf"]
    pdf = out / "alpha.pdf"
    r = PdfReader(str(pdf))
    texts = pages_text(pdf)
    n = len(r.pages)
    # "Page X of Y": X is the PDF page number, Y the page count
    for i, t in enumerate(texts, 1):
        assert f"Page {i} of {n}" in t, (i, t[-200:])
    # no per-dossier page stamp (it would name another page after any addition): the exhibits'
    # pages show the exhibit they belong to (these exhibits have no files, so no evidence numbers)
    assert not any("DM-ALPHA" in t for t in texts)
    outline = {t.split(" — ")[0]: p for _, t, p in outline_titles(pdf) if t.startswith("EX-")}
    for number, page in outline.items():
        assert texts[page - 1].rstrip().endswith(number), (number, texts[page - 1][-80:])
    # the cover tells the page count and the exhibits
    assert f"Pages {n}" in texts[0]
    assert "Dossier concerning" in texts[0] and "Alpha Person" in texts[0]
    # metadata
    meta = r.metadata
    assert meta.title == "Demo case — Dossier concerning Alpha Person"
    assert meta.author == "Test team"
    assert "confidential" in meta.subject and "alpha" in meta.get("/Keywords")


def test_contents_outline_and_links_agree(workspace):
    make_case(workspace)
    pdf = build(workspace) / "alpha.pdf"
    texts = pages_text(pdf)
    outline = outline_titles(pdf)
    titles = [t for _, t, _ in outline]
    assert titles[:6] == ["Cover", "Contents", "Profile of the accused", "Index of exhibits", "Chronology",
                          "Evidence matrix"]
    assert "Exhibits" in titles and titles[-2:] == ["Index of persons, places and organisations",
                                                   "Annex: exhibit files and chain of custody"]
    # every outline title appears on the contents page, with the page number the outline points to
    contents = texts[1]
    for level, title, page in outline:  # (a long title is cut short in its bookmark)
        short = norm(title.removesuffix("…"))
        assert short in contents, title
        assert re.search(re.escape(short) + r"[^.]*?[ .]*" + str(page) + r"\b", contents), (title, page)
    # every exhibit header is on the page its outline entry points to
    exhibits = [(t, p) for lvl, t, p in outline if re.match(r"EX-\d{4} — ", t)]
    assert len(exhibits) == 4
    for title, page in exhibits:
        number = title.split(" — ")[0]
        assert texts[page - 1].count(number) >= 1
        assert f"{number} · " in texts[page - 1]
    # contents links (page 2) land on the same pages as the outline, in the same order
    contents_links = [target for page, target in links(pdf) if page == 2]
    assert contents_links == [p for _, _, p in outline]
    # index of exhibits: one link per exhibit row (several cells), each to the exhibit's page
    index_page = next(p for _, t, p in outline if t == "Index of exhibits")
    index_targets = sorted(set(t for page, t in links(pdf) if page == index_page))
    assert index_targets == sorted(p for _, p in exhibits)


def test_numbers_stable_when_an_earlier_item_is_added(workspace):
    make_case(workspace)
    build(workspace)
    lock = (workspace.path / "cases/demo/exhibits.lock").read_text()
    before = dict(re.findall(r"^(EX-\d{4})\s+active\s+(\S+)$", lock, re.M))
    assert sorted(before.values()) == ["d1", "hostile", "s1", "t1"]
    assert before["EX-0001"] == "d1"  # by date: 1988 first, then summer 1988, then 25 August; undated last
    workspace.item("early", date="1900")
    pdf = build(workspace) / "alpha.pdf"
    lock = (workspace.path / "cases/demo/exhibits.lock").read_text()
    after = dict(re.findall(r"^(EX-\d{4})\s+active\s+(\S+)$", lock, re.M))
    assert {k: v for k, v in after.items() if v != "early"} == before
    assert after["EX-0005"] == "early"
    # removing an item retires its number for good
    (workspace.path / "cases/demo/evidence/s1.md").unlink()
    build(workspace)
    workspace.item("later", date="2000")
    build(workspace)
    lock = (workspace.path / "cases/demo/exhibits.lock").read_text()
    assert re.search(r"^EX-0003\s+retired\s+s1$", lock, re.M)
    assert re.search(r"^EX-0006\s+active\s+later$", lock, re.M)
    assert "EX-0005 — Title of early" in " ".join(pages_text(pdf))


def test_frozen_refuses_to_change_the_lock(workspace):
    make_case(workspace)
    build(workspace)
    lock = (workspace.path / "cases/demo/exhibits.lock").read_bytes()
    workspace.item("new-one")
    code, out, err = run("build", "--frozen", root=workspace.path)
    assert code == 1
    assert "cases/demo/exhibits.lock:0: frozen: new item 'new-one' would get a number, but --frozen forbids changing the lock" in err
    assert (workspace.path / "cases/demo/exhibits.lock").read_bytes() == lock


def test_user_text_is_escaped_never_markup(workspace):
    make_case(workspace)
    pdf = build(workspace) / "alpha.pdf"
    text = " ".join(pages_text(pdf))
    assert norm(HOSTILE) in text
    assert "{{ 7*7 }}" in text and "javascript:alert(1)" in text


def test_byte_identical_rebuilds(workspace, tmp_path):
    make_case(workspace)
    build(workspace, "--out", str(tmp_path / "a"))
    build(workspace, "--out", str(tmp_path / "b"))
    for name in ("alpha.pdf", "beta.pdf"):
        da = hashlib.sha256((tmp_path / "a/demo/confidential" / name).read_bytes()).hexdigest()
        db = hashlib.sha256((tmp_path / "b/demo/confidential" / name).read_bytes()).hexdigest()
        assert da == db


def test_long_testimony_breaks_across_pages(workspace):
    make_case(workspace)
    pdf = build(workspace) / "beta.pdf"
    texts = pages_text(pdf)
    pages_with = [i for i, t in enumerate(texts) if "of a long testimony" in t]
    assert len(pages_with) >= 2 and pages_with == list(range(pages_with[0], pages_with[-1] + 1))
    assert sum(t.count("of a long testimony") for t in texts) == 12


def test_names_index_lists_terms_with_pages(workspace):
    make_case(workspace)
    pdf = build(workspace) / "alpha.pdf"
    texts = pages_text(pdf)
    outline = outline_titles(pdf)
    idx = next(p for _, t, p in outline if t.startswith("Index of persons"))
    t1_page = next(p for _, t, p in outline if t.endswith("Title of t1"))
    number = next(t.split(" — ")[0] for _, t, p in outline if t.endswith("Title of t1"))
    assert f"Evin Prison {t1_page} ({number})" in texts[idx - 1]
    assert f"Hossein Farsi {t1_page} ({number})" in texts[idx - 1]
    assert texts[idx - 1].index("Gohardasht Prison") > texts[idx - 1].index("Evin Prison")


def linked_texts(pdf, page_no: int) -> list[tuple[str, int]]:
    """(words inside the link's rectangle, as pdftotext -bbox places them; target page) for
    each link on a page."""
    xhtml = subprocess.run([poppler("pdftotext"), "-f", str(page_no), "-l", str(page_no), "-bbox", str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout
    words = [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xhtml)]
    height = float(PdfReader(str(pdf)).pages[page_no - 1].mediabox.top)
    out = []
    for page, (x0, y0, x1, y1), target in link_annotations(pdf):
        if page != page_no:
            continue
        top, bottom = height - y1, height - y0
        inside = [w for wx0, wy0, wx1, wy1, w in words
                  if x0 <= (wx0 + wx1) / 2 <= x1 and top <= (wy0 + wy1) / 2 <= bottom]
        out.append((" ".join(inside), target))
    return out


def test_index_references_are_links_to_their_pages(workspace):
    """In the names index and the evidence matrix each reference is a link over its own text
    ("12 (EX-0002)" or "EX-0002"), and it lands on the page of that exhibit."""
    make_case(workspace)
    pdf = build(workspace) / "alpha.pdf"
    outline = outline_titles(pdf)
    exhibit_page = {t.split(" — ")[0]: p for _, t, p in outline if re.match(r"[A-Z]+-\d+ — ", t)}
    idx = next(p for _, t, p in outline if t.startswith("Index of persons"))
    matrix = next(p for _, t, p in outline if t == "Evidence matrix")
    found = 0
    for page_no in (idx, matrix):
        for text, target in linked_texts(pdf, page_no):
            m = re.fullmatch(r"(?:(\d+) \()?([A-Z]+-\d+)\)?,?", text)
            assert m, (page_no, text)
            if m.group(1):
                assert int(m.group(1)) == target
            assert exhibit_page[m.group(2)] == target, (text, target)
            found += 1
    assert found >= 6


def test_accused_without_evidence_gets_no_dossier_and_a_stale_one_is_removed(workspace):
    make_case(workspace)
    out = build(workspace)
    assert (out / "beta.pdf").exists()
    (workspace.path / "cases/demo/evidence/t1.md").unlink()  # beta's only item
    code, stdout, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, err
    assert "cases/demo/case.yaml: accused 'beta': no evidence item concerns this person; no dossier written" in stdout
    assert not (out / "beta.pdf").exists() and (out / "alpha.pdf").exists()


def test_a_table_row_longer_than_a_page_is_split_across_pages(workspace):
    """A person named in hundreds of exhibits has an index row, or an item a field, longer
    than a page: the row continues on the next page instead of stopping the build."""
    names = [f"Person{n:04d} Surname" for n in range(900)]
    workspace.item("a1", extra="persons:\n" + "".join(f'  - "{n}"\n' for n in names))
    code, out, err = run("build", "--root", str(workspace.path), "--edition", "confidential")
    assert code == 0, out + err
    texts = pages_text(workspace.path / "out/demo/confidential/alpha.pdf")
    first = next(i for i, t in enumerate(texts) if "Person0000 Surname" in t)
    last = next(i for i, t in enumerate(texts) if "Person0899 Surname" in t)
    assert last > first  # the same row, on two pages at least
    assert all(any(n in t for t in texts) for n in names[::50])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab Z9.,;:-()[]/\n\t\xa0\u200c\u202b\u202c") + ["زندان", "گوهر", "é", "ß"]),
                max_size=40).map("".join),
       st.sampled_from(["body", "cell", "h2", "quote", "li"]))
def test_plain_paragraphs_skip_the_parser_with_the_same_result(text, style):
    """Markup.paragraph gives reportlab the fragment its parser would make of plain text:
    the same fragments, and the same lines once wrapped, as a Paragraph parsed the usual way."""
    import xml.etree.ElementTree as ET
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph

    from casefile.typeset import rtl
    from casefile.typeset.markup import Markup
    from casefile.typeset.styles import paragraph_styles

    styles = paragraph_styles()
    el = ET.Element("p")
    el.text = text
    fast = Markup(None, styles, None).paragraph(el, styles[style])
    slow = Paragraph(escape(rtl.ltr_visual(text)), styles[style])
    assert [f.__dict__ for f in fast.frags] == [f.__dict__ for f in slow.frags]
    if fast.frags:
        fast.wrap(200, 1000)
        slow.wrap(200, 1000)
        assert fast.height == slow.height
        assert [getattr(x, "words", x) for x in fast.blPara.lines] == [getattr(x, "words", x) for x in slow.blPara.lines]


WORDS = ["a", "the", "witness", "Evin", "1988,", "(prison)", "زندان", "word\xa0joined", "soft\xadhyphen",
         "Supercalifragilisticexpialidocious" * 3, "—", "é", "x" * 40]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS + [" ", "\n", "  "]), max_size=80).map(" ".join),
       st.sampled_from(["body", "cell", "h1", "quote", "li", "small"]),
       st.sampled_from([40.0, 90.5, 200.0, 481.9]),
       st.sampled_from([None, "•", "12."]))
def test_line_breaking_is_reportlabs(text, style, width, bullet):
    """Para's own line breaking (word widths remembered) gives the lines reportlab's gives."""
    from reportlab.platypus import Paragraph

    from casefile.typeset.fastpath import Para
    from casefile.typeset.styles import paragraph_styles

    s = paragraph_styles()[style]
    fast, slow = Para(escape_text(text), s, bulletText=bullet), Paragraph(escape_text(text), s, bulletText=bullet)
    assert fast.wrap(width, 5000) == slow.wrap(width, 5000)
    a, b = fast.blPara, slow.blPara
    assert a.kind == b.kind and len(a.lines) == len(b.lines)
    for x, y in zip(a.lines, b.lines):
        assert (x[0], list(x[1])) == (y[0], list(y[1])) if a.kind == 0 else x.__dict__ == y.__dict__
    assert fast._width_max == slow._width_max


def escape_text(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)
