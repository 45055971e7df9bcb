"""Stamp a diagonal text watermark over every page of a PDF, as download sites do.

    python tools/watermark_fixture.py tests/fixtures/pdfs/libreoffice-running-header-pagenum-top-right.pdf OUT.pdf

Legal databases and government portals stamp the policy PDFs they serve with their name
in large light-grey type across each page (北大法宝, 仅供参考, 内部资料), at 30 to 45 degrees or level:
real text, in the text layer, crossing the body lines. This writes such a copy of a real
producer's PDF: the stamp (WenQuanYi Zen Hei, set by reportlab) is drawn on a page of its
own and placed over each page as a form XObject (pdfium's FPDF_NewXObjectFromPage), the
page's own content unchanged.
"""
from __future__ import annotations

import argparse
import io

import pypdfium2 as pdfium

FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
#: (text, angle, x, y, size): stamps at 30 and 45 degrees, and one level, 60 pt over 12-pt lines
STAMPS = [("北大法宝 仅供参考", 30, 120, 250, 40), ("内部资料 注意保存", 45, 160, 480, 36),
          ("仅供参考", 0, 150, 400, 60)]


def stamp_pdf(width: float, height: float) -> bytes:
    """One page of `width` x `height` points holding only the stamps."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("WQY", FONT_FILE))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(width, height))
    for text, angle, x, y, size in STAMPS:
        c.saveState()
        c.setFillGray(0.82)
        c.setFont("WQY", size)
        c.translate(x, y)
        c.rotate(angle)
        c.drawString(0, 0, text)
        c.restoreState()
    c.showPage()
    c.save()
    return out.getvalue()


def watermark(source: str, out: str) -> None:
    pdf = pdfium.PdfDocument(source)
    width, height = pdf[0].get_size()
    stamp = pdfium.PdfDocument(stamp_pdf(width, height))
    form = stamp.page_as_xobject(0, pdf)
    for page in pdf:
        page.insert_obj(form.as_pageobject())
        page.gen_content()
    pdf.save(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("out")
    args = parser.parse_args()
    watermark(args.source, args.out)


if __name__ == "__main__":
    main()
