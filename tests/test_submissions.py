"""Issue 20: submissions whose every citation is a footnote linking to the cited exhibit page.

Read back from the PDFs: each footnote is on the page of its marker (the marker's link and the
note's anchor are on one page), each reference links to the page it cites (in the combined PDF,
inside the annexed dossier; in the text alone, a link that opens the dossier file at that page),
and that page shows the cited page of the exhibit file. The public edition shows a protected
witness only under the pseudonym and passes the leak check. Problems carry path:line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from casefile.case.submission import parse_submission_body, resolve_cross_references
from casefile.dossier.editions import EDITIONS
from casefile.pdf.leakcheck import Term, find_leaks
from conftest import norm, pages_text, run

SECRET = "Zahra Secretname"
PSEUDONYM = "P-0291"


def exhibit_pdf(label: str, pages: int) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for k in range(1, pages + 1):
        c.setFont("Helvetica", 28)
        c.drawString(100, 600, f"{label} sheet {k}")
        c.showPage()
    c.save()
    return buf.getvalue()


SUBMISSION = """\
---
title: A test submission
addressee: The Special Rapporteur
date: 2026-11-20
authors: [Test team]
annexes: [alpha, beta]
numbered_paragraphs: true
bundle: both
un_summary: true
withheld_notes:
  c1: the exhibit is sealed; the Rapporteur may ask for it
---
# Facts {#facts}

The witness, Zahra Secretname, saw the transfers [@t1, p. 2]. The decree says so [see @d1, p. 3; @t1].

A statement confirms it [@s1], as does a sealed record [@c1, p. 1].^[Compare [@d1, pp. 1-2].]

# Argument

As shown in [@facts], it follows [@d1, p. 4].
"""
# (note, exhibit item, text on the page it must land on, the file and page cited) for every
# reference, in note order
EXPECTED = [(1, "t1", "DOC-A sheet 2", "files/a.pdf", 2), (2, "d1", "DOC-C sheet 1", "files/c.pdf", 1),
            (2, "t1", "Title of t1", None, None), (3, "s1", "Title of s1", None, None),
            (4, "c1", "DOC-D sheet 1", "files/d.pdf", 1), (5, "d1", "DOC-B sheet 1", "files/b.pdf", 1),
            (6, "d1", "DOC-C sheet 2", "files/c.pdf", 2)]


def make_case(ws, submission: str = SUBMISSION):
    ws.write("exhibits/demo/files/a.pdf", exhibit_pdf("DOC-A", 3))
    ws.write("exhibits/demo/files/b.pdf", exhibit_pdf("DOC-B", 2))
    ws.write("exhibits/demo/files/c.pdf", exhibit_pdf("DOC-C", 2))
    ws.write("exhibits/demo/files/d.pdf", exhibit_pdf("DOC-D", 1))
    ws.item("t1", type="testimony", date="1988-07", body="I saw the transfers.",
            extra="exhibits:\n  - file: files/a.pdf\n")
    p = ws.path / "cases/demo/evidence/t1.md"
    p.write_text(p.read_text().replace("  name: A Witness\n",
                                       f"  name: {SECRET}\n  protected: true\n  pseudonym: {PSEUDONYM}\n"))
    ws.item("d1", type="decree", date="1988-08", accused=("alpha", "beta"),
            extra="exhibits:\n  - file: files/b.pdf\n  - file: files/c.pdf\n")
    ws.item("s1", date="1988-09", accused=("beta",))
    ws.item("c1", type="document", date="1988-10", extra="confidential: true\nexhibits:\n  - file: files/d.pdf\n")
    ws.write("cases/demo/submissions/brief.md", submission)


def numbers(ws) -> dict[str, str]:
    lock = (ws.path / "cases/demo/exhibits.lock").read_text()
    return {m.group(2): m.group(1) for m in re.finditer(r"^(EX-\d+)\s+active\s+(\S+)$", lock, re.M)}


def documents(ws) -> dict[str, str]:
    """Exhibit file -> its document's label (DM-0001): page k has the evidence number DM-0001-000k."""
    from casefile.case.lockfile import read_lock

    lock = read_lock(ws.path / "cases/demo/exhibits.lock", "exhibits.lock")
    return {lock.document_paths[sha]: f"DM-{n:04d}" for sha, n in lock.documents.items()
            if sha not in lock.retired_documents}


def links_of(reader: PdfReader):
    """(page, rect, kind, target) of every link: kind "page" (an internal link: target (page, top
    or None)) or "file" (target (file, page))."""
    ids = {p.indirect_reference.idnum: i + 1 for i, p in enumerate(reader.pages)}
    out = []
    for i, page in enumerate(reader.pages, 1):
        for a in page.get("/Annots", []) or []:
            a = a.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            rect = tuple(float(v) for v in a["/Rect"])
            if "/Dest" in a:
                d = a["/Dest"]
                top = float(d[3]) if d[1] == "/XYZ" else None
                out.append((i, rect, "page", (ids[d[0].idnum], top)))
            elif "/A" in a and a["/A"].get("/S") == "/GoToR":
                out.append((i, rect, "file", (str(a["/A"]["/F"]), int(a["/A"]["/D"][0]) + 1)))
            elif "/A" in a:
                out.append((i, rect, "uri", str(a["/A"].get("/URI"))))
    return out


def notes_and_targets(pdf: Path, text_pages: int, endnotes: int = 0):
    """For each footnote marker of the text, in reading order: (marker page, note page, pages the
    note's references land on), the references read as the links just below the note's anchor.
    `endnotes`: the first page of the Notes (a marker is then a link from before it to it)."""
    r = PdfReader(str(pdf))
    links = links_of(r)
    body_end = next(p for _, t, p in outline_titles(pdf) if t == "Table of cited evidence")
    if endnotes:
        markers = [(page, rect, target) for page, rect, kind, target in links
                   if kind == "page" and page < endnotes and target[1] is not None and endnotes <= target[0] < body_end]
    else:
        markers = [(page, rect, target) for page, rect, kind, target in links
                   if kind == "page" and page < body_end and target[1] is not None and rect[3] > target[1]]
    out = []
    for page, rect, (note_page, top) in markers:
        refs = [target for p, rc, kind, target in links if p == note_page and kind in ("page", "file")
                and top - 13 < rc[3] <= top + 1 and rc[0] > 70 and (kind == "file" or target[0] > text_pages)]
        out.append((page, note_page, refs))
    return out


