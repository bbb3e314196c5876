"""Safe YAML with line numbers: every scalar is text, duplicate keys, tags and aliases rejected.

YAML 1.1 silently turns `NO` into False, `010` into 8 and `1988-07-25` into a date; here every
scalar stays a string (empty or `~`/`null` becomes None) and pydantic parses it. Only the
composer of PyYAML's SafeLoader is used: no constructor runs, so no tag can execute anything.
"""

from __future__ import annotations

import yaml

from casefile.errors import Problem

_NULLS = {"", "~", "null", "Null", "NULL"}
_STD_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
             "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
             "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: same rules, faster
MAX_NODES = 20000


class _Reader:
    def __init__(self, path: str, line_offset: int):
        self.path = path
        self.offset = line_offset
        self.lines: dict[tuple, int] = {}
        self.problems: list[Problem] = []
        self.count = 0

    def line(self, node) -> int:
        return node.start_mark.line + 1 + self.offset

    def problem(self, node, field: str, message: str):
        self.problems.append(Problem(self.path, self.line(node), field or "-", message))

    def convert(self, node, loc: tuple):
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node)
        if node.tag not in _STD_TAGS and node.tag != "!":
            self.problem(node, _dotted(loc), f"YAML tag {node.tag!r} is not allowed")
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for knode, vnode in node.value:
                if not isinstance(knode, yaml.ScalarNode):
                    self.problem(knode, _dotted(loc), "mapping keys must be plain text")
                    continue
                key = knode.value
                if key == "<<":
                    self.problem(knode, _dotted(loc), "YAML merge keys ('<<') are not allowed")
                    continue
                if key in out:
                    self.problem(knode, _dotted(loc + (key,)),
                                 f"duplicate key (first given on line {self.lines[loc + (key,)]})")
                    continue
                self.lines[loc + (key,)] = self.line(knode)
                out[key] = self.convert(vnode, loc + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            res = []
            for i, child in enumerate(node.value):
                self.lines[loc + (i,)] = self.line(child)
                res.append(self.convert(child, loc + (i,)))
            return res
        if node.style is None and node.value in _NULLS:
            return None
        return node.value


class _TooBig(Exception):
    def __init__(self, node):
        self.node = node


def _dotted(loc: tuple) -> str:
    return ".".join(str(x) for x in loc)


def _compose(text: str, path: str, line_offset: int, loader):
    """Scan the events first (anchors, aliases and size are refused before anything is built),
    then compose the node tree. Returns (problems, node)."""
    values = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            return [Problem(path, mark.line + 1 + line_offset, "yaml", "YAML anchors and aliases are not allowed")], None
        if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            values += 1
            if values > MAX_NODES:  # stop here: composing a huge document takes seconds
                return [Problem(path, event.start_mark.line + 1 + line_offset, "yaml",
                                f"document too large (more than {MAX_NODES} values)")], None
    return [], yaml.compose(text, Loader=loader)


def read_yaml(text: str, path: str, line_offset: int = 0):
    """Return (data, lines, problems). `lines` maps a key path tuple to its 1-based line."""
    reader = _Reader(path, line_offset)
    try:
        try:
            early, node = _compose(text, path, line_offset, _LOADER)
        except yaml.YAMLError:
            if _LOADER is yaml.SafeLoader:
                raise
            # read again with the pure-Python parser: its error messages are the more precise ones
            early, node = _compose(text, path, line_offset, yaml.SafeLoader)
        if early:
            return None, {}, early
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        msg = " ".join(str(x) for x in (e.context, e.problem) if x)
        cm = e.context_mark
        if e.context and e.problem and cm is not None and mark is not None and cm.line != mark.line:
            # "expected ',' or ']'" is found on the next line; say where the unclosed thing began
            msg = f"{e.problem} ({e.context} that starts on line {cm.line + 1 + line_offset})"
        if "\t" in text and "tab" in msg.lower() or "found character '\\t'" in msg:
            msg += " (indent with spaces, not tabs)"
        return None, {}, [Problem(path, line, "yaml", f"invalid YAML: {msg}")]
    except yaml.reader.ReaderError as e:  # a character YAML does not allow; str(e) spans two lines
        line = text[: max(e.position, 0)].count("\n") + 1 + line_offset
        what = f"U+{e.character:04X}" if isinstance(e.character, int) else repr(e.character)
        return None, {}, [Problem(path, line, "yaml", f"invalid YAML: character {what} is not allowed in YAML")]
    except yaml.YAMLError as e:
        msg = " ".join(str(e).split())
        return None, {}, [Problem(path, line_offset + 1, "yaml", f"invalid YAML: {msg}")]
    if node is None:
        return None, {}, []
    try:
        data = reader.convert(node, ())
    except _TooBig as e:
        return None, {}, [Problem(path, reader.line(e.node), "yaml",
                                  f"document too large (more than {MAX_NODES} values)")]
    return data, reader.lines, reader.problems
