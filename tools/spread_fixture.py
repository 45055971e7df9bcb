"""Print two pages side by side on one sheet, then split the sheet into two pages by CropBox.

    python tools/spread_fixture.py tests/fixtures/pdfs/libreoffice-running-header-pagenum-top-right.pdf 2 OUT.pdf

A compilation imposed as spreads (a booklet's A3 sheets) and split back into pages by
setting each page's CropBox to one half keeps the whole sheet's text on both pages: a
viewer shows one page, but the text layer holds both. This writes such a copy of pages
FIRST and FIRST+1 (1-based) of a real producer's PDF: one sheet twice as wide holding
both pages as form XObjects (pdfium's FPDF_NewXObjectFromPage), used by two pages whose
CropBoxes are its left and its right half.
"""
from __future__ import annotations

import argparse

import pypdfium2 as pdfium


def split_spread(source: str, first: int, out: str) -> None:
    src, dst = pdfium.PdfDocument(source), pdfium.PdfDocument.new()
    width, height = src[first - 1].get_size()
    for half in (0, 1):
        sheet = dst.new_page(2 * width, height)
        for k in (0, 1):
            placed = src.page_as_xobject(first - 1 + k, dst).as_pageobject()
            placed.transform(pdfium.PdfMatrix().translate(k * width, 0))
            sheet.insert_obj(placed)
        sheet.gen_content()
        sheet.set_cropbox(half * width, 0, (half + 1) * width, height)
    dst.save(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("first", type=int)
    parser.add_argument("out")
    args = parser.parse_args()
    split_spread(args.source, args.first, args.out)


if __name__ == "__main__":
    main()
