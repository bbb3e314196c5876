"""The build's steps: workers get everything as arguments; what is up to date is not made again."""

import casefile.commands.workers
from conftest import pdf_files, run


def make_case(ws):
    for n, accused in enumerate([("alpha",), ("beta",), ("alpha", "beta")]):
        ws.item(f"i{n}", accused=accused, date=f"1988-0{n + 1}", body=f"Item {n}.")


def test_workers_need_nothing_but_their_job(workspace, monkeypatch, tmp_path):
    """A spawned worker starts from nothing (no module state of the build): each job carries
    all it needs. Its dossiers equal those of forked workers."""
    make_case(workspace)
    code, out, err = run("build", "--jobs", "2", "--out", str(tmp_path / "fork"), root=workspace.path)
    assert code == 0, err
    monkeypatch.setattr(casefile.commands.workers, "START_METHOD", "spawn")
    code, out, err = run("build", "--jobs", "2", "--out", str(tmp_path / "spawn"), root=workspace.path)
    assert code == 0, err
    forked, spawned = pdf_files(tmp_path / "fork"), pdf_files(tmp_path / "spawn")
    assert len(forked) == 4 and spawned == forked


def test_only_the_dossiers_whose_inputs_changed_are_made_again(workspace):
    make_case(workspace)
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    assert out.splitlines()[-1].startswith("4 dossiers built, 0 up to date")
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    assert out.splitlines()[-1].startswith("0 dossiers built, 4 up to date")
    workspace.item("i1", accused=("beta",), date="1988-02", body="Item 1, changed.")  # beta's only
    code, out, err = run("build", root=workspace.path)
    assert code == 0, err
    assert [line.split(":")[0].split("/out/")[1] for line in out.splitlines()[:-1]] == \
        ["demo/confidential/beta.pdf", "demo/public/beta.pdf"]
    assert out.splitlines()[-1].startswith("2 dossiers built, 2 up to date")
