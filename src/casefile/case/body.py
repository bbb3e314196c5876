"""An item's Markdown body as plain data: blocks of inline runs (never markup).

Supported: paragraphs, `#` headings, `> ` block quotes, `- `/`* `/`1. ` list items,
`**bold**`, `*italic*`, `[[…]]` for a span the public edition removes, and `[@item-id]` for a
cross-reference to another item (printed as that item's exhibit number, a link to it).
Anything else is kept as literal text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

REDACTED = "[redacted]"
_INLINE = re.compile(r"\[@(?P<x>[a-z0-9][a-z0-9._-]*)\]|\*\*(?P<b>.+?)\*\*|"
                     r"(?<![\w*])\*(?P<i>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])|\[\[(?P<r>.+?)\]\](?!\])")
# every `[@…]` of a body, well formed or not (a cross-reference is checked when the case is loaded)
CROSS_REFERENCE = re.compile(r"\[@([^\]\n]*)\]")
XREF_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class Run:
    text: str
    style: str = ""  # "", "b", "i", "mark" (a span removed from the public edition), "xref" (the
    # text is the id of the item referred to; the dossier gives it that item's exhibit number)


@dataclass(frozen=True)
class Block:
    kind: str  # "p", "h", "quote", "li"
    runs: tuple[Run, ...]
    marker: str = ""  # list bullet or number

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def inline(text: str) -> list[Run]:
    runs: list[Run] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            runs.append(Run(text[pos:m.start()]))
        style = next(k for k in ("x", "b", "i", "r") if m.group(k) is not None)
        runs.append(Run(m.group(style), {"r": "mark", "x": "xref"}.get(style, style)))
        pos = m.end()
    if pos < len(text):
        runs.append(Run(text[pos:]))
    return runs


def parse_body(text: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    kind = "p"
    marker = ""

    def flush():
        nonlocal para, kind, marker
        if para:
            joined = " ".join(s.strip() for s in para if s.strip())
            if joined:
                blocks.append(Block(kind, tuple(inline(joined)), marker))
        para, kind, marker = [], "p", ""

    for raw in text.split("\n"):
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        s = line.lstrip()
        if s.startswith("#"):
            flush()
            blocks.append(Block("h", tuple(inline(s.lstrip("#").strip()))))
            continue
        if s.startswith(">"):
            if kind != "quote":
                flush()
                kind = "quote"
            para.append(s[1:].lstrip())
            continue
        m = re.match(r"^([-*•]|\d{1,3}[.)])\s+(.*)$", s)
        if m:
            flush()
            kind, marker = "li", ("•" if m.group(1) in "-*•" else m.group(1))
            para.append(m.group(2))
            continue
        if kind == "quote":
            flush()
        para.append(s)
    flush()
    return blocks


def redact_runs(blocks: list[Block], terms: list[str], public: bool) -> list[Block]:
    """Public edition: marked spans become REDACTED and every term is replaced everywhere."""
    if not public:
        return blocks
    out = []
    for b in blocks:
        runs = []
        for r in b.runs:
            if r.style == "mark":
                runs.append(Run(REDACTED, "mark"))
            elif r.style == "xref":
                runs.append(r)
            else:
                runs.append(Run(redact_text(r.text, terms), r.style))
        out.append(Block(b.kind, tuple(runs), b.marker))
    return out


def redact_text(text: str, terms: list[str], replacement: str = REDACTED) -> str:
    """Replace every term (case-insensitive; longest first) by the replacement."""
    if not text or not terms:
        return text
    return _pattern(tuple(sorted({t for t in terms if t.strip()}, key=lambda t: (-len(t), t)))).sub(replacement, text)


class NameMap(dict):
    """Names and their replacements; the pattern and the case-folded lookup are made once
    (a case has thousands of names, and every string of a dossier goes through them)."""

    @cached_property
    def compiled(self) -> tuple[re.Pattern, dict[str, str]]:
        return (_pattern(tuple(sorted(self, key=lambda t: (-len(t), t)))),
                {k.casefold(): v for k, v in self.items()})


def replace_names(text: str, names: dict[str, str]) -> str:
    """Replace each name (case-insensitive, longest first) by its own replacement, in one pass."""
    if not text or not names:
        return text
    pattern, folded = (names if isinstance(names, NameMap) else NameMap(names)).compiled
    return pattern.sub(lambda m: folded.get(m.group(0).casefold(), m.group(0)), text)


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    return re.compile(alternation(terms, ignore_case=True), re.IGNORECASE)


_MAX_TRIE_DEPTH = 200


def _case_key():
    """The character re.IGNORECASE treats `ch` as: its simple lowercase, with the few letters
    the re module also equates (i ı İ, s ſ, µ μ, …) mapped to one of them. Python's own tables;
    None when they are not there (another Python): then no trie is built for IGNORECASE."""
    try:
        import _sre
        from re import _casefix

        extra = _casefix._EXTRA_CASES
        lower = _sre.unicode_tolower

        def key(ch: str) -> str:
            lo = lower(ord(ch))
            return chr(min((lo, *extra.get(lo, ()))))
        return key
    except (ImportError, AttributeError):
        return None


_CASE_KEY = _case_key()


def alternation(terms, ignore_case: bool = False) -> str:
    """A regex matching any of the literal `terms`, the longest at each position, written as a
    trie (`Ali|Alireza|Amir` -> `A(?:li(?:reza)?|mir)`): each position of the text costs about
    the same however many terms there are, where a plain `a|b|c…` tries every term in turn (the
    cost of a case with ten times the protected names would be ten times as high). Falls back
    to the plain alternation, longest first, when the trie is too deeply nested to compile.
    With `ignore_case` (for a pattern compiled with re.IGNORECASE) letters that differ only in
    case share a branch, so the longest term still wins."""
    terms = sorted({t for t in terms if t}, key=lambda t: (-len(t), t))
    if not terms:
        return "(?!)"
    if ignore_case and _CASE_KEY is None:
        return "|".join(re.escape(t) for t in terms)
    trie: dict = {}
    for t in terms:
        node = trie
        for ch in t:
            node = node.setdefault(_CASE_KEY(ch) if ignore_case else ch, {})
        node[""] = None
    out: list[str] = []

    def emit(node: dict, level: int) -> bool:
        """Append the regex of the subtree; False when it nests too deeply."""
        while True:  # a chain of single children without an end: plain characters
            keys = [k for k in node if k]
            if len(keys) == 1 and "" not in node:
                out.append(re.escape(keys[0]))
                node = node[keys[0]]
                continue
            break
        if not keys:
            return True
        if level > _MAX_TRIE_DEPTH:
            return False
        optional = "" in node
        out.append("(?:")
        for i, k in enumerate(sorted(keys)):
            if i:
                out.append("|")
            out.append(re.escape(k))
            if not emit(node[k], level + 1):
                return False
        out.append(")?" if optional else ")")
        return True

    if emit(trie, 0):
        return "".join(out)
    return "|".join(re.escape(t) for t in terms)


def marked_spans(text: str) -> list[str]:
    return [m.group("r") for m in _INLINE.finditer(text) if m.group("r") is not None]


def cross_references(text: str) -> list[tuple[int, str]]:
    """(line index within `text`, what stands between `[@` and `]`) for every cross-reference."""
    return [(text.count("\n", 0, m.start()), m.group(1)) for m in CROSS_REFERENCE.finditer(text)]
