"""Shared fixtures: small workspaces written on the fly, and PDF read-back helpers."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import textwrap
import unicodedata
import zlib
from pathlib import Path

import pytest
from hypothesis import settings
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from casefile.cli import app

# In CI (the CI environment variable set, as .ci/run and CI services do) property tests draw the
# same examples on every run: a red build is reproducible, and never red by the luck of the draw.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]

CASE_YAML = """\
id: demo
title: Demo case
forum: Submission to a test forum
prepared_by: Test team
as_of: 2026-11-01
numbering:
  exhibit_prefix: EX-
  exhibit_width: 4
  stamp_prefix: DM
accused:
  - id: alpha
    name: Alpha Person
    name_original: حمید نوری
    status: at large
    roles:
      - title: Prison official
        institution: Gohardasht Prison
        from: 1988
  - id: beta
    name: Beta Person
    status: deceased
charges:
  - id: murder
    label: Murder as a crime against humanity
    basis: Rome Statute art. 7(1)(a)
    elements:
      - id: killing
        label: The perpetrator killed one or more persons
  - id: persecution
    label: Persecution
    basis: Rome Statute art. 7(1)(h)
events:
  - date: 1988-07-18
    title: Ceasefire accepted
"""


def item(id, type="statement", accused=("alpha",), date="1988-08", extra="", body="Some text."):
    fields = {
        "statement": "speaker: A speaker\n",
        "testimony": "witness:\n  name: A Witness\n",
        "decree": "issuer: An issuer\n",
        "document": "author: An author\n",
        "media": "author: A poster\n",
    }[type]
    acc = "[" + ", ".join(accused) + "]"
    d = f"date: {date}\n" if date else ""
    return (f"---\nid: {id}\ntype: {type}\ntitle: Title of {id}\n{d}accused: {acc}\n{fields}"
            f"sources:\n  - title: Source article\n{textwrap.dedent(extra)}---\n{body}\n")


@pytest.fixture
def workspace(tmp_path):
    """A workspace with the demo case; returns a writer to add or replace files."""
    root = tmp_path / "ws"
    (root / "cases/demo/evidence").mkdir(parents=True)
    (root / "exhibits/demo").mkdir(parents=True)
    (root / "cases/demo/case.yaml").write_text(CASE_YAML, encoding="utf-8")

    class W:
        path = root

        def write(self, rel, text):
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                p.write_bytes(text)
            else:
                p.write_text(text, encoding="utf-8")
            return p

        def item(self, id, **kw):
            return self.write(f"cases/demo/evidence/{id}.md", item(id, **kw))

    return W()


def run(*args, root=None):
    """Run the CLI; returns (exit code, stdout, stderr)."""
    argv = list(args)
    if root is not None:
        argv += ["--root", str(root)]
    r = CliRunner().invoke(app, argv)
    return r.exit_code, r.stdout, r.stderr


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    return " ".join(text.split())


def pages_text(pdf) -> list[str]:
    return [norm(p.extract_text() or "") for p in PdfReader(str(pdf)).pages]


def outline_entries(pdf) -> list[tuple[int, str, int]]:
    """(level, title as written, page number) for every outline entry, depth first."""
    r = PdfReader(str(pdf))
    out = []

    def walk(items, level):
        for it in items:
            if isinstance(it, list):
                walk(it, level + 1)
            else:
                out.append((level, it.title, r.get_destination_page_number(it) + 1))

    walk(r.outline, 0)
    return out


def outline_titles(pdf) -> list[tuple[int, str, int]]:
    """(level, title, page number) for every outline entry, depth first. A bookmark reads
    "<title> · p. <page>", the page it points to: the title is given without it."""
    out = []
    for level, written, page in outline_entries(pdf):
        title, _, shown = written.rpartition(" · p. ")
        assert shown == str(page), (written, page)
        out.append((level, title, page))
    return out


def counting_tool(folder: Path, name: str) -> Path:
    """`name` on a PATH folder that logs each call's arguments to a file, then runs the real
    tool; returns the log file."""
    real = shutil.which(name)
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "calls"
    tool = folder / name
    tool.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\nexec {real} \"$@\"\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return log


def link_annotations(pdf) -> list[tuple[int, tuple, int | None]]:
    """(page with the link, its rectangle, target page) for every internal link annotation."""
    r = PdfReader(str(pdf))
    ids = {p.indirect_reference.idnum: i + 1 for i, p in enumerate(r.pages)}
    out = []
    for i, page in enumerate(r.pages, 1):
        for a in page.get("/Annots", []) or []:
            a = a.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            dest = a.get("/Dest")
            if dest is None and "/A" in a:
                dest = a["/A"].get("/D")
            if isinstance(dest, str) or dest is None:
                dest = r.named_destinations.get(dest)
                target = r.get_destination_page_number(dest) + 1 if dest is not None else None
            else:
                target = ids.get(dest[0].idnum)
            out.append((i, tuple(float(v) for v in a["/Rect"]), target))
    return out


def links(pdf) -> list[tuple[int, int]]:
    """(page with the link, target page) for every internal link annotation."""
    return [(page, target) for page, _, target in link_annotations(pdf)]


def poppler(tool: str) -> str:
    """The path of a poppler tool (pdftotext, pdftoppm). The checks that read what a reader sees
    (pixels, text positions) fail without it, never skip: `make test` installs it."""
    path = shutil.which(tool)
    assert path, f"{tool} not found: install poppler-utils (`make tools`)"
    return path


def pdf_files(out: Path) -> dict[str, bytes]:
    """Every PDF under an output folder: relative path -> bytes."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(Path(out).rglob("*.pdf"))}


