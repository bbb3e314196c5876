"""OCR of scans and photos with Tesseract, run directly (its TSV output: every word with its
box, in reading order), one subprocess per page, several at once with `--jobs`.

What is OCR'd: every image exhibit, and every page of a PDF exhibit that has no text layer (no
font anywhere in its resources) but draws an image. A PDF page is rasterised by pdftoppm at
OCR_DPI; an image is given to Tesseract upright (its EXIF orientation applied), transparency
flattened. The result is plain data, an `OcrPage` per page: its lines of text in logical
order (right-to-left lines too: Tesseract gives the words of a Persian line in reading order,
each word's letters in logical order) with their boxes in the pixels of the image Tesseract
read. typeset/text_layer.py draws them as the page's invisible text layer.

Languages: the exhibit's item `language`, the language of the item's original, and the case's
`language`, as Tesseract's language codes (LANGUAGES), those installed only; none installed
means no OCR, with a notice naming the Debian package.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path
from typing import NamedTuple

from casefile.errors import CaseError, fail
from casefile.intake.converters import GIB, PDFTOPPM, TESSERACT, Run, available, find, run_all, tools_signature

OCR_DPI = 300
OCR_MAX_SIDE = 6000  # pixels: the long side of a page image given to Tesseract (larger ones are scaled)
OCR_TIMEOUT = 180.0  # seconds for one page
OCR_MEMORY = 2 * GIB
RASTER_TIMEOUT = 120.0
RASTER_MEMORY = 2 * GIB
ENGINE = "tesseract --psm 3 tsv"  # how Tesseract is run (part of the cache key)

# ISO 639-1 (as items give them) -> Tesseract's traineddata names
LANGUAGES = {"en": "eng", "fa": "fas", "ar": "ara", "fr": "fra", "de": "deu", "es": "spa", "it": "ita",
             "ru": "rus", "tr": "tur", "az": "aze", "ku": "kmr", "ur": "urd", "he": "heb", "nl": "nld",
             "pt": "por", "sv": "swe", "no": "nor", "da": "dan", "pl": "pol", "uk": "ukr", "zh": "chi_sim"}


class OcrLine(NamedTuple):
    text: str  # logical order
    left: int  # box in the pixels of the OCR'd image, origin at its top left
    top: int
    right: int
    bottom: int


class OcrPage(NamedTuple):
    width: int  # pixels of the image Tesseract read
    height: int
    lines: tuple  # OcrLine, in reading order
    languages: str  # e.g. "fas+eng"

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def installed_languages() -> frozenset:
    """Tesseract's installed languages (asked again when Tesseract or its data changed)."""
    return _installed_languages(tools_signature()) if available(TESSERACT) else frozenset()


@functools.lru_cache(maxsize=None)
def _installed_languages(tools: str) -> frozenset:
    try:
        r = subprocess.run([find(TESSERACT, "-", "OCR"), "--list-langs"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    lines = r.stdout.decode("utf-8", "replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def tesseract_languages(codes) -> tuple[str, list[str]]:
    """("fas+eng", [Debian packages of languages that are not installed]) for item languages."""
    have = installed_languages()
    chosen, missing = [], []
    for code in codes:
        base = (code or "").split("-")[0].lower()
        tess = LANGUAGES.get(base)
        if tess is None or tess in chosen:
            continue
        if tess in have:
            chosen.append(tess)
        else:
            missing.append(f"tesseract-ocr-{tess.replace('_', '-')}")
    return "+".join(chosen), missing


def engine_version(tesseract: str) -> str:
    """What the OCR of a page depends on besides the page and its languages."""
    return f"{tesseract} {ENGINE} {OCR_DPI}dpi"


def parse_tsv(data: bytes, languages: str) -> OcrPage:
    """Tesseract's TSV: one row per page, block, paragraph, line and word; words are level 5."""
    width = height = 0
    lines: dict = {}
    order = []
    for row in data.decode("utf-8", "replace").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12:
            continue
        try:
            level, page, block, par, line, _, left, top, w, h = (int(c) for c in cols[:10])
            conf = float(cols[10])
        except ValueError:
            continue
        if level == 1:
            width, height = max(width, left + w), max(height, top + h)
            continue
        text = " ".join(cols[11].split())
        if level != 5 or not text or conf < 0:
            continue
        key = (page, block, par, line)
        if key not in lines:
            lines[key] = []
            order.append(key)
        lines[key].append((text, left, top, left + w, top + h))
    out = []
    for key in order:
        words = lines[key]
        out.append(OcrLine(" ".join(t for t, *_ in words), min(w[1] for w in words), min(w[2] for w in words),
                           max(w[3] for w in words), max(w[4] for w in words)))
    return OcrPage(width, height, tuple(out), languages)


# ------------------------------------------------------------------ what needs OCR

def textless_pages(path: Path) -> list[tuple[int, float, float]]:
    """(page index, width, height in points) of each page of a PDF that has no text layer but
    draws an image: no font in its resources (nor in those of the forms it draws)."""
    from casefile.pdf.exhibits import open_pdf
    from casefile.pdf.limits import guard, pdf_limits

    def fonts_images(res, depth=0):
        fonts = images = False
        res = res.get_object() if res is not None else None
        if not hasattr(res, "get"):
            return fonts, images
        if res.get("/Font"):
            fonts = True
        xobjects = res.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        for ref in (xobjects.values() if hasattr(xobjects, "values") else []):
            x = ref.get_object()
            if not hasattr(x, "get"):
                continue
            if x.get("/Subtype") == "/Image":
                images = True
            elif x.get("/Subtype") == "/Form" and depth < 4:
                f, i = fonts_images(x.get("/Resources"), depth + 1)
                fonts, images = fonts or f, images or i
        return fonts, images

    out = []
    with pdf_limits():
        reader = open_pdf(path)

        def scan():
            for i, page in enumerate(reader.pages):
                fonts, images = fonts_images(page.get("/Resources"))
                if images and not fonts:
                    box = page.cropbox
                    w, h = float(box.width), float(box.height)
                    if int(page.get("/Rotate", 0) or 0) % 180:
                        w, h = h, w
                    out.append((i, w, h))
        guard(path, scan)
    return out


# ------------------------------------------------------------------ running it

class PageTask(NamedTuple):
    """One page to OCR: an image exhibit (index None) or a page of a PDF."""
    path: Path  # the file as read (exhibit, attachment or rendition)
    shown: str
    index: int | None  # page index of a PDF; None for an image
    size: tuple  # (w, h) points of a PDF page
    languages: str


def image_for_ocr(path: Path, folder: Path) -> Path:
    """An image exhibit as Tesseract should read it: upright, flattened, at most OCR_MAX_SIDE."""
    from casefile.pdf.images import open_image, printable

    img = printable(open_image(path))
    if max(img.size) > OCR_MAX_SIDE:
        scale = OCR_MAX_SIDE / max(img.size)
        img = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))))
    out = folder / "page.png"
    img.save(out, format="PNG")
    return out


