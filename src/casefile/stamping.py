"""Exhibit files inside the dossier: pages for PDFs, images, text and media; pypdf merge.

Reportlab lays out every page, including a reserved page for each page of a PDF exhibit
(with its stamps, footer and banner drawn in the margin bands). Afterwards the exhibit's
page content is merged *under* the reserved page, scaled to fit the content box, so a
stamp never hides the scan. Only page content is taken: an exhibit's links, JavaScript,
forms and attachments never reach the dossier.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import NameObject
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Paragraph, Spacer, XPreformatted

from .errors import fail

MAX_IMAGE_PIXELS = 60_000_000
PRINT_DPI = 200


def open_image(path: Path):
    """Open an image safely: decompression bombs are errors, not warnings."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(path)
            w, h = img.size
            if w * h > MAX_IMAGE_PIXELS:
                raise fail(path, "image", f"image too large ({w}×{h} = {w * h / 1e6:.0f} megapixels; "
                                          f"the limit is {MAX_IMAGE_PIXELS / 1e6:.0f})")
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise fail(path, "image", f"refused as a decompression bomb: {e}")
        except (OSError, SyntaxError, ValueError) as e:
            raise fail(path, "image", f"not a readable image: {e}")
    return img


def draw_image(c, path: Path, x: float, y: float, w: float, h: float):
    """Draw an image fitted (aspect kept) and centred in the box, at most PRINT_DPI."""
    img = open_image(path)
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    iw, ih = img.size
    scale = min(w / iw, h / ih)
    dw, dh = iw * scale, ih * scale
    max_px = (int(dw / 72 * PRINT_DPI), int(dh / 72 * PRINT_DPI))
    if iw > max_px[0] * 1.05:
        img = img.resize((max(max_px[0], 1), max(max_px[1], 1)))
    c.drawImage(ImageReader(img), x + (w - dw) / 2, y + (h - dh) / 2, dw, dh)


def file_flowables(ex, mk) -> list:
    """Flowables for every file of an exhibit, each file starting on a new page."""
    from .rendering import Anchor, FilePage, PageBreakIfNotTop

    st, s = mk.state, mk.s
    out = []
    for i, f in enumerate(ex.files, 1):
        key = f"{ex.number}-file{i}"
        title = f"{ex.number} file {i}: {f.path}"
        out += [PageBreakIfNotTop(), Anchor(key, title, 2, st)]
        if f.withheld:
            out += _placeholder(f, s, "Withheld from the public edition: this file is marked confidential.")
        elif f.kind == "pdf":
            out += [FilePage(ex.number, f, p, f.pages, st) for p in range(f.pages)]
        elif f.kind == "image":
            out.append(FilePage(ex.number, f, 0, 1, st))
        elif f.kind == "text":
            out.append(Paragraph(mk._text(f"{ex.number} · {f.path} (text file, as stored)"), s["small"]))
            text = f.abspath.read_text(encoding="utf-8", errors="replace")
            out.append(XPreformatted(mk._text(text), s["small"]))
        else:
            out += _placeholder(f, s, "This file cannot be printed. It is identified by its SHA-256 above; "
                                      "it is attached to this PDF only when built with --attach-media.")
        out.append(Anchor(key + "-end", None, 2, st))
    return out


def _placeholder(f, s, why: str) -> list:
    from xml.sax.saxutils import escape
    rows = [("File", f.path), ("Type", f.kind), ("Size", f"{f.size} bytes"), ("SHA-256", f.sha256),
            ("Description", f.description or "—")]
    out = [Spacer(1, 30), Paragraph("Exhibit file placeholder", s["h2"])]
    for k, v in rows:
        out.append(Paragraph(f"<b>{escape(k)}:</b> {escape(v)}", s["body"]))
    out.append(Paragraph(escape(why), s["note"]))
    return out


def pdf_page_count(path: Path) -> int:
    """Open a PDF exhibit and count its pages; any defect becomes a one-line error."""
    from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            raise fail(path, "pdf", "the PDF is encrypted; give a decrypted copy")
        n = len(reader.pages)
    except FileNotDecryptedError:
        raise fail(path, "pdf", "the PDF is encrypted; give a decrypted copy")
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError,
            IndexError, OSError) as e:
        raise fail(path, "pdf", f"not a readable PDF: {type(e).__name__}: {e}")
    if n == 0:
        raise fail(path, "pdf", "the PDF has no pages")
    return n


def merge_exhibit_pages(pdf: bytes, reserved: list, box: tuple) -> bytes:
    """Merge each reserved page's exhibit page under the dossier page, scaled into `box`."""
    if not reserved:
        return pdf
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    readers: dict[str, PdfReader] = {}
    bx, by, bw, bh = box
    for page_no, path, index in reserved:
        r = readers.get(path) or readers.setdefault(path, PdfReader(path, strict=False))
        src = r.pages[index]
        if src.rotation:  # (helper-3 owns the proper fix)
            src.transfer_rotation_to_content()
        if "/Annots" in src:
            del src[NameObject("/Annots")]
        mb = src.mediabox
        w, h = float(mb.width), float(mb.height)
        scale = min(bw / w, bh / h)
        tx = bx + (bw - w * scale) / 2 - float(mb.left) * scale
        ty = by + (bh - h * scale) / 2 - float(mb.bottom) * scale
        writer.pages[page_no - 1].merge_transformed_page(
            src, Transformation().scale(scale, scale).translate(tx, ty), over=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
