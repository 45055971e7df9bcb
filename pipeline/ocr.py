"""OCR of pages without a usable text layer (scans), with RapidOCR.

The engine was picked by measurement (bench/ocr_compare.py, on the scanned fixture
tests/fixtures/pdfs/scanned-doc31-pages-384-388-200dpi-noise-skew.pdf): RapidOCR 3
(PP-OCRv6 models shipped inside its wheel, so it runs offline) reads 99.87 % of the
characters right after a 3-pixel median filter and every footer page number;
Tesseract 5 (chi_sim) 98.82 % at best, and 3 of 10 page numbers; RapidOCR 1.4
(PP-OCRv4) 99.33 %. RapidOCR 3 is the slowest (about 4.4 s a page on one core,
against 1.0 s for Tesseract): accuracy comes first.

A page is rendered at RENDER_DPI, cleaned of speckle, and read line by line; each
line becomes a `Line` with its geometry in PDF points, so furniture removal treats
OCR lines like text-layer lines ("— 390 —" in the footer is the printed page number).
The engine's raw output is cached by the hash of the rendered image, engine and
version under $POLICY_PIPELINE_CACHE/ocr (default: the repository's .cache/ocr), so
a rebuild does not OCR again; cleaning and filtering run on every read, so changing
them needs no cache purge.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import statistics
import tempfile
import unicodedata
from pathlib import Path

import regex

from .sources import Line, RawPage
from .text import is_cjk, normalize

log = logging.getLogger(__name__)

ENGINE = "rapidocr"
INSTALL_HINT = "pip install rapidocr==3.10.0 onnxruntime==1.32.0 (or: make, which installs the pinned dependencies)"
RENDER_DPI = 300
# Speckle on scans (dust, noise) turns into stray strokes; a 3x3 median removes it.
# Measured: 99.36 % -> 99.87 % characters right on the noisy fixture, no change on a
# clean 150 dpi scan (99.87 % either way); a 5x5 median loses page numbers.
MEDIAN = 3
# Lines the engine is less sure of than this are dropped. Measured (bench/ocr_compare.py):
# real text lines on the noisy fixture score 0.79 and up (page-number footers are the
# lowest), what it reads into a seal's inscription 0.32, a photo or a blank scan nothing.
MIN_CONFIDENCE = 0.6
# OCR boxes are about 1.15 times the font size high (line box with padding).
BOX_TO_FONT = 1 / 1.15
# Two boxes whose vertical centres differ by less than this share of the box height
# are one physical line (a title or date split at a wide gap).
SAME_LINE = 0.5
# Part of the cache key: bump when rendering or pre-processing changes.
PIPELINE_KEY = f"dpi={RENDER_DPI};median={MEDIAN};bands;v2"

_CONTENT = regex.compile(r"[\p{Han}\d]")
_UNUSABLE = {"Co", "Cn", "Cs", "Cc", "Cf"}      # private use, unassigned, surrogates, controls
_CID = regex.compile(r"\(cid:\d+\)")


class OcrUnavailable(RuntimeError):
    """The engine cannot run here; the message says why."""


# ----------------------------------------------------------------- which pages

def needs_ocr(page: RawPage) -> bool:
    """Images drawn but no usable text layer: no characters at all, or only whitespace,
    private-use, replacement or control characters (or pdfminer's "(cid:N)" for glyphs
    without a Unicode mapping)."""
    if page.image_count == 0 or page.error:
        return False
    text = _CID.sub("", "".join(l.text for l in page.lines))
    return not any(_usable(ch) for ch in text)


def _usable(ch: str) -> bool:
    return not ch.isspace() and ch != "\ufffd" and unicodedata.category(ch) not in _UNUSABLE


# ----------------------------------------------------------------- text clean-up

_DASHES = "-—–―‐‑−~_一"
_FRAMED_NUMBER = regex.compile(rf"^(?P<l>[{_DASHES}]*)\s*(?P<n>\d(?:[\d.·,]?\d){{0,3}})\s*(?P<r>[{_DASHES}]*)$")
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
    a page number whose dashes
    came out as 一, _ or a lost dash ("-379一", "379—") is "— 379 —" again.
    """
    text = normalize(line)
    if not text:
        return ""
    framed = _FRAMED_NUMBER.match(text)
    if framed and (framed["l"] or framed["r"]):
        return f"— {regex.sub(r'[.·,]', '', framed['n'])} —"
    text = _NUMBERISH.sub(_fix_number, text)
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


