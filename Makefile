# casefile — the two set-up commands are `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test check bench tools clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian tools the tests read and check PDFs with (pdftotext, pdftoppm, qpdf).
tools:
	@command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && command -v qpdf >/dev/null || \
	  { (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils qpdf; } || \
	  { echo "poppler-utils and qpdf are required (apt-get install poppler-utils qpdf)"; exit 1; }

demo: $(STAMP)
	$(VENV)/bin/casefile build --out out

check: $(STAMP)
	$(VENV)/bin/casefile check

test: $(STAMP) tools
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run.py $(ARGS)

clean:
	rm -rf out .pytest_cache
