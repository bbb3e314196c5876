"""The editions, and the one place that says what the public one must not show.

Removed from the public edition:
- every form of a protected person's name: the name, its original script, its aliases, and
  every part of them that is a word of three letters or more (unless listed under
  `not_identifying`), replaced by the pseudonym wherever it stands: in every field of every
  item, in bodies and in case.yaml's text. A protected person is declared once, as a witness
  of an item or under `persons:` in case.yaml.
- `[[…]]` spans (in any text field, case.yaml included) and an item's `redact:` terms,
  replaced by "[redacted]" (a span's text is also a term of its whole item; a case.yaml
  span's text a term of the whole case);
- items marked `confidential: true`, and exhibit files marked `confidential: true` in any item
  that lists them: withheld (their numbers stay, marked "withheld");
- pages the leak check cannot read: image exhibits, and exhibit PDF pages without a text
  layer, unless the exhibit entry says `public_reviewed: true` or the intake step read its text
  (OCR: `FileInfo.ocr`, drawn as the page's text layer, which the leak check reads); and pages
  OCR did not read in full (`FileInfo.unread`: ink outside every word Tesseract gave, or words
  it read with low confidence, intake/ocr.py), whose unread part the leak check cannot see,
  unless the exhibit entry says `public_reviewed: true`;
- internal identifiers: item ids, case-file paths, exhibit file names (the public edition
  names a file by its exhibit number, "EX-0014 file 1").

The assembly applies this policy (`edit`), the leak check searches the finished public PDF
for every form (`leak_terms`), and a form found there is traced back to the case file and
line it comes from (`explain_leaks`). The confidential edition carries the same spans between
MARK_OPEN and MARK_CLOSE so that the typesetter can highlight what the public one replaces.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from casefile.case.body import CROSS_REFERENCE, MARK_CLOSE, MARK_OPEN, REDACTED, alternation, split_spans
from casefile.case.loading import LoadedCase, line_for, rel
from casefile.errors import Problem

EDITIONS = ("confidential", "public")
REPLACED_NOTE = "replaced in the public edition"
WITHHELD_NOTE = "withheld from the public edition"
WITHHELD_TITLE = "Withheld from the public edition"
NO_TEXT_LAYER = "no text layer"  # why a page is withheld: nothing the leak check can read
NOT_FULLY_READ = "not fully read by OCR"  # why a page is withheld: the leak check reads only part of it
MIN_PART = 3  # letters: a shorter part of a name ("Al", "H.") does not identify on its own
# keys whose values are identifiers or references, never printed as text: not edited
SKIP_KEYS = frozenset({"id", "type", "accused", "charges", "file", "sha256", "language", "stamp", "date", "from",
                       "to", "as_of", "issued", "given_on", "captured", "published", "accessed",
                       "translation_layout", "page_size", "exhibit_prefix", "exhibit_width", "stamp_prefix",
                       "protected", "confidential", "public_reviewed", "pseudonym", "not_identifying", "certified",
                       "supplied_by_compiler"})
_LETTER = r"[^\W\d_]"
_WORD = re.compile(rf"{_LETTER}(?:{_LETTER}|[\u200c'’])*")


@dataclass(frozen=True)
class Term:
    """A text the public edition must not contain, and where it is declared."""
    text: str
    path: str
    line: int
    field: str
    whole_word: bool = False  # matched only as a whole word (a part of a protected name)
    person: str = ""  # the protected person this form identifies ("" for a redacted term)


@dataclass
class ProtectedPerson:
    name: str
    pseudonym: str
    path: str
    line: int
    field: str  # where the person is declared (witness, persons.N)
    full: list[tuple[str, str]] = field(default_factory=list)  # (form, field) of name, original, aliases
    not_identifying: set[str] = field(default_factory=set)  # case-folded


@dataclass
class Policy:
    """The case's public-edition policy (made once per loaded case)."""
    persons: list[ProtectedPerson]
    names: dict  # case-folded form -> replacement
    name_terms: list[Term]
    case_spans: tuple[str, ...]  # text of case.yaml's [[…]] spans: removed everywhere
    case_terms: list[Term]
    problems: list[Problem]

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(sorted(self.names))