# ----------------------------------------------------------------- the engine

_ENGINES: dict[int, object] = {}      # pid -> engine: a forked worker loads its own


def engine_version() -> str:
    """'rapidocr 3.10.0', or OcrUnavailable with the reason."""
    _load_engine()
    from importlib.metadata import version
    return f"{ENGINE} {version(ENGINE)}"


def engine_problem() -> str | None:
    """Why OCR cannot run here (one line, with how to install), or None when it can."""
    try:
        _load_engine()
    except OcrUnavailable as exc:
        return str(exc)
    return None


def _load_engine():
    engine = _ENGINES.get(os.getpid())
    if engine is not None:
        return engine
    try:
        import onnxruntime  # noqa: F401
        import rapidocr
        from rapidocr import RapidOCR
    except Exception as exc:   # ImportError, or a broken native library
        raise OcrUnavailable(f"OCR engine RapidOCR is not installed ({type(exc).__name__}: {exc}); "
                             f"install it with: {INSTALL_HINT}") from None
    models = Path(rapidocr.__file__).parent / "models"
    paths = {"Det": models / "PP-OCRv6_det_small.onnx", "Rec": models / "PP-OCRv6_rec_small.onnx",
             "Cls": models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}
    missing = [p.name for p in paths.values() if not p.exists()]
    if missing:
        raise OcrUnavailable(f"RapidOCR's models are missing ({', '.join(missing)}); reinstall it with: {INSTALL_HINT}")
    # Explicit model paths: RapidOCR never tries to download anything. One thread:
    # pages are OCRed in parallel worker processes already.
    # text_score 0: the cache keeps every box; MIN_CONFIDENCE decides here.
    params = {"Global.log_level": "critical", "Global.text_score": 0.0,
              "EngineConfig.onnxruntime.intra_op_num_threads": 1,
              "EngineConfig.onnxruntime.inter_op_num_threads": 1}
    params.update({f"{stage}.model_path": str(path) for stage, path in paths.items()})
    try:
        engine = RapidOCR(params=params)
    except Exception as exc:
        raise OcrUnavailable(f"RapidOCR cannot start ({type(exc).__name__}: {exc}); reinstall it with: {INSTALL_HINT}") from None
    logging.getLogger("RapidOCR").setLevel(logging.CRITICAL)
    _ENGINES[os.getpid()] = engine
    return engine


def _run_engine(png: bytes) -> list[dict]:
    """The engine's raw lines: [{"box": [[x, y] x4] in pixels, "text", "score"}]."""
    import numpy as np
    from PIL import Image, ImageFilter

    img = Image.open(io.BytesIO(png)).convert("L")
    if MEDIAN:
        img = img.filter(ImageFilter.MedianFilter(MEDIAN))
    pixels = np.asarray(img)
    lines = _read_region(pixels, 0, 0)
    if not lines:
        # The detector can miss a lone small line (a page number) on an otherwise clean,
        # empty page; read each band of ink on its own then.
        for top, bottom, left, right in _ink_bands(pixels):
            lines += _read_region(pixels[top:bottom, left:right], left, top)
    return lines


def _read_region(pixels, left: int, top: int) -> list[dict]:
    import numpy as np

    out = _load_engine()(np.stack([pixels] * 3, axis=-1))
    if out.txts is None:
        return []
    return [{"box": [[round(float(x) + left, 1), round(float(y) + top, 1)] for x, y in box],
             "text": str(text), "score": round(float(score), 4)}
            for box, text, score in zip(out.boxes, out.txts, out.scores)]


