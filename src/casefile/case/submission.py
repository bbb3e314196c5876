"""A submission: a written brief to a forum (a UN special procedure, a prosecutor, a court) whose
sentences cite the case's evidence. One file per submission, `cases/<case>/submissions/<name>.md`:
YAML front matter and a Markdown body, read here as plain data (no layout, no PDF).

The body is Markdown with citations in the Pandoc convention:

    # The facts {#facts}

    Survivors describe transfers before the executions [@testimony-farsi, p. 2].
    Two decrees are cited [see @khomeini-fatwa; @khomeini-second-edict].
    As set out in [@facts], ...          (a cross-reference to a heading or paragraph id)
    A note of the author's own.^[With a citation inside it @x is text; [@testimony-jalal] cites.]

Recognised: `#`-headings (levels 1-3, `{#id}` and `{-}`/`{.unnumbered}` after the title),
paragraphs (`{#id}` at the end names one), `> ` block quotes, `- `/`1. ` list entries, `**bold**`,
`*italic*`, `[[…]]` (removed from the public edition), `[@id …]` citations, `^[…]` notes,
`[text](#id)` links to a heading or paragraph and `[text](https://…)` web links. A backslash makes
the next of ``\\ [ ] @ * ^ # { }`` literal. Everything else is text.

Every problem is a ``path:line: field: message``; the checks that need the case (unknown item,
item that concerns none of the annexed accused, ids) are made here, the checks that need the
exhibit files (pinpoint pages) in dossier/submission.py.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Union

from pydantic import Field, ValidationError

from casefile.case.loading import LoadedCase, line_for, read_text, rel, split_front_matter
from casefile.case.messages import validation_problems
from casefile.case.models import CONTROL_CHARS, FullDate, Model, Slug, Text, control_char_problem
from casefile.case.yamlread import read_yaml
from casefile.errors import Problem

FOLDER = "submissions"  # in cases/<case-id>/


# ------------------------------------------------------------------ front matter


class UNSummary(Model):
    victims: dict[Slug, Text] = Field({}, description="item id -> the alleged victims as the item names "
                                                      "them (default: a testimony's witness)")


class SubmissionFront(Model):
    title: Text
    subtitle: Text | None = None
    addressee: Text = Field(description="to whom the submission is addressed")
    forum: Text | None = Field(None, description="the body or procedure (default: the case's forum)")
    date: FullDate
    authors: list[Text] = Field(min_length=1)
    annexes: list[Slug] = Field(min_length=1, description="ids of the accused whose dossiers are annexed")
    notes: Literal["footnotes", "endnotes"] = "footnotes"
    numbered_paragraphs: bool = False
    numbered_headings: bool = True
    un_summary: Union[bool, UNSummary] = Field(False, description="a summary table for UN special procedures")
    bundle: Literal["combined", "separate", "both"] = Field(
        "combined", description="combined: one PDF, the annexes after the text; separate: the text alone, "
                                "its links open the dossier files beside it; both")
    editions: list[Literal["confidential", "public"]] = Field(["confidential", "public"], min_length=1)
    short_titles: dict[Slug, Text] = Field({}, description="item id -> the short title its citations print")
    withheld_notes: dict[Slug, Text] = Field({}, description="item id -> what the public edition says where "
                                                            "it cites this withheld item")
    redact: list[Text] = Field([], description="names and phrases removed from the public edition")


# ------------------------------------------------------------------ body as plain data


@dataclass(frozen=True)
class Cite:
    """One `@key` of a citation: `[see @key, p. 2, emphasis added]`."""
    key: str
    prefix: str  # "see"
    locator: str  # the printed locator and suffix: "p. 2, emphasis added", or ""
    pages: tuple[tuple[int, int], ...]  # page ranges named by a page locator; () when none
    line: int
    rest: str = ""  # what follows a page locator's pages (or evidence number): ", emphasis added"
    evidence: str = ""  # an evidence number given as the pinpoint: "IR88-0003-0002"


@dataclass(frozen=True)
class Span:
    """A piece of inline text. kind: "text" (style "", "b", "i", "bi" or "mark"), "cite" (a
    citation group: `cites`), "xref" (`key`, and `text` when written `[text](#key)`), "link"
    (`text` to the web address `key`), "note" (an inline note: its own spans in `inner`)."""
    kind: str
    text: str = ""
    style: str = ""
    cites: tuple[Cite, ...] = ()
    key: str = ""
    inner: tuple["Span", ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Block:
    kind: str  # "p", "h", "quote", "li"
    spans: tuple[Span, ...]
    line: int
    level: int = 0  # heading level (1-3)
    id: str = ""  # given with {#id}, or made from a heading's title
    explicit_id: bool = False
    numbered: bool = True  # a heading marked {-} is not numbered
    marker: str = ""  # list marker


@dataclass
class LoadedSubmission:
    name: str  # file stem: the PDF is <name>.pdf
    path: str  # relative to the workspace root
    front: SubmissionFront
    blocks: list[Block]
    body: str
    body_line: int
    lines: dict = field(default_factory=dict, repr=False)
    digest: str = ""

    def line_of(self, *loc) -> int:
        return line_for(self.lines, tuple(loc), 1)

    def cites(self):
        """Every citation of the body, inline notes included, in reading order."""
        for b in self.blocks:
            yield from _cites_in(b.spans)

    def marked_spans(self) -> list[tuple[str, int]]:
        """The `[[…]]` spans of the body with their lines."""
        out = []
        for b in self.blocks:
            for s in _walk(b.spans):
                if s.kind == "text" and s.style == "mark":
                    out.append((s.text, s.line))
        return out


def _walk(spans):
    for s in spans:
        yield s
        if s.inner:
            yield from _walk(s.inner)


def _cites_in(spans):
    for s in _walk(spans):
        if s.kind == "cite":
            yield from s.cites


# ------------------------------------------------------------------ reading


def submission_files(lc: LoadedCase) -> list[Path]:
    folder = lc.case_dir / FOLDER
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.glob("*.md") if p.is_file()), key=lambda p: p.name)


def load_submissions(lc: LoadedCase) -> tuple[list[LoadedSubmission], list[Problem]]:
    """Every submission of the case, read and checked against the case's items."""
    problems: list[Problem] = []
    out = []
    items = {li.item.id: li for li in lc.items}
    for f in submission_files(lc):
        shown = rel(lc.root, f)
        if f.is_symlink():
            problems.append(Problem(shown, 0, "file", "a submission may not be a symbolic link"))
            continue
        sub = _load(f, shown, problems, items)
        if sub is not None:
            problems += check_submission(sub, lc, items)
            out.append(sub)
    return out, problems


