# casefile — the two set-up commands are `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-latest check bench tools clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian tools: pdftotext/pdftoppm and qpdf (the tests read and check PDFs with them; OCR rasterises
# scanned pages), Tesseract with English, Persian and Arabic (OCR), LibreOffice Writer (Word
# documents). Only installed when one is missing; `make demo` needs none of them.
DEBIAN_TOOLS := poppler-utils qpdf tesseract-ocr tesseract-ocr-eng tesseract-ocr-fas tesseract-ocr-ara \
                libreoffice-writer-nogui
tools:
	@langs="$$(tesseract --list-langs 2>/dev/null)"; \
	if command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && command -v qpdf >/dev/null && \
	   command -v soffice >/dev/null && \
	   command -v tesseract >/dev/null && echo "$$langs" | grep -qx eng && echo "$$langs" | grep -qx fas && \
	   echo "$$langs" | grep -qx ara; \
	then :; else \
	  { (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $(DEBIAN_TOOLS) >/dev/null; } || \
	  { echo "make tools: cannot install $(DEBIAN_TOOLS) (apt-get install them as root)"; exit 1; }; \
	fi

demo: $(STAMP)
	$(VENV)/bin/casefile build --out out

check: $(STAMP)
	$(VENV)/bin/casefile check

test: $(STAMP) tools
	$(PY) -m pytest

# The equivalence tests of the library shortcuts (typeset/fastpath.py, pdf/fastpath.py) against
# the newest reportlab and pypdf, in a venv of their own (not part of `make test` or .ci/run):
# the pins in pyproject.toml are exact minors, this says whether the next release still works.
LATEST := .venv-latest
test-latest: tools
	test -x $(LATEST)/bin/python || python3 -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet -e '.[test]'
	$(LATEST)/bin/python -m pip install --quiet --upgrade reportlab pypdf
	$(LATEST)/bin/python -m pip show reportlab pypdf | grep -E '^(Name|Version)'
	$(LATEST)/bin/python -m pytest -p no:cacheprovider tests/test_fastpath.py tests/test_fastpath_pypdf.py \
	  tests/test_dossier.py::test_plain_paragraphs_skip_the_parser_with_the_same_result \
	  tests/test_dossier.py::test_line_breaking_is_reportlabs

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run.py $(ARGS)
	$(PY) bench/refusals.py
	@if command -v tesseract >/dev/null; then $(PY) bench/intake.py; \
	 else echo "bench/intake.py: skipped, Tesseract is not installed (make tools)"; fi

clean:
	rm -rf out .pytest_cache
