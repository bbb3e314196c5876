"""What the items cite, resolved for the dossier: the exhibit file and page a source's locator
names (its pinpoint), checked before anything is typeset.

A source's `file` names its stored copy. The exhibit file it stands for is the item's exhibit
file with that path, else with that file name, else with that name's stem (`003_x.txt`, a
stored text, is set with its lines numbered as `sources/003_x.pdf`). A locator naming a page
links to that page of the file; one naming a line links to the page holding that line, for a
PDF whose lines are numbered (see pdf/numbered_lines.py) and for a text file, which the dossier
typesets with the stored file's lines numbered in the margin (stored_lines: the same lines).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from casefile.case.locators import pinpoint
from casefile.errors import Problem


@dataclass(frozen=True)
class Target:
    path: str  # the exhibit file, under exhibits/<case-id>/
    page: int  # 1-based page of that file (1 for a text file: its pages are the dossier's)
    line: int = 0  # a line of a text file (1-based), typeset with its number: the link goes to it


def stored_lines(data: bytes) -> list[str]:
    """The lines of a stored text file, as the dossier numbers them: split at LF, CR LF or CR,
    after a leading byte-order mark, without the empty lines at its end."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n").split("\n")


def source_file(item, source) -> str | None:
    """The path of the item's exhibit file that the source's stored copy is, or None."""
    if not source.file:
        return None
    wanted = PurePosixPath(source.file.replace("\\", "/"))
    paths = [ef.file for ef in item.exhibits]
    for same in (lambda p: PurePosixPath(p) == wanted, lambda p: PurePosixPath(p).name == wanted.name,
                 lambda p: PurePosixPath(p).stem == wanted.stem):
        found = [p for p in paths if same(p)]
        if found:
            return found[0]
    return None


def line_files(lc, files: dict) -> set[str]:
    """The PDF exhibit files some locator names a line of: their numbered lines must be read."""
    out = set()
    for li in lc.items:
        for s in li.item.sources:
            pin, path = pinpoint(s.locator), source_file(li.item, s)
            if pin and pin.kind == "line" and path and path in files and files[path].kind == "pdf":
                out.add(path)
    return out


def pinpoints(lc, files: dict, line_pages: dict) -> tuple[dict, list[Problem]]:
    """{(item id, source index): Target} for every locator whose page or line can be found, and
    a problem for each that names a page or line its file does not have. `files`: path ->
    FileInfo; `line_pages`: path -> {line: page} (pdf/numbered_lines.py)."""
    out, problems = {}, []
    for li in lc.items:
        for i, s in enumerate(li.item.sources):
            pin, path = pinpoint(s.locator), source_file(li.item, s)
            if pin is None or path is None or path not in files:
                continue
            f = files[path]
            where = (li.path, li.line_of("sources", i, "locator"), f"sources.{i}.locator")
            pages = f.pages if f.kind == "pdf" else 1
            if f.kind == "text" and pin.kind == "line":
                if pin.number > f.lines:
                    problems.append(Problem(*where, f"line {pin.number}, but {path} has {f.lines} "
                                                    f"line{'s' if f.lines != 1 else ''}"))
                    continue
                out[(li.item.id, i)] = Target(path, 1, pin.number)
                continue
            if pin.kind == "page":
                if f.kind == "text":
                    continue  # pages of a typeset text are the dossier's, not the file's
                if pin.number > pages:
                    problems.append(Problem(*where, f"page {pin.number}, but {path} has {pages} "
                                                    f"page{'s' if pages != 1 else ''}"))
                    continue
                out[(li.item.id, i)] = Target(path, pin.number)
            elif f.kind == "pdf":
                lines = line_pages.get(path) or {}
                if not lines:
                    problems.append(Problem(*where, f"line {pin.number}, but the lines of {path} are not "
                                                    f"numbered (a locator can name a page instead)"))
                    continue
                if pin.number > max(lines):
                    problems.append(Problem(*where, f"line {pin.number}, but the numbered lines of {path} end "
                                                    f"at line {max(lines)}"))
                    continue
                # an empty line is not numbered: it is on the page of the line before it
                below = max(n for n in lines if n <= pin.number) if pin.number >= min(lines) else min(lines)
                out[(li.item.id, i)] = Target(path, lines[below])
    return out, problems