def outline_titles(pdf) -> list[tuple[int, str, int]]:
    """(level, title, page) of every bookmark, depth first. A bookmark ends with its page as the
    PDF labels it ("· p. 3", "· p. A-12" in an annex): checked, and given without it."""
    r = PdfReader(str(pdf))
    labels, out = r.page_labels, []

    def walk(items, level):
        for it in items:
            if isinstance(it, list):
                walk(it, level + 1)
                continue
            page = r.get_destination_page_number(it) + 1
            title, _, shown = it.title.rpartition(" · p. ")
            assert shown == labels[page - 1], (it.title, labels[page - 1])
            out.append((level, title, page))

    walk(r.outline, 0)
    return out


def text_pages_of(pdf: Path) -> int:
    r = PdfReader(str(pdf))
    labels = r.page_labels
    return next((i for i, label in enumerate(labels) if label.startswith("A-")), len(labels))


def test_every_citation_is_a_footnote_on_its_page_linking_to_the_cited_page(workspace):
    make_case(workspace)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    nums = numbers(workspace)
    pdf = workspace.path / "out/demo/confidential/submissions/brief.pdf"
    n = text_pages_of(pdf)
    texts = pages_text(pdf)
    notes = notes_and_targets(pdf, n)
    assert len(notes) == 6
    # each note is drawn on the page of its marker
    assert all(marker_page == note_page for marker_page, note_page, _ in notes)
    landed = [(k + 1, [texts[page - 1] for page, _ in refs]) for k, (_, _, refs) in enumerate(notes)]
    docs = documents(workspace)
    for note, item, shown, file, page in EXPECTED:
        pages = dict(landed)[note]
        # the page shows the cited page of the file, under its exhibit number and evidence number
        evidence = f"{docs[file]}-{page:04d}" if file else ""
        assert any(shown in t and nums[item] in t and evidence in t for t in pages), (note, item, shown)
    # the references print exhibit number, short title, pinpoint and evidence number, and the annex page
    body = " ".join(texts[:n])
    assert f"{nums['t1']}, Testimony of {SECRET}, p. 2 [{docs['files/a.pdf']}-0002] (Annex A, p." in body
    assert f"See {nums['d1']}, Title of d1, p. 3 [{docs['files/c.pdf']}-0001] (Annex A, p." in body
    assert f"{nums['s1']}, Statement by A speaker (Annex B, p." in body
    # the annexes follow, under their own outline entries, labelled A-1 …
    titles = [t for _, t, _ in outline_titles(pdf)]
    assert "Annex A — Dossier concerning Alpha Person" in titles and "Annex B — Dossier concerning Beta Person" in titles
    assert PdfReader(str(pdf)).page_labels[n] == "A-1"
    # it opens on its first page at 100 %, with the bookmarks panel
    root = PdfReader(str(pdf)).trailer["/Root"]
    assert root["/PageMode"] == "/UseOutlines" and list(root["/OpenAction"])[1:] == ["/XYZ", 0, 841.8898, 1]
    # the cross-reference and the paragraph numbers
    assert "As shown in section I, it follows" in body
    assert "Table of cited evidence" in " ".join(texts)


def test_the_text_alone_opens_the_dossier_files_at_the_cited_page(workspace):
    make_case(workspace)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    nums = numbers(workspace)
    docs = documents(workspace)
    for edition in EDITIONS:
        pdf = workspace.path / f"out/demo/{edition}/submissions/brief-text.pdf"
        notes = notes_and_targets(pdf, len(PdfReader(str(pdf)).pages))
        assert len(notes) == 6 and all(m == p for m, p, _ in notes)
        # no link of the text alone stays inside it: each opens a dossier file (or a part of the text)
        assert {f for _, _, kind, (f, _) in links_of(PdfReader(str(pdf))) if kind == "file"} == \
            {"../alpha.pdf", "../beta.pdf"}
        for note, item, shown, file, page in EXPECTED:
            if edition == "public" and item == "c1":
                assert notes[note - 1][2] == []  # a withheld exhibit: no link
                continue
            hits = []
            for f, index in notes[note - 1][2]:
                # the file the link names (beside the edition's folder) and the page index it opens
                dossier = (pdf.parent / f).resolve()
                assert dossier.parent == workspace.path.resolve() / "out/demo" / edition
                hits.append(norm(PdfReader(str(dossier)).pages[index - 1].extract_text()))
            # that page shows the exhibit and, for a page pinpoint, the cited page's evidence number
            evidence = f"{docs[file]}-{page:04d}" if file else ""
            assert any(shown in t and nums[item] in t and evidence in t for t in hits), (edition, note, item)


def test_public_edition_shows_only_the_pseudonym_and_passes_the_leak_check(workspace):
    make_case(workspace)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    nums = numbers(workspace)
    for name in ("brief.pdf", "brief-text.pdf"):
        pub = workspace.path / "out/demo/public/submissions" / name
        conf = workspace.path / "out/demo/confidential/submissions" / name
        ptext, ctext = " ".join(pages_text(pub)), " ".join(pages_text(conf))
        assert SECRET not in ptext and "Secretname" not in ptext
        assert f"The witness, {PSEUDONYM}, saw the transfers" in ptext
        assert f"{nums['t1']}, Testimony of {PSEUDONYM}, p. 2" in ptext
        assert f"{nums['c1']}, withheld from the public edition (the exhibit is sealed; the Rapporteur may ask " \
               f"for it)" in ptext
        assert "Title of c1" not in ptext and "DOC-D" not in ptext
        assert SECRET in ctext and "Title of c1" in ctext
        terms = [Term(t, "x", 1, "f") for t in (SECRET, "Title of c1")]
        assert find_leaks(pub.read_bytes(), terms) == []
        assert find_leaks(conf.read_bytes(), terms) != []


