"""Source adapters: each turns one input file into `RawPage` records.

A RawPage holds physical lines in reading order, with geometry when the source has
it (PDF) and without when it does not (the flipbook text export). Everything after
this point (furniture removal, structure, extraction) works on RawPages only, so a
new producer or format needs a new adapter and nothing else.
"""
from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path


class InputError(Exception):
    """A source that cannot be read at all. The message is one line for the user."""


class Boxes:
    """The boxes (x0, top, x1, bottom) of a line's characters, packed as doubles: a tuple
    per character held ~170 bytes (400 MB at 5,000 pages) and was most of the cost of
    sending pages back from the reading workers. Reads like a list of tuples. A line kept
    in a PageSpill has its boxes there, read back on use."""

    __slots__ = ("_packed", "_spill", "_at", "_size")

    def __init__(self, packed: bytes):
        self._packed, self._spill, self._at, self._size = packed, None, 0, len(packed)

    @classmethod
    def spilled(cls, spill: "PageSpill", at: int, size: int) -> "Boxes":
        """The boxes written at `at` in `spill`'s file."""
        boxes = cls.__new__(cls)
        boxes._packed, boxes._spill, boxes._at, boxes._size = b"", spill, at, size
        return boxes

    @property
    def packed(self) -> bytes:
        return self._packed if self._spill is None else self._spill.read(self._at, self._size)

    @classmethod
    def of(cls, boxes) -> "Boxes":
        return cls(struct.pack(f"{4 * len(boxes)}d", *(v for box in boxes for v in box)))

    def __len__(self) -> int:
        return self._size // 32

    def __getitem__(self, i):
        if isinstance(i, slice):      # the boxes of text[i:j]
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("box index out of range")
        return struct.unpack_from("4d", self.packed, 32 * i)

    def __iter__(self):
        return struct.iter_unpack("4d", self.packed)

    def __eq__(self, other) -> bool:
        if isinstance(other, Boxes) and self.packed == other.packed:
            return True
        return list(self) == list(other) if isinstance(other, (Boxes, list, tuple)) else NotImplemented

    def __reduce__(self):
        return Boxes, (self.packed,)

    def __repr__(self) -> str:
        return f"Boxes({list(self)!r})"


@dataclass(slots=True)   # 100 bytes less per line than with a __dict__: 100,000 lines at 5,000 pages
class Line:
    text: str
    top: float | None = None      # distance from the page top, in points
    bottom: float | None = None
    x0: float | None = None
    x1: float | None = None
    size: float | None = None     # median font size of the line's characters
    # Box (x0, top, x1, bottom) of each character of `text`, for provenance: a mention at
    # text[i:j] is drawn over boxes[i:j]. A space we inserted spans the gap it stands for.
    boxes: Boxes | None = field(default=None, repr=False)


@dataclass
class RawPage:
    page: int                     # 1-based index in the source
    lines: list[Line] = field(default_factory=list)
    width: float | None = None
    height: float | None = None
    printed_page: int | None = None   # only when the source states it outright
    label: str | None = None          # the page's own name: PDF page label, or N of 第N页
    char_count: int = 0
    image_count: int = 0
    path_segments: int | None = None  # path segments drawn (ruled tables); None when the reader did not count
    has_text_layer: bool = False
    error: str | None = None
    rotated_glyphs: int = 0           # glyphs set rotated (upright=False), not in `lines`
    stamped_glyphs: int = 0           # glyphs printed over smaller ones (a stamp), not in `lines`
    turn: int = 0                     # degrees the page was turned clockwise to read its text (a page
                                      # set sideways); width, height and line geometry are the turned page's
    ocr: bool = False                 # the lines were read by OCR from the page image
    ocr_engine: str | None = None     # e.g. "rapidocr 3.10.0"
    ocr_confidence: float | None = None   # mean engine confidence of the OCR lines, 0..1


#: The RawPage fields a PageSpill keeps beside the lines, in this order.
_HEAD = ("page", "width", "height", "printed_page", "label", "char_count", "image_count", "path_segments",
         "has_text_layer", "error", "rotated_glyphs", "stamped_glyphs", "turn", "ocr", "ocr_engine", "ocr_confidence")


def _plain(value):
    """A number as Python's own type: marshal writes a numpy float64 (OCR's line
    geometry), a subclass of float, as its raw bytes."""
    if type(value) in (float, int, bool, str) or value is None:
        return value
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    if hasattr(value, "item"):       # numpy.int64 and numpy.float32 are no Python int or float
        return value.item()
    return value


