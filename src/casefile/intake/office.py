"""Word-processor documents (.docx, .odt, .doc, .rtf) to PDF with LibreOffice, headless.

Before LibreOffice sees a file, casefile checks that it is what its name says (a .docx is a
zip archive holding word/document.xml, an .odt one holding content.xml, a .doc an OLE2
compound file, an .rtf starts with `{\\rtf`), and for the zip formats that no member leaves
the archive (`..`, absolute paths), that they are at most ZIP_MAX_MEMBERS and inflate to at
most ZIP_MAX_BYTES (a zip bomb is refused from the archive's directory, before anything is
inflated). LibreOffice is then told which import filter to use (a file is never guessed into
another format, e.g. HTML that would load local files), runs with a profile folder of its own
made for the run in which macros are disabled outright (DisableMacrosExecution, the highest
macro security level), without network (see converters.py), within OFFICE_TIMEOUT and
OFFICE_MEMORY.

LibreOffice writes the time of the conversion, an /ID and a /DocChecksum made from it into its
PDF; they are overwritten (same length, so the file's cross-reference table stays right) with values derived
from the original's SHA-256, and the PDF is written again with its objects in reading order (it numbers a
page's fonts in a varying order): converting the same file again gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from casefile.errors import fail
from casefile.intake.converters import GIB, LIBREOFFICE, Run, find, run
from casefile.pdf.exhibits import in_reading_order

OFFICE_TIMEOUT = 120.0
OFFICE_MEMORY = 2 * GIB
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_BYTES = 200_000_000  # inflated size of all members of a .docx / .odt

# extension -> (LibreOffice import filter, what it is)
FORMATS = {
    "docx": ("MS Word 2007 XML", "Word document"),
    "docm": ("MS Word 2007 XML", "Word document"),
    "odt": ("writer8", "OpenDocument text"),
    "doc": ("MS Word 97", "Word 97-2003 document"),
    "rtf": ("Rich Text Format", "RTF document"),
}

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution"
 oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel"
 oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseSystemFileDialog" oor:op="fuse">
<value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="LoadReadonly" oor:op="fuse">
<value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse">
<value>2</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks"
 oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


def check_document(path: Path, shown: str, ext: str) -> list[str]:
    """Refuse what is not a document of its kind, or a hostile archive. Returns notices (e.g.
    that the document holds macros, which are not run)."""
    what = FORMATS[ext][1]
    with open(path, "rb") as f:
        head = f.read(8)
    notices = []
    if ext in ("docx", "docm", "odt"):
        if not head.startswith(b"PK"):
            raise fail(shown, "document", f"not a {what}: not a zip archive (damaged, or another format "
                                          f"named .{ext})")
        try:
            with zipfile.ZipFile(path) as z:
                infos = z.infolist()
                if len(infos) > ZIP_MAX_MEMBERS:
                    raise fail(shown, "document", f"refused: the archive has {len(infos)} members (more than "
                                                  f"{ZIP_MAX_MEMBERS})")
                total = 0
                names = set()
                for i in infos:
                    name = i.filename
                    parts = name.replace("\\", "/").split("/")
                    if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
                        raise fail(shown, "document", f"refused: the archive holds a member that leaves it "
                                                      f"({name!r})")
                    total += i.file_size
                    if total > ZIP_MAX_BYTES:
                        raise fail(shown, "document", f"refused as a zip bomb: its members inflate to more than "
                                                      f"{ZIP_MAX_BYTES // 1_000_000} MB")
                    names.add(name)
                if any(i.flag_bits & 0x1 for i in infos):
                    raise fail(shown, "document", "the document is encrypted; give a decrypted copy")
                main = "word/document.xml" if ext != "odt" else "content.xml"
                if main not in names:
                    raise fail(shown, "document", f"not a {what}: the archive has no {main}")
                if any(n.lower().endswith("vbaproject.bin") for n in names) or \
                        any(n.startswith(("Basic/", "Scripts/")) for n in names):
                    notices.append("holds macros; they are never run (LibreOffice runs with macros disabled)")
        except zipfile.BadZipFile as e:
            raise fail(shown, "document", f"not a {what}: damaged zip archive ({e})")
    elif ext == "doc":
        if head != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise fail(shown, "document", f"not a {what} (no OLE2 signature)")
    elif ext == "rtf":
        if not head.startswith(b"{\\rtf"):
            raise fail(shown, "document", f"not an {what} (it does not start with {{\\rtf)")
    return notices


def normalise_pdf(pdf: bytes, seed: str) -> bytes:
    """Overwrite LibreOffice's dates, /ID and /DocChecksum with values derived from `seed`, each
    the same length (so the cross-reference offsets stay right)."""
    def date(m):
        return m.group(1) + b"20000101000000"[:len(m.group(2))]
    pdf = re.sub(rb"(/(?:CreationDate|ModDate)\s*\(D:)([0-9]{4,14})", date, pdf)
    digest = hashlib.sha256(seed.encode()).hexdigest().upper().encode()

    def ident(m):
        return m.group(1) + digest[:len(m.group(2))] + m.group(3) + digest[-len(m.group(4)):] + m.group(5)
    pdf = re.sub(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]{1,64})(>\s*<)([0-9A-Fa-f]{1,64})(>)", ident, pdf)
    return re.sub(rb"(/DocChecksum\s*/)([0-9A-Fa-f]{1,64})", lambda m: m.group(1) + digest[:len(m.group(2))], pdf)


def convert_document(path: Path, shown: str, ext: str, seed: str) -> bytes:
    """The PDF LibreOffice makes of the document (normalised); refused or failed: one problem."""
    soffice = find(LIBREOFFICE, shown, f"converting a .{ext} file")
    import_filter = FORMATS[ext][0]
    with tempfile.TemporaryDirectory(prefix="casefile-office-") as tmp:
        tmp = Path(tmp)
        profile = tmp / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        src = tmp / f"input.{ext}"
        shutil.copyfile(path, src)
        out = tmp / "out"
        out.mkdir()
        run(Run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
                 "--norestore", "--nologo", "--nodefault", "--nolockcheck", f"--infilter={import_filter}",
                 "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), str(src)],
                shown, "LibreOffice conversion", OFFICE_TIMEOUT, OFFICE_MEMORY, cwd=str(tmp),
                env={"HOME": str(tmp), "SAL_USE_VCLPLUGIN": "svp"}))
        result = out / "input.pdf"
        if not result.is_file() or result.stat().st_size == 0:
            raise fail(shown, "document", f"LibreOffice could not convert it (damaged, or not a "
                                          f"{FORMATS[ext][1]})")
        return in_reading_order(path, normalise_pdf(result.read_bytes(), seed))
