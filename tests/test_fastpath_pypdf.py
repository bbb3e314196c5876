"""pypdf's internals are reached from casefile.pdf.fastpath only, each beside a plain way through
pypdf's public API (CASEFILE_PLAIN_PYPDF=1): both ways give the same dossier, byte for byte,
and the same text to the leak check."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import StreamObject
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from casefile.pdf import fastpath
from casefile.pdf.leakcheck import extract_everything
from conftest import run


def reportlab_pdf(label: str, pages: int = 2) -> bytes:
    """Flate-compressed content, a JPEG image (DCTDecode) and a standard font."""
    jpeg = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 40, 40)).save(jpeg, "JPEG")
    jpeg.seek(0)
    from reportlab.lib.utils import ImageReader
    b = io.BytesIO()
    c = canvas.Canvas(b, pagesize=A4, invariant=1)
    for p in range(pages):
        c.setFont("Helvetica-Bold", 20)
        c.drawString(100, 700, f"{label} {p + 1}")
        c.drawImage(ImageReader(jpeg), 100, 400, 120, 80)
        c.showPage()
    c.save()
    return b.getvalue()


def filtered_pdf() -> bytes:
    """Hand-made: a page of two content streams, one ASCIIHex-encoded, one of Flate, a
    stream whose /Length is an indirect object, and stored bytes that contain "endstream"."""
    a = b"BT /F1 18 Tf 100 700 Td (HEX PART) Tj ET".hex().encode() + b">"
    z = zlib.compress(b"BT /F1 18 Tf 100 650 Td (FLATE PART endstream) Tj ET")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 5 0 R] "
            b"/Resources << /Font << /F1 6 0 R >> >> >>",
            b"<< /Length %d /Filter /ASCIIHexDecode >>\nstream\n" % len(a) + a + b"\nendstream",
            b"<< /Length 7 0 R /Filter /FlateDecode >>\nstream\n" + z + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", b"%d" % len(z)]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def compressed_objects_pdf() -> bytes:
    """Written by pypdf with object streams (compressed cross-reference and objects)."""
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(reportlab_pdf("OBJECT STREAMS", 1))))
    for page in w.pages:
        page.compress_content_streams()
    b = io.BytesIO()
    w.write(b)
    return b.getvalue()


def streams(data: bytes) -> list[StreamObject]:
    r = PdfReader(io.BytesIO(data))
    found = []
    for num in range(1, int(r.trailer["/Size"])):
        try:
            o = r.get_object(num)
        except Exception:
            continue
        if isinstance(o, StreamObject):
            found.append(o)
    return found


@pytest.mark.parametrize("make", [lambda: reportlab_pdf("STORED"), filtered_pdf, compressed_objects_pdf])
def test_stored_bytes_are_the_same_both_ways(make, monkeypatch):
    data = make()
    found = streams(data)
    assert len(found) >= 2
    for s in found:
        monkeypatch.setattr(fastpath, "PLAIN", False)
        fast = fastpath.stored_bytes(s)
        monkeypatch.setattr(fastpath, "PLAIN", True)
        plain = fastpath.stored_bytes(s)
        assert plain == fast
        assert plain in data  # as the file stores it


def test_stored_bytes_are_what_the_file_stores(monkeypatch):
    monkeypatch.setattr(fastpath, "PLAIN", True)
    data = filtered_pdf()
    got = sorted(fastpath.stored_bytes(s) for s in streams(data))
    z = zlib.compress(b"BT /F1 18 Tf 100 650 Td (FLATE PART endstream) Tj ET")
    assert z in got and b"BT /F1 18 Tf 100 700 Td (HEX PART) Tj ET".hex().encode() + b">" in got


def build_bytes(workspace) -> bytes:
    code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", "--force", root=workspace.path)
    assert code == 0, err + out
    return (workspace.path / "out/demo/confidential/alpha.pdf").read_bytes()


def test_a_dossier_with_exhibit_pdfs_is_the_same_bytes_both_ways(workspace, monkeypatch):
    files = {"scan.pdf": reportlab_pdf("SCANNED PAGE", 3), "hand.pdf": filtered_pdf(),
             "packed.pdf": compressed_objects_pdf()}
    for name, data in files.items():
        workspace.write(f"exhibits/demo/{name}", data)
    workspace.item("a1", extra="exhibits:\n" + "".join(f"  - file: {n}\n" for n in files))
    monkeypatch.setattr(fastpath, "PLAIN", False)
    fast = build_bytes(workspace)
    monkeypatch.setattr(fastpath, "PLAIN", True)
    plain = build_bytes(workspace)
    assert plain == fast
    text = " ".join(t for _, t in extract_everything(fast))
    assert "SCANNED PAGE 3" in text and "HEX PART" in text and "FLATE PART" in text and "OBJECT STREAMS" in text


def test_the_leak_check_reads_the_same_text_both_ways(workspace, monkeypatch):
    workspace.item("a1", body="Words in the body, and a name: Secretname Hidden.\n\nمتن فارسی با نام.")
    workspace.item("a2", date="1988-09", body="More words on another page.")
    pdf = build_bytes(workspace)
    monkeypatch.setattr(fastpath, "PLAIN", False)
    fast = extract_everything(pdf)
    monkeypatch.setattr(fastpath, "PLAIN", True)
    plain = extract_everything(pdf)
    assert plain == fast
    assert "Secretname" in " ".join(t for _, t in fast)
