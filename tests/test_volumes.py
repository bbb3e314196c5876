"""A dossier over --max-size, written as volumes: each under the limit, page numbers continuous,
every volume beginning with the cover and contents, links into another volume landing on the
right page of the right file; verify checks the whole set; the export says each volume."""

from __future__ import annotations

import io
import json
import random
import re
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from conftest import CASE_YAML, REPO, norm, pdfa_findings, poppler, qpdf_check, run

FOLDER = "out/demo/confidential"


def noise_pdf(label: str, seed: int, side: int = 420) -> bytes:
    """One page: random noise (incompressible: about side² × 3 bytes) and the label, in an
    embedded font."""
    pdfmetrics.registerFont(TTFont("NoiseLabel", str(REPO / "src/casefile/fonts/Vazirmatn-Regular.ttf")))
    img = Image.frombytes("RGB", (side, side), random.Random(seed).randbytes(side * side * 3))
    b = io.BytesIO()
    c = canvas.Canvas(b, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(img), 60, 250, 420, 420)
    c.setFont("NoiseLabel", 14)
    c.drawString(60, 200, label)
    c.showPage()
    c.save()
    return b.getvalue()


def noise_case(ws, count: int = 5):
    for i in range(count):
        ws.write(f"exhibits/demo/noise{i}.pdf", noise_pdf(f"noise exhibit {i}", i))
        ws.item(f"n{i}", date=f"1988-0{i + 1}",
                extra=f"exhibits:\n  - file: noise{i}.pdf\n    description: noise {i}\n")


def build(ws, *extra):
    code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", *extra, root=ws.path)
    assert code == 0, out + err
    return out


def volumes(ws) -> list:
    return sorted((ws.path / FOLDER).glob("alpha.vol*.pdf"), key=lambda p: int(re.search(r"vol(\d+)", p.name)[1]))


def targets(reader: PdfReader, page_index: int) -> list[tuple[str | None, int]]:
    """(file, page index) of every link on a page: file None for a link inside the volume."""
    ids = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    out = []
    for a in reader.pages[page_index].get("/Annots", []) or []:
        a = a.get_object()
        if "/Dest" in a:
            out.append((None, ids[a["/Dest"][0].idnum]))
        else:
            action = a["/A"]
            assert action["/S"] == "/GoToR"
            out.append((str(action["/F"]), int(action["/D"][0])))
    return out


