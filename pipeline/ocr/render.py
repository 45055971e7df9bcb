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
# A band of ink at most this high (points) is one line of text: 18 pt titles are 20 pt.
LINE_HEIGHT = 21.0
PHOTO_HEIGHT = 60.0
PHOTO_MID_SHARE = 0.45


def page_scale(width_pt: float, height_pt: float, max_side: int = MAX_SIDE) -> float:
    """Pixels per point that make the page's long side `max_side` pixels."""
    return max_side / max(width_pt, height_pt, 1.0)


def render(page, scale: float, crop: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """A pypdfium2 page (or its region `crop` = (left, top, right, bottom) in points from
    the top-left) as a grey-scale array, `scale` pixels per point, speckle removed."""
    kwargs = {"grayscale": True}
    if crop is not None:
        width, height = page.get_size()
        left, top, right, bottom = crop
        kwargs["crop"] = (left, height - bottom, width - right, top)   # pdfium: from each edge
    pixels = np.array(page.render(scale=scale, **kwargs).to_pil().convert("L"))
    return despeckle(pixels) if SPECK else pixels


def despeckle(pixels: np.ndarray) -> np.ndarray:
    """Wipe specks: groups of at most SPECK non-paper pixels touching nothing else."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats((pixels < SPECK_GREY).astype(np.uint8), connectivity=8)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] <= SPECK)
    small = small[small > 0]                          # label 0 is the paper
    if len(small):
        pixels[np.isin(labels, small)] = 255
    return pixels


def ink_bands(pixels: np.ndarray, gap: int = 16, margin: int = 20) -> list[tuple[int, int, int, int]]:
    """(top, bottom, left, right) of each horizontal band of ink, padded by `margin`
    pixels: rows with ink closer than `gap` rows belong to one band."""
    dark = pixels < INK
    rows = np.flatnonzero(dark.sum(axis=1) >= 2)
    bands: list[list[int]] = []
    for y in rows:
        if bands and y - bands[-1][1] <= gap:
            bands[-1][1] = y
        else:
            bands.append([y, y])
    h, w = pixels.shape
    out = []
    for y0, y1 in bands:
        cols = np.flatnonzero(dark[y0:y1 + 1].sum(axis=0) >= 1)
        out.append((max(0, y0 - margin), min(h, y1 + 1 + margin),
                    max(0, int(cols[0]) - margin), min(w, int(cols[-1]) + 1 + margin)))
    return out


def patches(pixels: np.ndarray, scale: float) -> list[tuple[int, int, int, int, bool]] | None:
    """The bands to read one by one when the page holds only a few small patches of ink,
    as (top, bottom, left, right, is_one_line); [] for a blank page; None when it is a
    page of text, to be read whole. `scale` is pixels per point.

    A band no higher than LINE_HEIGHT points is one line (a page number, a date): it is
    recognised without detection. A photo (continuous tone) is not read at all."""
    bands = [b for b in ink_bands(pixels) if not _is_photo(pixels[b[0]:b[1], b[2]:b[3]], scale)]
    if len(bands) > PATCHY_BANDS:
        return None
    area = sum((b - t) * (r - l) for t, b, l, r in bands)
    if area > PATCHY_SHARE * pixels.size:
        return None
    margin = 2 * 20
    return [(t, b, l, r, (b - t - margin) <= LINE_HEIGHT * scale) for t, b, l, r in bands]


def _is_photo(region: np.ndarray, scale: float) -> bool:
    """A photo or a picture: taller than PHOTO_HEIGHT points and most of its pixels
    mid-grey. Print is two-toned: ink and paper, with grey only at the glyphs' edges
    (12-20 % of a band of text, 25 % of a seal ring's band)."""
    if region.shape[0] < PHOTO_HEIGHT * scale:
        return False
    mid = np.count_nonzero((region > 50) & (region < 200))
    return mid > PHOTO_MID_SHARE * region.size
