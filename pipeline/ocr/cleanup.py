"""OCR text into the form the text layer has: the shapes OCR gets wrong that matter.

Pure functions: one engine line in, one clean line out (`clean_ocr_text`); engine boxes
in pixels in, physical `Line`s in points out (`ocr_lines`).
"""
from __future__ import annotations

import statistics

import regex

from ..sources import Line
from ..text import is_cjk, normalize

# Lines the engine is less sure of than this are dropped. Measured (bench/ocr_compare.py):
# real text lines on the noisy fixture score 0.79 and up (page-number footers are the
# lowest), what it reads into a seal's inscription 0.32, a photo or a blank scan nothing.
MIN_CONFIDENCE = 0.6
# OCR boxes are about 1.15 times the font size high (line box with padding).
BOX_TO_FONT = 1 / 1.15
# Two boxes whose vertical centres differ by less than this share of the box height
# are one physical line (a title or date split at a wide gap).
SAME_LINE = 0.5

_CONTENT = regex.compile(r"[\p{Han}\d]")
_DASHES = "-—–―‐‑−~_一"
# A page number between dashes, as OCR reads "— 404 —": "-404-", "-379一", "379—", and
# with a speck of dust read as a full stop or comma at either end ("-404-.", ".-404-").
_FRAMED_NUMBER = regex.compile(rf"""
    ^[.·,。]?\s*(?P<l>[{_DASHES}]*)\s*
    (?P<n>\d(?:[\d.·,]?\d){{0,3}})
    \s*(?P<r>[{_DASHES}]*)\s*[.·,。]?$""", regex.VERBOSE)
# A 文号's year brackets 〔2025〕 read as (2025), [2025], 【2025】 or a mix: only when a
# number and 号 follow, so "(2025)" in running text stays as printed.
#   杭政办函(2025)12号 -> 杭政办函〔2025〕12号      浙发改产业[2024] 3 号 -> 浙发改产业〔2024〕3 号
_DOC_NUMBER_YEAR = regex.compile(r"""
    (?<=\p{Han})                       # the issuer's abbreviation ends right before
    \s*[(\[【〔(（［]\s*
    (?P<year>(?:19|20)\d{2})
    \s*[)\]】〕)）］]\s*
    (?=\d{1,4}\s*号)""", regex.VERBOSE)
# A run of digits with letters OCR confuses with them: O/o for 0, l/I for 1.
_NUMBERISH = regex.compile(r"(?<![A-Za-z])[\dOolI](?:[\dOolI.,]*[\dOolI])?(?![A-Za-z])")
_PUNCT = r"\p{P}\p{S}"
_CJK_CHAR = r"\p{Han}、。“”‘’《》〔〕【】「」『』…—·"
_ROMAN = regex.compile(r"[ⅡⅢⅣⅤⅥⅦⅧⅨⅩ]")


def clean_ocr_text(line: str) -> str:
    """One OCR line in the form the text layer has.

    Full-width forms map to half-width (pipeline.text.normalize); spaces the engine
    puts between CJK characters, or next to punctuation, go; one space between an
    Arabic digit or Latin letter and a CJK character stays when the engine gives one
    ("600 万元", as the text layer has it). Inside numbers, O/o read for 0 and l/I/|
    for 1 are fixed ("2O21" -> "2021"); a full stop after a CJK character is "。",
    straight double quotes in CJK text become “ and ”, a pipe or I next to Ⅱ/Ⅲ is Ⅰ;
    a page number whose dashes came out as 一, _ or a lost dash, or with a speck
    read as a dot ("-379一", "379—", "-404-.") is "— 379 —" again; a 文号 whose year
    brackets came out as () [] 【】 has 〔〕 again.
    """
    text = normalize(line)
    if not text:
        return ""
    framed = _FRAMED_NUMBER.match(text)
    if framed and (framed["l"] or framed["r"]):
        return f"— {regex.sub(r'[.·,]', '', framed['n'])} —"
    text = _NUMBERISH.sub(_fix_number, text)
    text = _DOC_NUMBER_YEAR.sub(r"〔\g<year>〕", text)
    if _ROMAN.search(text):   # "Ⅰ期、Ⅱ期": the pipe or I read for Ⅰ next to its siblings
        text = regex.sub(r"(?<![A-Za-z\d])[|I](?=\p{Han})", "Ⅰ", text)
    text = regex.sub(rf"(?<=[{_CJK_CHAR}])\.(?=$|[\p{{Han}}“”])", "。", text)
    text = _quotes(text)
    # Spaces: keep one only between word characters where at least one side is a
    # digit or Latin letter (and not both CJK).
    text = regex.sub(rf"(?<=[{_CJK_CHAR}]) +(?=[{_CJK_CHAR}])", "", text)
    text = regex.sub(rf"(?<=[{_PUNCT}]) +(?=[{_CJK_CHAR}])|(?<=[{_CJK_CHAR}]) +(?=[{_PUNCT}])", "", text)
    text = regex.sub(r"(?<=[(\[“‘《]) +| +(?=[)\],.;:!?%、。，”’》])", "", text)
    return text.strip()