def test_a_dossier_over_the_limit_is_split_into_volumes_whose_links_land(workspace):
    noise_case(workspace)
    build(workspace, "--max-size", "1.6MB")
    folder = workspace.path / FOLDER
    vols = volumes(workspace)
    assert [p.name for p in vols] == ["alpha.vol1.pdf", "alpha.vol2.pdf", "alpha.vol3.pdf"]
    assert not (folder / "alpha.pdf").exists()
    assert all(p.stat().st_size <= 1_600_000 for p in vols)
    readers = {p.name: PdfReader(str(p)) for p in vols}
    texts = {name: [norm(pg.extract_text() or "") for pg in r.pages] for name, r in readers.items()}
    manifests = {name: json.loads(r.attachments["casefile-manifest.json"][0]) for name, r in readers.items()}
    total = manifests["alpha.vol1.pdf"]["dossier_pages"]

    # page numbers: each page's label is its "Page X of Y", Y the whole dossier; every volume but
    # the first begins with the cover and the contents, then continues where the one before ended
    own = []
    for name, r in readers.items():
        labels = [int(x) for x in r.page_labels]
        for label, text in zip(labels, texts[name]):
            assert f"Page {label} of {total}" in text, (name, label)
        if name != "alpha.vol1.pdf":
            assert labels[:2] == [1, 2] and "Contents" in texts[name][1]
            labels = labels[2:]
        own += labels
    assert own == list(range(1, total + 1))

    # the manifests: one dossier, each exhibit's volume, evidence numbers unchanged
    assert len({m["dossier_sha256"] for m in manifests.values()}) == 1
    m1 = manifests["alpha.vol1.pdf"]
    assert [v["file"] for v in m1["volumes"]] == [p.name for p in vols]
    held = {e["number"]: e["volume"] for e in m1["exhibits"]}
    assert sorted(set(held.values())) == [1, 2, 3]
    assert [r["number"] for r in m1["evidence"]] == [f"DM-000{i}-0001" for i in range(1, 6)]
    for name in readers:  # every cover lists the volumes
        for v in m1["volumes"]:
            assert f"{v['file']}: pages {v['pages'][0]}–{v['pages'][1]}" in texts[name][0], (name, texts[name][0])
    # and says, below the accused's name, which volume it opens and the pages that volume holds
    for v in m1["volumes"]:
        cover = subprocess.run([poppler("pdftotext"), "-f", "1", "-l", "1", str(folder / v["file"]), "-"],
                               capture_output=True, text=True, check=True).stdout
        line = f"Volume {v['number']} of 3 (pages {v['pages'][0]}–{v['pages'][1]})"
        assert re.findall(r"Volume \d+ of \d+ \(pages [^)]*\)", cover) == [line], (v["file"], cover)
        assert cover.index("Alpha Person") < cover.index(line) < cover.index("Edition"), cover

    # every contents line of volume 1 links to its page; an exhibit in another volume by GoToR,
    # naming that volume's file alone, at the page that shows the exhibit
    links = targets(readers["alpha.vol1.pdf"], 1)
    for e in m1["exhibits"]:
        file = f"alpha.vol{e['volume']}.pdf"
        index = [int(x) for x in readers[file].page_labels].index(e["pages"][0])
        if e["volume"] == 1:
            assert (None, index) in links
        else:
            assert (file, index) in links
            assert index >= 2  # not the repeated front pages
        assert e["number"] in texts[file][index]
        assert f"vol. {e['volume']} · {e['pages'][0]}" in texts["alpha.vol1.pdf"][1]  # the contents say where
    assert sum(1 for f, _ in links if f) >= 3
    # and every link of every volume lands on a page that exists, in a file of the set
    for name, r in readers.items():
        for i in range(len(r.pages)):
            for file, index in targets(r, i):
                assert file is None or file in readers, file
                assert index < len(readers[file or name].pages)
    # the bookmarks of a later volume reach volume 1's sections
    item = readers["alpha.vol3.pdf"].trailer["/Root"]["/Outlines"]["/First"].get_object()
    remote = {}
    while item is not None:
        item = item.get_object()
        if "/A" in item:
            remote[str(item["/Title"])] = (str(item["/A"]["/F"]), int(item["/A"]["/D"][0]))
        item = item.get("/Next")
    assert remote["Profile of the accused · p. 3"] == ("alpha.vol1.pdf", 2)

    # PDF/A-3b, clean for qpdf
    for p in vols:
        assert pdfa_findings(p, "3b") == []
        qpdf_check(p)

    # verify, from any volume, checks them all; a changed or a missing volume fails
    code, out, err = run("verify", str(vols[1]), "--root", str(workspace.path))
    assert code == 0, out + err
    assert "verified: all 3 volumes of the dossier match their manifests" in out
    assert len(re.findall(r"^ok .*alpha\.vol[123]\.pdf: ", out, re.M)) == 3
    data = vols[2].read_bytes()
    vols[2].write_bytes(data.replace(b"/Producer", b"/Producex", 1))
    code, out, err = run("verify", str(vols[0]))
    assert code == 1 and re.search(r"changed  .*alpha\.vol3\.pdf: content", out), out
    vols[2].unlink()
    code, out, err = run("verify", str(vols[0]))
    assert code == 1 and re.search(r"missing  .*alpha\.vol3\.pdf: volume 3 of 3", out), out
    vols[2].write_bytes(data)
    code, out, err = run("verify", str(vols[0]), "--root", str(workspace.path))
    assert code == 0, out


def test_volumes_are_rebuilt_byte_identical_and_a_smaller_build_leaves_no_stale_volume(workspace):
    noise_case(workspace)
    build(workspace, "--max-size", "1.6MB")
    first = {p.name: p.read_bytes() for p in volumes(workspace)}
    build(workspace, "--max-size", "1.6MB", "--force")
    assert {p.name: p.read_bytes() for p in volumes(workspace)} == first
    build(workspace, "--max-size", "2.5MB")
    assert [p.name for p in volumes(workspace)] == ["alpha.vol1.pdf", "alpha.vol2.pdf"]
    assert all(p.stat().st_size <= 2_500_000 for p in volumes(workspace))
    build(workspace)
    assert volumes(workspace) == [] and (workspace.path / FOLDER / "alpha.pdf").is_file()
    build(workspace, "--max-size", "1.6MB")
    assert len(volumes(workspace)) == 3 and not (workspace.path / FOLDER / "alpha.pdf").exists()


def test_the_export_gives_each_exhibits_volume(workspace):
    noise_case(workspace, 3)
    code, out, err = run("build", "--accused", "alpha", "--max-size", "1MB", root=workspace.path)
    assert code == 0, out + err
    code, out, err = run("export", "--format", "json", root=workspace.path)
    assert code == 0, out + err
    x = json.loads((workspace.path / "out/demo/export/confidential/demo-confidential.json").read_text())
    m = json.loads(PdfReader(str(workspace.path / FOLDER / "alpha.vol1.pdf")).attachments["casefile-manifest.json"][0])
    held = {e["number"]: f"alpha.vol{e['volume']}.pdf" for e in m["exhibits"]}
    assert len(set(held.values())) >= 2
    for e in x["exhibits"]:
        [conf] = [p for p in e["pages"] if p["edition"] == "confidential"]
        assert conf["volume"] == held[e["number"]]
    for v in x["evidence"]:
        [conf] = [p for p in v["pages"] if p["edition"] == "confidential"]
        assert conf["volume"] == held[conf["exhibit"]]
    code, out, err = run("export", root=workspace.path)
    assert code == 0
    csv = (workspace.path / "out/demo/export/confidential/demo-confidential-exhibits.csv").read_text("utf-8-sig")
    assert "(alpha.vol2.pdf)" in csv


