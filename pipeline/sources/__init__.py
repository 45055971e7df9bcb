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
    sending pages back from the reading workers. Reads like a list of tuples."""

    __slots__ = ("_packed", "_spill", "_at", "_size")

    def __init__(self, packed: bytes):
        self._packed, self._spill, self._at, self._size = packed, None, 0, len(packed)

    @property
    def packed(self) -> bytes:
        return self._packed if self._spill is None else self._spill.read(self._at, self._size)

    def spill_to(self, spill: "BoxSpill") -> None:
        """Move the packed boxes into `spill`'s file; they are read back when used."""
        if self._spill is None:
            self._at = spill.write(self._packed)
            self._spill, self._packed = spill, b""

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


class BoxSpill:
    """A temporary file for the character boxes of an edition's lines, while the build
    needs them only at its end (pipeline.evidence): held in memory they grew the
    parent with the page count (76 MB of boxes, ~150 MB with their objects, at 5,000
    pages). The file has no name (deleted when closed) and lives where `dir` says."""

    def __init__(self, dir: Path | None = None):
        import tempfile

        self._file = tempfile.TemporaryFile(dir=dir)
        self._end = 0

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

    def keep(self, page: "RawPage") -> "RawPage":
        """The page with its lines' boxes moved into this file."""
        for line in page.lines:
            if line.boxes is not None:
                line.boxes.spill_to(self)
        return page

    def close(self) -> None:
        self._file.close()


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
    ocr: bool = False                 # the lines were read by OCR from the page image
    ocr_engine: str | None = None     # e.g. "rapidocr 3.10.0"
    ocr_confidence: float | None = None   # mean engine confidence of the OCR lines, 0..1


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
               pool=None, reader: str = "pdfium", spill: BoxSpill | None = None) -> tuple[str, list[RawPage]]:
    """The source kind and its pages, in page order (on the build's pool, if given).
    `reader` picks the PDF character reader: "pdfium" (default, fast) or "pdfplumber"
    (the reference); `spill` keeps the characters' boxes in a file (BoxSpill)."""
    kind = source_kind(path)
    if kind == "pdf":
        from .pdf import read_pdf
        return kind, read_pdf(path, workers=workers, progress=progress, ocr=ocr, pool=pool, reader=reader,
                              spill=spill)
    from .flipbook import read_flipbook
    return kind, read_flipbook(path)
