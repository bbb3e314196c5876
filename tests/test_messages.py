"""Every kind of problem in a case file is said in the case format's own words, with how to fix
it; no YAML parser or pydantic wording reaches the user. Each test asserts the exact text."""

from __future__ import annotations

import pytest
import yaml

from casefile.case.yamlread import LOADERS, read_yaml
from conftest import run

ITEM = "cases/demo/evidence/a.md"


def check_lines(ws) -> list[str]:
    code, out, err = run("check", root=ws.path)
    assert code == 1, out + err
    lines = [l for l in err.splitlines() if l]
    assert lines[-1].endswith("found")
    return lines[:-1]


def front(ws, text: str, path: str = ITEM):
    ws.write(path, "---\n" + text + "---\nBody.\n")


def test_both_loaders_are_tested():
    assert yaml.SafeLoader in LOADERS
    assert len(LOADERS) == 2, "libyaml (CSafeLoader) is expected in the test environment"


# ------------------------------------------------------------------ empty values


@pytest.mark.parametrize("loader", LOADERS, ids=lambda l: l.__name__)
def test_unquoted_empty_tilde_and_null_are_no_value(loader):
    text = "a:\nb: ~\nc: null\nd: Null\ne: NULL\nf: ''\ng: \"\"\nh: 'null'\ni: \"~\"\nj: !!str null\nk: |\n  null\n"
    data, lines, problems = read_yaml(text, "x.yaml", loader=loader)
    assert problems == []
    assert data == {"a": None, "b": None, "c": None, "d": None, "e": None, "f": "", "g": "",
                    "h": "null", "i": "~", "j": "null", "k": "null\n"}
    assert lines[("k",)] == 11


@pytest.mark.parametrize("loader", LOADERS, ids=lambda l: l.__name__)
def test_null_in_lists_and_flow_mappings(loader):
    data, _, problems = read_yaml("a: [~, null, x]\nb: {c: , d: ~}\n", "x.yaml", loader=loader)
    assert problems == []
    assert data == {"a": [None, None, "x"], "b": {"c": None, "d": None}}


def test_empty_optional_values_are_accepted(workspace):
    workspace.write(ITEM, "---\nid: a\ntype: statement\ntitle: T\ndate:\naccused: [alpha]\nspeaker: S\n"
                          "summary: ~\nsources:\n  - title: S\n    published: null\n    accessed: \"\"\n"
                          "    locator:\nplaces:\n---\nBody.\n")
    code, out, err = run("check", root=workspace.path)
    assert code == 0, err
    from casefile.case.loading import load_cases
    [lc] = load_cases(workspace.path)
    it = lc.items[0].item
    assert (it.date, it.summary, it.sources[0].published, it.sources[0].accessed, it.places) == (None, None, None, None, [])


def test_required_values_left_empty(workspace):
    front(workspace, 'id: a\ntype: document\ntitle: ""\naccused: [alpha]\nauthor: "  "\n'
                     'sources:\n  - title: ""\n    locator: p. 1\n')
    assert check_lines(workspace) == [
        f"{ITEM}:4: title: is empty (required): write the item's title",
        f"{ITEM}:6: author: is empty (required): write its author, or \"not stated in the sources\"",
        f"{ITEM}:8: sources.0.title: is empty (required): write the source's title (for an untitled "
        "source, a descriptive title marked as yours)",
    ]


def test_required_field_missing(workspace):
    front(workspace, "id: a\ntype: statement\ntitle: T\naccused: [alpha]\nsources: [{title: S}]\n")
    assert check_lines(workspace) == [f"{ITEM}:2: speaker: is missing (required): add 'speaker: …', "
                                      "who made the statement"]


def test_witness_empty_or_not_a_mapping(workspace):
    front(workspace, 'id: a\ntype: testimony\ntitle: T\naccused: [alpha]\nwitness: ""\nsources: [{title: S}]\n')
    front(workspace, 'id: b\ntype: testimony\ntitle: T\naccused: [alpha]\nwitness: Jane\nsources: [{title: S}]\n',
          "cases/demo/evidence/b.md")
    assert check_lines(workspace) == [
        f"{ITEM}:6: witness: needs a name (witness: {{name: …}})",
        "cases/demo/evidence/b.md:6: witness: needs a name (witness: {name: …}) (got 'Jane')",
    ]


def test_empty_lists(workspace):
    front(workspace, "id: a\ntype: statement\ntitle: T\naccused: []\nspeaker: S\nsources: []\n")
    assert check_lines(workspace) == [
        f"{ITEM}:5: accused: list at least one accused id from case.yaml (known: alpha, beta)",
        f"{ITEM}:7: sources: list at least one source (- title: …, locator: …)",
    ]


