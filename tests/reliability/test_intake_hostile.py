"""The intake rows of cases.py that need more than a file: an e-mail with a 200 MB attachment
(written here, streamed), a web capture that refers to local files and remote resources, macros,
a converter that hangs, a converter that is missing. Each failing build leaves the earlier
dossiers byte-identical and no temporary file; "nothing written"."""

from __future__ import annotations

import os
import shutil
import stat
import time
import zipfile
from pathlib import Path

from pypdf import PdfReader

from conftest import norm, run

from .cases import ITEM, ROW, _item, write_large_email
from .conftest import assert_report, leftovers, pdfs


def _use(built, name: str, extra: str = ""):
    built.write(ITEM, _item(extra=f"{extra}exhibits:\n  - file: {name}\n"))


def _failed_cleanly(built, before: dict, lock: bytes):
    assert pdfs(built.out) == before
    assert (built.path / "cases/demo/exhibits.lock").read_bytes() == lock
    assert leftovers(built.out, built.path / "cases") == []


def _snapshot(built):
    return pdfs(built.out), (built.path / "cases/demo/exhibits.lock").read_bytes()


def test_an_email_with_a_200_mb_attachment_is_refused_from_its_size(built):
    row = ROW["email-200mb"]
    before, lock = _snapshot(built)
    path = built.path / "exhibits/demo/big.eml"
    write_large_email(path)
    assert path.stat().st_size > 260_000_000
    _use(built, "big.eml")
    code, out, err = run("build", root=built.path)  # how fast: bench/refusals.py
    assert code in row.codes
    assert_report(err, ("exhibits/demo/big.eml:0: email: refused: larger than 64 MiB (not read) "
                        "(listed at cases/demo/evidence/a1.md:11)",))
    _failed_cleanly(built, before, lock)


def test_a_web_capture_never_reads_local_files_nor_fetches(built):
    row = ROW["html-local-remote"]
    secret = built.path / "secret.txt"
    secret.write_text("SECRET-CONTENT-OF-THIS-MACHINE\n")
    built.write("exhibits/demo/capture.html", f"""<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css">
<script src="https://127.0.0.1:9/x.js"></script><style>@import url(file://{secret});</style></head><body>
<h1>A captured page</h1><p>Text of the fictional page.</p>
<img src="file:///etc/passwd"><img src="file://{secret}"><iframe src="file://{secret}"></iframe>
<object data="{secret}"></object><img src="http://127.0.0.1:9/pixel.gif"></body></html>""")
    _use(built, "capture.html")
    code, out, err = run("build", root=built.path)
    assert code in row.codes, err
    text = " ".join(norm(p.extract_text() or "") for p in PdfReader(str(built.out / "demo/public/alpha.pdf")).pages)
    assert "A captured page Text of the fictional page." in text
    assert "SECRET-CONTENT" not in text and "root:x:" not in text
    assert "3 remote (never fetched), 5 local (file: or paths, never read)" in text


def _odt_with_macro(sentinel: Path) -> bytes:
    """An OpenDocument text whose Basic macro, bound to the document's load event, writes
    `sentinel`."""
    import io

    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
               'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.2"><office:scripts>'
               '<office:event-listeners><script:event-listener script:language="ooo:script" '
               'script:event-name="dom:load" xlink:href="vnd.sun.star.script:Standard.Module1.Main?'
               'language=Basic&amp;location=document" xlink:type="simple"/></office:event-listeners>'
               '</office:scripts><office:body><office:text><text:p>A fictional memo with a macro.</text:p>'
               '</office:text></office:body></office:document-content>')
    module = ('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD '
              'OfficeDocument 1.0//EN" "module.dtd"><script:module xmlns:script="http://openoffice.org/2000/script" '
              'script:name="Module1" script:language="StarBasic">Sub Main\n'
              f'  Open "{sentinel}" For Output As #1\n  Print #1, "macro ran"\n  Close #1\nEnd Sub\n'
              '</script:module>')
    lib = ('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD '
           'OfficeDocument 1.0//EN" "library.dtd"><library:library xmlns:library="http://openoffice.org/2000/library" '
           'library:name="Standard" library:readonly="false" library:passwordprotected="false">'
           '<library:element library:name="Module1"/></library:library>')
    libs = ('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD '
            'OfficeDocument 1.0//EN" "libraries.dtd"><library:libraries '
            'xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">'
            '<library:library library:name="Standard" library:link="false"/></library:libraries>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type='
                '"application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="Basic/Standard/Module1.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="Basic/Standard/script-lb.xml" '
                'manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="Basic/script-lc.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("Basic/Standard/Module1.xml", module, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("Basic/Standard/script-lb.xml", lib, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("Basic/script-lc.xml", libs, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return b.getvalue()


def _docm_with_vba() -> bytes:
    """A Word document (made with python-docx) that also holds a VBA project."""
    import io

    import docx

    d = docx.Document()
    d.add_paragraph("Fictional text of a letter with a macro.")
    b = io.BytesIO()
    d.save(b)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(b.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info.filename))
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 a VBA project (AutoOpen)")
    return out.getvalue()


