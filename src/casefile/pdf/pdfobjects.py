"""Reading the objects of an exhibit PDF quickly.

pypdf parses a PDF object one byte at a time through a file-like object; for the pages of an
exhibit (page dictionaries, resources, fonts, image and content stream dictionaries) that is
most of the cost of copying them into a dossier. `ExhibitReader` is a pypdf `PdfReader` whose
`get_object` first tries a regular-expression parser over the file's bytes for an object stored
plainly at its cross-reference offset, and otherwise (and for any token or shape it does not
handle exactly as pypdf would) leaves the object to pypdf.

The fast path builds the same pypdf objects pypdf builds (same classes, same values), so what
is copied into the dossier is byte for byte what pypdf alone gives; `tests/test_pdfobjects.py`
compares both on every object of a set of files. It never decodes a stream and never resolves
a reference except a stream's `/Length`. It gives up on: comments, a name with `#` escapes or
bytes outside printable ASCII, more elements than pypdf's limits allow, nesting deeper than
`_MAX_DEPTH`, a stream whose length or `endstream` is not exactly where declared, a duplicate
dictionary key, an object number or generation that does not match the cross-reference table,
objects inside object streams and encrypted files. Literal and hexadecimal strings are read by
pypdf's own `read_object` at their position (their escapes and encodings are pypdf's business).
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf._configuration import get_configuration
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    read_object,
)

_MAX_DEPTH = 64

# pypdf's whitespace (read_non_whitespace)
_WS = re.compile(rb"[\x00\t\n\x0c\r ]*")
_HEADER = re.compile(rb"[\x00\t\n\x0c\r ]*(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]*obj[\x00\t\n\x0c\r ]*")
# pypdf's read_object_header on "12 0 obj": the position after it is the next non-whitespace
_PLAIN_HEADER = re.compile(rb"(\d{1,20}) (\d{1,20}) obj[\x00\t\n\x0c\r ]*")
_STREAM = re.compile(rb"stream *(\r\n|\r|\n)")
_ENDSTREAM = re.compile(rb"[\x00\t\n\x0c\r ]*endstream")


class _GiveUp(Exception):
    """Not a shape the fast path reads exactly as pypdf would: pypdf reads the object."""


class ExhibitReader(PdfReader):
    """A `PdfReader` with a fast path for plainly stored objects (see the module docstring)."""

    def __init__(self, data: bytes):
        self._data = data
        self._started = False  # pypdf reads the trailer and /Encrypt while it starts: no fast path
        self._fast_active: set = set()
        super().__init__(io.BytesIO(data), strict=False)  # BytesIO shares `data`, no copy
        self._started = True

    def get_object(self, indirect_reference):
        if isinstance(indirect_reference, int):
            indirect_reference = IndirectObject(indirect_reference, 0, self)
        gen, num = indirect_reference.generation, indirect_reference.idnum
        key = (gen, num)
        if key in self.resolved_objects:
            return self.resolved_objects[key]
        obj = self._fast(num, gen)
        if obj is not None:
            self.cache_indirect_object(gen, num, obj)
            return obj
        return super().get_object(indirect_reference)

    def read_object_header(self, stream):
        """pypdf's, for the usual shape "12 0 obj" at the position; anything else is pypdf's."""
        m = _PLAIN_HEADER.match(self._data, stream.tell())
        if m is None:
            return super().read_object_header(stream)
        stream.seek(m.end())
        return int(m.group(1)), int(m.group(2))

    def _fast(self, num: int, gen: int):
        data = self._data
        if not self._started or self._encryption is not None or (gen == 0 and num in self.xref_objStm):
            return None
        offsets = self.xref.get(gen)
        if not offsets or num not in offsets or self.xref_free_entry.get(gen, {}).get(num, False):
            return None
        if (num, gen) in self._fast_active:  # a /Length that leads back here: pypdf reports the loop
            return None
        m = _HEADER.match(data, offsets[num])
        if m is None or int(m.group(1)) != num or int(m.group(2)) != gen:
            return None
        self._fast_active.add((num, gen))
        try:
            obj = _parse(self, data, m.end())
        except Exception:  # _GiveUp, or a token pypdf would refuse too: pypdf reads it and says why
            return None
        finally:
            self._fast_active.discard((num, gen))
        return obj


# One token at a position, after pypdf's whitespace; `m.lastindex` tells which:
#   1 a name: printable ASCII other than delimiters and '#', followed by a delimiter or the end
#   2 a reference (pypdf's IndirectPattern; 3 and 4 its numbers), 5 a number as pypdf reads
#     one: a digit, sign or point, then its NumberPattern's characters (sic: in "+-." the "-"
#     makes a range, so a comma is one of them)
#   6 "<<", 7 ">>", 8 "[", 9 "]", 10 a literal or hexadecimal string (pypdf reads it),
#   11 true, 12 false, 13 null
_TOKEN = re.compile(rb"""[\x00\t\n\x0c\r ]*(?:
    /([!"$&'*+,\-.0-9:;=?@A-Z\\^_`a-z|~]*)(?=[\s()<>\[\]{}/%]|\Z)
  | ([+-]?(\d+)\s+(\d+)\s+R(?=[^a-zA-Z]))
  | ([+\-.0-9][+-.0-9]*)
  | (<<) | (>>) | (\[) | (\]) | ([(<])
  | (true) | (false) | (null)
)""", re.X)
_NAMES: dict = {}  # name bytes -> "/Name"


def _parse(reader: ExhibitReader, data: bytes, pos: int):
    """The object starting at pos, built with an explicit stack (no recursion)."""
    config = get_configuration()
    max_array, max_dict = config.array_maximum_element_count, config.dictionary_maximum_element_count
    match, names = _TOKEN.match, _NAMES
    stack: list = []
    cur = None  # the open container (a dict of entries, or an ArrayObject); None: top level
    is_dict, key, left = False, None, 0
    while True:
        m = match(data, pos)
        if m is None:
            raise _GiveUp
        g = m.lastindex
        pos = m.end()
        if g == 1:
            raw = m.group(1)
            name = names.get(raw)
            if name is None:
                if len(names) > 20_000:  # (a file full of distinct names must not grow it for ever)
                    names.clear()
                name = names[raw] = "/" + raw.decode("ascii")
            v = NameObject(name)
            if is_dict and key is None:  # a key
                if v in cur:
                    raise _GiveUp  # a duplicate key: pypdf warns and keeps the first
                left -= 1
                if left < 0:
                    raise _GiveUp
                key = v
                continue
        elif g == 2:
            if pos + 1 - m.start(2) > 20:  # pypdf looks 20 bytes ahead
                raise _GiveUp
            v = IndirectObject(int(data[m.start(2):m.end(3)]), int(m.group(4)), reader)
        elif g == 5:
            tok = m.group(5)
            # pypdf reads a number within 20 bytes; a longer one, or one that runs to the end of
            # the file, it reads another way
            if len(tok) >= 20 or pos >= len(data):
                raise _GiveUp
            v = FloatObject(tok) if b"." in tok else NumberObject(tok)
        elif g == 6 or g == 8:
            if (is_dict and key is None) or len(stack) >= _MAX_DEPTH:
                raise _GiveUp
            stack.append((cur, is_dict, key, left))
            if g == 6:
                cur, is_dict, key, left = {}, True, None, max_dict
            else:
                cur, is_dict, key, left = ArrayObject(), False, None, max_array
            continue
        elif g == 7:
            if not is_dict or key is not None:
                raise _GiveUp
            entries = cur
            cur, is_dict, key, left = stack.pop()
            after = _WS.match(data, pos).end()
            if data.startswith(b"stream", after):
                if cur is not None:
                    raise _GiveUp  # a stream inside an object
                return _stream(reader, data, entries, after, config.maximum_declared_stream_length)
            v = DictionaryObject()
            v.update(entries)
        elif g == 9:
            if is_dict or cur is None:
                raise _GiveUp
            v = cur
            cur, is_dict, key, left = stack.pop()
        elif g == 10:
            if is_dict and key is None:
                raise _GiveUp
            stream = reader.stream
            stream.seek(m.start(10))
            v = read_object(stream, reader)
            pos = stream.tell()
        elif g == 11:
            v = BooleanObject(True)
        elif g == 12:
            v = BooleanObject(False)
        else:
            v = NullObject()
        if cur is None:
            if g == 2:
                raise _GiveUp  # an object that is only a reference: pypdf refuses it
            return v
        if is_dict:
            if key is None:
                raise _GiveUp  # a key that is not a name
            cur[key] = v
            key = None
        else:
            left -= 1
            if left < 0:
                raise _GiveUp
            cur.append(v)


def _stream(reader: ExhibitReader, data: bytes, entries: dict, after: int, max_length: int):
    m = _STREAM.match(data, after)
    if m is None:
        raise _GiveUp  # "stream" without its end of line: pypdf refuses it
    start = m.end()
    length = entries.get("/Length")
    if isinstance(length, IndirectObject):
        length = reader.get_object(length)
    if type(length) is not NumberObject or length < 0 or length > max_length:
        raise _GiveUp
    end = start + length
    if end > len(data) or _ENDSTREAM.match(data, end) is None:
        raise _GiveUp
    s = EncodedStreamObject() if "/Filter" in entries else DecodedStreamObject()
    s._data = data[start:end]
    del entries["/Length"]
    s.update(entries)
    return s