def _load(f: Path, shown: str, problems: list[Problem], items: dict) -> LoadedSubmission | None:
    text = read_text(f, shown, problems)
    if text is None:
        return None
    fm, body, body_line = split_front_matter(text)
    if fm is None:
        problems.append(Problem(shown, 1, "-", "no front matter: the file must start with a '---' line, "
                                               "the YAML fields, and a closing '---' line"))
        return None
    bad = CONTROL_CHARS.search(body)
    if bad:
        problems.append(Problem(shown, body_line + body[:bad.start()].count("\n"), "body",
                                control_char_problem(bad.group())))
        return None
    data, lines, probs = read_yaml(fm, shown, line_offset=1)
    if probs:
        problems += probs
        return None
    if not isinstance(data, dict):
        problems.append(Problem(shown, 2, "-", "front matter must be a mapping of fields"))
        return None
    try:
        front = SubmissionFront.model_validate(data)
    except ValidationError as err:
        problems += validation_problems(err, shown, lines, line_for, root=SubmissionFront, item=False)
        return None
    blocks = parse_submission_body(body, body_line, shown, problems)
    blocks = resolve_cross_references(blocks, items)
    return LoadedSubmission(f.stem, shown, front, blocks, body, body_line, lines,
                            hashlib.sha256(text.encode("utf-8")).hexdigest())


