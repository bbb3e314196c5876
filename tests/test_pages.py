"""Pages without blemishes, read back from the sample's dossiers and small cases: no page holding
only an exhibit's sources or files, the cover's names centred, no empty table columns, file names
and sizes never broken, one index entry per person, charges by their labels, each event once in
the chronology, the public banner only when something was removed, warnings a reader must not
miss, and the PDF dated from the case's as-of day."""

from __future__ import annotations

import re
import subprocess

import pytest
from pypdf import PdfReader

from conftest import CASE_YAML, REPO, outline_titles, pages_text, run

SAMPLE = "1988-massacre"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    code, stdout, err = run("build", SAMPLE, "--frozen", "--out", str(out), root=REPO)
    assert code == 0, err
    return out / SAMPLE


def layout_lines(pdf, page: int) -> list[str]:
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in text.splitlines() if line.strip()]


def words(pdf, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) of a page, read with pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(m[4], float(m[0]), float(m[1]), float(m[2]), float(m[3])) for m in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def section_pages(pdf, title: str) -> range:
    entries = [(t, p) for level, t, p in outline_titles(pdf) if level == 0]
    i = next(k for k, (t, _) in enumerate(entries) if t.startswith(title))
    end = entries[i + 1][1] if i + 1 < len(entries) else len(PdfReader(str(pdf)).pages) + 1
    return range(entries[i][1], max(end, entries[i][1] + 1))


def test_no_page_holds_only_an_exhibits_sources_or_files(sample):
    """The last paragraph of an exhibit's text goes with its sources and files (the sample had
    seven pages holding only "Sources" or "Files of this exhibit")."""
    for pdf in sorted(sample.glob("*/*.pdf")):
        for page in range(1, len(PdfReader(str(pdf)).pages) + 1):
            body = layout_lines(pdf, page)[2:]  # below the banner and the running head
            assert body[0] not in ("Sources", "Files of this exhibit"), (pdf.name, page)


def test_cover_names_are_centred(sample):
    pdf = sample / "confidential/noury.pdf"
    page_w = float(PdfReader(str(pdf)).pages[0].mediabox.width)
    ws = words(pdf, 1)
    latin = [w for w in ws if w[0] in ("Hamid", "Noury") and 200 < w[2] < 400]
    persian = [w for w in ws if re.search("[\u0600-\u06ff]", w[0]) and 200 < w[2] < 400]
    for group in (latin, persian):
        assert group, ws[:20]
        left, right = min(w[1] for w in group), max(w[3] for w in group)
        assert abs((left + right) / 2 - page_w / 2) < 3, group


def test_roles_table_leaves_out_columns_no_role_fills(sample, workspace):
    khomeini = sample / "confidential/khomeini.pdf"
    profile = " ".join(pages_text(khomeini)[p - 1] for p in section_pages(khomeini, "Profile"))
    assert "Roles and positions Title " in profile
    for empty in ("Institution", "From", "To"):
        assert f" {empty} " not in profile.split("Roles and positions")[1].split("Notes")[0]
    workspace.item("a1")
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, err
    pdf = workspace.path / "out/demo/confidential/alpha.pdf"
    profile = pages_text(pdf)[section_pages(pdf, "Profile")[0] - 1]
    assert "Title Institution From Prison official Gohardasht Prison 1988" in profile  # no "To" column


def test_annex_never_breaks_a_file_name_or_a_size(sample):
    pdf = sample / "confidential/khomeini.pdf"
    pages = section_pages(pdf, "Annex")
    text = [line for p in pages for line in layout_lines(pdf, p)]
    for name in ("000_fde17719c94e9e12.pdf", "003_81e6a1d7c85d90ca.pdf", "places-named-in-the-sources.png"):
        assert any(name in line for line in text), name
    sizes = [line for line in text if "KiB" in line]
    assert sizes and all(re.search(r"\d+\.\d KiB", line) for line in sizes), sizes


def test_names_index_has_one_entry_per_person(sample):
    pdf = sample / "confidential/noury.pdf"
    index = [line for p in section_pages(pdf, "Index of persons") for line in layout_lines(pdf, p)]
    persian = [line for line in index if re.search("[\u0600-\u06ff]", line) and "·" not in line]
    assert len(persian) == 1 and "Hamid Noury" in persian[0], index


def test_metadata_tables_give_charges_by_their_labels(sample):
    text = " ".join(pages_text(sample / "confidential/khomeini.pdf"))
    assert "murder-cah" not in text and "persecution-cah/" not in text
    assert ("Charges Murder as a crime against humanity (proposed legal qualification): The perpetrator killed, or "
            "caused the death of, one or more persons") in text


def test_chronology_lists_each_event_once(sample):
    pdf = sample / "confidential/khomeini.pdf"
    chrono = " ".join(t for i, t in enumerate(pages_text(pdf), 1) if i in section_pages(pdf, "Chronology"))
    for day in ("25 August 1988", "18 September 2013", "1 August 2020"):
        assert chrono.count(day) == 1, day
    # the event's row links to the exhibit that records it
    assert re.search(r"25 August 1988 Massoud Rajavi writes .*? EX-0001 \d+", chrono)
    noury = " ".join(pages_text(sample / "confidential/noury.pdf"))  # not in Noury's dossier: a case event
    assert re.search(r"25 August 1988 Massoud Rajavi writes .*? case event", noury)


