"""The benchmark runs against the code as it is: a tiny corpus through bench/run.py, every figure
measured (none ERROR). Nothing here looks at a time: the figures are bench/README.md's business."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_the_benchmark_measures_every_figure_on_a_tiny_corpus(tmp_path):
    p = subprocess.run([sys.executable, str(REPO / "bench/run.py"), "--items", "12", "--accused", "2", "--skip-cli",
                        "--repeat", "1", "--workdir", str(tmp_path)], capture_output=True, text=True, timeout=600,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stdout + p.stderr
    rows = [line for line in p.stdout.splitlines() if line.rstrip().endswith(("PASS", "FAIL", "info", "skipped"))]
    assert any("exhibit pages merged" in r for r in rows) and any("one dossier" in r for r in rows), p.stdout
    assert "ERROR" not in p.stdout, p.stdout
