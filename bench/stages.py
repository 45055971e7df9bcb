"""Per-stage throughput of the pipeline, in one process: where the build's time goes.

    python bench/stages.py            # on raw/2023.pdf and the 500-page bench file
    python bench/stages.py --json

Reports pages/s for reading (two worker processes, OCR off: see the OCR line), the
structure stage, extraction throughput in sentences/s (the five finders, without
jieba), segmentation in sentences/s (jieba with POS tags), jieba's start-up in a fresh
process with an empty and a warm segmenter cache, and OCR seconds per page on the
scanned fixture with an empty cache (the engine's cost, not the cache's), then the same
read with the cache warm.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
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
    _, rows, _ = structure_tables(pages, "bench", str(pdf))
    out["structure_pages_per_s"] = len(raw) / (time.perf_counter() - t)
    texts = [row["text"] for row in rows]
    sentences = [text[a:b] for text in texts for a, b in segment.split_sentences(text)]
    out["sentences"] = len(sentences)
    t = time.perf_counter()
    for text in texts:
        for finder in FINDERS.values():
            finder(text)
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
        t = time.perf_counter()
        _, again = read_pages(SCANNED, workers=2, ocr=True)     # every OCR result from the cache
        cached = time.perf_counter() - t
        del os.environ["POLICY_PIPELINE_CACHE"]
    ocred = sum(1 for p in raw if getattr(p, "ocr", False))
    return {"ocr_pages": ocred, "ocr_seconds_per_page": wall / max(1, ocred),
            "ocr_cached_read_s": cached, "ocr_cache_speedup": wall / cached, "cached_same": again == raw,
            "note": "wall time of the whole read on 2 workers, divided by the pages OCRed; "
                    "then the same read again with a warm OCR cache"}


def segmenter_start_up() -> dict:
    """Seconds for a fresh process to get jieba ready, with an empty and a warm cache."""
    code = ("import time; t = time.perf_counter(); from pipeline import segment; segment.tokens('预热'); "
            "print(time.perf_counter() - t)")
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "POLICY_PIPELINE_CACHE": cache, "PYTHONPATH": str(ROOT)}
        for name in ("segmenter_cold_s", "segmenter_cached_s"):
            done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
            out[name] = float(done.stdout)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    files = args.files or [ROOT / "raw/2023.pdf", *sorted((ROOT / ".cache/bench").glob("*.pdf"))]
    rows = [stages(f.resolve()) for f in files] + [segmenter_start_up(), ocr_seconds_per_page()]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for row in rows:
        print("  ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
