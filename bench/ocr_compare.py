"""Compare offline Chinese OCR engines on the scanned fixture: character accuracy and speed.

    .venv/bin/python bench/ocr_compare.py                       # every engine that is installed
    .venv/bin/python bench/ocr_compare.py --engines tesseract --prep none,median3

The fixture is typeset from the seed (tools/typeset.py, see tests/fixtures/pdfs/); its
PDF pages 34-38 are image-only scans of source pages 384-388, so the seed's lines for
those pages are the reference. Each page is rendered at --dpi, optionally cleaned up
(`--prep`), and read by each engine on one thread (the pipeline reads pages in parallel
worker processes, one page per core). Accuracy is 1 - edit distance / reference length
over the page body, after removing whitespace and mapping full-width forms to half-width
with pipeline.text.normalize; the footer band (the printed page number) is left out of the
body and reported on its own: did the engine read "— 379 —" as a page number?
The blank pages (only a page number) are read too: any body text there is garbage.

Engines: tesseract (the Debian packages tesseract-ocr, tesseract-ocr-chi-sim) and
rapidocr (pip install rapidocr-onnxruntime; its wheel ships the PP-OCR ONNX models, so it
runs offline). An engine that is not installed is reported as such and skipped.
"""
from __future__ import annotations

import argparse
import csv
import io
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.pages import page_number_of  # noqa: E402
from pipeline.sources.flipbook import read_flipbook  # noqa: E402
from pipeline.text import normalize  # noqa: E402

FIXTURE = ROOT / "tests/fixtures/pdfs/scanned-doc31-pages-384-388-200dpi-noise-skew.pdf"
SEED = ROOT / "raw/2023-flipbook.txt"
FOOTER_BAND = 0.92    # lines whose top lies below this share of the page height are footer


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions all cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def squash(text: str) -> str:
    return "".join(normalize(text).split())


def accuracy(ocr: str, reference: str) -> float:
    ref = squash(reference)
    return 1 - edit_distance(squash(ocr), ref) / max(1, len(ref))


# --- page images -------------------------------------------------------------------

def render(pdf, index: int, dpi: int):
    return pdf.pages[index].to_image(resolution=dpi).original.convert("L")


def prepare(img, prep: str):
    from PIL import ImageFilter
    if prep == "none":
        return img
    if prep.startswith("median"):
        size = int(prep[len("median"):] or 3)
        return img.filter(ImageFilter.MedianFilter(size))
    raise SystemExit(f"unknown --prep {prep}")


# --- engines: each returns [(text, top_px, confidence 0..1)] -----------------------

def tesseract_version() -> str | None:
    if not shutil.which("tesseract"):
        return None
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    if "chi_sim" not in langs.stdout.split():
        return None
    return (out.stdout or out.stderr).split("\n")[0].strip()


def run_tesseract(img, psm: int = 6) -> list[tuple[str, float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "page.png"
        img.save(png)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        out = subprocess.run(["tesseract", str(png), "-", "-l", "chi_sim", "--psm", str(psm), "tsv"],
                             capture_output=True, text=True, env=env, check=True).stdout
    lines: dict[tuple, list] = {}
    for row in csv.DictReader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row["level"] != "5" or not (row["text"] or "").strip():
            continue
        key = (row["block_num"], row["par_num"], row["line_num"])
        lines.setdefault(key, []).append(row)
    result = []
    for words in lines.values():
        text = " ".join(w["text"] for w in words)
        conf = sum(float(w["conf"]) for w in words) / len(words) / 100
        result.append((text, min(int(w["top"]) for w in words), conf))
    return result


_RAPID = None


def rapidocr_version() -> str | None:
    try:
        from importlib.metadata import version
        import rapidocr_onnxruntime  # noqa: F401
        return f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')}"
    except Exception:
        return None


def run_rapidocr(img) -> list[tuple[str, float, float]]:
    global _RAPID
    import numpy as np
    if _RAPID is None:
        from rapidocr_onnxruntime import RapidOCR
        _RAPID = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    result, _ = _RAPID(np.asarray(img.convert("RGB")))
    return [(text, min(p[1] for p in box), float(score)) for box, text, score in (result or [])]


ENGINES = {"tesseract": (tesseract_version, run_tesseract), "rapidocr": (rapidocr_version, run_rapidocr)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pdf", type=Path, default=FIXTURE)
    ap.add_argument("--seed", type=Path, default=SEED)
    ap.add_argument("--pages", default="34-38", help="PDF pages with seed text to score")
    ap.add_argument("--blank-pages", default="45-49", help="PDF pages with only a page number")
    ap.add_argument("--engines", default="tesseract,rapidocr")
    ap.add_argument("--prep", default="none,median3", help="image clean-up variants: none, median3, median5")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--show", action="store_true", help="print each page's OCR text")
    args = ap.parse_args()

    import pdfplumber

    def span(spec):
        a, _, b = spec.partition("-")
        return list(range(int(a), int(b or a) + 1))

    seed = {p.page: p for p in read_flipbook(args.seed)}
    pdf = pdfplumber.open(args.pdf)
    labels = list(itertools.islice(pdf.doc.get_page_labels(), len(pdf.pages)))   # an endless generator
    pages = span(args.pages)
    blanks = span(args.blank_pages) if args.blank_pages else []
    images = {n: render(pdf, n - 1, args.dpi) for n in pages + blanks}
    height = {n: img.size[1] for n, img in images.items()}

    rows = []
    for name in args.engines.split(","):
        version_of, run = ENGINES[name]
        version = version_of()
        if version is None:
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        if name == "rapidocr":   # model loading is once per process: not per page
            run(images[pages[0]].crop((0, 0, 64, 64)))
        for prep in args.prep.split(","):
            accs, secs, footers, confs, garbage = [], [], 0, [], 0
            for n in pages + blanks:
                img = prepare(images[n], prep)
                t = time.perf_counter()
                lines = run(img)
                secs.append(time.perf_counter() - t)
                body = [l for l in lines if l[1] < FOOTER_BAND * height[n]]
                foot = [l for l in lines if l[1] >= FOOTER_BAND * height[n]]
                src = seed[int(labels[n - 1])]
                printed = [page_number_of(normalize(l[0]).replace(" ", "")) for l in foot]
                footers += src.printed_page in printed
                if n in blanks:
                    garbage += sum(len(squash(l[0])) for l in body)
                    continue
                text = "\n".join(l[0] for l in body)
                accs.append(accuracy(text, "\n".join(l.text for l in src.lines)))
                confs += [l[2] for l in body]
                if args.show:
                    print(f"--- {name} {prep} page {n} ({accs[-1]:.4f})\n{text}\n", file=sys.stderr)
            rows.append({
                "engine": version, "prep": prep,
                "accuracy": sum(accs) / len(accs), "worst_page": min(accs),
                "s_per_page": sum(secs) / len(secs),
                "footer_read": f"{footers}/{len(pages) + len(blanks)}",
                "blank_garbage_chars": garbage,
                "mean_conf": sum(confs) / max(1, len(confs)),
            })
    print(f"{args.pdf.name}: PDF pages {args.pages} scored, {args.blank_pages} blank; "
          f"rendered at {args.dpi} dpi; one thread per engine")
    print("| engine | prep | char accuracy | worst page | s/page | footer read | garbage on blank pages | mean conf |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['engine']} | {r['prep']} | {r['accuracy']:.2%} | {r['worst_page']:.2%} | "
              f"{r['s_per_page']:.2f} | {r['footer_read']} | {r['blank_garbage_chars']} | {r['mean_conf']:.3f} |")


if __name__ == "__main__":
    main()
