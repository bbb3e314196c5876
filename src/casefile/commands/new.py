"""`casefile new TYPE --case CASE`: a new item file listing every field of its type.

Required values are left empty (""), optional ones blank: the file is refused until the required
ones are written, and `casefile check` lists exactly those, one line each."""

from __future__ import annotations

import re
from pathlib import Path

from casefile.case.loading import case_ids
from casefile.errors import EXIT_USAGE, fail
from casefile.output.atomic import atomic_write

COMMON = """\
---
{header}id: {id}
type: {type}
title: ""                 # required: a short, descriptive title
date:                     # EDTF: 1988, 1988-07, 1988-07-25, 1988-22 (summer), 1988~, 1988-07-25/1988-07-28
accused: []               # required: ids of the accused from case.yaml whom the source links to this item
charges: []               # charge ids, or charge-id/element-id
places: []
persons: []
organisations: []
language: en
summary:
sources:                  # required: at least one
  - title: ""             # required: the source's title (untitled: a descriptive one, marked as yours)
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
supplied_by_compiler: []  # fields whose value is yours, not the source's: e.g. [date, accused.ID]
"""
END = """\
# Below the closing line: the item's text (the statement, decree text or translation), quoted
# exactly; > for quoted lines, **bold**, *italic*, [[a span the public edition removes]].
---
"""

SPECIFIC = {
    "testimony": """\
witness:
  name: ""                # required
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
issuer: ""                # required: who issued it
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
speaker: ""               # required: who made the statement
role:
outlet:
medium:
context:
""",
    "document": """\
kind: letter              # letter, report, ...
author: ""                # required (or "not stated in the sources")
recipient:
""",
    "media": """\
kind: post                # post, photo, video
author: ""                # required (or "not stated in the sources")
handle:
platform:
url:
captured:
archive_url:
""",
}


def item_text(type: str, item_id: str, header: str = "") -> str:
    """The text of a new item file of `type`; `header` becomes comment lines at its top."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return COMMON.format(id=item_id, type=type, header=comment) + SPECIFIC[type] + END


def new_item(root: Path, case: str, type: str, item_id: str | None) -> Path:
    """Write the item file of `type` (one of case.models.ITEM_TYPES: the command line checks it)."""
    known = case_ids(Path(root))
    if case not in known:
        raise fail(f"cases/{case}/case.yaml", "case",
                   f"no case '{case}' in {Path(root) / 'cases'} (known: {', '.join(known) or 'none'}); "
                   f"start one with: casefile init {case}", exit_code=EXIT_USAGE)
    item_id = item_id or f"new-{type}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", item_id):
        raise fail("-", "id", f"'{item_id}' is not an item id: use lower-case letters, digits, '.', '_' and '-', "
                              "starting with a letter or digit", exit_code=EXIT_USAGE)
    path = Path(root) / "cases" / case / "evidence" / f"{item_id}.md"
    if path.exists():
        raise fail(path.as_posix(), "file", "already exists; choose another --id", exit_code=EXIT_USAGE)
    atomic_write(path, item_text(type, item_id).encode("utf-8"))
    return path
