"""Intake of one build's exhibit files: each file that is not a PDF or an image ready to print
gets a PDF rendition, and every page without a text layer (image exhibits, scanned PDF pages)
gets OCR text, all through the cache (cache.py).

The custody of the original is unchanged: a FileInfo keeps the original's path, SHA-256 and
size (what exhibits.lock, the annex, the manifest and `verify --root` check); the rendition
is recorded beside it (`rendition`, `rendition_sha256`, `rendition_size`, `converter`), and it
is the rendition that is drawn (FileInfo.drawn). An e-mail's attachments become files of the
same exhibit (`parts`), each converted by the same rules, down to MAX_DEPTH levels.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from pathlib import Path

from casefile.dossier.assembly import FileInfo, file_kind
from casefile.dossier.citations import stored_lines
from casefile.errors import CaseError, Problem, fail
from casefile.intake import ocr
from casefile.intake.cache import Cache, cache_key
from casefile.intake.converters import LIBREOFFICE, TESSERACT, available, identity, version

MAX_DEPTH = 5  # e-mail in e-mail in ...: deeper is refused
MAX_PARTS = 100  # attachments of one exhibit file, all levels together


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Intake:
    """Conversions are made at once (`take`); OCR is collected and run together, in parallel,
    by `finish`."""

    def __init__(self, cache_folder: Path, jobs: int = 0, typeset=None, report=None, progress=None,
                 page_size: str = "A4"):
        self.cache = Cache(cache_folder)
        self.jobs = jobs
        self.typeset = typeset  # (kind, plain data, page size) -> PDF bytes, for renditions casefile typesets
        self.page_size = page_size  # the case's paper: the renditions casefile typesets are on it
        self.report = report or (lambda line: None)
        self.progress = progress  # (pages read, pages to read): called as OCR goes (a progress bar)
        self.queue: list[tuple[str, FileInfo, ocr.PageTask, str]] = []  # (top file, info, task, key)
        self.converted = 0
        self.capture = ("", "")
        self.ocr_run = 0
        self._warned: set = set()

    # ------------------------------------------------------------------ one file

    def take(self, info: FileInfo, shown: str, languages: tuple[str, ...] = ("en",),
             capture: tuple[str, str] = ("", "")) -> FileInfo:
        """The file made ready: converted when it must be, its textless pages queued for OCR.
        `capture` is the (URL, date) of a web capture, from its item."""
        self.capture = capture
        return self._take(info, shown, languages, 0, shown, [0])

    def _take(self, info: FileInfo, shown: str, languages, depth: int, top: str, parts: list) -> FileInfo:
        kind = info.kind
        if kind in ("document", "email", "web", "table"):
            info = self._convert(info, shown, languages, depth, top, parts)
        if info.kind == "pdf":
            self._queue_pdf(info, shown, languages, top)
        elif info.kind == "image":
            self._queue_image(info, shown, languages, top)
        return info

    def _convert(self, info: FileInfo, shown: str, languages, depth: int, top: str, parts: list) -> FileInfo:
        ext = info.path.rsplit(".", 1)[-1].lower()
        if info.kind == "document":
            from casefile.intake import office

            converter = self.version(LIBREOFFICE)
            key = cache_key("document", ext, info.sha256, converter)
            record = self.cache.get(key)
            if record is None:
                notices = office.check_document(info.abspath, shown, ext)
                pdf = office.convert_document(info.abspath, shown, ext, info.sha256)
                record = self._store(key, pdf, shown, converter, notices)
            for n in record.get("notices", []):
                self._notice(shown, n)
            return self._with_rendition(info, key, record, office.FORMATS[ext][1])
        if info.kind == "email":
            return self._convert_email(info, shown, languages, depth, top, parts, ext)
        if info.kind == "web":
            from casefile.intake import web

            url, captured = self.capture if depth == 0 else ("", "")
            key = cache_key("web", ext, info.sha256, web.WEB_FORMAT, url, captured, self.page_size)
            record = self.cache.get(key)
            if record is None:
                capture = web.read_capture(info.abspath, shown, ext, url, captured)
                record = self._store(key, self._typeset("web", capture, shown), shown,
                                     f"casefile {web.WEB_FORMAT}", capture.notices)
            return self._with_rendition(info, key, record, "web capture")
        from casefile.intake import tables

        key = cache_key("table", ext, info.sha256, tables.TABLE_FORMAT, self.page_size)
        record = self.cache.get(key)
        if record is None:
            table = tables.read_table(info.abspath, shown, ext)
            record = self._store(key, self._typeset("table", table, shown), shown, f"casefile {tables.TABLE_FORMAT}")
        return self._with_rendition(info, key, record, "table")

    def _convert_email(self, info, shown, languages, depth, top, parts, ext):
        from casefile.intake import mail

        if depth >= MAX_DEPTH:
            raise fail(top, "email", f"refused: e-mails nested more than {MAX_DEPTH} deep (a message attached "
                                     f"to a message attached to a message ...)")
        key = cache_key("email", ext, info.sha256, mail.reader_version(ext), self.page_size)
        record = self.cache.get(key)
        if record is None:
            message = mail.read_message(info.abspath, shown, ext)
            attachments = {}
            for a in message.attachments:
                attachments[f"part-{a.sha256}"] = a.data
            pdf = self._typeset("email", message, shown)
            files = {"pdf": pdf, **attachments}
            record = self.cache.put(key, {
                "page_sizes": self._page_sizes(pdf, shown), "converter": f"casefile {mail.MAIL_FORMAT}",
                "sha256": _sha(pdf), "size": len(pdf), "notices": message.notices,
                "parts": [{"name": a.name, "sha256": a.sha256, "size": len(a.data), "type": a.content_type,
                           "page_sizes": self._inspect_part(a, shown)} for a in message.attachments]}, files)
            self.converted += 1
            self.report(f"{shown}: e-mail set as a PDF ({len(record['page_sizes'])} page(s), "
                        f"{len(message.attachments)} attachment(s))")
        for n in record.get("notices", []):
            self._notice(shown, n)
        out = self._with_rendition(info, key, record, "e-mail")
        subs = []
        for p in record.get("parts", []):
            parts[0] += 1
            if parts[0] > MAX_PARTS:
                raise fail(top, "email", f"refused: more than {MAX_PARTS} attachments in all")
            path = f"{info.path} › {p['name']}"
            sub = FileInfo(path, self.cache.path(key, f"part-{p['sha256']}"), p["size"], p["sha256"],
                           file_kind(p["name"]), f"attachment of {info.path.rsplit(' › ', 1)[-1]} "
                                                 f"({p['type']})", part_of=info.path,
                           page_sizes=tuple(tuple(x) for x in p["page_sizes"]),
                           pages=len(p["page_sizes"]) if file_kind(p["name"]) == "pdf" else 0)
            if sub.kind == "text":  # an attached text is typeset with its lines numbered
                sub.lines = len(stored_lines(Path(sub.abspath).read_bytes()))
            sub = self._take(sub, f"{shown} › {p['name']}", languages, depth + 1, top, parts)
            subs += [sub, *sub.parts]
            sub.parts = []
        out.parts = subs
        return out

    def version(self, tool) -> str:
        """The tool's version, remembered in the cache by the program's identity (starting
        LibreOffice only to ask its version costs most of a second)."""
        key = cache_key("version", identity(tool))
        record = self.cache.get(key)
        if record is None:
            record = self.cache.put(key, {"version": version(tool)})
        return record["version"]

    def _inspect_part(self, a, shown: str) -> list:
        """An attachment checked as an exhibit file of its kind is: a PDF's page sizes, an
        image's upright size in pixels (as build's inspection gives them)."""
        from casefile.pdf.exhibits import pdf_page_sizes
        from casefile.pdf.images import image_facts, open_image

        kind = file_kind(a.name)
        if kind not in ("pdf", "image"):
            return []
        with tempfile.TemporaryDirectory(prefix="casefile-part-") as tmp:
            path = Path(tmp) / ("part.pdf" if kind == "pdf" else "part")
            path.write_bytes(a.data)
            try:
                if kind == "pdf":
                    return [list(x) for x in pdf_page_sizes(path)]
                img = open_image(path)
                size = list(image_facts(img)[1])
                img.close()
                return [size]
            except CaseError as e:
                raise CaseError([Problem(f"{shown} › {a.name}", 0, p.field, p.message) for p in e.problems])

    def _typeset(self, kind: str, data, shown: str) -> bytes:
        if self.typeset is None:
            raise fail(shown, "converter", f"no typesetter for {kind} renditions")
        try:
            return self.typeset(kind, data, self.page_size)
        except CaseError:
            raise
        except Exception as e:  # noqa: BLE001 - e.g. a table row taller than a page
            detail = " ".join(str(e).split())[:160]
            raise fail(shown, kind, f"cannot be typeset: {type(e).__name__}: {detail}")

    def _page_sizes(self, pdf: bytes, shown: str) -> list:
        """A rendition checked as any PDF exhibit is: its pages' sizes."""
        from casefile.pdf.exhibits import pdf_page_sizes

        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            try:
                return [list(x) for x in pdf_page_sizes(Path(f.name))]
            except CaseError as e:
                raise CaseError([Problem(shown, 0, p.field, f"the rendition: {p.message}") for p in e.problems])

    def _store(self, key: str, pdf: bytes, shown: str, converter: str, notices=()) -> dict:
        sizes = self._page_sizes(pdf, shown)
        pages = len(sizes)
        record = self.cache.put(key, {"page_sizes": sizes, "converter": converter, "sha256": _sha(pdf),
                                      "size": len(pdf), "notices": list(notices)}, {"pdf": pdf})
        self.converted += 1
        self.report(f"{shown}: converted to PDF by {converter} ({pages} page(s))")
        return record

    def _with_rendition(self, info: FileInfo, key: str, record: dict, what: str) -> FileInfo:
        return dataclasses.replace(info, kind="pdf", pages=len(record["page_sizes"]),
                                   page_sizes=tuple(tuple(x) for x in record["page_sizes"]),
                                   rendition=self.cache.path(key, "pdf"),
                                   rendition_sha256=record["sha256"], rendition_size=int(record["size"]),
                                   converter=record["converter"], converted_from=what)

    def _notice(self, shown: str, message: str):
        if (shown, message) not in self._warned:
            self._warned.add((shown, message))
            self.report(f"{shown}: {message}")

    # ------------------------------------------------------------------ OCR, queued

    def _languages(self, shown: str, languages) -> str | None:
        if not available(TESSERACT):
            self._notice(shown, f"no text layer added (not OCR'd): install the Debian package "
                                f"{TESSERACT.package} (make tools)")
            return None
        chosen, missing = ocr.tesseract_languages(languages or ("en",))
        for package in missing:
            self._notice(shown, f"OCR without one of its languages: install the Debian package {package}")
        if not chosen:
            return None
        return chosen

    def _queue_pdf(self, info: FileInfo, shown: str, languages, top: str):
        drawn = info.drawn
        sha = info.rendition_sha256 or info.sha256
        key = cache_key("textless", sha)
        record = self.cache.get(key)
        if record is None:
            record = self.cache.put(key, {"pages": [list(p) for p in ocr.textless_pages(drawn)]})
        if not record["pages"]:
            return
        langs = self._languages(shown, languages)
        if langs is None:
            return
        for index, w, h in record["pages"]:
            task = ocr.PageTask(drawn, shown, int(index), (float(w), float(h)), langs)
            engine = ocr.engine_version(self.version(TESSERACT))
            self.queue.append((top, info, task, cache_key("ocr", sha, str(index), engine, langs)))

    def _queue_image(self, info: FileInfo, shown: str, languages, top: str):
        key = cache_key("blank", info.sha256)
        record = self.cache.get(key)
        if record is None:
            record = self.cache.put(key, {"blank": ocr.blank(info.abspath)})
        if record["blank"]:
            return
        langs = self._languages(shown, languages)
        if langs is None:
            return
        task = ocr.PageTask(info.abspath, shown, None, (0, 0), langs)
        engine = ocr.engine_version(self.version(TESSERACT))
        self.queue.append((top, info, task, cache_key("ocr", info.sha256, "image", engine, langs)))

    def finish(self) -> dict[str, list[Problem]]:
        """Run the queued OCR (what the cache does not have), `jobs` pages at a time; give each
        FileInfo its pages' text. Returns the problems, by the top-level file they belong to."""
        problems: dict[str, list[Problem]] = {}
        todo = []
        for top, info, task, key in self.queue:
            record = self.cache.get(key)
            if record is None:
                todo.append((top, info, task, key))
            else:
                self._give(info, task, ocr.from_record(record["page"]))
        if todo:
            with tempfile.TemporaryDirectory(prefix="casefile-ocr-") as scratch:
                by_file: dict = {}
                for item in todo:
                    by_file.setdefault(item[2].shown, []).append(item)
                tasks = todo
                total = len(tasks)
                at_once = min(total, max(1, self.jobs or os.cpu_count() or 1))
                self.report(f"OCR by Tesseract: {total} page(s) to read, {at_once} at a time")
                step = (lambda n: self.progress(n, total)) if self.progress else None
                if step:
                    step(0)
                try:
                    pages = ocr.ocr_pages([t[2] for t in tasks], self.jobs, Path(scratch), step)
                except CaseError as e:
                    for p in e.problems:
                        top = next((t[0] for t in tasks if t[2].shown == p.path), p.path)
                        problems.setdefault(top, []).append(p)
                    pages = None
                if pages is not None:
                    for (top, info, task, key), page in zip(tasks, pages):
                        self.cache.put(key, {"page": ocr.as_record(page)})
                        self._give(info, task, page)
                    self.ocr_run += len(pages)
                    for shown, items in by_file.items():
                        self.report(f"{shown}: OCR by Tesseract ({items[0][2].languages}): {len(items)} page(s)")
        self.queue = []
        return problems

    @staticmethod
    def _give(info: FileInfo, task: ocr.PageTask, page: ocr.OcrPage):
        """The page's text to its file, and what OCR did not read of it (decided again at each
        build from the cached measurement, so a change of threshold needs no OCR)."""
        if page.lines:
            index = 0 if task.index is None else task.index
            info.ocr[index] = page
            missed = ocr.not_read(page)
            if missed:
                info.unread[index] = missed


def derived_fingerprint(info: FileInfo) -> str:
    """A digest of what intake made of a file (rendition, OCR text, attachments): part of the
    dossier's input fingerprint, so a dossier is made again when any of it changes."""
    h = hashlib.sha256(f"{info.rendition_sha256}\0{info.converter}\0".encode())
    for index, page in sorted(info.ocr.items()):
        h.update(repr((index, tuple(page))).encode())
    for p in info.parts:
        h.update(f"{p.path}\0{p.sha256}\0{derived_fingerprint(p)}\0".encode())
    return h.hexdigest()
