"""Page images for OCR: rendered with pdfium at the size the detector works at, cleaned
of speckle, and looked over for where the ink is.

pdfium decodes the scan and scales it down in one step (a 300-dpi A4 JPEG to 2000 px
in about 0.1 s); rendering at 300 dpi and letting RapidOCR shrink the picture cost
0.6 s more a page and 500 MB of pixel buffers, for the same pixels in the end.
"""
from __future__ import annotations

import numpy as np

from .engine import MAX_SIDE

# Speckle on scans (dust, noise) turns into stray strokes: specks of at most SPECK
# pixels (at the 2000-px render, 0.15 mm across) are wiped. A 3x3 median did that at
# 300 dpi, but at the detector's resolution it also wipes the 1-px dashes of "— 379 —"
# (measured on the 200-dpi fixture: every footer read as a bare "379").
SPECK = 4
SPECK_GREY = 200
# Grey level below which a pixel is ink (paper is 230-255, text 15-90, a red seal 90-110).
INK = 160
# A page with at most this many separate bands of ink, covering at most PATCHY_SHARE of
# the page, is read band by band (a page number, a seal, a signature): the detector then
# sees a few small crops instead of a page.
PATCHY_BANDS = 6
PATCHY_SHARE = 0.12
# Bands of ink: rows closer than BAND_GAP points are one band, padded by BAND_MARGIN.
BAND_GAP = 6.0
BAND_MARGIN = 8.0
# The preview that decides whether a page is patchy: a third of the resolution, where a
# stroke is lighter (a 2-px stroke is a third of a pixel), so ink is anything below 200.
PREVIEW = 3
PREVIEW_INK = 200
# A band of ink at most this high (points) is one line of text: 18 pt titles are 20 pt.
LINE_HEIGHT = 21.0
PHOTO_HEIGHT = 60.0
# A seal is 38-45 mm across (GB/T 9999 style office seals); 25 mm = 71 pt is the least.
SEAL_MIN = 71.0
PHOTO_MID_SHARE = 0.45


def page_scale(width_pt: float, height_pt: float, max_side: int = MAX_SIDE) -> float:
    """Pixels per point that make the page's long side `max_side` pixels."""
    return max_side / max(width_pt, height_pt, 1.0)


def render(page, scale: float, crop: tuple[float, float, float, float] | None = None,
           speck: int = SPECK) -> np.ndarray:
    """A pypdfium2 page (or its region `crop` = (left, top, right, bottom) in points from
    the top-left) as a grey-scale array, `scale` pixels per point, specks wiped."""
    kwargs = {"grayscale": True}
    if crop is not None:
        width, height = page.get_size()
        left, top, right, bottom = crop
        kwargs["crop"] = (left, height - bottom, width - right, top)   # pdfium: from each edge
    pixels = np.array(page.render(scale=scale, **kwargs).to_pil().convert("L"))
    return despeckle(pixels, speck) if speck else pixels


def despeckle(pixels: np.ndarray, speck: int = SPECK) -> np.ndarray:
    """Wipe specks: groups of at most `speck` non-paper pixels touching nothing else."""
    import cv2

    _, labels, stats, _ = cv2.connectedComponentsWithStats((pixels < SPECK_GREY).astype(np.uint8), connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] <= speck
    small[0] = False                                  # label 0 is the paper
    if small.any():
        pixels[small[labels]] = 255
    return pixels


def ink_bands(pixels: np.ndarray, scale: float, ink: int = INK) -> list[tuple[float, float, float, float]]:
    """(left, top, right, bottom) in points of each horizontal band of ink, padded by
    BAND_MARGIN: rows of ink closer than BAND_GAP points belong to one band."""
    dark = pixels < ink
    rows = np.flatnonzero(dark.sum(axis=1) >= 1)
    gap = max(1, BAND_GAP * scale)
    bands: list[list[int]] = []
    for y in rows:
        if bands and y - bands[-1][1] <= gap:
            bands[-1][1] = y
        else:
            bands.append([y, y])
    h, w = pixels.shape
    out = []
    for y0, y1 in bands:
        cols = np.flatnonzero(dark[y0:y1 + 1].any(axis=0))
        out.append((max(0.0, cols[0] / scale - BAND_MARGIN), max(0.0, y0 / scale - BAND_MARGIN),
                    min(w / scale, (cols[-1] + 1) / scale + BAND_MARGIN), min(h / scale, (y1 + 1) / scale + BAND_MARGIN)))
    return out


def patches(page, scale: float) -> list[tuple[tuple[float, float, float, float], bool]] | None:
    """The patches of ink to read one by one when the page holds only a few small ones
    (a page number, a seal, a signature), as ((left, top, right, bottom) in points,
    is_one_line); [] for a blank page; None for a page of text, to be read whole.

    Decided on a preview at a third of the resolution (0.06 s). A band no higher than
    LINE_HEIGHT points is one line (a page number, a date): it is recognised without
    detection. A photo (continuous tone) is not read at all."""
    preview_scale = scale / PREVIEW
    colour = np.array(page.render(scale=preview_scale).to_pil().convert("RGB"))
    preview = despeckle(np.array(_grey(colour)), 2)
    width, height = preview.shape[1] / preview_scale, preview.shape[0] / preview_scale
    bands = []
    for box in ink_bands(preview, preview_scale, ink=PREVIEW_INK):
        l, t, r, b = (round(v * preview_scale) for v in box)
        if not (_is_photo(preview[t:b, l:r], preview_scale) or _is_seal(colour[t:b, l:r], preview_scale)):
            bands.append(box)
    if len(bands) > PATCHY_BANDS:
        return None
    if sum((r - l) * (b - t) for l, t, r, b in bands) > PATCHY_SHARE * width * height:
        return None
    return [(box, box[3] - box[1] - 2 * BAND_MARGIN <= LINE_HEIGHT) for box in bands]


def _grey(rgb: np.ndarray):
    from PIL import Image
    return Image.fromarray(rgb).convert("L")


def _is_seal(region: np.ndarray, scale: float) -> bool:
    """A red seal: a roughly square patch SEAL_MM across or more whose ink is mostly red.
    Its inscription is no text of the page (a red header line is long, not square)."""
    h, w = region.shape[:2]
    if h < SEAL_MIN * scale or not 0.75 <= w / max(1, h) <= 1.33:
        return False
    r, g, b = (region[..., i].astype(np.int16) for i in range(3))
    ink = (r + g + b) < 3 * PREVIEW_INK
    red = ink & (r - np.maximum(g, b) > 60)
    return np.count_nonzero(red) > 0.6 * max(1, np.count_nonzero(ink))


def _is_photo(region: np.ndarray, scale: float) -> bool:
    """A photo or a picture: taller than PHOTO_HEIGHT points and most of its pixels
    mid-grey. Print is two-toned: ink and paper, with grey only at the glyphs' edges."""
    if region.shape[0] < PHOTO_HEIGHT * scale:
        return False
    mid = np.count_nonzero((region > 50) & (region < 200))
    return mid > PHOTO_MID_SHARE * region.size