# ------------------------------------------------------------------ the body


_HEADING_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")
_PARA_ID = re.compile(r"(?<!\\)\{#([A-Za-z0-9][A-Za-z0-9_:.-]*)\}\s*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.-]*$")
_LIST = re.compile(r"^([-*•]|\d{1,3}[.)])\s+(.*)$")


def parse_submission_body(text: str, first_line: int, path: str, problems: list[Problem]) -> list[Block]:
    """Blocks of the body; each inline piece knows its line."""
    blocks: list[Block] = []
    para: list[tuple[str, int]] = []
    kind, marker = "p", ""

    def flush():
        nonlocal para, kind, marker
        if para:
            line = para[0][1]
            joined, starts = _join(para)
            pid = ""
            if kind == "p":
                m = _PARA_ID.search(joined)
                if m:
                    pid, joined = m.group(1), joined[:m.start()].rstrip()
            if joined.strip():
                spans = parse_inline(joined, starts, path, problems)
                blocks.append(Block(kind, tuple(spans), line, id=pid, explicit_id=bool(pid), marker=marker))
        para, kind, marker = [], "p", ""

    for i, raw in enumerate(text.split("\n")):
        line_no = first_line + i
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        s = line.lstrip()
        if re.match(r"^#{1,3}(\s|$)", s):
            flush()
            level = len(s) - len(s.lstrip("#"))
            title = s[level:].strip()
            hid, explicit, numbered = "", False, True
            m = _HEADING_ATTRS.search(title)
            if m and not title[:m.start()].endswith("\\"):
                for tok in m.group(1).split():
                    if tok.startswith("#") and _ID.match(tok[1:]):
                        hid, explicit = tok[1:], True
                    elif tok in ("-", ".unnumbered"):
                        numbered = False
                    else:
                        problems.append(Problem(path, line_no, "body", f"heading attribute '{tok}' is not "
                                                "understood (give {#id}, and {-} for a heading without a number)"))
                title = title[:m.start()].rstrip()
            if not title:
                problems.append(Problem(path, line_no, "body", "a heading without a title"))
                continue
            spans = parse_inline(title, [(0, line_no)], path, problems)
            blocks.append(Block("h", tuple(spans), line_no, level=level, id=hid or auto_id(title),
                                explicit_id=explicit, numbered=numbered))
            continue
        if re.match(r"^#{4,}(\s|$)", s):
            flush()
            problems.append(Problem(path, line_no, "body", "headings go to three levels (#, ## and ###)"))
            continue
        if s.startswith(">"):
            if kind != "quote":
                flush()
                kind = "quote"
            para.append((s[1:].lstrip(), line_no))
            continue
        m = _LIST.match(s)
        if m:
            flush()
            kind, marker = "li", ("•" if m.group(1) in "-*•" else m.group(1))
            para.append((m.group(2), line_no))
            continue
        if kind == "quote":
            flush()
        para.append((s, line_no))
    flush()
    return blocks


def auto_id(title: str) -> str:
    """An identifier made from a heading's title, as Pandoc makes it: lower case, markup and
    punctuation dropped, spaces become hyphens."""
    t = re.sub(r"[*\\]|\[\[|\]\]", "", title).casefold()
    t = re.sub(r"[^\w\s.-]", "", t)
    t = re.sub(r"\s+", "-", t.strip())
    t = t.lstrip("0123456789.-_")
    return t or "section"


def _join(parts: list[tuple[str, int]]) -> tuple[str, list[tuple[int, int]]]:
    """The lines of a block joined by spaces, with (offset, line) where each line starts."""
    out, starts, pos = [], [], 0
    for text, line in parts:
        t = text.strip()
        if not t:
            continue
        if out:
            out.append(" ")
            pos += 1
        starts.append((pos, line))
        out.append(t)
        pos += len(t)
    return "".join(out), starts


