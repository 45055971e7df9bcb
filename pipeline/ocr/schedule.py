"""OCR scheduling: the pages a text-layer read finds that need OCR go to a process pool
of their own, so the text pages' reading is never held up behind a scan.

The PDF reader hands each batch of pages it has read to `OcrPass.submit`; pages that
need nothing are counted done at once, scans and mixed pages are counted when their
OCR is back, and `OcrPass.finish` fills them in. With one worker, OCR runs in this
process after the text pages (no pool at all).
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from ..sources import RawPage
from ..sources.glyphs import turned_size
from . import read
from .engine import OcrUnavailable
from .triage import image_regions, may_have_scanned_regions, merge_lines, needs_ocr

log = logging.getLogger(__name__)


def _ocr_whole(path: Path, index: int):
    """In an OCR process: (lines, confidence, engine version, turn), or None without the engine."""
    try:
        lines, confidence, turn = read.ocr_page(path, index)
        return lines, confidence, read.engine.engine_version(), turn
    except OcrUnavailable:
        return None


def _ocr_regions(path: Path, index: int, regions):
    try:
        lines, confidence = read.ocr_regions(path, index, regions)
        return lines, confidence, read.engine.engine_version(), 0
    except OcrUnavailable:
        return None


class OcrPass:
    """OCR for the pages of one PDF, beside the reading of its text layer.

        with OcrPass(path, workers, progress) as ocr:
            for batch in text_batches:
                ocr.submit(batch)          # counts the pages that need no OCR
            ocr.finish()                   # waits; fills scans and mixed pages in

    `progress(n)` is called as pages are done; OCR pages are counted on their own,
    when their OCR ends, and logged (`-v`) as "OCR: k/n pages".
    """

    def __init__(self, path: Path, workers: int = 2, progress=None, enabled: bool = True):
        from ..workers import usable_workers
        self.path, self.progress, self.enabled = Path(path), progress, enabled
        self.workers = usable_workers(workers)
        self._pool: ProcessPoolExecutor | None = None
        self._jobs: list[tuple[RawPage, str, Future | tuple]] = []     # page, kind, future or (fn, args)
        self._done_ocr = 0
        self._start = time.perf_counter()

    def __enter__(self) -> "OcrPass":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            from ..workers import stop_now, uninterrupted
            with uninterrupted():
                if exc[0] is not None:    # failed or interrupted (SIGTERM): stop the OCR workers now
                    stop_now(self._pool)
                else:
                    self._pool.shutdown(wait=True)
            self._pool = None
        read.close_documents()

    def submit(self, batch: list[RawPage]) -> None:
        """Queue the pages of `batch` that need OCR; count the others done."""
        plain = 0
        for page in batch:
            job = self._job(page) if self.enabled else None
            if job is None:
                plain += 1
                continue
            kind, fn, args = job
            if self.workers > 1:
                from ..workers import uninterrupted, worker_start
                if self._pool is None:
                    self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=worker_start)
                with uninterrupted():     # the submit may fork the OCR workers
                    future = self._pool.submit(fn, *args)
                self._jobs.append((page, kind, future))
            else:
                self._jobs.append((page, kind, (fn, args)))
        if plain and self.progress:
            self.progress(plain)

    def _job(self, page: RawPage):
        index = page.page - 1
        if needs_ocr(page):
            return "page", _ocr_whole, (self.path, index)
        if may_have_scanned_regions(page):
            try:
                boxes, width, height = read.page_images(self.path, index)
            except Exception as exc:   # pdfium cannot read what pdfminer could: leave the page be
                log.debug("page %d: images not listed: %s", page.page, exc)
                return None
            regions = image_regions(boxes, page.lines, width, height)
            if regions:
                return "regions", _ocr_regions, (self.path, index, regions)
        return None

    def finish(self) -> list[RawPage]:
        """Wait for every OCR page and fill it in (in page order); returns the pages
        queued for OCR, filled in or not."""
        total = len(self._jobs)
        for page, kind, job in self._jobs:
            try:
                result = job.result() if isinstance(job, Future) else job[0](*job[1])
            except Exception as exc:   # a page the engine chokes on stays as it was
                log.debug("page %d: OCR failed: %s: %s", page.page, type(exc).__name__, exc)
                result = None
            if result is not None:
                lines, confidence, version, turn = result
                if kind == "page":
                    page.lines = lines
                    if turn:          # a scan set sideways, read turned
                        page.turn = turn
                        if page.width is not None:
                            page.width, page.height = turned_size(page.width, page.height, turn)
                else:
                    page.lines = merge_lines(page.lines, lines)
                if kind == "page" or lines:
                    page.ocr, page.ocr_engine, page.ocr_confidence = True, version, confidence
            self._done_ocr += 1
            if self.progress:
                self.progress(1)
            log.info("OCR: %d/%d pages (page %d, %s)", self._done_ocr, total, page.page, kind)
        if total:
            log.info("OCR: %d pages in %.1f s", total, time.perf_counter() - self._start)
        pages = [page for page, _, _ in self._jobs]
        self._jobs = []
        return pages