def test_public_banner_says_redacted_only_when_something_was_removed(sample, workspace):
    for pdf in sorted((sample / "public").glob("*.pdf")):
        texts = pages_text(pdf)
        assert all("PUBLIC" in t for t in texts)
        assert "REDACTED" not in " ".join(texts), pdf.name
        assert "nothing was removed" in texts[0]
    workspace.item("t1", type="testimony", extra="", body="> Alpha Person was there.")
    t1 = workspace.path / "cases/demo/evidence/t1.md"
    t1.write_text(t1.read_text().replace("  name: A Witness\n", "  name: Zeta Quill\n  protected: true\n"
                                         "  pseudonym: W-1\n"))
    code, out, err = run("build", "--edition", "public", root=workspace.path)
    assert code == 0, err
    first = pages_text(workspace.path / "out/demo/public/alpha.pdf")[0]
    assert "PUBLIC — REDACTED" in first and "redacted: protected witnesses appear under pseudonyms" in first


def test_a_dossier_without_supporting_evidence_says_so(sample):
    warning = "No exhibit of this dossier is cited for any charge or element"
    assert warning in " ".join(pages_text(sample / "confidential/raisi.pdf"))
    assert warning not in " ".join(pages_text(sample / "confidential/khomeini.pdf"))


def test_translation_certification_and_paragraphs(workspace):
    workspace.item("d1", type="decree", body="First paragraph, Alpha Person.\n\nSecond.\n\nThird.",
                   extra="charges: [murder]\noriginal:\n  language: fa\n  text: |\n    یک\n\n    دو\ntranslation:\n  translator: T. Ranslator\n")
    code, out, err = run("check", root=workspace.path)
    assert code == 0
    assert err.splitlines() == ["cases/demo/evidence/d1.md:20: body: warning: the translation (the body) has 3 "
                                "paragraphs and original.text 2: they are paired in order; give both the same "
                                "paragraphs, separated by blank lines"]
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, err
    text = " ".join(pages_text(workspace.path / "out/demo/confidential/alpha.pdf"))
    assert "Translation by T. Ranslator, not certified" in text
    assert ("The translation has 3 paragraphs and the original 2: they are paired in order, so the last paragraph "
            "of the translation stands alone.") in text


def test_pdf_dates_are_the_cases_as_of_day(sample, workspace, monkeypatch):
    info = PdfReader(str(sample / "public/khomeini.pdf")).metadata
    assert info["/CreationDate"] == info["/ModDate"] == "D:20261123000000+00'00'"
    workspace.item("a1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    code, out, err = run("build", "--edition", "confidential", "--jobs", "1", root=workspace.path)
    assert code == 0, err
    info = PdfReader(str(workspace.path / "out/demo/confidential/alpha.pdf")).metadata
    assert info["/CreationDate"].startswith("D:20231114221320")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    code, out, err = run("build", "--edition", "confidential", "--force", "--jobs", "1", root=workspace.path)
    assert code == 0, err
    info = PdfReader(str(workspace.path / "out/demo/confidential/alpha.pdf")).metadata
    assert info["/CreationDate"] == "D:20261101000000+00'00'"  # CASE_YAML's as_of
    assert "as_of: 2026-11-01" in CASE_YAML


def test_the_sample_refers_to_items_by_exhibit_number_never_by_id(sample):
    """Where the sample's text refers to another item it writes [@item-id], printed as the exhibit
    number: no printed text names an item by its id (the confidential edition's own record of
    where an exhibit's item is, "(item ID, cases/…)", apart)."""
    ids = [re.search(r"^id: (\S+)", p.read_text(encoding="utf-8"), re.M).group(1)
           for p in (REPO / "cases" / SAMPLE / "evidence").rglob("*.md")]
    assert len(ids) > 10
    for pdf in sorted(sample.rglob("*.pdf")):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        text = re.sub(r"-\s+", "-", " ".join(text.split()))  # an id broken at a hyphen, joined again
        assert "[@" not in text, pdf
        text = re.sub(r"\(item [a-z0-9._-]+, cases/\S+\)", "", text)
        assert [i for i in ids if i in text] == [], pdf


def test_contents_fit_or_break_leaving_no_line_alone(sample, workspace):
    """The sample's contents fit on one page (Khomeini's spilled one line onto a page of its
    own); a contents longer than a page takes its last three lines to the next one together."""
    for pdf in sorted(sample.glob("*/*.pdf")):
        assert list(section_pages(pdf, "Contents")) == [2], pdf
    for i in range(34):  # one-line entries: 43 of them, one more than a page holds
        workspace.item(f"a{i:03d}", date=f"1988-08-{i % 28 + 1:02d}")
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, err
    pdf = workspace.path / "out/demo/confidential/alpha.pdf"
    assert list(section_pages(pdf, "Contents")) == [2, 3]
    assert len(layout_lines(pdf, 3)) - 3 >= 3, layout_lines(pdf, 3)  # banner, running head, footer and 3 lines


def test_index_of_exhibits_keeps_a_date_on_one_line(sample):
    pdf = sample / "confidential/khomeini.pdf"
    text = [line for p in section_pages(pdf, "Index of exhibits") for line in layout_lines(pdf, p)]
    for day in ("25 August 1988", "18 September 2013", "17 July 2020"):
        assert any(re.search(re.escape(day) + r"\s+\d+$", line) for line in text), (day, text)  # date, page