def test_a_leak_stops_the_build(workspace, monkeypatch):
    """The public submission goes through the leak check: were a name to get through, nothing is written."""
    from casefile.dossier import submission as assembly

    make_case(workspace)
    monkeypatch.setattr(assembly, "public_text", lambda text, terms, names: text)
    from casefile.commands.build import build
    from casefile.errors import CaseError
    from casefile.output.freshness import Options

    with pytest.raises(CaseError) as e:
        build(Options(root=workspace.path, jobs=1), report=lambda *_: None)
    assert f"'{SECRET}' would appear in the public edition of submission 'brief'" in e.value.report()
    assert not (workspace.path / "out/demo/public/submissions").exists()
    assert not (workspace.path / "out/demo/confidential/alpha.pdf").exists()


def test_problems_carry_path_and_line(workspace):
    body = SUBMISSION.replace("[@s1]", "[@nope]").replace("[@t1, p. 2]", "[@t1, p. 7]") \
        .replace("[@d1, p. 4]", "[@x1]").replace("[@facts]", "[@factz](#factz)")
    body = body.replace("withheld_notes:\n  c1: the exhibit is sealed; the Rapporteur may ask for it\n", "")
    make_case(workspace, body)
    workspace.item("x1", accused=("beta",))
    p = workspace.path / "cases/demo/submissions/brief.md"
    p.write_text(p.read_text().replace("annexes: [alpha, beta]", "annexes: [alpha, gamma]"))
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    lines = err.splitlines()
    path = "cases/demo/submissions/brief.md"
    assert f"{path}:6: annexes.1: unknown accused 'gamma' (known: alpha, beta)" in lines
    assert f"{path}:13: citation: pinpoint 'p. 7' of @t1: the exhibit has 3 pages (its files: files/a.pdf)" in lines
    assert f"{path}:15: citation: unknown item 'nope'" in lines
    assert f"{path}:15: citation: item 'c1' is confidential: the public edition cites it as withheld; say what " \
           f"that edition tells the reader under withheld_notes: {{c1: \"…\"}} (or build the submission in the " \
           f"confidential edition only)" in lines
    assert f"{path}:19: cross-reference: no heading or paragraph has the id 'factz' (did you mean 'facts'?)" in lines
    assert f"{path}:19: citation: item 'x1' concerns beta, whose dossier is not annexed (annexes: alpha); annex " \
           f"that dossier or cite another item" in lines
    assert lines[-1] == "6 problems found"
    assert lines[-1].endswith("problems found")
    code, out, err = run("build", root=workspace.path)
    assert code == 1 and list(workspace.path.rglob("out/**/*.pdf")) == []


def test_bad_pinpoint_of_an_item_without_files_and_unclosed_citation(workspace):
    make_case(workspace, SUBMISSION.replace("[@s1]", "[@s1, p. 2]").replace("^[Compare [@d1, pp. 1-2].]",
                                                                               "and [@d1, p. 0 [@t1"))
    code, out, err = run("check", root=workspace.path)
    path = "cases/demo/submissions/brief.md"
    assert code == 1
    assert err.splitlines() == [
        f"{path}:17: body: '[@' starts a citation that is not closed by ']'",
        f"{path}:17: citation: pinpoint 'p. 2' of @s1: the item has no exhibit files, so it has no pages to "
        f"cite; cite it without a page (or with 'para.', 'line' …)",
        "2 problems found"]


def test_submissions_are_byte_identical_and_up_to_date(workspace):
    make_case(workspace)
    assert run("build", root=workspace.path)[0] == 0
    out = workspace.path / "out/demo"
    first = {p: p.read_bytes() for p in out.rglob("submissions/*.pdf")}
    assert len(first) == 4
    code, stdout, _ = run("build", root=workspace.path)
    assert code == 0 and "0 dossiers built" in stdout
    (out / "public/submissions/brief.pdf").unlink()
    code, stdout, err = run("build", "--force", root=workspace.path)
    assert code == 0, err
    assert {p: p.read_bytes() for p in out.rglob("submissions/*.pdf")} == first
    # a submission removed: its PDFs go
    (workspace.path / "cases/demo/submissions/brief.md").unlink()
    assert run("build", root=workspace.path)[0] == 0
    assert list(out.rglob("submissions/*.pdf")) == []


def test_endnotes_and_the_un_summary(workspace):
    make_case(workspace, SUBMISSION.replace("numbered_paragraphs: true", "notes: endnotes"))
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    pdf = workspace.path / "out/demo/public/submissions/brief.pdf"
    outline = outline_titles(pdf)
    titles = [t for _, t, _ in outline]
    assert "Notes" in titles and "Summary for the special procedures" in titles
    # each marker links to its note in the Notes after the text (none at the foot of a page), and
    # the note's references land on the pages they cite
    notes_page = next(p for _, t, p in outline if t == "Notes")
    evidence_page = next(p for _, t, p in outline if t == "Table of cited evidence")
    notes = notes_and_targets(pdf, text_pages_of(pdf), endnotes=notes_page)
    assert len(notes) == 6
    assert all(marker < notes_page <= note_page < evidence_page for marker, note_page, _ in notes)
    texts = pages_text(pdf)
    nums, docs = numbers(workspace), documents(workspace)
    for note, item, shown, file, page in EXPECTED:
        if item == "c1":  # withheld from the public edition: printed, not linked
            assert notes[note - 1][2] == []
            continue
        evidence = f"{docs[file]}-{page:04d}" if file else ""
        assert any(shown in texts[p - 1] and nums[item] in texts[p - 1] and evidence in texts[p - 1]
                   for p, _ in notes[note - 1][2]), (note, item)
    text = " ".join(pages_text(pdf))
    assert f"{PSEUDONYM} (the witness)" in text and SECRET not in text
    assert "Alpha Person; Beta Person" in text  # the decree's alleged perpetrators: both annexed accused


