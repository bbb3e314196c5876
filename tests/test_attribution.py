"""What the compiler supplies, not the sources, is marked as the compiler's on the page; a link to an
accused that the source does not make is the compiler's reading, and says so."""

from __future__ import annotations

from conftest import CASE_YAML, pages_text, run


def test_supplied_values_are_marked_on_the_page(workspace):
    workspace.write("cases/demo/case.yaml", CASE_YAML.replace(
        "    name_original: حمید نوری\n", "    name_original: حمید نوری\n    supplied_by_compiler: [name_original]\n"))
    workspace.item("t1", type="testimony", accused=("alpha", "beta"),
                   extra="forum: A district court\nsupplied_by_compiler: [forum, accused.beta]\n",
                   body="> Alpha Person was there.")
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, err
    alpha = " ".join(pages_text(workspace.path / "out/demo/confidential/alpha.pdf"))
    assert "Forum A district court (supplied by the compiler)" in alpha
    assert ("Concerns Alpha Person; Beta Person (link supplied by the compiler: the source does not name this "
            "person here)") in alpha
    assert "name in original script supplied by the compiler" in alpha  # cover
    assert "حمید نوری (supplied by the compiler)" in alpha or "(supplied by the compiler) حمید نوری" in alpha


def test_supplied_entries_must_name_a_field_with_a_value(workspace):
    workspace.item("t1", type="testimony", extra="supplied_by_compiler: [forum, accused.beta, witness.name_original]\n")
    code, out, err = run("check", root=workspace.path)
    assert code == 1
    msg = ("names no field of this item that has a value: write a field's name (forum, date, witness.name_original, "
           "…) or accused.ID for a link to an accused (e.g. accused.alpha)")
    p = "cases/demo/evidence/t1.md:11"
    assert err.splitlines() == [f"{p}: supplied_by_compiler.0: 'forum' {msg}",
                                f"{p}: supplied_by_compiler.1: 'accused.beta' {msg}",
                                f"{p}: supplied_by_compiler.2: 'witness.name_original' {msg}",
                                "3 problems found"]