def test_empty_list_entry(workspace):
    front(workspace, 'id: a\ntype: statement\ntitle: T\naccused: [alpha, ""]\nspeaker: S\npersons: [x, ""]\n'
                     "sources: [{title: S}]\n")
    assert check_lines(workspace) == [
        f"{ITEM}:5: accused.1: an empty entry: remove it, or write its value",
        f"{ITEM}:7: persons.1: an empty entry: remove it, or write its value",
    ]


def test_a_combining_mark_with_no_letter_to_sit_on(workspace):
    workspace.write(ITEM, "---\nid: a\ntype: statement\ntitle: T\naccused: [alpha]\nspeaker: S\n"
                          'persons: ["\u064b\u06f0"]\nsources: [{title: S}]\n---\nBody.\n\n> \u064eword\n')
    assert check_lines(workspace) == [
        f"{ITEM}:7: persons.0: the combining mark U+064B (arabic fathatan) follows no letter: delete it, or type "
        "the letter it belongs on before it",
        f"{ITEM}:12: body: the combining mark U+064E (arabic fatha) follows no letter: delete it, or type the "
        "letter it belongs on before it",
    ]


# ------------------------------------------------------------------ wrong shapes and forms


def test_shapes(workspace):
    front(workspace, "id: a\ntype: statement\ntitle: T\naccused: alpha\nspeaker: [a, b]\n"
                     "sources:\n  - oops\nconfidential: maybe\n")
    assert check_lines(workspace) == [
        f"{ITEM}:5: accused: write a list: [alpha], or one '- ' line per entry",
        f"{ITEM}:6: speaker: write one text here, not a list",
        f"{ITEM}:8: sources.0: each source is a mapping with at least a title (- title: …) (got 'oops')",
        f"{ITEM}:9: confidential: write true or false (got 'maybe')",
    ]


def test_ids_and_pins(workspace):
    front(workspace, "id: My Item\ntype: statement\ntitle: T\naccused: [alpha]\nspeaker: S\n"
                     "sources: [{title: S}]\nexhibits:\n  - file: ok.txt\n    sha256: abc\n")
    workspace.write("exhibits/demo/ok.txt", "x")
    assert check_lines(workspace) == [
        f"{ITEM}:2: id: 'My Item' is not an id: use lower-case letters, digits, '.', '_' and '-', "
        "starting with a letter or digit (e.g. my-item)",
        f"{ITEM}:10: exhibits.0.sha256: 'abc': a SHA-256 pin is 64 lower-case hexadecimal digits "
        "(or leave the pin out)",
    ]


def test_type_missing_unknown_and_unknown_field(workspace):
    front(workspace, "id: a\ntitle: T\n")
    front(workspace, "id: b\ntype: poem\n", "cases/demo/evidence/b.md")
    front(workspace, "id: c\ntype: decree\ntitle: T\naccused: [alpha]\nissuer: I\nadressee: X\n"
                     "sources: [{title: S}]\n", "cases/demo/evidence/c.md")
    assert check_lines(workspace) == [
        f"{ITEM}:2: type: is missing (required): add 'type: …', one of: testimony, decree, statement, "
        "document, media",
        "cases/demo/evidence/b.md:3: type: unknown type 'poem' (one of: testimony, decree, statement, "
        "document, media)",
        "cases/demo/evidence/c.md:7: adressee: unknown field (did you mean 'addressee'?)",
    ]


def test_dates(workspace):
    front(workspace, "id: a\ntype: statement\ntitle: T\ndate: 2010/07/01\naccused: [alpha]\nspeaker: S\n"
                     "sources: [{title: S, published: 1 July 2010, accessed: 01.07.2010}]\n")
    assert check_lines(workspace) == [
        f"{ITEM}:5: date: '2010/07/01': write dates as YYYY-MM-DD (EDTF), here 2010-07-01",
        f"{ITEM}:8: sources.0.accessed: '01.07.2010': write dates as YYYY-MM-DD (EDTF)",
        f"{ITEM}:8: sources.0.published: '1 July 2010' is not a date: write YYYY, YYYY-MM, YYYY-MM-DD, "
        "YYYY-21..24 for a season, a ~ (circa) or ? (uncertain) suffix, or START/END for a range (EDTF)",
    ]


