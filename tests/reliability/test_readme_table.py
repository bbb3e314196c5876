"""README.md's table "Hostile input and faults: what happens" is generated from cases.ROWS and
must stay equal to it; every row is asserted by a test. To rewrite the README's section after
changing ROWS: CASEFILE_WRITE_README=1 .venv/bin/python -m pytest tests/reliability/test_readme_table.py"""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REPO

from .cases import README_HEADING, ROWS, readme_section

README = REPO / "README.md"


def _split(text: str) -> tuple[str, str, str]:
    """(before the section, the section, after it)."""
    start = text.find(README_HEADING + "\n")
    if start < 0:
        return text, "", ""
    end = text.find("\n## ", start + 1)
    end = len(text) if end < 0 else end + 1
    return text[:start], text[start:end], text[end:]


def test_readme_table_equals_the_tested_rows():
    text = README.read_text(encoding="utf-8")
    before, section, after = _split(text)
    want = readme_section()
    if section != want and os.environ.get("CASEFILE_WRITE_README"):
        README.write_text(before + want + after if section else text.rstrip("\n") + "\n\n" + want,
                          encoding="utf-8")
        return
    assert section, f"README.md has no section {README_HEADING!r}"
    assert section == want, "README.md's table differs from tests/reliability/cases.py (see the docstring)"


def test_every_row_is_asserted_by_a_test():
    sources = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py")
                      if p.name != Path(__file__).name)
    for row in ROWS:
        if row.kind == "input":
            continue  # test_hostile_input.py is parametrised over every input row
        assert f'"{row.key}"' in sources, f"no test names row {row.key!r}"
