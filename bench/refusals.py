"""Hostile inputs refused fast and in little memory: the time and memory figures that `make test`
does not assert (a test never asserts on time or memory; the tests check that each input is
refused with its message and that nothing is written).

Each input is the one the tests use (tests/conftest.py, tests/reliability/cases.py), given to a
fresh workspace of the tests' demo case (with tests/reliability/cases.py's BASE_FILES); the build runs in its own process, which reports its
wall time (casefile already imported) and its own peak memory (VmHWM). A figure above its target is FAIL (not an error).

    .venv/bin/python bench/refusals.py       (run by `make bench`)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from conftest import CASE_YAML, flate_bomb_pdf, item, png_header_only  # noqa: E402
from reliability.cases import BASE_FILES, ITEM, ROW, write_large_email  # noqa: E402

MEASURE = """
import sys, time
import casefile.commands.build  # imported first: the time is the build's, not the imports'
from casefile.cli import app
t = time.monotonic()
try:
    app(sys.argv[1:])
except SystemExit as e:
    code = e.code
# VmHWM is this process's own peak; ru_maxrss would carry over the parent's peak across fork+exec
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(f"RESULT {code} {time.monotonic() - t:.2f} {hwm // 1024}", file=sys.stderr)
"""


def exhibit(name: str, data) -> dict:
    """An item whose exhibit file is `name`, holding `data` (bytes, or a function writing the file)."""
    return {ITEM: item("a1", extra=f"exhibits:\n  - file: {name}\n"), f"exhibits/demo/{name}": data}


def row(key: str) -> tuple:
    """A row of the tests' table: its title, files and first expected line."""
    r = ROW[key]
    return r.tried, r.files, r.stderr[0]


# what, the workspace's files, what it is refused with, targets: seconds and peak MB
CASES = [
    (*row("billion-laughs"), 1.0, None),
    (*row("too-many-values"), 5.0, None),
    ("a PDF whose stream inflates to 120 MB", exhibit("bomb.pdf", flate_bomb_pdf()),
     "refused as a decompression bomb", 20.0, 300),
    ("a PNG declaring 20000×20000 pixels", exhibit("huge.png", png_header_only(20000, 20000)),
     "image too large", 20.0, 300),
    (*row("docx-zip-bomb"), 10.0, None),
    (*row("email-nested-50"), 10.0, None),
    (ROW["email-200mb"].tried, exhibit("big.eml", write_large_email), "larger than 64 MiB (not read)", 20.0, None),
    (*row("image-30000"), 5.0, None),
]


def measure(files: dict) -> tuple[int, float, int, str]:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / "cases/demo/evidence").mkdir(parents=True)
        (root / "exhibits/demo").mkdir(parents=True)
        (root / "cases/demo/case.yaml").write_text(CASE_YAML, encoding="utf-8")
        for rel, content in {**BASE_FILES, **files}.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if callable(content):
                content(p)
            else:
                p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        p = subprocess.run([sys.executable, "-c", MEASURE, "build", "--edition", "confidential", "--root", str(root)],
                           capture_output=True, text=True, timeout=300)
        code, seconds, mb = p.stderr.strip().splitlines()[-1].split()[1:]
        return int(code), float(seconds), int(mb), p.stderr


def main() -> int:
    print("| hostile input | refused | seconds (target) | peak MB (target) | result |")
    print("| --- | --- | --- | --- | --- |")
    for what, files, message, max_s, max_mb in CASES:
        code, seconds, mb, err = measure(files)
        refused = code == 1 and message in err
        ok = refused and seconds < max_s and (max_mb is None or mb < max_mb)
        print(f"| {what} | {'yes' if refused else 'NO: ' + err.strip().splitlines()[0]} | {seconds:.2f} (< {max_s:g}) "
              f"| {mb} ({'< ' + str(max_mb) if max_mb else '-'}) | {'PASS' if ok else 'FAIL'} |")
    return 0  # a FAIL is a figure, not an error (see bench/README.md)


if __name__ == "__main__":
    sys.exit(main())
