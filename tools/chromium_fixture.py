"""Print seed pages as a government web page with headless Chromium and Noto Sans CJK SC.

    python tools/chromium_fixture.py raw/2023-flipbook.txt 383-386 \
        tests/fixtures/pdfs/chromium-noto-radicals-web-chrome.pdf

Needs Debian's `chromium` and `fonts-noto-cjk`. One HTML page box per seed page, one
block per physical line (white-space: pre, so Chromium wraps nothing), sizes as
tools/typeset.py sets them, the printed page number as "— 378 —" at the foot, and the
web chrome a browser print carries: 发布时间/来源/字号:[大] [中] [小] above the text,
[打印] [关闭] and 分享到 below it, and Chromium's own header (date, title) and footer
(URL, "1/4") in the page margins.

What makes it a fixture: Chromium (Skia) writes each glyph's ToUnicode from Noto's
cmap read backwards, so 一 comes out as ⼀ (U+2F00), 民 as ⺠ (U+2EA0). pdfminer reads
those code points as written; pdfium swaps them back itself. The script checks that
the written ToUnicode maps to radicals and refuses to write a fixture that does not.
"""
from __future__ import annotations

import argparse
import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pdf_rewrite import read_objects, stream_of  # noqa: E402
from typeset import classify, to_fullwidth  # noqa: E402

from pipeline.sources.flipbook import read_flipbook  # noqa: E402

SIZES = {"title": 18, "red": 24, "code": 11, "box": 13, "box_title": 13, "number": 15, "body": 15}
CHROME_TOP = "发布时间：2021-10-13 来源：杭州市人民政府办公厅 字号：[大] [中] [小]"
CHROME_BOTTOM = ["[打印] [关闭]", "分享到：微信 微博 QQ空间"]
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"]


def page_html(pages, styles, chrome: bool = True) -> str:
    blocks = []
    for k, page in enumerate(pages):
        rows = []
        if k == 0 and chrome:
            rows.append(f'<div class="chrome">{html.escape(CHROME_TOP)}</div>')
        for i, line in enumerate(page.lines):
            style = styles[(page.page, i)]
            align = "center" if style in ("title", "red", "number") else "left"
            color = "#d00" if style == "red" else "#000"
            rows.append(f'<div style="font-size:{SIZES[style]}pt;text-align:{align};color:{color}">'
                        f'{html.escape(to_fullwidth(line.text))}</div>')
        if k == len(pages) - 1 and chrome:
            rows.append('<div class="chrome-bottom">'
                        + "".join(f"<div>{html.escape(t)}</div>" for t in CHROME_BOTTOM) + "</div>")
        rows.append(f'<div class="foot">— {page.printed_page} —</div>')
        blocks.append('<section class="page">' + "\n".join(rows) + "</section>")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>杭州市人民政府办公厅关于加快生物医药产业高质量发展的若干意见</title>
<style>
@page {{ size: A4; margin: 12mm 0; }}
body {{ margin: 0; font-family: "Noto Sans CJK SC"; }}
.page {{ position: relative; height: 272mm; padding: 0 27mm; page-break-after: always;
         overflow: hidden; box-sizing: border-box; }}
.page > div {{ white-space: pre; line-height: 1.62; }}
.chrome {{ font-size: 10pt; color: #666; margin-bottom: 8pt; }}
.chrome-bottom {{ position: absolute; bottom: 18mm; left: 27mm; font-size: 10pt; color: #666; }}
.foot {{ position: absolute; bottom: 6mm; left: 0; right: 0; text-align: center; font-size: 11pt; }}
</style></head><body>
{''.join(blocks)}
</body></html>"""


def print_pdf(pages, out: Path, chrome: bool = True, timeout: float = 180) -> None:
    """Seed pages (RawPages of the flipbook) printed by headless Chromium to `out`."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "policy.html"
        src.write_text(page_html(pages, classify(pages), chrome), encoding="utf-8")
        margins = [] if chrome else ["--no-pdf-header-footer"]
        subprocess.run([*CHROMIUM, *margins, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}",
                        src.as_uri()], check=True, capture_output=True, timeout=timeout)


def radical_targets(pdf: bytes) -> int:
    """How many ToUnicode entries map to Kangxi Radicals / CJK Radicals Supplement."""
    objects, _ = read_objects(pdf)
    refs = {int(n) for body in objects.values() for n in re.findall(rb"/ToUnicode (\d+) 0 R", body)}
    count = 0
    for ref in refs:
        cmap = stream_of(objects[ref]).decode("latin-1")
        count += sum(1 for t in re.findall(r"<[0-9A-Fa-f]+>\s+<([0-9A-Fa-f]{4})>", cmap)
                     if 0x2E80 <= int(t, 16) <= 0x2FDF)
    return count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seed", type=Path)
    ap.add_argument("pages", help="seed page range, e.g. 383-386")
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    first, last = map(int, args.pages.split("-"))
    pages = [p for p in read_flipbook(args.seed) if first <= p.page <= last]
    print_pdf(pages, args.out)
    found = radical_targets(args.out.read_bytes())
    if not found:
        args.out.unlink()
        sys.exit("Chromium wrote no radical code points in ToUnicode; no fixture written")
    print(f"{args.out}: {len(pages)} pages, {found} ToUnicode entries map to radicals", file=sys.stderr)


if __name__ == "__main__":
    main()
