"""The build's worker processes: one pool, one way of cutting work into chunks.

Every stage that needs workers (reading PDF pages, segmentation, extraction) maps a
top-level function over contiguous chunks of its input on the same `Pool`, so a build
starts `workers` processes once and `--workers` means exactly that many processes.
With workers=1 everything runs in this process, in order, with no pool at all.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Sequence

log = logging.getLogger(__name__)

# Two chunks per worker: when one chunk turns out slower, the other worker is not idle.
CHUNKS_PER_WORKER = 2
# What one worker process may need at its peak (pdfium + jieba + OCR models, measured
# ~0.4 GiB on a 500-page edition): workers beyond memory / this would swap or be killed.
WORKER_MEMORY = 512 * 2**20


def usable_workers(requested: int) -> int:
    """`requested` workers, capped by the cores this process may run on and by the
    memory available (more processes than cores only add memory and switching)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    by_memory = _available_memory() // WORKER_MEMORY if _available_memory() else cores
    return max(1, min(int(requested), cores, by_memory))


def _available_memory() -> int | None:
    """MemAvailable from /proc/meminfo, in bytes (None where there is none)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class Terminated(KeyboardInterrupt):
    """SIGTERM during a build: handled as Ctrl-C is (workers stopped, output all or nothing)."""


class _Signals:
    """What the parent's handler needs while a pool runs: how deep it is inside calls
    that must not be cut short, and the interruption that came meanwhile."""
    held = 0
    pending: type[KeyboardInterrupt] | None = None


def _raise_terminated(signum, frame):
    interruption = Terminated if signum == signal.SIGTERM else KeyboardInterrupt
    if _Signals.held:
        _Signals.pending = _Signals.pending or interruption
        return
    raise interruption()


@contextmanager
def uninterrupted():
    """Ctrl-C and SIGTERM wait until the block is done, then raise as usual.

    For the executor's own bookkeeping: a `submit` forks the workers, and one interrupted
    between a fork and the line that records the new process leaves a worker nobody
    stops, holding the build's stderr open (so a caller waiting for it waits for ever).
    """
    _Signals.held += 1
    try:
        yield
    finally:
        _Signals.held -= 1
        if not _Signals.held and _Signals.pending is not None:
            interruption, _Signals.pending = _Signals.pending, None
            raise interruption()


def stop_now(executor: ProcessPoolExecutor) -> None:
    """Stop `executor`'s workers at once and wait for its thread (a build failed or was
    interrupted: the queued chunks are of no use).

    A worker killed while it sends a result leaves half a message in the result pipe,
    and the executor's thread then waits for the rest for ever: this process holds the
    pipe's write end too, so no end-of-file comes. Closing that end gives the thread its
    end-of-file; it finds the pool broken and cleans up. (Seen: 1 build in 80 hung at
    SIGTERM, in `shutdown`, with the thread inside `recv`.)
    """
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.kill()      # workers own nothing: the parent writes every file
    for process in processes:
        process.join()
    results = getattr(executor, "_result_queue", None)
    if results is not None:
        results._writer.close()
    executor.shutdown(wait=True, cancel_futures=True)


def worker_start() -> None:
    """In each worker: SIGTERM kills it at once; Ctrl-C is for the parent to handle."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _Signals.held, _Signals.pending = 0, None     # as forked, perhaps inside `uninterrupted`


def spans(weights: Sequence[float], workers: int, most: int | None = None,
          heaviest: float | None = None) -> list[tuple[int, int]]:
    """Contiguous (start, stop) index ranges over `weights`, in order, of about equal
    total weight: CHUNKS_PER_WORKER per worker, none longer than `most` items, and none
    heavier than `heaviest` unless it is one item.

    spans([1] * 50, 2) -> [(0, 13), (13, 25), (25, 38), (38, 50)]
    """
    n = len(weights)
    if n == 0:
        return []
    want = max(1, workers) * CHUNKS_PER_WORKER
    if most:
        want = max(want, -(-n // most))
    total = sum(weights) or 1
    out, start, size, held = [], 0, 0.0, 0.0
    for i, weight in enumerate(weights):
        if heaviest and i > start and held + weight > heaviest:
            out.append((start, i))
            start, held = i, 0.0
        size += weight
        held += weight
        if size >= total * (len(out) + 1) / want or (most and i + 1 - start >= most):
            out.append((start, i + 1))
            start, held = i + 1, 0.0
    if start < n:
        out.append((start, n))
    return out


class Pool:
    """`workers` processes shared by the stages of one build (none when workers <= 1).

    Use as a context manager; `map` submits every chunk at once, so two maps issued one
    after the other keep all workers busy, and yields results in chunk order.
    """

    def __init__(self, workers: int):
        self.workers = usable_workers(workers)
        if self.workers < workers:
            log.info("%d workers asked, %d used (cores and memory available)", workers, self.workers)
        self._executor: Executor | None = None
        self._old_sigterm = self._old_sigint = None

    @property
    def serial(self) -> bool:
        return self.workers == 1

    def __enter__(self) -> Pool:
        # With workers, SIGTERM is turned into Terminated so that they are stopped too (the
        # parent then waits on futures, where a Python handler runs at once), and Ctrl-C
        # and SIGTERM wait for the executor's bookkeeping (`uninterrupted`). Without, the
        # default stays: the parent may be inside pdfium's C code, where a handler would wait.
        if not self.serial and threading.current_thread() is threading.main_thread():
            self._old_sigterm = signal.signal(signal.SIGTERM, _raise_terminated)
            self._old_sigint = signal.signal(signal.SIGINT, _raise_terminated)
        if not self.serial:
            self._executor = ProcessPoolExecutor(max_workers=self.workers, initializer=worker_start)
        return self

    def __exit__(self, kind, *exc) -> None:
        if self._executor is not None:
            with uninterrupted():
                if kind is not None:    # failed or interrupted: do not wait for the queued chunks
                    stop_now(self._executor)
                else:
                    self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._old_sigterm is not None:
            signal.signal(signal.SIGTERM, self._old_sigterm)
            signal.signal(signal.SIGINT, self._old_sigint)
            self._old_sigterm = self._old_sigint = None

    def each(self, func: Callable[[], None]) -> None:
        """func() once in each worker (a start-up that pays off later), not waited for;
        nothing without workers. One call per worker: while one takes the first, the
        others are idle and take the rest (a call that returns at once could let one
        worker take two, so func should take longer than a queue hand-off)."""
        if self._executor is not None:
            with uninterrupted():
                for _ in range(self.workers):
                    self._executor.submit(func)

    def map(self, func: Callable, chunks: Iterable[tuple]) -> Iterator:
        """func(*chunk) for every chunk (a tuple of arguments), results in order."""
        if self._executor is None:
            return (func(*args) for args in chunks)
        import collections

        with uninterrupted():
            futures = collections.deque(self._executor.submit(func, *args) for args in chunks)
        return _results(futures)


def _results(futures) -> Iterator:
    """Each future's result in order, the future let go as its result is taken: a done
    future keeps its result, and a list of them kept every page the readers sent back
    (155 MB at 5,000 pages) until the last one was read."""
    while futures:
        yield futures.popleft().result()
