#!/usr/bin/env python3
"""casefile benchmark: "Speed and scale" targets, measured on synthetic cases.

    make bench                      # 2,000 items / 20 accused   (.venv/bin/python bench/run.py)
    make bench ARGS=--quick         # ~200 items / 4 accused
    .venv/bin/python bench/run.py --full       # also the growth figure (1,000/10 vs 10,000/100)
    .venv/bin/python bench/run.py --profile 10 # also cProfile one dossier render (top 10 cumulative)

Every target is a ratio or a figure printed with PASS/FAIL; nothing here is a timed test.
Corpora are made by bench/generate.py in a temporary folder (removed at the end unless --keep
or --workdir). See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import dataclasses
import faulthandler
import hashlib
import io
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate as gen  # noqa: E402  (bench/generate.py)

# The console script next to the interpreter (`python -m casefile.cli` has no __main__ guard).
CLI = Path(sys.executable).parent / "casefile"

T0 = time.perf_counter()


def log(msg: str):
    print(f"[{time.perf_counter() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ results table


@dataclasses.dataclass
class Row:
    figure: str
    measured: str
    target: str = ""
    result: str = ""  # PASS / FAIL / info / skipped / not implemented / ERROR
    note: str = ""


ROWS: list[Row] = []
NOTES: list[str] = []


def row(*a, **kw) -> Row:
    r = Row(*a, **kw)
    ROWS.append(r)
    flag = f" [{r.result}]" if r.result else ""
    log(f"{r.figure}: {r.measured}{flag}")
    return r


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_table(title: str):
    heads = ("figure", "measured", "target", "result")
    data = [(r.figure, r.measured, r.target, r.result) for r in ROWS]
    w = [max(len(h), *(len(d[i]) for d in data)) if data else len(h) for i, h in enumerate(heads)]
    line = "  ".join("-" * x for x in w)
    print()
    print(title)
    print(line)
    print("  ".join(h.ljust(w[i]) for i, h in enumerate(heads)))
    print(line)
    for d in data:
        print("  ".join(d[i].ljust(w[i]) for i in range(len(heads))).rstrip())
    print(line)
    notes = [f"{r.figure}: {r.note}" for r in ROWS if r.note] + NOTES
    if notes:
        print("notes:")
        for n in notes:
            print(f"  - {n}")
    sys.stdout.flush()


def secs(t: float) -> str:
    return f"{t:.2f} s" if t < 100 else f"{t:.0f} s"


# ------------------------------------------------------------------ subprocesses


@dataclasses.dataclass
class Proc:
    rc: int | None
    wall: float
    maxrss_mib: float
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.rc == 0 and not self.timed_out

    def pages(self) -> tuple[int, int]:
        """(dossiers rendered, pages) from the build's report lines."""
        found = [int(m) for m in re.findall(r": (\d+) pages, \d+ exhibits", self.stdout)]
        return len(found), sum(found)

    def error(self) -> str:
        if self.timed_out:
            return "timed out"
        lines = [x for x in (self.stderr or self.stdout).strip().splitlines() if x.strip()]
        if not lines:
            return f"exit code {self.rc}"
        return (" | ".join(lines[:3]) + (f" | … | {lines[-1]}" if len(lines) > 3 else ""))[:600]


# Runs the command in a fresh small interpreter that forks and execs it and reports wait4().
# Linux carries a process's peak RSS over exec (and a fork copies the parent's memory map), so a
# build started straight from this (large) process would report this process's size as its own.
LAUNCHER = """
import json, os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
with open(sys.argv[1], "w") as f:
    json.dump({"status": status, "maxrss_kib": ru.ru_maxrss, "wall": wall}, f)
"""


def run(cmd: list[str], timeout: float, cwd: Path | None = None) -> Proc:
    """Run a command; wall time and the peak RSS of the process and its reaped children
    (wait4: max over the build process and its workers)."""
    import json

    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as rep:
        report = Path(rep.name)
    try:
        with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
            t = time.perf_counter()
            p = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(report), *map(str, cmd)], stdout=fo, stderr=fe,
                                 cwd=cwd, start_new_session=True)
            killed = threading.Event()

            def kill():
                killed.set()
                try:
                    os.killpg(p.pid, signal.SIGKILL)  # the process group of the launcher we started
                except OSError:
                    pass

            timer = threading.Timer(timeout, kill)
            timer.start()
            try:
                p.wait()
            finally:
                timer.cancel()
            wall = time.perf_counter() - t
            fo.seek(0)
            fe.seek(0)
            out, err = fo.read().decode("utf-8", "replace"), fe.read().decode("utf-8", "replace")
        try:
            r = json.loads(report.read_text())
            rc, wall, rss = os.waitstatus_to_exitcode(r["status"]), r["wall"], r["maxrss_kib"] / 1024
        except (OSError, ValueError):
            rc, rss = p.returncode if p.returncode else -1, 0.0
        return Proc(rc, wall, rss, out, err, killed.is_set())
    finally:
        report.unlink(missing_ok=True)