def _line_at(starts: list[tuple[int, int]], offset: int) -> int:
    line = starts[0][1] if starts else 0
    for pos, ln in starts:
        if pos > offset:
            break
        line = ln
    return line


_ESCAPABLE = set("\\[]@*^#{}")
# a citation key, as Pandoc reads one (trailing punctuation is not part of it)
_KEY = re.compile(r"(?P<minus>-?)@(?P<key>[A-Za-z0-9_][A-Za-z0-9_:.#$%&+?<>~/-]*)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^*\s])(.+?)(?<=[^*\s])\*(?![\w*])")


def _closing(text: str, start: int, open_: str = "[", close: str = "]") -> int:
    """The index of the bracket closing the one at `start` (nested pairs and escapes counted), or -1."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def parse_inline(text: str, starts: list[tuple[int, int]], path: str, problems: list[Problem],
                 base: int = 0, in_note: bool = False) -> list[Span]:
    """Spans of a block's text. `starts` maps offsets (from `base`) to lines."""
    tokens: list[tuple[int, int, Span | None, str]] = []  # (start, end, span or None, literal text)
    i, n = 0, len(text)

    def line(at: int) -> int:
        return _line_at(starts, base + at)

    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in _ESCAPABLE:
            tokens.append((i, i + 2, None, text[i + 1]))
            i += 2
            continue
        if text.startswith("[[", i):
            end = text.find("]]", i + 2)
            if end < 0:
                problems.append(Problem(path, line(i), "body", "'[[' is not closed by ']]' (the span the public "
                                                               "edition removes must end)"))
                tokens.append((i, n, Span("text", text[i + 2:], "mark", line=line(i)), ""))
                i = n
                continue
            inner = text[i + 2:end]
            if "[@" in inner or "^[" in inner:
                problems.append(Problem(path, line(i), "body", "a citation or note cannot be inside [[…]]: "
                                                               "move it out of the removed span"))
            tokens.append((i, end + 2, Span("text", inner, "mark", line=line(i)), ""))
            i = end + 2
            continue
        if text.startswith("^[", i):
            end = _closing(text, i + 1)
            if end < 0:
                problems.append(Problem(path, line(i), "body", "'^[' starts a note that is not closed by ']'"))
                i += 2
                continue
            if in_note:
                problems.append(Problem(path, line(i), "body", "a note cannot be inside another note"))
            inner = parse_inline(text[i + 2:end], starts, path, problems, base + i + 2, in_note=True)
            tokens.append((i, end + 1, Span("note", inner=tuple(inner), line=line(i)), ""))
            i = end + 1
            continue
        if c == "[":
            end = _closing(text, i)
            content = text[i + 1:end] if end > 0 else ""
            if end > 0 and text.startswith("(", end + 1):
                close = text.find(")", end + 2)
                target = text[end + 2:close] if close > 0 else ""
                if close > 0 and target.startswith("#") and _ID.match(target[1:]):
                    tokens.append((i, close + 1, Span("xref", content, key=target[1:], line=line(i)), ""))
                    i = close + 1
                    continue
                if close > 0 and re.match(r"^https?://\S+$", target):
                    tokens.append((i, close + 1, Span("link", content, key=target, line=line(i)), ""))
                    i = close + 1
                    continue
            if end > 0 and _looks_like_citation(content):
                cites = _citation_group(content, line(i), path, problems)
                if cites:
                    tokens.append((i, end + 1, Span("cite", cites=tuple(cites), line=line(i)), ""))
                i = end + 1
                continue
            if end < 0 and text.startswith("[@", i):
                problems.append(Problem(path, line(i), "body", "'[@' starts a citation that is not closed by ']'"))
        i += 1

    # emphasis: found on the text with every token masked (a token counts as a word character)
    masked = list(text)
    for s, e, _, _ in tokens:
        masked[s:e] = "x" * (e - s)
    masked_text = "".join(masked)
    style = [""] * n
    drop = [False] * n
    for pattern, mark in ((_BOLD, "b"), (_ITALIC, "i")):
        for m in pattern.finditer(masked_text):
            d = 2 if mark == "b" else 1
            if any(drop[m.start():m.start() + d]) or any(drop[m.end() - d:m.end()]):
                continue
            for k in range(m.start(), m.start() + d):
                drop[k] = True
            for k in range(m.end() - d, m.end()):
                drop[k] = True
            for k in range(m.start() + d, m.end() - d):
                style[k] = "".join(sorted(set(style[k] + mark)))
        masked_text = "".join("\x00" if drop[k] else ch for k, ch in enumerate(masked_text))

    out: list[Span] = []
    buf: list[str] = []
    buf_style, buf_start = "", 0

    def push():
        nonlocal buf
        if buf:
            out.append(Span("text", "".join(buf), buf_style, line=line(buf_start)))
            buf = []

    tok_at = {s: (e, span, lit) for s, e, span, lit in tokens}
    k = 0
    while k < n:
        if k in tok_at:
            e, span, lit = tok_at[k]
            if span is None:  # an escaped character: text in the style around it
                if style[k] != buf_style:
                    push()
                if not buf:
                    buf_style, buf_start = style[k], k
                buf.append(lit)
            else:
                push()
                out.append(span)
            k = e
            continue
        if drop[k]:
            k += 1
            continue
        if style[k] != buf_style:
            push()
        if not buf:
            buf_style, buf_start = style[k], k
        buf.append(text[k])
        k += 1
    push()
    return out


