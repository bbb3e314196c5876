"""`casefile export`: the exhibit list and the chronology as data (CSV or JSON) for e-filing.

Nothing is typeset: the pages are those `build` recorded for the dossiers it wrote (in
OUT/<case>/.casefile-state.json, beside them: each section's and exhibit's page range, each
evidence number's page), and the rows are the case's own data. So the dossiers must be there and
up to date: made from the inputs as they are now, untouched since; otherwise export says "run
casefile build first". A public export is made from the public edition's data: the same
redactions, withheld items reduced to their number.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casefile import __version__
from casefile.case.body import strip_marks
from casefile.case.dates import display_date
from casefile.commands.build import Options, prepare
from casefile.dossier.assembly import assemble, chronology
from casefile.dossier.editions import EDITIONS
from casefile.errors import fail
from casefile.output.atomic import atomic_write
from casefile.output.freshness import out_root, outputs_intact, read_state, state_path

SCHEMA_ID = "https://casefile.invalid/schema/export-1.json"


class ExportModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileRow(ExportModel):
    path: str = Field(description="path under exhibits/<case-id>/; in the public export the file's label "
                                  "(\"EX-0014 file 1\"): the public edition shows no file names")
    sha256: str = Field(description="SHA-256 of the file as given (the original of a converted file)")
    size: int
    document: str | None = Field(None, description="document number of the file (its pages' evidence numbers "
                                                   "are DOCUMENT-0001, DOCUMENT-0002, …); null before it is built")
    rendition_sha256: str | None = Field(None, description="a converted file (Word, e-mail, web capture, CSV): "
                                                           "SHA-256 of the PDF shown in its place")
    machine_read_pages: list[int] = Field([], description="pages of the file whose text was read by OCR")
    machine_read_text: str | None = Field(None, description="the text OCR read on those pages, a form feed "
                                                            "between pages (confidential export only)")


class PageRange(ExportModel):
    accused: str
    edition: str
    first: int
    last: int
    volume: str | None = Field(None, description="the file of the dossier's volume holding these pages "
                                                 "(<accused>.volN.pdf; null when the dossier is one file)")


class EvidencePage(ExportModel):
    accused: str
    edition: str
    page: int
    exhibit: str = Field(description="the exhibit showing the file in that dossier")
    volume: str | None = Field(None, description="the file of the dossier's volume holding the page (null when "
                                                 "the dossier is one file)")


class EvidenceRow(ExportModel):
    number: str = Field(description="permanent evidence number of one page of one exhibit file")
    file: str
    sha256: str
    file_page: int = Field(description="page of the file (from 1)")
    pages: list[EvidencePage] = Field(description="the page it is on in each dossier and edition")


class LinesPage(ExportModel):
    accused: str
    edition: str
    page: int
    first_line: int = Field(description="first line of the stored file shown on the page (from 1)")
    last_line: int
    exhibit: str = Field(description="the exhibit showing the file in that dossier")
    volume: str | None = Field(None, description="the file of the dossier's volume holding the page (null when "
                                                 "the dossier is one file)")


class TextFileRow(ExportModel):
    document: str = Field(description="document number of a text file typeset in the dossier; it is cited by "
                                      "line (\"IR88-0004, line 6\"), its pages carry no evidence number")
    file: str
    sha256: str
    pages: list[LinesPage] = Field(description="each page showing the file, with its lines, in each dossier and "
                                               "edition")


class ExhibitRow(ExportModel):
    number: str
    item: str | None = Field(description="item id; null when withheld, and in the public export")
    type: str | None
    title: str
    date: str | None = Field(description="EDTF date as written in the case")
    date_text: str | None
    withheld: bool
    accused: list[str]
    charges: list[str]
    sources: list[str]
    files: list[FileRow]
    pages: list[PageRange] = Field(description="page range of the exhibit in each dossier and edition (a public "
                                               "export gives the public edition's only)")


class ChronologyRow(ExportModel):
    date: str
    date_text: str
    title: str
    exhibit: str | None
    source: str | None


class Export(ExportModel):
    schema_: str = Field(SCHEMA_ID, alias="$schema")
    generator: str
    case: str
    title: str
    edition: str
    as_of: str
    exhibits: list[ExhibitRow]
    evidence: list[EvidenceRow] = Field(description="every evidence number, with its page in each dossier and edition")
    text_files: list[TextFileRow] = Field([], description="every text file typeset in a dossier, with the lines "
                                                          "each of its pages shows")
    chronology: list[ChronologyRow]


def export_schema() -> dict:
    s = Export.model_json_schema(by_alias=True)
    s["$id"] = SCHEMA_ID
    return s


def _file_row(f, edition: str) -> FileRow:
    pages = sorted(f.ocr) if not f.withheld else []
    text = "\f".join(f.ocr[i].text for i in pages) if pages and edition == "confidential" else None
    return FileRow(path=f.label if edition == "public" else f.path, sha256=f.sha256, size=f.size,
                   document=f.document_label or None,
                   rendition_sha256=f.rendition_sha256 or None, machine_read_pages=[i + 1 for i in pages],
                   machine_read_text=text)


def collect(opts: Options, edition: str) -> list[Export]:
    results = []
    for p in prepare(opts):  # writes nothing: were exhibits.lock to change, the dossiers are out of date
        # pages in each edition: a confidential export gives both, a public one the public edition's
        shown = [ed for ed in EDITIONS if ed == edition or edition == "confidential"]
        per_edition = {ed: {d.accused["id"]: d for d in assemble(p.lc, p.numbers, p.files, ed, p.fingerprints,
                                                                 opts.accused, p.documents, p.targets) if d.exhibits}
                       for ed in shown}
        recorded = {ed: built(opts, p.lc.case.id, ed, list(ds.values()), edition) for ed, ds in per_edition.items()}
        rows: dict[str, ExhibitRow] = {}
        evidence: dict[str, EvidenceRow] = {}
        texts: dict[str, TextFileRow] = {}
        chrono: dict[tuple, ChronologyRow] = {}
        for acc, d in per_edition[edition].items():
            for e in d.exhibits:
                if e.number not in rows:
                    rows[e.number] = _exhibit_row(e, edition)
            for ed in shown:
                de, rec = per_edition[ed][acc], recorded[ed][acc]
                for e in de.exhibits:
                    if e.number in rec["ranges"]:
                        first, last = rec["ranges"][e.number]
                        rows[e.number].pages.append(PageRange(accused=acc, edition=ed, first=first, last=last,
                                                              volume=volume_of(rec, first)))
                for row in rec["evidence"]:
                    ev = evidence.setdefault(row["number"], EvidenceRow(
                        number=row["number"], file=row["file"], sha256=row["sha256"], file_page=row["file_page"],
                        pages=[]))
                    ev.pages.append(EvidencePage(accused=acc, edition=ed, page=row["page"], exhibit=row["exhibit"],
                                                 volume=volume_of(rec, row["page"])))
                for row in rec.get("text_lines", []):
                    tf = texts.setdefault(row["document"], TextFileRow(document=row["document"], file=row["file"],
                                                                      sha256=row["sha256"], pages=[]))
                    tf.pages.append(LinesPage(accused=acc, edition=ed, page=row["page"], first_line=row["lines"][0],
                                              last_line=row["lines"][1], exhibit=row["exhibit"],
                                              volume=volume_of(rec, row["page"])))
            for row in chronology(d):
                key = (row.date, row.title, row.number)
                chrono.setdefault(key, ChronologyRow(date=row.date, date_text=display_date(row.date) if row.date else "",
                                                     title=strip_marks(row.title), exhibit=row.number,
                                                     source=strip_marks(row.source) if row.source else None))
        from casefile.case.dates import sort_key
        any_dossier = next(iter(per_edition[edition].values()), None)  # the case's title as the edition has it
        title = strip_marks(any_dossier.case["title"]) if any_dossier else p.lc.case.title
        results.append(Export(generator=f"casefile {__version__}", case=p.lc.case.id, title=title,
                              edition=edition, as_of=p.lc.case.as_of,
                              exhibits=[rows[k] for k in sorted(rows)],
                              evidence=[evidence[k] for k in sorted(evidence)],
                              text_files=[texts[k] for k in sorted(texts)],
                              chronology=sorted(chrono.values(), key=lambda c: (sort_key(c.date), c.exhibit or "",
                                                                                c.title))))
    return results


def volume_of(rec: dict, page: int) -> str | None:
    """The volume (its file name) of a dossier in volumes holding `page`; None for one file."""
    return next((v["file"] for v in rec.get("volumes", []) if v["first"] <= page <= v["last"]), None)


def built(opts: Options, case_id: str, edition: str, dossiers: list, asked: str) -> dict[str, dict]:
    """accused id -> what `build` recorded for that dossier of `edition` (`ranges`: section key or
    exhibit number -> first and last page; `evidence`: each evidence number's page). Every dossier
    must be there, made from the inputs as they are now (its input fingerprint) and untouched
    since (size and mtime); if one is not, one line says so."""
    state = read_state(state_path(opts, case_id))
    out, missing = {}, []
    for d in dossiers:
        key = f"{edition}/{d.file_stem}.pdf"
        rec = state.get("dossiers", {}).get(key)
        if rec and "ranges" in rec and rec["fingerprint"] == d.fingerprint and \
                outputs_intact({"dossiers": {key: rec}}, out_root(opts) / case_id):
            out[d.accused["id"]] = rec
        else:
            missing.append(out_root(opts) / case_id / key)
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        why = "" if edition == asked else f" (a {asked} export gives the pages of every edition)"
        raise fail(missing[0], "dossier", f"missing or out of date{more}: run casefile build first{why}")
    return out


def _exhibit_row(e, edition: str) -> ExhibitRow:
    """An exhibit's row, without its pages (added for each dossier and edition). The public
    export, like the public edition, carries no item id and no file name."""
    it = e.item
    return ExhibitRow(
        number=e.number, item=None if e.withheld or edition == "public" else e.id,
        type=None if e.withheld else e.type,
        title=strip_marks(e.title), date=None if e.withheld else it.get("date"),
        date_text=None if e.withheld else display_date(it.get("date")) or None,
        withheld=e.withheld, accused=[] if e.withheld else list(it["accused"]),
        charges=[] if e.withheld else list(it["charges"]),
        sources=[] if e.withheld else [strip_marks(_source_text(s)) for s in it["sources"]],
        files=[_file_row(f, edition) for f in e.files],
        pages=[])


def _source_text(s: dict) -> str:
    parts = [s["title"]] + [s[k] for k in ("publisher", "url", "locator") if s.get(k)]
    return ", ".join(parts)


def to_csv(rows: list[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark so spreadsheet programs read Persian correctly."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def exhibits_csv(x: Export) -> bytes:
    rows = [["number", "item", "type", "title", "date", "date_text", "withheld", "accused", "charges", "sources",
             "files", "pages"]]
    for e in x.exhibits:
        rows.append([e.number, e.item or "", e.type or "", e.title, e.date or "", e.date_text or "",
                     "yes" if e.withheld else "no", "; ".join(e.accused), "; ".join(e.charges),
                     " | ".join(e.sources), " | ".join(f"{f.path} sha256:{f.sha256}" for f in e.files),
                     "; ".join(f"{p.accused} {p.edition}: {p.first}-{p.last}{_in(p)}" for p in e.pages)])
    return to_csv(rows)


def _in(p) -> str:
    return f" ({p.volume})" if p.volume else ""


def evidence_csv(x: Export) -> bytes:
    rows = [["number", "file", "sha256", "file_page", "pages"]]
    rows += [[v.number, v.file, v.sha256, str(v.file_page),
              "; ".join(f"{p.accused} {p.edition}: {p.page}{_in(p)}" for p in v.pages)] for v in x.evidence]
    # a text file is cited by line: one row for the document, each page with the lines it shows
    rows += [[t.document, t.file, t.sha256, "",
              "; ".join(f"{p.accused} {p.edition}: {p.page}{_in(p)} (lines {p.first_line}-{p.last_line})"
                        for p in t.pages)] for t in x.text_files]
    return to_csv(rows)


def chronology_csv(x: Export) -> bytes:
    rows = [["date", "date_text", "title", "exhibit", "source"]]
    rows += [[c.date, c.date_text, c.title, c.exhibit or "", c.source or ""] for c in x.chronology]
    return to_csv(rows)


def export(opts: Options, fmt: str, edition: str, out: Path | None, report=print) -> list[Path]:
    written = []
    for x in collect(opts, edition):
        folder = Path(out) if out else out_root(opts) / x.case / "export" / edition
        if fmt == "json":
            data = json.dumps(x.model_dump(by_alias=True), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
            files = {folder / f"{x.case}-{edition}.json": data}
        else:
            files = {folder / f"{x.case}-{edition}-exhibits.csv": exhibits_csv(x),
                     folder / f"{x.case}-{edition}-evidence.csv": evidence_csv(x),
                     folder / f"{x.case}-{edition}-chronology.csv": chronology_csv(x)}
        for path, data in files.items():
            atomic_write(path, data)
            report(f"{path}: {len(x.exhibits)} exhibits, {len(x.chronology)} chronology rows")
            written.append(path)
    return written
