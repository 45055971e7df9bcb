"""A corpus build here and on a local Dask cluster: throughput, scheduling share, memory.

    python bench/corpus.py                      # 20 sources of 10 pages, 2 cluster workers
    python bench/corpus.py --sources 40 --pages 5 --workers 2 --json

The corpus is made by tools/corpus_sample.py: windows of the two seed flipbook exports,
each source its own edition and bytes. Both builds stamp the same built_at, and the
bench checks that they wrote the same bytes. Reported per mode:

- pages/s: pages built over the wall time of the build (the cluster's start-up, timed
  apart, not included);
- scheduling share: 1 - (time inside the tasks) / (workers x wall time), the part of
  the workers' time not spent building: Dask's scheduling, transfers, and workers idle
  at the end waiting for the last source;
- memory: peak RSS of each process that built (the local parent with its page and
  extraction processes; each cluster worker).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from corpus_sample import make_corpus  # noqa: E402
from pipeline import __version__  # noqa: E402
from pipeline.corpus import find_sources, plan, run, source_hashes  # noqa: E402

BUILT_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def measure(corpus: Path, out: Path, workers: int, client=None) -> dict:
    jobs = plan(source_hashes(find_sources([corpus])), {}, __version__)
    start = time.perf_counter()
    outcomes = run(jobs, out, BUILT_AT, __version__, workers=workers, client=client)
    wall = time.perf_counter() - start
    failed = [o.message for o in outcomes if o.status != "built"]
    if failed:
        raise SystemExit(f"bench: {len(failed)} source(s) failed: {failed[0]}")
    pages = sum(o.pages for o in outcomes)
    busy = sum(o.seconds for o in outcomes)
    result = {"sources": len(outcomes), "pages": pages, "seconds": round(wall, 2),
              "pages_per_s": round(pages / wall, 2),
              "mean_task_s": round(busy / len(outcomes), 2), "digest": digest(out)}
    if client is None:
        # Sources run one after another here; each starts `workers` processes.
        result["scheduling_share"] = None
        result["peak_rss_mb"] = {
            "parent": _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024),
            "largest child": _mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)}
    else:
        n = len(client.scheduler_info()["workers"])
        result["scheduling_share"] = round(1 - busy / (n * wall), 3)
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        result["peak_rss_mb"] = {f"worker {i}": _mb(v) for i, v in enumerate(peaks.values())}
    return result


def _mb(n: int) -> float:
    return round(n / 2**20, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="local: processes per source; cluster: workers")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        tmp = Path(tmp)
        make_corpus(tmp / "raw", args.sources, args.pages)
        results = {"local": measure(tmp / "raw", tmp / "local", args.workers)}
        start = time.perf_counter()
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.wait_for_workers(args.workers)
            startup = time.perf_counter() - start
            results["cluster"] = measure(tmp / "raw", tmp / "cluster", args.workers, client)
            results["cluster"]["startup_s"] = round(startup, 2)
    same = results["local"].pop("digest") == results["cluster"].pop("digest")
    results["same_bytes"] = same
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print(f"corpus: {args.sources} sources x {args.pages} pages, {args.workers} workers; "
              f"same bytes local and cluster: {same}")
        for mode, r in (("local", results["local"]), ("cluster", results["cluster"])):
            share = "" if r["scheduling_share"] is None else f", scheduling {r['scheduling_share']:.1%}"
            extra = f", start-up {r['startup_s']} s (not counted)" if "startup_s" in r else ""
            memory = ", ".join(f"{k} {v} MB" for k, v in r["peak_rss_mb"].items())
            print(f"  {mode:8}{r['pages']} pages in {r['seconds']} s = {r['pages_per_s']} pages/s; "
                  f"{r['mean_task_s']} s per source{share}{extra}; peak RSS {memory}")
    if not same:
        raise SystemExit("bench: the cluster build wrote other bytes than the local build")


if __name__ == "__main__":
    main()
