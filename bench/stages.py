"""Per-stage throughput of the pipeline, in one process: where the build's time goes.

    python bench/stages.py            # on raw/2023.pdf and the 500-page bench file
    python bench/stages.py --json

Reports pages/s for reading (two worker processes, OCR off: see the OCR line), the
structure stage, extraction throughput in sentences/s (the five finders, without
jieba), segmentation in sentences/s (jieba with POS tags), and OCR seconds per page
on the scanned fixture with an empty cache (the engine's cost, not the cache's).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import segment  # noqa: E402
from pipeline.extract import FINDERS  # noqa: E402
from pipeline.pages import pages_table  # noqa: E402
from pipeline.sources import read_pages  # noqa: E402
from pipeline.structure import structure_tables  # noqa: E402

SCANNED = ROOT / "tests/fixtures/pdfs/scanned-doc31-pages-384-388-200dpi-noise-skew.pdf"


def stages(pdf: Path) -> dict:
    out: dict = {"file": str(pdf.relative_to(ROOT))}
    t = time.perf_counter()
    _, raw = read_pages(pdf, workers=2, ocr=False)
    out["pages"] = len(raw)
    out["read_pages_per_s"] = len(raw) / (time.perf_counter() - t)
    t = time.perf_counter()
    pages = pages_table(raw, "bench", str(pdf))
    _, _, docs = structure_tables(pages, "bench", str(pdf))
    out["structure_pages_per_s"] = len(raw) / (time.perf_counter() - t)
    sections = [s for d in docs for s in d.sections]
    sentences = [s.text[a:b] for s in sections for a, b in segment.split_sentences(s.text)]
    out["sentences"] = len(sentences)
    t = time.perf_counter()
    for s in sections:
        for finder in FINDERS.values():
            finder(s.text)
    out["extract_sentences_per_s"] = len(sentences) / (time.perf_counter() - t)
    segment.tokens("预热")                      # jieba's one-off start-up is not throughput
    t = time.perf_counter()
    for sentence in sentences:
        segment.tokens(sentence)
    out["segment_sentences_per_s"] = len(sentences) / (time.perf_counter() - t)
    return out


def ocr_seconds_per_page() -> dict:
    if not SCANNED.exists():
        return {"ocr": "no scanned fixture"}
    with tempfile.TemporaryDirectory() as cache:
        os.environ["POLICY_PIPELINE_CACHE"] = cache
        t = time.perf_counter()
        _, raw = read_pages(SCANNED, workers=2, ocr=True)
        wall = time.perf_counter() - t
    ocred = sum(1 for p in raw if getattr(p, "ocr", False))
    return {"ocr_pages": ocred, "ocr_seconds_per_page": wall / max(1, ocred),
            "note": "wall time of the whole read on 2 workers, divided by the pages OCRed"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    files = args.files or [ROOT / "raw/2023.pdf", *sorted((ROOT / ".cache/bench").glob("*.pdf"))]
    rows = [stages(f.resolve()) for f in files] + [ocr_seconds_per_page()]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for row in rows:
        print("  ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