def cli(*args, timeout: float) -> Proc:
    return run([str(CLI), *map(str, args)], timeout)


def build_cmd(root: Path, out: Path, jobs: int | None) -> list:
    args = ["build", "--root", root, "--out", out]
    if jobs is not None:
        args += ["--jobs", jobs]
    return args


def pdf_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.pdf"))
            if not p.name.startswith(".")}


def compare_trees(a: Path, b: Path) -> tuple[bool, str]:
    ta, tb = pdf_tree(a), pdf_tree(b)
    if not ta:
        return False, "no PDF written"
    if set(ta) != set(tb):
        return False, f"different files: {sorted(set(ta) ^ set(tb))[:4]}"
    diff = [k for k in ta if ta[k] != tb[k]]
    if diff:
        return False, f"{len(diff)} of {len(ta)} PDFs differ (e.g. {diff[0]})"
    return True, f"{len(ta)} PDFs identical"


# ------------------------------------------------------------------ checks before measuring


PROBE = """
import io
from reportlab.platypus import SimpleDocTemplate
from casefile.typeset import rtl
rtl.register_fonts()
SimpleDocTemplate(io.BytesIO()).build([rtl.RTLParagraph("این فهرست (14) کرد", rtl.FONT_REGULAR, 10, 14)])
"""


def rtl_bracket_probe() -> bool:
    """True if a Persian paragraph with brackets renders (it hangs in some versions)."""
    p = run([sys.executable, "-c", PROBE], timeout=30)
    if p.ok:
        return True
    if p.timed_out:
        NOTES.append("BUG: rendering a right-to-left paragraph containing a bracket hangs (deadlock: "
                     "rtl._mirror_font holds rtl._register_lock and calls _ttfont -> register_fonts, "
                     "which takes the same non-reentrant lock). Input: RTLParagraph('این فهرست (14) کرد'). "
                     "Corpora were generated WITHOUT brackets in Persian text so that the rest could be measured.")
    else:
        NOTES.append(f"right-to-left bracket probe failed: {p.error()}; corpora generated without brackets "
                     f"in Persian text")
    return False


def has_jobs_option() -> bool:
    p = cli("build", "--help", timeout=60)
    return "--jobs" in p.stdout


def make_corpus(root: Path, items: int, accused: int, seed: int, brackets: bool) -> dict:
    t = time.perf_counter()
    s = gen.generate(items, accused, seed, root, rtl_brackets=brackets)
    log(f"generated {items} items / {accused} accused in {time.perf_counter() - t:.1f} s "
        f"({s['words']} body words, {s['files']} exhibit files used by {s['items_with_files']} items)")
    return s


# ------------------------------------------------------------------ in-process: one dossier


def plain_story(items, styles) -> list:
    """The same titles and bodies as plain reportlab Paragraphs (Markdown marks dropped)."""
    from reportlab.platypus import PageBreak, Paragraph

    story = []
    for li in items:
        story.append(Paragraph(escape(li.item.title), styles["h1"]))
        for para in re.split(r"\n\s*\n", li.body):
            kind = "body"
            lines = [x.strip() for x in para.strip().splitlines()]
            if not lines:
                continue
            if lines[0].startswith(">"):
                kind = "quote"
                lines = [x.lstrip(">").strip() for x in lines]
            elif lines[0].startswith("#"):
                kind = "h2"
                lines = [x.lstrip("#").strip() for x in lines]
            text = " ".join(lines)
            text = re.sub(r"\*\*(.+?)\*\*|\*(.+?)\*|\[\[(.+?)\]\]", lambda m: next(g for g in m.groups() if g), text)
            text = re.sub(r"^([-*]|\d+\.)\s+", "", text)
            story.append(Paragraph(escape(text), styles[kind]))
        story.append(PageBreak())
    return story