def norm_space(text: str) -> str:
    return " ".join(text.split())


def name_parts(form: str) -> list[str]:
    """The words of a name that identify on their own: three letters or more."""
    return [w for w in _WORD.findall(form) if sum(ch.isalpha() for ch in w) >= MIN_PART]


def _strings(v, loc=()):
    if isinstance(v, str):
        yield loc, v
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from _strings(x, loc + (i,))
    elif isinstance(v, dict):
        for k, x in v.items():
            if k not in SKIP_KEYS:
                yield from _strings(x, loc + (k,))


def policy(lc: LoadedCase) -> Policy:
    """The policy of a loaded case, made once (kept on the loaded case)."""
    cached = lc.__dict__.get("_edition_policy")
    if cached is None:
        cached = lc.__dict__["_edition_policy"] = _make_policy(lc)
    return cached


def _declared(lc: LoadedCase):
    """(person model, path, line function, field prefix) of every protected declaration."""
    for i, p in enumerate(getattr(lc.case, "persons", []) or []):
        if p.protected:
            yield p, lc.case_path, (lambda *loc, i=i: line_for(lc.lines, ("persons", i) + loc, 1)), f"persons.{i}"
    for li in lc.items:
        w = getattr(li.item, "witness", None)
        if w is not None and w.protected:
            yield w, li.path, (lambda *loc, li=li: li.line_of("witness", *loc)), "witness"


def _make_policy(lc: LoadedCase) -> Policy:
    problems: list[Problem] = []
    persons: dict[str, ProtectedPerson] = {}
    for m, path, line_of, prefix in _declared(lc):
        key = norm_space(m.name).casefold()
        pp = persons.get(key)
        if pp is None:
            pp = persons[key] = ProtectedPerson(norm_space(m.name), m.pseudonym, path, line_of(), prefix)
        elif m.pseudonym != pp.pseudonym:
            problems.append(Problem(path, line_of("pseudonym"), f"{prefix}.pseudonym",
                                    f"'{m.name}' is also protected in {pp.path}:{pp.line} under the pseudonym "
                                    f"'{pp.pseudonym}': give one pseudonym"))
        forms = [(m.name, "name")] + ([(m.name_original, "name_original")] if m.name_original else []) + \
            [(a, f"aliases.{k}") for k, a in enumerate(getattr(m, "aliases", []) or [])]
        for form, f in forms:
            form = norm_space(form)
            if form and all(form.casefold() != x.casefold() for x, _ in pp.full):
                pp.full.append((form, f))
        words = {w.casefold() for form, _ in forms for w in _WORD.findall(form)}
        for k, n in enumerate(getattr(m, "not_identifying", []) or []):
            if norm_space(n).casefold() not in words:
                problems.append(Problem(path, line_of("not_identifying", k), f"{prefix}.not_identifying.{k}",
                                        f"'{n}' is not a word of the name or aliases of '{m.name}'"))
            pp.not_identifying.add(norm_space(n).casefold())
    names: dict[str, str] = {}
    owner: dict[str, str] = {}
    terms: list[Term] = []
    for pp in persons.values():
        line = pp.line
        for form, f in pp.full:
            terms.append(Term(form, pp.path, line, f"{pp.field}.{f}", True, pp.name))
            _add_name(names, owner, form, pp)
        for form, f in pp.full:
            for part in name_parts(form):
                if part.casefold() in pp.not_identifying or part.casefold() == form.casefold():
                    continue
                terms.append(Term(part, pp.path, line, f"{pp.field}.{f}", True, pp.name))
                _add_name(names, owner, part, pp)
    # a pseudonym that still identifies its person protects nothing
    for m, path, line_of, prefix in _declared(lc):
        if m.pseudonym:
            hit = next((t.text for t in terms if t.person.casefold() == norm_space(m.name).casefold()
                        and _find(m.pseudonym, t.text, t.whole_word)), None)
            if hit:
                problems.append(Problem(path, line_of("pseudonym"), f"{prefix}.pseudonym",
                                        f"the pseudonym '{m.pseudonym}' contains '{hit}', a form of the name it "
                                        f"replaces"))
    # case.yaml's [[…]] spans: removed from the whole case
    spans, case_terms = [], []
    for loc, v in _strings(lc.case.model_dump(by_alias=True)):
        for piece, span in split_spans(v):
            if span and piece.strip():
                spans.append(norm_space(piece))
                case_terms.append(Term(norm_space(piece), lc.case_path, line_for(lc.lines, loc, 1),
                                       ".".join(map(str, loc))))
    terms.sort(key=lambda t: (-len(t.text), t.text))
    return Policy(list(persons.values()), names, terms, tuple(sorted(set(spans))), case_terms, problems)


def _add_name(names: dict, owner: dict, form: str, pp: ProtectedPerson):
    key = form.casefold()
    if key in names and owner[key] != pp.name and names[key] != pp.pseudonym:
        names[key] = REDACTED  # a part two protected persons share: neither pseudonym fits
        return
    names.setdefault(key, pp.pseudonym)
    owner.setdefault(key, pp.name)


def _find(text: str, form: str, whole_word: bool) -> bool:
    pattern = re.escape(form.casefold())
    if whole_word:
        pattern = rf"(?<!{_LETTER}){pattern}(?!{_LETTER})"
    return re.search(pattern, text.casefold()) is not None


def policy_problems(lc: LoadedCase) -> list[Problem]:
    """Problems of the protected-person declarations (checked by `check` and `build`)."""
    return list(policy(lc).problems)


# ------------------------------------------------------------------ applying the policy

def item_terms(lc: LoadedCase, li) -> tuple[str, ...]:
    """What the public edition removes from one item besides protected names: its `redact`
    terms, the text of every `[[…]]` span in its fields and body, and case.yaml's spans."""
    cached = li.__dict__.get("_edition_terms")
    if cached is None:
        spans = [norm_space(piece) for _, v in _strings(li.item.model_dump(by_alias=True)) for piece, span in
                 split_spans(v) if span and piece.strip()]
        spans += [norm_space(piece) for piece, span in split_spans(li.body) if span and piece.strip()]
        cached = tuple(sorted({norm_space(t) for t in li.item.redact if t.strip()} | set(spans)
                              | set(policy(lc).case_spans)))
        li.__dict__["_edition_terms"] = cached
    return cached


