"""Ingest benchmark: how fast and how lean `python -m pipeline build` reads PDFs.

Four ways of reading the same file, each timed in a subprocess of its own:

  pdftotext   `pdftotext -layout FILE -` (poppler, C++): a reference
  pdfium-text one Python process: pypdfium2 `get_textpage().get_text_range()` per page
  bare-loop   one Python process: `for page in pdf.pages: page.extract_text(); page.close()`
  build       the whole `python -m pipeline build FILE --out TMP -q` (every stage, Parquet out)

on raw/2023.pdf (50 pages) and on two 500-page PDFs of the seed repeated 10 times, one
printed by headless Chromium, one typeset by LibreOffice from a Flat ODT (the producer the
issue measured; --producer chromium|libreoffice|reportlab picks, and may be repeated;
cached under .cache/bench/). --copies 100 gives 5,000 pages, to show memory flat
(--methods build,pdfium-text skips the 3-minute bare loop). For each run: wall seconds, pages/s, CPU seconds,
the peak RSS of the largest single process of the run (getrusage(RUSAGE_CHILDREN)
.ru_maxrss in a fresh wrapper process, so worker processes count, each on its own),
and the peak of the whole process tree's summed RSS (sampled from /proc every 20 ms).

Targets: every process under 400 MB; build wall time at most 0.5 x the bare loop's on
the 50-page sample and 0.15 x on the large files; peak RSS flat from 50 to 500 (5,000) pages.

    python bench/ingest.py                 # table
    python bench/ingest.py --json          # JSON on stdout (the table goes to stderr)
    python bench/ingest.py --repeat 1      # one run each (default: best wall time of 3, worst memory)
    python bench/ingest.py --check         # exit 1 when a target is missed

Standard library only (plus the venv's python to run the pipeline and pdfplumber).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "raw" / "2023.pdf"
SEED = ROOT / "raw" / "2023-flipbook.txt"
TYPESET = ROOT / "tools" / "typeset.py"
CACHE = ROOT / ".cache" / "bench"
PYTHON = sys.executable

RSS_LIMIT_MB = 400.0
RATIO_TARGET = 0.5          # the 50-page sample
RATIO_TARGET_LARGE = 0.15   # the large file (500 pages and more)
CHROMIUM_TOOL = ROOT / "tools" / "chromium_fixture.py"
LIBREOFFICE_TOOL = ROOT / "tools" / "libreoffice_fixture.py"
TOOLS = {"chromium": CHROMIUM_TOOL, "libreoffice": LIBREOFFICE_TOOL, "reportlab": TYPESET}
METHODS = ("pdftotext", "pdfium-text", "bare-loop", "build")
PAGE_MARKER = re.compile(r"^第\s*(\d+)\s*页$")

# Runs one command, then reports its wall time and the rusage of everything it started.
WRAPPER = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": proc.returncode, "wall": wall, "cpu": ru.ru_utime + ru.ru_stime,
                  "maxrss_kb": ru.ru_maxrss, "stderr": proc.stderr.decode("utf-8", "replace")[-2000:]}))
"""

PDFIUM_TEXT = r"""
import sys, pypdfium2
pdf = pypdfium2.PdfDocument(sys.argv[1])
for page in pdf:
    text = page.get_textpage()
    text.get_text_range()
    text.close()
    page.close()
pdf.close()
"""

BARE_LOOP = r"""
import sys, pdfplumber
pdf = pdfplumber.open(sys.argv[1])
for page in pdf.pages:
    page.extract_text()
    page.close()
pdf.close()
"""


# ---------------------------------------------------------------- the 500-page input

# A compilation's numbered entry: "29.杭州市人民政府办公厅关于高质量推进". The structure
# stage takes a numbered title only when its number rises (a "29." in a document's own
# list is no title), so copies that restarted at 29 ran into one 4,950-page document.
ENTRY = re.compile(r"^(\d{1,3})([.．](?=\S{0,8}?(?:人民政府|办公厅|委员会|关于)))")


def repeated_seed(copies: int) -> str:
    """The seed's pages `copies` times over, as one longer compilation: 第N页 markers,
    printed page numbers and the entries' numbers renumbered."""
    lines = SEED.read_text("utf-8").splitlines()
    marks = [i for i, line in enumerate(lines) if PAGE_MARKER.match(line.strip())]
    sys.path.insert(0, str(ROOT))
    from pipeline.sources.flipbook import END_MARKERS
    end = next(i for i, line in enumerate(lines) if any(m in line for m in END_MARKERS))
    head, body, tail = lines[:marks[0]], lines[marks[0]:end], lines[end:]
    first = int(PAGE_MARKER.match(lines[marks[0]].strip())[1])
    count = len(marks)
    entries = sum(1 for line in body if ENTRY.match(line.strip()))
    out = list(head)
    for k in range(copies):
        expect_number = False
        for line in body:
            if k and (entry := ENTRY.match(line.strip())):
                line = f"{int(entry[1]) + k * entries}{line.strip()[len(entry[1]):]}"
            mark = PAGE_MARKER.match(line.strip())
            if mark:
                out.append(f"第{int(mark[1]) - first + 1 + k * count}页")
                expect_number = True
                continue
            if expect_number and line.strip():
                expect_number = False
                if line.strip().isdigit():
                    out.append(str(int(line.strip()) + k * count))
                    continue
            out.append(line)
    return "\n".join(out + tail) + "\n"