def plain_render(items) -> tuple[bytes, int]:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate

    from casefile.typeset import rtl
    from casefile.typeset.styles import page_geometry

    g = page_geometry("A4")
    rtl.register_fonts()
    base = ParagraphStyle("body", fontName=rtl.FONT_REGULAR, fontSize=10, leading=14.5, spaceAfter=6)
    styles = {"body": base,
              "quote": ParagraphStyle("quote", parent=base, leftIndent=14, rightIndent=10),
              "h1": ParagraphStyle("h1", parent=base, fontName=rtl.FONT_BOLD, fontSize=17, leading=22, spaceAfter=10),
              "h2": ParagraphStyle("h2", parent=base, fontName=rtl.FONT_BOLD, fontSize=12.5, leading=17)}
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=g.margin_l, rightMargin=g.margin_r, topMargin=g.margin_t,
                            bottomMargin=g.margin_b, invariant=1)
    doc.build(plain_story(items, styles))
    return buf.getvalue(), doc.page


# The sections of a dossier that are its apparatus, left out of the plain render: contents,
# index of exhibits, names index (running heads, footers with "Page X of Y", page stamps, the
# outline, page references, the manifest and the content hash are the rest of it).
APPARATUS = ("contents", "exhibit-index", "names-index")


def dossier_markup(d, env, ctx) -> list:
    """The dossier's text as casefile's templates write it (markup trees), apparatus left out."""
    from casefile.dossier.sections import AFTER_EXHIBITS, BEFORE_EXHIBITS, EXHIBIT_TEMPLATE
    from casefile.typeset.templates import render_markup

    ctx = dict(ctx, d=d, case=d.case, accused=d.accused, exhibits=d.exhibits, TOTAL="total",
               pages={}, page_of=lambda k: "—")
    docs = [render_markup(env, s.template, **ctx) for s in BEFORE_EXHIBITS if s.key not in APPARATUS]
    docs += [render_markup(env, EXHIBIT_TEMPLATE, ex=ex, first=i == 0, **ctx) for i, ex in enumerate(d.exhibits)]
    docs += [render_markup(env, s.template, **ctx) for s in AFTER_EXHIBITS if s.key not in APPARATUS]
    return docs


