"""Issue 16: citations that never move. Permanent evidence numbers on exhibit file pages, each
file once per dossier, cross-references and pinpoint locators as links, no padding pages."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from conftest import link_annotations, outline_titles, pages_text, run

ERN = re.compile(r"DM-\d{4}-\d{4}")
CONTENT_MARK = re.compile(r"PAGECONTENT-[A-Za-z0-9]+-\d+")


def marked_pdf(name: str, pages: int, numbered_lines: int = 0) -> bytes:
    """A PDF whose page k says PAGECONTENT-<name>-<k> (what the page shows, whatever dossier it
    is in); with `numbered_lines`, that many lines numbered in the margin, 10 a page."""
    b = io.BytesIO()
    c = canvas.Canvas(b, pagesize=A4, invariant=1)
    line = 1
    for k in range(1, pages + 1):
        c.setFont("Helvetica-Bold", 20)
        c.drawString(100, 760, f"PAGECONTENT-{name}-{k}")
        c.setFont("Helvetica", 11)
        for i in range(10):
            if line > numbered_lines:
                break
            c.drawString(60, 700 - 20 * i, str(line))
            c.drawString(100, 700 - 20 * i, f"text of line {line}")
            line += 1
        c.showPage()
    c.save()
    return b.getvalue()


def cite(ws, id, files, date="1988-08", accused=("alpha",), body="Some text.", sources=None, extra=""):
    text = "exhibits:\n" + "".join(f"  - file: {f}\n" for f in files) + extra
    ws.item(id, date=date, accused=accused, extra=text, body=body)
    if sources is not None:
        p = ws.path / f"cases/demo/evidence/{id}.md"
        p.write_text(p.read_text().replace("sources:\n  - title: Source article\n", "sources:\n" + sources))


def built(ws, edition="confidential", accused="alpha"):
    return ws.path / f"out/demo/{edition}/{accused}.pdf"


def build(ws, *args):
    code, out, err = run("build", *args, root=ws.path)
    assert code == 0, err + out
    return out


def footer_numbers(pdf, pattern: re.Pattern = ERN) -> dict[int, list[str]]:
    """{page: evidence numbers printed in the page's bottom band} (pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found: dict[int, list[str]] = {}
    for i, page in enumerate(re.findall(r"<page width=\"[\d.]+\" height=\"([\d.]+)\">(.*?)</page>", out, re.S), 1):
        height, body = float(page[0]), page[1]
        found[i] = [html.unescape(w) for y, w in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>([^<]*)</word>', body)
                    if float(y) > height - 60 and pattern.fullmatch(html.unescape(w))]
    return found


def evidence_map(pdf) -> dict[str, str]:
    """{evidence number: what the page shows} for every page carrying one in its footer; a
    page with two, or one without what its file page shows, fails."""
    out = {}
    footers = footer_numbers(pdf)
    for i, t in enumerate(pages_text(pdf), 1):
        found = set(footers[i])
        if not found:
            assert not CONTENT_MARK.search(t), (pdf, i, "an exhibit file page without its evidence number")
            continue
        assert len(found) == 1, (pdf, i, found)
        marks = set(CONTENT_MARK.findall(t))
        assert len(marks) == 1, (pdf, i, marks, t[:200])
        number = found.pop()
        assert number not in out, f"{pdf}: {number} on two pages"
        out[number] = marks.pop()
    return out


def test_unknown_or_malformed_cross_reference_is_a_path_line_error(workspace):
    workspace.item("a1", body="First line.\n\nSee [@no-such-item] and [@Bad Id].")
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    lines = err.splitlines()
    assert "cases/demo/evidence/a1.md:13: body: cross-reference [@no-such-item]: no item 'no-such-item' in " \
           "this case" in lines, err
    assert any(l.startswith("cases/demo/evidence/a1.md:13: body: cross-reference [@Bad Id]: write [@item-id]")
               for l in lines), err


def test_cross_reference_prints_the_exhibit_number_as_a_link_to_it(workspace):
    workspace.item("a1", date="1988-07", body="The first item.")
    workspace.item("a2", date="1988-08", body="As the first item says ([@a1]), and the third ([@b3]).")
    workspace.item("b3", date="1988-09", accused=("beta",), body="About beta only.")
    build(workspace, "--edition", "confidential")
    pdf = built(workspace)
    texts = pages_text(pdf)
    starts = {t.split(" — ")[0]: p for _, t, p in outline_titles(pdf) if t.startswith("EX-")}
    page = starts["EX-0002"]
    assert "As the first item says (EX-0001), and the third (EX-0003 (not in this dossier))." in texts[page - 1]
    assert "[@" not in " ".join(texts)
    assert (page, starts["EX-0001"]) in [(p, t) for p, _, t in link_annotations(pdf)]


def test_summaries_and_notes_refer_to_items_by_exhibit_number(workspace):
    """An item's summary, an accused's notes and the case's summary may refer to an item as
    [@item-id] too: printed as its exhibit number, a link to it, never as the id."""
    from conftest import CASE_YAML

    workspace.write("cases/demo/case.yaml", CASE_YAML.replace(
        "forum: Submission to a test forum\n", "forum: Submission to a test forum\nsummary: The decree ([@a1]).\n")
        .replace("    status: at large\n", "    status: at large\n    notes: Named in [@a1]; see [@b3].\n"))
    workspace.item("a1", date="1988-07", body="The first item.")
    workspace.item("a2", date="1988-08", extra="summary: Recorded again in [@a1].\n")
    workspace.item("b3", date="1988-09", accused=("beta",), body="About beta only.")
    for edition in ("confidential", "public"):
        build(workspace, "--edition", edition)
        pdf = built(workspace, edition)
        texts = [" ".join(t.split()) for t in pages_text(pdf)]
        starts = {t.split(" — ")[0]: p for _, t, p in outline_titles(pdf) if t.startswith("EX-")}
        sections = {t: p for _, t, p in outline_titles(pdf)}
        assert "The decree (EX-0001)." in texts[0]
        profile = sections["Profile of the accused"]
        assert "Named in EX-0001; see EX-0003 (not in this dossier)." in texts[profile - 1]
        assert "Recorded again in EX-0001." in texts[starts["EX-0002"] - 1]
        assert "[@" not in " ".join(texts)
        links = [(p, t) for p, _, t in link_annotations(pdf)]
        for page in (1, profile, starts["EX-0002"]):
            assert (page, starts["EX-0001"]) in links, (edition, page)


def test_unknown_cross_reference_in_a_summary_or_notes_is_a_path_line_error(workspace):
    from conftest import CASE_YAML

    workspace.write("cases/demo/case.yaml", CASE_YAML.replace("    status: at large\n",
                                                              "    status: at large\n    notes: See [@a9].\n"))
    workspace.item("a1", extra="summary: As [@nope] says.\n")
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    lines = err.splitlines()
    assert "cases/demo/case.yaml:15: accused.0.notes: cross-reference [@a9]: no item 'a9' in this case" in lines, err
    assert "cases/demo/evidence/a1.md:10: summary: cross-reference [@nope]: no item 'nope' in this case" in lines, err


def test_a_file_cited_by_several_exhibits_is_shown_once(workspace):
    workspace.write("exhibits/demo/article.pdf", marked_pdf("article", 3))
    for i, date in enumerate(("1988-07", "1988-08", "1988-09"), 1):
        cite(workspace, f"a{i}", ["article.pdf"], date=date)
    build(workspace, "--edition", "confidential")
    pdf = built(workspace)
    texts = pages_text(pdf)
    shown = [i for i, t in enumerate(texts, 1) if "PAGECONTENT-article-1" in t]
    assert len(shown) == 1, shown
    for k in (2, 3):  # and no other page of it repeated
        assert [i for i, t in enumerate(texts, 1) if f"PAGECONTENT-article-{k}" in t] == [shown[0] + k - 1]
    m = json.loads(PdfReader(str(pdf)).attachments["casefile-manifest.json"][0])
    files = {e["number"]: e["files"][0] for e in m["exhibits"]}
    assert files["EX-0001"]["pages"] == [shown[0], shown[0] + 2] and files["EX-0001"]["shown_in"] is None
    assert files["EX-0002"]["shown_in"] == "EX-0001" and files["EX-0002"]["pages"] is None
    # the later exhibits' file rows are links to the file's first page
    starts = {t.split(" — ")[0]: p for _, t, p in outline_titles(pdf) if t.startswith("EX-")}
    for number in ("EX-0002", "EX-0003"):
        targets = [t for p, _, t in link_annotations(pdf) if p in range(starts[number], starts[number] + 2)]
        assert shown[0] in targets, number
        assert "shown once, with EX-0001" in " ".join(texts[starts[number] - 1:starts[number] + 1])
    # the annex says which exhibits cite the file
    annex = next(t for t in texts if "Annex: exhibit files" in t and "Cited by" in t)
    assert "EX-0001, EX-0002, EX-0003" in annex


def test_page_and_line_locators_link_to_the_page_they_name(workspace):
    workspace.write("exhibits/demo/transcript.pdf", marked_pdf("transcript", 4, numbered_lines=40))
    sources = ('  - title: Transcript\n    file: transcript.txt\n    locator: "answer 3 (line 25 of the stored file)"\n'
               '  - title: Transcript\n    file: transcript.pdf\n    locator: "pp. 4-5"\n'
               '  - title: Elsewhere\n    locator: "page 2"\n')
    cite(workspace, "a1", ["transcript.pdf"], sources=sources)
    build(workspace, "--edition", "confidential")
    pdf = built(workspace)
    texts = pages_text(pdf)
    page_of = {next(iter(ERN.findall(t))): i for i, t in enumerate(texts, 1) if ERN.search(t)}
    item_page = next(p for _, t, p in outline_titles(pdf) if t.startswith("EX-0001"))
    assert "(line 25 of the stored file) (at DM-0001-0003)" in texts[item_page - 1]
    assert "pp. 4-5 (at DM-0001-0004)" in texts[item_page - 1]
    assert "page 2, " not in texts[item_page - 1] and "(at DM-" not in texts[item_page - 1].split("Elsewhere")[1]
    targets = [t for p, _, t in link_annotations(pdf) if p == item_page]
    assert page_of["DM-0001-0003"] in targets and page_of["DM-0001-0004"] in targets
    assert "PAGECONTENT-transcript-3" in texts[page_of["DM-0001-0003"] - 1]


def test_a_locator_naming_a_page_or_line_the_file_lacks_is_an_error(workspace):
    workspace.write("exhibits/demo/two.pdf", marked_pdf("two", 2, numbered_lines=12))
    workspace.write("exhibits/demo/plain.pdf", marked_pdf("plain", 1))
    sources = ('  - title: Two\n    file: two.pdf\n    locator: "page 3"\n'
               '  - title: Two\n    file: two.pdf\n    locator: "line 40"\n'
               '  - title: Plain\n    file: plain.pdf\n    locator: "line 2"\n')
    cite(workspace, "a1", ["two.pdf", "plain.pdf"], sources=sources)
    code, out, err = run("build", root=workspace.path)
    assert code == 1
    assert re.search(r"a1\.md:(\d+): sources\.0\.locator: page 3, but two\.pdf has 2 pages", err), err
    assert re.search(r"a1\.md:\d+: sources\.1\.locator: line 40, but the numbered lines of two\.pdf end at line 12",
                     err), err
    assert re.search(r"a1\.md:\d+: sources\.2\.locator: line 2, but the lines of plain\.pdf are not numbered", err)
    lines = [int(n) for n in re.findall(r"a1\.md:(\d+): sources\.\d\.locator", err)]
    text = (workspace.path / "cases/demo/evidence/a1.md").read_text().split("\n")
    assert [text[n - 1].strip().split(":")[0] for n in lines] == ["locator"] * 3  # each at its locator's line
    assert not (workspace.path / "out/demo").exists()


def _protect(ws, id):
    p = ws.path / f"cases/demo/evidence/{id}.md"
    p.write_text(p.read_text().replace(
        "  name: A Witness\n", "  name: Zed Qwerty\n  protected: true\n  pseudonym: Witness with a much longer pseudonym "
                               + "that wraps " * 12 + "\n"))


def test_evidence_numbers_name_one_page_across_editions_and_rebuilds(workspace):
    """Every evidence number shows the same page in both editions and after 30 items are added
    before and between the cited ones; no padding page; each edition paginated on its own."""
    for name, pages in (("alpha", 3), ("beta", 2), ("gamma", 1)):
        workspace.write(f"exhibits/demo/{name}.pdf", marked_pdf(name, pages))
    workspace.item("w1", type="testimony", date="1988-06", body="I, Zed Qwerty, saw it. " * 40)
    _protect(workspace, "w1")
    cite(workspace, "a1", ["alpha.pdf", "beta.pdf"], date="1988-07")
    cite(workspace, "a2", ["gamma.pdf", "alpha.pdf"], date="1988-08")
    cite(workspace, "a3", ["beta.pdf"], date="1988-09", extra="confidential: true\n")
    build(workspace)
    first = {ed: evidence_map(built(workspace, ed)) for ed in ("confidential", "public")}
    assert len(first["confidential"]) == 6
    lock = (workspace.path / "cases/demo/exhibits.lock").read_text()
    assert lock.count("\ndocument  ") == 3
    for i in range(30):  # added before, between and after the cited items
        workspace.item(f"n{i:02d}", date=f"1988-{6 + i % 5:02d}", body="A new item. " * (20 + i))
    build(workspace)
    second = {ed: evidence_map(built(workspace, ed)) for ed in ("confidential", "public")}
    seen: dict[str, str] = {}
    for m in (*first.values(), *second.values()):
        for number, content in m.items():
            assert seen.setdefault(number, content) == content, (number, seen[number], content)
    assert set(second["confidential"]) == set(first["confidential"])
    assert second["public"] == second["confidential"] == first["confidential"]
    for ed in ("confidential", "public"):
        texts = pages_text(built(workspace, ed))
        assert not any("intentionally blank" in t for t in texts)
        m = json.loads(PdfReader(str(built(workspace, ed))).attachments["casefile-manifest.json"][0])
        pages = {e["number"]: e["page"] for e in m["evidence"]}
        assert set(pages) == set(second[ed])
        for number, page in pages.items():
            assert number in texts[page - 1]
    # the two editions differ in length (the pseudonym is longer than the name), so the
    # evidence numbers are not on the same pages: the editions are not padded to match
    conf_pages = {e["number"]: e["page"] for e in json.loads(PdfReader(str(built(workspace, "confidential")))
                                                             .attachments["casefile-manifest.json"][0])["evidence"]}
    pub_pages = {e["number"]: e["page"] for e in json.loads(PdfReader(str(built(workspace, "public")))
                                                            .attachments["casefile-manifest.json"][0])["evidence"]}
    assert conf_pages != pub_pages


def test_opens_at_100_percent_with_bookmarks_of_number_short_title_and_page(workspace):
    workspace.item("a1", body="Text.")
    p = workspace.path / "cases/demo/evidence/a1.md"
    long_title = "A very long title of an exhibit that goes on and on about what the source says it shows"
    p.write_text(p.read_text().replace("title: Title of a1", f"title: {long_title}"))
    build(workspace, "--edition", "confidential")
    r = PdfReader(str(built(workspace)))
    root = r.trailer["/Root"]
    assert root["/PageMode"] == "/UseOutlines"
    action = root["/OpenAction"].get_object()
    assert action[0].idnum == r.pages[0].indirect_reference.idnum and action[1] == "/XYZ" and action[4] == 1
    titles = []

    def walk(items):
        for it in items:
            walk(it) if isinstance(it, list) else titles.append((it.title, r.get_destination_page_number(it) + 1))
    walk(r.outline)
    title, page = next((t, p) for t, p in titles if t.startswith("EX-0001"))
    assert title == f"EX-0001 — A very long title of an exhibit that goes on and… · p. {page}"
    assert all(re.search(r" · p\. \d+$", t) for t, _ in titles)


def test_export_gives_every_evidence_number_its_page_in_each_edition(workspace, tmp_path):
    workspace.write("exhibits/demo/alpha.pdf", marked_pdf("alpha", 2))
    workspace.item("w1", type="testimony", date="1988-06", body="I, Zed Qwerty, saw it. " * 40)
    _protect(workspace, "w1")
    cite(workspace, "a1", ["alpha.pdf"], date="1988-07")
    cite(workspace, "b1", ["alpha.pdf"], date="1988-08", accused=("beta",))
    build(workspace)
    code, out, err = run("export", "--format", "json", "--out", str(tmp_path), root=workspace.path)
    assert code == 0, err
    data = json.loads((tmp_path / "demo-confidential.json").read_text(encoding="utf-8"))
    rows = {v["number"]: v for v in data["evidence"]}
    assert sorted(rows) == ["DM-0001-0001", "DM-0001-0002"]
    footers = {(acc, ed): footer_numbers(built(workspace, ed, acc)) for acc in ("alpha", "beta")
               for ed in ("confidential", "public")}
    for number, row in rows.items():
        assert {(p["accused"], p["edition"]) for p in row["pages"]} == set(footers)
        for p in row["pages"]:
            assert footers[(p["accused"], p["edition"])][p["page"]] == [number]
    files = {f["path"]: f for e in data["exhibits"] for f in e["files"]}
    assert files["alpha.pdf"]["document"] == "DM-0001"
    code, out, err = run("export", "--format", "json", "--edition", "public", "--out", str(tmp_path),
                         root=workspace.path)
    public = json.loads((tmp_path / "demo-public.json").read_text(encoding="utf-8"))
    assert {p["edition"] for v in public["evidence"] for p in v["pages"]} == {"public"}


def _page_contents(reader, page) -> list[str]:
    """SHA-256 of what an exhibit file puts on a page: its copied page forms and its images."""
    import hashlib

    out = []
    xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
    for name, ref in xobjects.items():
        obj = ref.get_object()
        if name.startswith("/FormXob.cfExhibitPage") or obj.get("/Subtype") == "/Image":
            out.append(hashlib.sha256(obj.get_data()).hexdigest())
    return out


def test_sample_dossiers_show_each_file_once_and_their_citations_are_live(tmp_path):
    """The sample case, built as it is: no exhibit file page twice in a dossier (by content
    hash); every page of an exhibit file has one evidence number, the same in both editions;
    every pinpointed locator and every cross-reference is a link to the page it names."""
    from conftest import REPO

    code, out, err = run("build", "--frozen", "--out", str(tmp_path), root=REPO)
    assert code == 0, err + out
    seen: dict[str, str] = {}
    for pdf in sorted((tmp_path / "1988-massacre").glob("*/*.pdf")):
        r = PdfReader(str(pdf))
        texts = pages_text(pdf)
        footers = footer_numbers(pdf, re.compile(r"IR88-\d{4}-\d{4}"))
        contents: dict[str, int] = {}
        for i, page in enumerate(r.pages, 1):
            for h in _page_contents(r, page):
                assert h not in contents, f"{pdf.name}: page {i} repeats page {contents[h]}"
                contents[h] = i
            if _page_contents(r, page):  # an exhibit file's page: one evidence number, one content everywhere
                assert len(footers[i]) == 1, (pdf, i, footers[i])
                content = " ".join(sorted(_page_contents(r, page)))
                assert seen.setdefault(footers[i][0], content) == content, (pdf.name, i, footers[i])
        page_of = {n[0]: i for i, n in footers.items() if n}
        starts = {t.split(" — ")[0]: p for _, t, p in outline_titles(pdf) if t.startswith("EX-")}
        targets: dict[int, set] = {}
        for page, _, target in link_annotations(pdf):
            targets.setdefault(page, set()).add(target)
        pinpoints = xrefs = 0
        for i, t in enumerate(texts, 1):
            for number in re.findall(r"\(at (IR88-\d{4}-\d{4})\)", t):
                assert page_of[number] in targets.get(i, set()), (pdf.name, i, number)
                pinpoints += 1
            for number in re.findall(r"\((EX-\d{4})\)", t):
                if number in starts:
                    assert starts[number] in targets.get(i, set()), (pdf.name, i, number)
                    xrefs += 1
        assert pinpoints > 0 and (xrefs > 0 or "raisi" in pdf.name), (pdf.name, pinpoints, xrefs)


def _notes(lines: int) -> str:
    """A text file of `lines` lines; every fifth is long (it wraps), the tenth empty."""
    out = []
    for n in range(1, lines + 1):
        if n % 10 == 0:
            out.append("")
        elif n % 5 == 0:
            out.append(f"TEXTLINE-{n} " + "a long line that wraps on the page " * 8)
        else:
            out.append(f"TEXTLINE-{n} said the witness")
    return "\r\n".join(out) + "\r\n\r\n"


def test_a_line_locator_of_a_typeset_text_file_links_to_the_page_showing_that_line(workspace):
    workspace.write("exhibits/demo/notes.txt", _notes(241))
    sources = ('  - title: Notes\n    file: notes.txt\n    locator: "answer 7 (line 187 of the stored file)"\n'
               '  - title: Notes\n    file: notes.txt\n    locator: "line 3"\n')
    cite(workspace, "a1", ["notes.txt"], sources=sources)
    cite(workspace, "a2", ["notes.txt"], date="1988-09",  # shown once: a2's link goes to a1's pages
         sources='  - title: Notes\n    file: notes.txt\n    locator: "line 121"\n')
    build(workspace)
    for edition in ("confidential", "public"):
        pdf = built(workspace, edition)
        texts = pages_text(pdf)
        starts = {t.split(" — ")[0]: p for _, t, p in outline_titles(pdf) if t.startswith("EX-")}
        shows = {}  # line -> page showing it, read from the page: its number in the margin, then its text
        layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                check=True).stdout.split("\f")
        for i, t in enumerate(layout, 1):
            for n in re.findall(r"(?m)^\s*(\d+)\s+TEXTLINE-(\d+)\b", t):
                assert n[0] == n[1], (i, n)  # the margin number is the stored file's line number
                shows[int(n[1])] = i
        assert len(shows) == 241 - 24 and len(set(shows.values())) > 3
        for item, line in (("EX-0001", 187), ("EX-0001", 3), ("EX-0002", 121)):
            page = starts[item]
            assert f"(at DM-0001, line {line})" in texts[page - 1].replace("\n", " ")
            targets = [t for p, _, t in link_annotations(pdf) if p == page]
            assert shows[line] in targets, (edition, item, line, shows[line], targets)
        # each page of the file says which lines it shows; the file's row gives them all
        for line, page in shows.items():
            name = "notes.txt" if edition == "confidential" else "file 1"
            lo, hi = map(int, re.search(rf"EX-0001 · {name} · lines (\d+)–(\d+) of 241", texts[page - 1]).groups())
            assert lo <= line <= hi and "DM-0001" in footer_numbers(pdf, re.compile(r"DM-\d{4}"))[page]
        assert "DM-0001, lines 1–241" in " ".join(texts[starts["EX-0001"] - 1:starts["EX-0001"] + 1])
        assert not ERN.search(" ".join(texts)), "a typeset text file's page given a page evidence number"


