"""`casefile check`: every problem as path:line: field: message, then a count; exit 1."""

from conftest import run


def problems(ws):
    code, out, err = run("check", root=ws.path)
    return code, [l for l in err.splitlines() if l]


def test_clean_case_passes(workspace):
    workspace.item("a1")
    code, out, err = run("check", root=workspace.path)
    assert code == 0, err
    assert "0 problems found" in out


def test_unknown_field_bad_date_unknown_ids(workspace):
    workspace.item("a1", date="1988-02-30", accused=("alpha", "nobody"),
                   extra="bogus: 1\ncharges: [murder/killing, murder/nope, theft]\n")
    workspace.item("a2", extra="charges: [murder/nope, theft]\n")
    code, lines = problems(workspace)
    assert code == 1
    # the unknown ids of a1 are reported in the same run as its schema errors
    assert lines == [
        "cases/demo/evidence/a1.md:5: date: '1988-02-30': day 30 does not exist in February 1988",
        "cases/demo/evidence/a1.md:6: accused.1: unknown accused 'nobody' (known: alpha, beta)",
        "cases/demo/evidence/a1.md:10: bogus: unknown field",
        "cases/demo/evidence/a1.md:11: charges.1: charge 'murder' has no element 'nope' (its elements: killing)",
        "cases/demo/evidence/a1.md:11: charges.2: unknown charge 'theft' (known: murder, persecution)",
        "cases/demo/evidence/a2.md:10: charges.0: charge 'murder' has no element 'nope' (its elements: killing)",
        "cases/demo/evidence/a2.md:10: charges.1: unknown charge 'theft' (known: murder, persecution)",
        "7 problems found",
    ]


def test_unknown_accused_and_duplicate_id(workspace):
    workspace.item("a1", accused=("alpha", "nobody"))
    workspace.write("cases/demo/evidence/sub/again.md", open(workspace.path / "cases/demo/evidence/a1.md").read())
    code, lines = problems(workspace)
    assert code == 1
    assert "cases/demo/evidence/a1.md:6: accused.1: unknown accused 'nobody' (known: alpha, beta)" in lines
    assert ("cases/demo/evidence/sub/again.md:2: id: duplicate item id 'a1' "
            "(also in cases/demo/evidence/a1.md:2)") in lines


def test_yaml_syntax_duplicate_keys_tags_aliases(workspace):
    workspace.write("cases/demo/evidence/dup.md", "---\nid: dup\nid: again\ntype: statement\n---\n")
    workspace.write("cases/demo/evidence/tag.md", "---\nid: !!python/object:os.system x\n---\n")
    workspace.write("cases/demo/evidence/alias.md", "---\na: &x [1]\nb: *x\n---\n")
    workspace.write("cases/demo/evidence/tabs.md", "---\nid: t\n\ttype: statement\n---\n")
    workspace.write("cases/demo/evidence/nofm.md", "no front matter\n")
    code, lines = problems(workspace)
    assert code == 1
    assert "cases/demo/evidence/dup.md:3: id: duplicate key (first given on line 2)" in lines
    assert "cases/demo/evidence/tag.md:2: id: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed" in lines
    assert ("cases/demo/evidence/alias.md:2: yaml: YAML anchors and aliases are not allowed "
            "(a value starting with '&' or '*' must be put in quotes)") in lines
    assert "cases/demo/evidence/tabs.md:3: yaml: a tab character: indent with spaces, not tabs" in lines
    assert any(l.startswith("cases/demo/evidence/nofm.md:1: -: no front matter") for l in lines)
    assert lines[-1] == f"{len(lines) - 1} problems found"


def test_scalars_stay_text(workspace):
    # NO and 010 would be False and 8 in YAML 1.1; here they stay text
    workspace.item("a1", extra="persons: [NO, 010]\n")
    code, out, err = run("check", root=workspace.path)
    assert code == 0, err
    from casefile.case.loading import load_cases
    [lc] = load_cases(workspace.path)
    assert lc.items[0].item.persons == ["NO", "010"]


def test_exhibit_paths_stay_inside(workspace, tmp_path):
    (tmp_path / "outside.txt").write_text("secret")
    (workspace.path / "exhibits/demo/link.txt").symlink_to(tmp_path / "outside.txt")
    workspace.write("exhibits/demo/ok.txt", "fine")
    workspace.item("a1", extra="exhibits:\n  - file: ../../cases/demo/case.yaml\n  - file: /etc/passwd\n"
                               "  - file: link.txt\n  - file: missing.pdf\n  - file: ok.txt\n    sha256: " + "0" * 64 + "\n")
    code, lines = problems(workspace)
    assert code == 1
    p = "cases/demo/evidence/a1.md"
    assert f"{p}:11: exhibits.0.file: '../../cases/demo/case.yaml' leaves the exhibit folder ('..' is not allowed)" in lines
    assert f"{p}:12: exhibits.1.file: '/etc/passwd' is an absolute path; give a path under demo/" in lines
    assert f"{p}:13: exhibits.2.file: 'link.txt' is a symbolic link leading outside the exhibit folder" in lines
    assert any(l.startswith(f"{p}:14: exhibits.3.file: exhibit file not found") for l in lines)
    assert any(l.startswith(f"{p}:16: exhibits.4.sha256: ") and "the pinned sha256 is" in l for l in lines)


def test_case_yaml_problems(workspace):
    workspace.write("cases/demo/case.yaml", "id: demo\ntitle: T\nforum: F\nprepared_by: P\nas_of: 2026-02-30\n"
                                            "accused:\n  - id: a\n    name: A\n    status: s\n  - id: a\n"
                                            "    name: B\n    status: s\n")
    code, lines = problems(workspace)
    assert code == 1
    assert "cases/demo/case.yaml:5: as_of: '2026-02-30': day 30 does not exist in February 2026" in lines


def test_protected_witness_needs_pseudonym(workspace):
    workspace.item("t1", type="testimony", extra="")
    workspace.write("cases/demo/evidence/t1.md", workspace.path.joinpath("cases/demo/evidence/t1.md").read_text()
                    .replace("  name: A Witness\n", "  name: A Witness\n  protected: true\n"))
    code, lines = problems(workspace)
    assert code == 1
    assert ("cases/demo/evidence/t1.md:7: witness: a protected witness needs a pseudonym (pseudonym: …), "
            "which the public edition shows instead of the name") in lines
