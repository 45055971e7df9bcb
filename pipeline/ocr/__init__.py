"""OCR of scanned pages and of the scanned regions of typed pages, with RapidOCR.

A leaf of the pipeline: page images in, `Line`s out. Its parts, each small:

  triage.py    which pages need OCR; which image regions of a mixed page
  render.py    the page image at the detector's size; where the ink is
  engine.py    the engine, one per process: grey image in, raw lines out
  cache.py     raw lines by image hash, so a rebuild does not OCR again
  cleanup.py   raw lines -> physical lines in points, in the text layer's form
  read.py      one page (or its regions) of a PDF: the above in order
  schedule.py  OCR in its own process pool, beside the text-layer reading
"""
from .cache import cache_dir
from .cleanup import MIN_CONFIDENCE, clean_ocr_text, ocr_lines
from .engine import ENGINE, OcrUnavailable, engine_problem, engine_version
from .read import ocr_page, ocr_regions
from .triage import needs_ocr

__all__ = ["ENGINE", "MIN_CONFIDENCE", "OcrUnavailable", "cache_dir", "clean_ocr_text", "engine_problem",
           "engine_version", "needs_ocr", "ocr_lines", "ocr_page", "ocr_regions"]
