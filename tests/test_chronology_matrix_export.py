"""Issue 8: chronology, evidence matrix and exhibit lists as data, checked against the PDF."""

import csv
import io
import json

import casefile.commands.build
import casefile.typeset.document
from casefile.commands.export import Export
from conftest import links, make_redacted_case, outline_titles, pages_text, run


def make_case(ws):
    ws.item("late", date="1988-08-25", extra="charges: [murder/killing]\n")
    ws.item("year", date="1988", extra="charges: [murder]\n")
    ws.item("range", date="1988-07-25/1988-07-28", extra="charges: [murder/killing, murder]\n")
    ws.item("first-july", date="1988-07-01", extra="places: [Evin Prison (زندان اوین)]\n")
    ws.item("undated", date=None)
    ws.item("other", accused=("beta",), date="1987", extra="charges: [persecution]\n")


def build(ws, edition="confidential"):
    code, out, err = run("build", "--edition", edition, root=ws.path)
    assert code == 0, err
    return ws.path / "out/demo/confidential/alpha.pdf"


def numbers(ws):
    lock = (ws.path / "cases/demo/exhibits.lock").read_text()
    return {line.split()[2]: line.split()[0] for line in lock.splitlines() if " active " in line}


def test_chronology_sorted_and_linked(workspace):
    make_case(workspace)
    pdf = build(workspace)
    n = numbers(workspace)
    outline = outline_titles(pdf)
    page = next(p for _, t, p in outline if t == "Chronology")
    text = pages_text(pdf)[page - 1]
    order = ["1988 Title of year", "1 July 1988 Title of first-july", "18 July 1988 Ceasefire accepted",
             "25 July 1988 – 28 July 1988 Title of range", "25 August 1988 Title of late"]
    positions = [text.index(o) for o in order]
    assert positions == sorted(positions)
    assert "Title of undated" not in text and "Title of other" not in text
    # each exhibit row links to its exhibit's page
    exhibit_pages = {t.split(" — ")[0]: p for _, t, p in outline if t.startswith("EX-")}
    targets = {t for pg, t in links(pdf) if pg == page}
    assert targets == {exhibit_pages[n[i]] for i in ("year", "first-july", "range", "late")}


def test_matrix_cells(workspace):
    make_case(workspace)
    pdf = build(workspace)
    n = numbers(workspace)
    page = next(p for _, t, p in outline_titles(pdf) if t == "Evidence matrix")
    text = pages_text(pdf)[page - 1]
    murder = ", ".join(sorted([n["late"], n["year"], n["range"]]))
    killing = ", ".join(sorted([n["late"], n["range"]]))
    assert f"Murder as a crime against humanity — Rome Statute art. 7(1)(a) {murder}" in text
    assert f"The perpetrator killed one or more persons {killing}" in text
    # beta's exhibit cites persecution, but it is not in alpha's dossier: a gap
    assert "Persecution — Rome Statute art. 7(1)(h) No supporting evidence in this dossier" in text
    assert len([t for pg, t in links(pdf) if pg == page]) == 5


def test_export_pages_equal_pdf(workspace, tmp_path):
    make_case(workspace)
    pdf = build(workspace, "all")
    code, out, err = run("export", "--format", "json", "--out", str(tmp_path), root=workspace.path)
    assert code == 0, err
    data = json.loads((tmp_path / "demo-confidential.json").read_text(encoding="utf-8"))
    Export.model_validate(data)
    outline = {t.split(" — ")[0]: p for _, t, p in outline_titles(pdf) if t.startswith("EX-")}
    texts = pages_text(pdf)
    for e in data["exhibits"]:
        for pr in e["pages"]:
            if pr["accused"] == "alpha" and pr["edition"] == "confidential":
                assert pr["first"] == outline[e["number"]]
                for page in range(pr["first"], pr["last"] + 1):
                    assert e["number"] in texts[page - 1]
    assert [c["date"] for c in data["chronology"]][:3] == ["1987", "1988", "1988-07-01"]


