"""Case -> one Dossier per accused and edition: which items, in what order, with what text.

The public edition is made here, on plain data, before anything is rendered: protected
witnesses become their pseudonyms everywhere, marked spans and `redact` terms become
"[redacted]", confidential items are withheld (their number is kept), and so the renderer
never sees what the public must not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from casefile.case.body import Block, Run, parse_body, redact_runs, redact_text, replace_names
from casefile.case.dates import sort_key
from casefile.case.loading import LoadedCase, stamp_code
from casefile.case.lockfile import DOCUMENT_WIDTH, document_label, label
from casefile.dossier.editions import protected_names, public_terms
from casefile.dossier.sections import AFTER_EXHIBITS, BEFORE_EXHIBITS, EXHIBITS_KEY, EXHIBITS_TITLE, TITLES, file_key

TYPE_LABELS = {"testimony": "Testimony", "decree": "Decree", "statement": "Statement",
               "document": "Document", "media": "Media"}


@dataclass
class FileInfo:
    path: str  # under exhibits/<case-id>/
    abspath: Path
    size: int
    sha256: str
    kind: str  # pdf | image | text | media (as drawn); before intake also document | email | web | table
    description: str
    confidential: bool = False
    pages: int = 0  # pages of a PDF exhibit (known after inspection)
    page_sizes: tuple = ()  # a PDF's pages as a viewer shows them (points); an image's size (pixels)
    withheld: bool = False  # public edition: replaced by a placeholder page
    document: int = 0  # the file's document number (exhibits.lock): its pages' evidence numbers
    document_label: str = ""  # IR88-0003: evidence numbers are IR88-0003-0001, IR88-0003-0002, …
    placed_in: str | None = None  # the exhibit whose pages show this file, when it is another one
    cited_by: tuple = ()  # numbers of the exhibits of the dossier citing this file (filled for the placed one)

    def evidence_number(self, page: int) -> str:
        """The permanent number of page `page` (1-based) of this file."""
        return f"{self.document_label}-{page:0{DOCUMENT_WIDTH}d}"
    # a converted file (intake): the PDF drawn in its place; sha256 and size above stay the original's
    rendition: Path | None = None
    rendition_sha256: str = ""
    rendition_size: int = 0
    converter: str = ""  # what made the rendition, with its version
    converted_from: str = ""  # what the original is ("Word document", "e-mail", ...)
    ocr: dict = field(default_factory=dict)  # page index (0-based) -> intake.ocr.OcrPage: machine-read text
    part_of: str = ""  # an e-mail attachment: the path of the file it is attached to
    parts: list = field(default_factory=list)  # an e-mail's attachments (FileInfo), files of the same exhibit

    @property
    def drawn(self) -> Path:
        """The file whose pages the dossier shows: the rendition of a converted file."""
        return self.rendition or self.abspath


@dataclass
class Exhibit:
    number: str
    item: dict  # plain data of the item, already redacted for the edition
    blocks: list[Block]
    files: list[FileInfo]
    source_path: str
    withheld: bool = False
    pinpoints: tuple = ()  # per source: the evidence number of the page its locator names, or None

    @property
    def id(self) -> str:
        return self.item["id"]

    @property
    def type(self) -> str:
        return self.item["type"]

    @property
    def title(self) -> str:
        return "Withheld from the public edition" if self.withheld else self.item["title"]


@dataclass
class Dossier:
    case: dict
    accused: dict
    edition: str
    exhibits: list[Exhibit]
    fingerprint: str
    stamp_prefix: str
    file_stem: str
    evidence_prefix: str = ""  # the case's stamp prefix: evidence numbers are PREFIX-DOCUMENT-PAGE
    removed: tuple[str, ...] = ()  # public edition: what was taken out, in words (nothing: ())

    @property
    def title(self) -> str:
        return f"{self.case['title']} — Dossier concerning {self.accused['name']}"


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


def _redact_value(v, terms: list[str], names: dict[str, str]):
    if isinstance(v, str):
        return redact_text(replace_names(v, names), terms)
    if isinstance(v, list):
        return [_redact_value(x, terms, names) for x in v]
    if isinstance(v, dict):
        return {k: _redact_value(x, terms, names) for k, x in v.items()}
    return v


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
    first: dict[str, FileInfo] = {}
    for ex in exhibits:
        for f in ex.files:
            if f.withheld:
                continue
            if f.sha256 in first:
                owner = first[f.sha256]
                f.placed_in = owner.cited_by[0]
                if ex.number not in owner.cited_by:
                    owner.cited_by = owner.cited_by + (ex.number,)
            else:
                f.cited_by = (ex.number,)
                first[f.sha256] = f


# what a public edition may take out, in the order the cover lists it
PSEUDONYMS = "protected witnesses appear under pseudonyms"
REDACTED_TERMS = "marked passages and names are redacted"
WITHHELD_ITEMS = "confidential exhibits are withheld"
WITHHELD_FILES = "confidential exhibit files are withheld"
REMOVALS = (PSEUDONYMS, REDACTED_TERMS, WITHHELD_ITEMS, WITHHELD_FILES)


def assemble(lc: LoadedCase, numbers: dict[str, int], files: dict[str, FileInfo],
             edition: str, fingerprints: dict[str, str], accused_ids: list[str] | None = None,
             documents: dict[str, int] | None = None, targets: dict | None = None) -> list[Dossier]:
    """`documents`: sha256 -> document number (exhibits.lock); `targets`: (item id, source
    index) -> the file and page its locator names (dossier/citations.py)."""
    documents, targets = documents or {}, targets or {}
    case = lc.case
    public = edition == "public"
    names = protected_names(lc) if public else {}
    case_data = case.model_dump(by_alias=True)
    prefix, width = case.numbering.exhibit_prefix, case.numbering.exhibit_width
    out = []
    for acc in case.accused:
        if accused_ids and acc.id not in accused_ids:
            continue
        chosen = sorted((li for li in lc.items if acc.id in li.item.accused), key=lambda li: numbers[li.item.id])
        in_dossier = {li.item.id for li in chosen}
        exhibits = []
        removed = set()
        for li in chosen:
            data = li.item.model_dump(by_alias=True)
            blocks = _cross_referenced(list(_parsed_body(li.body)), numbers, in_dossier, prefix, width)
            withheld = public and li.item.confidential
            if public:
                terms = public_terms(li)
                if names and (_redact_value(data, [], names) != data or
                              any(_redact_value(r.text, [], names) != r.text for b in blocks for r in b.runs)):
                    removed.add(PSEUDONYMS)
                if terms and (_redact_value(data, terms, {}) != data or redact_runs(blocks, terms, True) != blocks):
                    removed.add(REDACTED_TERMS)
                data = _redact_value(data, terms, names)
                blocks = redact_runs(blocks, terms, True)
                if names:
                    blocks = [Block(b.kind, tuple(type(r)(_redact_value(r.text, [], names), r.style) for r in b.runs),
                                    b.marker) for b in blocks]
                if withheld:
                    removed.add(WITHHELD_ITEMS)
            ex_files = []
            for ef in li.item.exhibits:
                for n, info in enumerate([files[ef.file], *files[ef.file].parts]):
                    f = FileInfo(**{**info.__dict__, "parts": []})
                    f.description = (ef.description or "") if n == 0 else info.description
                    f.confidential = ef.confidential
                    f.document = documents.get(info.sha256, 0)
                    f.document_label = document_label(case.numbering.stamp_prefix, f.document) if f.document else ""
                    if public:
                        f.description = _redact_value(f.description, public_terms(li), names)
                        f.withheld = ef.confidential
                        if f.withheld and not withheld:
                            removed.add(WITHHELD_FILES)
                    ex_files.append(f)
            shown_files = {f.path: f for f in ex_files if not f.withheld}
            pins = []
            for i in range(len(li.item.sources)):
                t = targets.get((li.item.id, i))
                f = shown_files.get(t.path) if t else None
                pins.append(f.evidence_number(t.page) if f is not None and f.document else None)
            exhibits.append(Exhibit(label(numbers[li.item.id], prefix, width), data, blocks,
                                    [] if withheld else ex_files, li.path, withheld,
                                    () if withheld else tuple(pins)))
        _place_files(exhibits)
        acc_data = acc.model_dump(by_alias=True)
        code = stamp_code(acc)
        out.append(Dossier(case_data, acc_data, edition, exhibits, fingerprints[acc.id],
                           f"{case.numbering.stamp_prefix}-{code}", acc.id,
                           evidence_prefix=case.numbering.stamp_prefix,
                           removed=tuple(k for k in REMOVALS if k in removed)))
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
                    out.append(TocEntry(file_key(e.number, i), f"{e.number} file {i}: {f.path}", 2))
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
    row of their own."""
    shown = {e.id: e for e in d.exhibits if not e.withheld}
    rows, told = [], set()
    for ev in d.case.get("events", []):
        recorded = [shown[i] for i in ev.get("items") or [] if i in shown]
        told |= {e.id for e in recorded}
        rows.append(ChronoRow(ev["date"], ev["title"], recorded[0].number if recorded else None, ev.get("source"),
                              tuple(ev.get("places") or ())))
    rows += [ChronoRow(e.item["date"], e.title, e.number) for e in shown.values()
             if e.item.get("date") and e.id not in told]
    return sorted(rows, key=lambda r: (sort_key(r.date), r.number or "", r.title))


