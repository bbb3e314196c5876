"""The intake cache: what conversion and OCR made, kept by a key that is the SHA-256 of
everything the result depends on (the original's SHA-256, the converter and its version, the
settings, and INTAKE_FORMAT), in OUT/.casefile-cache/ (beside the dossiers of `--out`, default
ROOT/out/.casefile-cache/).

Each entry is a small JSON record (`<key>.json`) and the files it names (`<key>-<name>`, e.g.
`<key>-pdf`, the PDF rendition), written to temporary files and renamed into place, the record last: an
entry is either whole or absent. A rebuild finds every entry and runs no converter, so its
dossiers are byte-identical. Deleting the folder is always safe (everything is made again;
LibreOffice renditions are normalised, so even they come out the same). Nothing in the cache
is trusted beyond its key: every file is checked again as an exhibit before it is used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from casefile.output.atomic import atomic_write

CACHE_NAME = ".casefile-cache"
INTAKE_FORMAT = "casefile-intake/2"  # changed whenever what intake makes changes


def cache_key(*parts: str) -> str:
    return hashlib.sha256("\0".join((INTAKE_FORMAT,) + parts).encode("utf-8")).hexdigest()


class Cache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.hits = 0
        self.made = 0

    def _base(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def path(self, key: str, name: str) -> Path:
        return self._base(key).with_name(f"{key}-{name}")  # no file extension: none is mistaken for output

    def get(self, key: str) -> dict | None:
        """The record of `key` when it and every file it names are there; None otherwise."""
        try:
            record = json.loads(self._base(key).with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("format") != INTAKE_FORMAT:
            return None
        for name in record.get("files", []):
            if not self.path(key, name).is_file():
                return None
        self.hits += 1
        return record

    def put(self, key: str, record: dict, files: dict[str, bytes] | None = None) -> dict:
        record = {**record, "format": INTAKE_FORMAT, "files": sorted(files or {})}
        for name, data in sorted((files or {}).items()):
            atomic_write(self.path(key, name), data)
        atomic_write(self._base(key).with_suffix(".json"),
                     json.dumps(record, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8"))
        self.made += 1
        return record