def blank(path: Path) -> bool:
    """An image of one colour (nothing to read): not given to Tesseract."""
    from casefile.pdf.images import open_image, printable

    img = printable(open_image(path, fit=(512, 512)))
    lo_hi = img.convert("L").getextrema()
    return lo_hi[1] - lo_hi[0] < 8


def ocr_pages(tasks: list[PageTask], jobs: int, scratch: Path, progress=None) -> list[OcrPage]:
    """OCR every page (rasterising PDF pages first), `jobs` subprocesses at a time. A page that
    cannot be read is one problem line naming its file (and page). `progress(n)`: n pages read
    so far, each time Tesseract finishes one."""
    problems = []
    folders = []
    rasters: list[Run] = []
    for n, t in enumerate(tasks):
        folder = scratch / f"p{n}"
        folder.mkdir(parents=True, exist_ok=True)
        folders.append(folder)
        if t.index is None:
            try:
                image_for_ocr(t.path, folder)
            except CaseError as e:
                problems += e.problems
            continue
        w, h = t.size
        long_px = max(w, h) / 72 * OCR_DPI
        scale = ["-scale-to", str(OCR_MAX_SIDE)] if long_px > OCR_MAX_SIDE else ["-r", str(OCR_DPI)]
        rasters.append(Run([find(PDFTOPPM, t.shown, "OCR of a scanned page"), "-f", str(t.index + 1), "-l",
                            str(t.index + 1), *scale, "-gray", "-png", "-singlefile", str(t.path),
                            str(folder / "page")], t.shown, f"rasterising page {t.index + 1} for OCR",
                           RASTER_TIMEOUT, RASTER_MEMORY))
    for r in run_all(rasters, jobs):
        try:
            r.check()
        except CaseError as e:
            problems += e.problems
    if problems:
        raise CaseError(problems)
    runs = []
    for t, folder in zip(tasks, folders):
        runs.append(Run([find(TESSERACT, t.shown, "OCR"), str(folder / "page.png"), "-", "-l", t.languages,
                         "--psm", "3", "--dpi", str(OCR_DPI), "tsv"], t.shown,
                        "Tesseract OCR" + (f" of page {t.index + 1}" if t.index is not None else ""),
                        OCR_TIMEOUT, OCR_MEMORY))
    pages = []
    for t, r in zip(tasks, run_all(runs, jobs, progress)):
        try:
            r.check()
            pages.append(parse_tsv(r.stdout, t.languages))
        except CaseError as e:
            problems += e.problems
    if problems:
        raise CaseError(problems)
    return pages


def as_record(page: OcrPage) -> dict:
    return {"width": page.width, "height": page.height, "languages": page.languages,
            "lines": [list(line) for line in page.lines]}


def from_record(r: dict) -> OcrPage:
    try:
        return OcrPage(int(r["width"]), int(r["height"]),
                       tuple(OcrLine(str(t), int(a), int(b), int(c), int(d)) for t, a, b, c, d in r["lines"]),
                       str(r["languages"]))
    except (KeyError, TypeError, ValueError) as e:
        raise fail("-", "cache", f"damaged OCR record: {e}")