def test_a_line_locator_beyond_a_text_file_is_an_error_at_its_line(workspace):
    workspace.write("exhibits/demo/notes.txt", _notes(12))
    cite(workspace, "a1", ["notes.txt"],
         sources='  - title: Notes\n    file: notes.txt\n    locator: "paragraph 2 (line 13 of the stored file)"\n')
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    m = re.search(r"cases/demo/evidence/a1\.md:(\d+): sources\.0\.locator: line 13, but notes\.txt has 12 lines", err)
    assert m, err
    text = (workspace.path / "cases/demo/evidence/a1.md").read_text().split("\n")
    assert text[int(m.group(1)) - 1].strip().startswith("locator:")


def test_the_manifest_and_the_export_give_the_lines_each_page_of_a_text_file_shows(workspace, tmp_path):
    workspace.write("exhibits/demo/notes.txt", _notes(241))
    cite(workspace, "a1", ["notes.txt"], sources='  - title: Notes\n    file: notes.txt\n    locator: "line 3"\n')
    build(workspace)
    code, out, err = run("export", "--format", "json", "--out", str(tmp_path), root=workspace.path)
    assert code == 0, err
    data = json.loads((tmp_path / "demo-confidential.json").read_text(encoding="utf-8"))
    [row] = data["text_files"]
    assert (row["document"], row["file"]) == ("DM-0001", "notes.txt")
    for edition in ("confidential", "public"):
        pdf = built(workspace, edition)
        layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                check=True).stdout.split("\f")
        shows = {int(n): i for i, t in enumerate(layout, 1) for n in re.findall(r"(?m)^\s*\d+\s+TEXTLINE-(\d+)\b", t)}
        pages = {p["page"]: (p["first_line"], p["last_line"]) for p in row["pages"] if p["edition"] == edition}
        assert set(pages) == set(shows.values()), (edition, pages)
        for line, page in shows.items():  # the page read back shows the line its row says it does
            assert pages[page][0] <= line <= pages[page][1], (edition, line, page, pages[page])
        spans = sorted(pages.values())
        assert spans[0][0] == 1 and spans[-1][1] == 241
        assert all(b[0] in (a[1], a[1] + 1) for a, b in zip(spans, spans[1:]))  # no line left out
        manifest = json.loads(PdfReader(str(pdf)).attachments["casefile-manifest.json"][0])
        assert {r["page"]: tuple(r["lines"]) for r in manifest["text_lines"]} == pages
    code, out, err = run("export", "--format", "csv", "--out", str(tmp_path), root=workspace.path)
    csv_text = (tmp_path / "demo-confidential-evidence.csv").read_text(encoding="utf-8-sig")
    assert re.search(r"DM-0001,notes\.txt,[0-9a-f]{64},,.*alpha confidential: \d+ \(lines 1-\d+\)", csv_text)
