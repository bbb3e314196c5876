"""Converted exhibits (intake/office.py, mail.py, web.py, tables.py; typeset/renditions.py): a
Word document, an e-mail with a PDF and an image attached, a web capture and a CSV table each
become stamped pages with their text; the annex, the manifest and `verify --root` keep the
original's hash and record the rendition's; a rebuild converts nothing and is byte-identical.
Every file is made here, with fictional names only."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from casefile.typeset.rtl import FONT_DIR
from conftest import counting_tool, norm, pages_text, run

OUT = "out/demo/confidential/alpha.pdf"
FONT = str(FONT_DIR / "Vazirmatn-Regular.ttf")


def make_docx(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Letter of the fictional clerk Bruno Sample", 1)
    for p in paragraphs:
        d.add_paragraph(p)
    b = io.BytesIO()
    d.save(b)
    return b.getvalue()


def small_pdf(text: str) -> bytes:
    b = io.BytesIO()
    c = canvas.Canvas(b, invariant=1)
    c.drawString(100, 700, text)
    c.showPage()
    c.save()
    return b.getvalue()


def text_png(text: str) -> bytes:
    img = Image.new("L", (1400, 300), 255)
    ImageDraw.Draw(img).text((60, 110), text, font=ImageFont.truetype(FONT, 52), fill=0)
    b = io.BytesIO()
    img.save(b, format="PNG")
    return b.getvalue()


def make_email(attachments=(), subject="Report on the Northtown meeting", body="Dear Office,\n\nthe report "
               "is attached.\n\nAnna Example") -> bytes:
    m = EmailMessage()
    m["From"] = "Anna Example <anna@example.invalid>"
    m["To"] = "Northtown Office <office@example.invalid>"
    m["Cc"] = "clerk@example.invalid"
    m["Date"] = "Sat, 03 Mar 2001 10:00:00 +0000"
    m["Subject"] = subject
    m["Message-ID"] = "<fictional-1@example.invalid>"
    m.set_content(body)
    m.add_alternative("<p>Dear Office, the <b>HTML</b> form.</p>", subtype="html")
    for name, ctype, data in attachments:
        main, sub = ctype.split("/")
        m.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return bytes(m)


def make_msg(subject: str, body: str, recipients, attachments, date=(2001, 3, 3, 10)) -> bytes:
    """An Outlook .msg (a compound file of MAPI properties, written with extract-msg's own OLE
    writer): sender, recipients (name, address, 1 to / 2 cc), subject, the submit time, a
    plain-text body, the transport headers and each attachment (name, type, bytes) by value."""
    import calendar
    import struct

    from extract_msg.ole_writer import OleWriter

    w = OleWriter()

    def u(text):
        return text.encode("utf-16-le")

    def stream(base, pid, data, kind=0x001F):  # a variable-length property: its stream, and its entry
        tag = (pid << 16) | kind
        w.addEntry(f"{base}__substg1.0_{tag:08X}", data)
        return struct.pack("<IIII", tag, 6, len(data) + (2 if kind == 0x001F else 0), 0)

    def fixed(tag, value):
        return struct.pack("<IIQ", tag, 6, value)

    sender = "Anna Example <anna@example.invalid>"
    to = ", ".join(f"{n} <{a}>" for n, a, t in recipients if t == 1)
    cc = ", ".join(a for n, a, t in recipients if t == 2)
    when = calendar.timegm((*date, 0, 0, 0, 0, 0))
    headers = (f"From: {sender}\r\nTo: {to}\r\nCc: {cc}\r\nDate: Sat, 03 Mar 2001 10:00:00 +0000\r\n"
               f"Subject: {subject}\r\nMessage-ID: <fictional-msg-1@example.invalid>\r\n\r\n")
    entries = b"".join(stream("", pid, u(text)) for pid, text in (
        (0x001A, "IPM.Note"), (0x0037, subject), (0x1000, body), (0x0C1A, "Anna Example"),
        (0x0C1F, "anna@example.invalid"), (0x0E04, to), (0x0E03, cc),
        (0x1035, "<fictional-msg-1@example.invalid>"), (0x007D, headers)))
    entries += fixed(0x00390040, (when + 11644473600) * 10_000_000)  # PR_CLIENT_SUBMIT_TIME, a FILETIME
    w.addEntry("__properties_version1.0", struct.pack("<8xIIII8x", len(recipients), len(attachments),
                                                      len(recipients), len(attachments)) + entries)
    w.addEntry("__nameid_version1.0", storage=True)
    for n in (2, 3, 4):
        w.addEntry(f"__nameid_version1.0/__substg1.0_000{n}0102", b"")
    for i, (name, address, kind) in enumerate(recipients):
        base = f"__recip_version1.0_#{i:08X}/"
        w.addEntry(base[:-1], storage=True)
        es = fixed(0x0C150003, kind) + b"".join(stream(base, pid, u(text)) for pid, text in (
            (0x3001, name), (0x3003, address), (0x39FE, address), (0x3002, "SMTP")))
        w.addEntry(base + "__properties_version1.0", b"\0" * 8 + es)
    for i, (name, ctype, data) in enumerate(attachments):
        base = f"__attach_version1.0_#{i:08X}/"
        w.addEntry(base[:-1], storage=True)
        es = fixed(0x37050003, 1) + stream(base, 0x3701, data, 0x0102) + b"".join(
            stream(base, pid, u(text)) for pid, text in ((0x3707, name), (0x3704, name[:8]), (0x370E, ctype)))
        w.addEntry(base + "__properties_version1.0", b"\0" * 8 + es)
    b = io.BytesIO()
    w.write(b)
    return b.getvalue()


def make_mhtml(html: str, parts=()) -> bytes:
    """A web page saved as a browser saves it (MHTML): multipart/related, the page first, then its
    parts (content type, Content-Location, bytes)."""
    from email.mime.multipart import MIMEMultipart
    from email.mime.nonmultipart import MIMENonMultipart

    m = MIMEMultipart("related", type="text/html")
    m["From"] = "<Saved by a browser>"
    m["Snapshot-Content-Location"] = "https://example.invalid/news/2"
    m["Subject"] = "Northtown news"
    m["Date"] = "Wed, 1 May 2024 09:30:00 -0000"
    page = MIMENonMultipart("text", "html", charset="utf-8")
    page.set_payload(html.encode("utf-8"), charset="utf-8")
    page["Content-Location"] = "https://example.invalid/news/2"
    m.attach(page)
    for ctype, location, data in parts:
        part = MIMENonMultipart(*ctype.split("/"))
        part.set_payload(data)
        from email import encoders

        encoders.encode_base64(part)
        part["Content-Location"] = location
        m.attach(part)
    return m.as_bytes()


PAGE = """<html><head><title>Northtown news</title>
<link rel="stylesheet" href="http://tracker.example/style.css"><script>document.write('SCRIPTTEXT')</script>
<style>body { background: url(http://tracker.example/bg.png) }</style></head>
<body><h1>Mayor speaks in Northtown</h1><p>The fictional mayor <a href="https://example.invalid/dora">Dora Mock</a>
spoke on Tuesday.</p><img src="file:///etc/passwd" alt="a photo of the square">
<iframe src="file:///etc/shadow">IFRAMETEXT</iframe><img src="http://tracker.example/pixel.gif">
<ul><li>First point of the speech</li><li>Second point</li></ul></body></html>"""


@pytest.fixture
def converted(workspace):
    workspace.write("exhibits/demo/letter.docx", make_docx(["The meeting in Northtown took place on 3 March 2001.",
                                                            "شاهد دوم در دادگاه سخن گفت"]))
    workspace.write("exhibits/demo/mail.eml", make_email([
        ("report.pdf", "application/pdf", small_pdf("Attached report of the Example Office")),
        ("photo.png", "image/png", text_png("Caption of the Northtown photo"))]))
    workspace.write("exhibits/demo/page.html", PAGE)
    workspace.write("exhibits/demo/people.csv", "name,place,date\nAnna Example,Northtown,2001-03-03\n"
                                                "Bruno Sample,Southtown,2001-03-04\n")
    workspace.item("a1", extra="exhibits:\n  - file: letter.docx\n  - file: mail.eml\n  - file: people.csv\n")
    workspace.item("a2", type="media", date="1988-09",
                   extra="url: https://example.invalid/news/1\ncaptured: 2024-05-01\nexhibits:\n  - file: page.html\n")
    return workspace


def file_pages(pdf: Path) -> dict[str, list[str]]:
    """The text of the pages of each exhibit file, by the file's path in the stamp."""
    out: dict = {}
    for text in pages_text(pdf):
        for line in [text]:
            if " · page " in line:
                name = line.split(" · page ")[0].rsplit(" · ", 1)[-1]
                out.setdefault(name, []).append(text)
    return out


def test_each_kind_becomes_stamped_pages_with_its_text(converted):
    code, out, err = run("build", root=converted.path)
    assert code == 0, err
    pages = file_pages(converted.path / OUT)
    letter = " ".join(pages["letter.docx"])
    assert "Letter of the fictional clerk Bruno Sample" in letter
    assert "The meeting in Northtown took place on 3 March 2001." in letter
    assert "شاهد دوم در دادگاه سخن گفت" in letter  # LibreOffice's own right-to-left text, logical order
    assert "EX-0001 · letter.docx · page 1 of 1" in letter
    mail = " ".join(pages["mail.eml"])
    for want in ("From Anna Example <anna@example.invalid>", "To Northtown Office <office@example.invalid>",
                 "Cc clerk@example.invalid", "Date Sat, 03 Mar 2001 10:00:00 +0000",
                 "Subject Report on the Northtown meeting", "Message ID <fictional-1@example.invalid>",
                 "Dear Office,", "the report is attached.", "report.pdf (application/pdf",
                 "Taken from the message's plain-text part."):
        assert want in mail, want
    assert "HTML" not in mail  # the plain-text form was chosen; the other form is not an attachment
    assert "Attached report of the Example Office" in " ".join(pages["mail.eml › report.pdf"])
    photo = " ".join(pages["mail.eml › photo.png"])
    assert "Caption of the Northtown photo" in photo and "text layer machine-read (OCR)" in photo
    web = " ".join(pages["page.html"])
    for want in ("Captured from https://example.invalid/news/1", "Captured on 2024-05-01", "Mayor speaks in Northtown",
                 "Dora Mock [https://example.invalid/dora] spoke on Tuesday.", "First point of the speech",
                 "[image: a photo of the square]", "without fetching anything",
                 "3 remote (never fetched), 2 local (file: or paths, never read)"):
        assert want in web, want
    assert "SCRIPTTEXT" not in web and "IFRAMETEXT" not in web and "root:" not in web
    table = " ".join(pages["people.csv"])
    assert "name place date Anna Example Northtown 2001-03-03 Bruno Sample Southtown 2001-03-04" in table
    # every rendition embeds its fonts (the dossier stays PDF/A): only the attached report.pdf,
    # made here with reportlab's Helvetica, is named by the warning, as the file it is
    renditions = list((converted.path / "out/.casefile-cache").rglob("*-pdf"))
    assert len(renditions) == 4
    for r in renditions:
        fonts = [f.get_object() for page in PdfReader(str(r)).pages
                 for f in (page["/Resources"].get("/Font") or {}).values()]
        assert fonts and all("/FontDescriptor" in f or "/DescendantFonts" in f for f in fonts), (r, fonts)
    noted = [line.split(":0:")[0] for line in out.splitlines() if "not embedded" in line]
    assert noted == ["exhibits/demo/mail.eml › report.pdf"] * 2, noted


def test_custody_of_the_original_and_the_rendition(converted):
    assert run("build", root=converted.path)[0] == 0
    pdf = converted.path / OUT
    manifest = json.loads(PdfReader(str(pdf)).attachments["casefile-manifest.json"][0])
    files = {f["path"]: f for e in manifest["exhibits"] for f in e.get("files", [])}
    docx_bytes = (converted.path / "exhibits/demo/letter.docx").read_bytes()
    letter = files["letter.docx"]
    assert letter["sha256"] == hashlib.sha256(docx_bytes).hexdigest() and letter["size"] == len(docx_bytes)
    cache = converted.path / "out/.casefile-cache"
    [rendition] = [p for p in cache.rglob("*-pdf") if hashlib.sha256(p.read_bytes()).hexdigest()
                   == letter["rendition"]["sha256"]]
    assert letter["rendition"]["size"] == rendition.stat().st_size
    assert letter["rendition"]["made_by"].startswith("LibreOffice ")
    assert files["mail.eml › report.pdf"]["part_of"] == "mail.eml"
    assert files["mail.eml › photo.png"]["machine_read_pages"] == [1]
    annex = pages_text(pdf)[-1]
    assert f"letter.docx — Word document, shown as a PDF made by LibreOffice" in annex
    assert letter["sha256"] in annex.replace(" ", "")
    code, out, err = run("verify", str(pdf), root=converted.path)
    assert code == 0, out + err
    assert f"ok EX-0001 exhibits/demo/mail.eml › report.pdf sha256 {files['mail.eml › report.pdf']['sha256']}" \
        in " ".join(out.split())
    # the original changed: verify says so (the rendition is not what it checks)
    (converted.path / "exhibits/demo/letter.docx").write_bytes(docx_bytes + b"\0")
    code, out, err = run("verify", str(pdf), root=converted.path)
    assert code == 1 and "changed  EX-0001  exhibits/demo/letter.docx" in out


def test_a_rebuild_converts_nothing_and_is_byte_identical(converted, tmp_path, monkeypatch):
    log = counting_tool(tmp_path / "bin", "soffice")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    code, out, err = run("build", root=converted.path)
    assert code == 0, err
    assert "exhibits/demo/letter.docx: converted to PDF by LibreOffice" in out
    conversions = [line for line in log.read_text().splitlines() if "--convert-to" in line]
    assert len(conversions) == 1
    first = {p: p.read_bytes() for p in (converted.path / "out").rglob("*.pdf") if ".casefile-cache" not in str(p)}
    code, out, err = run("build", "--force", root=converted.path)
    assert code == 0, err
    assert "converted" not in out and "set as a PDF" not in out and "OCR" not in out
    assert [line for line in log.read_text().splitlines() if "--convert-to" in line] == conversions
    assert {p: p.read_bytes() for p in first} == first
    # LibreOffice's dates and /ID are normalised: without the cache, the same dossiers again
    shutil.rmtree(converted.path / "out/.casefile-cache")
    assert run("build", "--force", root=converted.path)[0] == 0
    assert len([line for line in log.read_text().splitlines() if "--convert-to" in line]) == 2
    again = {p: p.read_bytes() for p in first}
    if again != first:  # say what differs first: the text, the manifest, or only the bytes
        for p in first:
            manifest = json.loads(PdfReader(str(p)).attachments["casefile-manifest.json"][0])
            was = json.loads(PdfReader(io.BytesIO(first[p])).attachments["casefile-manifest.json"][0])
            now_files = [f for e in manifest["exhibits"] for f in e.get("files", [])]
            was_files = [f for e in was["exhibits"] for f in e.get("files", [])]
            assert [(a["path"], k, a[k], b.get(k)) for a, b in zip(now_files, was_files) for k in a
                    if a[k] != b.get(k)] == []
            assert pages_text(p) == [norm(x.extract_text() or "") for x in PdfReader(io.BytesIO(first[p])).pages]
    assert again == first


def test_spreadsheets_are_refused_with_the_reason(workspace):
    workspace.write("exhibits/demo/book.xlsx", b"PK\x03\x04 not really")
    workspace.item("a1", extra="exhibits:\n  - file: book.xlsx\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 1
    assert ("exhibits/demo/book.xlsx:0: table: spreadsheets (.xlsx) are not converted: formulas, hidden sheets "
            "and cells cannot be shown faithfully; save each sheet as CSV and give the CSV files as exhibits "
            "(listed at cases/demo/evidence/a1.md:11)") in err.splitlines()


def test_an_outlook_message_and_a_saved_mhtml_page_become_pages_with_their_text(workspace):
    pdf_bytes = small_pdf("Minutes kept by the fictional clerk Bruno Sample")
    workspace.write("exhibits/demo/minutes.msg", make_msg(
        "Minutes of the Northtown meeting", "Dear Office,\r\n\r\nthe minutes are attached.\r\n\r\nAnna Example",
        [("Northtown Office", "office@example.invalid", 1), ("clerk@example.invalid", "clerk@example.invalid", 2)],
        [("minutes.pdf", "application/pdf", pdf_bytes)]))
    page = ("<html><body><h1>Council meets in Northtown</h1><p>The fictional councillor Dora Mock spoke first."
            "</p><img src=\"https://example.invalid/img/square.jpg\" alt=\"the square\"></body></html>")
    workspace.write("exhibits/demo/news.mhtml", make_mhtml(page, [
        ("image/jpeg", "https://example.invalid/img/square.jpg", b"\xff\xd8\xff\xe0 not shown")]))
    workspace.item("a1", extra="exhibits:\n  - file: minutes.msg\n")
    workspace.item("a2", type="media", date="1988-09",
                   extra="url: https://example.invalid/news/2\ncaptured: 2024-05-01\nexhibits:\n  - file: news.mhtml\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    assert "exhibits/demo/minutes.msg: e-mail set as a PDF (1 page(s), 1 attachment(s))" in out
    pdf = workspace.path / OUT
    pages = file_pages(pdf)
    mail = " ".join(pages["minutes.msg"])
    for want in ("From Anna Example <anna@example.invalid>", "To Northtown Office <office@example.invalid>",
                 "Cc clerk@example.invalid", "Subject Minutes of the Northtown meeting",
                 "Message ID <fictional-msg-1@example.invalid>", "Date 2001-03-03 10:00:00", "Dear Office,",
                 "the minutes are attached.", "minutes.pdf (application/pdf", "EX-0001 · minutes.msg · page 1 of 1"):
        assert want in mail, want
    assert "Minutes kept by the fictional clerk Bruno Sample" in " ".join(pages["minutes.msg › minutes.pdf"])
    web = " ".join(pages["news.mhtml"])
    for want in ("Captured from https://example.invalid/news/2", "Captured on 2024-05-01",
                 "Saved from (file) https://example.invalid/news/2", "Saved on (file) Wed, 01 May 2024 09:30:00",
                 "Council meets in Northtown", "The fictional councillor Dora Mock spoke first.", "[image: the square]",
                 "1 remote (never fetched)", "1 embedded", "without fetching anything"):
        assert want in web, web
    assert "not shown" not in web
    # custody: the originals' hashes, the attachment's inside its message, checked by verify --root
    manifest = json.loads(PdfReader(str(pdf)).attachments["casefile-manifest.json"][0])
    files = {f["path"]: f for e in manifest["exhibits"] for f in e.get("files", [])}
    for name in ("minutes.msg", "news.mhtml"):
        data = (workspace.path / "exhibits/demo" / name).read_bytes()
        assert files[name]["sha256"] == hashlib.sha256(data).hexdigest() and files[name]["size"] == len(data)
        assert files[name]["rendition"]["sha256"] != files[name]["sha256"]
    assert files["minutes.msg › minutes.pdf"]["sha256"] == hashlib.sha256(pdf_bytes).hexdigest()
    assert files["minutes.msg › minutes.pdf"]["part_of"] == "minutes.msg"
    code, out, err = run("verify", str(pdf), root=workspace.path)
    assert code == 0, out + err
    assert (f"ok EX-0001 exhibits/demo/minutes.msg › minutes.pdf sha256 {hashlib.sha256(pdf_bytes).hexdigest()}"
            in " ".join(out.split()))


def test_converters_run_without_network(workspace, tmp_path, monkeypatch):
    from casefile.intake.converters import isolated

    here = [line.split(":")[0].strip() for line in Path("/proc/self/net/dev").read_text().splitlines()[2:]]
    if not isolated():
        pytest.skip("this machine does not let a process have a network namespace of its own (unshare --net)")
    if here == ["lo"]:
        pytest.skip("this machine has no network interface but loopback: nothing to tell apart")
    log = tmp_path / "net"
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    tool = bin_ / "soffice"  # records the network interfaces it sees, converts nothing
    tool.write_text(f"#!/bin/sh\ncase \"$*\" in *--version*) echo 'LibreOffice 0.0 fictional'; exit 0;; esac\n"
                    f"cat /proc/self/net/dev > {log}\nexit 3\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    workspace.write("exhibits/demo/letter.docx", make_docx(["A fictional letter."]))
    workspace.item("a1", extra="exhibits:\n  - file: letter.docx\n")
    code, out, err = run("build", root=workspace.path)
    assert code == 1 and "exhibits/demo/letter.docx:0: converter: LibreOffice conversion failed (exit 3)" in err
    interfaces = [line.split(":")[0].strip() for line in log.read_text().splitlines()[2:]]
    assert interfaces == ["lo"], (interfaces, here)  # a namespace of its own: no interface but loopback