@pytest.mark.parametrize("source, expected", [
    ("text [@a].", [("text", "text."), ("cite", "a||")]),
    ("text [@a, p. 2], more", [("text", "text,"), ("cite", "a||p. 2"), ("text", " more")]),
    ("[see @a, pp. 3-4, 7; also @b.c-d, para. 2]",
     [("cite", "a|see|pp. 3-4, 7"), ("cite", "b.c-d|also|para. 2")]),
    ("mail a@b.org [not @ a cite] \\[@x]", [("text", "mail a@b.org [not @ a cite] [@x]")]),
    ("**bold [@a] still** *it*", [("text", "bold"), ("cite", "a||"), ("text", " still"), ("text", " "),
                                   ("text", "it")]),
    ("[[hidden]] and ^[a note [@a]]", [("text", "hidden"), ("text", " and"), ("note", "")]),
    ("see [@h1] and [the part](#h1)", [("text", "see "), ("xref", "h1"), ("text", " and "), ("xref", "h1")]),
])
def test_pandoc_citation_syntax(source, expected):
    problems = []
    blocks = resolve_cross_references(parse_submission_body(f"# Part {{#h1}}\n\n{source}", 1, "s.md", problems),
                                      {"a", "b.c-d"})
    assert problems == []
    got = []
    for s in blocks[1].spans:
        if s.kind == "cite":
            got += [("cite", f"{c.key}|{c.prefix}|{c.locator}") for c in s.cites]
        elif s.kind == "xref":
            got.append(("xref", s.key))
        else:
            got.append((s.kind, s.text))
    assert got == expected


def test_the_sample_submission_builds(tmp_path):
    """The sample case's submission: every sentence cites; every note lands on an exhibit page."""
    import shutil

    from conftest import REPO

    for d in ("cases", "exhibits"):
        shutil.copytree(REPO / d, tmp_path / d)
    code, out, err = run("build", "--edition", "public", root=tmp_path)
    assert code == 0, err
    pdf = tmp_path / "out/1988-massacre/public/submissions/un-special-rapporteur.pdf"
    n = text_pages_of(pdf)
    notes = notes_and_targets(pdf, n)
    assert len(notes) >= 15 and all(m == p and refs for m, p, refs in notes)
    texts = pages_text(pdf)
    for _, _, refs in notes:
        for page, _ in refs:
            # (the public edition names an exhibit file by its number, never by its file name)
            assert re.search(r"EX-\d{4} · file \d+ · page \d+ of \d+", texts[page - 1]), texts[page - 1][:200]


def test_the_sample_submission_quotes_the_seeds_word_for_word_and_cites_every_fact():
    """Every quotation of the sample submission is in one of the two seed articles, word for word
    (quotation marks aside), and every paragraph of its factual sections cites an item (or
    introduces a quotation or list that does)."""
    from casefile.case.loading import load_cases
    from casefile.case.submission import load_submissions
    from conftest import REPO

    seeds = " ".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "exhibits/1988-massacre/sources")
                                                                   .glob("*.txt")))

    def flat(s: str) -> str:
        return " ".join(re.sub("[’‘“”'\"]", '"', s).split()).casefold()

    source = (REPO / "cases/1988-massacre/submissions/un-special-rapporteur.md").read_text(encoding="utf-8")
    body = " ".join(" ".join(line.lstrip("> ") for line in source.split("\n---\n", 1)[1].split("\n")).split())
    quotes = re.findall(r"“(.+?)”", body)
    assert len(quotes) >= 20
    assert [q for q in quotes if flat(q).strip(" .,") not in flat(seeds)] == []

    lc = load_cases(REPO, ["1988-massacre"])[0]
    subs, problems = load_submissions(lc)
    assert problems == [] and len(subs) == 1
    section, uncited = "", []
    for b in subs[0].blocks:
        if b.kind == "h":
            section = b.id
            continue
        if section in ("executions", "decrees", "survivors"):
            text = "".join(s.text for s in b.spans if s.kind == "text").strip()
            if not any(s.kind == "cite" for s in b.spans) and not text.endswith((":", "that")):
                uncited.append(text[:60])
    assert uncited == []


def test_a_pinpoint_given_as_an_evidence_number(workspace):
    """`[@d1, DM-0003-0002]`: page 2 of d1's second file (the exhibit's page 4), as lawyers cite by
    evidence number; one that is not a page of the item's files is a path:line problem."""
    make_case(workspace, SUBMISSION.replace("[@d1, p. 4]", "[@d1, DM-0003-0002]"))
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    assert documents(workspace)["files/c.pdf"] == "DM-0003"
    pdf = workspace.path / "out/demo/confidential/submissions/brief.pdf"
    n = text_pages_of(pdf)
    texts = pages_text(pdf)
    assert f"{numbers(workspace)['d1']}, Title of d1, p. 4 [DM-0003-0002] (Annex A, p." in " ".join(texts[:n])
    (page, _), = notes_and_targets(pdf, n)[5][2]
    assert "DOC-C sheet 2" in texts[page - 1] and "DM-0003-0002" in texts[page - 1]

    p = workspace.path / "cases/demo/submissions/brief.md"
    p.write_text(p.read_text().replace("[@d1, DM-0003-0002]", "[@d1, DM-0001-0001; @t1, DM-0001-0009]"))
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    assert err.splitlines()[:2] == [
        "cases/demo/submissions/brief.md:21: citation: pinpoint DM-0001-0001 of @d1: not the evidence number of "
        "a page of the item's exhibit files (their documents: DM-0002, DM-0003)",
        "cases/demo/submissions/brief.md:21: citation: pinpoint DM-0001-0009 of @t1: files/a.pdf has 3 pages "
        "(DM-0001-0001 to DM-0001-0003)"]


