"""A submission -> one Brief per edition: plain data the typesetter prints as it is.

Here each citation becomes a reference to an exhibit of an annexed dossier (its number, short
title and pinpoint, the annex that holds it), the text gets its paragraph and heading numbers
and its notes, and the public edition is made the way the dossiers' is (dossier/editions.py):
protected witnesses appear under their pseudonyms, `[[…]]` spans and `redact:` terms become
"[redacted]", a withheld item is cited as withheld, with the submission's note for it.

Pages: "p. 2" of an exhibit is the second page of its exhibit files, counted across its files
in their order (the pages the exhibit's stamp numbers "page 2 of 5"). Where that page is in an
annexed dossier is read from the dossier's manifest once it is built (`locate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from casefile.case.body import REDACTED, strip_marks
from casefile.case.dates import display_date
from casefile.case.loading import LoadedCase
from casefile.case.lockfile import document_label
from casefile.case.submission import Block, Cite, LoadedSubmission, Span, UNSummary
from casefile.dossier.assembly import TYPE_LABELS, Dossier, Exhibit, FileInfo
from casefile.dossier.editions import (PSEUDONYMS, REDACTED_TERMS, REMOVALS, WITHHELD_FILES, WITHHELD_ITEMS,
                                       WITHHELD_NOTE, protected_names, public_terms, public_text, submission_terms)
from casefile.errors import Problem

ANNEX_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class Reference:
    """One cited exhibit, as one note prints it."""
    key: str  # link key of this reference ("ref-12")
    number: str  # exhibit number
    short_title: str  # as the edition prints it
    type: str
    prefix: str  # "see"
    locator: str  # "p. 2", "pp. 2–3", "para. 4", or ""
    page: int | None  # the exhibit page a page locator names first (1-based), None: its first page
    withheld: bool = False
    withheld_note: str = ""
    annex: int | None = None  # index of the annex holding the exhibit
    annex_page: int | None = None  # the page of that annex it lands on (see locate)
    file_withheld: bool = False  # the page is in a file the public edition withholds
    evidence: str | None = None  # a permanent evidence number of the page, when the case has them
    item_id: str = ""  # for the checks and the tables; never printed
    line: int = 0
    exhibit: Exhibit | None = field(default=None, repr=False)  # as assembled for the edition
    rest: str = ""  # what follows the pinpoint (", emphasis added")


@dataclass(frozen=True)
class Piece:
    """Inline text of the brief. kind: "text" (style "", "b", "i", "bi", "mark"), "marker" (a note's
    number, `key` its anchor), "ref" (`ref`), "xref" (`text` the label, `key` the anchor), "link"
    (`text` to the address `key`)."""
    kind: str
    text: str = ""
    style: str = ""
    key: str = ""
    ref: Reference | None = None


@dataclass
class Note:
    number: int
    pieces: list[Piece]
    paragraph: str  # the number of the paragraph holding its marker ("" when paragraphs are not numbered)
    key: str  # anchor of the note ("fn-3"); its marker's anchor is "fnref-3"


@dataclass
class Para:
    kind: str  # "h", "p", "quote", "li"
    pieces: list[Piece]
    number: str = ""  # "12" for a numbered paragraph, "II.A" for a heading
    key: str = ""  # anchor
    level: int = 0
    marker: str = ""
    notes: list[int] = field(default_factory=list)  # numbers of the notes whose markers it holds


@dataclass
class Annex:
    letter: str
    accused: dict
    dossier: Dossier
    file_name: str  # the dossier's file, beside the edition's folder: "khomeini.pdf"
    pages: int = 0  # known once built
    offset: int = 0  # in the combined PDF: pages before its first page


@dataclass
class EvidenceRow:
    number: str
    type: str
    date: str
    short_title: str
    withheld: bool
    cited: list[tuple[int, str]]  # (note number, paragraph number)
    ref: Reference  # the first reference to it (link target)


@dataclass
class SummaryRow:
    number: str
    victims: str
    perpetrators: str
    dates: str
    places: str
    source: str
    ref: Reference


@dataclass
class Brief:
    name: str
    path: str
    edition: str
    case: dict
    front: dict  # the front matter as the edition prints it
    forum: str
    paras: list[Para]
    notes: list[Note]
    annexes: list[Annex]
    evidence: list[EvidenceRow]
    summary: list[SummaryRow] | None
    references: list[Reference]
    fingerprint: str = ""
    own_removals: set = field(default_factory=set)  # what the public edition took out of the text itself

    @property
    def title(self) -> str:
        return self.front["title"]

    @property
    def removed(self) -> tuple[str, ...]:
        """Public edition: what was taken out, of the text or of the annexed dossiers (whose pages
        the combined PDF holds and the text alone opens), in the dossiers' words; () when nothing."""
        if self.edition != "public":
            return ()
        found = set(self.own_removals) | {r for a in self.annexes for r in a.dossier.removed}
        found |= {WITHHELD_FILES for r in self.references if r.file_withheld}
        return tuple(k for k in REMOVALS if k in found)


