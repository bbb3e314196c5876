"""pypdf's internals, reached from this module only, each beside a plain way of doing the same
with pypdf's public API.

With the environment variable CASEFILE_PLAIN_PYPDF=1 every function here takes its plain way:
the dossiers are the same bytes (tests/test_fastpath_pypdf.py builds them both ways and compares),
only slower. Run against a newer pypdf, that test is where a change of these internals shows
first; if one breaks, the switch keeps casefile working until it is mended.

- `stored_bytes(stream)`: the bytes of a stream as stored in its file, still encoded. Copying an
  exhibit page copies its content, images and fonts as stored (nothing decoded, nothing re-
  encoded: what the court sees is the exhibit's own bytes). pypdf holds them in `stream._data`
  and has no public accessor (`get_data()` decodes); the plain way cuts them out of what pypdf's
  public `write_to_stream` writes for the stream.
- `fonts_read_once()`: while a dossier's text is extracted for the leak check, each font object
  is read once instead of once for every page and form that uses it (pypdf's
  `Font.from_font_resource`, in the private module `pypdf.generic._font`). On a public dossier
  of 300 pages the leak check takes about a third of the time with it. The plain way reads every
  font every time.
"""

from __future__ import annotations

import contextlib
import io
import os

from pypdf.generic import StreamObject

PLAIN = os.environ.get("CASEFILE_PLAIN_PYPDF") == "1"


def stored_bytes(stream: StreamObject) -> bytes:
    """The bytes `stream` holds as stored in its file (encoded by its /Filter, if any)."""
    if not PLAIN:
        return stream._data
    return _written_bytes(stream)


_END = b"\nendstream"  # how pypdf ends a stream it writes


def _written_bytes(stream: StreamObject) -> bytes:
    """`stream`'s stored bytes through the public API: pypdf writes it as its dictionary (with
    /Length set to the number of stored bytes) followed by the bytes; the same dictionary with
    /Length 0 and no bytes, written the same way, tells where the bytes start."""
    whole = io.BytesIO()
    stream.write_to_stream(whole)
    whole = whole.getvalue()
    empty = StreamObject()
    dict.update(empty, dict.items(stream))  # the same entries, as they are (no re-wrapping)
    head = io.BytesIO()
    empty.write_to_stream(head)
    head = head.getvalue()
    if not whole.endswith(_END) or not head.endswith(_END):
        raise RuntimeError("pypdf no longer writes a stream as its dictionary, the data and endstream")
    # len(whole) = len(head) + n + (digits of n) - 1, where n is the number of stored bytes
    extra = len(whole) - len(head)
    for digits in range(1, 21):
        n = extra - digits + 1
        if n >= 0 and len(str(n)) == digits:
            break
    else:
        raise RuntimeError("pypdf wrote a stream of an unexpected length")
    start = len(whole) - len(_END) - n
    return whole[start:start + n]


@contextlib.contextmanager
def fonts_read_once():
    """While extracting text, the same font object (same PDF, same object number) gives the
    same reading: read once. Nested uses and the plain way change nothing."""
    try:
        from pypdf.generic._font import Font
        original = Font.__dict__["from_font_resource"].__func__
    except (ImportError, KeyError, AttributeError):  # pypdf has moved it: only slower
        original = None
    if PLAIN or original is None or getattr(original, "reads_once", False):
        yield
        return
    cache: dict = {}

    def read(cls, font_dict):
        ref = getattr(font_dict, "indirect_reference", None)
        if ref is None:
            return original(cls, font_dict)
        key = (id(ref.pdf), ref.idnum, ref.generation)
        if key not in cache:
            cache[key] = original(cls, font_dict)
        return cache[key]

    read.reads_once = True
    Font.from_font_resource = classmethod(read)
    try:
        yield
    finally:
        Font.from_font_resource = classmethod(original)