def big_pdf(copies: int, producer: str = "chromium") -> Path:
    """The seed `copies` times over, printed by Chromium, LibreOffice or reportlab;
    rebuilt only when the seed or the producing tool change."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tool = TOOLS[producer]
    pdf = CACHE / f"2023x{copies}-{producer}.pdf"
    stamp = CACHE / f"2023x{copies}-{producer}.key"
    made = repeated_seed(copies)
    key = hashlib.sha256(made.encode("utf-8") + tool.read_bytes()).hexdigest()
    if pdf.exists() and stamp.exists() and stamp.read_text().strip() == key:
        return pdf
    src = CACHE / f"2023x{copies}-flipbook.txt"
    src.write_text(made, "utf-8")
    print(f"producing {pdf.relative_to(ROOT)} ({copies} copies of the seed, {producer}) ...", file=sys.stderr)
    if producer == "chromium":
        sys.path.insert(0, str(ROOT / "tools"))
        from chromium_fixture import print_pdf
        from pipeline.sources.flipbook import read_flipbook
        pages = read_flipbook(src)       # image-only pages of the seed print blank, with their number
        print_pdf(pages, pdf, chrome=False, timeout=60 + copies * 30)
    elif producer == "libreoffice":
        subprocess.run([PYTHON, str(LIBREOFFICE_TOOL), str(src), f"1-{_page_marks(src)}", str(pdf),
                        "--fodt", str(pdf.with_suffix(".fodt"))], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    else:
        subprocess.run([PYTHON, str(TYPESET), str(src), str(pdf)], check=True, cwd=ROOT)
    stamp.write_text(key)
    return pdf


def _page_marks(flipbook: Path) -> int:
    return sum(1 for line in flipbook.read_text("utf-8").splitlines() if PAGE_MARKER.match(line.strip()))


def page_count(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M)[1])
    code = "import sys, pdfplumber; print(len(pdfplumber.open(sys.argv[1]).pages))"
    return int(subprocess.run([PYTHON, "-c", code, str(pdf)], capture_output=True, text=True, check=True).stdout)


# ---------------------------------------------------------------- measuring

def _tree_rss_kb(root: int) -> int:
    """Summed RSS of root's descendants (not root itself: that is the wrapper)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = set(), {root}
    while frontier:
        children = {pid for pid, ppid in parents.items() if ppid in frontier and pid not in tree}
        tree |= children
        frontier = children
    return sum(rss.get(pid, 0) for pid in tree)