def plain_same_text(d, docs) -> tuple[bytes, int]:
    """A plain single-pass reportlab render of the same text as the dossier (no apparatus):
    SimpleDocTemplate, reportlab's own Paragraph and Table, the same fonts, sizes, page and
    margins; every paragraph and table cell of the templates' output as plain text (a table cell
    whose plain text fits on one line as a string, as casefile sets it, else a Paragraph); exhibit
    files drawn one per page as casefile draws them (plain reportlab cannot place a PDF page)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import (CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph,
                                    SimpleDocTemplate, Spacer, Table, TableStyle)

    from reportlab.pdfbase.pdfmetrics import stringWidth

    from casefile.pdf.limits import pdf_limits
    from casefile.typeset import exhibit_pages as stamping
    from casefile.typeset import rtl
    from casefile.typeset.exhibit_files import draw_image
    from casefile.typeset.styles import CELL_PAD, page_geometry, paragraph_styles

    g = page_geometry("A4")

    styles = paragraph_styles()
    cs = styles["cell"]
    pages = stamping.ExhibitPages()
    exhibits = {e.number: e for e in d.exhibits}

    class FilePage(Flowable):
        def __init__(self, f, index):
            super().__init__()
            self.f, self.index = f, index

        def wrap(self, aw, ah):
            self.width, self.height = aw, ah - 1
            return self.width, self.height

        def draw(self):
            if self.f.kind == "pdf":
                pages.draw(self.canv, self.f, self.index, self.width, self.height)
            else:
                draw_image(self.canv, self.f, self.f.page_sizes[0], 0, 0, self.width, self.height)

    def words(el) -> str:
        return " ".join("".join(el.itertext()).split())

    def text(el) -> str:
        return escape(words(el))

    def cell(td, width: float):
        """As casefile sets a table cell: plain left-to-right text that fits on one line is a
        string (the table draws it); anything else a Paragraph. A list of references is
        written "a, b, c"."""
        refs = td.find("refs")
        if refs is not None:
            return Paragraph(", ".join(text(r) for r in refs.findall("r")), cs)
        line = words(td)
        if len(td) == 0 and not rtl.has_rtl(line) and stringWidth(line, cs.fontName, cs.fontSize) <= width - 2 * CELL_PAD:
            return line
        return Paragraph(escape(line), cs)

    def blocks(parent) -> list:
        out = []
        for el in parent:
            tag = el.tag
            if tag == "section":
                if el.get("newpage", "1") == "1":
                    out.append(PageBreak())
                out += blocks(el)
            elif tag in ("h1", "h2", "h3", "p", "quote", "li"):
                style = {"p": el.get("class", "body"), "quote": "quote", "li": "li"}.get(tag, tag)
                out.append(Paragraph(text(el), styles[style]))
            elif tag == "table":
                widths = [float(w) for w in el.get("widths", "1").split(",")]
                col_w = [g.content_width * w / sum(widths) for w in widths]
                rows = [[cell(td, col_w[min(i, len(col_w) - 1)]) for i, td in enumerate(tr.findall("td"))]
                        for tr in el.findall("tr")]
                if rows:
                    t = Table(rows, colWidths=col_w, repeatRows=1 if el.get("header") == "1" else 0, hAlign="LEFT")
                    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                           ("FONT", (0, 0), (-1, -1), cs.fontName, cs.fontSize, cs.leading),
                                           ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                                           ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD)]))
                    out.append(t)
            elif tag == "parallel":
                rows = [[blocks(c) if (c := row.find(side)) is not None else [] for side in ("left", "right")]
                        for row in el.findall("row")]
                if rows:
                    out.append(Table(rows, colWidths=[g.content_width / 2] * 2))
            elif tag == "keep":
                out.append(KeepTogether(blocks(el)))
            elif tag == "spacer":
                out.append(Spacer(1, float(el.get("height", "12"))))
            elif tag == "pagebreak":
                out.append(PageBreak())
            elif tag == "condbreak":
                out.append(CondPageBreak(float(el.get("height", "80"))))
            elif tag == "files":
                for f in exhibits[el.get("exhibit")].files:
                    if not f.withheld and f.kind == "pdf":
                        out += [x for i in range(f.pages) for x in (PageBreak(), FilePage(f, i))]
                    elif not f.withheld and f.kind == "image":
                        out += [PageBreak(), FilePage(f, 0)]
        return out

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=g.margin_l, rightMargin=g.margin_r, topMargin=g.margin_t,
                            bottomMargin=g.margin_b, invariant=1)
    with pdf_limits():
        doc.build([f for tree in docs for f in blocks(tree)])
    return buf.getvalue(), doc.page


def best_of(fn, repeat: int, min_total: float = 0.0):
    """Run fn `repeat` times (more while the total is under min_total, at most 20); min time, last result."""
    times, res = [], None
    while len(times) < repeat or (sum(times) < min_total and len(times) < 20):
        t = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t)
    return min(times), res


def stamp_stream(pdf, text: str):
    import pikepdf
    x, y, w = 400, 56, 6 + 4.2 * len(text)
    ops = (f"q 1 g 0 G 0.6 w {x - 5} {y - 4} {w} 13 re B 0 g BT /BenchF1 8 Tf {x} {y} Td "
           f"({text}) Tj ET Q")
    return pikepdf.Stream(pdf, ops.encode("latin-1"))


def pikepdf_reference(reserved: list, box: tuple) -> bytes:
    """Each exhibit page as a form XObject on a blank A4 page, a stamp over it; save."""
    import pikepdf
    from reportlab.lib.pagesizes import A4

    out = pikepdf.new()
    font = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    sources: dict = {}
    rect = pikepdf.Rectangle(box[0], box[1], box[0] + box[2], box[1] + box[3])
    for n, (_page, path, index) in enumerate(reserved, 1):
        src = sources.get(path) or sources.setdefault(path, pikepdf.open(path))
        page = out.add_blank_page(page_size=A4)
        page.add_overlay(src.pages[index], rect)
        page.add_resource(font, pikepdf.Name.Font, pikepdf.Name.BenchF1)
        page.contents_add(stamp_stream(out, f"EX-{n:04d} page {index + 1} BN-{n:06d}"), prepend=False)
    buf = io.BytesIO()
    out.save(buf)
    for s in sources.values():
        s.close()
    return buf.getvalue()


def exhibit_files(reserved: list) -> dict:
    """path -> the exhibit file as ExhibitPages.draw takes it (the file drawn, its recorded
    SHA-256, which draw checks as build does), for the pages of `reserved`; made before timing."""
    from types import SimpleNamespace

    return {path: SimpleNamespace(drawn=path, abspath=path, sha256=hashlib.sha256(Path(path).read_bytes()).hexdigest())
            for path in sorted({path for _, path, _ in reserved})}


def casefile_merge(reserved: list, box: tuple, files: dict) -> bytes:
    """The same as pikepdf_reference, done by casefile's own code: each exhibit page drawn as
    `build` draws it into a dossier (exhibit_pages.ExhibitPages, `files` from exhibit_files), on a
    blank A4 page, a text stamp over it, saved."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from casefile.pdf.limits import pdf_limits
    from casefile.typeset.exhibit_pages import ExhibitPages

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    pages = ExhibitPages()
    with pdf_limits():  # as casefile's render does, around the whole document
        for n, (_page, path, index) in enumerate(reserved, 1):
            c.saveState()
            c.translate(box[0], box[1])
            pages.draw(c, files[path], index, box[2], box[3])
            c.restoreState()
            c.setFont("Helvetica", 8)
            c.drawString(400, 56, f"EX-{n:04d} page {index + 1} BN-{n:06d}")
            c.showPage()
    c.save()
    return buf.getvalue()


def in_process(root: Path, repeat: int, profile: int):
    """Figures 1 and 2: one dossier (the largest, confidential edition: nothing withheld)."""
    from casefile.dossier.assembly import assemble, template_context
    from casefile.commands.build import Options, prepare
    from casefile.typeset.document import render
    from casefile.typeset.templates import template_env

    t = time.perf_counter()
    prepared = prepare(Options(root=root, editions=("confidential",)))
    row("prepare (load, check, number) in-process", secs(time.perf_counter() - t), result="info")
    p = prepared[0]
    fps = getattr(p, "fingerprints", None)
    if fps is None:
        fps = getattr(p, "fingerprint")
    env = template_env(root)
    counts = {a.id: sum(1 for li in p.lc.items if a.id in li.item.accused) for a in p.lc.case.accused}
    acc = max(sorted(counts), key=lambda k: counts[k])
    items = sorted((li for li in p.lc.items if acc in li.item.accused), key=lambda li: p.numbers[li.item.id])
    words = sum(len(li.body.split()) for li in items)

    def casefile_render():
        d = assemble(p.lc, p.numbers, p.files, "confidential", fps, [acc])[0]
        return d, render(d, env, template_context(d))

    # warm up all three (fonts, templates, imports) on two items
    d0 = assemble(p.lc, p.numbers, p.files, "confidential", fps, [acc])[0]
    small = dataclasses.replace(d0, exhibits=d0.exhibits[:2])
    render(small, env, template_context(small))
    plain_render(items[:2])
    plain_same_text(small, dossier_markup(small, env, template_context(small)))
    docs = dossier_markup(d0, env, template_context(d0))  # the templates' output, outside the timing

    log(f"rendering dossier '{acc}' ({len(items)} items, {words} body words), {repeat}x each")
    t_plain = t_same = t_cf = float("inf")
    for _ in range(repeat):  # alternate, keep the best of each
        t = time.perf_counter()
        _, plain_pages = plain_render(items)
        t_plain = min(t_plain, time.perf_counter() - t)
        t = time.perf_counter()
        _, same_pages = plain_same_text(d0, docs)
        t_same = min(t_same, time.perf_counter() - t)
        t = time.perf_counter()
        d, r = casefile_render()
        t_cf = min(t_cf, time.perf_counter() - t)
    ratio = t_cf / t_same
    row("one dossier: casefile render / plain render of its text", f"{ratio:.2f}× ({secs(t_cf)} vs {secs(t_same)})",
        "≤ 1.3×", verdict(ratio <= 1.3),
        note=f"accused '{acc}', {len(items)} items, confidential edition; casefile {r.pages} pages "
             f"({r.pages / t_cf:.0f} pages/s) = assemble + template_context + render, with everything; plain = "
             f"SimpleDocTemplate, one pass, reportlab's Paragraph and Table (one-line plain cells as strings, as "
             f"casefile sets them), of the same text (the templates' "
             f"output without contents, index of exhibits and names index; no running heads, footers, "
             f"stamps, outline, links or manifest), exhibit files drawn the same way: {same_pages} pages "
             f"({same_pages / t_same:.0f} pages/s)")
    row("  casefile render / plain render of titles and bodies only", f"{t_cf / t_plain:.2f}× ({secs(t_plain)})",
        result="info",
        note=f"plain SimpleDocTemplate of the items' titles and Markdown bodies only ({plain_pages} pages, "
             f"{plain_pages / t_plain:.0f} pages/s): leaves out the metadata tables, sources, exhibit files, "
             f"cover, profile, chronology, matrix and annex that the dossier has, so it compares different amounts "
             f"of text")

    # --- exhibit pages merged and stamped: the dossier's (a few files, many pages each), then
    # 200 small files (one or two pages each), where the cost of opening a file shows
    reserved = [(page, path, index) for page, path, index in r.reserved  # (r.reserved lists image pages too)
                if Path(path).read_bytes()[:5] == b"%PDF-"]
    if not reserved:
        row("exhibit pages merged: casefile / pikepdf", "no PDF exhibit pages in this dossier", "≥ 0.8×", "skipped")
    else:
        files = len({path for _, path, _ in reserved})
        merge_figure("exhibit pages merged: casefile / pikepdf", reserved, profile,
                     f"{len(reserved)} exhibit PDF pages of the {r.pages}-page dossier, from {files} files")
    small = small_exhibits(root.parent / "small-exhibits", 200)
    merge_figure("  the same on 200 small exhibit files", small, 0,
                 f"{len(small)} pages of 200 PDFs of 1-2 pages (bench/generate.py's make_pdf), each file opened "
                 f"once, as in a dossier")
    if profile:
        PROFILE.insert(0, ("one dossier render (assemble + template_context + render)",
                           profiled(casefile_render, profile)))


