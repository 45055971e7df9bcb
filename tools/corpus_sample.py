"""Make a small corpus of flipbook sources from the two seed exports, to try a corpus build.

    python tools/corpus_sample.py DIR [--sources 20] [--pages 10]

Source k is a window of `--pages` consecutive pages of raw/2023-flipbook.txt (even k)
or tools/samples/2024-flipbook.txt (odd k), starting at a different page each time, so
every source has its own bytes. A window keeps the export's format: a `第N页` line, the
printed page number, the page's lines (pipeline/sources/flipbook.py).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (ROOT / "raw" / "2023-flipbook.txt", ROOT / "tools" / "samples" / "2024-flipbook.txt")
_MARKER = regex.compile(r"^第\s*\d+\s*页$")
_END = "百万用户使用云展网"      # first line of the web junk after the last page


def page_count(text: str) -> int:
    return sum(bool(_MARKER.match(line.strip())) for line in text.splitlines())


def slice_flipbook(text: str, first: int, count: int) -> str:
    """Pages first .. first+count-1 (0-based) of a flipbook export, as a flipbook export."""
    lines = text.splitlines()
    marks = [i for i, line in enumerate(lines) if _MARKER.match(line.strip())]
    if not 0 <= first < first + count <= len(marks):
        raise ValueError(f"pages {first}..{first + count - 1} not in a {len(marks)}-page export")
    end = marks[first + count] if first + count < len(marks) else next(
        (i for i, line in enumerate(lines) if _END in line), len(lines))
    return "\n".join(lines[marks[first]:end]) + "\n"


def make_corpus(folder: Path, sources: int, pages: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    texts = [seed.read_text("utf-8") for seed in SEEDS]
    made = []
    for k in range(sources):
        text = texts[k % len(texts)]
        first = (k * 7) % (page_count(text) - pages + 1)
        path = folder / f"{2000 + k}-p{first + 1}.txt"
        path.write_text(slice_flipbook(text, first, pages), "utf-8")
        made.append(path)
    return made


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--pages", type=int, default=10)
    args = parser.parse_args()
    for path in make_corpus(args.folder, args.sources, args.pages):
        print(path)
