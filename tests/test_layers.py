"""The package's shape, enforced: imports go one way only (down the layers), no module takes part
in an import circle (function-level imports included), no module imports a private name of
another, and reportlab's and pypdf's private names are reached from one module each."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "casefile"

# lowest first; a module may import from its own layer or a lower one, never a higher one
LAYERS = {
    "casefile": 0, "casefile.errors": 0,
    "casefile.case": 1,
    "casefile.dossier": 2,
    "casefile.pdf": 3, "casefile.output": 3,
    "casefile.typeset": 4, "casefile.intake": 4,
    "casefile.submission": 5,
    "casefile.commands": 6,
    "casefile.cli": 7,
}
# the only modules allowed to touch the libraries' private names
PRIVATE_ACCESS = {"reportlab": "casefile.typeset.fastpath", "pypdf": "casefile.pdf.fastpath"}


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return LAYERS[prefix]
    raise AssertionError(f"{module}: not in any layer; add its package to LAYERS in {__file__}")


def imports(tree: ast.AST, module: str, is_package: bool):
    """(imported module, names, line) of every import, resolved to absolute names."""
    base = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                target = ".".join(base[:len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target, [a.name for a in node.names], node.lineno


def graph(package: Path = PACKAGE) -> dict:
    modules = {}
    for path in sorted(package.rglob("*.py")):
        name = module_name(path, package)
        modules[name] = (path.relative_to(package.parent.parent), ast.parse(path.read_text(encoding="utf-8")), path.name == "__init__.py")
    return modules


def edges(modules: dict):
    for name, (path, tree, is_pkg) in modules.items():
        for target, names, line in imports(tree, name, is_pkg):
            # `from casefile.typeset import rtl` imports the module casefile.typeset.rtl
            resolved = [f"{target}.{n}" if f"{target}.{n}" in modules else target for n in names] or [target]
            for t in dict.fromkeys(resolved):
                yield name, t, names, path, line


def problems_of(modules: dict) -> list[str]:
    out = []
    internal = {}
    for src, dst, names, path, line in edges(modules):
        where = f"{path}:{line}"
        if dst.startswith("casefile"):
            if dst not in modules:
                continue
            if dst != src:
                internal.setdefault(src, set()).add(dst)
            if layer_of(dst) > layer_of(src) and not dst.endswith("__init__"):
                if dst != "casefile" or names != ["__version__"]:
                    out.append(f"{where}: {src} (layer {layer_of(src)}) imports {dst} (layer {layer_of(dst)}): "
                               f"an arrow back up")
            for n in names:
                if n.startswith("_") and not n.startswith("__") and f"{dst}.{n}" not in modules:
                    out.append(f"{where}: {src} imports the private name {n} of {dst}")
        else:
            lib = dst.split(".")[0]
            private = any(p.startswith("_") and not p.startswith("__") for p in dst.split(".")[1:]) or \
                any(n.startswith("_") and not n.startswith("__") for n in names)
            if lib in PRIVATE_ACCESS and private and src != PRIVATE_ACCESS[lib]:
                out.append(f"{where}: {src} reaches into {lib}'s private names ({dst} {names}); "
                           f"only {PRIVATE_ACCESS[lib]} may")
    # circles: any strongly connected component of more than one module
    index, low, stack, on, count = {}, {}, [], set(), [0]

    def visit(v):
        index[v] = low[v] = count[0]
        count[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(internal.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append("import circle: " + " -> ".join(sorted(comp)))

    for v in sorted(modules):
        if v not in index:
            visit(v)
    return out


# Known departures being removed (each entry must go when its cause goes; none may be added).
KNOWN: set[str] = set()


def test_the_package_keeps_its_layers():
    found = set(problems_of(graph()))
    assert sorted(found - KNOWN) == [], "new departures from the layers"
    assert sorted(KNOWN - found) == [], "fixed: remove these from KNOWN"


def test_the_rule_catches_an_arrow_back_up_a_circle_and_a_private_import(tmp_path):
    pkg = tmp_path / "casefile"
    for sub in ("case", "typeset"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "case" / "models.py").write_text("from casefile.typeset.document import render\n")
    (pkg / "typeset" / "document.py").write_text("def render(): pass\nfrom casefile.typeset.other import _x\n")
    (pkg / "typeset" / "other.py").write_text("import casefile.typeset.document\n_x = 1\n"
                                               "from reportlab.platypus.paragraph import _processed_frags\n")
    found = "\n".join(problems_of(graph(pkg)))
    assert "casefile.case.models (layer 1) imports casefile.typeset.document (layer 4)" in found
    assert "import circle: casefile.typeset.document -> casefile.typeset.other" in found
    assert "imports the private name _x of casefile.typeset.other" in found
    assert "reaches into reportlab's private names" in found


@pytest.mark.parametrize("layer", ["casefile.case", "casefile.dossier"])
def test_the_lower_layers_use_no_pdf_library(layer):
    bad = [f"{src}: {dst}" for src, dst, _, _, _ in edges(graph())
           if src.startswith(layer) and dst.split(".")[0] in ("reportlab", "pypdf", "pikepdf", "PIL")]
    assert bad == []
