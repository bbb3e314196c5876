"""Image exhibits opened safely: too many pixels refused from the header, EXIF orientation and
transparency made printable."""

from __future__ import annotations

import warnings
from pathlib import Path

from casefile.errors import fail
from casefile.pdf.limits import MAX_IMAGE_PIXELS, error_text


def open_image(path: Path, fit: tuple[int, int] | None = None, data: bytes | None = None, frame: int = 0):
    """Open an image safely and decode frame `frame` (a page of a multi-page TIFF): too many
    pixels is refused from the header alone, before anything is decoded. `fit` lets a JPEG
    decode at a reduced scale (draft mode). `data`: the file's bytes, read once by the caller."""
    import io

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            Image.MAX_IMAGE_PIXELS = None  # only while the header is read: the check is ours, below
            try:
                img = Image.open(io.BytesIO(data) if data is not None else path)
            finally:
                Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow's own guard stays on otherwise
            if frame:
                img.seek(frame)
            w, h = img.size
            if w * h > MAX_IMAGE_PIXELS:
                img.close()
                raise fail(path, "image", f"image too large ({w}×{h} = {w * h / 1e6:.0f} megapixels; the limit "
                                          f"is {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels); refused before decoding")
            if fit and img.format == "JPEG":
                img.draft("RGB" if img.mode not in ("L", "1") else "L", fit)
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise fail(path, "image", f"refused as a decompression bomb: {e}")
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as e:
            raise fail(path, "image", f"not a readable image: {type(e).__name__}: {error_text(e)}")
    return img


EXIF_ORIENTATION = 0x0112
# EXIF orientation -> degrees the stored image is turned clockwise to be upright (mirrored ones: None)
UPRIGHT_TURN = {1: 0, 3: 180, 6: 90, 8: 270}


def image_facts(img) -> tuple[str, tuple[int, int], int | None]:
    """(format, upright size in pixels, clockwise turn that makes it upright, or None when the
    EXIF orientation also mirrors it) of an opened image."""
    try:
        orientation = int(img.getexif().get(EXIF_ORIENTATION, 1) or 1)
    except Exception:  # a broken EXIF block: as stored
        orientation = 1
    turn = UPRIGHT_TURN.get(orientation, None if orientation in (2, 4, 5, 7) else 0)
    w, h = img.size
    upright = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    return img.format or "", upright, turn


def frame_sizes(path: Path, data: bytes | None = None) -> list[tuple[int, int]]:
    """The upright size in pixels of every frame of an image, each frame opened and checked as
    `open_image` checks the first: every frame of a multi-page TIFF (or of any image with
    several frames) becomes a page of the dossier, never only the first."""
    img = open_image(path, data=data)
    try:
        n = getattr(img, "n_frames", 1) or 1
        sizes = [image_facts(img)[1]]
    finally:
        img.close()
    for k in range(1, n):
        frame = open_image(path, data=data, frame=k)
        try:
            sizes.append(image_facts(frame)[1])
        finally:
            frame.close()
    return sizes


def printable(img):
    """RGB or L, upright (EXIF orientation applied), transparency flattened onto white."""
    from PIL import Image, ImageOps

    try:
        img = ImageOps.exif_transpose(img)
    except Exception:  # a broken EXIF block: keep the stored orientation
        pass
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        bg = Image.new("RGB", rgba.size, (255, 255, 255))
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    if img.mode == "1":
        return img.convert("L")
    if img.mode.startswith("I") or img.mode == "F":  # 16/32-bit grey: scale to 8 bits, not clip
        lo, hi = img.convert("F").getextrema()
        if img.mode.startswith("I;16") or (img.mode != "F" and lo >= 0 and hi <= 65535):
            lo, hi = 0, 65535
        span = (hi - lo) or 1
        return img.convert("F").point(lambda v: (v - lo) * 255 / span).convert("L")
    if img.mode not in ("RGB", "L"):
        return img.convert("RGB")
    return img