@dataclass
class MatrixRow:
    label: str
    basis: str
    element: bool
    numbers: list[str]


def matrix(d: Dossier) -> list[MatrixRow]:
    rows = []
    shown = [e for e in d.exhibits if not e.withheld]
    for c in d.case["charges"]:
        cid = c["id"]
        direct = [e.number for e in shown if any(x == cid or x.startswith(cid + "/") for x in e.item["charges"])]
        rows.append(MatrixRow(c["label"], c["basis"], False, direct))
        for el in c["elements"]:
            nums = [e.number for e in shown if f"{cid}/{el['id']}" in e.item["charges"]]
            rows.append(MatrixRow(el["label"], "", True, nums))
    return rows


_PERSIAN_ORDER = "آاءأإؤئبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"


def index_sort_key(term: str) -> tuple:
    """Latin names (accents folded, case-insensitive) first, then Persian/Arabic in Persian
    alphabetical order."""
    import unicodedata

    t = unicodedata.normalize("NFKC", term).replace("\u200c", "").replace("ي", "ی").replace("ك", "ک")
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
    withheld: bool = False
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


def annex_files(d: Dossier) -> list[AnnexRow]:
    """One row per file shown (each distinct file once), and one per file withheld."""
    return [AnnexRow(e.number, file_key(e.number, i), f.path, f.sha256, f.size, f.document_label,
                     f.cited_by or (e.number,), f.withheld, intake_note(f))
            for e in d.exhibits for i, f in enumerate(e.files, 1) if f.placed_in is None]


