# `make` builds the dataset for every file in raw/ into extracted/; `make test` runs the tests.
# Only what is out of date is rebuilt: an edition reruns when its raw file, the pipeline
# code, its data files or the schemas change.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
OUT    := extracted
RAW    := $(wildcard raw/*.pdf raw/*.txt)
STAMPS := $(patsubst raw/%,$(OUT)/.built/%.stamp,$(RAW))
CODE   := $(shell find pipeline -name '*.py' -o -name '*.json' -o -name '*.csv' -o -name '*.txt' 2>/dev/null) \
          $(wildcard schemas/*.json)
# Debian packages: poppler-utils for the benchmark's pdftotext reference, the CJK font
# for the typesetter (make sample, test fixtures). OCR (RapidOCR, onnxruntime) comes from
# PyPI with the pinned dependencies and needs no system package (bench/ocr_compare.py).
SYSDEPS := poppler-utils fonts-wqy-zenhei

.PHONY: all test sample bench clean sysdeps diff docs validate

all: $(STAMPS)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,cluster]'
	touch $@

$(OUT)/.built/%.stamp: raw/% $(CODE) $(VENV)/.installed
	$(PY) -m pipeline build $< --out $(OUT)
	@mkdir -p $(@D) && touch $@

test: $(VENV)/.installed sysdeps
	$(PY) -m pytest

# What changed between two editions: make diff OLD=2023 NEW=2024 [FORMAT=markdown|json|table]
OLD ?= 2023
NEW ?= 2024
FORMAT ?= table
diff: all
	$(PY) -m pipeline diff $(OLD) $(NEW) --data $(OUT) --format $(FORMAT)

validate: all
	$(PY) -m pipeline validate --data $(OUT)

docs: $(VENV)/.installed
	$(PY) -m pipeline docs

# Rebuild the sample PDFs from the seed text (needs the CJK font).
sample: $(VENV)/.installed sysdeps
	$(PY) tools/typeset.py raw/2023-flipbook.txt raw/2023.pdf
	$(PY) tools/samples/make_2024.py
	$(PY) tools/typeset.py tools/samples/2024-flipbook.txt raw/2024.pdf

bench: $(VENV)/.installed sysdeps
	$(PY) bench/ingest.py
	$(PY) bench/stages.py

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
