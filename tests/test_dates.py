import pytest

from casefile.case.dates import DateError, parse_date, sort_key


@pytest.mark.parametrize("text,shown", [
    ("1988", "1988"),
    ("1988-07", "July 1988"),
    ("1988-07-25", "25 July 1988"),
    ("1988-22", "summer 1988"),
    ("1988~", "circa 1988"),
    ("1988-02?", "February 1988?"),
    ("1988-07-25/1988-07-28", "25 July 1988 – 28 July 1988"),
    ("../1988-08", "… – August 1988"),
])
def test_display(text, shown):
    assert parse_date(text).display() == shown


@pytest.mark.parametrize("text,why", [
    ("1988-02-30", "day 30 does not exist in February 1988"),
    ("1988-13", "month 13 does not exist"),
    ("88", "is not a date"),
    ("1988-07-28/1988-07-25", "ends before it starts"),
    ("1988-22-01", "a season has no day"),
    ("summer 1988", "is not a date"),
])
def test_rejected(text, why):
    with pytest.raises(DateError, match=why):
        parse_date(text)


def test_sorting_partial_dates():
    given = ["1988-08-25", "1988-07-01", "1988", "1988-07", "1988-22", "1987-21", "1988-07-25/1988-07-28",
             "1988-07-18", None, "1988-07~"]
    got = sorted(given, key=sort_key)
    # 1988-22 (summer: June-August) starts on 1 June, before July
    expected = ["1987-21", "1988", "1988-22", "1988-07", "1988-07~", "1988-07-01", "1988-07-18",
                "1988-07-25/1988-07-28", "1988-08-25", None]
    assert got == expected