def placed_file_key(d: Dossier, f: FileInfo) -> str | None:
    """The anchor of the first page of the file `f` refers to (the exhibit that shows it)."""
    ex = next((e for e in d.exhibits if e.number == f.placed_in), None)
    if ex is None:
        return None
    for i, g in enumerate(ex.files, 1):
        if g.sha256 == f.sha256 and g.placed_in is None and not g.withheld:
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
    """The evidence numbers of a file's pages: "IR88-0003-0001 to IR88-0003-0004" (a text
    file's pages are counted when it is typeset: its first number and "…")."""
    count = f.pages if f.kind == "pdf" else (1 if f.kind in ("image", "media") else None)
    if count == 1:
        return f.evidence_number(1)
    return f"{f.evidence_number(1)} to {f.evidence_number(count) if count else '…'}"


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
        if f.withheld:
            return None
        return placed_file_key(d, f) if f.placed_in else file_key(ex.number, i)

    return {"shown_at": shown_at, "evidence_range": evidence_range,
            "charges_of": lambda item: charges_of(d, item),
            "supported": any(row.numbers for row in matrix(d)),
            "paragraphs": paragraph_counts,
            "sections": TITLES, "toc": contents(d), "chronology": chronology(d), "matrix": matrix(d),
            "names_index": names_index(d), "files": annex_files(d),
            "counts": {"exhibits": sum(1 for e in d.exhibits if not e.withheld),
                       "withheld": sum(1 for e in d.exhibits if e.withheld)},
            "layout": d.case.get("translation_layout", "side-by-side"), "pairs": translation_pairs}
