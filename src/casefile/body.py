"""An item's Markdown body as plain data: blocks of inline runs (never markup).

Supported: paragraphs, `#` headings, `> ` block quotes, `- `/`* `/`1. ` list items,
`**bold**`, `*italic*`, and `[[…]]` for a span the public edition removes.
Anything else is kept as literal text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

REDACTED = "[redacted]"
_INLINE = re.compile(r"\*\*(?P<b>.+?)\*\*|(?<![\w*])\*(?P<i>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])|\[\[(?P<r>.+?)\]\]")


@dataclass(frozen=True)
class Run:
    text: str
    style: str = ""  # "", "b", "i", "mark" (a span removed from the public edition)


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
        style = next(k for k in ("b", "i", "r") if m.group(k) is not None)
        runs.append(Run(m.group(style), "mark" if style == "r" else style))
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
            else:
                runs.append(Run(redact_text(r.text, terms), r.style))
        out.append(Block(b.kind, tuple(runs), b.marker))
    return out


def redact_text(text: str, terms: list[str], replacement: str = REDACTED) -> str:
    """Replace every term (case-insensitive; longest first) by the replacement."""
    if not text or not terms:
        return text
    return _pattern(tuple(sorted({t for t in terms if t.strip()}, key=lambda t: (-len(t), t)))).sub(replacement, text)


def replace_names(text: str, names: dict[str, str]) -> str:
    """Replace each name (case-insensitive, longest first) by its own replacement, in one pass."""
    if not text or not names:
        return text
    folded = {k.casefold(): v for k, v in names.items()}
    pattern = _pattern(tuple(sorted(names, key=lambda t: (-len(t), t))))
    return pattern.sub(lambda m: folded.get(m.group(0).casefold(), m.group(0)), text)


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def marked_spans(text: str) -> list[str]:
    return [m.group("r") for m in _INLINE.finditer(text) if m.group("r") is not None]