def test_a_page_of_a_file_the_public_edition_withholds(workspace):
    """A cited page in a confidential exhibit file: the public edition says the file is withheld,
    prints no evidence number, and links to the file's placeholder; the next file's pages count on."""
    make_case(workspace, SUBMISSION.replace("[@s1]", "[@f1, p. 2]").replace("[@d1, p. 4]", "[@f1, p. 3]"))
    workspace.write("exhibits/demo/files/e.pdf", exhibit_pdf("DOC-E", 2))
    workspace.write("exhibits/demo/files/g.pdf", exhibit_pdf("DOC-G", 1))
    workspace.item("f1", date="1988-11", extra="exhibits:\n  - file: files/e.pdf\n    confidential: true\n"
                                              "  - file: files/g.pdf\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    nums, docs = numbers(workspace), documents(workspace)
    for edition in EDITIONS:
        pdf = workspace.path / f"out/demo/{edition}/submissions/brief.pdf"
        n = text_pages_of(pdf)
        texts = pages_text(pdf)
        body = " ".join(texts[:n])
        notes = notes_and_targets(pdf, n)
        (p2, _), = notes[2][2]
        (p3, _), = notes[5][2]
        assert "DOC-G sheet 1" in texts[p3 - 1]
        assert f"{nums['f1']}, Statement by A speaker, p. 3 [{docs['files/g.pdf']}-0001]" in body
        if edition == "confidential":
            assert "DOC-E sheet 2" in texts[p2 - 1]
            assert f"{nums['f1']}, Statement by A speaker, p. 2 [{docs['files/e.pdf']}-0002]" in body
        else:
            assert "DOC-E" not in " ".join(texts)
            assert "Withheld from the public edition" in texts[p2 - 1]
            assert re.search(rf"{nums['f1']}, Statement by A speaker, p\. 2 \(Annex A, p\. \d+; that file is "
                             rf"withheld from the public edition\)", body)


def _words(pdf: Path, page: int) -> list[tuple[float, float, float]]:
    """(top, bottom, height) of every word of a page, from pdftotext -bbox (y downwards)."""
    import subprocess

    html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(b) - float(a)) for a, b in
            re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">', html)]


def test_long_paragraphs_split_across_pages_keep_their_notes_on_the_marker_pages(workspace):
    """Forty long paragraphs, citations at every position of their lines: each note is on the
    page of its marker, the notes stay below the text, and the text never runs into them."""
    sentence = "The witness described the transfers and the questioning in the same terms as the others"
    cites = ["[@t1, p. 1]", "[@d1, p. 3]", "[@s1]", "[@t1, p. 3; @d1, pp. 1-2]", "[@d1, p. 4]"]
    paras = []
    for k in range(40):
        parts = [f"{sentence} ({k}.{j}) {cites[(k + j) % len(cites)] if (k * 7 + j) % 3 == 0 else ''}."
                 for j in range(4 + k % 9)]
        paras.append(" ".join(parts))
    body = SUBMISSION.split("# Facts")[0] + "# Facts {#facts}\n\n" + "\n\n".join(paras) + "\n"
    make_case(workspace, body.replace("bundle: both", "bundle: separate"))
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, err
    pdf = workspace.path / "out/demo/confidential/submissions/brief-text.pdf"
    n = len(PdfReader(str(pdf)).pages)
    notes = notes_and_targets(pdf, n)
    expected = sum(p.count("[@") for p in paras)
    assert len(notes) == expected and expected > 60
    assert all(marker == page and refs for marker, page, refs in notes)
    for page in sorted({p for _, p, _ in notes}):
        words = _words(pdf, page)
        text = [w for w in words if w[2] >= 15]  # the body's 10.5 pt
        small = [w for w in words if 12.8 <= w[2] <= 13.1]  # the notes' 8.3 pt
        assert text and small and max(b for _, b, _ in text) < min(t for t, _, _ in small), page


FRONT_MATTER = """\
---
title: A submission on the transfers
subtitle: Concerning the account of Secretname
addressee: The Office of the Prosecutor
forum: Universal jurisdiction unit
date: 2026-11-20
authors: [First team, Second team]
annexes: [alpha]
editions: [public]
bundle: both
numbered_headings: false
un_summary:
  victims:
    t1: Zahra Secretname and the prisoners moved with her
short_titles:
  d1: The decree of August
redact: [Operation Nightfall]
---
# Facts {#facts}

Secretname, a witness, describes Operation Nightfall [@t1, p. 2]. The decree orders it [@d1, p. 3].

> Zahra told the court of the transfers. [@t1, p. 3]

As set out in [@facts], the two agree [@t1; @d1].
"""