def resolve_cross_references(blocks: list[Block], items) -> list[Block]:
    """`[@id]` naming a heading or paragraph of the submission (and no item) is a cross-reference
    (several in one `[see @a; @b; @c]`: the prefix, then each, joined by ", " and a last " and ");
    then notes are glued to the text before them (see _glue_notes)."""
    ids = {b.id for b in blocks if b.id and (b.explicit_id or b.id not in items)}

    def fix(spans, glue: bool = True) -> tuple:
        out = []
        for s in spans:
            if s.kind == "cite" and all(c.key in ids and c.key not in items for c in s.cites):
                if s.cites[0].prefix:
                    out.append(Span("text", s.cites[0].prefix + " ", line=s.line))
                for i, c in enumerate(s.cites):
                    if i:
                        out.append(Span("text", " and " if i == len(s.cites) - 1 else ", ", line=c.line))
                    out.append(Span("xref", key=c.key, line=c.line))
            elif s.kind == "note":
                out.append(Span("note", inner=fix(s.inner, glue=False), line=s.line))
            else:
                out.append(s)
        return tuple(_glue_notes(out) if glue else out)

    return [Block(b.kind, fix(b.spans), b.line, b.level, b.id, b.explicit_id, b.numbered, b.marker) for b in blocks]


def _glue_notes(spans: list[Span]) -> list[Span]:
    """Pandoc's rule for notes: the space before a citation or note goes, and punctuation right
    after it moves in front of its marker (`text [@x].` prints `text.¹`)."""
    out: list[Span] = []
    for s in spans:
        if s.kind in ("cite", "note") and out and out[-1].kind == "text" and out[-1].style != "mark":
            prev = out[-1]
            stripped = prev.text.rstrip()
            out[-1] = Span("text", stripped, prev.style, line=prev.line)
            if not stripped:
                out.pop()
        out.append(s)
    k = 0
    while k < len(out) - 1:
        s, nxt = out[k], out[k + 1]
        if s.kind in ("cite", "note") and nxt.kind == "text" and nxt.style != "mark":
            m = re.match(r"^[.,;:!?]+", nxt.text)
            if m:
                punct = m.group(0)
                # the punctuation goes before the marker (and before any markers just before it)
                j = k
                while j > 0 and out[j - 1].kind in ("cite", "note"):
                    j -= 1
                if j > 0 and out[j - 1].kind == "text":
                    p = out[j - 1]
                    out[j - 1] = Span("text", p.text + punct, p.style, line=p.line)
                else:
                    out.insert(j, Span("text", punct, nxt.style, line=nxt.line))
                    k += 1
                rest = nxt.text[len(punct):]
                if rest:
                    out[k + 1] = Span("text", rest, nxt.style, line=nxt.line)
                else:
                    out.pop(k + 1)
                    continue
        k += 1
    return [s for s in out if not (s.kind == "text" and not s.text)]


