"""`casefile new TYPE --case CASE`: a new item file listing every field of its type."""

from __future__ import annotations

from pathlib import Path

from casefile.case.loading import case_ids
from casefile.case.models import ITEM_TYPES
from casefile.errors import fail

COMMON = """\
---
id: {id}
type: {type}
title: ""                 # short, descriptive title
date:                     # EDTF: 1988, 1988-07, 1988-07-25, 1988-22 (summer), 1988~, 1988-07-25/1988-07-28
accused: []               # ids from case.yaml
charges: []               # charge ids, or charge-id/element-id
places: []
persons: []
organisations: []
language: en
summary:
sources:                  # at least one
  - title: ""
    publisher:
    url:
    file:                 # name of a stored copy of the source
    published:
    accessed:
    locator:              # section, paragraph or page in the source
exhibits: []              # - file: path under exhibits/<case-id>/
                          #   description: ""
                          #   sha256:        (optional pin)
                          #   confidential: false
confidential: false       # true: withheld from the public edition
redact: []                # names and phrases the public edition removes
"""

SPECIFIC = {
    "testimony": """\
witness:
  name: ""
  name_original:
  protected: false
  pseudonym:              # required when protected
given_on:
forum:                    # e.g. Stockholm District Court
detention: []             # - place: ""
                          #   from:
                          #   to:
                          #   note:
""",
    "decree": """\
issuer: ""
issued:
addressee:
original:                 # the text in its original language, if a source gives it
#  language: fa
#  text: |
#    ...
translation:
#  translator: ""
#  certified: false
#  certification:
""",
    "statement": """\
speaker: ""
role:
outlet:
medium:
context:
""",
    "document": """\
kind: letter              # letter, report, ...
author: ""
recipient:
""",
    "media": """\
kind: post                # post, photo, video
author: ""
handle:
platform:
url:
captured:
archive_url:
""",
}


def new_item(root: Path, case: str, type: str, item_id: str | None) -> Path:
    if type not in ITEM_TYPES:
        raise fail("-", "type", f"unknown type '{type}' (one of: {', '.join(ITEM_TYPES)})", exit_code=2)
    if case not in case_ids(Path(root)):
        raise fail(f"cases/{case}/case.yaml", "case", f"no case '{case}'", exit_code=2)
    item_id = item_id or f"new-{type}"
    path = Path(root) / "cases" / case / "evidence" / f"{item_id}.md"
    if path.exists():
        raise fail(path.as_posix(), "file", "already exists; choose another --id", exit_code=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\nThe item's text: the statement, quote, decree text or translation, quoted exactly.\n"
    path.write_text(COMMON.format(id=item_id, type=type) + SPECIFIC[type] + "---\n" + body, encoding="utf-8")
    return path