# ------------------------------------------------------------------ cases and files shared by the test modules

OUT = "out/demo/confidential/alpha.pdf"
SECRET_NAME = "Zahra Secretname"


def make_redacted_case(ws):
    """A protected witness, a marked span, a confidential item and a statement naming the witness."""
    ws.item("t1", type="testimony", date="1988-22", accused=("alpha",),
            extra="persons: [Zahra Secretname]\n",
            body="I, Zahra Secretname, saw the transfers. My cell mate was [[Ali Hiddenperson]].")
    p = ws.path / "cases/demo/evidence/t1.md"
    p.write_text(p.read_text().replace("  name: A Witness\n",
                                       "  name: Zahra Secretname\n  protected: true\n  pseudonym: P-0291\n"))
    ws.item("c1", date="1988-07", extra="confidential: true\n", body="Sealed material about the Confidential Matter.")
    p = ws.path / "cases/demo/evidence/c1.md"
    p.write_text(p.read_text().replace("title: Title of c1", "title: Sealed Confidential Matter"))
    ws.item("s1", date="1988-08", body="A public statement mentioning Zahra Secretname by name.")


def make_pdf(labels, size=A4, fill=None, corner=False) -> bytes:
    """One page per label, the label in big letters; `fill` paints the whole page (an opaque
    scan); `corner` puts a black square at the page's lower-left corner."""
    b = io.BytesIO()
    c = canvas.Canvas(b, pagesize=size, invariant=1)
    for label in labels:
        w, h = size
        if fill:
            c.setFillColorRGB(*fill)
            c.rect(-50, -50, w + 100, h + 100, fill=1, stroke=0)  # even beyond the page's box
        if corner:
            c.setFillColorRGB(0, 0, 0)
            c.rect(0, 0, 120, 120, fill=1, stroke=0)
        c.setFillColorRGB(1, 1, 1) if fill else c.setFillColorRGB(0, 0, 0)
        c.setFont("Helvetica-Bold", 24)
        c.drawString(150, h / 2, label)
        c.showPage()
    c.save()
    return b.getvalue()


def png(size=(400, 300), colour=(200, 30, 30), mode="RGB") -> bytes:
    b = io.BytesIO()
    Image.new(mode, size, colour).save(b, "PNG")
    return b.getvalue()


def exhibit_item(ws, id, files, date="1988-08", accused=("alpha",)):
    extra = "exhibits:\n" + "".join(f"  - file: {f}\n    description: file {f}\n" for f in files)
    ws.item(id, date=date, accused=accused, extra=extra)


def build(ws, *extra):
    code, out, err = run("build", "--edition", "confidential", "--accused", "alpha", "--force", *extra,
                         root=ws.path)
    assert code == 0, err + out
    return ws.path / OUT


def manifest(pdf) -> dict:
    return json.loads(PdfReader(str(pdf)).attachments["casefile-manifest.json"][0])


def file_entry(m: dict, path: str) -> dict:
    """The manifest's entry of the exhibit file at `path`."""
    return next(f for e in m["exhibits"] for f in e.get("files", []) if f["path"] == path)


def raw_pdf(objects: list[bytes]) -> bytes:
    """A hand-made PDF: object 1 is the catalog; a correct xref table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def flate_bomb_pdf(inflated: int = 120_000_000) -> bytes:
    """One page whose content stream is a few hundred KB of flate inflating to `inflated` bytes."""
    z = zlib.compressobj(9)
    zero = b" " * 1_000_000
    data = b"".join(z.compress(zero) for _ in range(inflated // len(zero))) + z.flush()
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                    f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode() + data + b"\nendstream"])


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width×height RGB pixels (and holds almost no data)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))


def pdfa_findings(pdf, flavour: str) -> list[str]:
    """pikepdf's PDF/A validator (an allowlist: what it does not know, it reports). It does not
    know /OpenAction, which PDF/A permits as a destination (not JavaScript, not a launch): the
    opening view is checked to be a plain destination, then the file is validated without it."""
    import io

    import pikepdf
    import pikepdf.pdfa

    with pikepdf.open(str(pdf)) as doc:
        action = doc.Root.get("/OpenAction")
        if action is not None:
            assert isinstance(action, pikepdf.Array) and str(action[1]) in ("/XYZ", "/Fit", "/FitH"), action
            del doc.Root.OpenAction
        copy = io.BytesIO()
        doc.save(copy)
    copy.seek(0)
    report = pikepdf.pdfa.validate_written(copy, flavour)
    return [f"{f.rule}: {f.message}" for f in list(report.violations) + list(report.unsupported)]


def qpdf_check(pdf) -> str:
    r = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout
