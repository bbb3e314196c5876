"""Case -> one Dossier per accused and edition: which items, in what order, with what text.

The public edition is made here, on plain data, before anything is rendered, by the policy of
dossier/editions.py: every form of a protected person's name becomes the pseudonym, `[[…]]`
spans and `redact` terms become "[redacted]", in every field of every item and in case.yaml's
text; confidential items and files are withheld (their numbers are kept), pages the leak
check cannot read are withheld, and no internal identifier (item id, case-file path, exhibit
file name) is carried: a file is "EX-0014 file 1". So the renderer never sees what the public
must not. The confidential edition carries the same spans between marks, which the renderer
highlights with a margin note, and knows what the public edition withholds, to say so.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from casefile.case.body import Block, Run, balance_marks, parse_body, referring_runs, strip_marks
from casefile.case.dates import sort_key
from casefile.case.loading import LoadedCase, stamp_code
from casefile.case.lockfile import DOCUMENT_WIDTH, document_label, label
from casefile.dossier.editions import (
    NO_TEXT_LAYER,
    NOT_FULLY_READ,
    REMOVALS,
    REPLACED_NOTE,
    WITHHELD_FILES,
    WITHHELD_ITEMS,
    WITHHELD_NOTE,
    WITHHELD_TITLE,
    edit,
    edit_value,
    file_withheld,
    is_protected_witness,
    item_removals,
    item_terms,
    policy,
    unreadable_pages,
)
from casefile.dossier.sections import AFTER_EXHIBITS, BEFORE_EXHIBITS, EXHIBITS_KEY, EXHIBITS_TITLE, TITLES, file_key

TYPE_LABELS = {"testimony": "Testimony", "decree": "Decree", "statement": "Statement",
               "document": "Document", "media": "Media"}


@dataclass
class FileInfo:
    path: str  # under exhibits/<case-id>/ (internal: the public edition shows `label`)
    abspath: Path
    size: int
    sha256: str
    kind: str  # pdf | image | text | media (as drawn); before intake also document | email | web | table
    description: str
    confidential: bool = False
    pages: int = 0  # pages of a PDF exhibit, frames of an image (known after inspection)
    page_sizes: tuple = ()  # a PDF's pages as a viewer shows them (points); an image's frames (pixels)
    withheld: bool = False  # public edition: the whole file replaced by a placeholder page
    untexted: tuple = ()  # pages (0-based) of a PDF without a text layer
    label: str = ""  # "EX-0014 file 1": how the public edition names the file
    unreadable: tuple = ()  # pages withheld from the public edition: the leak check cannot read them
    public_withheld: bool = False  # confidential edition: the public edition withholds this file
    stat_key: list = field(default_factory=list)  # size, mtime, ctime, inode when the bytes were read
    document: int = 0  # the file's document number (exhibits.lock): its pages' evidence numbers
    document_label: str = ""  # IR88-0003: evidence numbers are IR88-0003-0001, IR88-0003-0002, …
    placed_in: str | None = None  # the exhibit whose pages show this file, when it is another one
    cited_by: tuple = ()  # numbers of the exhibits of the dossier citing this file (filled for the placed one)

    lines: int = 0  # a text file: its stored lines, numbered on the pages the dossier typesets
    cited_lines: tuple = ()  # a text file: the lines locators link to (each a link target)

    def evidence_number(self, page: int) -> str:
        """The permanent number of page `page` (1-based) of this file (not of a text file: see
        line_mark)."""
        return f"{self.document_label}-{page:0{DOCUMENT_WIDTH}d}"

    def line_mark(self, line: int) -> str:
        """A text file's permanent pinpoint: its document and a line of the stored file
        ("IR88-0004, line 6"). Its pages are typeset by casefile, so where they break is not
        the file's: the line is what never moves."""
        return f"{self.document_label}, line {line}"
    # a converted file (intake): the PDF drawn in its place; sha256 and size above stay the original's
    rendition: Path | None = None
    rendition_sha256: str = ""
    rendition_size: int = 0
    converter: str = ""  # what made the rendition, with its version
    converted_from: str = ""  # what the original is ("Word document", "e-mail", ...)
    ocr: dict = field(default_factory=dict)  # page index (0-based) -> intake.ocr.OcrPage: machine-read text
    unread: dict = field(default_factory=dict)  # page index -> what OCR did not read on it (intake: ink outside
    #                                           its words, words read with low confidence): why it is not checked
    part_of: str = ""  # an e-mail attachment: the path of the file it is attached to
    parts: list = field(default_factory=list)  # an e-mail's attachments (FileInfo), files of the same exhibit

    @property
    def drawn(self) -> Path:
        """The file whose pages the dossier shows: the rendition of a converted file."""
        return self.rendition or self.abspath

    @property
    def shown(self) -> str:
        """The name printed for the file: its path, or in the public edition its label."""
        return self.label or self.path


@dataclass
class Exhibit:
    number: str
    item: dict  # plain data of the item, already redacted for the edition
    blocks: list[Block]
    files: list[FileInfo]
    source_path: str  # internal: never printed in the public edition
    withheld: bool = False
    pinpoints: tuple = ()  # per source: the evidence number of the page its locator names, or None
    item_id: str = ""
    public_withheld: bool = False  # confidential edition: the public edition withholds this item
    summary: Block | None = None  # the item's summary, its cross-references given exhibit numbers

    @property
    def id(self) -> str:
        return self.item_id or self.item["id"]

    @property
    def type(self) -> str:
        return self.item["type"]

    @property
    def title(self) -> str:
        return WITHHELD_TITLE if self.withheld else self.item["title"]


@dataclass
class Dossier:
    case: dict
    accused: dict
    edition: str
    exhibits: list[Exhibit]
    fingerprint: str
    code: str  # the case's prefix and the accused's code, IR88-KHO: names the dossier in its manifest
    file_stem: str
    evidence_prefix: str = ""  # the case's stamp prefix: evidence numbers are PREFIX-DOCUMENT-PAGE
    removed: tuple[str, ...] = ()  # public edition: what was taken out, in words (nothing: ())
    gaps: list = field(default_factory=list)  # (first number, last number, why) missing from this dossier
    notes: Block | None = None  # the accused's notes, cross-references given exhibit numbers
    summary: Block | None = None  # the case's summary, likewise

    @property
    def public(self) -> bool:
        return self.edition == "public"

    @property
    def title(self) -> str:
        return strip_marks(f"{self.case['title']} — Dossier concerning {self.accused['name']}")


CONVERTED_KINDS = {"docx": "document", "docm": "document", "odt": "document", "doc": "document",
                   "rtf": "document", "eml": "email", "msg": "email", "html": "web", "htm": "web",
                   "mhtml": "web", "mht": "web", "csv": "table", "xlsx": "table", "xls": "table", "ods": "table"}


def file_kind(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext == "pdf":
        return "pdf"
    if ext in ("png", "jpg", "jpeg", "tif", "tiff"):
        return "image"
    if ext in ("txt", "text", "md"):
        return "text"
    return CONVERTED_KINDS.get(ext, "media")


@functools.lru_cache(maxsize=1024)
def _parsed_body(text: str) -> tuple:
    """An item's body parsed once for all the dossiers and editions it is in (blocks are
    immutable)."""
    return tuple(parse_body(text))


def _cross_referenced(blocks: list, numbers: dict[str, int], shown: set[str], prefix: str, width: int) -> list:
    """Cross-reference runs (text: an item id) given the item's exhibit number as their text:
    style "xref" when that exhibit is in the dossier (a link to it), "xref-absent" otherwise."""
    out = []
    for b in blocks:
        if not any(r.style == "xref" for r in b.runs):
            out.append(b)
            continue
        runs = []
        for r in b.runs:
            if r.style == "xref":
                number = label(numbers[r.text], prefix, width) if r.text in numbers else r.text
                runs.append(Run(number, "xref" if r.text in shown else "xref-absent"))
            else:
                runs.append(r)
        out.append(Block(b.kind, tuple(runs), b.marker))
    return out


def _place_files(exhibits: list) -> None:
    """Each distinct file (by SHA-256) is shown once per dossier: under the first exhibit that
    shows it; the others refer to that exhibit's pages (`placed_in`)."""
    first: dict[tuple, FileInfo] = {}
    for ex in exhibits:
        for f in ex.files:
            key = (f.sha256, f.withheld)  # a withheld file's placeholder is shown once too
            if key in first:
                owner = first[key]
                f.placed_in = owner.cited_by[0]
                if ex.number not in owner.cited_by:
                    owner.cited_by = owner.cited_by + (ex.number,)
            else:
                f.cited_by = (ex.number,)
                first[key] = f
    # a text file's lines that locators link to, from any exhibit citing it: the page showing the
    # file (once) gives each a link target
    lines: dict[str, set] = {}
    for ex in exhibits:
        for pin in ex.pinpoints:
            if pin and ", line " in pin:
                doc, n = pin.rsplit(", line ", 1)
                lines.setdefault(doc, set()).add(int(n))
    for ex in exhibits:
        for f in ex.files:
            if f.kind == "text" and f.document_label in lines:
                f.cited_lines = tuple(sorted(lines[f.document_label]))


def _withheld_item(data: dict) -> dict:
    """What the public edition keeps of a withheld item: its charges (the matrix says an
    element is supported by a withheld exhibit), nothing that describes it."""
    return {"id": data["id"], "type": data["type"], "title": WITHHELD_TITLE, "date": None,
            "accused": data["accused"], "charges": data["charges"], "sources": [], "persons": [], "places": [],
            "organisations": [], "exhibits": [], "summary": None}


def _gaps(numbers: dict[str, int], shown: set[int], prefix: str, width: int) -> list[tuple[str, str, str]]:
    """The exhibit numbers up to the highest one of the case that this dossier does not have:
    in another dossier (given to an item of another accused) or retired (the item was removed)."""
    active = set(numbers.values())
    out: list[list] = []
    for n in range(1, max(active, default=0) + 1):
        if n in shown:
            continue
        why = "in another dossier" if n in active else "retired (the item was removed from the case)"
        if out and out[-1][1] == n - 1 and out[-1][2] == why:
            out[-1][1] = n
        else:
            out.append([n, n, why])
    return [(label(a, prefix, width), label(b, prefix, width), why) for a, b, why in out]


def assemble(lc: LoadedCase, numbers: dict[str, int], files: dict[str, FileInfo],
             edition: str, fingerprints: dict[str, str], accused_ids: list[str] | None = None,
             documents: dict[str, int] | None = None, targets: dict | None = None) -> list[Dossier]:
    """`documents`: sha256 -> document number (exhibits.lock); `targets`: (item id, source
    index) -> the file and page its locator names (dossier/citations.py)."""
    documents, targets = documents or {}, targets or {}
    case = lc.case
    public = edition == "public"
    pol = policy(lc)
    case_data = edit_value(case.model_dump(by_alias=True), pol.case_spans, pol, public)
    case_data["persons"] = []  # the declarations themselves are never printed
    prefix, width = case.numbering.exhibit_prefix, case.numbering.exhibit_width
    out = []
    for acc in case.accused:
        if accused_ids and acc.id not in accused_ids:
            continue
        chosen = sorted((li for li in lc.items if acc.id in li.item.accused), key=lambda li: numbers[li.item.id])
        in_dossier = {li.item.id for li in chosen}

        def referring(text: str | None) -> Block | None:
            """A text field's `[@item-id]`s given their exhibit numbers (links within this dossier)."""
            if not text:
                return None
            return _cross_referenced([Block("p", referring_runs(text))], numbers, in_dossier, prefix, width)[0]

        exhibits = []
        removed = set()
        for li in chosen:
            number = label(numbers[li.item.id], prefix, width)
            terms = item_terms(lc, li)
            raw = li.item.model_dump(by_alias=True)
            data = edit_value(raw, terms, pol, public)
            body = edit(li.body, terms, pol, public)
            if public:  # what this edition takes out of the item, for the cover
                removed |= item_removals(raw, li.body, data, body, terms, pol)
                if li.item.confidential:
                    removed.add(WITHHELD_ITEMS)
            w = getattr(li.item, "witness", None)
            if w is not None:
                data["witness"]["protected"] = is_protected_witness(lc, w)
            blocks = list(_parsed_body(body))
            if not public:
                blocks = balance_marks(blocks)
            blocks = _cross_referenced(blocks, numbers, in_dossier, prefix, width)
            withheld = public and li.item.confidential
            ex_files = []
            for ef in li.item.exhibits:
                for n, info in enumerate([files[ef.file], *files[ef.file].parts]):
                    f = FileInfo(**{**info.__dict__, "parts": []})
                    f.description = edit((ef.description or "") if n == 0 else info.description, terms, pol, public)
                    f.confidential = file_withheld(lc, ef.file)
                    f.unreadable = unreadable_pages(f.kind, f.pages, f.untexted, ef.public_reviewed, f.ocr,
                                                    f.unread)
                    f.document = documents.get(info.sha256, 0)
                    f.document_label = document_label(case.numbering.stamp_prefix, f.document) if f.document else ""
                    if public:
                        f.withheld = f.confidential
                        # no text of a page it withholds reaches the public edition (names index, manifest)
                        f.ocr = {k: page for k, page in f.ocr.items() if k not in f.unreadable}
                        if f.withheld and not withheld:
                            removed.add(WITHHELD_FILES)
                    else:
                        f.public_withheld = f.confidential or li.item.confidential
                    ex_files.append(f)
            if public:  # a file is named by its exhibit number and place, never by its file name
                labels = {f.path: f"{number} file {i}" for i, f in enumerate(ex_files, 1)}
                for f in ex_files:
                    f.label = labels[f.path]
                    if f.part_of:
                        f.part_of = labels.get(f.part_of.split(" › ")[0], "another file of this exhibit")
            shown_files = {f.path: f for f in ex_files if not f.withheld}
            pins = []
            for i in range(len(li.item.sources)):
                t = targets.get((li.item.id, i))
                f = shown_files.get(t.path) if t else None
                if f is None or not f.document:
                    pins.append(None)
                elif f.kind == "text":
                    pins.append(f.line_mark(t.line) if t.line else None)
                else:
                    pins.append(f.evidence_number(t.page))
            if withheld:
                data, blocks, ex_files, pins = _withheld_item(data), [], [], []
            exhibits.append(Exhibit(number, data, blocks, ex_files, li.path, withheld, tuple(pins), li.item.id,
                                    public_withheld=not public and li.item.confidential,
                                    summary=referring(data["summary"])))
        _place_files(exhibits)
        acc_data = next(a for a in case_data["accused"] if a["id"] == acc.id)
        code = stamp_code(acc)
        gaps = _gaps(numbers, {numbers[li.item.id] for li in chosen}, prefix, width)
        out.append(Dossier(case_data, acc_data, edition, exhibits, fingerprints[acc.id],
                           f"{case.numbering.stamp_prefix}-{code}", acc.id,
                           evidence_prefix=case.numbering.stamp_prefix, gaps=gaps,
                           removed=tuple(k for k in REMOVALS if k in removed),
                           notes=referring(acc_data.get("notes")), summary=referring(case_data.get("summary"))))
    return out





# ------------------------------------------------------------------ per-dossier tables

@dataclass
class TocEntry:
    key: str
    title: str
    level: int


def contents(d: Dossier) -> list[TocEntry]:
    """Contents entries; the outline is made from the same titles."""
    out = [TocEntry(s.key, s.title, 0) for s in BEFORE_EXHIBITS]
    if d.exhibits:
        out.append(TocEntry(EXHIBITS_KEY, EXHIBITS_TITLE, 0))
        for e in d.exhibits:
            out.append(TocEntry(e.number, f"{e.number} — {e.title}", 1))
            for i, f in enumerate(e.files, 1):
                if f.placed_in is None:
                    out.append(TocEntry(file_key(e.number, i), f.label if d.public else f"{e.number} file {i}: {f.path}",
                                        2))
    out += [TocEntry(s.key, s.title, 0) for s in AFTER_EXHIBITS]
    return out


@dataclass
class ChronoRow:
    date: str
    title: str
    number: str | None
    source: str | None = None
    places: tuple = ()


def chronology(d: Dossier) -> list[ChronoRow]:
    """Dated exhibits and the case's events. An event that names the items recording it
    (`items:`) is one row, linked to the first of them in this dossier; those exhibits get no
    row of their own. A withheld exhibit is listed at the end (its date is withheld too)."""
    shown = {e.id: e for e in d.exhibits if not e.withheld}
    rows, told = [], set()
    for ev in d.case.get("events", []):
        recorded = [shown[i] for i in ev.get("items") or [] if i in shown]
        told |= {e.id for e in recorded}
        rows.append(ChronoRow(ev["date"], ev["title"], recorded[0].number if recorded else None, ev.get("source"),
                              tuple(ev.get("places") or ())))
    rows += [ChronoRow(e.item["date"], e.title, e.number) for e in shown.values()
             if e.item.get("date") and e.id not in told]
    rows = sorted(rows, key=lambda r: (sort_key(r.date), r.number or "", strip_marks(r.title)))
    return rows + [ChronoRow("", WITHHELD_TITLE, e.number) for e in d.exhibits if e.withheld]


@dataclass
class MatrixRow:
    label: str
    basis: str
    element: bool
    numbers: list[str]
    withheld: list[str] = field(default_factory=list)  # exhibits cited but withheld from this edition


def matrix(d: Dossier) -> list[MatrixRow]:
    rows = []
    for c in d.case["charges"]:
        cid = c["id"]

        def cite(test) -> tuple[list[str], list[str]]:
            hits = [e for e in d.exhibits if any(test(x) for x in e.item["charges"])]
            return [e.number for e in hits if not e.withheld], [e.number for e in hits if e.withheld]

        rows.append(MatrixRow(c["label"], c["basis"], False, *cite(lambda x: x == cid or x.startswith(cid + "/"))))
        for el in c["elements"]:
            rows.append(MatrixRow(el["label"], "", True, *cite(lambda x, k=f"{cid}/{el['id']}": x == k)))
    return rows


_PERSIAN_ORDER = "آاءأإؤئبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"


def index_sort_key(term: str) -> tuple:
    """Latin names (accents folded, case-insensitive) first, then Persian/Arabic in Persian
    alphabetical order."""
    import unicodedata

    t = unicodedata.normalize("NFKC", strip_marks(term)).replace("\u200c", "").replace("ي", "ی").replace("ك", "ک")
    first = next((ch for ch in t if ch.isalpha()), "")
    if first and "\u0600" <= first <= "\u06ff":
        return (1, tuple(_PERSIAN_ORDER.index(ch) if ch in _PERSIAN_ORDER else 100 + ord(ch) for ch in t))
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", t) if not unicodedata.combining(ch)).casefold()
    return (0, folded, t)


def _folded(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKC", text).replace("\u200c", "").replace("ي", "ی").replace("ك", "ک")
    return " ".join(text.casefold().split())


def names_index(d: Dossier) -> list[dict]:
    """Persons, places and organisations named by the items (and the accused), each with the
    exhibits that name it: in its fields, or in the text OCR read on its scans."""
    groups = {"Persons": {}, "Places": {}, "Organisations": {}}
    shown = [e for e in d.exhibits if not e.withheld]
    for e in shown:
        for field_, group in (("persons", "Persons"), ("places", "Places"), ("organisations", "Organisations")):
            for name in e.item.get(field_, []):
                groups[group].setdefault(name, []).append(e.number)
    acc = d.accused  # one entry, under the name, the original script beside it
    name = acc["name"] + (f" ({acc['name_original']})" if acc.get("name_original") else "")
    nums = groups["Persons"].pop(acc["name"], []) + groups["Persons"].pop(acc.get("name_original") or "", [])
    groups["Persons"][name] = nums + [e.number for e in shown if e.number not in nums]
    for e in shown:  # a name of the index read by OCR on an exhibit's scans refers to it too
        read = _folded(" ".join(page.text for f in e.files if not f.withheld for page in f.ocr.values()))
        if read:
            for terms in groups.values():
                for name, nums in terms.items():
                    if e.number not in nums and len(_folded(name)) > 2 and _folded(name) in read:
                        nums.append(e.number)
    out = []
    for heading, terms in groups.items():
        if terms:
            out.append({"heading": heading, "terms": [
                {"name": t, "numbers": sorted(set(nums))} for t, nums in sorted(terms.items(), key=lambda kv: index_sort_key(kv[0]))]})
    return out


@dataclass
class AnnexRow:
    number: str  # the exhibit whose pages show the file
    key: str  # the file's first page
    path: str
    sha256: str
    size: int
    document: str = ""  # IR88-0003
    cited_by: tuple = ()  # every exhibit of the dossier citing the file
    withheld: bool = False  # withheld from this edition (the public one)
    why: str = ""  # what the public edition withholds of it, and why (said in both editions)
    intake: str = ""  # what intake made of it: the rendition shown (with its sha256), OCR'd pages


def intake_note(f: FileInfo) -> str:
    """One sentence on what is shown of a converted or OCR'd file, for the annex."""
    out = []
    if f.part_of:
        out.append(f"Attached to {f.part_of}.")
    if f.rendition:
        out.append(f"{f.converted_from[:1].upper()}{f.converted_from[1:]}, shown as a PDF made by {f.converter} "
                   f"(sha256 {f.rendition_sha256}, {f.rendition_size} bytes).")
    if f.ocr and not f.withheld:
        pages = sorted(i + 1 for i in f.ocr)
        shown = ", ".join(map(str, pages)) if len(pages) <= 8 else f"{len(pages)} pages"
        out.append(f"Text layer machine-read (OCR): {'page' if len(pages) == 1 else 'pages'} {shown}.")
    return " ".join(out)


def why_unreadable(f: FileInfo, pages=None) -> str:
    """Why the public edition withholds these pages of `f` (default: all it withholds), in a
    few words: "no text layer", "not fully read by OCR", or both with their counts."""
    pages = f.unreadable if pages is None else pages
    partly = sum(1 for k in pages if k in f.unread)
    if not partly:
        return NO_TEXT_LAYER
    if partly == len(pages):
        return NOT_FULLY_READ
    return f"{len(pages) - partly} without a text layer, {partly} {NOT_FULLY_READ}"


def annex_files(d: Dossier) -> list[AnnexRow]:
    """One row per file shown (each distinct file once), one per file withheld, and one per
    exhibit withheld from the public edition (its files are not listed there)."""
    rows = []
    for e in d.exhibits:
        if e.withheld:
            rows.append(AnnexRow(e.number, e.number, "—", "", 0, "", (e.number,), True,
                                 "the exhibit and its files are withheld from the public edition"))
            continue
        for i, f in enumerate(e.files, 1):
            if f.placed_in is not None:
                continue
            why = ""
            if f.withheld or f.public_withheld:
                why = WITHHELD_NOTE
            elif f.unreadable:
                why = (f"{len(f.unreadable)} of {max(f.pages, 1)} pages withheld from the public edition "
                       f"({why_unreadable(f)})")
            rows.append(AnnexRow(e.number, file_key(e.number, i), f.shown, f.sha256, f.size, f.document_label,
                                 f.cited_by or (e.number,), f.withheld, why, intake_note(f)))
    return rows


def placed_file_key(d: Dossier, f: FileInfo) -> str | None:
    """The anchor of the first page of the file `f` refers to (the exhibit that shows it, or
    its placeholder page when the file is withheld)."""
    ex = next((e for e in d.exhibits if e.number == f.placed_in), None)
    if ex is None:
        return None
    for i, g in enumerate(ex.files, 1):
        if g.sha256 == f.sha256 and g.placed_in is None and g.withheld == f.withheld:
            return file_key(ex.number, i)
    return None


def translation_pairs(ex: Exhibit) -> list[tuple]:
    """Pairs (translation paragraph, original paragraph) for the side-by-side layout."""
    original = [p.strip() for p in (ex.item.get("original") or {}).get("text", "").split("\n\n") if p.strip()]
    paras = [b for b in ex.blocks if b.kind != "h"]
    n = max(len(original), len(paras))
    return [(paras[i] if i < len(paras) else None, original[i] if i < len(original) else None) for i in range(n)]


def paragraph_counts(ex: Exhibit) -> tuple[int, int]:
    """Paragraphs of the translation (the body) and of the original, paired in order."""
    pairs = translation_pairs(ex)
    return sum(1 for t, _ in pairs if t is not None), sum(1 for _, o in pairs if o is not None)


def evidence_range(f: FileInfo) -> str:
    """The evidence numbers of a file's pages: "IR88-0003-0001 to IR88-0003-0004"; a text
    file, typeset by casefile, is cited by its document and line: "IR88-0004, lines 1–52"."""
    if f.kind == "text":
        return f"{f.document_label}, line 1" if f.lines == 1 else f"{f.document_label}, lines 1–{f.lines}"
    count = f.pages if f.kind == "pdf" else max(f.pages, 1)
    if count == 1:
        return f.evidence_number(1)
    return f"{f.evidence_number(1)} to {f.evidence_number(count)}"


def charges_of(d: Dossier, item: dict) -> list[tuple[str, list[str]]]:
    """An item's charges by their labels, in the case's order: (charge label, labels of the
    elements cited; none when the charge as a whole is cited)."""
    cited = set(item.get("charges") or [])
    out = []
    for c in d.case["charges"]:
        elements = [el["label"] for el in c["elements"] if f"{c['id']}/{el['id']}" in cited]
        if elements or c["id"] in cited:
            out.append((c["label"], elements))
    return out


def template_context(d: Dossier) -> dict:
    def shown_at(f: FileInfo, ex: Exhibit, i: int) -> str | None:
        # a withheld file: its placeholder page
        return placed_file_key(d, f) if f.placed_in else file_key(ex.number, i)

    return {"shown_at": shown_at, "evidence_range": evidence_range,
            "charges_of": lambda item: charges_of(d, item),
            "supported": any(row.numbers for row in matrix(d)),
            "paragraphs": paragraph_counts,
            "sections": TITLES, "toc": contents(d), "chronology": chronology(d), "matrix": matrix(d),
            "names_index": names_index(d), "files": annex_files(d),
            "counts": {"exhibits": sum(1 for e in d.exhibits if not e.withheld),
                       "withheld": sum(1 for e in d.exhibits if e.withheld),
                       "public_withheld": sum(1 for e in d.exhibits if e.public_withheld)},
            "gaps": d.gaps, "notes": {"replaced": REPLACED_NOTE, "withheld": WITHHELD_NOTE},
            "layout": d.case.get("translation_layout", "side-by-side"), "pairs": translation_pairs}
