"""The build's worker processes: one pool, one way of cutting work into chunks.

Every stage that needs workers (reading PDF pages, segmentation, extraction) maps a
top-level function over contiguous chunks of its input on the same `Pool`, so a build
starts `workers` processes once and `--workers` means exactly that many processes.
With workers=1 everything runs in this process, in order, with no pool at all.
"""
from __future__ import annotations

from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Callable, Iterable, Iterator, Sequence

# Two chunks per worker: when one chunk turns out slower, the other worker is not idle.
CHUNKS_PER_WORKER = 2


def spans(weights: Sequence[float], workers: int, most: int | None = None) -> list[tuple[int, int]]:
    """Contiguous (start, stop) index ranges over `weights`, in order, of about equal
    total weight: CHUNKS_PER_WORKER per worker, and none longer than `most` items.

    spans([1] * 50, 2) -> [(0, 13), (13, 25), (25, 38), (38, 50)]
    """
    n = len(weights)
    if n == 0:
        return []
    want = max(1, workers) * CHUNKS_PER_WORKER
    if most:
        want = max(want, -(-n // most))
    total = sum(weights) or 1
    out, start, size = [], 0, 0.0
    for i, weight in enumerate(weights):
        size += weight
        if size >= total * (len(out) + 1) / want or (most and i + 1 - start >= most):
            out.append((start, i + 1))
            start = i + 1
    if start < n:
        out.append((start, n))
    return out


class Pool:
    """`workers` processes shared by the stages of one build (none when workers <= 1).

    Use as a context manager; `map` submits every chunk at once, so two maps issued one
    after the other keep all workers busy, and yields results in chunk order.
    """

    def __init__(self, workers: int):
        self.workers = max(1, int(workers))
        self._executor: Executor | None = None

    @property
    def serial(self) -> bool:
        return self.workers == 1

    def __enter__(self) -> Pool:
        if not self.serial:
            self._executor = ProcessPoolExecutor(max_workers=self.workers)
        return self

    def __exit__(self, *exc) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def map(self, func: Callable, chunks: Iterable[tuple]) -> Iterator:
        """func(*chunk) for every chunk (a tuple of arguments), results in order."""
        if self._executor is None:
            return (func(*args) for args in chunks)
        futures = [self._executor.submit(func, *args) for args in chunks]
        return (future.result() for future in futures)
