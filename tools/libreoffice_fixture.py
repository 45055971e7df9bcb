#!/usr/bin/env python3
"""Build a PDF fixture from scraped flipbook text with LibreOffice (a second PDF producer).

Usage:
    python tools/libreoffice_fixture.py raw/2023-flipbook.txt 383-386 OUT.pdf

Input format (raw/*-flipbook.txt):
    第N页          marks the start of PDF page N
    378            next non-blank line: the printed page number
    ...            one line per physical PDF line (blank lines are scrape artefacts)

The script writes a Flat ODT (OUT stem + ".fodt", next to OUT.pdf) with
  * A4 pages, body text "WenQuanYi Zen Hei" 12pt, one paragraph per physical
    source line, left-aligned, page width/margins chosen so no line wraps;
  * an explicit page break before the first line of each new source page, so
    PDF page k holds exactly source page k's lines;
  * ASCII ( ) , : ; next to CJK characters converted to full width
    (（ ） ， ： ；), digits and existing spaces kept;
  * a running header "杭州市级产业政策汇编" (left) + printed page number (right,
    via a right tab stop and <text:page-number/>), the first paragraph carrying
    the page-number offset (style:page-number); no footer;
  * document title lines ("31.杭州市人民政府办公厅关于…" + continuation) 16pt bold,
    the "…文件" letterhead line red 20pt;
and converts it with `soffice --headless --convert-to pdf` using a throw-away
user profile.  Standard library only.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

FONT = "WenQuanYi Zen Hei"
HEADER_TITLE = "杭州市级产业政策汇编"

# Page geometry (A4).  Text width 160mm = 453pt = 37.8 em at 12pt, leaving
# ample room for the longest source line (~33 CJK characters).
PAGE_W_MM, PAGE_H_MM = 210, 297
MARGIN_LR_MM = 25
MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 20, 25
TEXT_W_MM = PAGE_W_MM - 2 * MARGIN_LR_MM

PAGE_MARK = re.compile(r"^第(\d+)页$")


@dataclass
class SourcePage:
    pdf_page: int
    printed: str
    lines: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- parsing

def parse_flipbook(path: str) -> dict[int, SourcePage]:
    pages: dict[int, SourcePage] = {}
    cur: SourcePage | None = None
    need_printed = False
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\r\n")
            stripped = line.strip()
            if not stripped:
                continue  # blank lines are scrape artefacts
            m = PAGE_MARK.match(stripped)
            if m:
                cur = SourcePage(int(m.group(1)), "")
                pages[cur.pdf_page] = cur
                need_printed = True
                continue
            if cur is None:
                continue  # preamble before the first page marker
            if need_printed:
                cur.printed = stripped
                need_printed = False
                continue
            cur.lines.append(stripped)
    return pages


def parse_range(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


# ---------------------------------------------------------- punctuation

def is_cjk(ch: str) -> bool:
    """CJK ideographs, CJK punctuation, full-width forms, Roman numerals etc."""
    if not ch:
        return False
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF        # radicals, CJK symbols & punct, kana, ideographs
        or 0xF900 <= o <= 0xFAFF     # compatibility ideographs
        or 0xFE30 <= o <= 0xFE4F     # CJK compatibility forms
        or 0xFF00 <= o <= 0xFFEF     # half/full-width forms
        or 0x2160 <= o <= 0x217F     # Roman numerals Ⅰ Ⅱ Ⅲ (used as CJK text)
        or 0x2018 <= o <= 0x201F     # curly quotes “ ” ‘ ’ (full width in CJK fonts)
        or 0x20000 <= o <= 0x2FFFF
    )


FULLWIDTH = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"}


def to_fullwidth(line: str) -> str:
    """Convert ASCII ( ) , : ; that stand next to a CJK character to full width.

    Parentheses are handled as pairs: if either bracket of a matched pair is
    next to CJK text, both become full width ("(DRGs)" at a line end -> "（DRGs）").
    Unmatched brackets (a pair split across lines) are judged on their own.
    """
    chars = list(line)
    n = len(chars)

    def near_cjk(i: int) -> bool:
        return (i > 0 and is_cjk(chars[i - 1])) or (i + 1 < n and is_cjk(chars[i + 1]))

    convert = [False] * n
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, c in enumerate(chars):
        if c == "(":
            stack.append(i)
        elif c == ")":
            if stack:
                pairs.append((stack.pop(), i))
            else:
                convert[i] = near_cjk(i)
        elif c in ",:;":
            convert[i] = near_cjk(i)
    for i in stack:  # unmatched "("
        convert[i] = near_cjk(i)
    for a, b in pairs:
        both = near_cjk(a) or near_cjk(b)
        convert[a] = convert[b] = both
    return "".join(FULLWIDTH[c] if convert[i] else c for i, c in enumerate(chars))


# ---------------------------------------------------------- classification

TITLE_START = re.compile(r"^\d+\.\s*[\u4e00-\u9fff]")
TITLE_END = re.compile(
    r"(意见|通知|办法|规定|方案|细则|措施|决定|条例|规划|计划|政策|批复|公告|通告|函|指引|指南|纲要|要点|清单|目录)$"
)
LETTERHEAD = re.compile(r"^[\u4e00-\u9fff]{2,20}文件$")


def classify(lines: list[str]) -> list[str]:
    """Return a role per line: 'letterhead', 'title' or 'body'."""
    roles = ["body"] * len(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if LETTERHEAD.match(line):
            roles[i] = "letterhead"
        elif TITLE_START.match(line):
            roles[i] = "title"
            j = i
            # continuation lines until the title reads complete (max 3 more)
            while (not TITLE_END.search(lines[j]) and j + 1 < len(lines)
                   and j - i < 3 and not lines[j + 1].endswith((":", "："))
                   and not TITLE_START.match(lines[j + 1])):
                j += 1
                roles[j] = "title"
            i = j
        i += 1
    return roles


# ---------------------------------------------------------------- FODT

def odf_text(s: str) -> str:
    """Escape text for ODF, preserving runs of spaces with <text:s/>."""
    def spaces(m: re.Match) -> str:
        n = len(m.group(0))
        return " " if n == 1 else f' <text:s text:c="{n - 1}"/>'
    text = re.sub(r" +", spaces, escape(s))
    # leading / trailing spaces would be collapsed by ODF whitespace rules
    if text.startswith(" "):
        text = "<text:s/>" + text[1:]
    if text.endswith(" "):
        text = text[:-1] + "<text:s/>"
    return text


FONT_PROPS = (
    f'style:font-name="{FONT}" style:font-name-asian="{FONT}" '
    f'style:font-name-complex="{FONT}"'
)


def size_props(pt: float) -> str:
    return (f'fo:font-size="{pt}pt" style:font-size-asian="{pt}pt" '
            f'style:font-size-complex="{pt}pt"')


BOLD = 'fo:font-weight="bold" style:font-weight-asian="bold" style:font-weight-complex="bold"'


def build_fodt(pages: list[SourcePage]) -> str:
    paras: list[str] = []
    auto_styles: dict[str, str] = {}

    def auto_style(role: str, brk: str) -> str:
        """brk: '' | 'first:<n>' (master page + page-number offset) | 'page'."""
        parent = {"body": "Body", "title": "DocTitle", "letterhead": "Letterhead"}[role]
        if not brk:
            return parent
        name = f"P_{role}_{brk.replace(':', '_')}"
        if name not in auto_styles:
            if brk == "page":
                props = '<style:paragraph-properties fo:break-before="page"/>'
                attrs = ""
            else:
                num = brk.split(":", 1)[1]
                props = f'<style:paragraph-properties style:page-number="{num}"/>'
                attrs = ' style:master-page-name="Standard"'
            auto_styles[name] = (
                f'<style:style style:name="{name}" style:family="paragraph" '
                f'style:parent-style-name="{parent}"{attrs}>{props}</style:style>'
            )
        return name

    prev_printed: int | None = None
    for k, page in enumerate(pages):
        roles = classify(page.lines)
        printed_int = int(page.printed) if page.printed.isdigit() else None
        for li, (line, role) in enumerate(zip(page.lines, roles)):
            brk = ""
            if li == 0:
                consecutive = (prev_printed is not None and printed_int is not None
                               and printed_int == prev_printed + 1)
                if k == 0 or (not consecutive and printed_int is not None):
                    # page style + page-number offset (also starts a new page)
                    brk = f"first:{printed_int if printed_int is not None else 1}"
                else:
                    brk = "page"
            text = to_fullwidth(line)
            paras.append(
                f'<text:p text:style-name="{auto_style(role, brk)}">{odf_text(text)}</text:p>'
            )
        if not page.lines:  # keep an empty page in place
            paras.append(f'<text:p text:style-name="{auto_style("body", "page" if k else "first:" + page.printed)}"/>')
        prev_printed = printed_int if printed_int is not None else (
            prev_printed + 1 if prev_printed is not None else None)

    lang = ('fo:language="zh" fo:country="CN" style:language-asian="zh" '
            'style:country-asian="CN"')
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:meta>
  <dc:title>{escape(HEADER_TITLE)}</dc:title>
  <meta:generator>tools/libreoffice_fixture.py</meta:generator>
 </office:meta>
 <office:font-face-decls>
  <style:font-face style:name="{FONT}" svg:font-family="&apos;{FONT}&apos;" style:font-pitch="variable"/>
 </office:font-face-decls>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:paragraph-properties fo:text-align="start" style:punctuation-wrap="simple"
     style:line-break="strict" style:text-autospace="none" style:writing-mode="lr-tb"/>
   <style:text-properties {FONT_PROPS} {size_props(12)} {lang} fo:hyphenate="false"/>
  </style:default-style>
  <style:style style:name="Standard" style:family="paragraph" style:class="text">
   <style:paragraph-properties fo:text-align="start" fo:margin-top="0mm" fo:margin-bottom="0mm"/>
   <style:text-properties {FONT_PROPS} {size_props(12)}/>
  </style:style>
  <style:style style:name="Body" style:family="paragraph" style:parent-style-name="Standard" style:class="text">
   <style:paragraph-properties fo:text-align="start" fo:margin-left="0mm" fo:margin-right="0mm"
     fo:text-indent="0mm" fo:margin-top="0mm" fo:margin-bottom="0mm" fo:line-height="150%"/>
  </style:style>
  <style:style style:name="DocTitle" style:family="paragraph" style:parent-style-name="Body" style:class="text">
   <style:paragraph-properties fo:text-align="start" fo:keep-with-next="always"/>
   <style:text-properties {size_props(16)} {BOLD}/>
  </style:style>
  <style:style style:name="Letterhead" style:family="paragraph" style:parent-style-name="Body" style:class="text">
   <style:paragraph-properties fo:text-align="start"/>
   <style:text-properties {size_props(20)} fo:color="#e00000"/>
  </style:style>
  <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
   <style:paragraph-properties fo:text-align="start" fo:padding-bottom="1mm"
     fo:border-bottom="0.5pt solid #000000">
    <style:tab-stops>
     <style:tab-stop style:position="{TEXT_W_MM}mm" style:type="right"/>
    </style:tab-stops>
   </style:paragraph-properties>
   <style:text-properties {size_props(10.5)}/>
  </style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1">
   <style:page-layout-properties fo:page-width="{PAGE_W_MM}mm" fo:page-height="{PAGE_H_MM}mm"
     style:print-orientation="portrait" fo:margin-top="{MARGIN_TOP_MM}mm"
     fo:margin-bottom="{MARGIN_BOTTOM_MM}mm" fo:margin-left="{MARGIN_LR_MM}mm"
     fo:margin-right="{MARGIN_LR_MM}mm" style:writing-mode="lr-tb"/>
   <style:header-style>
    <style:header-footer-properties fo:min-height="0mm" fo:margin-bottom="6mm"/>
   </style:header-style>
   <style:footer-style/>
  </style:page-layout>
  {"".join(auto_styles.values())}
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
   <style:header>
    <text:p text:style-name="Header">{escape(HEADER_TITLE)}<text:tab/><text:page-number text:select-page="current"/></text:p>
   </style:header>
  </style:master-page>
 </office:master-styles>
 <office:body>
  <office:text>
{chr(10).join("   " + p for p in paras)}
  </office:text>
 </office:body>
</office:document>
'''


# ------------------------------------------------------------ conversion

def convert(fodt_path: str, out_pdf: str) -> None:
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    with tempfile.TemporaryDirectory(prefix="lo_fixture_") as tmp:
        profile = os.path.join(tmp, "profile")
        outdir = os.path.join(tmp, "out")
        os.makedirs(outdir)
        cmd = [
            soffice, f"-env:UserInstallation=file://{profile}",
            "--headless", "--norestore", "--nolockcheck",
            "--convert-to", "pdf", "--outdir", outdir, fodt_path,
        ]
        env = dict(os.environ, HOME=tmp)  # keep LibreOffice out of the real home dir
        res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        produced = os.path.join(outdir, os.path.splitext(os.path.basename(fodt_path))[0] + ".pdf")
        if res.returncode != 0 or not os.path.exists(produced):
            sys.stderr.write(res.stdout + res.stderr)
            raise SystemExit(f"soffice conversion failed (rc={res.returncode})")
        os.makedirs(os.path.dirname(os.path.abspath(out_pdf)), exist_ok=True)
        shutil.move(produced, out_pdf)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("source", help="flipbook text, e.g. raw/2023-flipbook.txt")
    ap.add_argument("pages", help="PDF page range of the source, e.g. 383-386")
    ap.add_argument("out_pdf", help="output PDF path")
    ap.add_argument("--fodt", help="where to keep the .fodt (default: OUT with .fodt suffix)")
    args = ap.parse_args(argv)

    all_pages = parse_flipbook(args.source)
    wanted = parse_range(args.pages)
    missing = [n for n in wanted if n not in all_pages]
    if missing:
        raise SystemExit(f"pages not found in {args.source}: {missing}")
    pages = [all_pages[n] for n in wanted]

    fodt_path = args.fodt or os.path.splitext(args.out_pdf)[0] + ".fodt"
    os.makedirs(os.path.dirname(os.path.abspath(fodt_path)), exist_ok=True)
    with open(fodt_path, "w", encoding="utf-8") as fh:
        fh.write(build_fodt(pages))
    convert(fodt_path, args.out_pdf)
    print(f"wrote {fodt_path}\nwrote {args.out_pdf} ({len(pages)} pages, "
          f"printed {pages[0].printed}-{pages[-1].printed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
