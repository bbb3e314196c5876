"""An item's Markdown body as plain data: blocks of inline runs (never markup).

Supported: paragraphs, `#` headings, `> ` block quotes, `- `/`* `/`1. ` list items,
`**bold**`, `*italic*`, `[[…]]` for a span the public edition removes, and `[@item-id]` for a
cross-reference to another item (printed as that item's exhibit number, a link to it).
Anything else is kept as literal text.

Redaction markup `[[…]]` is accepted in every text field (titles, summaries, case.yaml text)
as in bodies, and checked like any syntax (`markup_problems`): an unclosed `[[`, a stray `]]`,
a span inside a span or an empty span is an error at its line, never printed as it stands.
In the confidential edition a span the public edition replaces is carried through the text
between MARK_OPEN and MARK_CLOSE (two private-use characters no input may contain); the
typesetter turns them into a highlight with a margin note.
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
SPAN_OPEN, SPAN_CLOSE = "[[", "]]"
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # confidential edition: text the public edition replaces
_TOKENS = re.compile(r"\[\[|\]\]|[\ue000\ue001]|\n[ \t]*\n")


def markup_problems(text: str, paragraphs: bool = False) -> list[tuple[int, str]]:
    """(offset, message) for every misuse of the redaction markup in `text`: an unclosed `[[`
    (with `paragraphs`, one not closed before the paragraph ends), a `]]` that closes nothing,
    a `[[` inside an open span, an empty span, a character casefile reserves for its marks."""
    out: list[tuple[int, str]] = []
    opened: int | None = None
    depth = 0
    for m in _TOKENS.finditer(text):
        tok = m.group()
        if tok in (MARK_OPEN, MARK_CLOSE):
            out.append((m.start(), f"contains U+{ord(tok):04X}, a private-use character casefile reserves "
                                   f"for marking redactions"))
        elif tok == SPAN_OPEN:
            if depth:
                out.append((m.start(), "'[[' inside a redacted span that is still open: spans cannot be nested "
                                       "(close the first one with ']]' before opening another)"))
            else:
                opened = m.start()
            depth += 1
        elif tok == SPAN_CLOSE:
            if not depth:
                out.append((m.start(), "']]' closes nothing: there is no '[[' before it (write '[[' where the "
                                       "redacted span begins)"))
                continue
            depth -= 1
            if not depth:
                if not text[opened + 2:m.start()].strip():
                    out.append((opened, "empty redacted span '[[]]'"))
                opened = None
        elif paragraphs and depth:
            out.append((opened, "'[[' is not closed by ']]' before the end of its paragraph: the text after it "
                                "would be printed in the public edition (add ']]' where the span ends)"))
            opened, depth = None, 0
    if depth:
        out.append((opened, "'[[' is not closed by ']]': the text after it would be printed in the public "
                            "edition (add ']]' where the span ends)"))
    return out


def field_markup_problems(data, path: str, line_of, body: str | None = None, body_line: int = 1) -> list:
    """`path:line: field: message` for every misuse of the redaction markup in the text fields
    of `data` (a model dump) and in a body."""
    from casefile.errors import Problem

    out = []

    def walk(v, loc):
        if isinstance(v, str):
            for _, why in markup_problems(v):
                out.append(Problem(path, line_of(*loc), ".".join(map(str, loc)) or "-", why))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, loc + (i,))
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(x, loc + (k,))

    walk(data, ())
    if body:
        for at, why in markup_problems(body, paragraphs=True):
            out.append(Problem(path, body_line + body[:at].count("\n"), "body", why))
    return out


def split_spans(text: str) -> list[tuple[str, bool]]:
    """`text` as (piece, is a redacted span) pieces. Fails closed on text `markup_problems`
    would refuse: an unclosed span runs to the end, a stray `]]` is dropped."""
    if SPAN_OPEN not in text and SPAN_CLOSE not in text:
        return [(text, False)]
    out: list[tuple[str, bool]] = []
    pos, depth, start = 0, 0, 0
    for m in re.finditer(r"\[\[|\]\]", text):
        if m.group() == SPAN_OPEN:
            if not depth:
                if m.start() > pos:
                    out.append((text[pos:m.start()], False))
                start = m.end()
            depth += 1
        elif depth:
            depth -= 1
            if not depth:
                out.append((text[start:m.start()], True))
                pos = m.end()
        else:  # a stray ]]: dropped
            if m.start() > pos:
                out.append((text[pos:m.start()], False))
            pos = m.end()
    if depth:
        out.append((text[start:].replace(SPAN_OPEN, "").replace(SPAN_CLOSE, ""), True))
    elif pos < len(text):
        out.append((text[pos:], False))
    return out


def strip_marks(text: str) -> str:
    """`text` without the confidential edition's marks (for metadata, bookmarks, file names)."""
    if MARK_OPEN not in text and MARK_CLOSE not in text:
        return text
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


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


