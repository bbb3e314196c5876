"""The sections of a dossier, in order, and the keys that name its places: one registry.

A key names a place in a dossier: the anchor the typesetter records the page of, the contents
entry and outline item that link to it,
and the page ranges of the manifest and the export. Each section has one key, one title, one
template (whose `<section key=...>` is that key) and a place before or after the exhibits;
each exhibit's key is its number, each exhibit file's key is `file_key(number, i)`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str  # anchor, contents and outline key
    title: str  # heading, contents entry and outline title
    template: str  # the template that writes it (a workspace may replace it)
    after_exhibits: bool = False


SECTIONS: tuple[Section, ...] = (
    Section("cover", "Cover", "cover.xml.j2"),
    Section("contents", "Contents", "contents.xml.j2"),
    Section("profile", "Profile of the accused", "profile.xml.j2"),
    Section("exhibit-index", "Index of exhibits", "exhibit_index.xml.j2"),
    Section("chronology", "Chronology", "chronology.xml.j2"),
    Section("matrix", "Evidence matrix", "matrix.xml.j2"),
    Section("names-index", "Index of persons, places and organisations", "names_index.xml.j2", after_exhibits=True),
    Section("annex", "Annex: exhibit files and chain of custody", "annex.xml.j2", after_exhibits=True),
)
BEFORE_EXHIBITS = tuple(s for s in SECTIONS if not s.after_exhibits)
AFTER_EXHIBITS = tuple(s for s in SECTIONS if s.after_exhibits)

# The exhibits: one template per exhibit, and a heading (an outline group over them all).
EXHIBITS_KEY, EXHIBITS_TITLE, EXHIBIT_TEMPLATE = "exhibits", "Exhibits", "exhibit.xml.j2"

# key -> title, as the templates see it (`sections['exhibit-index']`, `sections.exhibits`)
TITLES = {**{s.key: s.title for s in SECTIONS}, EXHIBITS_KEY: EXHIBITS_TITLE}


def file_key(number: str, i: int) -> str:
    """The key of the i-th file (from 1) of exhibit `number`: where the file's pages start."""
    return f"{number}-file{i}"


def file_end_key(number: str, i: int) -> str:
    """The key of the last page of the i-th file of exhibit `number`."""
    return file_key(number, i) + "-end"


def page_ranges(anchors: dict[str, int], exhibit_numbers, pages: int) -> dict[str, tuple[int, int]]:
    """First and last page of every section and every exhibit of a typeset dossier (keys of
    `anchors`, the pages the typesetter recorded): each runs to the page before the next one
    starts, the last one to the dossier's last page (`pages`). A withheld exhibit is one too:
    its placeholder pages belong to no other exhibit. (Every section and exhibit starts a new
    page; two keys on one page would leave the first an empty range, last = first - 1.)"""
    keys = [s.key for s in SECTIONS] + list(exhibit_numbers)
    starts = sorted((anchors[k], k) for k in keys if k in anchors)
    out = {}
    for i, (first, key) in enumerate(starts):
        nxt = starts[i + 1][0] if i + 1 < len(starts) else pages + 1
        out[key] = (first, nxt - 1)
    return out
