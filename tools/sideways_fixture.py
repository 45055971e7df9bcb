"""Set a PDF's pages sideways on paper turned the other way, as a print driver does.

    python tools/sideways_fixture.py tests/fixtures/pdfs/libreoffice-running-header-pagenum-top-right.pdf 90 OUT.pdf

A landscape page (an attachment's 任务分工表) printed on portrait paper, or a portrait
page scanned into a landscape compilation, keeps its text layer but sets every glyph at
90 degrees: the page reads only when the viewer turns it. This writes such a copy of a
real producer's PDF: each page's content is turned (pdfium's FPDFPage_TransFormWithClip
wraps it in `q … cm … Q`, the operators a driver writes) and the MediaBox swapped, so
the text must be read turned `TURN` degrees clockwise (90: the text runs bottom to
top; 270: top to bottom; 180: upside down). Nothing else changes: fonts, ToUnicode,
the content itself.
"""
from __future__ import annotations

import argparse
import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as raw


def turn_pages(source: str, turn: int, out: str) -> None:
    pdf = pdfium.PdfDocument(source)
    for index in range(len(pdf)):
        page = pdf[index]
        left, low, right, high = page.get_mediabox()
        w, h = right - left, high - low
        # The matrix that sets the upright page on new paper so that turning the paper
        # `turn` degrees clockwise shows it upright again.
        a, b, c, d, e, f = {90: (0, 1, -1, 0, h, 0), 180: (-1, 0, 0, -1, w, h), 270: (0, -1, 1, 0, 0, w)}[turn]
        matrix = raw.FS_MATRIX(a, b, c, d, e - (a * left + c * low), f - (b * left + d * low))
        size = (h, w) if turn in (90, 270) else (w, h)
        clip = raw.FS_RECTF(0, size[1], size[0], 0)
        if not raw.FPDFPage_TransFormWithClip(page.raw, ctypes.byref(matrix), ctypes.byref(clip)):
            raise SystemExit(f"{source}: page {index + 1}: pdfium could not transform the page")
        page.set_mediabox(0, 0, *size)
        for box in ("cropbox", "bleedbox", "trimbox", "artbox"):
            getattr(page, f"set_{box}")(0, 0, *size)
    pdf.save(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("turn", type=int, choices=(90, 180, 270))
    parser.add_argument("out")
    args = parser.parse_args()
    turn_pages(args.source, args.turn, args.out)


if __name__ == "__main__":
    main()
