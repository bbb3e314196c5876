"""CSV exhibits read into a table (plain data) that casefile typesets, every cell as written
(text, never a formula or a number format). Spreadsheets (.xlsx, .xls, .ods) are refused in one
line: formulas and their cached values, hidden sheets, rows and columns, and number formats
cannot be shown faithfully as one table; export each sheet to CSV (and keep the spreadsheet
itself as an exhibit of its own to have it hashed)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from casefile.errors import fail
from casefile.intake.web import clean

TABLE_FORMAT = "table/2"  # 2: every font embedded
MAX_TABLE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 12
MAX_CELL = 1000  # characters of one cell


@dataclass
class Table:
    source: str
    rows: list  # list of lists of str; the first is the header row
    notices: list = field(default_factory=list)


def read_table(path: Path, shown: str, ext: str) -> Table:
    if ext != "csv":
        raise fail(shown, "table", f"spreadsheets (.{ext}) are not converted: formulas, hidden sheets and "
                                   f"cells cannot be shown faithfully; save each sheet as CSV and give the "
                                   f"CSV files as exhibits")
    if Path(path).stat().st_size > MAX_TABLE_BYTES:
        raise fail(shown, "table", f"refused: larger than {MAX_TABLE_BYTES // (1024 * 1024)} MiB (not read)")
    data = Path(path).read_bytes()
    text = data.decode("utf-8-sig", "replace") if not data.startswith((b"\xff\xfe", b"\xfe\xff")) \
        else data.decode("utf-16", "replace")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            if len(rows) >= MAX_ROWS:
                raise fail(shown, "table", f"refused: more than {MAX_ROWS} rows")
            if len(row) > MAX_COLUMNS:
                raise fail(shown, "table", f"refused: row {len(rows) + 1} has {len(row)} columns (at most "
                                           f"{MAX_COLUMNS} fit on a page)")
            for cell in row:
                if len(cell) > MAX_CELL:
                    raise fail(shown, "table", f"refused: a cell of row {len(rows) + 1} is longer than "
                                               f"{MAX_CELL} characters")
            rows.append([" ".join(clean(c).split()) for c in row])
    except csv.Error as e:
        raise fail(shown, "table", f"not a readable CSV file: {e}")
    if not any(any(c for c in r) for r in rows):
        raise fail(shown, "table", "the CSV file has no cells")
    width = max(len(r) for r in rows)
    return Table(shown, [r + [""] * (width - len(r)) for r in rows])