def test_csv_opens_in_a_spreadsheet(workspace, tmp_path):
    make_case(workspace)
    build(workspace, "all")
    code, out, err = run("export", "--out", str(tmp_path), root=workspace.path)
    assert code == 0, err
    raw = (tmp_path / "demo-confidential-exhibits.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 6 and rows[0]["number"] == "EX-0001"
    chrono = (tmp_path / "demo-confidential-chronology.csv").read_bytes().decode("utf-8-sig")
    assert "Ceasefire accepted" in chrono


def test_public_export_is_redacted(workspace, tmp_path):
    make_redacted_case(workspace)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    code, out, err = run("export", "--format", "json", "--edition", "public", "--out", str(tmp_path), root=workspace.path)
    assert code == 0, err
    raw = (tmp_path / "demo-public.json").read_text(encoding="utf-8")
    for gone in ("Zahra Secretname", "Ali Hiddenperson", "Sealed Confidential Matter"):
        assert gone not in raw
    data = json.loads(raw)
    withheld = [e for e in data["exhibits"] if e["withheld"]]
    assert len(withheld) == 1 and withheld[0]["item"] is None


def test_export_reads_what_build_wrote_and_says_when_it_is_not_there(workspace, tmp_path):
    make_case(workspace)
    args = ("export", "--format", "json", "--out", str(tmp_path / "export"))
    code, out, err = run(*args, root=workspace.path)
    assert code == 1 and not (tmp_path / "export").exists()
    assert err.splitlines() == [f"{workspace.path}/out/demo/confidential/alpha.pdf:0: dossier: missing or out of "
                                f"date (and 1 more): run casefile build first", "1 problem found"]
    build(workspace, "all")
    code, out, err = run(*args, root=workspace.path)
    assert code == 0, err
    workspace.item("year", date="1987", extra="charges: [murder]\n")  # changed since the build
    code, out, err = run(*args, root=workspace.path)
    assert code == 1
    assert err.splitlines()[0].endswith("alpha.pdf:0: dossier: missing or out of date: run casefile build first")
    build(workspace, "all")
    code, out, err = run(*args, root=workspace.path)
    assert code == 0, err


def test_export_typesets_nothing(workspace, tmp_path, monkeypatch):
    make_case(workspace)
    build(workspace, "all")

    def render(*args, **kwargs):
        raise AssertionError("export typeset a dossier")

    monkeypatch.setattr(casefile.typeset.document, "render", render)
    monkeypatch.setattr(casefile.commands.build, "render", render)
    code, out, err = run("export", "--format", "json", "--out", str(tmp_path), root=workspace.path)
    assert code == 0, err
    assert json.loads((tmp_path / "demo-confidential.json").read_text(encoding="utf-8"))["exhibits"]


def test_public_export_pages_are_each_exhibits_own(workspace, tmp_path):
    """A shown exhibit followed by a withheld one ends where the withheld one starts."""
    workspace.item("shown", date="1988-06", body="Shown text.")
    workspace.item("sealed", date="1988-07", extra="confidential: true\n", body="Sealed. " * 900)
    workspace.item("later", date="1988-08", body="Later text.")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    code, out, err = run("export", "--format", "json", "--edition", "public", "--out", str(tmp_path),
                         root=workspace.path)
    assert code == 0, err
    data = json.loads((tmp_path / "demo-public.json").read_text(encoding="utf-8"))
    texts = pages_text(workspace.path / "out/demo/public/alpha.pdf")
    ranges = [(e["number"], e["withheld"], p["first"], p["last"]) for e in data["exhibits"] for p in e["pages"]]
    assert [w for _, w, _, _ in ranges] == [False, True, False]
    for (number, _, first, last), nxt in zip(ranges, ranges[1:] + [None]):
        assert nxt is None or last == nxt[2] - 1
        for page in range(first, last + 1):
            assert number in texts[page - 1]