def test_macros_never_run(built, tmp_path):
    row = ROW["macros"]
    sentinel = tmp_path / "MACRO-RAN"
    odt = _odt_with_macro(sentinel)
    built.write("exhibits/demo/memo.odt", odt)
    built.write("exhibits/demo/letter.docx", _docm_with_vba())
    built.write(ITEM, _item(extra="exhibits:\n  - file: memo.odt\n  - file: letter.docx\n"))
    code, out, err = run("build", root=built.path)
    assert code in row.codes, err
    assert "exhibits/demo/memo.odt: holds macros; they are never run (LibreOffice runs with macros disabled)" in out
    assert "exhibits/demo/letter.docx: holds macros; they are never run (LibreOffice runs with macros disabled)" \
        in out
    text = " ".join(norm(p.extract_text() or "") for p in PdfReader(str(built.out / "demo/confidential/alpha.pdf")).pages)
    assert "A fictional memo with a macro." in text and "Fictional text of a letter with a macro." in text
    time.sleep(0.5)
    assert not sentinel.exists(), "a macro ran"


def test_a_converter_that_hangs_is_stopped_with_its_children(built, tmp_path, monkeypatch):
    row = ROW["converter-hangs"]
    from casefile.intake import office

    before, lock = _snapshot(built)
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    child = tmp_path / "child.pid"
    fake = bin_ / "soffice"
    fake.write_text("#!/bin/sh\ncase \"$*\" in *--version*) echo 'LibreOffice 0.0 hanging'; exit 0;; esac\n"
                    f"sleep 600 &\necho $! > {child}\nwait\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(office, "OFFICE_TIMEOUT", 2.0)
    built.write("exhibits/demo/letter.docx", _docm_with_vba())
    _use(built, "letter.docx")
    code, out, err = run("build", root=built.path)
    assert code in row.codes
    assert_report(err, ("exhibits/demo/letter.docx:0: converter: LibreOffice conversion did not finish within 2 s; "
                        "stopped (nothing converted) (listed at cases/demo/evidence/a1.md:11)",))
    pid = int(child.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists() and \
            "zombie" not in Path(f"/proc/{pid}/status").read_text().lower():
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower(), \
        "the converter's child survived"
    _failed_cleanly(built, before, lock)


def test_a_missing_converter_names_the_file_and_the_package(built, tmp_path, monkeypatch):
    row = ROW["converter-missing"]

    before, lock = _snapshot(built)
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in ("pdftoppm", "tesseract", "unshare"):
        if shutil.which(tool):
            os.symlink(shutil.which(tool), bin_ / tool)
    monkeypatch.setenv("PATH", str(bin_))
    built.write("exhibits/demo/letter.docx", _docm_with_vba())
    _use(built, "letter.docx")
    code, out, err = run("build", root=built.path)
    assert code in row.codes
    assert_report(err, ("exhibits/demo/letter.docx:0: converter: converting a .docx file needs LibreOffice "
                        "('soffice' is not installed): install the Debian package libreoffice-writer-nogui "
                        "(make tools) (listed at cases/demo/evidence/a1.md:11)",))
    _failed_cleanly(built, before, lock)

