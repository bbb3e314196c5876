"""`casefile init CASE`: a new case to fill in: a commented case.yaml, its folders and an example
item. Every required value is left empty, so the first `casefile check` lists exactly what is
still to be written, one line each, and nothing half-written can be built by mistake."""

from __future__ import annotations

import re
from pathlib import Path

from casefile.commands.new import item_text
from casefile.errors import EXIT_USAGE, fail
from casefile.output.atomic import atomic_write

CASE_TEMPLATE = """\
# The case: what it is, for whom, and who is accused. `casefile check {id}` lists what is still
# missing. Every field is described in docs/case-format.md; `casefile schema case` prints them all.
# An empty value (nothing after the colon) means "no value": leave optional fields empty or remove
# them. Write only what your sources say; mark what you supply yourself (supplied_by_compiler).

id: {id_field}# the name of this folder
title: ""                         # required: the case's title
forum: ""                         # required: the court, prosecutor or UN body the dossiers are for
prepared_by: ""                   # required: who prepared the dossiers
as_of: ""                         # required: the day the dossiers speak for, YYYY-MM-DD
language: en                      # language of the case's texts
numbering:
  exhibit_prefix: "EX-"           # exhibit numbers EX-0001, EX-0002, …
  exhibit_width: 4                # digits of exhibit numbers (1 to 8)
  stamp_prefix: "CF"              # evidence numbers CF-0001-0001 … on exhibit file pages (letters, digits, '-')
translation_layout: side-by-side  # or sequential: how a decree's original and translation are set
page_size: A4                     # or Letter: the paper of the dossiers (exhibit file pages keep their own)
max_size:                         # optional: a portal's size limit, e.g. 25MB: a bigger dossier is written in volumes
summary:                          # optional: a paragraph for the cover

accused:                          # at least one; each gets a dossier of the items that concern them
  - id: accused-1                 # the id items use (accused: [accused-1]); rename it as you like
    name: ""                      # required: the name, as the sources write it
    name_original:                # optional: the name in its original script, if a source gives it
    aliases: []                   # other names the sources use
    status: ""                    # required, in words: deceased, convicted, at large, not stated…
    roles: []                     # - title: ""             (a role or position)
                                  #   institution:
                                  #   from:                 (EDTF date, e.g. 1988-07)
                                  #   to:
                                  #   source: ""            (where a source states it)
    notes:

charges: []                       # - id: murder-cah
                                  #   label: "Murder as a crime against humanity (proposed legal qualification)"
                                  #   basis: "Rome Statute of the ICC, art. 7(1)(a)"
                                  #   elements:
                                  #     - id: killing
                                  #       label: "The perpetrator killed one or more persons"

events: []                        # the case chronology, besides the dated items
                                  # - date: 1988-07-25       (EDTF: 1988, 1988-07, 1988-07-25, 1988-22 …)
                                  #   title: ""              (what happened)
                                  #   places: []
                                  #   source: ""             (which source states it)
                                  #   items: []              (items that record it: one row, not two)
"""

EXAMPLE_ID = "example-testimony"
EXAMPLE_HEADER = """\
An example item: fill it in from your source, or delete this file. Add more items with
`casefile new TYPE --case {id}` (testimony, decree, statement, document, media).
"""


def init_case(root: Path, case_id: str) -> list[Path]:
    """Write the new case's files; returns what was made. Refuses to touch an existing case."""
    root = Path(root)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", case_id or ""):
        raise fail("-", "case", f"'{case_id}' is not a case id: use lower-case letters, digits, '.', '_' and "
                                "'-', starting with a letter or digit (e.g. 1988-massacre)", exit_code=EXIT_USAGE)
    case_dir = root / "cases" / case_id
    if (case_dir / "case.yaml").exists():
        raise fail((case_dir / "case.yaml").as_posix(), "case", "already exists: casefile init makes new "
                                                               "cases only", exit_code=EXIT_USAGE)
    made = []
    for folder in (case_dir / "evidence", root / "exhibits" / case_id):
        if not folder.is_dir():
            folder.mkdir(parents=True)
            made.append(folder)
    path = case_dir / "case.yaml"
    atomic_write(path, CASE_TEMPLATE.format(id=case_id, id_field=f"{case_id} ".ljust(30)).encode("utf-8"))
    made.append(path)
    example = case_dir / "evidence" / f"{EXAMPLE_ID}.md"
    if not example.exists():
        atomic_write(example, item_text("testimony", EXAMPLE_ID, EXAMPLE_HEADER.format(id=case_id)).encode("utf-8"))
        made.append(example)
    return sorted(made)
