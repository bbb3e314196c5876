"""Shared fixtures: small workspaces written on the fly, and PDF read-back helpers."""

from __future__ import annotations

import os
import re
import textwrap
import unicodedata
from pathlib import Path

import pytest
from hypothesis import settings
from pypdf import PdfReader
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


def outline_titles(pdf) -> list[tuple[int, str, int]]:
    """(level, title, page number) for every outline entry, depth first. A bookmark reads
    "<title> · p. <page>", the page it points to: the title is given without it."""
    r = PdfReader(str(pdf))
    out = []

    def walk(items, level):
        for it in items:
            if isinstance(it, list):
                walk(it, level + 1)
            else:
                page = r.get_destination_page_number(it) + 1
                title, _, shown = it.title.rpartition(" · p. ")
                assert shown == str(page), (it.title, page)
                out.append((level, title, page))

    walk(r.outline, 0)
    return out


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


def pdf_files(out: Path) -> dict[str, bytes]:
    """Every PDF under an output folder: relative path -> bytes."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(Path(out).rglob("*.pdf"))}
