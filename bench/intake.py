#!/usr/bin/env python3
"""Intake benchmark: OCR pages per second against running Tesseract alone on the same pages,
and conversion time per document (Word through LibreOffice, e-mail, web capture, CSV).

    .venv/bin/python bench/intake.py              # 12 scanned pages, 3 documents of each kind
    .venv/bin/python bench/intake.py --pages 40 --jobs 2

The pages are fictional text drawn with the shipped font at 200 dpi (as a scanner gives them),
each in two forms: a PNG image exhibit and a page of a scanned PDF (no text layer). "Tesseract
alone" runs `tesseract PAGE.png - -l eng --psm 3 tsv` on the same PNGs, as many at once as
casefile does (--jobs), with OMP_THREAD_LIMIT=1 as casefile sets it. casefile's figure is
everything intake does for those pages with an empty cache (preparing each image, rasterising
each PDF page with pdftoppm, running Tesseract in its limits, reading the TSV, writing the
cache), then the same with the cache filled (a rebuild). Figures only, nothing asserted: they
depend on the machine and on what else it runs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from casefile.dossier.assembly import FileInfo, file_kind  # noqa: E402
from casefile.intake.exhibits import Intake  # noqa: E402
from casefile.typeset.renditions import typeset_rendition  # noqa: E402

WORDS = ("statement witness office northtown meeting record letter clerk report hearing evidence "
         "archive council decision session minutes").split()


def page_image(n: int):
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1654, 2339), 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(str(REPO / "src/casefile/fonts/Vazirmatn-Regular.ttf"), 34)
    for line in range(28):
        text = " ".join(WORDS[(n * 7 + line * 3 + k) % len(WORDS)] for k in range(9)).capitalize() + "."
        d.text((140, 160 + line * 72), text, font=f, fill=0)
    return img


def info(path: Path) -> FileInfo:
    data = path.read_bytes()
    return FileInfo(path.name, path, len(data), hashlib.sha256(data).hexdigest(), file_kind(path.name), "")


def tesseract_alone(pngs: list[Path], jobs: int) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    started = time.perf_counter()
    pending = list(pngs)
    running: list[subprocess.Popen] = []
    while pending or running:
        while pending and len(running) < jobs:
            running.append(subprocess.Popen(["tesseract", str(pending.pop(0)), "-", "-l", "eng", "--psm", "3",
                                             "--dpi", "300", "tsv"], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, env=env))
        running[0].wait()
        running = [p for p in running if p.poll() is None]
    return time.perf_counter() - started


def intake_ocr(files: list[Path], cache: Path, jobs: int) -> tuple[float, int]:
    started = time.perf_counter()
    intake = Intake(cache, jobs, typeset_rendition)
    for f in files:
        intake.take(info(f), f.name, ("en",))
    problems = intake.finish()
    assert not problems, problems
    return time.perf_counter() - started, intake.ocr_run


def documents(folder: Path, n: int) -> dict[str, list[Path]]:
    from email.message import EmailMessage

    out: dict = {"docx": [], "eml": [], "html": [], "csv": []}
    try:
        import docx
    except ImportError:
        docx = None
    for i in range(n):
        text = [" ".join(WORDS[(i + k + j) % len(WORDS)] for k in range(12)) for j in range(40)]
        if docx is not None:
            d = docx.Document()
            d.add_heading(f"Fictional memo {i}", 1)
            for t in text:
                d.add_paragraph(t)
            p = folder / f"memo{i}.docx"
            d.save(p)
            out["docx"].append(p)
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "a@example.invalid", "b@example.invalid", f"Fictional message {i}"
        m["Date"] = "Sat, 03 Mar 2001 10:00:00 +0000"
        m.set_content("\n".join(text))
        p = folder / f"mail{i}.eml"
        p.write_bytes(bytes(m))
        out["eml"].append(p)
        p = folder / f"page{i}.html"
        p.write_text("<html><body><h1>Fictional page</h1>" + "".join(f"<p>{t}</p>" for t in text) +
                     "<img src='http://tracker.example/x.gif'></body></html>")
        out["html"].append(p)
        p = folder / f"table{i}.csv"
        p.write_text("a,b,c\n" + "".join(f"{t[:20]},{t[20:40]},{i}\n" for t in text))
        out["csv"].append(p)
    return out


def convert(paths: list[Path], cache: Path) -> float:
    started = time.perf_counter()
    intake = Intake(cache, 1, typeset_rendition)
    for p in paths:
        intake.take(info(p), p.name, ("en",))
    intake.finish()
    return (time.perf_counter() - started) / max(1, len(paths))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--documents", type=int, default=3)
    args = ap.parse_args()
    if not shutil.which("tesseract"):
        print("tesseract is not installed (make tools)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="casefile-bench-intake-") as tmp:
        tmp = Path(tmp)
        print(f"making {args.pages} scanned pages…", file=sys.stderr)
        images = [page_image(n) for n in range(args.pages)]
        pngs = []
        for n, img in enumerate(images):
            p = tmp / f"scan{n:03d}.png"
            img.save(p, dpi=(200, 200))
            pngs.append(p)
        pdf = tmp / "scanned.pdf"
        images[0].save(pdf, "PDF", resolution=200, save_all=True, append_images=images[1:])
        rows = []
        alone = tesseract_alone(pngs, args.jobs)
        rows.append(("Tesseract alone on the PNGs", args.pages / alone, ""))
        t, n = intake_ocr(pngs, tmp / "cache-img", args.jobs)
        rows.append(("casefile, image exhibits (cold cache)", n / t, f"{alone / t:.2f} × Tesseract alone"))
        t, n = intake_ocr([pdf], tmp / "cache-pdf", args.jobs)
        rows.append(("casefile, scanned PDF pages (cold cache)", n / t, f"{alone / t:.2f} × (rasterised first)"))
        t, _ = intake_ocr([pdf], tmp / "cache-pdf", args.jobs)
        rows.append(("casefile, scanned PDF pages (cache filled)", args.pages / t, "a rebuild: no OCR run"))
        print(f"\nOCR, {args.pages} pages, --jobs {args.jobs}\n")
        print(f"| {'what':<44} | {'pages/s':>8} | note |\n| --- | ---: | --- |")
        for what, rate, note in rows:
            print(f"| {what:<44} | {rate:8.2f} | {note} |")
        docs = documents(tmp, args.documents)
        print(f"\nConversion, cold cache, {args.documents} documents of each kind (40 paragraphs each)\n")
        print("| kind | seconds per document | made by |\n| --- | ---: | --- |")
        for kind, made_by in (("docx", "LibreOffice headless"), ("eml", "casefile (email, reportlab)"),
                              ("html", "casefile (web capture)"), ("csv", "casefile (table)")):
            if not docs[kind]:
                print(f"| {kind} | — | python-docx not installed |")
                continue
            if kind == "docx" and not shutil.which("soffice"):
                print(f"| {kind} | — | LibreOffice not installed |")
                continue
            print(f"| {kind} | {convert(docs[kind], tmp / f'cache-{kind}'):.2f} | {made_by} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