# ------------------------------------------------------------------ short titles


def short_title(ex: Exhibit) -> str:
    """A title short enough for a note: "Testimony of <witness>", "Statement by <speaker>", else
    the item's title up to its first colon, bracket or dash (at most about 70 characters)."""
    it = ex.item
    if ex.type == "testimony" and it.get("witness"):
        return strip_marks(f"Testimony of {it['witness']['name']}")
    if ex.type == "statement" and it.get("speaker"):
        return strip_marks(f"Statement by {it['speaker']}")
    title = strip_marks(it["title"])
    cut = min((title.find(s) for s in (": ", " (", " — ", " – ") if title.find(s) > 0), default=len(title))
    title = title[:cut].strip()
    if len(title) > 72:
        title = title[:70].rsplit(" ", 1)[0].rstrip(",;: ") + "…"
    return title


def page_text(pages: tuple[tuple[int, int], ...]) -> str:
    if len(pages) == 1 and pages[0][0] == pages[0][1]:
        return f"p. {pages[0][0]}"
    return "pp. " + ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in pages)


def locator_text(c: Cite) -> str:
    """The pinpoint as printed: page locators written one way ("p. 2", "pp. 2–3"), the rest as given."""
    if c.evidence:  # the page of the exhibit it is, and the rest, are known once placed (locate)
        return c.rest.lstrip(", ")
    if not c.pages:
        return c.locator
    return page_text(c.pages) + c.rest


# ------------------------------------------------------------------ checks needing the files


def exhibit_pages(li, files: dict[str, FileInfo]) -> tuple[int, bool]:
    """(pages of an item's exhibit files, whether that count is exact): a text file's pages are
    known only once typeset, and count as one until then."""
    total, exact = 0, True
    for ef in li.item.exhibits:
        f = files.get(ef.file)
        if f is None:
            continue
        if f.kind == "pdf":
            total += f.pages
        elif f.kind == "text":
            total += 1
            exact = False
        else:
            total += max(f.pages, 1)
    return total, exact


def check_brief(lc: LoadedCase, sub: LoadedSubmission, files: dict[str, FileInfo],
                editions: tuple[str, ...]) -> list[Problem]:
    """Pinpoints beyond an exhibit's pages; withheld items cited in a public edition without a
    note saying what the public is told."""
    items = {li.item.id: li for li in lc.items}
    out = []
    for c in sub.cites():
        li = items.get(c.key)
        if li is None:
            continue
        if c.pages:
            pages, exact = exhibit_pages(li, files)
            last = max(b for _, b in c.pages)
            if pages == 0:
                out.append(Problem(sub.path, c.line, "citation",
                                   f"pinpoint '{c.locator}' of @{c.key}: the item has no exhibit files, so it has "
                                   f"no pages to cite; cite it without a page (or with 'para.', 'line' …)"))
            elif last > pages and exact:
                out.append(Problem(sub.path, c.line, "citation",
                                   f"pinpoint '{c.locator}' of @{c.key}: the exhibit has {pages} "
                                   f"page{'s' if pages != 1 else ''} (its files: "
                                   f"{', '.join(ef.file for ef in li.item.exhibits)})"))
        if "public" in editions and "public" in sub.front.editions and li.item.confidential \
                and c.key not in sub.front.withheld_notes:
            out.append(Problem(sub.path, c.line, "citation",
                               f"item '{c.key}' is confidential: the public edition cites it as withheld; say "
                               f"what that edition tells the reader under withheld_notes: {{{c.key}: \"…\"}} "
                               f"(or build the submission in the confidential edition only)"))
    return out


