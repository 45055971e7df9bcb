"""OCR benchmark: seconds a page and peak memory on scans at 200, 300 and 400 dpi A4,
colour and grey, with a seal and skew; where the time goes; and a cold build of the sample.

    .venv/bin/python bench/ocr.py                  # all resolutions, both colour modes
    .venv/bin/python bench/ocr.py --dpi 300 --grey-only --no-build

The scans are made from the seed (bench/ocr_scans.py: the project's typesetter, noise,
0.6° skew, JPEG; the colour ones with a red seal over the last text page), so the seed's
lines are the answer key. Each configuration runs in a fresh process (the peak resident
memory is that process's, as an OCR worker's is) with an empty cache: model load, then
every page, timed by stage (render, detect, classify, recognise); the peak after the
first page and after all shows whether memory stays flat. "number" is a page
holding only its page number, "seal" one holding only a seal and its page number.
The machine is shared: wall seconds are noisy, CPU seconds less so; run it twice.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tools"))

TEXT_PAGES = [384, 386]       # seed pages (第N页) of document 31: body text, a table-like list
NUMBER_PAGE = 395             # a page whose scan holds only "— 390 —"


def _squash(text: str) -> str:
    from pipeline.text import normalize
    return "".join(normalize(text).split())


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries
    ru_maxrss over exec, so a child would report the benchmark parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(pdf: Path, kinds: list[str]) -> dict:
    """In a fresh process: load the engine, OCR every page; times, accuracy, peak RSS."""
    from rapidfuzz.distance import Levenshtein

    from ocr_scans import seed_pages
    from pipeline.ocr import engine, read

    seed = seed_pages()
    start = time.perf_counter()
    engine.load_engine()
    out = {"load_s": time.perf_counter() - start, "pages": []}
    for index, kind in enumerate(kinds):
        timings: dict = {}
        wall, cpu = time.perf_counter(), time.process_time()
        lines, _, _ = read.ocr_page(pdf, index, timings)
        row = {"kind": kind.split(":")[0], "wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
               **{k: round(v, 3) for k, v in timings.items()}, "lines": [l.text for l in lines]}
        if kind.startswith("text:"):
            page = seed[int(kind[5:])]
            body = _squash("".join(l.text for l in lines if l.top < 0.92 * 841.89))
            ref = _squash("".join(l.text for l in page.lines))
            row["errors"], row["chars"] = Levenshtein.distance(body, ref), len(ref)
            row["footer_ok"] = f"— {page.printed_page} —" in [l.text for l in lines]
        else:
            want = f"— {kind.split(':')[1]} —" if kind.startswith("number") else None
            row["footer_ok"] = want is None or [l.text for l in lines] == [want]
        row["peak_mb"] = peak_mb()
        out["pages"].append(row)
    out["peak_mb"] = peak_mb()
    return out


def configuration(dpi: int, colour: bool, folder: Path) -> dict:
    from ocr_scans import make_scans

    pdf = folder / f"scan-{dpi}-{'colour' if colour else 'grey'}.pdf"
    kinds = make_scans(pdf, TEXT_PAGES, dpi, colour, number_only=[NUMBER_PAGE], seal_only=True)
    env = dict(os.environ, POLICY_PIPELINE_CACHE=str(folder / f"cache-{pdf.stem}"), PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, __file__, "--child", str(pdf), json.dumps(kinds)],
                          env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def cold_build(source: Path, folder: Path) -> dict:
    """Wall and CPU seconds, and the largest process's peak MB, of `pipeline build` with an
    empty OCR cache, measured by a fresh helper process (its children are only the build's)."""
    env = dict(os.environ, POLICY_PIPELINE_CACHE=str(folder / "cache-build"), PYTHONPATH=str(ROOT))
    helper = ("import json, resource, subprocess, sys, time\n"
              "t = time.perf_counter()\n"
              "subprocess.run(sys.argv[1:], check=True)\n"
              "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
              "print(json.dumps({'wall_s': time.perf_counter() - t, 'cpu_s': r.ru_utime + r.ru_stime,"
              " 'peak_mb': r.ru_maxrss / 1024}))")
    proc = subprocess.run([sys.executable, "-c", helper, sys.executable, "-m", "pipeline", "build", str(source),
                           "--out", str(folder / "out"), "-q"], env=env, check=True, cwd=ROOT,
                          capture_output=True, text=True)
    return json.loads(proc.stdout)


def report(name: str, result: dict) -> None:
    pages = result["pages"]
    text = [p for p in pages if p["kind"] == "text"]
    errors, chars = sum(p["errors"] for p in text), sum(p["chars"] for p in text)
    per_page = sum(p["wall_s"] for p in text) / len(text)
    cpu = sum(p["cpu_s"] for p in text) / len(text)
    stages = {k: sum(p.get(k, 0) for p in text) / len(text) for k in ("render", "detect", "classify", "recognise")}
    small = {p["kind"]: p["wall_s"] for p in pages if p["kind"] != "text"}
    ok = all(p["footer_ok"] for p in pages)
    print(f"| {name} | {per_page:.2f} | {cpu:.2f} | " + " | ".join(f"{stages[k]:.2f}" for k in stages)
          + f" | {small.get('number', 0):.2f} | {small.get('seal', 0):.2f} | {result['load_s']:.2f} | "
            f"{pages[0]['peak_mb']:.0f} → {result['peak_mb']:.0f} | {100 * (1 - errors / max(1, chars)):.2f} % | {'yes' if ok else 'NO'} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dpi", default="200,300,400")
    ap.add_argument("--grey-only", action="store_true")
    ap.add_argument("--no-build", action="store_true", help="skip the cold build of raw/2023.pdf")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(Path(args.child[0]), json.loads(args.child[1]))))
        return
    import typeset as ts
    ts.pdfmetrics.registerFont(ts.TTFont(ts.FONT, ts.FONT_FILE, subfontIndex=0))
    print(f"OCR, one process, one thread, cold cache; text pages = seed {TEXT_PAGES}; load {os.getloadavg()[0]:.1f}")
    print("| scan | s/page | CPU s/page | render | detect | classify | recognise | number-only page s | seal page s "
          "| model load s | peak MB after page 1 → all | chars right | footers |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for dpi in (int(d) for d in args.dpi.split(",")):
            for colour in ((False,) if args.grey_only else (False, True)):
                report(f"{dpi} dpi {'colour' if colour else 'grey'}", configuration(dpi, colour, folder))
        if not args.no_build:
            build = cold_build(ROOT / "raw/2023.pdf", folder)
            print(f"\ncold build of raw/2023.pdf (empty OCR cache): {build['wall_s']:.1f} s wall, "
                  f"{build['cpu_s']:.1f} s CPU in all processes, largest process {build['peak_mb']:.0f} MB; "
                  f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
