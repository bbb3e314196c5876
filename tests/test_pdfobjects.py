"""The fast object reader (casefile.pdf.pdfobjects) gives exactly what pypdf gives, or leaves the
object to pypdf: every object of a set of files is read both ways and compared, type by type.
The files are made here: reportlab and pypdf output, exhibits with annotations and actions, and
hand-made objects in every shape the fast path must read or must refuse."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, IndirectObject, StreamObject

from casefile.pdf.pdfobjects import ExhibitReader
from casefile.pdf.limits import pdf_limits
from test_exhibit_files import active_pdf, annotated_pdf, build, exhibit_item, make_pdf, raw_pdf, rotated_pdf


def same(a, b) -> str | None:
    """None if a and b are the same pypdf object (classes and values, recursively)."""
    if type(a) is not type(b):
        return f"{type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, IndirectObject):
        return None if (a.idnum, a.generation) == (b.idnum, b.generation) else f"{a!r} vs {b!r}"
    if isinstance(a, StreamObject) and a._data != b._data:
        return "stream data"
    if isinstance(a, DictionaryObject):
        if list(a.keys()) != list(b.keys()):
            return f"keys {list(a.keys())} vs {list(b.keys())}"
        for k in a:
            r = same(dict.__getitem__(a, k), dict.__getitem__(b, k))
            if r:
                return f"{k}: {r}"
        return None
    if isinstance(a, ArrayObject):
        if len(a) != len(b):
            return "length"
        return next((r for r in map(same, a, b) if r), None)
    if isinstance(a, FloatObject):
        return None if repr(a) == repr(b) else f"{a!r} vs {b!r}"
    return None if a == b else f"{a!r} vs {b!r}"


def compare(data: bytes) -> tuple[int, int]:
    """(objects, objects read by the fast path); fails on the first difference."""
    with pdf_limits():
        slow, fast = PdfReader(io.BytesIO(data), strict=False), ExhibitReader(data)
        total = quick = 0
        for gen, entries in slow.xref.items():
            for num in sorted(entries):
                total += 1
                got = fast._fast(num, gen)
                if got is None:
                    continue
                quick += 1
                try:
                    want = slow.get_object(IndirectObject(num, gen, slow))
                except Exception as e:  # then the fast reader must refuse it too
                    with pytest.raises(type(e)):
                        ExhibitReader(data).get_object(IndirectObject(num, gen, None))
                    continue
                diff = same(got, want)
                assert diff is None, f"object {num} {gen}: {diff}"
        return total, quick


def fast_result(body: bytes):
    """What the fast path makes of `body` as object 4 of a small file (None: left to pypdf)."""
    data = raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", body, b"12"])
    compare(data)  # whatever it reads, it reads as pypdf does
    with pdf_limits():
        return ExhibitReader(data)._fast(4, 0)


def test_generated_files_read_as_pypdf_reads_them():
    files = [make_pdf(["ONE", "TWO"]), make_pdf(["SCAN"], fill=(0.9, 0.9, 0.8), corner=True),
             rotated_pdf("ROT", 90), active_pdf("ACTIVE"), annotated_pdf()]
    total = quick = 0
    for data in files:
        t, q = compare(data)
        total, quick = total + t, quick + q
    assert quick > 0.9 * total  # the fast path does read nearly all of them


def test_rendered_dossier_reads_as_pypdf_reads_it(workspace):
    """A whole dossier (embedded fonts, copied exhibit pages and their appearances, outline,
    attached manifest) as the input."""
    workspace.write("exhibits/demo/a.pdf", annotated_pdf())
    workspace.write("exhibits/demo/b.pdf", rotated_pdf("B"))
    exhibit_item(workspace, "a1", ["a.pdf", "b.pdf"])
    total, quick = compare(build(workspace).read_bytes())
    assert total > 50 and quick > 0.9 * total


@pytest.mark.parametrize("body", [
    b"<< /A 1 /B -2 /C +3 /D 4.5 /E -.5 /F 5. /G true /H false /I null /J /Name >>",
    b"<< /K [1 0 R 2 0 R] /L [0 0 612 792] /M [[1 2] [3 [4 [5]]]] /N << /O << /P 1 >> >> >>",
    b"<</A/B/C[/D/E]/F<</G 1>>>>",
    b"<< /A 1 0 R /B 10   0   R /C [1 0 R/X] >>",
    b"[ 1 2 3 ]", b"42", b"-3.25", b"/JustAName", b"true", b"null", b"[]", b"<<>>",
])
def test_plain_shapes_are_read_fast(body):
    assert fast_result(body) is not None


@pytest.mark.parametrize("body", [
    b"<< /A (a literal (nested) string \\) with escapes\\n) /B <48656c6c6f> /C (\xfe\xff\x00A) >>",
    b"[ (x) <41> () <> ]",
])
def test_strings_are_read_by_pypdf_inside_fast_objects(body):
    assert fast_result(body) is not None


@pytest.mark.parametrize("body", [
    b"<< /A 1 % a comment\n /B 2 >>",  # comments
    b"<< /A#20B 1 >>",  # a name with an escape
    b"<< /A 1 /A 2 >>",  # a duplicate key
    b"<< /A 1 /B >>",  # a key without its value
    b"<< 1 2 >>",  # a key that is not a name
    b"<< /A 1 >",  # a broken end
    b"[ 1 2 ",  # an array never closed
    b"<< /A 12345678901234567890123 >>",  # a number longer than pypdf's look-ahead
    b"<< /A [" * 80 + b"]>>" * 80,  # nesting deeper than the fast path goes
    b"<< /Length 5 >>\nstream\nabcdefgh\nendstream",  # a wrong length
    b"<< /Length 4 0 R >>\nstream\nabc\nendstream",  # a length that leads back to the stream
    b"<< /Length 3 >>\nstreamX\nabc\nendstream",  # "stream" without an end of line
    b"<< /A << /Length 3 >>\nstream\nabc\nendstream >>",
])
def test_odd_shapes_are_left_to_pypdf(body):
    assert fast_result(body) is None


def test_streams_with_direct_and_indirect_lengths():
    s = fast_result(b"<< /Length 3 /Filter /FlateDecode >>\nstream\r\nabc\nendstream")
    assert s is not None and s._data == b"abc" and "/Length" not in s
    s = fast_result(b"<< /Length 5 0 R >>\nstream\nabc\r\nendstream")  # object 5 is "12"... too long
    assert s is None
    data = raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>",
                    b"<< /Length 4 0 R >>\nstream\nabc\nendstream", b"3"])
    compare(data)
    with pdf_limits():
        s = ExhibitReader(data)._fast(3, 0)
    assert s is not None and s._data == b"abc"


TOKENS = st.sampled_from([b"/A", b"/Bc", b"/Type", b"1", b"-2", b"+3", b"4.5", b".5", b"6.", b"0",
                          b"1 0 R", b"12 0 R", b"true", b"false", b"null", b"(s)", b"(a\\)b)", b"<41>",
                          b"[", b"]", b"<<", b">>", b" ", b"\n", b"\r\n", b"%c\n", b"/A#42", b",", b"1,2"])


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=30))
def test_any_token_soup_is_read_as_pypdf_reads_it_or_left_to_it(tokens):
    """Random sequences of tokens, balanced or not, as an object: `compare` fails if the fast
    path ever builds something pypdf would not."""
    body = b" ".join(tokens) or b"null"
    if b"endobj" in body or b"stream" in body:
        return
    fast_result(body)