def _fix_number(match: regex.Match) -> str:
    """O/o in a number is 0. l/I is 1 inside a number, or at its end when CJK text is
    next to that end ("第l0条"): elsewhere it may be a table rule or a Latin letter."""
    run = match.group()
    if len(run) < 2 or run.isdigit() or not any(c.isdigit() for c in run):
        return run
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    out = []
    for i, ch in enumerate(run):
        if ch in "Oo":
            ch = "0"
        elif ch in "lI" and (0 < i < len(run) - 1 or (i == 0 and is_cjk(before))
                             or (i == len(run) - 1 and is_cjk(after))):
            ch = "1"
        out.append(ch)
    return "".join(out)


def _quotes(text: str) -> str:
    if '"' not in text or not regex.search(r"\p{Han}", text):
        return text
    out, open_ = [], False
    for ch in text:
        if ch == "“":
            open_ = True
        elif ch == "”":
            open_ = False
        elif ch == '"':
            ch = "”" if open_ else "“"
            open_ = not open_
        out.append(ch)
    return "".join(out)


def ocr_lines(raw: list[dict], scale: float, left: float = 0.0, top: float = 0.0) -> tuple[list[Line], float | None]:
    """Engine boxes (pixels) -> cleaned physical lines (points) and mean confidence.

    `scale` is points per pixel; (`left`, `top`) the image's offset on the page in
    points (a region of a mixed page). The confidence is the mean of the kept boxes'
    scores weighted by their length (None when none is kept).
    """
    boxes = []
    for item in raw:
        if item["score"] < MIN_CONFIDENCE:
            continue
        xs = [p[0] * scale + left for p in item["box"]]
        ys = [p[1] * scale + top for p in item["box"]]
        boxes.append((min(ys), max(ys), min(xs), max(xs), item["text"], item["score"]))
    boxes.sort(key=lambda b: (b[0] + b[1]) / 2)
    rows: list[list[tuple]] = []
    for box in boxes:
        mid, height = (box[0] + box[1]) / 2, box[1] - box[0]
        if rows:
            last = rows[-1][0]
            if abs(mid - (last[0] + last[1]) / 2) <= SAME_LINE * max(height, last[1] - last[0]):
                rows[-1].append(box)
                continue
        rows.append([box])
    lines, weights = [], []
    for row in rows:
        row.sort(key=lambda b: b[2])
        text = clean_ocr_text(" ".join(b[4] for b in row))
        if not _CONTENT.search(text):
            continue      # a stray mark, a rule, a photo's edge: no CJK and no digit
        top_, bottom = min(b[0] for b in row), max(b[1] for b in row)
        lines.append(Line(text=text, top=round(top_, 2), bottom=round(bottom, 2),
                          x0=round(row[0][2], 2), x1=round(max(b[3] for b in row), 2),
                          size=round(statistics.median(b[1] - b[0] for b in row) * BOX_TO_FONT, 1)))
        weights += [(b[5], len(b[4])) for b in row]
    total = sum(n for _, n in weights)
    confidence = round(sum(s * n for s, n in weights) / total, 4) if total else None
    return lines, confidence