def test_unknown_ids_reported_with_schema_errors(workspace):
    """A typo in an accused or charge id is reported in the same run as the item's other problems."""
    front(workspace, "id: a\ntype: statement\ntitle: \"\"\naccused: [alpah]\ncharges: [murder/kiling, theft]\n"
                     "sources: [{title: S}]\n")
    assert check_lines(workspace) == [
        f"{ITEM}:2: speaker: is missing (required): add 'speaker: …', who made the statement",
        f"{ITEM}:4: title: is empty (required): write the item's title",
        f"{ITEM}:5: accused.0: unknown accused 'alpah' (known: alpha, beta)",
        f"{ITEM}:6: charges.0: charge 'murder' has no element 'kiling' (its elements: killing)",
        f"{ITEM}:6: charges.1: unknown charge 'theft' (known: murder, persecution)",
    ]


def test_protected_witness_without_pseudonym(workspace):
    front(workspace, "id: a\ntype: testimony\ntitle: T\naccused: [alpha]\nwitness: {name: W, protected: true}\n"
                     "sources: [{title: S}]\n")
    assert check_lines(workspace) == [f"{ITEM}:6: witness: a protected witness needs a pseudonym "
                                      "(pseudonym: …), which the public edition shows instead of the name"]


def test_decree_original_and_translation(workspace):
    front(workspace, "id: a\ntype: decree\ntitle: T\naccused: [alpha]\nissuer: I\nsources: [{title: S}]\n"
                     "original: {language: fa}\ntranslation: {certified: true}\n")
    assert check_lines(workspace) == [
        f"{ITEM}:8: original.text: is missing (required): add 'text: …', the original text, as the source gives it",
        f"{ITEM}:9: translation.translator: is missing (required): add 'translator: …', who made the translation",
    ]


# ------------------------------------------------------------------ case.yaml


def test_case_yaml_messages(workspace):
    workspace.write("cases/demo/case.yaml", 'id: demo\ntitle: ""\nforum:\nprepared_by: ~\nas_of: 2026/11/01\n'
                                            "numbering: {exhibit_width: 12, stamp_prefix: a b}\n"
                                            "translation_layout: parallel\naccused:\n  - id: Alpha\n    name: A\n"
                                            "  - oops\n")
    assert check_lines(workspace) == [
        "cases/demo/case.yaml:2: title: is empty (required): write the case's title",
        "cases/demo/case.yaml:3: forum: is empty (required): write the forum the dossiers are for "
        "(a court, a prosecutor, a UN body)",
        "cases/demo/case.yaml:4: prepared_by: is empty (required): write who prepared the dossiers",
        "cases/demo/case.yaml:5: as_of: '2026/11/01': write dates as YYYY-MM-DD (EDTF), here 2026-11-01",
        "cases/demo/case.yaml:6: numbering.exhibit_width: write a number from 1 to 8 (got '12')",
        "cases/demo/case.yaml:6: numbering.stamp_prefix: 'a b': a page-stamp prefix is 1 to 16 letters, "
        "digits or '-', e.g. IR88",
        "cases/demo/case.yaml:7: translation_layout: write side-by-side or sequential (got 'parallel')",
        "cases/demo/case.yaml:9: accused.0.id: 'Alpha' is not an id: use lower-case letters, digits, '.', "
        "'_' and '-', starting with a letter or digit (e.g. alpha)",
        "cases/demo/case.yaml:9: accused.0.status: is missing (required): add 'status: …', the accused's "
        "status, in words (deceased, convicted, at large, not stated…)",
        "cases/demo/case.yaml:11: accused.1: each accused is a mapping (- id: …, name: …, status: …) (got 'oops')",
    ]


def test_case_yaml_problems_do_not_hide_the_items(workspace):
    workspace.write("cases/demo/case.yaml", "id: demo\ntitle: T\nforum: F\nprepared_by: P\n"
                                            "accused:\n  - {id: alpha, name: A, status: s}\n")
    front(workspace, "id: a\ntype: statement\ntitle: T\naccused: [alhpa]\nspeaker: S\n")
    assert check_lines(workspace) == [
        "cases/demo/case.yaml:1: as_of: is missing (required): add 'as_of: …', the day the dossiers speak "
        "for, as YYYY-MM-DD",
        f"{ITEM}:2: sources: list at least one source (- title: …, locator: …)",
        f"{ITEM}:5: accused.0: unknown accused 'alhpa' (known: alpha)",
    ]


def test_case_needs_an_accused(workspace):
    workspace.write("cases/demo/case.yaml", "id: demo\ntitle: T\nforum: F\nprepared_by: P\nas_of: 2026-01-01\n"
                                            "accused: []\n")
    assert check_lines(workspace) == [
        "cases/demo/case.yaml:6: accused: list at least one accused (- id: …, name: …, status: …)"]


def test_case_id_differs_from_folder(workspace):
    workspace.write("cases/demo/case.yaml", (workspace.path / "cases/demo/case.yaml").read_text()
                    .replace("id: demo", "id: other"))
    assert check_lines(workspace) == ["cases/demo/case.yaml:1: id: 'other' differs from the folder name "
                                      "'demo': write id: demo"]