def alternation(terms, ignore_case: bool = False, spaces: bool = False) -> str:
    """A regex matching any of the literal `terms`, the longest at each position, written as a
    trie (`Ali|Alireza|Amir` -> `A(?:li(?:reza)?|mir)`): each position of the text costs about
    the same however many terms there are, where a plain `a|b|c…` tries every term in turn (the
    cost of a case with ten times the protected names would be ten times as high). Falls back
    to the plain alternation, longest first, when the trie is too deeply nested to compile.
    With `ignore_case` (for a pattern compiled with re.IGNORECASE) letters that differ only in
    case share a branch, so the longest term still wins. With `spaces`, a space in a term
    matches any run of white space (a name broken across two lines of a body)."""
    terms = sorted({t for t in terms if t}, key=lambda t: (-len(t), t))
    if not terms:
        return "(?!)"
    if ignore_case and _CASE_KEY is None:
        return "|".join("".join(r"\s+" if spaces and ch == " " else re.escape(ch) for ch in t) for t in terms)
    trie: dict = {}
    for t in terms:
        node = trie
        for ch in t:
            node = node.setdefault(_CASE_KEY(ch) if ignore_case else ch, {})
        node[""] = None
    out: list[str] = []

    def esc(ch: str) -> str:
        return r"\s+" if spaces and ch == " " else re.escape(ch)

    def emit(node: dict, level: int) -> bool:
        """Append the regex of the subtree; False when it nests too deeply."""
        while True:  # a chain of single children without an end: plain characters
            keys = [k for k in node if k]
            if len(keys) == 1 and "" not in node:
                out.append(esc(keys[0]))
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
            out.append(esc(k))
            if not emit(node[k], level + 1):
                return False
        out.append(")?" if optional else ")")
        return True

    if emit(trie, 0):
        return "".join(out)
    return "|".join("".join(esc(ch) for ch in t) for t in terms)


def marked_spans(text: str) -> list[str]:
    """The text of every `[[…]]` span, its whitespace collapsed."""
    return [" ".join(piece.split()) for piece, span in split_spans(text) if span and piece.strip()]


def balance_marks(blocks: list[Block]) -> list[Block]:
    """Each run's marks closed within the run (a marked span that covers bold text and the text
    around it is marked in every run it touches), so each text node of the markup is balanced."""
    out = []
    for b in blocks:
        if not any(MARK_OPEN in r.text or MARK_CLOSE in r.text for r in b.runs):
            out.append(b)
            continue
        runs, inside = [], False
        for r in b.runs:
            text = (MARK_OPEN if inside else "") + r.text
            for ch in r.text:
                if ch == MARK_OPEN:
                    inside = True
                elif ch == MARK_CLOSE:
                    inside = False
            runs.append(Run(text + (MARK_CLOSE if inside else ""), r.style))
        out.append(Block(b.kind, tuple(runs), b.marker))
    return out


_XREF_RUN = re.compile(r"\[@([a-z0-9][a-z0-9._-]*)\]")
# the text fields that may refer to an item as `[@item-id]`, besides a body
REFERRING_FIELDS = ("an item's summary", "an accused's notes", "the case's summary")


def referring_runs(text: str) -> tuple[Run, ...]:
    """A text field that may refer to items (REFERRING_FIELDS) as runs: each `[@item-id]` an
    "xref" run, the rest as written (no other markup is read there)."""
    runs: list[Run] = []
    pos = 0
    for m in _XREF_RUN.finditer(text):
        if m.start() > pos:
            runs.append(Run(text[pos:m.start()]))
        runs.append(Run(m.group(1), "xref"))
        pos = m.end()
    if pos < len(text):
        runs.append(Run(text[pos:]))
    return tuple(runs)


def cross_references(text: str) -> list[tuple[int, str]]:
    """(line index within `text`, what stands between `[@` and `]`) for every cross-reference."""
    return [(text.count("\n", 0, m.start()), m.group(1)) for m in CROSS_REFERENCE.finditer(text)]