def small_exhibits(folder: Path, count: int) -> list:
    """`count` small exhibit PDFs (1-2 pages, as generate.py makes exhibit files): (0, path, page) each page."""
    import random

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    out = []
    for i in range(count):
        path, pages = folder / f"small-{i + 1:03d}.pdf", rng.randint(1, 2)
        gen.make_pdf(path, rng, f"Small record {i + 1}", pages)
        out += [(0, str(path), p) for p in range(pages)]
    return out


def alternated(fa, fb, repeat: int, min_total: float) -> tuple[float, float]:
    """Best times of fa and fb, run in turn (the machine's speed drifts within seconds): at
    least `repeat` runs each, more while either total is under min_total (at most 20)."""
    ta, tb = [], []
    while len(ta) < repeat or (min(sum(ta), sum(tb)) < min_total and len(ta) < 20):
        for fn, times in ((fa, ta), (fb, tb)):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    return min(ta), min(tb)


def merge_figure(label: str, reserved: list, profile: int, what: str):
    """Figure 2 on `reserved` pages: casefile's exhibit pages against pikepdf's overlay."""
    from casefile.typeset.styles import page_geometry

    frame = page_geometry("A4").frame
    name = "exhibit_pages.ExhibitPages"
    n = len(reserved)
    files = exhibit_files(reserved)
    fn = lambda: casefile_merge(reserved, frame, files)  # noqa: E731
    ref = lambda: pikepdf_reference(reserved, frame)  # noqa: E731
    fn()  # warm-up
    pikepdf_reference(reserved[:2], frame)
    t_merge, t_ref = alternated(fn, ref, 3, 2.0)
    thr, thr_ref = n / t_merge, n / t_ref
    row(label, f"{thr / thr_ref:.2f}× ({thr:.0f} vs {thr_ref:.0f} pages/s)", "≥ 0.8×", verdict(thr / thr_ref >= 0.8),
        note=f"{what}; casefile = {name}, each exhibit page drawn as build draws it (the file read by pypdf), "
             f"on a blank A4 page plus a text stamp, saved ({secs(t_merge)}); reference = pikepdf, each exhibit "
             f"page as a form XObject on a blank A4 page plus a text stamp, saved ({secs(t_ref)}); alternated, "
             f"best of each")
    if profile:
        PROFILE.append((f"{name} ({label.strip()})", profiled(fn, profile)))


def profiled(fn, n: int) -> str:
    import cProfile
    import pstats

    pr = cProfile.Profile()
    pr.enable()
    fn()
    pr.disable()
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(n)
    return s.getvalue()


PROFILE: list[tuple[str, str]] = []


# ------------------------------------------------------------------ CLI figures