@lru_cache(maxsize=512)
def _matcher(terms: tuple[str, ...], names: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    if terms:
        parts.append(f"(?P<t>{alternation(terms, ignore_case=True, spaces=True)})")
    if names:
        parts.append(f"(?<!{_LETTER})(?P<n>{alternation(names, ignore_case=True, spaces=True)})(?!{_LETTER})")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def edit(text: str, terms: tuple[str, ...], pol: Policy, public: bool) -> str:
    """The text as the edition shows it. Public: `[[…]]` spans and terms become "[redacted]",
    protected names their pseudonym. Confidential: the same spans kept, between marks."""
    if not text:
        return text
    pattern = _matcher(terms, pol.forms)
    if pattern is None and "[[" not in text and "]]" not in text:
        return text
    names = pol.names

    def sub(m: re.Match) -> str:
        if not public:
            return MARK_OPEN + m.group(0) + MARK_CLOSE
        if "t" in pattern.groupindex and m.group("t") is not None:
            return REDACTED
        return names.get(norm_space(m.group(0)).casefold(), REDACTED)

    out = []
    for piece, span in split_spans(text):
        if span:
            out.append(REDACTED if public else MARK_OPEN + piece + MARK_CLOSE)
        elif pattern is None:
            out.append(piece)
        elif "[@" in piece:  # a cross-reference names an item id: printed as an exhibit number, kept
            pos = 0
            for m in CROSS_REFERENCE.finditer(piece):
                out += [pattern.sub(sub, piece[pos:m.start()]), m.group(0)]
                pos = m.end()
            out.append(pattern.sub(sub, piece[pos:]))
        else:
            out.append(pattern.sub(sub, piece))
    return "".join(out)


def edit_value(v, terms: tuple[str, ...], pol: Policy, public: bool):
    """Every text of a field's value (strings, lists, mappings) edited; identifiers kept."""
    if isinstance(v, str):
        return edit(v, terms, pol, public)
    if isinstance(v, list):
        return [edit_value(x, terms, pol, public) for x in v]
    if isinstance(v, dict):
        return {k: (x if k in SKIP_KEYS else edit_value(x, terms, pol, public)) for k, x in v.items()}
    return v


# what a public edition may take out, in the order the cover lists it
PSEUDONYMS = "protected witnesses appear under pseudonyms"
REDACTED_TERMS = "marked passages and names are redacted"
WITHHELD_ITEMS = "confidential exhibits are withheld"
WITHHELD_FILES = "confidential exhibit files are withheld"
REMOVALS = (PSEUDONYMS, REDACTED_TERMS, WITHHELD_ITEMS, WITHHELD_FILES)


def item_removals(raw: dict, body: str, data: dict, edited_body: str, terms: tuple[str, ...],
                  pol: Policy) -> set[str]:
    """What the public edition took out of one item's fields and body (`data`, `edited_body`
    are `raw`, `body` as the public edition shows them): pseudonyms, redactions, or nothing."""
    plain = dataclasses.replace(pol, names={})  # the same policy without its pseudonyms
    plain_data, plain_body = edit_value(raw, terms, plain, True), edit(body, terms, plain, True)
    out = set()
    if (plain_data, plain_body) != (data, edited_body):
        out.add(PSEUDONYMS)
    if (plain_data, plain_body) != (raw, body):
        out.add(REDACTED_TERMS)
    return out


def is_protected_witness(lc: LoadedCase, witness) -> bool:
    if witness is None:
        return False
    if witness.protected:
        return True
    key = norm_space(witness.name).casefold()
    return any(p.name.casefold() == key for p in policy(lc).persons)


# ------------------------------------------------------------------ what the public edition withholds

def file_withheld(lc: LoadedCase, name: str) -> bool:
    """An exhibit file marked confidential in any item that lists it is withheld everywhere."""
    return any(ef.file == name and ef.confidential for li in lc.items for ef in li.item.exhibits)


def unreadable_pages(kind: str, pages: int, untexted: tuple, reviewed: bool, ocr: dict,
                     unread: dict | None = None) -> tuple[int, ...]:
    """Pages (0-based) of an exhibit file the public edition withholds because the leak check
    could not read them, or not all of them: every page of an image, the pages of a PDF without
    a text layer, except those the intake step has OCR text for (`FileInfo.ocr`: the text layer
    drawn on the page, which the leak check then reads like any other) unless that OCR did not
    read all of the page (`unread`: a line Tesseract did not recognise could show a name the
    leak check never sees). None once a person has reviewed the file (`public_reviewed: true`)."""
    if reviewed:
        return ()
    if kind == "image":
        candidates = range(max(pages, 1))
    elif kind == "pdf":
        candidates = untexted
    else:
        return ()
    unread = unread or {}
    return tuple(i for i in candidates if i not in ocr or i in unread)


def partly_read_warnings(lc: LoadedCase, files: dict) -> list[Problem]:
    """One warning per exhibit page the public edition withholds because OCR did not read all
    of it (`FileInfo.unread`), naming the file, the page, what was missed and how to publish
    it: a person checks the page, then the exhibit entry says `public_reviewed: true`."""
    entries: dict[tuple, list[str]] = {}
    missed: dict[tuple, str] = {}
    for li in lc.items:
        if li.item.confidential:
            continue
        for i, ef in enumerate(li.item.exhibits):
            info = files.get(ef.file)
            if info is None or file_withheld(lc, ef.file):
                continue
            for f in [info, *info.parts]:
                shown = rel(lc.root, lc.exhibit_dir / f.path)
                for k in unreadable_pages(f.kind, f.pages, f.untexted, ef.public_reviewed, f.ocr, f.unread):
                    if k in f.unread:
                        missed[(shown, k)] = f.unread[k]
                        entries.setdefault((shown, k), []).append(f"{li.path}:{li.line_of('exhibits', i, 'file')}")
    return [Problem(shown, 0, f"page {k + 1}",
                    f"{NOT_FULLY_READ} ({missed[(shown, k)]}): withheld from the public edition; check the page "
                    f"(the confidential edition shows it), then write public_reviewed: true in its exhibit entry "
                    f"({', '.join(entries[(shown, k)])})")
            for shown, k in sorted(missed)]


# ------------------------------------------------------------------ the leak check's terms

def leak_terms(lc: LoadedCase, item_ids: set[str]) -> list[Term]:
    """What the public edition must not contain: every form of every protected person of the
    case, case.yaml's redacted spans, and the `redact` terms and `[[…]]` spans of the items in
    the dossier."""
    pol = policy(lc)
    terms = list(pol.name_terms) + list(pol.case_terms)
    for li in lc.items:
        if li.item.id not in item_ids:
            continue
        for i, t in enumerate(li.item.redact):
            terms.append(Term(norm_space(t), li.path, li.line_of("redact", i), f"redact.{i}"))
        for loc, v in _strings(li.item.model_dump(by_alias=True)):
            for piece, span in split_spans(v):
                if span and piece.strip():
                    terms.append(Term(norm_space(piece), li.path, li.line_of(*loc), ".".join(map(str, loc))))
        offset = 0
        for piece, span in split_spans(li.body):
            n = li.body.find(piece, offset)
            offset = max(n, offset)
            if span and piece.strip():
                terms.append(Term(norm_space(piece), li.path, li.body_line + li.body[:max(n, 0)].count("\n"),
                                  "body"))
    return terms


redaction_terms = leak_terms  # the name verify and older callers use


# ------------------------------------------------------------------ submissions (dossier/submission.py)

def protected_names(lc: LoadedCase) -> Policy:
    """The case's policy, as a submission passes it on to `public_text`."""
    return policy(lc)


def public_terms(li) -> list[str]:
    """Terms removed from one item in the public edition besides protected names: its `redact`
    list and the text of the `[[…]]` spans of its fields and body (case.yaml's spans are added
    by `public_text`)."""
    spans = [norm_space(piece) for _, v in _strings(li.item.model_dump(by_alias=True)) for piece, span in
             split_spans(v) if span and piece.strip()]
    spans += [norm_space(piece) for piece, span in split_spans(li.body) if span and piece.strip()]
    return [norm_space(t) for t in li.item.redact if t.strip()] + spans


def public_text(text: str, terms: list[str], names) -> str:
    """A text as the public edition prints it (`names`: the case's policy, `protected_names`):
    every form of a protected name becomes the pseudonym, `[[…]]` spans and every term
    "[redacted]", as in the dossiers."""
    pol = names if isinstance(names, Policy) else None
    if pol is None:
        pol = Policy([], {k.casefold(): v for k, v in dict(names or {}).items()}, [], (), [], [])
    return edit(text, tuple(sorted({norm_space(t) for t in terms if t.strip()} | set(pol.case_spans))), pol, True)


def submission_terms(sub) -> list[str]:
    """Terms removed from a submission (case/submission.py) in the public edition: its `redact`
    list and its `[[…]]` spans."""
    return list(sub.front.redact) + [text for text, _ in sub.marked_spans()]


def submission_redaction_terms(lc: LoadedCase, sub, item_ids: set[str]) -> list[Term]:
    """What the public edition of a submission must not contain: what its annexed dossiers must
    not (`item_ids`: their items), and the submission's own `redact` terms and `[[…]]` spans."""
    terms = leak_terms(lc, item_ids)
    terms += [Term(t, sub.path, sub.line_of("redact", i), f"redact.{i}") for i, t in enumerate(sub.front.redact)]
    terms += [Term(text, sub.path, line, "body") for text, line in sub.marked_spans()]
    return terms


# ------------------------------------------------------------------ a part that may name someone else

def name_part_warnings(lc: LoadedCase) -> list[Problem]:
    """A warning (printed by `check`) for each word of a protected name that the case files use
    inside another name ("Hossein Ali Montazeri" when "Hossein Farsi" is protected): the public
    edition replaces it by the pseudonym there too, which is safe but may misstate who is meant.
    One warning per word and the name it stands in, at its first place; the fix is
    `not_identifying`."""
    pol = policy(lc)
    parts = []
    for pp in pol.persons:
        full = {form.casefold() for form, _ in pp.full}
        words = {w.casefold() for form in full for w in _WORD.findall(form)}
        for form, _ in pp.full:
            for part in name_parts(form):
                if part.casefold() not in pp.not_identifying and part.casefold() not in full:
                    parts.append((part, pp, words))
    if not parts:
        return []
    sources = [(lc.case_path, lc.root / lc.case_path, lc.lines, None)]
    sources += [(li.path, lc.root / li.path, li.lines, li.body_line) for li in lc.items]
    seen: dict[tuple, list] = {}
    for shown, path, keys, body_line in sources:
        try:
            lines = path.read_text(encoding="utf-8-sig").split("\n")
        except OSError:
            continue
        for no, line in enumerate(lines, 1):
            for part, pp, words in parts:
                pattern = rf"(?<!{_LETTER})({re.escape(part)})(?!{_LETTER})[ \u00a0]+({_WORD.pattern})"
                for m in re.finditer(pattern, line, re.I):
                    nxt = m.group(2)
                    if not nxt[0].isupper() or re.sub("['’]s?$", "", nxt).casefold() in words:
                        continue
                    key = (pp.name, part.casefold(), nxt.casefold())
                    if key not in seen:
                        seen[key] = [shown, no, _line_field(keys, no, body_line), m.group(1), nxt, pp, 0]
                    seen[key][-1] += 1
    out = []
    for shown, no, fld, part, nxt, pp, count in seen.values():
        more = f" (and {count - 1} more place{'s' if count > 2 else ''})" if count > 1 else ""
        out.append(Problem(shown, no, fld, f"warning: '{part} {nxt}'{more}: '{part}', a word of the protected name "
                                           f"'{pp.name}', is replaced by '{pp.pseudonym or REDACTED}' here too in "
                                           f"the public edition; if it names someone else, list it under "
                                           f"`not_identifying` at {pp.path}:{pp.line}"))
    return out


# ------------------------------------------------------------------ where a leak comes from

def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]", "", text).casefold()
    return " ".join(text.replace("ي", "ی").replace("ك", "ک").split())


