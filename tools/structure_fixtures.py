#!/usr/bin/env python3
"""Typeset the structure fixtures (real policy texts, tests/fixtures/structure/*.txt) as PDFs
with two producers other than the sample's: LibreOffice and Chromium (headless print-to-pdf).

Usage:
    python tools/structure_fixtures.py            # every fixture
    python tools/structure_fixtures.py NAME ...   # some (file stems)

Markup of a fixture text, one physical element per line:
    # …                  comment (source URL)
    !redjoint A|B|文件   joint red header: the bodies stacked on the left, 文件 on the right
    !red TEXT            red header line
    !num TEXT            the 文号, centred
    !title TEXT          one line of the title (centred, 22 pt bold): a title of N lines is N lines
    !sub TEXT            a centred line under the title ((试 行))
    !b TEXT              a heading line (bold, indented like body text)
    !left TEXT           a line flush left (附件)
    !addr TEXT           the addressee paragraph (flush left, wraps)
    !sig TEXT            a signature or date line (right-aligned)
    !page                page break
    TEXT                 a body paragraph (indented 2 em, wraps at the text width)

Page: A4, 16 pt Noto Serif/Sans CJK, a text width of 28 characters as GB/T 9704 sets 公文.
Requires `chromium` and `soffice` (apt-get install -y chromium fonts-noto-cjk libreoffice-writer-nogui).
"""
from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures/structure"

PRODUCER = {     # fixture stem -> producer
    "state-council-opinion": "chromium",
    "xiongan-joint-notice": "libreoffice",
    "chengdu-notice-attachment": "libreoffice",
    "yancheng-joint-rules": "libreoffice",
    "compilation-unnumbered": "libreoffice",
    "ctd-outline-guidance": "libreoffice",
}

CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: 'Noto Serif CJK SC', 'Noto Sans CJK SC'; font-size: 16pt; line-height: 1.75; width: 448pt; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.title { text-indent: 0; text-align: center; font-size: 22pt; font-weight: bold; line-height: 1.5; }
p.sub, p.num { text-indent: 0; text-align: center; }
p.num { margin: 0.5em 0 1em 0; }
p.red { text-indent: 0; text-align: center; color: #d00; font-size: 30pt; font-weight: bold; }
p.b { font-weight: bold; }
p.left, p.addr { text-indent: 0; }
p.sig { text-indent: 0; text-align: right; padding-right: 2em; }
table.red { color: #d00; font-size: 24pt; font-weight: bold; margin: 0 auto 0.5em auto; }
td.file { font-size: 36pt; vertical-align: middle; padding-left: 0.3em; }
"""


def to_html(text: str) -> str:
    out, page_break = [], False
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line == "!page":
            page_break = True
            continue
        kind, _, rest = line.partition(" ") if line.startswith("!") else ("", "", line)
        kind = kind.lstrip("!")
        # An inline style: LibreOffice's HTML import reads only one class per element.
        style = ' style="page-break-before: always"' if page_break else ""
        page_break = False
        if kind == "redjoint":
            *bodies, word = rest.split("|")
            rows = "".join(f"<tr><td>{html.escape(b)}</td>"
                           + (f'<td class="file" rowspan="{len(bodies)}">{html.escape(word)}</td>' if i == 0 else "")
                           + "</tr>" for i, b in enumerate(bodies))
            out.append(f'<table class="red"{style}>{rows}</table>')
        else:
            out.append(f'<p class="{kind or "body"}"{style}>{html.escape(rest)}</p>')
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{CSS}</style></head><body>\n" \
           + "\n".join(out) + "\n</body></html>\n"


def typeset(stem: str) -> Path:
    source = FIXTURES / f"{stem}.txt"
    pdf = FIXTURES / f"{stem}.pdf"
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / f"{stem}.html"
        page.write_text(to_html(source.read_text("utf-8")), "utf-8")
        if PRODUCER[stem] == "chromium":
            subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-background-networking", f"--user-data-dir={tmp}/profile",
                            "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                           check=True, capture_output=True, timeout=120)
        else:
            subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                            "--convert-to", "pdf:writer_web_pdf_Export", "--outdir", tmp, str(page)],
                           check=True, capture_output=True, timeout=180)
            shutil.move(Path(tmp) / f"{stem}.pdf", pdf)
    return pdf


def main(argv: list[str]) -> int:
    for stem in argv or list(PRODUCER):
        print(typeset(stem), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
