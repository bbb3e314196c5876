"""OCR of scans and photos with Tesseract, run directly (its TSV output: every word with its
box, in reading order), one subprocess per page, several at once with `--jobs`.

What is OCR'd: every image exhibit, and every page of a PDF exhibit that has no text layer (no
font anywhere in its resources) but draws an image. A PDF page is rasterised by pdftoppm at
OCR_DPI; an image is given to Tesseract upright (its EXIF orientation applied), transparency
flattened. The result is plain data, an `OcrPage` per page: its lines of text in logical
order (right-to-left lines too: Tesseract gives the words of a Persian line in reading order,
each word's letters in logical order) with their boxes in the pixels of the image Tesseract
read. typeset/text_layer.py draws them as the page's invisible text layer.

What Tesseract did not read (`measure`, `not_read`): a line Tesseract does not recognise (print
too small, a distorted or unusual font, handwriting, a stamp) leaves no word in its output, so
the leak check, which searches the words, cannot see it, while the public edition would show
its image. Each page read is therefore measured against its own image, once, when it is OCR'd:
where the ink is (the dark pixels of the binarised image, in cells of CELL pixels), which ink
lies outside every word box Tesseract gave, and how much ink each word box holds with the
word's confidence. That measurement is cached with the text; `not_read` decides from it, at
every build, whether the page was fully read: it is not when a patch of ink lies outside every
word, or a word read with low confidence covers ink (a garbled line comes out as such words).
The public edition withholds a page that was not fully read (dossier/editions.py) unless its
exhibit entry says a person reviewed it.

Languages: the exhibit's item `language`, the language of the item's original, and the case's
`language`, as Tesseract's language codes (LANGUAGES), those installed only; none installed
means no OCR, with a notice naming the Debian package.
"""

from __future__ import annotations

import functools
import re
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


class OcrWord(NamedTuple):
    """A word's box as Tesseract gave it, its confidence, and the ink inside the box."""
    left: int
    top: int
    right: int
    bottom: int
    confidence: int  # Tesseract's, 0-100
    ink: int  # dark pixels inside the box (measure)


class InkPatch(NamedTuple):
    """Ink outside every word box: connected cells of the page's ink grid."""
    left: int
    top: int
    right: int
    bottom: int
    ink: int  # dark pixels


class OcrPage(NamedTuple):
    width: int  # pixels of the image Tesseract read
    height: int
    lines: tuple  # OcrLine, in reading order
    languages: str  # e.g. "fas+eng"
    words: tuple = ()  # OcrWord, as Tesseract gave them
    outside: tuple = ()  # InkPatch: ink outside every word box, the largest first (at most MAX_PATCHES)
    patches: int = 0  # how many such patches there were in all
    dark: bool = False  # the image is not dark print on light paper (measure found no paper)

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
    """What the OCR of a page depends on besides the page and its languages (its measurement too)."""
    return f"{tesseract} {ENGINE} {OCR_DPI}dpi {INK_FORMAT}"


def parse_tsv(data: bytes, languages: str) -> OcrPage:
    """Tesseract's TSV: one row per page, block, paragraph, line and word; words are level 5."""
    width = height = 0
    lines: dict = {}
    order = []
    words = []
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
        words.append(OcrWord(left, top, left + w, top + h, int(round(conf)), 0))
    out = []
    for key in order:
        line = lines[key]
        out.append(OcrLine(" ".join(t for t, *_ in line), min(w[1] for w in line), min(w[2] for w in line),
                           max(w[3] for w in line), max(w[4] for w in line)))
    return OcrPage(width, height, tuple(out), languages, tuple(words))


# ------------------------------------------------------------------ what Tesseract did not read

# The measurement, made once per page when it is OCR'd and cached with its text (INK_FORMAT is
# part of the cache key: a change here reads the pages again).
PAPER_MIN = 128  # grey level: a page whose median pixel is darker has no paper to speak of (a
#                  photograph, a negative): all of it counts as ink nobody read
INK_CONTRAST = 32  # grey levels: a pixel is ink when it is this much darker than the paper
#                    around it. Print in grey 215 on white, which Tesseract ignores, counts; a
#                    scan blurred, turned, with 1,500 specks and saved as a JPEG of quality 60
#                    leaves patches of at most 9 pixels outside its words (48 would miss the
#                    grey 215 line; paper texture is a few levels)
PAPER_BLOCK = 8  # pixels: the paper's level is the lightest mean of such blocks within
PAPER_REACH = 4  # blocks around each place (a redaction bar up to 64 pixels across is ink
#                  throughout, a larger dark area at least along its edges)
RULE_THICK = 300  # a straight horizontal or vertical line no thicker than 1/300 of the page's
RULE_LENGTH = 10  # long side (at least 3 pixels; 0.9 mm on A4) and at least 10 times as long
#                   (9 mm on A4, 30 pixels at the least) is a rule or a frame, not text: it is not
#                   counted (table rules, underlines, form lines, the sides of a box; a letter's
#                   stem is thicker or shorter, and a black block such as a redaction bar is
#                   thick: it counts)
CELL = 8  # pixels: the ink is counted in cells of CELL x CELL
CELL_MIN_INK = 4  # dark pixels: a cell with fewer is paper (dust, a speck of 1-3 pixels)
REACH = 2  # cells: inked cells this close belong to one patch (the letters of a word in small
#            print are never a whole cell apart, so a word is one patch, not letters under UNREAD_INK)
WORD_PAD = 3  # pixels around each word box that count as the word's (anti-aliased edges)
WORD_TALL = 6  # times the median word height: a box taller covers nothing (Tesseract gives such
#               boxes to noise and pictures; a heading six times the size of the text is rare)
PATCH_MIN_INK = 10  # dark pixels: smaller patches are not kept (a third of UNREAD_INK below)
MAX_PATCHES = 256  # patches kept per page (the largest); a page with more is not fully read
INK_FORMAT = (f"ink/2 {PAPER_MIN} {INK_CONTRAST} {PAPER_BLOCK} {PAPER_REACH} {RULE_THICK} {RULE_LENGTH} {CELL} "
              f"{CELL_MIN_INK} {REACH} {WORD_PAD} {WORD_TALL} {PATCH_MIN_INK} {MAX_PATCHES}")

