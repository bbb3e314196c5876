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
    assert "Name in original script, supplied by the compiler حمید نوری" in alpha  # profile


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


def test_links_persons_and_forum_the_source_does_not_give_are_warned(workspace):
    workspace.item("t1", type="testimony", accused=("alpha", "beta"),
                   extra="forum: Stockholm District Court\npersons: [Alpha Person, Gamma Person]\ncharges: [murder]\n",
                   body="The compiler's words about Beta Person and Gamma Person.\n\n"
                        "> Mr. Smith said so, in the “court of Stockholm”.")
    workspace.item("s1", accused=("beta",), extra="charges: [murder]\n", body="Nothing quoted here names anyone.")  # no quotation: the whole text
    workspace.item("s2", accused=("alpha",), extra="supplied_by_compiler: [accused.alpha]\n", body="No name.")
    code, out, err = run("check", root=workspace.path)
    assert code == 0, err
    p = "cases/demo/evidence"
    assert err.splitlines() == [
        f"{p}/s1.md:6: accused.0: warning: the source's words this item quotes do not name Beta Person: quote "
        "the passage that links this item to them, or mark the link as yours (supplied_by_compiler: [accused.beta])",
        f"{p}/t1.md:6: accused.0: warning: the source's words this item quotes do not name Alpha Person: quote "
        "the passage that links this item to them, or mark the link as yours (supplied_by_compiler: [accused.alpha])",
        f"{p}/t1.md:6: accused.1: warning: the source's words this item quotes do not name Beta Person: quote "
        "the passage that links this item to them, or mark the link as yours (supplied_by_compiler: [accused.beta])",
        f"{p}/t1.md:11: forum: warning: the source's words this item quotes do not give this forum: quote the "
        "passage that does, or mark it as yours (supplied_by_compiler: [forum])",
        f"{p}/t1.md:12: persons.0: warning: the source's words this item quotes do not name Alpha Person: list "
        "only the persons its passage names, or mark the list as yours (supplied_by_compiler: [persons])",
        f"{p}/t1.md:12: persons.1: warning: the source's words this item quotes do not name Gamma Person: list "
        "only the persons its passage names, or mark the list as yours (supplied_by_compiler: [persons])",
    ]
    assert out.splitlines()[-1] == "0 problems found, 6 warnings"



def test_links_the_source_gives(workspace):
    workspace.write("cases/demo/case.yaml", CASE_YAML.replace("    status: deceased\n",
                                                              "    status: deceased\n    aliases: [Ayatollah B]\n"))
    workspace.item("t1", type="testimony", accused=("alpha", "beta"),
                   extra="    locator: transcript of the Stockholm District Court, day 3\n"
                         "forum: Stockholm District Court\npersons: [Alpha Person]\ncharges: [murder]\n",
                   body="Compiler's words.\n\n> Then Person (Alpha) came; “Ayatollah B” said it.")
    code, out, err = run("check", root=workspace.path)
    assert code == 0 and err == "", err
    assert out.splitlines()[-1] == "0 problems found"


def test_the_sample_states_only_what_its_sources_say():
    from casefile.case.loading import load_cases
    from conftest import REPO

    code, out, err = run("check", root=REPO)
    # every link is in a quoted passage or marked; the one warning is the truth about Raisi's dossier
    assert code == 0 and err.splitlines() == [
        "cases/1988-massacre/case.yaml:66: accused.2: warning: no item concerning Ebrahim Raisi cites a charge or an "
        "element: the dossier shows no supporting evidence for any charge (its evidence matrix says so)"], err
    [lc] = load_cases(REPO)
    by_id = {li.item.id: li.item for li in lc.items}
    for t in ("testimony-farsi", "testimony-jalal", "testimony-royaei", "testimony-saheb-jam"):
        assert "noury" not in by_id[t].accused and by_id[t].forum is None, t
        assert by_id[t].supplied_by_compiler == ["witness.name_original"], t
    assert "Ruhollah Khomeini" not in by_id["isna-parsineh-2013-09-18"].persons
    assert [i for i, it in by_id.items() if "noury" in it.accused] == ["noury-stockholm-trial"]
    assert all("name_original" in a.supplied_by_compiler for a in lc.case.accused if a.name_original)
    import re
    for li in lc.items:  # Persian script only where it is marked as the compiler's
        for field in ("places", "persons", "organisations"):
            assert not any(re.search("[\u0600-\u06ff]", v) for v in getattr(li.item, field)), (li.item.id, field)


def test_an_accused_no_item_cites_for_a_charge_is_warned(workspace):
    workspace.item("a1", accused=("alpha", "beta"), extra="charges: [murder/killing]\n", body="> Alpha Person, Beta Person.")
    workspace.item("a2", accused=("beta",), body="> Beta Person.")
    code, out, err = run("check", root=workspace.path)
    assert code == 0 and err == "", err  # each has an item citing a charge
    workspace.item("a1", accused=("alpha",), body="> Alpha Person.")
    code, out, err = run("check", root=workspace.path)
    assert err.splitlines() == [
        "cases/demo/case.yaml:11: accused.0: warning: no item concerning Alpha Person cites a charge or an element: "
        "the dossier shows no supporting evidence for any charge (its evidence matrix says so)",
        "cases/demo/case.yaml:19: accused.1: warning: no item concerning Beta Person cites a charge or an element: "
        "the dossier shows no supporting evidence for any charge (its evidence matrix says so)"]


def test_the_sample_quotes_its_sources_word_for_word():
    import re

    from conftest import REPO

    stored = " ".join(" ".join(p.read_text(encoding="utf-8").split())
                      for p in sorted((REPO / "exhibits/1988-massacre/sources").glob("*.txt")))
    quotes = 0
    for path in sorted((REPO / "cases/1988-massacre/evidence").rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for m in re.finditer(r"(?:^> .*\n?)+", body, re.M):
            for line in m.group().splitlines():  # a post's lines may stand apart in the article
                quotes += 1
                assert " ".join(line[2:].split()) in stored, (path.name, line[:60])
    assert quotes >= 30
