"""pypdf and Pillow within casefile's limits: decompression limits, quiet logs, and one problem
line for whatever a damaged or hostile file makes the library raise."""

from __future__ import annotations

import contextlib
import logging
import warnings
import zlib
from pathlib import Path

from casefile.errors import CaseError, fail

MAX_IMAGE_PIXELS = 60_000_000  # pixels of an image exhibit (or of an image inside an exhibit PDF)
PRINT_DPI = 200
MAX_STREAM_BYTES = 50_000_000  # one decoded content stream of an exhibit PDF
MAX_PAGE_BYTES = 50_000_000  # all decoded content streams of one exhibit page together
MAX_FILE_BYTES = 500_000_000  # all decoded content of one exhibit PDF (checked at inspection)
MAX_OBJECTS = 500_000  # objects copied from one exhibit PDF


# ------------------------------------------------------------------ pypdf, quietly and within limits

_LIMITS_ON = [0]


@contextlib.contextmanager
def pdf_limits():
    """pypdf with casefile's decompression limits, and its log warnings silenced (a damaged file
    is reported once, as a problem line, never as log noise). Nested uses cost nothing."""
    if _LIMITS_ON[0]:
        yield
        return
    _LIMITS_ON[0] += 1
    try:
        with _pdf_limits():
            yield
    finally:
        _LIMITS_ON[0] -= 1


@contextlib.contextmanager
def _pdf_limits():
    from pypdf import apply_configuration

    log = logging.getLogger("pypdf")
    old_disabled = log.disabled
    log.disabled = True
    limits = dict(zlib_maximum_output_length=MAX_STREAM_BYTES,
                  lzw_maximum_output_length=MAX_STREAM_BYTES,
                  run_length_maximum_output_length=MAX_STREAM_BYTES,
                  array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
                  jbig2_maximum_output_length=MAX_STREAM_BYTES,
                  brotli_maximum_output_length=MAX_STREAM_BYTES,
                  image_maximum_buffer_size=MAX_STREAM_BYTES)
    try:  # (a pypdf that drops one of these limits fails here, loudly, rather than read without it)
        with warnings.catch_warnings(), apply_configuration(**limits):
            warnings.simplefilter("ignore")
            yield
    finally:
        log.disabled = old_disabled


def guard(path: Path, fn, page: int | None = None):
    """Run fn; turn whatever pypdf (or a hostile file) raises into one problem line."""
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PdfReadError, PyPdfError

    where = f"page {page}: " if page else ""
    try:
        return fn()
    except CaseError:
        raise
    except FileNotDecryptedError:
        raise fail(path, "pdf", "the PDF is encrypted; give a decrypted copy")
    except LimitReachedError:
        raise fail(path, "pdf", f"{where}refused as a decompression bomb (a stream inflates beyond "
                                f"{MAX_STREAM_BYTES // 1_000_000} MB)")
    except RecursionError:
        raise fail(path, "pdf", f"{where}not a readable PDF: objects nested too deeply or in a loop")
    except MemoryError:
        raise fail(path, "pdf", f"{where}not a readable PDF: it needs too much memory")
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            AssertionError, zlib.error, ArithmeticError) as e:
        if "cyclic" in str(e).lower() or "loop" in str(e).lower():
            raise fail(path, "pdf", f"{where}not a readable PDF: the page tree has a loop")
        raise fail(path, "pdf", f"{where}not a readable PDF: {type(e).__name__}: {error_text(e)}")


def error_text(e) -> str:
    return " ".join(str(e).split())[:200] or "no detail"


