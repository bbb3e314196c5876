"""Partial and uncertain dates, in a subset of the Library of Congress EDTF notation.

Accepted forms (ISO 8601-2 / EDTF level 0-1):
  1988            a year
  1988-07         a month
  1988-07-25      a day
  1988-22         a season: 21 spring, 22 summer, 23 autumn, 24 winter
  1988~ 1988?  1988%   approximate, uncertain, both (suffix on any of the above)
  1988-07-25/1988-07-28   an interval (either side may be any of the above, or '..' for open)

Dates sort by their start, and on equal starts the less precise first ("1988" before
"1988-01-01"), then by end.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_POINT = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?P<q>[~?%])?$")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_SEASONS = {21: ("spring", 3, 5), 22: ("summer", 6, 8), 23: ("autumn", 9, 11), 24: ("winter", 12, 12)}
_PRECISION = {"year": 0, "season": 1, "month": 2, "day": 3}


class DateError(ValueError):
    pass


@dataclass(frozen=True)
class Point:
    year: int
    month: int | None = None  # 1-12, or 21-24 for a season
    day: int | None = None
    approximate: bool = False
    uncertain: bool = False

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        if self.month is None:
            return "year"
        return "season" if self.month > 12 else "month"

    def first_day(self) -> date:
        if self.month is None:
            return date(self.year, 1, 1)
        if self.month > 12:
            return date(self.year, _SEASONS[self.month][1], 1)
        return date(self.year, self.month, self.day or 1)

    def last_day(self) -> date:
        if self.day is not None:
            return date(self.year, self.month, self.day)
        if self.month is None:
            return date(self.year, 12, 31)
        last_month = _SEASONS[self.month][2] if self.month > 12 else self.month
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def display(self) -> str:
        if self.day is not None:
            text = f"{self.day} {_MONTHS[self.month - 1]} {self.year}"
        elif self.month is None:
            text = str(self.year)
        elif self.month > 12:
            text = f"{_SEASONS[self.month][0]} {self.year}"
        else:
            text = f"{_MONTHS[self.month - 1]} {self.year}"
        if self.approximate and self.uncertain:
            return f"circa {text}?"
        if self.approximate:
            return f"circa {text}"
        if self.uncertain:
            return f"{text}?"
        return text


@dataclass(frozen=True)
class PartialDate:
    text: str
    start: Point | None
    end: Point | None  # None for a single point; same as start never happens
    interval: bool = False

    def display(self) -> str:
        if not self.interval:
            return self.start.display()
        a = self.start.display() if self.start else "…"
        b = self.end.display() if self.end else "…"
        return f"{a} – {b}"

    @property
    def approximate(self) -> bool:
        return any(p is not None and (p.approximate or p.uncertain) for p in (self.start, self.end))

    def sort_key(self) -> tuple:
        s = self.start.first_day() if self.start else date.min
        prec = _PRECISION[self.start.precision] if self.start else -1
        e = (self.end or self.start).last_day() if (self.end or self.start) else date.max
        return (s.toordinal(), prec, e.toordinal(), self.text)


_OTHER_NOTATION = re.compile(r"^(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})$")
_FORMS = ("YYYY, YYYY-MM, YYYY-MM-DD, YYYY-21..24 for a season, a ~ (circa) or ? (uncertain) suffix, "
          "or START/END for a range")


def _other_notation(text: str) -> str | None:
    """A day written 2010/07/01, 01/07/2010 or 1.7.2010: the message that says how to write it."""
    m = _OTHER_NOTATION.match(text)
    if not m:
        return None
    a, b, c = m.groups()
    example = f", here {a}-{int(b):02d}-{int(c):02d}" if len(a) == 4 and len(c) <= 2 else ""
    return f"'{text}': write dates as YYYY-MM-DD (EDTF){example}"


def _point(text: str) -> Point:
    m = _POINT.match(text)
    if not m:
        raise DateError(f"'{text}' is not a date: write {_FORMS} (EDTF)")
    year = int(m["y"])
    month = int(m["m"]) if m["m"] else None
    day = int(m["d"]) if m["d"] else None
    q = m["q"] or ""
    if month is not None and not (1 <= month <= 12 or month in _SEASONS):
        raise DateError(f"'{text}': month {month:02d} does not exist (01-12, or 21-24 for seasons)")
    if day is not None:
        if month > 12:
            raise DateError(f"'{text}': a season has no day")
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise DateError(f"'{text}': day {day} does not exist in {_MONTHS[month - 1]} {year}")
    if year == 0:
        raise DateError(f"'{text}': year 0000 is not supported")
    return Point(year, month, day, approximate=q in "~%" and q != "", uncertain=q in "?%" and q != "")


def parse_date(text: str) -> PartialDate:
    """Parse an EDTF date or interval; raise DateError with a message fit for a user."""
    text = str(text).strip()
    other = _other_notation(text)
    if other:
        raise DateError(other)
    if "/" in text:
        a, _, b = text.partition("/")
        start = None if a in ("", "..") else _point(a)
        end = None if b in ("", "..") else _point(b)
        if start is None and end is None:
            raise DateError(f"'{text}': an interval needs at least one end")
        if start and end and end.last_day() < start.first_day():
            raise DateError(f"'{text}': the interval ends before it starts")
        return PartialDate(text, start, end, interval=True)
    return PartialDate(text, _point(text), None)


def parse_full_date(text: str) -> date:
    """A complete calendar day (YYYY-MM-DD), e.g. a dossier's as-of date."""
    p = parse_date(text)
    if p.interval or p.start.precision != "day" or p.approximate:
        raise DateError(f"'{text}': a full date YYYY-MM-DD is required")
    return p.start.first_day()


def display_date(text: str | None) -> str:
    return parse_date(text).display() if text else ""


def sort_key(text: str | None) -> tuple:
    return parse_date(text).sort_key() if text else (10**9,)