# The decision, made at every build from the cached measurement.
UNREAD_INK = 30  # dark pixels: a patch of ink outside every word with this much is text (or a
#                  picture) Tesseract did not read. Measured on the pages tests/test_intake_ocr.py
#                  makes: clean English and Persian print, a ruled page, a photocopied one (turned,
#                  blurred, specked, a JPEG), an unevenly lit one and the sample case's diagram
#                  (framed boxes) leave no patch of 10 pixels outside their words; a line in
#                  8-pixel print that Tesseract misses leaves 258, in 10-pixel print 400,
#                  stretched 4 times 1,387, in grey 190 5,192, squashed to a fifth 86 (and two
#                  words at 5 and 12%).
MIN_CONFIDENCE = 30  # percent: a word read with less, over UNREAD_INK of ink, was not read
#                  (a squashed or stretched line comes out as words such as "ee", "<—_—" at 0-24%).
#                  Clean Persian print has correctly read words as low as 41% (Tesseract's Persian
#                  model rates itself low; clean English print reads at 94-97%), so the threshold
#                  stays under that.


def _level(hist: list, share: float) -> int:
    """The grey level under which `share` of the pixels lie."""
    need, seen = share * sum(hist), 0
    for value, count in enumerate(hist):
        seen += count
        if seen >= need:
            return value
    return 255


def _runs(mask, length: int):
    """The pixels of `mask` (0/255, mode L) that belong to a horizontal run of at least `length`;
    None when there is none."""
    from PIL import Image

    run = b"\xff" * length
    if mask.tobytes().find(run) < 0:  # most pages (a run across two rows is looked at below)
        return None
    w, h = mask.size
    wide = Image.new("L", (w + 1, h), 0)  # a column of paper ends every row: no run goes on into the next
    wide.paste(mask, (0, 0))
    data = wide.tobytes()
    out = bytearray(len(data))
    for m in re.finditer(run + b"\xff*", data):  # a literal prefix: searched fast
        out[m.start():m.end()] = b"\xff" * (m.end() - m.start())
    found = Image.frombytes("L", (w + 1, h), bytes(out)).crop((0, 0, w, h))
    return found if found.getbbox() else None