class PageSpill:
    """A source's RawPages in an unnamed temporary file, kept as the reader delivers them
    and read back one at a time: held as objects, the lines of 5,000 pages grew the
    build's parent by 80 MB (their boxes, 93 MB more, were already on disk), and freeing
    them gave almost none of it back to the system. A sequence of RawPages: `pages[i]`
    and iteration load pages from the file (~20 µs a page; the boxes stay on disk until
    used), `pages[i] = page` replaces one (OCR, ruled tables); `heads()` gives every page
    without its lines, from memory. Deleted when closed."""

    def __init__(self, dir: Path | None = None):
        import tempfile

        self._file = tempfile.TemporaryFile(dir=dir)
        self._end = 0
        self._index: list[tuple[int, int]] = []     # offset and size of each page's record
        self._heads: list[tuple] = []                # each page's _HEAD fields

    def write(self, data: bytes) -> int:
        """Append `data`; returns its offset."""
        at = self._end
        self._file.write(data)
        self._end += len(data)
        return at

    def read(self, at: int, size: int) -> bytes:
        import os

        self._file.flush()
        return os.pread(self._file.fileno(), size, at)

    def _record(self, page: RawPage) -> tuple[tuple[int, int], tuple]:
        import marshal

        lines = []
        for line in page.lines:
            at = size = -1
            if line.boxes is not None:
                packed = line.boxes.packed
                at, size = self.write(packed), len(packed)
            lines.append((line.text, _plain(line.top), _plain(line.bottom), _plain(line.x0), _plain(line.x1),
                          _plain(line.size), at, size))
        head = tuple(_plain(getattr(page, name)) for name in _HEAD)
        # marshal, not pickle: tuples of floats and strings load 3x faster, with no
        # Python-level __setstate__ per Line.
        data = marshal.dumps((head, lines))
        return (self.write(data), len(data)), head

    def append(self, page: RawPage) -> None:
        where, head = self._record(page)
        self._index.append(where)
        self._heads.append(head)

    def extend(self, pages) -> None:
        for page in pages:
            self.append(page)

    def __setitem__(self, i: int, page: RawPage) -> None:
        self._index[i], self._heads[i] = self._record(page)   # the old record stays, unread

    def __getitem__(self, i: int) -> RawPage:
        import marshal

        head, lines = marshal.loads(self.read(*self._index[i]))
        page = RawPage(**dict(zip(_HEAD, head)))
        page.lines = [Line(text, top, bottom, x0, x1, size, Boxes.spilled(self, at, n) if at >= 0 else None)
                      for text, top, bottom, x0, x1, size, at, n in lines]
        return page

    def __len__(self) -> int:
        return len(self._index)

    def __iter__(self):
        for i in range(len(self._index)):
            yield self[i]

    def heads(self) -> list[RawPage]:
        """Every page without its lines (page numbers, errors, counts), from memory."""
        return [RawPage(**dict(zip(_HEAD, head))) for head in self._heads]

    def close(self) -> None:
        self._file.close()


def page_heads(pages) -> list[RawPage]:
    """The pages without their lines when they are in a PageSpill, else the pages."""
    return pages.heads() if isinstance(pages, PageSpill) else list(pages)


def file_sha256(path: Path) -> str:
    """SHA-256 of a source's bytes (editions.source_sha256), read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_kind(path: Path) -> str:
    """'pdf' or 'flipbook', sniffed from the content rather than trusted from the name."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    if not path.is_file():   # a FIFO blocks, /dev/zero never ends: never open them
        raise InputError(f"{path}: not a regular file (a pipe, device or socket); save it to a file first")
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise InputError(f"{path}: empty file")
    if is_pdf_head(head):
        return "pdf"
    if path.suffix.lower() == ".pdf":
        raise InputError(f"{path}: not a PDF (no %PDF header)")
    return "flipbook"


# The PDF header: '%PDF-1.7' on a line of its own. Readers accept junk before it within
# the first 1024 bytes (a mail header, a BOM), so it is looked for at the start of a line
# there, not as a mention anywhere: a text export saying "格式 %PDF-1.4" is text.
_PDF_HEADER = re.compile(rb"(?:\A|[\r\n])(?:\xef\xbb\xbf)?[ \t\x00\x0c]*%PDF-\d\.\d")
# A flipbook export's page marker (pipeline/data/flipbook.json) as UTF-8 bytes: 第12页.
_PAGE_MARKER_LINE = re.compile(rb"(?:\A|[\r\n])\s*\xe7\xac\xac\s*\d+\s*\xe9\xa1\xb5\s*(?:[\r\n]|\Z)")


def is_pdf_head(head: bytes) -> bool:
    """The first KB of a PDF: a header line, and, when the header is not the very start,
    no flipbook page marker before it (an export quoting a PDF header line is text)."""
    found = _PDF_HEADER.search(head)
    if not found:
        return False
    return found.start() == 0 or not _PAGE_MARKER_LINE.search(head[:found.start() + 1])


def read_pages(path: Path, workers: int = 2, progress=None, ocr: bool = True,
               pool=None, reader: str = "pdfium", spill: PageSpill | None = None,
               queued=None) -> tuple[str, list[RawPage]]:
    """The source kind and its pages, in page order (on the build's pool, if given).
    `reader` picks the PDF character reader: "pdfium" (default, fast) or "pdfplumber"
    (the reference). With `spill`, the pages go into it as they are read, and it is
    what is returned (a PageSpill). `queued()` is called once the reading is handed
    to the pool."""
    kind = source_kind(path)
    if kind == "pdf":
        from .pdf import read_pdf
        return kind, read_pdf(path, workers=workers, progress=progress, ocr=ocr, pool=pool, reader=reader,
                              spill=spill, queued=queued)
    from .flipbook import read_flipbook
    if queued is not None:
        queued()
    pages = read_flipbook(path)
    if spill is None:
        return kind, pages
    spill.extend(pages)
    return kind, spill