def cli_figures(root: Path, work: Path, jobs_ok: bool, timeout: float, items: int):
    rss = []

    def build(out: Path, jobs: int | None, what: str) -> Proc | None:
        log(f"casefile build ({what}) -> {out.name}")
        p = cli(*build_cmd(root, out, jobs), timeout=timeout)
        rss.append((what, p.maxrss_mib))
        if not p.ok:
            row(f"casefile build ({what})", "ERROR", result="ERROR", note=p.error())
        return p

    first_jobs = 1 if jobs_ok else None
    out1 = work / "out-1"
    a = build(out1, first_jobs, "clean, --jobs 1" if jobs_ok else "clean")
    if not a.ok:
        return
    n_dossiers, pages = a.pages()
    row("clean build, all dossiers" + (" (--jobs 1)" if jobs_ok else ""),
        f"{secs(a.wall)} ({n_dossiers} dossiers, {pages} pages, {pages / a.wall:.1f} pages/s)", result="info")

    primary = out1
    if jobs_ok:
        out2 = work / "out-2"
        b = build(out2, 2, "clean, --jobs 2")
        if b.ok:
            ratio = b.wall / a.wall
            row("all dossiers: --jobs 2 / --jobs 1", f"{ratio:.3f}× ({secs(b.wall)} vs {secs(a.wall)})", "≤ 0.55×",
                verdict(ratio <= 0.55))
            same, how = compare_trees(out1, out2)
            row("  --jobs 2 output = --jobs 1 output", "yes" if same else "NO", "identical", verdict(same), note=how)
            primary = out2
    else:
        row("all dossiers: --jobs 2 / --jobs 1", "not implemented", "≤ 0.55×", "not implemented",
            note="`casefile build` has no --jobs option")

    # rebuild with nothing changed
    c = build(primary, None, "nothing changed")
    if c.ok:
        row("rebuild, nothing changed", secs(c.wall), "≤ 1 s", verdict(c.wall <= 1.0),
            note=f"re-rendered {c.pages()[0]} dossiers" + ("" if items >= 2000 else
                                                           f"; the target is set for 2,000 items (this run: {items})"))
    if jobs_ok:
        c1 = build(out1, None, "nothing changed, first rebuild after the lock was written")
        if c1.ok:
            row("  rebuild, nothing changed, 1st after first build (info)", secs(c1.wall), result="info",
                note="the first build writes cases/<id>/exhibits.lock, which changes the case's input signature")

    # edit one item, rebuild, compare with a clean build
    ev = sorted((root / "cases").glob("*/evidence/**/*.md"))
    victim = ev[len(ev) // 2]
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.rstrip("\n") + "\n\nAdded by the benchmark: one more sentence in one item.\n",
                      encoding="utf-8")
    acc_line = re.search(r"^accused:\n((?:  - .*\n)+)", text, re.M)
    concerned = len(acc_line.group(1).splitlines()) if acc_line else "?"
    e = build(primary, None, "after editing one item")
    if e.ok:
        row("rebuild after editing one item", f"{secs(e.wall)} ({e.pages()[0]} dossiers re-rendered)", result="info",
            note=f"edited {victim.relative_to(root)} (concerns {concerned} accused, so {concerned}×2 dossiers "
                 f"must change); clean build {secs(a.wall)}")
        out3 = work / "out-3"
        f = build(out3, 2 if jobs_ok else None, "clean, after the edit")
        if f.ok:
            same, how = compare_trees(primary, out3)
            row("  edited rebuild = clean build", "byte-identical" if same else "DIFFERENT", "identical",
                verdict(same), note=how)

    worst = max(rss, key=lambda x: x[1])
    row("peak RSS per process (build and workers)", f"{worst[1]:.0f} MiB", "≤ 250 MiB", verdict(worst[1] <= 250),
        note="max of wait4() ru_maxrss over the builds: " + "; ".join(f"{w} {m:.0f} MiB" for w, m in rss))


def growth(work: Path, seed: int, brackets: bool, jobs_ok: bool, timeout: float):
    per_page = []
    for items, accused in ((1000, 10), (10000, 100)):
        root = work / f"growth-{items}"
        make_corpus(root, items, accused, seed, brackets)
        log(f"casefile build ({items} items / {accused} accused)")
        p = cli(*build_cmd(root, root / "out", None), timeout=timeout)
        if not p.ok:
            row(f"growth build {items}/{accused}", "ERROR", result="ERROR", note=p.error())
            return
        n, pages = p.pages()
        per_page.append(p.wall / pages)
        row(f"  build {items} items / {accused} accused (info)",
            f"{secs(p.wall)}, {pages} pages, {1000 * p.wall / pages:.1f} ms/page", result="info")
        shutil.rmtree(root, ignore_errors=True)
    ratio = per_page[1] / per_page[0]
    row("growth: time/page 10,000/100 vs 1,000/10", f"{ratio:.2f}×", "≤ 1.2×", verdict(ratio <= 1.2))


# ------------------------------------------------------------------ code snapshot


def tree_digest(folder: Path) -> str:
    import hashlib
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def live_package() -> Path:
    import importlib.util
    return Path(importlib.util.find_spec("casefile").origin).parent


def take_snapshot(work: Path) -> tuple[Path, str]:
    """Copy the casefile package into the work folder and put it first on the import path of this
    process and of every build: the whole run measures one version of the code, even while src/
    is being edited."""
    live = live_package()
    snap = work / "snapshot"
    if snap.exists():
        shutil.rmtree(snap)
    shutil.copytree(live, snap / "casefile", ignore=shutil.ignore_patterns("__pycache__"))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(snap)] + [x for x in [os.environ.get("PYTHONPATH")] if x])
    sys.path.insert(0, str(snap))
    return live, tree_digest(snap / "casefile")


# ------------------------------------------------------------------ main


