"""Safe YAML with line numbers: every scalar is text, duplicate keys, tags and aliases rejected.

YAML 1.1 silently turns `NO` into False, `010` into 8 and `1988-07-25` into a date; here every
scalar stays a string (empty or `~`/`null` becomes None) and pydantic parses it. Only the
composer of PyYAML's SafeLoader is used: no constructor runs, so no tag can execute anything.
"""

from __future__ import annotations

import re

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
            hint = "" if node.tag.startswith("tag:") else " (a value starting with '!' must be put in quotes)"
            self.problem(node, _dotted(loc), f"YAML tag {node.tag!r} is not allowed{hint}")
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
        if is_null(node):
            return None
        return node.value


def is_null(node) -> bool:
    """An unquoted empty value, `~` or `null` (any of YAML's spellings) is no value. PyYAML's
    pure-Python composer gives a plain scalar the style None, libyaml's gives it ''; a quoted
    scalar ('…' or "…") and a block scalar (| or >) have a style of their own and stay text,
    and so does a value tagged !!str or '!'."""
    return (node.style in (None, "") and node.value in _NULLS
            and node.tag not in ("tag:yaml.org,2002:str", "!"))


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
            return [Problem(path, mark.line + 1 + line_offset, "yaml", "YAML anchors and aliases are not allowed "
                            "(a value starting with '&' or '*' must be put in quotes)")], None
        if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            values += 1
            if values > MAX_NODES:  # stop here: composing a huge document takes seconds
                return [Problem(path, event.start_mark.line + 1 + line_offset, "yaml",
                                f"document too large (more than {MAX_NODES} values)")], None
    return [], yaml.compose(text, Loader=loader)


LOADERS = (_LOADER, yaml.SafeLoader) if _LOADER is not yaml.SafeLoader else (yaml.SafeLoader,)


def read_yaml(text: str, path: str, line_offset: int = 0, loader=None):
    """Return (data, lines, problems). `lines` maps a key path tuple to its 1-based line.
    `loader` (one of LOADERS) is for tests: the default is libyaml's when present."""
    reader = _Reader(path, line_offset)
    loader = loader or _LOADER
    try:
        try:
            early, node = _compose(text, path, line_offset, loader)
        except yaml.YAMLError:
            if loader is yaml.SafeLoader:
                raise
            # read again with the pure-Python parser: its error messages are the more precise ones
            early, node = _compose(text, path, line_offset, yaml.SafeLoader)
        if early:
            return None, {}, early
    except yaml.MarkedYAMLError as e:
        line, msg = plain_message(e, text, line_offset)
        return None, {}, [Problem(path, line, "yaml", msg)]
    except yaml.reader.ReaderError as e:  # a character YAML does not allow; str(e) spans two lines
        line = text[: max(e.position, 0)].count("\n") + 1 + line_offset
        what = f"U+{e.character:04X}" if isinstance(e.character, int) else repr(e.character)
        return None, {}, [Problem(path, line, "yaml", f"the character {what} cannot be used in a case file: remove it")]
    except yaml.YAMLError as e:
        return None, {}, [Problem(path, line_offset + 1, "yaml", f"not readable as YAML ({_tokens(' '.join(str(e).split()))})")]
    if node is None:
        return None, {}, []
    try:
        data = reader.convert(node, ())
    except _TooBig as e:
        return None, {}, [Problem(path, reader.line(e.node), "yaml",
                                  f"document too large (more than {MAX_NODES} values)")]
    return data, reader.lines, reader.problems


# ------------------------------------------------------------------ messages in plain words

_TOKEN_WORDS = {"<block end>": "the end of the indented block", "<block mapping start>": "a new field",
                "<block sequence start>": "a '- ' list entry", "<scalar>": "more text", "'?'": "a field",
                "'-'": "a '- ' list entry", "<stream end>": "the end of the file"}


def _tokens(msg: str) -> str:
    for k, v in _TOKEN_WORDS.items():
        msg = msg.replace(k, v)
    return msg


def _key_column(line: str) -> int:
    """Where the key of a line starts (after its indentation and any '- ' list markers)."""
    m = re.match(r"[ -]*", line)
    col = m.end() if m else 0
    while col > 0 and line[col - 1] == "-":  # a value starting with '-' is not a marker
        col -= 1
    return col