def _ink_bands(pixels, ink: int = 160, gap: int = 24, margin: int = 32, most: int = 6) -> list[tuple[int, int, int, int]]:
    """(top, bottom, left, right) of the horizontal bands with dark pixels, padded by
    `margin`; none when the page is blank or has more than `most` bands (text the
    detector would have found)."""
    import numpy as np

    dark = pixels < ink
    rows = np.flatnonzero(dark.sum(axis=1) >= 2)
    bands: list[list[int]] = []
    for y in rows:
        if bands and y - bands[-1][1] <= gap:
            bands[-1][1] = y
        else:
            bands.append([y, y])
    if len(bands) > most:
        return []
    h, w = pixels.shape
    out = []
    for y0, y1 in bands:
        cols = np.flatnonzero(dark[y0:y1 + 1].any(axis=0))
        out.append((max(0, y0 - margin), min(h, y1 + 1 + margin),
                    max(0, int(cols[0]) - margin), min(w, int(cols[-1]) + 1 + margin)))
    return out


# ----------------------------------------------------------------- scoring

def char_accuracy(text: str, reference: str) -> float:
    """How OCR is scored (tests and bench/ocr_compare.py): 1 - Levenshtein distance /
    reference length, with whitespace removed and full-width forms normalized."""
    a, b = ("".join(normalize(t).split()) for t in (text, reference))
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    reference_length = len("".join(normalize(reference).split()))
    return 1 - prev[-1] / max(1, reference_length)


# ----------------------------------------------------------------- cache

def cache_dir() -> Path:
    """$POLICY_PIPELINE_CACHE/ocr, or the repository's .cache/ocr."""
    base = os.environ.get("POLICY_PIPELINE_CACHE")
    root = Path(base) if base else Path(__file__).resolve().parent.parent / ".cache"
    return root / "ocr"


def _cache_key(png: bytes, version: str) -> str:
    h = hashlib.sha256(png)
    h.update(f"\0{version}\0{PIPELINE_KEY}".encode())
    return h.hexdigest()


def _cache_read(key: str) -> list[dict] | None:
    path = cache_dir() / key[:2] / f"{key}.json"
    try:
        return json.loads(path.read_text("utf-8"))["lines"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _cache_write(key: str, version: str, lines: list[dict]) -> None:
    folder = cache_dir() / key[:2]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False) as fh:
            json.dump({"engine": version, "settings": PIPELINE_KEY, "lines": lines}, fh, ensure_ascii=False)
        os.replace(fh.name, folder / f"{key}.json")      # atomic: parallel workers never see half a file
    except OSError as exc:
        log.debug("OCR cache not written (%s)", exc)


# ----------------------------------------------------------------- one page

def render_page(page, dpi: int = RENDER_DPI) -> bytes:
    """A pdfplumber page as a grey-scale PNG (pypdfium2 renders it)."""
    img = page.to_image(resolution=dpi).original.convert("L")
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def ocr_page(path: Path, page_index: int, page=None) -> tuple[list[Line], float | None]:
    """OCR one page (0-based index; pass the open pdfplumber `page` to skip reopening).

    Returns the page's lines, top to bottom, with geometry in PDF points, and the mean
    confidence of the kept lines weighted by their length (None when none is kept).
    Raises OcrUnavailable when the engine cannot run.
    """
    if page is None:
        from .sources.pdf import open_pdf
        pdf = open_pdf(Path(path))
        try:
            return ocr_page(path, page_index, pdf.pages[page_index])
        finally:
            pdf.close()
    version = engine_version()
    png = render_page(page)
    key = _cache_key(png, version)
    raw = _cache_read(key)
    if raw is None:
        raw = _run_engine(png)
        _cache_write(key, version, raw)
    return ocr_lines(raw, 72.0 / RENDER_DPI)


def ocr_lines(raw: list[dict], scale: float) -> tuple[list[Line], float | None]:
    """Engine boxes (pixels) -> cleaned physical lines (points) and mean confidence."""
    boxes = []
    for item in raw:
        if item["score"] < MIN_CONFIDENCE:
            continue
        xs = [p[0] * scale for p in item["box"]]
        ys = [p[1] * scale for p in item["box"]]
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
        top, bottom = min(b[0] for b in row), max(b[1] for b in row)
        lines.append(Line(text=text, top=round(top, 2), bottom=round(bottom, 2),
                          x0=round(row[0][2], 2), x1=round(max(b[3] for b in row), 2),
                          size=round(statistics.median(b[1] - b[0] for b in row) * BOX_TO_FONT, 1)))
        weights += [(b[5], len(b[4])) for b in row]
    total = sum(n for _, n in weights)
    confidence = round(sum(s * n for s, n in weights) / total, 4) if total else None
    return lines, confidence