def _line_field(lines: dict, line: int, body_line: int | None) -> str:
    if body_line is not None and line >= body_line:
        return "body"
    best = max(((ln, loc) for loc, ln in lines.items() if ln <= line), default=None, key=lambda x: x[0])
    return ".".join(map(str, best[1])) if best else "-"


def explain_leaks(lc: LoadedCase, leaks: list, accused: str, exhibit_pages: dict, text_files: dict,
                  item_ids: set[str]) -> list[Problem]:
    """One problem for each place a leaked form comes from: the case file and line (an item,
    case.yaml, a text exhibit), or the exhibit file and its page; each says which public
    dossier and page it would reach, and how to fix it. `exhibit_pages` maps a page of the
    dossier to (exhibit file shown, page of the file); `text_files` maps a shown text exhibit
    to its path on disk."""
    pol = policy(lc)
    sources = [(lc.case_path, lc.root / lc.case_path, lc.lines, None, pol.case_spans)]
    sources += [(li.path, lc.root / li.path, li.lines, li.body_line, item_terms(lc, li))
                for li in lc.items if li.item.id in item_ids]
    texts = {}
    for shown, path, lines, body_line, terms in sources:
        try:  # each line as the public edition shows it: what it replaces cannot be the leak
            texts[shown] = ([edit(line, terms, pol, True) for line in path.read_text(encoding="utf-8-sig")
                             .split("\n")], lines, body_line)
        except OSError:
            continue
    for shown, path in text_files.items():
        try:
            texts[shown] = (Path(path).read_bytes().decode("utf-8", "replace").split("\n"), {}, None)
        except OSError:
            continue
    out: list[Problem] = []
    for leak in leaks:
        t = leak.term
        what = f"a form of the protected name '{t.person}'" if t.person else "a redacted term"
        declared = f"{t.path}:{t.line}"
        pages = sorted({int(m.group(1)) for w in leak.places for m in [re.match(r"page (\d+)", w)] if m})
        elsewhere = [w for w in leak.places if not re.match(r"page \d+", w)]
        on = f"page{'s' if len(pages) > 1 else ''} {', '.join(map(str, pages[:8]))}{'…' if len(pages) > 8 else ''}"
        found_in_input = False
        part = ""  # a word of the name that may name someone else (another Hossein): how to say so
        if t.person and all(t.text.casefold() != form.casefold() for pp in pol.persons if pp.name == t.person
                            for form, _ in pp.full):
            part = (f"; or, if '{t.text}' does not identify '{t.person}' here (another person's name), list it "
                    f"under `not_identifying` at {declared}")
        for page in pages:
            if page in exhibit_pages:
                shown, k = exhibit_pages[page]
                out.append(Problem(shown, 0, f"page {k}",
                                   f"'{t.text}' ({what}, declared at {declared}) is in the text of this exhibit "
                                   f"file and would appear on page {page} of the public dossier of '{accused}'; "
                                   f"give a copy with it removed, or mark the file `confidential: true` in an "
                                   f"item that lists it (it is then withheld from the public edition){part}"))
                found_in_input = True
        pattern = re.escape(_normalise(t.text)).replace(r"\ ", r"\s*")
        if t.whole_word:
            pattern = rf"(?<!{_LETTER}){pattern}(?!{_LETTER})"
        pattern = re.compile(pattern)
        for shown, (lines, keys, body_line) in texts.items():
            for no, line in enumerate(lines, 1):
                if not pattern.search(_normalise(line)):
                    continue
                found_in_input = True
                fld = "text" if shown in text_files else _line_field(keys, no, body_line)
                if t.person:
                    fix = (f"this spelling was not replaced by the pseudonym: add it to the `aliases` of "
                           f"'{t.person}' ({declared}), or mark it [[…]]")
                elif shown == t.path:
                    fix = "it is not replaced here: mark it [[…]]"
                else:
                    fix = f"it is redacted at {declared} but not here: mark it [[…]] or add it to this item's `redact:`"
                if shown in text_files:
                    fix = ("this exhibit file is printed in the public edition: give a copy with it removed, or mark "
                           "the file `confidential: true` in an item that lists it (it is then withheld)")
                elif fld.startswith(("id", "exhibits")):
                    fix = ("it is part of an identifier or exhibit file the public edition shows: rename it, "
                           "or withhold the file (`confidential: true`)")
                out.append(Problem(shown, no, fld, f"'{t.text}' ({what}) would appear in the public dossier of "
                                                   f"'{accused}' ({on or ', '.join(elsewhere)}); {fix}{part}"))
        if not found_in_input:
            where = on if pages else ", ".join(elsewhere)
            out.append(Problem(t.path, t.line, t.field,
                               f"'{t.text}' ({what}) would appear in the public dossier of '{accused}' ({where}) "
                               f"but in none of the case files: it comes from a template, an identifier or a file "
                               f"name; nothing written"))
    return out