def test_front_matter_and_protection_in_every_part_of_a_public_submission(workspace):
    """Subtitle, forum, authors, short titles, headings without numbers, one edition only; the
    protected witness's surname alone, a part of her name, the UN summary's victims and the
    subtitle all show the pseudonym; `redact:` terms are redacted; nothing of it in the text, the
    notes, the tables, the bookmarks or the document information; the leak check passes; the
    contents lead to each annex."""
    make_case(workspace, FRONT_MATTER)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    assert not (workspace.path / "out/demo/confidential/submissions").exists()
    pdf = workspace.path / "out/demo/public/submissions/brief.pdf"
    n = text_pages_of(pdf)
    texts = pages_text(pdf)
    body = " ".join(texts[:n])
    nums, docs = numbers(workspace), documents(workspace)
    cover = texts[0]
    for shown in ("SUBMISSION TO", "The Office of the Prosecutor", "Universal jurisdiction unit",
                  "A submission on the transfers", f"Concerning the account of {PSEUDONYM}",
                  "Submitted by First team; Second team", "20 November 2026", "Annexes: A. Dossier concerning Alpha"):
        assert shown in cover, shown
    assert f"{PSEUDONYM}, a witness, describes [redacted]." in body
    assert f"{PSEUDONYM} told the court of the transfers." in body
    assert f"{nums['d1']}, The decree of August, p. 3 [{docs['files/c.pdf']}-0001] (Annex A, p." in body
    assert f"{nums['t1']}, Testimony of {PSEUDONYM}, p. 3 [{docs['files/a.pdf']}-0003] (Annex A, p." in body
    assert "As set out in “Facts”, the two agree." in body  # an unnumbered heading is named by its title
    assert f"{PSEUDONYM} and the prisoners moved with her" in body
    assert not re.search(r"\bI\. Facts", body)
    r = PdfReader(str(pdf))
    info = " ".join(str(v) for v in r.metadata.values())
    titles = " ".join(t for _, t, _ in outline_titles(pdf))
    for secret in ("Secretname", "Zahra", "Nightfall"):
        assert secret not in " ".join(texts) and secret not in info and secret not in titles, secret
    terms = [Term(t, "x", 1, "f") for t in (SECRET, "Secretname", "Zahra", "Operation Nightfall")]
    assert find_leaks(pdf.read_bytes(), terms) == []
    # the block quote is set in from the paragraphs
    words = _words_x(pdf, n)
    paragraph, quote = (min(x for x, w in words if w == word) for word in (PSEUDONYM + ",", PSEUDONYM))
    assert quote > paragraph + 20
    # the contents lead to each annex: its first page here, the dossier file in the text alone
    contents = texts[1]
    assert "Annex A — Dossier concerning Alpha Person A-1" in contents
    links = links_of(r)
    assert any(page == 2 and kind == "page" and target == (n + 1, None) for page, _, kind, target in links)
    alone = workspace.path / "out/demo/public/submissions/brief-text.pdf"
    assert "Annex A — Dossier concerning Alpha Person alpha.pdf" in pages_text(alone)[1]
    assert any(page == 2 and kind == "file" and target == ("../alpha.pdf", 1)
               for page, _, kind, target in links_of(PdfReader(str(alone))))


def _words_x(pdf: Path, last: int) -> list[tuple[float, str]]:
    """(left edge, word) of every word of pages 1 to `last`, from pdftotext -bbox."""
    import html
    import subprocess

    out = subprocess.run(["pdftotext", "-f", "1", "-l", str(last), "-bbox", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(float(x), html.unescape(w)) for x, w in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', out)]


def test_the_public_banner_says_redacted_only_when_something_was_removed(workspace):
    """As on the dossiers: "PUBLIC — REDACTED" and the cover says what went, or "PUBLIC" and nothing was removed."""
    make_case(workspace, FRONT_MATTER)
    assert run("build", root=workspace.path)[0] == 0
    texts = pages_text(workspace.path / "out/demo/public/submissions/brief.pdf")
    assert "PUBLIC — REDACTED A submission on the transfers" in texts[0]  # the banner, then the running title
    assert "Public edition, redacted (in this text or its annexes): protected witnesses appear under pseudonyms; " \
           "marked passages and names are redacted" in texts[0]
    clean = FRONT_MATTER.split("---\n# Facts")[0].replace("annexes: [alpha]", "annexes: [beta]") \
        .replace("Secretname", "the witness").replace("    t1: Zahra the witness and the prisoners moved with her\n",
                                                      "    s1: the prisoners\n") \
        .replace("redact: [Operation Nightfall]\n", "")
    make_case(workspace, clean + "---\n# Facts\n\nA statement says so [@s1]; the decree orders it [@d1, p. 3].\n")
    code, _, err = run("build", root=workspace.path)
    assert code == 0, err
    texts = pages_text(workspace.path / "out/demo/public/submissions/brief.pdf")
    assert "PUBLIC A submission on the transfers" in texts[0] and "REDACTED" not in " ".join(texts)
    assert "Public edition: nothing was removed" in texts[0]


def test_the_readme_example_prints_what_the_readme_says(tmp_path):
    """The README's submission example, built in the sample case, prints the note the README shows,
    linked to the page it names."""
    import shutil

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Submissions"):]
    example = section[section.index("```markdown\n") + 12:section.index("\n```", section.index("```markdown"))]
    shown = re.search(r"with the note “¹ (.+?)”", " ".join(section.split())).group(1)
    for d in ("cases", "exhibits"):
        shutil.copytree(REPO / d, tmp_path / d)
    subs = tmp_path / "cases/1988-massacre/submissions"
    shutil.rmtree(subs)
    subs.mkdir()
    (subs / "example.md").write_text(example + "\n", encoding="utf-8")
    code, out, err = run("build", "--edition", "confidential", root=tmp_path)
    assert code == 0, err
    pdf = tmp_path / "out/1988-massacre/confidential/submissions/example.pdf"
    n = text_pages_of(pdf)
    texts = pages_text(pdf)
    body = " ".join(texts[:n])
    assert "Survivors describe transfers before the executions.1" in body
    assert f"1 {shown}" in body, shown
    (marker, note, refs), *_ = notes_and_targets(pdf, n)
    evidence = re.search(r"\[(\S+)\]", shown).group(1)
    # (the page shows the file under the exhibit that shows it first, EX-0002: the evidence number is the page's)
    assert marker == note and any(evidence in texts[p - 1] for p, _ in refs), [texts[p - 1][:300] for p, _ in refs]
    annex_page = int(re.search(r"Annex A, p\. (\d+)", shown).group(1))
    assert PdfReader(str(pdf)).page_labels[refs[0][0] - 1] == f"A-{annex_page}"


def test_a_protected_person_of_case_yaml_and_a_paragraph_cross_reference(workspace):
    """A person protected in case.yaml, named in the submission by full name and surname, shows
    only the pseudonym in the public edition, which passes the leak check; a paragraph named with
    {#id} is cross-referenced by its number, and numbered paragraphs print their numbers."""
    from conftest import CASE_YAML

    body = SUBMISSION.replace("A statement confirms it [@s1]", "Epsilon Sourcename confirms it [@s1]") \
        .replace("[@c1, p. 1].^[Compare [@d1, pp. 1-2].]", "[@c1, p. 1]; Sourcename says so too. {#second}") \
        .replace("As shown in [@facts],", "As shown in [@facts] and [@second],")
    make_case(workspace, body)
    workspace.write("cases/demo/case.yaml", CASE_YAML + (
        "persons:\n  - name: Epsilon Sourcename\n    protected: true\n    pseudonym: SOURCE-A\n"))
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    for edition in ("public", "confidential"):
        pdf = workspace.path / f"out/demo/{edition}/submissions/brief.pdf"
        n = text_pages_of(pdf)
        body_text = " ".join(pages_text(pdf)[:n])
        assert "As shown in section I and paragraph 2, it follows" in body_text
        assert re.search(r"(^| )1\. The witness, ", body_text)
        assert re.search(r"(^| )2\. (SOURCE-A|Epsilon Sourcename) confirms it", body_text)
        assert re.search(r"(^| )3\. As shown in", body_text)
        if edition == "public":
            text = " ".join(pages_text(pdf))
            assert "SOURCE-A confirms it" in text and "SOURCE-A says so too." in text
            assert "Sourcename" not in text and "Epsilon" not in text
            terms = [Term(t, "x", 1, "f") for t in ("Epsilon Sourcename", "Sourcename", "Epsilon")]
            assert find_leaks(pdf.read_bytes(), terms) == []
        else:
            assert "Epsilon Sourcename confirms it" in body_text


def _word_boxes(pdf: Path, page: int) -> tuple[float, list[tuple[float, float, float, float, str]]]:
    """The page's height and (xMin, yMin, xMax, yMax, word) of every word, from pdftotext -bbox,
    y downwards from the top of the page."""
    import html
    import subprocess

    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', out).group(1))
    return height, [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in
                    re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                               out)]


def _lines(words) -> list[list[tuple]]:
    """Words grouped into lines (the same baseline), left to right."""
    lines: list[list[tuple]] = []
    for w in sorted(words, key=lambda w: (round(w[3]), w[0])):
        if lines and abs(lines[-1][0][3] - w[3]) < 2:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line) for line in lines]


