"""The table of hostile inputs and faults: what was tried, what casefile does, its exit code.

README.md's section "Hostile input and faults: what happens" is generated from ROWS
(test_readme_table.py fails when they differ), and every row is asserted by a test:
rows of kind "input" by test_hostile_input.py (parametrised over them), the others ("own") by
the test that names them (ROW["key"]).

An input row breaks a workspace that was built successfully (the demo case of
tests/conftest.py plus BASE_FILES) and rebuilds it: `files` maps a path under the workspace
to its new content (text, bytes, a Link, or None to delete it); "{root}" in a text is replaced
by the workspace's absolute path. `stderr` is the exact expected standard error without the
final "N problem(s) found" line; a line ending in "…" is matched as a prefix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conftest import CASE_YAML, item

ITEM = "cases/demo/evidence/a1.md"
OK_EXHIBIT = "exhibits/demo/ok.txt"
BASE_FILES = {
    ITEM: item("a1", extra="charges: [murder/killing]\nexhibits:\n  - file: ok.txt\n"),
    OK_EXHIBIT: "An exhibit file.\n",
}
PERSIAN = "حمید نوری"


@dataclass(frozen=True)
class Link:
    """A symbolic link to `target` ("{root}" is the workspace)."""
    target: str


@dataclass(frozen=True)
class Row:
    key: str
    tried: str  # README: the input or fault
    outcome: str  # README: what casefile does
    codes: tuple[int, ...]  # documented exit code(s)
    kind: str = "input"  # input: test_hostile_input.py; own: asserted by a test naming ROW[key]
    files: dict = field(default_factory=dict)
    stderr: tuple[str, ...] = ()
    stdout: tuple[str, ...] = ()  # lines that must appear on standard output
    sentinel: str | None = None  # a file (under the workspace) that must not exist afterwards
    code_note: str = ""  # README: shown instead of the plain code(s)

    @property
    def shown_code(self) -> str:
        return self.code_note or " or ".join(str(c) for c in self.codes)


def _item(**kw) -> str:
    return item("a1", **kw)


def _a1(extra: str = "", **kw) -> dict:
    return {ITEM: _item(extra="charges: [murder/killing]\nexhibits:\n  - file: ok.txt\n" + extra, **kw)}


def _a1_exhibit(path_yaml: str) -> dict:
    return {ITEM: _item(extra=f"exhibits:\n  - file: {path_yaml}\n")}


BILLION_LAUGHS = ("---\nid: a1\n"
                  "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                  + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
                  + "---\n")

# ------------------------------------------------------------------ intake: hostile exhibit files, made here

def _zip(members: dict) -> bytes:
    """A zip archive of members (name -> bytes, deflated)."""
    import io
    import zipfile

    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, (2001, 3, 3, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return b.getvalue()


_DOCX_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
               b'2006/content-types"/>')
_DOCX_BODY = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
              b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Fictional text</w:t></w:r></w:p></w:body>'
              b'</w:document>')


def _zip_bomb() -> bytes:
    """A .docx whose extra member inflates to 210 MB of zeros (about 200 KB stored). The deflate
    stream is one full-flushed 1 MB block repeated (a flush resets the compressor, so each block
    is the same bytes), so it is made in a moment."""
    import struct
    import zlib

    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(bytes(1 << 20)) + co.flush(zlib.Z_FULL_FLUSH)
    data = block * 210 + co.flush(zlib.Z_FINISH)
    crc = 0
    zeros = bytes(1 << 20)
    for _ in range(210):
        crc = zlib.crc32(zeros, crc)
    members = [("[Content_Types].xml", zlib.compress(_DOCX_TYPES)[2:-4], zlib.crc32(_DOCX_TYPES), len(_DOCX_TYPES)),
               ("word/document.xml", zlib.compress(_DOCX_BODY)[2:-4], zlib.crc32(_DOCX_BODY), len(_DOCX_BODY)),
               ("word/media/zeros.bin", data, crc, 210 << 20)]
    out, central = b"", b""
    for name, stored, crc32, size in members:
        n = name.encode()
        head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x2A63, crc32, len(stored), size, len(n), 0)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x2A63, crc32, len(stored), size,
                               len(n), 0, 0, 0, 0, 0, len(out)) + n
        out += head + n + stored
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return out + central + end


def _png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG of width x height pixels: enough for a reader to know its size."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + \
        chunk(b"IEND", b"")


def _nested_email(depth: int) -> bytes:
    """An e-mail holding an e-mail holding an e-mail ... `depth` levels."""
    from email.message import EmailMessage

    inner = None
    for level in range(depth, 0, -1):
        m = EmailMessage()
        m["From"] = "sender@example.invalid"
        m["Subject"] = f"Level {level}"
        m.set_content("See the attached message." if inner is not None else "The innermost message.")
        if inner is not None:
            m.add_attachment(inner)
        inner = m
    return bytes(inner)


def write_large_email(path, mb: int = 200):
    """An e-mail with an attachment of `mb` MB of zeros (base64), written in pieces."""
    line = b"A" * 76 + b"\n"  # base64 of zeros
    with open(path, "wb") as f:
        f.write(b"From: sender@example.invalid\nTo: office@example.invalid\nSubject: Large\nMIME-Version: 1.0\n"
                b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nSee attached.\n"
                b"--B\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=zeros.bin\n"
                b"Content-Transfer-Encoding: base64\n\n")
        block = line * 13000  # about 1 MB
        for _ in range(mb * 1000 * 1000 // 57 // 13000 + 1):
            f.write(block)
        f.write(b"--B--\n")


_INTAKE_ROWS: list[Row] = [
    Row("docx-zip-bomb", "a .docx that is a zip bomb (a member inflating to 210 MB, about 200 KB stored)",
        "refused from the archive's directory, before anything is inflated or LibreOffice starts; nothing written",
        (1,),
        files={"exhibits/demo/bomb.docx": _zip_bomb(), **_a1_exhibit("bomb.docx")},
        stderr=("exhibits/demo/bomb.docx:0: document: refused as a zip bomb: its members inflate to more than "
                "200 MB (listed at cases/demo/evidence/a1.md:11)",)),
    Row("docx-traversal", "a .docx holding a member named `../../evil.sh` (path traversal)",
        "refused before LibreOffice starts; nothing written", (1,),
        files={"exhibits/demo/evil.docx": _zip({"[Content_Types].xml": _DOCX_TYPES, "word/document.xml": _DOCX_BODY,
                                                "../../evil.sh": b"touch PWNED\n"}), **_a1_exhibit("evil.docx")},
        stderr=("exhibits/demo/evil.docx:0: document: refused: the archive holds a member that leaves it "
                "('../../evil.sh') (listed at cases/demo/evidence/a1.md:11)",)),
    Row("docx-corrupt", "a corrupt .docx (a zip archive cut short)", "one line: damaged; nothing written", (1,),
        files={"exhibits/demo/cut.docx": _zip({"[Content_Types].xml": _DOCX_TYPES,
                                               "word/document.xml": _DOCX_BODY})[:60], **_a1_exhibit("cut.docx")},
        stderr=("exhibits/demo/cut.docx:0: document: not a Word document: damaged zip archive (File is not a zip "
                "file) (listed at cases/demo/evidence/a1.md:11)",)),
    Row("docx-not-word", "a file named .docx that is HTML (which LibreOffice would guess and load, local files "
        "included)", "refused: not a zip archive; never given to LibreOffice as HTML; nothing written", (1,),
        files={"exhibits/demo/page.docx": "<html><body><img src='file:///etc/passwd'></body></html>",
               **_a1_exhibit("page.docx")},
        stderr=("exhibits/demo/page.docx:0: document: not a Word document: not a zip archive (damaged, or another "
                "format named .docx) (listed at cases/demo/evidence/a1.md:11)",)),
    Row("email-nested-50", "an e-mail nested 50 deep (a message attached to a message, 50 times)",
        "refused at the 5th level, in one line naming the file; nothing written", (1,),
        files={"exhibits/demo/deep.eml": _nested_email(50), **_a1_exhibit("deep.eml")},
        stderr=("exhibits/demo/deep.eml:0: email: refused: e-mails nested more than 5 deep (a message attached "
                "to a message attached to a message ...) (listed at cases/demo/evidence/a1.md:11)",)),
    Row("email-200mb", "an e-mail with a 200 MB attachment (270 MB of base64, written by the test)",
        "refused from its size, before it is read or decoded; nothing written", (1,), kind="own"),
    Row("html-local-remote", "a web capture referring to `file:///etc/passwd` and `http://` images, style sheets "
        "and frames", "built: the page's text only; nothing fetched or read (counted and said on the page); "
        "no file content appears", (0,), kind="own"),
    Row("image-30000", "an image of 30,000 × 30,000 pixels (a PNG header of a few bytes)",
        "refused from its header, before anything is decoded or OCR'd; nothing written", (1,),
        files={"exhibits/demo/huge.png": _png_header(30000, 30000), **_a1_exhibit("huge.png")},
        stderr=("exhibits/demo/huge.png:0: image: image too large (30000×30000 = 900 megapixels; the limit is 60 "
                "megapixels); refused before decoding (listed at cases/demo/evidence/a1.md:11)",)),
    Row("macros", "a Word document with a VBA project and an OpenDocument text whose macro runs on opening "
        "(it would create a file)", "converted with macros disabled: no macro runs (the file is never created); "
        "one line says the document holds macros", (0,), kind="own"),
    Row("converter-hangs", "a converter that hangs (a fake `soffice` on PATH that never ends)",
        "stopped at the time limit with its whole process group; one line naming the file; nothing written", (1,),
        kind="own"),
    Row("converter-missing", "LibreOffice not installed, a .docx exhibit",
        "one line naming the file and the Debian package to install; nothing written", (1,), kind="own"),
]


ROWS: list[Row] = [
    # ------------------------------------------------------------------ YAML
    Row("yaml-syntax", "malformed YAML (an unclosed `[`)",
        "the line where YAML gave up, and the line where the unclosed `[` starts; nothing written", (1,),
        files={ITEM: "---\nid: a1\ntype: statement\ntitle: [unclosed\naccused: [alpha]\n---\nBody.\n"},
        stderr=("cases/demo/evidence/a1.md:5: yaml: the list opened with '[' on line 4 is not closed: "
                "end it with ']' (and separate its entries with ',')",)),
    Row("yaml-tab", "a tab used to indent YAML",
        "the line, and \"indent with spaces, not tabs\"; nothing written", (1,),
        files={ITEM: "---\nid: a1\n\ttype: statement\n---\nBody.\n"},
        stderr=("cases/demo/evidence/a1.md:3: yaml: a tab character: indent with spaces, not tabs",)),
    Row("yaml-control-char", "a raw control character (U+0007) in the front matter",
        "the line and the character; nothing written", (1,),
        files={ITEM: "---\nid: a1\ntitle: bell\x07\n---\nBody.\n"},
        stderr=("cases/demo/evidence/a1.md:3: yaml: the character U+0007 cannot be used in a case file: remove it",)),
    Row("unknown-field", "an unknown field (`bogus:`)", "\"unknown field\" at its line; nothing written", (1,),
        files=_a1("bogus: 1\n"),
        stderr=("cases/demo/evidence/a1.md:13: bogus: unknown field",)),
    Row("impossible-date", "an impossible date (`1988-02-30`)", "the day that does not exist; nothing written", (1,),
        files={ITEM: _item(date="1988-02-30")},
        stderr=("cases/demo/evidence/a1.md:5: date: '1988-02-30': day 30 does not exist in February 1988",)),
    Row("duplicate-key", "a duplicate YAML key", "both lines; nothing written", (1,),
        files={ITEM: _item().replace("title: Title of a1\n", "title: Title of a1\ntitle: Again\n")},
        stderr=("cases/demo/evidence/a1.md:5: title: duplicate key (first given on line 4)",)),
    Row("duplicate-id", "the same item id in two files", "the second file, naming the first; nothing written",
        (1,), files={"cases/demo/evidence/sub/copy.md": BASE_FILES[ITEM]},
        stderr=("cases/demo/evidence/sub/copy.md:2: id: duplicate item id 'a1' (also in "
                "cases/demo/evidence/a1.md:2)",)),
    Row("unknown-accused", "an item naming an accused who is not in case.yaml",
        "the unknown id and the known ones; nothing written", (1,),
        files={ITEM: _item(accused=("alpha", "nobody"))},
        stderr=("cases/demo/evidence/a1.md:6: accused.1: unknown accused 'nobody' (known: alpha, beta)",)),
    Row("unknown-charge", "an unknown charge, and an unknown element of a known charge",
        "one line each; nothing written", (1,),
        files={ITEM: _item(extra="charges: [theft, murder/nope]\n")},
        stderr=("cases/demo/evidence/a1.md:10: charges.0: unknown charge 'theft' (known: murder, persecution)",
                "cases/demo/evidence/a1.md:10: charges.1: charge 'murder' has no element 'nope' (its elements: killing)")),
    Row("yaml-alias", "YAML anchors and aliases (`&x`, `*x`)", "refused at the first anchor; nothing written",
        (1,), files={ITEM: "---\nid: a1\npersons: &x [A]\norganisations: *x\n---\nBody.\n"},
        stderr=("cases/demo/evidence/a1.md:3: yaml: YAML anchors and aliases are not allowed (a value starting "
                "with '&' or '*' must be put in quotes)",)),
    Row("billion-laughs", "\"billion laughs\": 9 levels of aliases, 10⁹ values if expanded",
        "refused at the first anchor, before anything is expanded (in under 1 s: bench/refusals.py); nothing "
        "written", (1,), files={ITEM: BILLION_LAUGHS},
        stderr=("cases/demo/evidence/a1.md:3: yaml: YAML anchors and aliases are not allowed (a value starting "
                "with '&' or '*' must be put in quotes)",)),
    Row("too-many-values", "a front matter of 30,000 values (no aliases)",
        "\"document too large\", after reading only the first 20,001 values; nothing written", (1,),
        files={ITEM: "---\nid: a1\npersons: [" + ", ".join(["x"] * 30000) + "]\n---\nBody.\n"},
        stderr=("cases/demo/evidence/a1.md:3: yaml: document too large (more than 20000 values)",)),
    Row("python-tag", "`!!python/object/apply:os.system` (a tag that would create a file if run)",
        "refused, nothing executed (the file is never created); nothing written", (1,),
        files={ITEM: "---\nid: !!python/object/apply:os.system ['touch {root}/PWNED']\ntype: statement\n---\n"},
        sentinel="PWNED",
        stderr=("cases/demo/evidence/a1.md:2: id: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' "
                "is not allowed",)),
    Row("python-tag-case", "`!!python/object/apply:subprocess.call` on the whole of case.yaml",
        "refused, nothing executed (the file is never created); nothing written", (1,),
        files={"cases/demo/case.yaml": "--- !!python/object/apply:subprocess.call\nargs: [[touch, '{root}/PWNED']]\n"},
        sentinel="PWNED",
        stderr=("cases/demo/case.yaml:1: -: YAML tag 'tag:yaml.org,2002:python/object/apply:subprocess.call' "
                "is not allowed",)),
    # ------------------------------------------------------------------ files
    Row("not-utf8", "a file that is not UTF-8 (Latin-1 bytes)", "the line of the first bad byte; nothing written",
        (1,), files={ITEM: _item(body="Caf\xe9").encode("latin-1")},
        stderr=("cases/demo/evidence/a1.md:11: file: not valid UTF-8 text",)),
    Row("nul-byte", "a NUL byte in an item file", "the line; nothing written", (1,),
        files={ITEM: _item(body="before\x00after")},
        stderr=("cases/demo/evidence/a1.md:11: file: contains a NUL character",)),
    Row("oversized-file", "an item file over 5 MiB", "refused before it is read; nothing written", (1,),
        files={ITEM: _item(body="x" * (5 * 1024 * 1024 + 1))},
        stderr=("cases/demo/evidence/a1.md:0: file: larger than 5 MiB",)),
    Row("evidence-symlink-out", "an item file that is a symbolic link leading out of the case",
        "refused; nothing written", (1,),
        files={"outside.md": BASE_FILES[ITEM].replace("id: a1", "id: a2"),
               "cases/demo/evidence/link.md": Link("{root}/outside.md")},
        stderr=("cases/demo/evidence/link.md:0: file: symbolic link leading outside the case folder",)),
    # ------------------------------------------------------------------ text
    Row("control-char", "a control character written as a YAML escape (`\"bell\\x07\"`)",
        "the field and the character; nothing written", (1,), files=_a1('persons: ["bell\\x07"]\n'),
        stderr=("cases/demo/evidence/a1.md:13: persons.0: contains the control character U+0007, "
                "which cannot be printed",)),
    Row("control-char-body", "a control character (form feed, U+000C) in the body",
        "the body's line and the character; nothing written", (1,),
        files=_a1(body="Page one.\n\x0c\nPage two."),
        stderr=("cases/demo/evidence/a1.md:15: body: contains the control character U+000C, "
                "which cannot be printed",)),
    Row("emoji-field", "an emoji (U+1F600) in a field", "the field and the character, not a black square; "
        "nothing written", (1,), files=_a1('persons: ["Smiling \U0001F600"]\n'),
        stderr=("cases/demo/evidence/a1.md:13: persons.0: character U+1F600 '\U0001F600' is not in the fonts",)),
    Row("emoji-body", "an emoji and a CJK character in the body", "the body's line, one line per character; "
        "nothing written", (1,), files=_a1(body="First line.\nSmiling \U0001F600 and 中."),
        stderr=("cases/demo/evidence/a1.md:15: body: character U+1F600 '\U0001F600' is not in the fonts",
                "cases/demo/evidence/a1.md:15: body: character U+4E2D '中' is not in the fonts")),
    Row("lone-surrogate", "a lone surrogate written as an escape (`\"\\ud800\"`)", "the field; nothing written",
        (1,), files=_a1('persons: ["\\ud800"]\n'),
        stderr=("cases/demo/evidence/a1.md:13: persons.0: not valid text: contains a lone surrogate (an escape such "
                "as \\ud800 that is not a character)",)),
    Row("bidi-isolate", "a directional isolate (U+2066…U+2069, common in text copied from the web) in a file "
        "with right-to-left text", "laid out, each isolate read as the embedding it stands for; built", (0,),
        files=_a1(f'persons: ["{PERSIAN}", "\\u2066@handle\\u2069"]\n')),
    Row("injection", "markup and template syntax in every text field of every item type "
        "(`<font color=red>`, `<img src=/etc/passwd>`, `<a href=javascript:alert(1)>`, "
        "`{{ cycler.__init__ }}`, `{% raw %}`)",
        "printed literally in the PDF; no link, image or template code results", (0,), kind="own"),
    Row("too-tall-cell", "a field of 6,000 words in a table cell (taller than a page)",
        "the table row is split across pages (each part keeps at least two lines); the dossier is built", (0,),
        files=_a1('persons: ["' + " ".join(["word"] * 6000) + '"]\n')),
    Row("too-tall-translation", "a decree paragraph of 3,000 words set beside its original",
        "the item's file: too long to typeset; nothing written", (1,),
        files={ITEM: item("a1", type="decree", extra=f"original:\n  language: fa\n  text: {PERSIAN}\n",
                          body=" ".join(["word"] * 3000))},
        stderr=("cases/demo/evidence/a1.md:1: -: too long to typeset: …",)),
    Row("no-evidence", "an accused no item concerns",
        "one line `cases/<case>/case.yaml: accused '<id>': no evidence item concerns this person; "
        "no dossier written`; the other dossiers are built", (0,),
        files={"cases/demo/case.yaml": CASE_YAML.replace("charges:\n", "  - id: gamma\n    name: Gamma Person\n"
                                                                    "    status: at large\ncharges:\n", 1)},
        stdout=("cases/demo/case.yaml: accused 'beta': no evidence item concerns this person; no dossier written",
                "cases/demo/case.yaml: accused 'gamma': no evidence item concerns this person; no dossier written")),
    # ------------------------------------------------------------------ exhibit paths
    Row("exhibit-missing", "an exhibit file that does not exist", "the item's line; nothing written", (1,),
        files=_a1_exhibit("missing.pdf"),
        stderr=("cases/demo/evidence/a1.md:11: exhibits.0.file: exhibit file not found: …",)),
    Row("exhibit-dotdot", "an exhibit path `../x`", "refused at its line; nothing written", (1,),
        files=_a1_exhibit("../x"),
        stderr=("cases/demo/evidence/a1.md:11: exhibits.0.file: '../x' leaves the exhibit folder "
                "('..' is not allowed)",)),
    Row("exhibit-absolute", "an absolute exhibit path (`/etc/passwd`)", "refused at its line; nothing written",
        (1,), files=_a1_exhibit("/etc/passwd"),
        stderr=("cases/demo/evidence/a1.md:11: exhibits.0.file: '/etc/passwd' is an absolute path; "
                "give a path under demo/",)),
    Row("exhibit-nul", "an exhibit path with a NUL byte (`\"ok.txt\\0.pdf\"`)", "refused at its line; "
        "nothing written", (1,), files=_a1_exhibit('"ok.txt\\0.pdf"'),
        stderr=("cases/demo/evidence/a1.md:11: exhibits.0.file: contains a NUL character",)),
    Row("exhibit-symlink-out", "an exhibit that is a symbolic link leading out of the exhibit folder",
        "refused at its line; nothing written", (1,),
        files={"secret.txt": "not evidence", "exhibits/demo/link.txt": Link("{root}/secret.txt"),
               **_a1_exhibit("link.txt")},
        stderr=("cases/demo/evidence/a1.md:11: exhibits.0.file: 'link.txt' is a symbolic link leading outside "
                "the exhibit folder",)),
    Row("exhibit-name-too-long", "an exhibit path with a 300-character name",
        "refused at its line (\"File name too long\"), not an I/O error; nothing written", (1,),
        files=_a1_exhibit("a" * 300 + ".pdf"),
        stderr=(f"cases/demo/evidence/a1.md:11: exhibits.0.file: '{'a' * 300}.pdf' cannot be used: "
                "File name too long",)),
    # ------------------------------------------------------------------ redaction, witness protection, custody
    Row("redaction-unclosed", "an unclosed `[[` in a body (`questioned by [[a man called Zeta every night.`)",
        "the body's line: the text after it would be printed in the public edition; nothing written", (1,),
        files={ITEM: _item(extra="exhibits:\n  - file: ok.txt\n",
                           body="He was questioned by [[a man called Zeta every night.")},
        stderr=("cases/demo/evidence/a1.md:13: body: '[[' is not closed by ']]': the text after it would be "
                "printed in the public edition (add ']]' where the span ends)",)),
    Row("redaction-stray-title", "a stray `]]` in a title", "the title's line; nothing written", (1,),
        files={ITEM: _item(extra="exhibits:\n  - file: ok.txt\n").replace(
            "title: Title of a1", 'title: "Questioned by Iota]] at night"')},
        stderr=("cases/demo/evidence/a1.md:4: title: ']]' closes nothing: there is no '[[' before it (write '[[' "
                "where the redacted span begins)",)),
    Row("protected-surname-in-exhibit", "a protected witness's surname alone in a text exhibit file "
        "(`Witnessname was moved at night.`)",
        "the exhibit file's line, the public dossier and page, and the fixes; no public edition written", (1,),
        files={ITEM: _item(extra="exhibits:\n  - file: ok.txt\n  - file: note.txt\n").replace(
            "type: statement", "type: testimony").replace(
            "speaker: A speaker\n", "witness:\n  name: Delta Witnessname\n  protected: true\n  pseudonym: W-1\n"),
            "exhibits/demo/note.txt": "A note.\nWitnessname was moved at night.\n"},
        stderr=("exhibits/demo/note.txt:2: text: 'Witnessname' (a form of the protected name 'Delta Witnessname') "
                "would appear in the public dossier of 'alpha' (page …",)),
    Row("pin-mismatch", "an exhibit whose `sha256:` pin is not the file's",
        "the item's line, the file, both hashes and what to do; nothing written", (1,),
        files={ITEM: _item(extra="exhibits:\n  - file: ok.txt\n    sha256: " + "0" * 64 + "\n")},
        stderr=("cases/demo/evidence/a1.md:12: exhibits.0.sha256: exhibits/demo/ok.txt: the pinned sha256 is "
                + "0" * 64 + " but the file's is fa501436a2c9d2ab38a3e15a04c25e62d4f07dcfc77343c4cf5966f1b663434a; "
                "if the file is the right one, pin the new value, otherwise put back the file that was pinned",)),
    Row("same-size-same-mtime", "an exhibit PDF changed keeping its size and mtime (as `cp -p`, `rsync -a`, `tar`, "
        "`touch -r` do), then another item edited",
        "read and hashed again (its ctime and inode changed): `exhibit changed since it was recorded` with both "
        "hashes; nothing written; after `--accept-changes` the lock, manifest and annex give the new bytes' hash",
        (1,), kind="own"),
    Row("exhibit-names", "exhibit file names with spaces, tabs, quotes, `#`, a leading `-`, backslashes and "
        "Persian letters",
        "recorded in exhibits.lock (quoted) and read back equal: `check` and the next builds succeed", (0,),
        kind="own"),
    Row("multi-page-tiff", "a TIFF of 3 pages (or an animated PNG)", "every frame is a page of the exhibit", (0,),
        kind="own"),
    Row("scan-without-text", "an image exhibit, or a PDF page without a text layer, that OCR could not read",
        "withheld from the public edition with one line saying so, unless its entry says `public_reviewed: true`",
        (0,), kind="own"),
    Row("scan-partly-read", "a scan with a line Tesseract does not read (a redacted term in 8-pixel print; likewise "
        "print stretched, squashed or in grey)",
        "that page withheld from the public edition, what OCR missed said on its placeholder, and one line naming "
        "the file, the page and the fix (`public_reviewed: true` once a person has checked it); the confidential "
        "edition shows it", (0,), kind="own"),
    # ------------------------------------------------------------------ exhibit files converted or OCR'd
    *_INTAKE_ROWS,
    # ------------------------------------------------------------------ faults
    Row("kill-9", "`kill -9` of a build at three moments seen from outside (holding the build lock, typesetting in "
        "its workers, a finished dossier in its temporary file)",
        "the previous dossiers stay byte-identical and open; no worker survives the build; "
        "the next build succeeds and removes the `.tmp` files left behind", (0,), kind="own",
        code_note="killed; next build 0"),
    Row("disk-full", "disk full while a dossier is written (ENOSPC, simulated in-process)",
        "`OUT/<case>/<edition>/<accused>.pdf:0: io: No space left on device`; the half-written temporary "
        "file is removed; earlier output untouched", (3,), kind="own"),
    Row("disk-full-lock", "disk full while exhibits.lock is written, after every dossier was made",
        "one line naming exhibits.lock; no dossier renamed into place, every temporary file removed", (3,),
        kind="own"),
    Row("disk-full-tmpfs", "a real full disk (a 512 KiB tmpfs mounted in a private mount namespace)",
        "as above: one line, nothing partial, earlier output untouched; the build after space is freed "
        "succeeds", (3,), kind="own"),
    Row("read-only-out", "a read-only output folder (build run without the privilege to override permissions)",
        "`OUT/.casefile.lock:0: io: Permission denied` before anything is typeset; earlier output untouched",
        (3,), kind="own"),
    Row("read-only-edition", "a read-only edition folder under a writable output folder (unprivileged)",
        "`OUT/<case>/<edition>/<accused>.pdf:0: io: Permission denied`; earlier output untouched", (3,),
        kind="own"),
    Row("concurrent-builds", "two builds of the same case into the same output folder at once "
        "(and a third into another folder)",
        "the two serialise on `OUT/.casefile.lock`; all dossiers valid and equal to a single build's; "
        "exhibits.lock never corrupted", (0,), kind="own"),
    Row("unicode-property", "any Unicode text in an item's title, persons and body (Hypothesis)",
        "printed (extracted text equal after NFKC, without invisible characters) or refused with "
        "`path:line: field: message` lines; never an internal error", (0, 1), kind="own"),
    Row("loader-fuzz", "arbitrary text, bytes and mutated front matter given to the loader (Hypothesis)",
        "only ever the problem report (CaseError), never another exception", (0, 1), kind="own",
        code_note="1 (0 if valid)"),
]

ROW = {r.key: r for r in ROWS}
assert len(ROW) == len(ROWS), "duplicate row keys"
INPUT_ROWS = [r for r in ROWS if r.kind == "input"]

README_HEADING = "## Hostile input and faults: what happens"


def readme_section() -> str:
    """The README section, generated from ROWS."""
    lines = [
        README_HEADING,
        "",
        "What casefile does with broken or hostile input and with faults during a build. Every row is",
        "checked by `tests/reliability/` (run by `make test`); this table is generated from",
        "`tests/reliability/cases.py`, and a test fails when the two differ. Every failing build",
        "prints one `path:line: field: message` line per problem (line 0 when there is no line), then",
        "`N problem(s) found`, and leaves the earlier dossiers byte-identical with no `.tmp` file left",
        "behind.",
        "",
        "| input or fault | what happens | exit code |",
        "| --- | --- | --- |",
    ]
    for r in ROWS:
        for text in (r.tried, r.outcome):
            assert "|" not in text and "\n" not in text, r.key
        lines.append(f"| {r.tried} | {r.outcome} | {r.shown_code} |")
    return "\n".join(lines) + "\n"
