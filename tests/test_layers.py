"""The package's shape, enforced: imports go one way only (down the layers), no module takes part
in an import circle (function-level imports included), no module imports a private name of
another, and reportlab's and pypdf's private names are reached from one module each: neither
imported (`from reportlab... import _x`) nor used as attributes (`canv._doc`, `self._calc()`
in a subclass of a reportlab class) anywhere else."""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import re
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
    return out + private_attributes(modules)


# ------------------------------------------------------------------ private attributes of the libraries
# An approximation, on the source alone: `x._name` is a use of a library's private name when
# `_name` is one the library defines (a def, a class or an assignment in its source) and casefile
# does not define it itself (a def, a class, or `self._name = ...` in a class of its own); and
# `self._name` in a subclass of a library class is one when that class or its library ancestors
# use `self._name` themselves.

_LIB_DEFINED = re.compile(r"^[ \t]*(?:def|class)[ \t]+(_[A-Za-z]\w*)|\bself\.(_[A-Za-z]\w*)|^[ \t]*(_[A-Za-z]\w*)[ \t]*=[^=]",
                          re.M)
_SELF_NAMES = re.compile(r"\bself\.(_[A-Za-z]\w*)|^[ \t]*def[ \t]+(_[A-Za-z]\w*)", re.M)


@functools.lru_cache(maxsize=None)
def library_private_names(lib: str) -> frozenset:
    """Every private name `lib` defines, from its source files."""
    folder = Path(importlib.util.find_spec(lib).submodule_search_locations[0])
    names = set()
    for path in folder.rglob("*.py"):
        for m in _LIB_DEFINED.finditer(path.read_text(encoding="utf-8", errors="replace")):
            names.add(next(g for g in m.groups() if g))
    return frozenset(n for n in names if not n.startswith("__"))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _library_classes(modules: dict, module: str, base: ast.expr, seen=()) -> list:
    """The library classes (reportlab, pypdf) a class base expression of `module` leads to."""
    _, tree, is_pkg = modules[module]
    if isinstance(base, ast.Name):
        for node in tree.body:  # a class of the same module
            if isinstance(node, ast.ClassDef) and node.name == base.id and (module, node.name) not in seen:
                return [k for b in node.bases for k in _library_classes(modules, module, b, seen + ((module, node.name),))]
        for target, names, _ in imports(tree, module, is_pkg):
            if base.id in names:
                if target.split(".")[0] in PRIVATE_ACCESS:
                    try:
                        cls = getattr(importlib.import_module(target), base.id)
                    except (ImportError, AttributeError):
                        return []
                    return [k for k in inspect.getmro(cls) if k.__module__.split(".")[0] in PRIVATE_ACCESS]
                if target in modules:
                    return _library_classes(modules, target, ast.Name(base.id), seen)
    return []


def _names_used_by(cls) -> frozenset:
    """The private names a library class's module uses on `self` or defines as methods (the
    module, not the class alone: reading a class's own lines is slow)."""
    try:
        return _names_in_file(inspect.getsourcefile(cls))
    except TypeError:
        return frozenset()


@functools.lru_cache(maxsize=None)
def _names_in_file(path: str) -> frozenset:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return frozenset(next(g for g in m.groups() if g) for m in _SELF_NAMES.finditer(text))