def version_line() -> str:
    import casefile
    import pypdf
    import reportlab

    try:
        rev = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev = "?"
    try:
        import pikepdf
        pk = pikepdf.__version__
    except ImportError:
        pk = "missing"
    try:
        from reportlab.lib import rl_accel  # noqa: F401
        accel = "C" if "_py_" not in rl_accel.instanceStringWidthTTF.__name__ else "pure Python"
    except Exception:
        accel = "?"
    return (f"casefile {casefile.__version__} ({rev}); Python {platform.python_version()}; reportlab "
            f"{reportlab.Version} (rl_accel: {accel}); pypdf {pypdf.__version__}; pikepdf {pk}; "
            f"{os.cpu_count()} CPUs; {platform.machine()}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="casefile speed-and-scale benchmark")
    ap.add_argument("--quick", action="store_true", help="small run: 200 items / 4 accused")
    ap.add_argument("--full", action="store_true", help="also the growth figure (1,000/10 vs 10,000/100)")
    ap.add_argument("--items", type=int, help="items of the main corpus (default 2000; 200 with --quick)")
    ap.add_argument("--accused", type=int, help="accused of the main corpus (default 20; 4 with --quick)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int,
                    help="renders of the dossier for figure 1, alternated, best kept (default 5; 7 with --quick)")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="cProfile one dossier render; print the top N cumulative entries")
    ap.add_argument("--timeout", type=float, default=4 * 3600, help="seconds allowed to each build")
    ap.add_argument("--skip-cli", action="store_true", help="only the in-process figures (1 and 2)")
    ap.add_argument("--workdir", type=Path, help="folder for the corpora and outputs (kept)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--no-snapshot", action="store_true",
                    help="import casefile from where it is installed instead of a copy taken at the start")
    if argv is None:
        argv = sys.argv[1:]
        if not argv and os.environ.get("ARGS"):
            # `make bench ARGS=--quick`: make exports command-line variables to the recipe
            import shlex
            argv = shlex.split(os.environ["ARGS"])
    a = ap.parse_args(argv)
    items = a.items or (200 if a.quick else 2000)
    accused = a.accused or (4 if a.quick else 20)
    faulthandler.dump_traceback_later(a.timeout, exit=True)  # a hang shows where it is

    if not CLI.exists():
        print(f"{CLI} not found: install the package into this interpreter's environment (make bench)",
              file=sys.stderr)
        return 2
    work = a.workdir or Path(tempfile.mkdtemp(prefix="casefile-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    log(f"working in {work}")
    errors = 0
    load0 = os.getloadavg()[0]
    try:
        snapshot = None
        if not a.no_snapshot:
            live, snapshot = take_snapshot(work)
        versions = version_line()
        if snapshot:
            versions += f"\ncode: snapshot of {live} taken at the start (sha256 {snapshot[:12]})"
        brackets = rtl_bracket_probe()
        jobs_ok = has_jobs_option()
        root = work / "main"
        make_corpus(root, items, accused, a.seed, brackets)
        p = cli("check", "--root", root, timeout=600)
        row("corpus passes `casefile check`", "0 problems" if p.ok else "problems", "0 problems", verdict(p.ok),
            note="" if p.ok else (p.stderr or p.stdout).strip().splitlines()[0][:300])
        try:
            in_process(root, max(1, a.repeat or (7 if a.quick else 5)), a.profile)
        except Exception as e:  # report and go on with the CLI figures
            import traceback
            row("in-process dossier render", "ERROR", result="ERROR", note=f"{type(e).__name__}: {e}")
            NOTES.append("traceback:\n" + traceback.format_exc())
        if not a.skip_cli:
            cli_figures(root, work, jobs_ok, a.timeout, items)
        if a.full:
            growth(work, a.seed, brackets, jobs_ok, a.timeout)
        else:
            row("growth: time/page 10,000/100 vs 1,000/10", "skipped (--full)", "≤ 1.2×", "skipped")
        NOTES.append("load average (1 min) at the start {:.2f}, at the end {:.2f}: other work on the machine "
                     "skews every time".format(load0, os.getloadavg()[0]))
        if snapshot and tree_digest(live) != snapshot:
            NOTES.append(f"{live} changed during the run; every figure is for the snapshot taken at the start")
        errors = sum(1 for r in ROWS if r.result == "ERROR")
        print_table(f"casefile benchmark: {items} items / {accused} accused, seed {a.seed}\n{versions}")
        for what, prof in PROFILE:
            print(f"\ncProfile of {what}, top {a.profile} by cumulative time:")
            print("\n".join(re.sub(r"/\S*/(site-packages|snapshot|src)/", "", x)
                            for x in prof.splitlines() if x.strip()))
    finally:
        if a.workdir or a.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
