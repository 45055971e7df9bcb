# `make` builds the dataset for every file in raw/ into extracted/; `make test` runs the tests.
# `pipeline update` decides what is out of date (an edition reruns when its raw file, the
# pipeline code, its data files or the schemas change), removes the editions of deleted raw
# files, and takes any file name (spaces, *.PDF), which make's own rules cannot.
# Recipes are silent (@): `make diff FORMAT=json > c.json` writes only the JSON.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
OUT    := extracted
BYTECODE := $(VENV)/.bytecode
# Debian packages: poppler-utils for the benchmark's pdftotext reference, the CJK font
# for the typesetter (make sample, test fixtures). OCR (RapidOCR, onnxruntime) comes from
# PyPI with the pinned dependencies and needs no system package (bench/ocr_compare.py).
SYSDEPS := poppler-utils fonts-wqy-zenhei
# The benchmark's large inputs are printed by Chromium (with Noto CJK) and typeset by
# LibreOffice, the producers the reader issue measured (bench/ingest.py).
BENCHDEPS := chromium libreoffice-writer-nogui fonts-noto-cjk

.PHONY: all test sample bench clean sysdeps diff docs validate

all: $(BYTECODE)
	@$(PY) -m pipeline update raw --out $(OUT)

# setup.py and the C loop too: `pip install -e` compiles pipeline/sources/_pdfium_loop.c in place.
$(VENV)/.installed: pyproject.toml $(wildcard setup.py pipeline/sources/_pdfium_loop.c)
	@$(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip >&2
	@$(PY) -m pip install --quiet -e '.[dev,cluster]' >&2
	@touch $@

# Our own modules as bytecode: an editable install leaves none, and where Python may not
# write it (PYTHONDONTWRITEBYTECODE, a read-only checkout) every process, each worker
# too, compiles them again at import (0.1 s per process, measured).
$(BYTECODE): $(VENV)/.installed $(shell find pipeline -name '*.py')
	@$(PY) -m compileall -q pipeline
	@touch $@

test: $(BYTECODE) sysdeps
	@$(PY) -m pytest

# What changed between two editions: make diff OLD=2023 NEW=2024 [FORMAT=markdown|json|table]
OLD ?= 2023
NEW ?= 2024
FORMAT ?= table
diff: all
	@$(PY) -m pipeline diff $(OLD) $(NEW) --data $(OUT) --format $(FORMAT)

validate: all
	@$(PY) -m pipeline validate --data $(OUT)

docs: $(VENV)/.installed
	@$(PY) -m pipeline docs

# Rebuild the sample PDFs from the seed text (needs the CJK font).
sample: $(VENV)/.installed sysdeps
	$(PY) tools/typeset.py raw/2023-flipbook.txt raw/2023.pdf
	$(PY) tools/samples/make_2024.py
	$(PY) tools/typeset.py tools/samples/2024-flipbook.txt raw/2024.pdf

bench: $(BYTECODE) sysdeps
	@$(MAKE) --no-print-directory sysdeps SYSDEPS="$(BENCHDEPS)"
	$(PY) bench/ingest.py
	$(PY) bench/stages.py
	$(PY) bench/ocr.py
	$(PY) bench/corpus.py

# Install the Debian packages the tests and tools need, when they are missing.
sysdeps:
	@missing=""; for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing" >&2; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

clean:
	rm -rf $(OUT)