def check_evidence_numbers(lc: LoadedCase, sub: LoadedSubmission, files: dict[str, FileInfo],
                           documents: dict[str, int]) -> list[Problem]:
    """A pinpoint given as an evidence number names a page of one of the item's exhibit files."""
    items = {li.item.id: li for li in lc.items}
    prefix = lc.case.numbering.stamp_prefix
    out = []
    for c in sub.cites():
        li = items.get(c.key)
        if li is None or not c.evidence:
            continue
        labels = []
        for ef in li.item.exhibits:
            f = files.get(ef.file)
            n = documents.get(f.sha256) if f else None
            if not n:
                continue
            label = document_label(prefix, n)
            labels.append(label)
            if c.evidence.startswith(label + "-"):
                page = int(c.evidence[len(label) + 1:])
                if f.kind == "text":
                    out.append(Problem(sub.path, c.line, "citation",
                                       f"pinpoint {c.evidence} of @{c.key}: {ef.file} is a text file, typeset by "
                                       f"casefile with its lines numbered: its pages have no evidence numbers "
                                       f"(cite a line: [@{c.key}, line 6])"))
                    break
                count = f.pages if f.kind == "pdf" else max(f.pages, 1)
                if page < 1 or page > count:
                    out.append(Problem(sub.path, c.line, "citation",
                                       f"pinpoint {c.evidence} of @{c.key}: {ef.file} has {count} "
                                       f"page{'s' if count != 1 else ''} ({label}-{1:04d} to {label}-{count:04d})"))
                break
        else:
            out.append(Problem(sub.path, c.line, "citation",
                               f"pinpoint {c.evidence} of @{c.key}: not the evidence number of a page of the item's "
                               f"exhibit files (their documents: {', '.join(labels) or 'none'})"))
    return out


# ------------------------------------------------------------------ assembly


def roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out


def _heading_number(counts: list[int], level: int) -> str:
    parts = []
    for lvl in range(1, level + 1):
        c = counts[lvl - 1]
        if c == 0:
            continue
        parts.append(roman(c) if lvl == 1 else ANNEX_LETTERS[(c - 1) % 26] if lvl == 2 else str(c))
    return ".".join(parts)


