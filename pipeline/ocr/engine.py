"""The OCR engine: a grey-scale image in, the engine's lines out. One engine per process.

RapidOCR 3 (PP-OCRv6 models shipped inside its wheel, so it runs offline) was picked
by measurement (bench/ocr_compare.py): 99.87 % of the characters right on the noisy
200-dpi fixture and every footer page number; Tesseract 5 (chi_sim) 98.82 % at best.

Where the time went (bench/ocr.py, 300-dpi A4): RapidOCR shrank every page to 2000 px
before detecting, so the 300-dpi render was waste (the page is now rendered at MAX_SIDE,
render.py); the detector's time and memory grow with its input (it now looks at a
DET_SIDE copy, strip by strip); recognition batches pad every line to the widest (now
one line at a time). Lines are found on the small copy and read from the large one.
A page with only a few small patches of ink (a page number, a seal) is read patch by
patch (read.py): the detector sees a few hundred pixels, or nothing.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

ENGINE = "rapidocr"
INSTALL_HINT = "pip install rapidocr==3.10.0 onnxruntime==1.32.0 (or: make, which installs the pinned dependencies)"
# The long side of the image lines are read from: A4 at 171 dpi, where a 10.5 pt
# footnote is 25 px high and the recogniser (48 px lines) loses nothing.
MAX_SIDE = 2000
# The long side the detector looks at: it finds lines as well at 1280 px (A4 at 110 dpi,
# body text 23 px high) as at 2000, in a third of the time and memory; the lines are
# then read from the MAX_SIDE image. PaddleOCR's own default is 960.
DET_SIDE = 1280
# Detection strips (pixels of the detector's image) and their overlap: a 24 pt line is
# 37 px high there, its box about 50.
STRIP = 224
STRIP_OVERLAP = 96
# Recognition batch: one line at a time. Measured on a 300-dpi page of 25 lines: a batch
# pads every line to the widest, 6 lines took 6.1 s and 880 MB, one 3.7 s and 510 MB.
REC_BATCH = 1

_ENGINES: dict[int, object] = {}      # pid -> engine: a forked worker loads its own


class OcrUnavailable(RuntimeError):
    """The engine cannot run here; the message says why."""


def engine_version() -> str:
    """'rapidocr 3.10.0', or OcrUnavailable with the reason. Read from the package's
    metadata, not by loading the engine (about 1 s): a cached page needs no engine."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return f"{ENGINE} {version(ENGINE)}"
    except PackageNotFoundError:
        load_engine()          # raises OcrUnavailable with the reason and the install hint
        raise


def engine_problem() -> str | None:
    """Why OCR cannot run here (one line, with how to install), or None when it can."""
    try:
        load_engine()
    except OcrUnavailable as exc:
        return str(exc)
    return None


def load_engine():
    """This process's engine, loaded on first use (about 1 s and 90 MB)."""
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
    # pages are OCRed in parallel worker processes already. text_score 0: the cache
    # keeps every box; cleanup.MIN_CONFIDENCE decides later.
    params = {"Global.log_level": "critical", "Global.text_score": 0.0,
              "Rec.rec_batch_num": REC_BATCH,
              # never enlarge a small crop (a page number) to 736 px before detecting it
              "Det.limit_type": "max", "Det.limit_side_len": DET_SIDE,
              "EngineConfig.onnxruntime.intra_op_num_threads": 1,
              "EngineConfig.onnxruntime.inter_op_num_threads": 1}
    params.update({f"{stage}.model_path": str(path) for stage, path in paths.items()})
    _no_memory_patterns()
    try:
        engine = RapidOCR(params=params)
    except Exception as exc:
        raise OcrUnavailable(f"RapidOCR cannot start ({type(exc).__name__}: {exc}); reinstall it with: {INSTALL_HINT}") from None
    logging.getLogger("RapidOCR").setLevel(logging.CRITICAL)
    _ENGINES[os.getpid()] = engine
    return engine