def _looks_like_citation(content: str) -> bool:
    return any(m.start() == 0 or content[m.start() - 1] in " \t;-" for m in _KEY.finditer(content)) \
        if "@" in content else False


_PAGE_LABELS = {"p", "pp", "page", "pages", "pg", "pgs"}
# an evidence number (the permanent number of an exhibit file's page): PREFIX-DOCUMENT-PAGE
_EVIDENCE = re.compile(r"^(?P<number>[A-Za-z0-9][A-Za-z0-9-]*?-\d{4,}-\d{4,})(?![\w-])(?P<rest>.*)$", re.S)
_PAGE_LIST = re.compile(r"(\d+)(?:\s*[-–—]\s*(\d+))?")
_LOCATOR = re.compile(r"^(?:(?P<label>[A-Za-z§¶]+)\.?\s*)?(?P<pages>\d+(?:\s*[-–—]\s*\d+)?"
                      r"(?:\s*(?:,|&|and)\s*\d+(?:\s*[-–—]\s*\d+)?)*)(?P<rest>.*)$", re.S)


def _citation_group(content: str, line: int, path: str, problems: list[Problem]) -> list[Cite]:
    out = []
    for part in content.split(";"):
        part = part.strip()
        if not part:
            continue
        m = None
        for cand in _KEY.finditer(part):
            if cand.start() == 0 or part[cand.start() - 1] in " \t-":
                m = cand
                break
        if m is None:
            problems.append(Problem(path, line, "citation", f"'{part}' in [{content}] names no item: each part "
                                                            f"of a citation, between ';', needs an @id"))
            continue
        key = m.group("key")
        rest = part[m.end():]
        trail = re.search(r"[.:#$%&+?<>~/-]+$", key)
        if trail:  # trailing punctuation is not part of a key
            rest = key[trail.start():] + rest
            key = key[:trail.start()]
        prefix = part[:m.start()].strip()
        locator, pages, after = "", (), ""
        rest = rest.strip()
        if rest.startswith(","):
            locator = rest[1:].strip()
        elif rest:
            locator = rest
        evidence = ""
        ev = _EVIDENCE.match(locator)
        if ev:
            evidence, after = ev.group("number"), ev.group("rest")
        elif locator:
            pages, after, bad = parse_pages(locator)
            if bad:
                problems.append(Problem(path, line, "citation", f"pinpoint '{locator}' of @{key}: {bad}"))
        out.append(Cite(key, prefix, locator, pages, line, after, evidence))
    return out


def parse_pages(locator: str) -> tuple[tuple[tuple[int, int], ...], str, str | None]:
    """(page ranges, what follows them, what is wrong) for a locator: "p. 2", "pp. 2-3, 5", "2"
    (a bare number is a page, as in Pandoc) name pages; another kind of locator ("para. 4",
    "line 6", "emphasis added") names none."""
    m = _LOCATOR.match(locator)
    if m:
        label = (m.group("label") or "").casefold()
        if label and label not in _PAGE_LABELS:
            return (), "", None
    else:
        first = re.match(r"^([A-Za-z]+)\.?(\s|$)", locator)
        if first and first.group(1).casefold() in _PAGE_LABELS:
            return (), "", "a page is a number, as in 'p. 2' or 'pp. 2-3'"
        return (), "", None
    ranges = []
    for a, b in _PAGE_LIST.findall(m.group("pages")):
        lo, hi = int(a), int(b) if b else int(a)
        if lo < 1 or hi < lo:
            return (), "", f"'{a}{'-' + b if b else ''}' is not a page range (pages count from 1, the first first)"
        ranges.append((lo, hi))
    return tuple(ranges), m.group("rest"), None