def test_the_contents_have_dot_leaders_and_each_line_is_a_link_to_its_page(workspace, tmp_path):
    """Each line of a submission's contents: its title, dot leaders, its page at the right, as a
    dossier's contents are; a click anywhere on the line (title or number) lands on the page the
    line names: the PDF page labelled so (a section, or the first page of an annex, A-1), and in
    the text alone the annex's dossier file at its first page."""
    import subprocess

    make_case(workspace)
    assert run("build", root=workspace.path)[0] == 0
    for name in ("brief.pdf", "brief-text.pdf"):
        pdf = workspace.path / "out/demo/confidential/submissions" / name
        r = PdfReader(str(pdf))
        labels = r.page_labels
        height, words = _word_boxes(pdf, 2)
        # the lines with a number at the right, below the running head and above the footer
        entries = [ln for ln in _lines(words) if ln[-1][2] > 500 and 60 < ln[0][1] and ln[0][3] < height - 60]
        titles = [" ".join(w[4] for w in ln[:-1]) for ln in entries]
        assert titles[:3] == ["Cover", "Contents", "Summary for the special procedures"], titles
        assert "I. Facts" in titles and "II. Argument" in titles and "List of annexes" in titles
        assert titles[-2:] == ["Annex A — Dossier concerning Alpha Person", "Annex B — Dossier concerning Beta Person"]
        links = [(rect, kind, target) for page, rect, kind, target in links_of(r) if page == 2]
        subprocess.run(["pdftoppm", "-r", "144", "-gray", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "c")],
                       check=True)
        from PIL import Image

        png = Image.open(next(tmp_path.glob("c*.pgm")))
        for line, title in zip(entries, titles):
            number = line[-1][4]
            left, right = line[0][0], line[-1][2]
            top, bottom = min(w[1] for w in line), max(w[3] for w in line)
            hits = [(kind, target) for rect, kind, target in links
                    if rect[0] <= left + 0.5 and rect[2] >= right - 0.5
                    and rect[1] <= height - bottom + 0.5 and rect[3] >= height - top - 0.5]
            assert len(hits) == 1, (title, hits)
            kind, target = hits[0]
            if title.startswith("Annex "):
                letter = title.split()[1]
                if name == "brief.pdf":
                    assert number == f"{letter}-1" and kind == "page" and labels[target[0] - 1] == f"{letter}-1"
                    assert f"{'Alpha' if letter == 'A' else 'Beta'} Person" in pages_text(pdf)[target[0] - 1]
                else:
                    assert kind == "file" and target == (f"../{number}", 1) and number in ("alpha.pdf", "beta.pdf")
            else:
                assert kind == "page" and labels[target[0] - 1] == number, (title, number, target)
                assert title in " ".join(t for _, t, p in outline_titles(pdf) if p == target[0])
            # the leaders: evenly spaced dots on the line's baseline between the title and the number
            gap_from, gap_to = line[-2][2] + 6, line[-1][0] - 6
            y0, y1 = int(line[0][1] * 2), int(line[0][3] * 2)
            dark = [any(png.getpixel((x, y)) < 200 for y in range(y0, y1 + 1))
                    for x in range(int(gap_from * 2), int(gap_to * 2))]
            starts = [k for k in range(1, len(dark)) if dark[k] and not dark[k - 1]]
            assert len(starts) >= 0.75 * (gap_to - gap_from) / 4, (title, len(starts), gap_to - gap_from)
            assert all(7 <= b - a <= 9 for a, b in zip(starts, starts[1:])), (title, starts)  # a dot every 4 pt


