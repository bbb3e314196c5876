"""Issue 6: Persian text in dossiers; originals beside their translations."""

import re
import subprocess

from PIL import Image

from casefile.dossier.assembly import index_sort_key
from conftest import norm, outline_titles, pages_text, run

# Article 1 of the Universal Declaration of Human Rights, in its Persian version and in English
UDHR_FA = ("تمام افراد بشر آزاد به دنیا می‌آیند و از لحاظ حیثیت و حقوق با هم برابرند. "
           "همه دارای عقل و وجدان می‌باشند و باید نسبت به یکدیگر با روح برادری رفتار کنند.")
UDHR_EN = ("All human beings are born free and equal in dignity and rights. They are endowed with reason "
           "and conscience and should act towards one another in a spirit of brotherhood.")


def decree(ws, layout="side-by-side"):
    if layout != "side-by-side":
        p = ws.path / "cases/demo/case.yaml"
        p.write_text(p.read_text() + f"translation_layout: {layout}\n")
    ws.item("udhr", type="decree", date="1948-12-10",
            extra=("places: [زندان اوین, Evin Prison, Gohardasht Prison, زندان گوهردشت]\n"
                   "original:\n  language: fa\n  text: " + UDHR_FA + "\n"
                   "translation:\n  translator: United Nations\n  certified: true\n"
                   "  certification: Official UN language version\n"),
            body=UDHR_EN)


def build(ws):
    code, out, err = run("build", "--edition", "confidential", root=ws.path)
    assert code == 0, err
    return ws.path / "out/demo/confidential/alpha.pdf"


def exhibit_text(pdf, ending):
    page = next(p for _, t, p in outline_titles(pdf) if t.endswith(ending))
    return pages_text(pdf)[page - 1], page


def test_original_beside_translation_reads_in_logical_order(workspace, tmp_path):
    decree(workspace)
    pdf = build(workspace)
    text, page = exhibit_text(pdf, "Title of udhr")
    assert norm(UDHR_EN) in text and text.count("All human beings are born free") == 1
    # every Persian word comes back, in logical order, after NFKC normalisation
    words = norm(UDHR_FA).replace("\u200c", "").split()
    flat = text.replace("\u200c", "")
    pos = [flat.find(w) for w in words]
    assert all(p >= 0 for p in pos), [w for w, p in zip(words, pos) if p < 0]
    assert "Translation by United Nations, certified — Official UN language version" in text
    # side by side: the Persian column is on the right half of the page, right-aligned
    subprocess.run(["pdftoppm", "-r", "50", "-f", str(page), "-l", str(page), "-png", str(pdf), str(tmp_path / "p")],
                   check=True)
    img = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    w, h = img.size
    words_fa = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
    xs = [float(m.group(1)) for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', words_fa)
          if re.search("[\u0600-\u06ff\ufb50-\ufeff]", m.group(3)) and float(m.group(2)) < 780]  # not the footer
    assert xs and min(xs) > 595 / 2 - 10  # all Persian words in the right column


def test_sequential_layout(workspace):
    decree(workspace, layout="sequential")
    pdf = build(workspace)
    text, _ = exhibit_text(pdf, "Title of udhr")
    assert text.index(norm(UDHR_EN)[:40]) < text.index("Original (Persian, fa)")


def test_names_in_original_script_and_index_sorting(workspace):
    decree(workspace)
    pdf = build(workspace)
    texts = pages_text(pdf)
    assert "حمید نوری" in texts[0]  # the cover shows the name in original script
    # and every footer (pypdf may move the spaces around a right-to-left run)
    assert all(re.search(r"Alpha Person ?· ?حمید نوری", t) and "confidential edition" in t for t in texts)
    idx = next(p for _, t, p in outline_titles(pdf) if t.startswith("Index of persons"))
    t = texts[idx - 1]
    # Latin names first, alphabetically; then Persian in Persian alphabetical order
    assert t.index("Evin Prison") < t.index("Gohardasht Prison") < t.index("زندان اوین") < t.index("زندان گوهردشت")


def test_persian_sort_order():
    names = ["ژاله", "پروین", "بهرام", "Zoe", "آرش", "Émile", "ادوارد", "گلناز", "کامران", "alice"]
    assert sorted(names, key=index_sort_key) == ["alice", "Émile", "Zoe", "آرش", "ادوارد", "بهرام", "پروین",
                                                 "ژاله", "کامران", "گلناز"]


def test_missing_glyph_is_an_error_not_a_black_square(workspace):
    workspace.item("emoji", extra="persons: ['Witness 😀']\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 1
    assert "cases/demo/evidence/emoji.md:10: persons.0: character U+1F600 '😀' is not in the fonts" in err


def test_persian_brackets_in_a_fresh_process(workspace):
    """Regression: the mirrored-bracket font is registered on first use; in a fresh process this
    once deadlocked (a non-reentrant lock taken twice)."""
    import sys
    from pathlib import Path

    workspace.item("b1", body="این فهرست (۱۴) کرد و [یادداشت] را «نوشت».")
    exe = Path(sys.executable).with_name("casefile")
    p = subprocess.run([str(exe), "build", "--edition", "confidential", "--root", str(workspace.path)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    text = " ".join(pages_text(workspace.path / "out/demo/confidential/alpha.pdf"))
    assert "(۱۴)" in text and "«نوشت»" in text
