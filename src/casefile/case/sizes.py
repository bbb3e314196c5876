"""A file size as a portal writes its limit ("25MB", "25 MB", "1.5GB", "20MiB"): case.yaml's
`max_size` and build's `--max-size`, read the same way. KB, MB and GB are powers of 1000 (the
smaller reading of a portal's limit), KiB, MiB and GiB powers of 1024; a plain number is bytes."""

from __future__ import annotations

import re

UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}
SMALLEST = 10_000  # bytes: no volume is that small (its cover and contents alone are more)
SIZE_FORM = "a number and a unit (25MB, 500KB, 2GB, 20MiB), at least 10KB"


def parse_size(text: str) -> int | None:
    """Bytes of a size as written on a portal; None when it is not one, or under 10 kB."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", text)
    if not m or m.group(2).lower() not in UNITS:
        return None
    n = int(float(m.group(1)) * UNITS[m.group(2).lower()])
    return n if n >= SMALLEST else None
