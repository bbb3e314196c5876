"""Issue 2: list, schema, new; the sample case is clean."""

import json
from pathlib import Path

import pytest

from casefile.commands.export import export_schema
from conftest import REPO, run


def test_sample_case_checks_clean():
    code, out, err = run("check", root=REPO)
    assert code == 0, err
    assert "cases/1988-massacre/case.yaml: ok" in out


def test_list_counts(workspace):
    workspace.item("a1")
    workspace.item("a2", type="testimony", accused=("alpha", "beta"))
    code, out, err = run("list", root=workspace.path)
    assert code == 0, err
    lines = out.splitlines()
    alpha = next(l for l in lines if "alpha" in l and "Alpha Person" in l)
    beta = next(l for l in lines if "beta" in l and "Beta Person" in l)
    assert alpha.rstrip(" │|").split()[-1] == "2" and beta.rstrip(" │|").split()[-1] == "1"
    assert any("testimony" in l and "1" in l for l in lines)


def test_schema_is_json_schema(workspace):
    code, out, err = run("schema", "item")
    item = json.loads(out)
    assert set(item["discriminator"]["mapping"]) == {"testimony", "decree", "statement", "document", "media"}
    code, out, err = run("schema", "case")
    case = json.loads(out)
    assert case["additionalProperties"] is False and "accused" in case["required"]


def test_published_export_schema_is_current():
    published = json.loads((REPO / "docs/export.schema.json").read_text(encoding="utf-8"))
    assert published == export_schema(), "run: casefile schema export > docs/export.schema.json"


def test_new_item_lists_every_field(workspace):
    for type_ in ("testimony", "decree", "statement", "document", "media"):
        code, out, err = run("new", type_, "--case", "demo", "--id", f"n-{type_}", root=workspace.path)
        assert code == 0, err
        text = Path(out.strip()).read_text()
        schema = json.loads(run("schema", "item")[1])
        name = type_.capitalize()
        for field in schema["$defs"][name]["properties"]:
            assert f"\n{field}:" in text or f"  {field}:" in text or f"#  {field}:" in text, (type_, field)
    code, out, err = run("new", "poem", "--case", "demo", root=workspace.path)
    assert code == 2 and err.strip() == "TYPE: unknown type 'poem' (one of: testimony, decree, statement, document, media)"


BROKEN_INSTALL = """\
import sys, importlib.abc
class Missing(importlib.abc.MetaPathFinder):  # every casefile module the commands import lazily
    def find_spec(self, name, path, target=None):
        if name.startswith("casefile.") and name not in ("casefile.cli", "casefile.errors"):
            raise ImportError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Missing())
sys.argv[0] = "casefile"
from casefile.cli import app
app()
"""


@pytest.mark.parametrize("args", [["build"], ["check"], ["list"], ["schema"], ["new", "statement", "--case", "x"],
                                  ["init", "x"], ["export"], ["verify", "x.pdf"], ["sign", "x.pdf", "--key", "k.p12"]],
                         ids=lambda a: a[0])
def test_a_module_that_cannot_be_imported_is_one_line_not_a_traceback(tmp_path, args):
    """The command's own imports run under the same wrapper as its work: a broken installation
    is one line and an exit code."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", BROKEN_INSTALL, *args, *(["--root", str(tmp_path)] if args[0] not in
                                                                    ("verify", "sign") else [])],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 70, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("casefile: cannot load casefile.") and \
        lines[0].endswith("(the installation is incomplete: reinstall casefile)"), lines[0]
