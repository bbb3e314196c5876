"""Pinpoints in a source's `locator`: the page or the line it names, so the dossier can link
the locator to that page of the exhibit file.

A locator is free text ("section 2, paragraph 4 (line 6 of the stored file)"). The first of
these it contains is its pinpoint: `page N`, `p. N`, `pp. N–M`, `line N`, `lines N–M` (a range
links to its first page or line). Anything else is not a pinpoint and stays plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PINPOINT = re.compile(r"(?<![\w.])(?P<kind>pages?|pp?\.|lines?|ll?\.)\s*(?P<n>\d{1,6})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Pinpoint:
    kind: str  # "page" or "line"
    number: int  # 1-based


def pinpoint(locator: str | None) -> Pinpoint | None:
    """The page or line a locator names first, or None."""
    if not locator:
        return None
    m = _PINPOINT.search(locator)
    if m is None:
        return None
    kind = m.group("kind").lower()
    n = int(m.group("n"))
    if n < 1:
        return None
    return Pinpoint("line" if kind.startswith("l") else "page", n)