def _no_memory_patterns() -> None:
    """onnxruntime plans and keeps a memory layout per input shape ("memory patterns");
    OCR inputs change shape with every line and strip, so an OCR process grew page by
    page: 357 -> 436 MB over four 300-dpi pages, 347 flat without. RapidOCR 3.10 has no
    setting for it, so its session options are amended where it builds them."""
    from rapidocr.inference_engine.onnxruntime import main as ort

    if getattr(ort.OrtInferSession._init_sess_opts, "_no_patterns", False):
        return
    build = ort.OrtInferSession._init_sess_opts

    def options(cfg):
        opts = build(cfg)
        opts.enable_mem_pattern = False
        return opts

    options._no_patterns = True
    ort.OrtInferSession._init_sess_opts = staticmethod(options)


def read_image(pixels, left: int = 0, top: int = 0, timings: dict | None = None, single_line: bool = False) -> list[dict]:
    """The engine's lines in a grey-scale image (a 2-D uint8 array):
    [{"box": [[x, y] x4] in pixels (+ left, top), "text", "score", "flipped"}];
    `flipped`: the direction classifier found the line upside down (and read it turned).

    Text is found on a copy at most DET_SIDE pixels long (the detector needs no more)
    and read from the full image; `single_line` skips detection (the image is one line).
    `timings`, when given, accumulates seconds of detection, classification, recognition.
    """
    import numpy as np

    eng = load_engine()
    img = np.ascontiguousarray(np.stack([pixels] * 3, axis=-1))
    h, w = pixels.shape
    clock = _Clock(timings)
    if single_line:
        boxes = np.array([[[0, 0], [w, 0], [w, h], [0, h]]], dtype=np.float32)
        crops, flipped = [img], [False]
    else:
        import cv2

        f = min(1.0, DET_SIDE / max(h, w))
        small = cv2.resize(img, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA) if f < 1 else img
        with clock("detect"):
            boxes = _detect(eng._load_det_model(), small)
        if not len(boxes):
            return []
        boxes = boxes / f
        crops = eng.crop_text_regions(img, boxes)
        with clock("classify"):
            crops, classified = eng.cls_and_rotate(crops)
        # the crops the classifier found upside down and turned (its own rule)
        threshold = eng._load_cls_model().cls_thresh
        flipped = ["180" in label and score > threshold for label, score in classified.cls_res]
    from rapidocr.ch_ppocr_rec import TextRecInput
    with clock("recognise"):
        rec = eng._load_rec_model()(TextRecInput(img=crops))
    if rec.txts is None:
        return []
    return [{"box": [[round(float(x) + left, 1), round(float(y) + top, 1)] for x, y in box],
             "text": str(text), "score": round(float(score), 4), "flipped": bool(flip)}
            for box, text, score, flip in zip(boxes, rec.txts, rec.scores, flipped)]


def _detect(detector, img):
    """Text boxes of `img` found strip by strip: the detector's memory grows with its
    input (340 MB for a whole 1280-px page, about 150 MB for a strip of it). Strips overlap by
    STRIP_OVERLAP pixels, more than a line is high, and each box belongs to the strip
    its centre lies in, away from the overlap: every line is found whole exactly once."""
    import numpy as np

    h = img.shape[0]
    if h <= STRIP + STRIP_OVERLAP:
        found = detector(img)
        return np.zeros((0, 4, 2), np.float32) if found.boxes is None else np.asarray(found.boxes, np.float32)
    out = []
    for start in range(0, h, STRIP):
        y0, y1 = max(0, start - STRIP_OVERLAP), min(h, start + STRIP + STRIP_OVERLAP)
        found = detector(np.ascontiguousarray(img[y0:y1]))
        if found.boxes is None:
            continue
        for box in np.asarray(found.boxes, np.float32):
            box[:, 1] += y0
            centre = (box[:, 1].min() + box[:, 1].max()) / 2
            if start <= centre < start + STRIP:
                out.append(box)
        if y1 == h:
            break
    out.sort(key=lambda b: (b[:, 1].min(), b[:, 0].min()))
    return np.asarray(out, np.float32).reshape(-1, 4, 2)


class _Clock:
    def __init__(self, timings):
        self.timings = timings

    def __call__(self, name):
        import contextlib
        import time

        @contextlib.contextmanager
        def timed():
            start = time.perf_counter()
            try:
                yield
            finally:
                if self.timings is not None:
                    self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
        return timed()