def _rules(mask):
    """The thin straight lines of `mask` (rules, underlines, frames: see RULE_THICK); None when
    there is none."""
    from PIL import Image, ImageChops

    thick = max(3, max(mask.size) // RULE_THICK)
    length = RULE_LENGTH * thick
    t = Image.Transpose.TRANSPOSE
    across = _runs(mask, length)
    if across is not None:  # without the parts thicker than a rule (a block: it counts)
        block = _runs(across.transpose(t), thick + 1)
        across = ImageChops.subtract(across, block.transpose(t)) if block is not None else across
    down = _runs(mask.transpose(t), length)
    if down is not None:
        down = down.transpose(t)
        block = _runs(down, thick + 1)
        down = ImageChops.subtract(down, block) if block is not None else down
    if across is None or down is None:
        return down if across is None else across
    return ImageChops.lighter(across, down)


_NEAR = range(-REACH, REACH + 1)


def ink(grey):
    """The ink of a page (mode L): 255 where a pixel is darker than the paper around it by
    INK_CONTRAST, 0 elsewhere. The paper's level is taken around each place (the lightest
    block means within PAPER_REACH), so a shadow or uneven light is paper, not ink."""
    from PIL import ImageChops, ImageFilter

    blocks = grey.reduce(PAPER_BLOCK)
    paper = blocks.filter(ImageFilter.MaxFilter(2 * PAPER_REACH + 1)).resize(grey.size, resample=0)
    return ImageChops.subtract(paper, grey).point([255 if v >= INK_CONTRAST else 0 for v in range(256)])


def measure(page: OcrPage, image: Path) -> OcrPage:
    """`page` with the measurement of the image Tesseract read: each word's ink, and the patches
    of ink outside every word box."""
    from PIL import Image, ImageChops, ImageDraw

    with Image.open(image) as img:
        grey = img.convert("L")
    w, h = grey.size
    if _level(grey.histogram(), 0.5) < PAPER_MIN:
        return page._replace(words=tuple(x._replace(ink=0) for x in page.words),
                             outside=(InkPatch(0, 0, w, h, w * h),), patches=1, dark=True)
    mask = ink(grey)
    rules = _rules(mask)
    if rules is not None:
        mask = ImageChops.subtract(mask, rules)
    words = tuple(x._replace(ink=mask.crop((x.left, x.top, x.right, x.bottom)).histogram()[255])
                  for x in page.words)
    draw = ImageDraw.Draw(mask)
    heights = sorted(x.bottom - x.top for x in page.words)
    tallest = WORD_TALL * heights[len(heights) // 2] if heights else 0
    for x in page.words:
        if x.bottom - x.top <= tallest:
            draw.rectangle((x.left - WORD_PAD, x.top - WORD_PAD, x.right + WORD_PAD, x.bottom + WORD_PAD), fill=0)
    cells_img = mask.reduce(CELL)
    cw = cells_img.width
    data = cells_img.tobytes()
    cells = {}
    for m in re.finditer(b"[^\x00]", data):
        n = round(data[m.start()] * CELL * CELL / 255)
        if n >= CELL_MIN_INK:
            cells[divmod(m.start(), cw)] = n  # (row, column)
    patches, seen = [], set()
    for start in sorted(cells):
        if start in seen:
            continue
        seen.add(start)
        stack, members = [start], []
        while stack:
            r, c = stack.pop()
            members.append((r, c))
            for q in ((r + dr, c + dc) for dr in _NEAR for dc in _NEAR):
                if q in cells and q not in seen:
                    seen.add(q)
                    stack.append(q)
        rows, cols = [m[0] for m in members], [m[1] for m in members]
        if sum(cells[m] for m in members) < PATCH_MIN_INK:
            continue
        patches.append(InkPatch(min(cols) * CELL, min(rows) * CELL, min(w, (max(cols) + 1) * CELL),
                                min(h, (max(rows) + 1) * CELL), sum(cells[m] for m in members)))
    patches.sort(key=lambda p: (-p.ink, p.top, p.left))
    return page._replace(words=words, outside=tuple(patches[:MAX_PATCHES]), patches=len(patches))


def _where(boxes, height: int) -> str:
    """Where on the page: "near the top", "in the middle", "near the foot" (each once, in order)."""
    parts = []
    for box in sorted(boxes, key=lambda b: b[1]):
        middle = (box[1] + box[3]) / 2 / max(height, 1)
        part = "near the top" if middle < 1 / 3 else "in the middle" if middle < 2 / 3 else "near the foot"
        if part not in parts:
            parts.append(part)
    return (", ".join(parts[:-1]) + " and " + parts[-1]) if len(parts) > 1 else parts[0]


def not_read(page: OcrPage) -> str:
    """Why the page was not fully read, from its cached measurement; "" when it was."""
    if page.dark:
        return "the image is not dark print on light paper, so nothing could measure what Tesseract missed"
    patches = [p for p in page.outside if p.ink >= UNREAD_INK]
    doubtful = [x for x in page.words if x.confidence < MIN_CONFIDENCE and x.ink >= UNREAD_INK]
    out = []
    if page.patches > len(page.outside):
        out.append(f"{page.patches} patches of ink outside the words Tesseract read")
    elif patches:
        out.append(f"ink outside the words Tesseract read, {_where(patches, page.height)} of the page")
    if doubtful:
        n = len(doubtful)
        out.append(f"{n} word{'s' if n != 1 else ''} read with less than {MIN_CONFIDENCE}% confidence, "
                   f"{_where(doubtful, page.height)} of the page")
    return "; ".join(out)


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
    for t, r, folder in zip(tasks, run_all(runs, jobs, progress), folders):
        try:
            r.check()
            pages.append(measure(parse_tsv(r.stdout, t.languages), folder / "page.png"))
        except CaseError as e:
            problems += e.problems
    if problems:
        raise CaseError(problems)
    return pages


def as_record(page: OcrPage) -> dict:
    return {"width": page.width, "height": page.height, "languages": page.languages,
            "lines": [list(line) for line in page.lines], "words": [list(x) for x in page.words],
            "outside": [list(p) for p in page.outside], "patches": page.patches, "dark": page.dark}


def from_record(r: dict) -> OcrPage:
    """The page as cached; a record without its measurement is refused (nothing could say the
    page was fully read)."""
    try:
        return OcrPage(int(r["width"]), int(r["height"]),
                       tuple(OcrLine(str(t), int(a), int(b), int(c), int(d)) for t, a, b, c, d in r["lines"]),
                       str(r["languages"]), tuple(OcrWord(*(int(v) for v in x)) for x in r["words"]),
                       tuple(InkPatch(*(int(v) for v in p)) for p in r["outside"]), int(r["patches"]),
                       bool(r["dark"]))
    except (KeyError, TypeError, ValueError) as e:
        raise fail("-", "cache", f"damaged OCR record: {e}")

