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

from casefile.case.body import Block, parse_body, redact_runs, redact_text, replace_names
from casefile.case.dates import sort_key
from casefile.case.loading import LoadedCase, stamp_code
from casefile.case.lockfile import label
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
    kind: str  # pdf | image | text | media
    description: str
    confidential: bool = False
    pages: int = 0  # pages of a PDF exhibit (known after inspection)
    withheld: bool = False  # public edition: replaced by a placeholder page


@dataclass
class Exhibit:
    number: str
    item: dict  # plain data of the item, already redacted for the edition
    blocks: list[Block]
    files: list[FileInfo]
    source_path: str
    withheld: bool = False

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
    min_pages: dict = field(default_factory=dict)  # section key -> pages to pad to (edition sync)

    @property
    def title(self) -> str:
        return f"{self.case['title']} — Dossier concerning {self.accused['name']}"


def file_kind(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext == "pdf":
        return "pdf"
    if ext in ("png", "jpg", "jpeg", "tif", "tiff"):
        return "image"
    if ext in ("txt", "text", "md"):
        return "text"
    return "media"


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


def assemble(lc: LoadedCase, numbers: dict[str, int], files: dict[str, FileInfo],
             edition: str, fingerprints: dict[str, str], accused_ids: list[str] | None = None) -> list[Dossier]:
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
        exhibits = []
        for li in chosen:
            data = li.item.model_dump(by_alias=True)
            blocks = list(_parsed_body(li.body))
            withheld = public and li.item.confidential
            if public:
                terms = public_terms(li)
                data = _redact_value(data, terms, names)
                blocks = redact_runs(blocks, terms, True)
                if names:
                    blocks = [Block(b.kind, tuple(type(r)(_redact_value(r.text, [], names), r.style) for r in b.runs),
                                    b.marker) for b in blocks]
            ex_files = []
            for ef in li.item.exhibits:
                info = files[ef.file]
                f = FileInfo(**{**info.__dict__})
                f.description = ef.description or ""
                f.confidential = ef.confidential
                if public:
                    f.description = _redact_value(f.description, public_terms(li), names)
                    f.withheld = ef.confidential
                ex_files.append(f)
            exhibits.append(Exhibit(label(numbers[li.item.id], prefix, width), data, blocks,
                                    [] if withheld else ex_files, li.path, withheld))
        acc_data = acc.model_dump(by_alias=True)
        code = stamp_code(acc)
        out.append(Dossier(case_data, acc_data, edition, exhibits, fingerprints[acc.id],
                           f"{case.numbering.stamp_prefix}-{code}", acc.id))
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
    rows = [ChronoRow(e.item["date"], e.title, e.number) for e in d.exhibits if e.item.get("date") and not e.withheld]
    rows += [ChronoRow(ev["date"], ev["title"], None, ev.get("source"), tuple(ev.get("places") or ()))
             for ev in d.case.get("events", [])]
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


def names_index(d: Dossier) -> list[dict]:
    groups = {"Persons": {}, "Places": {}, "Organisations": {}}
    shown = [e for e in d.exhibits if not e.withheld]
    for e in shown:
        for field_, group in (("persons", "Persons"), ("places", "Places"), ("organisations", "Organisations")):
            for name in e.item.get(field_, []):
                groups[group].setdefault(name, []).append(e.number)
    acc = d.accused
    for name in filter(None, [acc["name"], acc.get("name_original")]):
        groups["Persons"].setdefault(name, [])
        for e in shown:
            if e.number not in groups["Persons"][name]:
                groups["Persons"][name].append(e.number)
    out = []
    for heading, terms in groups.items():
        if terms:
            out.append({"heading": heading, "terms": [
                {"name": t, "numbers": sorted(set(nums))} for t, nums in sorted(terms.items(), key=lambda kv: index_sort_key(kv[0]))]})
    return out


@dataclass
class AnnexRow:
    number: str
    key: str
    path: str
    sha256: str
    size: int


def annex_files(d: Dossier) -> list[AnnexRow]:
    return [AnnexRow(e.number, file_key(e.number, i), f.path, f.sha256, f.size)
            for e in d.exhibits for i, f in enumerate(e.files, 1)]


def translation_pairs(ex: Exhibit) -> list[tuple]:
    """Pairs (translation paragraph, original paragraph) for the side-by-side layout."""
    original = [p.strip() for p in (ex.item.get("original") or {}).get("text", "").split("\n\n") if p.strip()]
    paras = [b for b in ex.blocks if b.kind != "h"]
    n = max(len(original), len(paras))
    return [(paras[i] if i < len(paras) else None, original[i] if i < len(original) else None) for i in range(n)]


def template_context(d: Dossier) -> dict:
    return {"sections": TITLES, "toc": contents(d), "chronology": chronology(d), "matrix": matrix(d),
            "names_index": names_index(d), "files": annex_files(d),
            "counts": {"exhibits": sum(1 for e in d.exhibits if not e.withheld),
                       "withheld": sum(1 for e in d.exhibits if e.withheld)},
            "layout": d.case.get("translation_layout", "side-by-side"), "pairs": translation_pairs}