def test_an_exhibit_bigger_than_a_volume_is_refused_naming_it(workspace):
    noise_case(workspace, 2)
    workspace.write("exhibits/demo/noise1.pdf", noise_pdf("a big one", 9, side=800))
    code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", "--max-size", "1MB",
                         root=workspace.path)
    assert code == 1, out + err
    lines = [l for l in err.splitlines() if "exhibits:" in l]
    assert len(lines) == 1, err
    assert lines[0].startswith("cases/demo/evidence/n1.md:1: exhibits: exhibit EX-0002 alone makes a volume of")
    assert "over --max-size 1.0 MB" in lines[0]
    assert not (workspace.path / FOLDER).exists() or not list((workspace.path / FOLDER).iterdir())


def test_a_bad_max_size_is_one_line(workspace):
    workspace.item("s1")
    for bad in ("25XB", "big", "-3MB", "5"):
        code, out, err = run("build", "--max-size", bad, root=workspace.path)
        assert code == 2, (bad, out, err)
        assert err.strip().count("\n") == 0 and f"--max-size: '{bad}' is not a size" in err


def test_filing_volumes_are_pdfa_2b_with_their_manifests_beside_them(workspace):
    noise_case(workspace, 3)
    code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", "--profile", "filing",
                         "--max-size", "1MB", root=workspace.path)
    assert code == 0, out + err
    folder = workspace.path / "out/filing/demo/confidential"
    vols = sorted(folder.glob("alpha.vol*.pdf"))
    assert len(vols) >= 2 and not (folder / "alpha.pdf").exists()
    for p in vols:
        assert p.stat().st_size <= 1_000_000
        assert b"/EmbeddedFiles" not in p.read_bytes()
        assert pdfa_findings(p, "2b") == []
        assert p.with_suffix(".manifest.json").is_file()
    code, out, err = run("verify", str(vols[-1]), "--root", str(workspace.path))
    assert code == 0, out + err
    vols[0].write_bytes(vols[0].read_bytes() + b"%\n")
    code, out, err = run("verify", str(vols[-1]))
    assert code == 1 and "alpha.vol1.pdf: content" in out


def set_max_size(ws, value: str) -> int:
    """case.yaml with `max_size: value`; returns its line."""
    p = ws.path / "cases/demo/case.yaml"
    p.write_text(CASE_YAML.replace("accused:\n", f"max_size: {value}\naccused:\n", 1))
    return p.read_text().splitlines().index(f"max_size: {value}") + 1


def test_a_cases_max_size_writes_it_in_volumes_and_the_option_overrides_it(workspace):
    noise_case(workspace)
    set_max_size(workspace, "1.6MB")
    out = build(workspace)
    assert [p.name for p in volumes(workspace)] == ["alpha.vol1.pdf", "alpha.vol2.pdf", "alpha.vol3.pdf"]
    assert all(p.stat().st_size <= 1_600_000 for p in volumes(workspace))
    assert "in 3 volumes" in out
    assert "0 dossiers built, 1 up to date" in build(workspace)  # the state records the case's limit
    build(workspace, "--max-size", "2.5MB")  # the option overrides the case
    assert [p.name for p in volumes(workspace)] == ["alpha.vol1.pdf", "alpha.vol2.pdf"]
    build(workspace, "--max-size", "none")  # and none writes the dossier whole
    assert volumes(workspace) == [] and (workspace.path / FOLDER / "alpha.pdf").is_file()
    build(workspace)
    assert len(volumes(workspace)) == 3 and not (workspace.path / FOLDER / "alpha.pdf").exists()
    # a volume too small for an exhibit names the case's setting, not the option
    set_max_size(workspace, "400KB")
    code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", root=workspace.path)
    assert code == 1 and "over max_size 0.4 MB (case.yaml): a volume holds whole exhibits; raise max_size" in err, err


@pytest.mark.parametrize("value, shown", [("25XB", "'25XB'"), ("big", "'big'"), ("5", "'5'"), ("-3MB", "'-3MB'"),
                                          ("[25MB]", "a list"), ("true", "'true'")])
def test_a_bad_max_size_in_the_case_is_one_line_at_its_line(workspace, value, shown):
    workspace.item("s1")
    line = set_max_size(workspace, value)
    code, out, err = run("build", root=workspace.path)
    assert code == 1, out + err
    problems = [l for l in err.splitlines() if ": max_size: " in l]
    assert problems == [f"cases/demo/case.yaml:{line}: max_size: write a size: a number and a unit (25MB, 500KB, "
                        f"2GB, 20MiB), at least 10KB (got {shown})"], err
    assert "Traceback" not in out + err and "alue error" not in err