def private_attributes(modules: dict) -> list[str]:
    libs = {lib: library_private_names(lib) for lib in PRIVATE_ACCESS}
    classes = {}  # (module, class name) -> names its library ancestors use on self
    own = set()
    for name, (path, tree, _) in modules.items():
        def define(node, cls=None):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    used = set()
                    for b in child.bases:
                        for k in _library_classes(modules, name, b):
                            used |= _names_used_by(k)
                    classes[(name, child.name)] = used
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and _private(child.name):
                    own.add(child.name)
                elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store) and _private(child.id):
                    own.add(child.id)
                elif isinstance(child, ast.Attribute) and isinstance(child.ctx, ast.Store) and _private(child.attr) \
                        and cls is not None and isinstance(child.value, ast.Name) and child.value.id == "self" \
                        and child.attr not in classes[(name, cls)]:
                    own.add(child.attr)  # casefile's own attribute of its own object
                define(child, child.name if isinstance(child, ast.ClassDef) else cls)

        define(tree)
    out = []
    for name, (path, tree, _) in modules.items():
        allowed = {lib for lib, module in PRIVATE_ACCESS.items() if module == name}

        def check(node, attr, cls, text):
            if not _private(attr):
                return
            owners = [lib for lib, names in libs.items() if attr in names]
            by_base = cls is not None and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "self" and attr in classes.get((name, cls), ())
            if (by_base or (attr not in own and owners)) and not allowed & set(owners or PRIVATE_ACCESS):
                lib = " or ".join(owners) or "a library"
                only = " / ".join(PRIVATE_ACCESS[o] for o in (owners or PRIVATE_ACCESS))
                out.append(f"{path}:{node.lineno}: {name} uses {lib}'s private name {attr} ({text}); only {only} may")

        def walk(node, cls=None):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    walk(child, child.name)
                    continue
                if isinstance(child, ast.Attribute):
                    check(child, child.attr, cls, ast.unparse(child))
                elif isinstance(child, ast.Call) and isinstance(child.func, ast.Name) \
                        and child.func.id in ("getattr", "setattr", "hasattr", "delattr") and len(child.args) > 1 \
                        and isinstance(child.args[1], ast.Constant) and isinstance(child.args[1].value, str):
                    check(child, child.args[1].value, cls, ast.unparse(child))
                walk(child, cls)

        walk(tree)
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


def test_the_rule_catches_a_library_private_attribute_outside_fastpath(tmp_path):
    pkg = tmp_path / "casefile"
    (pkg / "typeset").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "typeset" / "__init__.py").write_text("")
    reaching = ("from reportlab.platypus import BaseDocTemplate, Flowable\n"
                "def link(c, key, rect):\n    c._addAnnotation(rect)\n"
                "class Doc(BaseDocTemplate):\n    def __init__(self):\n        self._doSave = 0\n"
                "def finish(doc):\n    doc._ID = b''\n    return getattr(doc.frame, '_atTop')\n"
                "class Own(Flowable):\n    def __init__(self):\n        self._lines_of_mine = []\n"
                "def other(p):\n    return p._lines_of_mine\n")
    (pkg / "typeset" / "document.py").write_text(reaching)
    (pkg / "typeset" / "fastpath.py").write_text(reaching)
    found = problems_of(graph(pkg))
    document = "\n".join(p for p in found if ": casefile.typeset.document uses" in p)
    for name in ("_addAnnotation", "_doSave", "_ID", "_atTop"):
        assert f"uses reportlab's private name {name}" in document or \
            f"uses reportlab or pypdf's private name {name}" in document, name
    assert "_lines_of_mine" not in document  # casefile's own attribute
    assert not [p for p in found if ": casefile.typeset.fastpath uses" in p]


@pytest.mark.parametrize("layer", ["casefile.case", "casefile.dossier"])
def test_the_lower_layers_use_no_pdf_library(layer):
    bad = [f"{src}: {dst}" for src, dst, _, _, _ in edges(graph())
           if src.startswith(layer) and dst.split(".")[0] in ("reportlab", "pypdf", "pikepdf", "PIL")]
    assert bad == []


def test_no_test_module_imports_another():
    """Shared helpers live in conftest.py (or a data module such as reliability/cases.py): a test
    module imported by another runs its module-level code twice and ties the two together."""
    tests = Path(__file__).resolve().parent
    found = []
    for path in sorted(tests.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] + [a.name for a in node.names] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[-1].startswith("test_") for n in names):
                found.append(f"{path.relative_to(tests)}:{node.lineno}")
    assert found == []


def test_the_readme_layout_lists_every_module():
    """README's 'Layout of this repository' names every module of every layer, under its folder."""
    readme = (PACKAGE.parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout of this repository", 1)[1].split("```", 2)[1]
    folders, current = {}, None
    for line in block.splitlines():
        m = re.match(r"  (\w+)/ ", line)
        if m:
            current = m.group(1)
        elif re.match(r"  \S", line):
            current = None
        if current:
            folders[current] = folders.get(current, "") + line
    missing = [f"{p.parent.name}/{p.name}" for p in sorted(PACKAGE.glob("*/*.py"))
               if p.name != "__init__.py" and not re.search(rf"\b{re.escape(p.name)}", folders.get(p.parent.name, ""))]
    assert missing == [], "README.md's layout section does not name these modules"
    assert "cli.py" in block and "errors.py" in block
