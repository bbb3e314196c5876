"""Does the source say it? Links and statements of an item checked against the source's words.

An item concerns an accused only where its source links them: the words of the source that the
item quotes (its block quotations and quoted phrases, or, without any, its whole text) and its
original text must name the accused (the name, the surname or an alias). The same holds for the
persons an item lists, and for a testimony's forum, which may also be named by a source's
title, publisher or locator (a court transcript's, say).
A link or statement that is the compiler's reading instead is marked so, in the item's
`supplied_by_compiler` (`accused.ID`, `forum`, `persons`), and the dossier prints it as such.

Two more warnings concern what a dossier can show: an accused whom no item cites for any charge
(the dossier has no supporting evidence at all), and a translation whose paragraphs do not pair
up with its original's.

These are warnings, not errors: the words matched are a safeguard against a link made by
mistake, not proof of one; `casefile check` prints them.
"""

from __future__ import annotations

import re

from casefile.case.body import parse_body
from casefile.errors import Problem

_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")


def source_words(li, with_sources: bool = False) -> str:
    """The words of the sources that an item gives: what it quotes and its original; with
    `with_sources`, also its sources' titles, publishers and locators (where a forum is stated;
    a title may be the compiler's, so it never backs a link to a person)."""
    blocks = parse_body(li.body)
    parts = [b.text for b in blocks if b.kind == "quote"]
    for b in blocks:
        if b.kind != "quote":
            parts += [a or b_ for a, b_ in _QUOTED.findall(b.text)]
    if not parts:
        parts = [b.text for b in blocks]
    original = getattr(li.item, "original", None)
    if original is not None:
        parts.append(original.text)
    if with_sources:
        for s in li.item.sources:
            parts += [s.title, s.publisher or "", s.locator or ""]
    return "\n".join(parts)


def _names(text: str, names: list[str]) -> bool:
    for n in names:
        if n and re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", text, re.IGNORECASE):
            return True
    return False


def _spellings(name: str, aliases=(), original: str | None = None) -> list[str]:
    words = name.split()
    out = [name, *aliases, original or ""]
    if len(words) > 1 and len(words[-1]) >= 3:
        out.append(words[-1])
    return out


def attribution_warnings(lc) -> list[Problem]:
    accused = {a.id: a for a in lc.case.accused}
    out = _support_warnings(lc)
    for li in lc.items:
        it = li.item
        supplied = set(it.supplied_by_compiler)
        words = source_words(li)
        for i, aid in enumerate(it.accused):
            a = accused.get(aid)
            if a is None or f"accused.{aid}" in supplied:
                continue
            if not _names(words, _spellings(a.name, a.aliases, a.name_original)):
                out.append(Problem(li.path, li.line_of("accused", i), f"accused.{i}",
                                   f"warning: the source's words this item quotes do not name {a.name}: quote the "
                                   f"passage that links this item to them, or mark the link as yours "
                                   f"(supplied_by_compiler: [accused.{aid}])"))
        forum = getattr(it, "forum", None)
        if forum and "forum" not in supplied:
            core = re.sub(r"\([^)]*\)", "", forum).split(",")[0].strip()
            if core and not _names(source_words(li, with_sources=True), [core]):
                out.append(Problem(li.path, li.line_of("forum"), "forum",
                                   "warning: the source's words this item quotes do not give this forum: quote the "
                                   "passage that does, or mark it as yours (supplied_by_compiler: [forum])"))
        if "persons" not in supplied:
            for i, person in enumerate(it.persons):
                bare = re.sub(r"\([^)]*\)", "", person).strip(" “”\"")
                if bare and not _names(words, _spellings(bare)):
                    out.append(Problem(li.path, li.line_of("persons", i), f"persons.{i}",
                                       f"warning: the source's words this item quotes do not name {bare}: list only "
                                       "the persons its passage names, or mark the list as yours "
                                       "(supplied_by_compiler: [persons])"))
    return out


def paragraphs(text: str) -> int:
    return sum(1 for b in parse_body(text) if b.kind != "h")


def _support_warnings(lc) -> list[Problem]:
    out = []
    if lc.case.charges:
        for i, a in enumerate(lc.case.accused):
            mine = [li for li in lc.items if a.id in li.item.accused]
            if mine and not any(li.item.charges for li in mine):
                out.append(Problem(lc.case_path, lc.lines.get(("accused", i), 1), f"accused.{i}",
                                   f"warning: no item concerning {a.name} cites a charge or an element: the dossier "
                                   "shows no supporting evidence for any charge (its evidence matrix says so)"))
    for li in lc.items:
        original = getattr(li.item, "original", None)
        if original is None or not li.body.strip():
            continue
        n_tr = paragraphs(li.body)
        n_or = sum(1 for p in original.text.split("\n\n") if p.strip())
        if n_tr != n_or:
            out.append(Problem(li.path, li.body_line, "body",
                               f"warning: the translation (the body) has {n_tr} paragraph{'s' if n_tr != 1 else ''} and "
                               f"original.text {n_or}: they are paired in order; give both the same paragraphs, "
                               "separated by blank lines"))
    return out