def assemble_brief(lc: LoadedCase, sub: LoadedSubmission, dossiers: dict[str, Dossier], edition: str,
                   fingerprint: str = "") -> Brief:
    """The brief of one edition. `dossiers`: the annexed accused's dossiers of that edition
    (dossier.assembly.assemble), by accused id."""
    public = edition == "public"
    names = protected_names(lc) if public else {}
    terms = submission_terms(sub) if public else []
    items = {li.item.id: li for li in lc.items}
    fm = sub.front

    removals: set[str] = set()

    def txt(s: str | None, item_terms: list[str] = ()) -> str:
        if not (public and s):
            return s or ""
        out = public_text(s, terms + list(item_terms), names)
        if out != s:
            named = public_text(s, [], names)
            if named != s:
                removals.add(PSEUDONYMS)
            if out.count(REDACTED) > named.count(REDACTED):
                removals.add(REDACTED_TERMS)
        return out

    front = {"title": txt(fm.title), "subtitle": txt(fm.subtitle), "addressee": txt(fm.addressee),
             "forum": txt(fm.forum), "date": fm.date, "authors": [txt(a) for a in fm.authors],
             "notes": fm.notes, "numbered_paragraphs": fm.numbered_paragraphs, "bundle": fm.bundle}
    annexes = []
    for i, acc_id in enumerate(fm.annexes):
        d = dossiers[acc_id]
        annexes.append(Annex(ANNEX_LETTERS[i % 26] * (1 + i // 26), d.accused, d, f"{d.file_stem}.pdf"))
    by_number: dict[str, tuple[int, Exhibit]] = {}
    exhibit_of: dict[str, tuple[int, Exhibit]] = {}
    for ai, a in enumerate(annexes):
        for ex in a.dossier.exhibits:
            exhibit_of.setdefault(ex.id, (ai, ex))
            by_number.setdefault(ex.number, (ai, ex))

    # numbers and anchors of headings and paragraphs (cross-references need them all first)
    counts = [0, 0, 0]
    para_no = 0
    labels: dict[str, tuple[str, str, str]] = {}  # id -> (kind, number, anchor): ("section", "II", "h-3")
    numbering: list[tuple[str, str]] = []  # per block: (number, anchor)
    for bi, b in enumerate(sub.blocks):
        number, anchor = "", f"b{bi}"
        if b.kind == "h":
            if b.numbered and fm.numbered_headings:
                counts[b.level - 1] += 1
                for k in range(b.level, 3):
                    counts[k] = 0
                number = _heading_number(counts, b.level)
            anchor = f"h-{bi}"
            title = "".join(s.text for s in b.spans if s.kind == "text")
            label = ("section", number) if number else ("", f"“{txt(title)}”")
        elif b.kind == "p" and fm.numbered_paragraphs:
            para_no += 1
            number = str(para_no)
            anchor = f"para-{para_no}"
            label = ("paragraph", number)
        else:
            label = ("", "the passage")
        numbering.append((number, anchor))
        if b.id and b.id not in labels:
            labels[b.id] = (*label, anchor)

    references: list[Reference] = []
    notes: list[Note] = []

    def reference(c: Cite) -> Reference:
        li = items[c.key]
        ai, ex = exhibit_of.get(c.key, (None, None))
        withheld = ex is not None and ex.withheld
        if ex is None:  # the check reports it; the brief is not printed
            number, title, type_ = c.key, c.key, li.item.type
        else:
            number, type_ = ex.number, ex.type
            override = fm.short_titles.get(c.key)
            title = txt(override, public_terms(li)) if override else short_title(ex)
        ref = Reference(f"ref-{len(references) + 1}", number, WITHHELD_NOTE if withheld else title, type_,
                        txt(c.prefix), "" if withheld else txt(locator_text(c)),
                        c.pages[0][0] if c.pages else None, withheld,
                        txt(fm.withheld_notes.get(c.key, ""), public_terms(li)) if withheld else "",
                        ai, evidence=None if withheld else (c.evidence or None), item_id=c.key, line=c.line,
                        exhibit=ex, rest=txt(c.rest))
        references.append(ref)
        if withheld:
            removals.add(WITHHELD_ITEMS)
        return ref

    def pieces_of(spans, para_number: str, in_note: bool) -> tuple[list[Piece], list[int]]:
        out: list[Piece] = []
        marks: list[int] = []
        xrefs = _cross_reference_runs(spans, labels)
        for k, s in enumerate(spans):
            if k in xrefs:
                out += xrefs[k]
            elif s.kind == "text":
                if s.style == "mark" and public:
                    removals.add(REDACTED_TERMS)
                    out.append(Piece("text", REDACTED, "mark"))
                else:
                    out.append(Piece("text", txt(s.text), s.style))
            elif s.kind == "xref":  # written [text](#key)
                out.append(Piece("xref", txt(s.text), key=labels.get(s.key, ("", "", ""))[2]))
            elif s.kind == "link":
                out.append(Piece("link", txt(s.text) or s.key, key=s.key))
            elif s.kind == "cite" and in_note:  # a citation inside a note is printed where it stands
                refs = [reference(c) for c in s.cites if c.key in items]
                out += _group_pieces(refs, [r.prefix for r in refs], starts_note=False)
            elif s.kind in ("cite", "note"):
                n = len(notes) + 1
                note = Note(n, [], para_number, f"fn-{n}")
                notes.append(note)
                if s.kind == "cite":
                    refs = [reference(c) for c in s.cites if c.key in items]
                    note.pieces = _group_pieces(refs, [r.prefix for r in refs]) + [Piece("text", ".")]
                else:
                    note.pieces, _ = pieces_of(s.inner, para_number, True)
                out.append(Piece("marker", str(n), key=note.key))
                marks.append(n)
        return out, marks

    paras: list[Para] = []
    last_para = ""
    for bi, b in enumerate(sub.blocks):
        number, anchor = numbering[bi]
        if b.kind == "p" and number:
            last_para = number
        pieces, marks = pieces_of(b.spans, number or (last_para if b.kind != "h" else ""), False)
        paras.append(Para(b.kind, pieces, number, anchor, b.level, b.marker, marks))

    # the table of cited evidence and the summary for UN special procedures
    rows: dict[str, EvidenceRow] = {}
    for note in notes:
        for p in note.pieces:
            if p.kind != "ref":
                continue
            r = p.ref
            row = rows.get(r.number)
            if row is None:
                ex = by_number.get(r.number, (None, None))[1]
                date = "" if (ex is None or r.withheld) else display_date(ex.item.get("date")) or "undated"
                rows[r.number] = row = EvidenceRow(r.number, "—" if r.withheld else TYPE_LABELS.get(r.type, r.type),
                                                   date or "—", r.short_title, r.withheld, [], r)
            if (note.number, note.paragraph) not in row.cited:
                row.cited.append((note.number, note.paragraph))
    evidence = sorted(rows.values(), key=lambda r: r.number)
    summary = None
    if fm.un_summary:
        victims = fm.un_summary.victims if isinstance(fm.un_summary, UNSummary) else {}
        summary = []
        for row in evidence:
            ai, ex = by_number.get(row.number, (None, None))
            if ex is None or row.withheld:
                summary.append(SummaryRow(row.number, "—", "—", "—", "—", WITHHELD_NOTE, row.ref))
                continue
            it = ex.item
            li = items[ex.id]
            if ex.id in victims:
                v = txt(victims[ex.id], public_terms(li))
            elif ex.type == "testimony" and it.get("witness"):
                v = f"{it['witness']['name']} (the witness)"
            else:
                v = "not stated in the item"
            perpetrators = "; ".join(a.accused["name"] for a in annexes if a.accused["id"] in it["accused"])
            sources = "; ".join(", ".join(x for x in (_short(s.get("title") or ""), s.get("locator")) if x)
                                for s in it.get("sources", []))
            summary.append(SummaryRow(row.number, v, perpetrators, display_date(it.get("date")) or "not stated",
                                      "; ".join(it.get("places") or []) or "not stated", sources, row.ref))
    return Brief(sub.name, sub.path, edition, lc.case.model_dump(by_alias=True), front, front["forum"], paras,
                 notes, annexes, evidence, summary, references, fingerprint, removals)


def _short(title: str) -> str:
    """A source's title without its bracketed remarks and subtitle."""
    cut = min((title.find(s) for s in (" [", ": ", " (") if title.find(s) > 0), default=len(title))
    return title[:cut].strip()


XREF_SEPARATOR = re.compile(r"(,| and|, and) ")  # between cross-references written in a row
SENTENCE_END = re.compile(r"(^|[.!?][)\]’”\"']*)\s*$")  # text before a cross-reference that opens a sentence


def _cross_reference_runs(spans, labels: dict[str, tuple[str, str, str]]) -> dict[int, list[Piece]]:
    """The pieces of each cross-reference `[@id]` (one without words of its own), by its span's
    index: "section II", "paragraph 12", a heading without a number by its title. Several in a
    row, separated only by ", ", " and " or ", and " (as written, or as `[@a; @b]` gives them),
    of one kind are one phrase: "sections II, III and IV", "paragraphs 3 and 4", each number a
    link to its place (the separators stay the text's own). One that opens a paragraph or a
    sentence is capitalised ("Section II sets out …")."""
    out: dict[int, list[Piece]] = {}
    k = 0
    while k < len(spans):
        s = spans[k]
        if s.kind != "xref" or s.text:
            k += 1
            continue
        run = [k]
        while (run[-1] + 2 < len(spans) and spans[run[-1] + 1].kind == "text" and not spans[run[-1] + 1].style
               and XREF_SEPARATOR.fullmatch(spans[run[-1] + 1].text)
               and spans[run[-1] + 2].kind == "xref" and not spans[run[-1] + 2].text):
            run.append(run[-1] + 2)
        found = [labels.get(spans[i].key, ("", spans[i].key, "")) for i in run]
        kinds = {kind for kind, _, _ in found}
        opens = k == 0 or (spans[k - 1].kind == "text" and SENTENCE_END.search(spans[k - 1].text) is not None)
        for n, (i, (kind, number, anchor)) in enumerate(zip(run, found)):
            if len(run) > 1 and len(kinds) == 1 and kind:  # one phrase: the kind once, in the plural
                label = f"{kind}s {number}" if n == 0 else number
            else:
                label = f"{kind} {number}" if kind else number
            if n == 0 and opens and kind:
                label = label[0].upper() + label[1:]
            out[i] = [Piece("xref", label, key=anchor)]
        k = run[-1] + 1
    return out


def _group_pieces(refs: list[Reference], prefixes: list[str], starts_note: bool = True) -> list[Piece]:
    """References separated by semicolons, each after its prefix ("See EX-0014 …; see also …"; the
    first capitalised when it starts a note)."""
    out: list[Piece] = []
    for i, (r, prefix) in enumerate(zip(refs, prefixes)):
        if i:
            out.append(Piece("text", "; "))
        if prefix:
            out.append(Piece("text", (prefix[0].upper() + prefix[1:] if i == 0 and starts_note else prefix) + " "))
        out.append(Piece("ref", ref=r))
    return out


def reference_text(r: Reference) -> str:
    """A reference as printed: "EX-0014, Testimony of Hossein Farsi, p. 2 [IR88-0014-0002]"; a
    withheld exhibit "EX-0021, withheld from the public edition (the note)"."""
    if r.withheld:
        return f"{r.number}, {WITHHELD_NOTE}" + (f" ({r.withheld_note})" if r.withheld_note else "")
    out = f"{r.number}, {r.short_title}"
    if r.locator:
        out += f", {r.locator}"
    if r.evidence:
        out += f" [{r.evidence}]"
    return out


def annex_title(a: Annex) -> str:
    """"Annex A — Dossier concerning Ruhollah Khomeini": the annex's entry in the contents and outline."""
    return f"Annex {a.letter} — Dossier concerning {a.accused['name']}"


def where_text(r: Reference, annexes: list[Annex]) -> str:
    """Where the reference lands: "Annex A, p. 58" (the annexed dossier's own page number)."""
    if r.annex is None or r.annex_page is None or r.withheld:
        return ""
    return f"Annex {annexes[r.annex].letter}, p. {r.annex_page}" + \
        (f"; that file is {WITHHELD_NOTE}" if r.file_withheld else "")


# ------------------------------------------------------------------ pages in the built dossiers


def locate(brief: Brief, manifests: dict[str, dict]) -> list[Problem]:
    """Give each reference the page of its annex it lands on, and the evidence number of the
    page it cites, from the annexed dossiers' manifests (by accused id): every exhibit's pages,
    and the page of every evidence number (an exhibit file's page, shown once per dossier even
    when several exhibits cite the file). Returns the pinpoints found beyond an exhibit's pages
    now that every file is typeset (a text file's pages are known only then)."""
    out = []
    for a in brief.annexes:
        a.pages = manifests[a.accused["id"]]["pages"]
    offset = 0
    for a in brief.annexes:
        a.offset = offset
        offset += a.pages
    for r in brief.references:
        if r.annex is None or r.withheld or r.exhibit is None:
            continue
        m = manifests[brief.annexes[r.annex].accused["id"]]
        entry = next((e for e in m["exhibits"] if e["number"] == r.number), None)
        if entry is None or not entry.get("pages"):
            continue
        r.annex_page = entry["pages"][0]
        if r.page is None and not r.evidence:
            continue
        evidence = {e["number"]: e["page"] for e in m.get("evidence", [])}
        counts = []
        for f in r.exhibit.files:
            if f.withheld or not f.document_label:
                counts.append(f.pages if f.kind == "pdf" else 1)
            else:
                counts.append(sum(1 for number in evidence if number.startswith(f.document_label + "-")))
        if r.page is None:  # given as an evidence number: which page of the exhibit that is
            i = next((i for i, f in enumerate(r.exhibit.files) if f.document_label
                      and r.evidence.startswith(f.document_label + "-")), None)
            if i is None:
                continue
            r.page = sum(counts[:i]) + int(r.evidence[len(r.exhibit.files[i].document_label) + 1:])
            r.locator = page_text(((r.page, r.page),)) + (", " + r.locator if r.locator else "")
        remaining, found = r.page, False
        for i, (f, n) in enumerate(zip(r.exhibit.files, counts)):
            if remaining <= n:
                found = True
                if f.withheld or not f.document_label:
                    r.file_withheld = f.withheld
                    r.evidence = None
                    files = entry.get("files") or []
                    span = files[i].get("pages") if i < len(files) else None
                    if span:
                        r.annex_page = span[0]
                else:
                    r.evidence = f.evidence_number(remaining)
                    r.annex_page = evidence.get(r.evidence, r.annex_page)
                break
            remaining -= n
        if not found and brief.edition == "confidential":
            total = r.page - remaining
            out.append(Problem(brief.path, r.line, "citation",
                               f"pinpoint p. {r.page} of @{r.item_id}: the exhibit has {total} "
                               f"page{'s' if total != 1 else ''} once typeset"))
    return out