# ------------------------------------------------------------------ YAML syntax

YAML_CASES = [
    ("colon-in-value", "title: Farsi: transfers\n",
     "4: yaml: the value of 'title' contains ': ': put the whole value in quotes (title: \"…\")"),
    ("field-indented-under-a-value", "persons: [a]\n    locator: x\n",
     "5: yaml: 'locator' is indented more than the line above it, which already has its value: align it with the "
     "fields of its mapping"),
    ("misaligned-field", "sources:\n  - title: x\n   publisher: y\n",
     "6: yaml: 'publisher' is not aligned with the fields above it (from line 5): indent it like the other "
     "fields of the same mapping"),
    ("field-indented-under-value", "a: 1\n  b: 2\n",
     "5: yaml: 'b' is indented more than the field above it: align it with the fields of its mapping (or, if "
     "the line above continues on this one, put that value in quotes)"),
    ("unclosed-quote", 'title: "abc\naccused: [alpha]\n',
     "4: yaml: the quoted value opened on line 4 is never closed: add the closing quote"),
    ("unclosed-bracket", "title: [unclosed\naccused: [alpha]\n",
     "5: yaml: the list opened with '[' on line 4 is not closed: end it with ']' (and separate its entries "
     "with ',')"),
    ("unclosed-brace", "witness: {name: x\nspeaker: y\n",
     "5: yaml: the mapping opened with '{' on line 4 is not closed: end it with '}' (and separate its "
     "fields with ',')"),
    ("text-after-quote", 'title: "abc" def\n',
     "4: yaml: text after the closing quote: put the whole value inside the quotes"),
    ("star", "title: *bold* x\n",
     "4: yaml: a value starting with '*' is read as a YAML alias or anchor: put the value in quotes (\"*…\")"),
    ("at-sign", "title: @handle\n",
     "4: yaml: a value cannot start with '@' in YAML: put the value in quotes (\"@…\")"),
    ("no-colon", "just words\nspeaker: x\n",
     "4: yaml: this line is not a 'field: value' line: add the ':' after the field name, or, if it continues "
     "the value above, indent it or put that value in quotes"),
    ("bad-escape", 'title: "C:\\path"\n',
     "4: yaml: \\p is not an escape YAML knows inside double quotes: write \\\\ for a backslash, or put the "
     "value in single quotes"),
    ("misaligned-entry", "accused:\n  - a\n - b\n",
     "6: yaml: this '- ' list entry is not aligned with the entries above it: indent the entries of one list "
     "alike, under their field"),
    ("field-among-entries", "accused:\n  - a\n  b: c\n",
     "6: yaml: 'b' sits among '- ' list entries (from line 5): start a new entry with '- ', or indent the "
     "field like the fields of the entry above"),
    ("tab", "\ttitle: x\n", "4: yaml: a tab character: indent with spaces, not tabs"),
    ("block-scalar", "title: |x\n", "4: yaml: after '|' or '>' the text starts on the next line, indented"),
    ("anchor", "title: &x y\n",
     "4: yaml: YAML anchors and aliases are not allowed (a value starting with '&' or '*' must be put in quotes)"),
    ("local-tag", "title: !important\n",
     "4: title: YAML tag '!important' is not allowed (a value starting with '!' must be put in quotes)"),
    ("control-char", "title: bell\x07\n", "4: yaml: the character U+0007 cannot be used in a case file: remove it"),
]


@pytest.mark.parametrize("name,fields,expected", YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_yaml_syntax_messages(workspace, name, fields, expected):
    front(workspace, "id: a\ntype: statement\n" + fields)
    assert check_lines(workspace) == [f"{ITEM}:{expected}"]


def test_no_parser_wording_for_the_yaml_cases(workspace):
    """The words of PyYAML and pydantic never appear, whatever the case above."""
    for i, (_, fields, _) in enumerate(YAML_CASES):
        front(workspace, f"id: y{i}\ntype: statement\n" + fields, f"cases/demo/evidence/y{i}.md")
    code, out, err = run("check", root=workspace.path)
    for phrase in ("<block", "while parsing", "while scanning", "expected <", "could not find", "Input should",
                   "List should", "instance of", "invalid YAML"):
        assert phrase not in err, phrase


def test_second_document_in_case_yaml(workspace):
    workspace.write("cases/demo/case.yaml", (workspace.path / "cases/demo/case.yaml").read_text() + "---\nx: 1\n")
    lines = check_lines(workspace)
    assert lines[0].endswith(": yaml: a second '---' line: a YAML file here holds one document; remove the line")
