"""Each hostile input of cases.INPUT_ROWS breaks a workspace that was built successfully; the
rebuild must exit with the row's code, print exactly the row's problem lines, leave the earlier
dossiers byte-identical and leave no temporary file anywhere."""

from __future__ import annotations

import pytest

from conftest import run

from .cases import INPUT_ROWS, Row
from .conftest import assert_report, assert_valid_pdfs, leftovers, pdfs


@pytest.mark.parametrize("row", INPUT_ROWS, ids=lambda r: r.key)
def test_hostile_input(row: Row, built):
    before = pdfs(built.out)
    lock_before = (built.path / "cases/demo/exhibits.lock").read_bytes()
    assert before
    built.apply(row.files)
    code, out, err = run("build", root=built.path)
    assert code in row.codes, f"exit {code}\n{out}\n{err}"
    if code == 0:
        assert err == ""
        for line in row.stdout:
            assert line in out.splitlines()
        after = pdfs(built.out)
        assert set(after) == set(before)  # no dossier for an accused without evidence
        assert_valid_pdfs(after, built.out)
    else:
        assert_report(err, row.stderr)
        assert pdfs(built.out) == before  # byte-identical: nothing was written
        assert (built.path / "cases/demo/exhibits.lock").read_bytes() == lock_before
    assert leftovers(built.out, built.path / "cases") == []
    if row.sentinel:
        assert not (built.path / row.sentinel).exists(), "a YAML tag was executed"


@pytest.mark.parametrize("row", [r for r in INPUT_ROWS if r.sentinel], ids=lambda r: r.key)
def test_the_tag_rows_would_run_code_if_yaml_were_loaded_unsafely(row: Row, tmp_path):
    """Shows the sentinel check means something: PyYAML's unsafe loader does create the file."""
    import yaml

    from casefile.case.loading import split_front_matter

    [(path, text)] = row.files.items()
    text = text.replace("{root}", str(tmp_path))
    front, _, _ = split_front_matter(text)
    try:
        yaml.unsafe_load(front if front is not None else text)
    except Exception:  # noqa: BLE001 - the object built afterwards may fail; the call ran
        pass
    assert (tmp_path / row.sentinel).exists()  # os.system and subprocess.call return when it is made
