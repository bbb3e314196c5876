"""The first hour with a case of one's own: `casefile init`, `casefile new` for each type; the
first check lists exactly the required values still empty, one line each; once they are written,
the case checks clean and builds."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import pages_text, run

TYPES = ("testimony", "decree", "statement", "document", "media")
SPECIFIC = {"testimony": ("witness.name", 'witness:\n  name: ""', 'witness:\n  name: "Jane Roe"'),
            "decree": ("issuer", 'issuer: ""', 'issuer: "The Fictional Council"'),
            "statement": ("speaker", 'speaker: ""', 'speaker: "A. Spokesperson"'),
            "document": ("author", 'author: ""', 'author: "not stated in the sources"'),
            "media": ("author", 'author: ""', 'author: "A. Poster"')}
SOURCE = 'the source\'s title (for an untitled source, a descriptive title marked as yours)'


def _line(path: Path, start: str) -> int:
    return next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if l.lstrip().startswith(start))


def test_init_and_new_then_fill_in(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    code, out, err = run("init", "fiction", root=root)
    assert code == 0, err
    case_yaml = root / "cases/fiction/case.yaml"
    example = root / "cases/fiction/evidence/example-testimony.md"
    assert f"created  {case_yaml}" in out.splitlines() and f"created  {example}" in out.splitlines()
    assert (root / "exhibits/fiction").is_dir()
    items = {"testimony": example}
    for t in TYPES:
        code, out, err = run("new", t, "--case", "fiction", root=root)
        assert code == 0, err
        items[f"new-{t}"] = Path(out.strip())

    code, out, err = run("check", root=root)
    assert code == 1
    lines = err.splitlines()
    c = "cases/fiction/case.yaml"
    expected = [
        f"{c}:{_line(case_yaml, 'title:')}: title: is empty (required): write the case's title",
        f"{c}:{_line(case_yaml, 'forum:')}: forum: is empty (required): write the forum the dossiers are for "
        "(a court, a prosecutor, a UN body)",
        f"{c}:{_line(case_yaml, 'prepared_by:')}: prepared_by: is empty (required): write who prepared the dossiers",
        f"{c}:{_line(case_yaml, 'as_of:')}: as_of: is empty (required): write the day the dossiers speak for, "
        "as YYYY-MM-DD",
        f"{c}:{_line(case_yaml, 'name:')}: accused.0.name: is empty (required): write the accused's name",
        f"{c}:{_line(case_yaml, 'status:')}: accused.0.status: is empty (required): write the accused's status, "
        "in words (deceased, convicted, at large, not stated…)",
    ]
    item_lines = []
    for key, path in items.items():
        t = key.removeprefix("new-")
        shown = path.relative_to(root).as_posix()
        field, empty, _ = SPECIFIC[t]
        what = {"witness.name": "the witness's name", "issuer": "who issued the decree",
                "speaker": "who made the statement", "author": 'its author, or "not stated in the sources"'}[field]
        item_lines += [
            (shown, _line(path, "title:"), f"title: is empty (required): write the item's title"),
            (shown, _line(path, "accused:"), "accused: list at least one accused id from case.yaml (known: accused-1)"),
            (shown, _line(path, "- title:"), f"sources.0.title: is empty (required): write {SOURCE}"),
            (shown, _line(path, empty.splitlines()[-1].strip()), f"{field}: is empty (required): write {what}"),
        ]
    expected += [f"{p}:{n}: {m}" for p, n, m in sorted(item_lines)]
    assert lines == expected + [f"{len(expected)} problems found"]

    # fill in exactly the values listed: the case checks clean
    text = case_yaml.read_text(encoding="utf-8")
    for old, new in (('title: ""', 'title: "A fictional case"'), ('forum: ""', 'forum: "A fictional court"'),
                     ('prepared_by: ""', 'prepared_by: "The test suite"'), ('as_of: ""', "as_of: 2026-01-15"),
                     ('name: ""', 'name: "John Doe"'), ('status: ""', 'status: "at large"')):
        text = text.replace(old, new, 1)
    case_yaml.write_text(text, encoding="utf-8")
    for key, path in items.items():
        t = key.removeprefix("new-")
        text = path.read_text(encoding="utf-8")
        _, empty, filled = SPECIFIC[t]
        text = (text.replace('title: ""', f'title: "A {t} about John Doe"', 1)
                .replace("accused: []", "accused: [accused-1]", 1)
                .replace('  - title: ""', '  - title: "A fictional source"', 1)
                .replace(empty, filled, 1))
        path.write_text(text + "> John Doe was there, the source says.\n", encoding="utf-8")
    code, out, err = run("check", root=root)
    assert code == 0, err
    assert err == ""
    assert "cases/fiction/case.yaml: ok (6 items, 1 accused)" in out

    code, out, err = run("build", "--edition", "confidential", root=root)
    assert code == 0, err
    pdf = root / "out/fiction/confidential/accused-1.pdf"
    text = " ".join(pages_text(pdf))
    for t in TYPES:
        assert f"A {t} about John Doe" in text


def test_init_refuses_an_existing_case_and_a_bad_id(workspace):
    code, out, err = run("init", "demo", root=workspace.path)
    assert code == 2
    assert err.splitlines()[0] == (f"{workspace.path.as_posix()}/cases/demo/case.yaml:0: case: already exists: "
                                   "casefile init makes new cases only")
    code, out, err = run("init", "My Case", root=workspace.path)
    assert code == 2
    assert err.splitlines()[0] == ("-:0: case: 'My Case' is not a case id: use lower-case letters, digits, '.', '_' "
                                   "and '-', starting with a letter or digit (e.g. 1988-massacre)")


def test_new_on_a_missing_case_says_how_to_start_one(workspace):
    code, out, err = run("new", "testimony", "--case", "nope", root=workspace.path)
    assert code == 2
    assert err.splitlines()[0] == (f"cases/nope/case.yaml:0: case: no case 'nope' in {workspace.path / 'cases'} "
                                   "(known: demo); start one with: casefile init nope")


def test_schema_takes_root_and_lists_its_choices(workspace):
    code, out, err = run("schema", "case", root=workspace.path)
    assert code == 0, err
    assert json.loads(out)["title"] == "Case"
    code, out, err = run("schema", "bogus", root=workspace.path)
    assert code == 2
    assert err.strip() == "unknown schema 'bogus' (one of: case, item, export, all)"


def test_readme_and_docs_agree_on_commands_and_places():
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    docs = (REPO / "docs/case-format.md").read_text(encoding="utf-8")
    assert "`casefile schema [case|item|export|all]" in readme.replace("\\|", "|")
    assert "`casefile init CASE" in readme
    assert "exhibits/<case-id>/exhibits.lock" not in docs and "exhibits.lock" in docs
    tree = next(block for block in docs.split("```") if "1988-massacre/" in block and "exhibits/" in block)
    assert tree.index("exhibits.lock") < tree.index("\nexhibits/"), "exhibits.lock drawn under exhibits/"
    assert "out/<case>/export/<edition>" in readme.replace("OUT", "out")
    assert "## Translations" in docs and "## Templates" in docs