def test_annex_pages_are_labelled_and_stamped_as_the_footers_and_contents_number_them(workspace):
    """The combined PDF: the text's pages print "Page k of T" and are labelled k; each annex page
    keeps its dossier's "Page k of P", is labelled A-k (B-k …) and stamped at its top right
    "Annex A · page A-k · PDF page n of N", clear of the page's own text; the list of annexes
    gives each annex's labels and PDF pages, and each citation's "Annex A, p. k" lands on the
    page labelled A-k."""
    make_case(workspace)
    assert run("build", root=workspace.path)[0] == 0
    for edition in EDITIONS:
        pdf = workspace.path / f"out/demo/{edition}/submissions/brief.pdf"
        r = PdfReader(str(pdf))
        labels, texts = r.page_labels, pages_text(pdf)
        n, total = text_pages_of(pdf), len(r.pages)
        assert labels[:n] == [str(k) for k in range(1, n + 1)]
        for k in range(1, n + 1):
            assert f"Page {k} of {n}" in texts[k - 1]
            assert "PDF page" not in texts[k - 1] or k == n  # (the list of annexes explains the stamp)
        spans = {}
        for index in range(n, total):
            letter, _, number = labels[index].partition("-")
            spans.setdefault(letter, []).append(int(number))
            stamp = f"Annex {letter} · page {letter}-{number} · PDF page {index + 1} of {total}"
            assert stamp in texts[index], (index, texts[index][-200:])
            own_total = len([label for label in labels if label.startswith(letter + "-")])
            assert f"Page {number} of {own_total}" in texts[index]
            height, words = _word_boxes(pdf, index + 1)
            top = sorted(w for w in words if w[1] < 12)  # the band above the page: its banner, then the stamp
            stamp_words = top[[w[4] for w in top].index("Annex"):]
            assert " ".join(w[4] for w in stamp_words) == stamp
            width = float(r.pages[index].mediabox.width)
            x0, y0 = min(w[0] for w in stamp_words), min(w[1] for w in stamp_words)
            x1, y1 = max(w[2] for w in stamp_words), max(w[3] for w in stamp_words)
            assert x1 <= width - 10 and y0 > 2
            assert not [o for o in words if o not in stamp_words and o[0] < x1 and o[2] > x0
                        and o[1] < y1 and o[3] > y0], "the stamp overlaps the page's text"
        assert list(spans) == ["A", "B"] and all(v == list(range(1, len(v) + 1)) for v in spans.values())
        # every font embedded (the text's paragraph numbers and table cells, the stamps): no Helvetica
        fonts = {str(f.get_object().get("/BaseFont")) for p in r.pages
                 for f in (p["/Resources"].get_object().get("/Font") or {}).values()}
        assert fonts and not any("Helvetica" in f for f in fonts), fonts
        annex_list = texts[n - 1]
        first = n
        for letter, pages in spans.items():
            row = f"{letter}-1 to {letter}-{len(pages)} (PDF pages {first + 1}–{first + len(pages)})"
            assert row in annex_list, (row, annex_list)
            first += len(pages)
        body = " ".join(texts[:n])
        cited = re.findall(r"\(Annex ([AB]), p\. (\d+)\)", body)
        landed = [labels[p - 1] for _, _, refs in notes_and_targets(pdf, n) for p, _ in refs]
        assert cited and [f"{a}-{p}" for a, p in cited] == landed, (cited, landed)


XREFS = SUBMISSION.replace("# Argument\n\nAs shown in [@facts], it follows [@d1, p. 4].\n", """\
# Law {#law}

The law is clear. {#p3}

The law is settled. {#p4}

# Argument

As shown in [@facts], [@law] and [@argument], and in [@facts; @law], it follows [@d1, p. 4].
Both rules [see @p3; @p4]; compare [@p3], [@facts] and [@p4]; also [@law] and [the facts](#facts);
and [@facts], [@law], and [@argument].

[@law] and [@argument] say so. The law is clear; [@p3] is its rule. [@facts] opens.
""")


def test_cross_references_in_a_row_are_one_phrase(workspace):
    """Several cross-references in a row, written apart ("[@a], [@b] and [@c]") or together
    ("[@a; @b]"), print "sections I, II and III", "paragraphs 3 and 4", each number a link to
    its place; of different kinds, or with the text's own words between them, each keeps its
    own word."""
    make_case(workspace, XREFS)
    code, _, err = run("build", root=workspace.path)
    assert code == 0, err
    pdf = workspace.path / "out/demo/confidential/submissions/brief.pdf"
    n = text_pages_of(pdf)
    body = " ".join(pages_text(pdf)[:n])
    assert "As shown in sections I, II and III, and in sections I and II, it follows." in body, body
    assert "Both rules see paragraphs 3 and 4; compare paragraph 3, section I and paragraph 4; also section II " \
           "and the facts; and sections I, II, and III." in body, body
    assert "section I, section II" not in body and "para." not in body.split("Table of cited evidence")[0]
    # one that opens a paragraph or a sentence is capitalised, one inside a sentence is not
    assert "Sections II and III say so. The law is clear; paragraph 3 is its rule. Section I opens." in body, body
    # each number is a link to the page of its heading or paragraph
    pages = {t.split(". ", 1)[1]: p for _, t, p in outline_titles(pdf) if re.match(r"[IV]+\. ", t)}
    r = PdfReader(str(pdf))
    argument = pages["Argument"]
    height, words = _word_boxes(pdf, argument)
    links = [(rect, target) for page, rect, kind, target in links_of(r) if page == argument and kind == "page"]

    def target_of(word):
        x0, y0, x1, y1, _ = word
        found = [t for rect, t in links if rect[0] <= (x0 + x1) / 2 <= rect[2]
                 and rect[1] <= height - (y0 + y1) / 2 <= rect[3]]
        assert len(found) == 1, (word, found)
        return found[0][0]

    flat = [w for line in _lines(words) for w in line]
    k = next(i for i, w in enumerate(flat) if w[4] == "sections")
    phrase = flat[k:k + 5]
    assert [w[4] for w in phrase] == ["sections", "I,", "II", "and", "III,"]
    assert [target_of(w) for w in (phrase[0], phrase[1], phrase[2], phrase[4])] == \
        [pages["Facts"], pages["Facts"], pages["Law"], pages["Argument"]]