def measure(cmd: list[str]) -> dict:
    """Run cmd under the wrapper; wall, CPU, peak RSS per process and of the tree."""
    wrapper = subprocess.Popen([PYTHON, "-c", WRAPPER, *cmd], stdout=subprocess.PIPE, cwd=ROOT)
    peak_tree = 0
    done = threading.Event()

    def sample():
        nonlocal peak_tree
        while not done.is_set():
            peak_tree = max(peak_tree, _tree_rss_kb(wrapper.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = wrapper.communicate()
    done.set()
    sampler.join()
    result = json.loads(out)
    if result["rc"] != 0:
        raise SystemExit(f"failed ({result['rc']}): {' '.join(cmd)}\n{result['stderr']}")
    return {"wall_s": result["wall"], "cpu_s": result["cpu"], "peak_rss_mb": result["maxrss_kb"] / 1024,
            "peak_tree_rss_mb": peak_tree / 1024}


def methods(pdf: Path, out: Path, workers: int | None) -> dict[str, list[str]]:
    # --no-ocr: the bare loop reads text layers only; OCR's cost is measured on its own
    # (bench/stages.py, seconds per page), and the bench file's scans differ page by page.
    build = [PYTHON, "-m", "pipeline", "build", str(pdf), "--out", str(out), "-q", "--no-ocr"]
    if workers:
        build += ["--workers", str(workers)]
    return {
        "pdftotext": ["pdftotext", "-layout", str(pdf), "-"],
        "pdfium-text": [PYTHON, "-c", PDFIUM_TEXT, str(pdf)],
        "bare-loop": [PYTHON, "-c", BARE_LOOP, str(pdf)],
        "build": build,
    }


def bench(files: list[Path], repeat: int, workers: int | None, names=METHODS) -> list[dict]:
    rows = []
    for pdf in files:
        pages = page_count(pdf)
        for name in names:
            runs = []
            for _ in range(repeat):
                with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
                    cmd = methods(pdf, Path(tmp) / "out", workers)[name]
                    if name == "pdftotext" and not shutil.which("pdftotext"):
                        break
                    runs.append(measure(cmd))
            if not runs:
                continue
            wall = min(r["wall_s"] for r in runs)
            rows.append({
                "file": str(pdf.relative_to(ROOT)), "pages": pages, "method": name, "runs": len(runs),
                "wall_s": round(wall, 3), "pages_per_s": round(pages / wall, 1),
                "cpu_s": round(min(r["cpu_s"] for r in runs), 3),
                "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
                "peak_tree_rss_mb": round(max(r["peak_tree_rss_mb"] for r in runs), 1),
            })
            print(f"  {rows[-1]['file']:<24} {name:<10} {wall:7.2f} s", file=sys.stderr)
    return rows


def summary(rows: list[dict]) -> dict:
    by = {(r["file"], r["method"]): r for r in rows}
    files = list(dict.fromkeys(r["file"] for r in rows))
    ratios = {f: round(by[f, "build"]["wall_s"] / by[f, "bare-loop"]["wall_s"], 2) for f in files
              if (f, "build") in by and (f, "bare-loop") in by}
    cpu_ratios = {f: round(by[f, "build"]["cpu_s"] / by[f, "bare-loop"]["cpu_s"], 2) for f in ratios}
    peaks = {f: by[f, "build"]["peak_rss_mb"] for f in files if (f, "build") in by}
    small = files[0]
    flat = round(max(peaks[f] for f in files[1:] if f in peaks) / peaks[small], 2) if len(peaks) > 1 else None
    targets = {f: RATIO_TARGET if f == small else RATIO_TARGET_LARGE for f in ratios}
    return {
        "build_over_bare_wall": ratios, "build_over_bare_cpu": cpu_ratios, "ratio_targets": targets,
        "ratio_ok": all(r <= targets[f] for f, r in ratios.items()),
        "max_process_rss_mb": max(r["peak_rss_mb"] for r in rows), "rss_limit_mb": RSS_LIMIT_MB,
        "rss_ok": all(r["peak_rss_mb"] < RSS_LIMIT_MB for r in rows),
        "build_peak_rss_mb": peaks, "build_rss_growth_over_sample": flat,
        "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def table(rows: list[dict], summ: dict) -> str:
    head = ["file", "pages", "method", "wall s", "pages/s", "cpu s", "peak RSS/proc MB", "peak RSS tree MB"]
    body = [[r["file"], r["pages"], r["method"], f"{r['wall_s']:.2f}", f"{r['pages_per_s']:.1f}",
             f"{r['cpu_s']:.2f}", f"{r['peak_rss_mb']:.0f}", f"{r['peak_tree_rss_mb']:.0f}"] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    line = lambda cells: "  ".join(str(c).rjust(w) if i in (1, 3, 4, 5, 6, 7) else str(c).ljust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    out = [line(head), line(["-" * w for w in widths])] + [line(b) for b in body]
    out.append("")
    for f, ratio in summ["build_over_bare_wall"].items():
        target = summ["ratio_targets"][f]
        verdict = "ok" if ratio <= target else "MISSED"
        out.append(f"build / bare-loop wall time, {f}: {ratio:.2f} (target <= {target}: {verdict}); "
                   f"CPU time: {summ['build_over_bare_cpu'][f]:.2f}")
    out.append(f"largest process: {summ['max_process_rss_mb']:.0f} MB "
               f"(limit {RSS_LIMIT_MB:.0f} MB: {'ok' if summ['rss_ok'] else 'MISSED'})")
    if summ["build_rss_growth_over_sample"] is not None:
        peaks = ", ".join(f"{f}: {v:.0f} MB" for f, v in summ["build_peak_rss_mb"].items())
        out.append(f"build peak RSS per process: {peaks} "
                   f"(largest file over the sample: x{summ['build_rss_growth_over_sample']:.2f})")
    out.append(f"{summ['cpus']} CPUs, load average {summ['load_average']}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per method and file (best wall time; one run varied by up to 30%% here)")
    ap.add_argument("--copies", type=int, default=10, help="copies of the seed in the large PDF")
    ap.add_argument("--workers", type=int, help="--workers for the build (default: the CLI's)")
    ap.add_argument("--producer", choices=sorted(TOOLS), action="append",
                    help="who makes a large PDF (Chromium print, LibreOffice, or tools/typeset.py); "
                         "repeat for several (default: chromium and libreoffice)")
    ap.add_argument("--methods", default=",".join(METHODS),
                    help=f"comma-separated, of {', '.join(METHODS)} (default: all)")
    ap.add_argument("--small-only", action="store_true", help="only raw/2023.pdf")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)

    producers = args.producer or ["chromium", "libreoffice"]
    files = [SAMPLE] + ([] if args.small_only else [big_pdf(args.copies, p) for p in producers])
    names = [m for m in args.methods.split(",") if m]
    if unknown := set(names) - set(METHODS):
        ap.error(f"unknown method(s): {', '.join(sorted(unknown))}")
    rows = bench(files, max(1, args.repeat), args.workers, names)
    summ = summary(rows)
    text = table(rows, summ)
    if args.json:
        print(text, file=sys.stderr)
        print(json.dumps({"results": rows, "summary": summ}, ensure_ascii=False, indent=2))
    else:
        print(text)
    if args.check and not (summ["ratio_ok"] and summ["rss_ok"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