# ------------------------------------------------------------------ checks against the case


def heading_ids(sub: LoadedSubmission) -> dict[str, Block]:
    """Ids of headings and paragraphs a cross-reference may name."""
    out: dict[str, Block] = {}
    for b in sub.blocks:
        if b.id and b.id not in out:
            out[b.id] = b
    return out


def check_submission(sub: LoadedSubmission, lc: LoadedCase, items: dict | None = None) -> list[Problem]:
    items = items if items is not None else {li.item.id: li for li in lc.items}
    out: list[Problem] = []
    p = sub.path
    accused = {a.id for a in lc.case.accused}
    for i, a in enumerate(sub.front.annexes):
        if a not in accused:
            out.append(Problem(p, sub.line_of("annexes", i), f"annexes.{i}",
                               f"unknown accused '{a}' (known: {', '.join(sorted(accused))})"))
        elif a in sub.front.annexes[:i]:
            out.append(Problem(p, sub.line_of("annexes", i), f"annexes.{i}", f"'{a}' is annexed twice"))
        elif not any(a in li.item.accused for li in items.values()):
            out.append(Problem(p, sub.line_of("annexes", i), f"annexes.{i}",
                               f"no item concerns '{a}', so there is no dossier to annex"))
    annexed = [a for a in sub.front.annexes if a in accused]
    for what in ("short_titles", "withheld_notes"):
        for key in getattr(sub.front, what):
            if key not in items:
                out.append(Problem(p, sub.line_of(what, key), f"{what}.{key}", _unknown(key, items)))
    if isinstance(sub.front.un_summary, UNSummary):
        for key in sub.front.un_summary.victims:
            if key not in items:
                out.append(Problem(p, sub.line_of("un_summary", "victims", key), f"un_summary.victims.{key}",
                                   _unknown(key, items)))
    ids: dict[str, Block] = {}
    for b in sub.blocks:
        if not b.id:
            continue
        if b.explicit_id and b.id in items:
            out.append(Problem(p, b.line, "body", f"id '{b.id}' is also an item id: give the heading or "
                                                  f"paragraph another id"))
        elif b.id in ids and b.explicit_id:
            out.append(Problem(p, b.line, "body", f"id '{b.id}' is also given on line {ids[b.id].line}"))
        if b.id not in ids and (b.explicit_id or b.id not in items):
            ids[b.id] = b
    for b in sub.blocks:
        for s in _walk(b.spans):
            if s.kind == "xref" and s.key not in ids:
                out.append(Problem(p, s.line, "cross-reference", f"no heading or paragraph has the id '{s.key}'"
                                   + _suggest(s.key, ids)))
            if s.kind != "cite":
                continue
            kinds = {"xref" if c.key in ids and c.key not in items else "cite" for c in s.cites}
            if len(kinds) > 1:
                out.append(Problem(p, s.line, "citation", "a cross-reference and a citation in one [...]: "
                                                          "write them apart"))
            for c in s.cites:
                if c.key in ids and c.key not in items:
                    continue
                li = items.get(c.key)
                if li is None:
                    out.append(Problem(p, c.line, "citation", _unknown(c.key, items, ids)))
                    continue
                if annexed and not any(a in li.item.accused for a in annexed):
                    whose = (f"{li.item.accused[0]}, whose dossier is not annexed" if len(li.item.accused) == 1
                             else f"{', '.join(li.item.accused)}, none of whose dossiers is annexed")
                    out.append(Problem(p, c.line, "citation",
                                       f"item '{c.key}' concerns {whose} (annexes: {', '.join(annexed)}); annex "
                                       f"{'that dossier' if len(li.item.accused) == 1 else 'one of them'} or cite "
                                       f"another item"))
    return out


def _unknown(key: str, items: dict, ids: dict | None = None) -> str:
    return f"unknown item '{key}'" + _suggest(key, {**items, **(ids or {})})


def _suggest(key: str, known) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
