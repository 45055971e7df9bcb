"""Compare offline Chinese OCR engines on the scanned fixture: character accuracy and speed.

    .venv/bin/python bench/ocr_compare.py                       # every engine that is installed
    .venv/bin/python bench/ocr_compare.py --engines tesseract --prep none,median3

The fixture is typeset from the seed (tools/typeset.py, see tests/fixtures/pdfs/); its
PDF pages 34-38 are image-only scans of source pages 384-388, so the seed's lines for
those pages are the reference. Each page is rendered at --dpi, optionally cleaned up
(`--prep`), and read by each engine on one thread (the pipeline reads pages in parallel
worker processes, one page per core). Accuracy is 1 - edit distance / reference length
over the page body, after removing whitespace and mapping full-width forms to half-width
with pipeline.text.normalize (and once more after pipeline.ocr.clean_ocr_text); the footer
band is left out of the body and reported on its own: is "— 379 —" read as page number 379?
The pages with only a page number, and three synthetic pages (a red seal with its circular
inscription, a photo, a blank speckled scan) are read too: any CJK or digit text there is
garbage. The lowest confidence of real text lines against the highest on those pages is
what pipeline.ocr.cleanup.MIN_CONFIDENCE is chosen between.

Engines, each skipped when not installed:
  tesseract  Debian packages tesseract-ocr tesseract-ocr-chi-sim (the CLI, via subprocess)
  rapidocr   pip install rapidocr-onnxruntime==1.4.4 (PP-OCRv4; Python < 3.13; needs libGL)
  rapidocr3  pip install rapidocr==3.10.0 onnxruntime (PP-OCRv6) - the pipeline's engine
Both RapidOCR wheels ship their ONNX models and run with no network at all. The two
RapidOCR packages pull different OpenCV wheels: install rapidocr-onnxruntime in a venv of
its own (e.g. one whose .pth adds this project's site-packages) rather than in .venv.
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

from rapidfuzz.distance import Levenshtein  # noqa: E402

from pipeline.ocr import clean_ocr_text  # noqa: E402
from pipeline.pages import page_number_of  # noqa: E402
from pipeline.sources.flipbook import read_flipbook  # noqa: E402
from pipeline.text import normalize  # noqa: E402

FIXTURE = ROOT / "tests/fixtures/pdfs/scanned-doc31-pages-384-388-200dpi-noise-skew.pdf"
SEED = ROOT / "raw/2023-flipbook.txt"
FOOTER_BAND = 0.92    # lines whose top lies below this share of the page height are footer


def squash(text: str) -> str:
    return "".join(normalize(text).split())


def accuracy(text: str, reference: str) -> float:
    """1 - edit distance / reference length, whitespace removed, full-width folded (as tests/test_ocr.py)."""
    a, b = squash(text), squash(reference)
    return 1 - Levenshtein.distance(a, b) / max(1, len(b))


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
        _RAPID = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, text_score=0.0)
    result, _ = _RAPID(np.asarray(img.convert("RGB")))
    return [(text, min(p[1] for p in box), float(score)) for box, text, score in (result or [])]


_RAPID3 = None
MAX_SIDE = 2000     # RapidOCR 3 shrinks the page to this many pixels on its long side


def rapidocr3_version() -> str | None:
    try:
        from importlib.metadata import version
        import rapidocr  # noqa: F401
        return f"rapidocr {version('rapidocr')} (PP-OCRv6)"
    except Exception:
        return None


def run_rapidocr3(img) -> list[tuple[str, float, float]]:
    global _RAPID3
    import numpy as np
    if _RAPID3 is None:
        from rapidocr import RapidOCR
        _RAPID3 = RapidOCR(params={"Global.log_level": "critical", "Global.max_side_len": MAX_SIDE,
                                   "Global.text_score": 0.0,   # every line: the threshold is measured here
                                   "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                                   "EngineConfig.onnxruntime.inter_op_num_threads": 1})
    out = _RAPID3(np.asarray(img.convert("RGB")))
    if out.txts is None:
        return []
    return [(text, min(float(p[1]) for p in box), float(score))
            for box, text, score in zip(out.boxes, out.txts, out.scores)]


ENGINES = {"tesseract": (tesseract_version, run_tesseract), "rapidocr": (rapidocr_version, run_rapidocr),
           "rapidocr3": (rapidocr3_version, run_rapidocr3)}


def synthetic_pages(width: int, height: int, dpi: int) -> dict[str, "Image"]:
    """Pages that must yield no text: a seal with its circular inscription, a photo, and
    a blank scan, all speckled like the fixture's scans."""
    import math
    import random
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font_file = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    rng = random.Random(7)

    def speckle(img):
        px = img.load()
        for _ in range(int(width * height * 0.02)):
            px[rng.randrange(width), rng.randrange(height)] = rng.choice((40, 90, 160, 200))
        return img.filter(ImageFilter.GaussianBlur(0.4))

    k = dpi / 300
    seal = Image.new("RGB", (width, height), (250, 250, 250))
    d = ImageDraw.Draw(seal)
    cx, cy, r, red = width // 2, height // 2, int(480 * k), (210, 30, 30)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=int(22 * k))
    d.polygon([(cx + (150 if i % 2 == 0 else 60) * k * math.cos(-math.pi / 2 + i * math.pi / 5),
                cy + (150 if i % 2 == 0 else 60) * k * math.sin(-math.pi / 2 + i * math.pi / 5))
               for i in range(10)], fill=red)
    font = ImageFont.truetype(font_file, int(110 * k))
    inscription = "杭州市人民政府办公厅"
    for i, ch in enumerate(inscription):
        a = math.radians(-160 + i * 140 / (len(inscription) - 1))
        tile = Image.new("RGBA", (int(130 * k), int(130 * k)), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((10 * k, 5 * k), ch, font=font, fill=red)
        tile = tile.rotate(-math.degrees(a) - 90, expand=True)
        seal.paste(tile, (int(cx + (r - 120 * k) * math.cos(a) - tile.size[0] / 2),
                          int(cy + (r - 120 * k) * math.sin(a) - tile.size[1] / 2)), tile)
    noise = np.random.default_rng(7).random((height // 40, width // 40))
    photo = Image.fromarray((noise * 255).astype("uint8")).resize((width, height), Image.BICUBIC)
    photo = photo.filter(ImageFilter.GaussianBlur(8))
    d = ImageDraw.Draw(photo)
    for _ in range(30):
        x, y, size = rng.randrange(width), rng.randrange(height), rng.randrange(50, 400)
        d.ellipse((x, y, x + size, y + size * 0.7), fill=rng.randrange(0, 255))
    return {"seal": speckle(seal.convert("L")), "photo": speckle(photo),
            "blank": speckle(Image.new("L", (width, height), 250))}


CONTENT = __import__("regex").compile(r"[\p{Han}\d]")


def is_real(ocr_line: str, reference: list) -> bool:
    """An OCR line that reads (mostly) like one of the page's reference lines."""
    import difflib
    text = squash(ocr_line)
    return bool(text) and max(difflib.SequenceMatcher(None, text, squash(l.text), autojunk=False).ratio()
                              for l in reference) >= 0.8


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pdf", type=Path, default=FIXTURE)
    ap.add_argument("--seed", type=Path, default=SEED)
    ap.add_argument("--pages", default="34-38", help="PDF pages with seed text to score")
    ap.add_argument("--blank-pages", default="45-49", help="PDF pages with only a page number")
    ap.add_argument("--engines", default="tesseract,rapidocr,rapidocr3")
    ap.add_argument("--prep", default="none,median3", help="image clean-up variants: none, median3, median5")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--max-side", type=int, default=2000, help="rapidocr3: Global.max_side_len")
    ap.add_argument("--no-garbage", action="store_true", help="skip the synthetic seal/photo/blank pages")
    ap.add_argument("--show", action="store_true", help="print each page's OCR text")
    args = ap.parse_args()
    global MAX_SIDE
    MAX_SIDE = args.max_side

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
    garbage_pages = {} if args.no_garbage else synthetic_pages(*images[pages[0]].size, args.dpi)

    rows = []
    for name in args.engines.split(","):
        version_of, run = ENGINES[name]
        version = version_of()
        if version is None:
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        if name.startswith("rapidocr"):   # model loading is once per process: not per page
            run(images[pages[0]].crop((0, 0, 64, 64)))
        for prep in args.prep.split(","):
            accs, cleaned, secs, footers, confs, garbage = [], [], [], 0, [], 0
            garbage_conf, garbage_chars = 0.0, {}
            for n in pages + blanks:
                img = prepare(images[n], prep)
                t = time.perf_counter()
                lines = run(img)
                secs.append(time.perf_counter() - t)
                body = [l for l in lines if l[1] < FOOTER_BAND * height[n]]
                foot = [l for l in lines if l[1] >= FOOTER_BAND * height[n]]
                src = seed[int(labels[n - 1])]
                printed = [page_number_of(clean_ocr_text(l[0])) for l in foot]
                footers += src.printed_page in printed
                confs += [l[2] for l in foot if page_number_of(clean_ocr_text(l[0])) == src.printed_page]
                if src.printed_page not in printed:
                    print(f"{name} {prep} page {n}: footer {[l[0] for l in foot]!r}", file=sys.stderr)
                if n in blanks:
                    garbage += sum(len(squash(l[0])) for l in body)
                    continue
                text = "\n".join(l[0] for l in body)
                reference = "\n".join(l.text for l in src.lines)
                accs.append(accuracy(text, reference))
                cleaned.append(accuracy("\n".join(clean_ocr_text(l[0]) for l in body), reference))
                confs += [l[2] for l in body if is_real(l[0], src.lines)]
                if args.show:
                    print(f"--- {name} {prep} page {n} ({accs[-1]:.4f})\n{text}\n", file=sys.stderr)
            for kind, page_img in garbage_pages.items():
                found = [l for l in run(prepare(page_img, prep)) if CONTENT.search(clean_ocr_text(l[0]))]
                garbage_conf = max([garbage_conf] + [l[2] for l in found])
                garbage_chars[kind] = sum(len(squash(l[0])) for l in found)
                if found:
                    print(f"{name} {prep} {kind}: {[(l[0], round(l[2], 3)) for l in found]}", file=sys.stderr)
            rows.append({
                "engine": version, "prep": prep,
                "accuracy": sum(accs) / len(accs), "cleaned": sum(cleaned) / len(cleaned),
                "worst_page": min(accs),
                "s_per_page": sum(secs) / len(secs),
                "footer_read": f"{footers}/{len(pages) + len(blanks)}",
                "blank_garbage_chars": garbage,
                "min_conf": min(confs or [0]),
                "garbage_conf": garbage_conf,
                "garbage": ", ".join(f"{k} {v}" for k, v in garbage_chars.items()),
            })
    print(f"{args.pdf.name}: PDF pages {args.pages} scored, {args.blank_pages} blank; "
          f"rendered at {args.dpi} dpi; one thread per engine")
    print("| engine | prep | char accuracy | after clean_ocr_text | worst page | s/page | footer read "
          "| chars on blank pages | lowest conf, real lines | highest conf, seal/photo/blank | chars on seal, photo, blank |")
    print("| --- " * 11 + "|")
    for r in rows:
        print(f"| {r['engine']} | {r['prep']} | {r['accuracy']:.2%} | {r['cleaned']:.2%} | {r['worst_page']:.2%} | "
              f"{r['s_per_page']:.2f} | {r['footer_read']} | {r['blank_garbage_chars']} | {r['min_conf']:.3f} | "
              f"{r['garbage_conf']:.3f} | {r['garbage'] or '-'} |")


if __name__ == "__main__":
    main()