def plain_message(e, text: str, line_offset: int) -> tuple[int, str]:
    """The line and a message in the case format's words for a YAML syntax error, saying how to
    fix it. The wording of PyYAML's pure-Python parser is the one recognised (read_yaml reads a
    broken text again with it); anything not recognised is shown with YAML's tokens in words."""
    pm, cm = e.problem_mark, e.context_mark
    problem, context = e.problem or "", e.context or ""
    lines = text.split("\n")
    at = pm or cm
    line0 = at.line if at else 0
    here = lines[line0] if line0 < len(lines) else ""
    key = here.strip().lstrip("- ").split(":", 1)[0].strip()
    opened = (cm.line + 1 + line_offset) if cm is not None else None

    def out(msg, line=None):
        return (line if line is not None else line0 + 1 + line_offset), msg

    if "\\t" in problem or "tab" in problem:
        return out("a tab character: indent with spaces, not tabs")
    if problem.startswith("mapping values are not allowed"):
        before = here[: pm.column] if pm else here
        if ":" in before:
            field = before.split(":", 1)[0].strip().lstrip("- ")
            return out(f"the value of '{field}' contains ': ': put the whole value in quotes "
                       f"({field}: \"…\")")
        return out(f"'{key}' is indented more than the field above it: align it with the fields of its "
                   "mapping (or, if the line above continues on this one, put that value in quotes)")
    if "flow sequence" in context:
        return out(f"the list opened with '[' on line {opened} is not closed: end it with ']' "
                   "(and separate its entries with ',')")
    if "flow mapping" in context:
        return out(f"the mapping opened with '{{' on line {opened} is not closed: end it with '}}' "
                   "(and separate its fields with ',')")
    if "quoted scalar" in context and "end of stream" in problem:
        return out(f"the quoted value opened on line {opened} is never closed: add the closing quote",
                   opened)
    if "unknown escape character" in problem:
        ch = problem.rsplit(" ", 1)[-1]
        return out(f"\\{ch.strip(chr(39))} is not an escape YAML knows inside double quotes: write \\\\ "
                   "for a backslash, or put the value in single quotes")
    if "double-quoted scalar" in context or "quoted scalar" in context:
        return out("this quoted value cannot be read: check its quotes (a \" inside \"…\" is written \\\")")
    if "while scanning an alias" in context or "while scanning an anchor" in context:
        sign = "*" if "alias" in context else "&"
        return out(f"a value starting with '{sign}' is read as a YAML alias or anchor: put the value in "
                   f"quotes (\"{sign}…\")")
    m = re.search(r"found character '(.)' that cannot start any token", problem)
    if m:
        return out(f"a value cannot start with '{m.group(1)}' in YAML: put the value in quotes "
                   f"(\"{m.group(1)}…\")")
    if "could not find expected ':'" in problem:
        line = (cm.line + 1 + line_offset) if cm is not None else line0 + 1 + line_offset
        return out("this line is not a 'field: value' line: add the ':' after the field name, or, if it "
                   "continues the value above, indent it or put that value in quotes", line)
    if "block scalar" in context:
        return out("after '|' or '>' the text starts on the next line, indented")
    if "expected <block end>" in problem:
        if "<scalar>" in problem:
            return out("text after the closing quote: put the whole value inside the quotes")
        if "<block sequence start>" in problem or "'-'" in problem:
            return out("this '- ' list entry is not aligned with the entries above it: indent the "
                       "entries of one list alike, under their field")
        if "'?'" in problem:
            return out(f"'{key}' sits among '- ' list entries (from line {opened}): start a new entry with "
                       "'- ', or indent the field like the fields of the entry above")
        above = next((l for l in reversed(lines[:line0]) if l.strip() and not l.lstrip().startswith("#")), "")
        if _key_column(here) > _key_column(above) and not above.rstrip().endswith(":"):
            return out(f"'{key}' is indented more than the line above it, which already has its value: align it "
                       "with the fields of its mapping")
        return out(f"'{key}' is not aligned with the fields above it (from line {opened}): indent it like "
                   "the other fields of the same mapping")
    if "single document" in context:
        return out("a second '---' line: a YAML file here holds one document; remove the line")
    return out(f"not readable as YAML ({_tokens(' '.join(x for x in (context, problem) if x))})")
