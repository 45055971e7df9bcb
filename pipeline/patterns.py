"""Compiled patterns, kept on disk between runs.

The `regex` module parses and compiles a pattern in Python: the finders' forms took
0.19 s of every process's start-up (dates alone 0.11 s), more than the rest of it.
A compiled `regex` pattern pickles with its compiled code (unpickling hands that code
to regex's C compiler), so all of them load from one file in ~2 ms. The file is keyed
on the regex build and Python's version; a pattern not in it is compiled as usual and
the file rewritten at `save()`, which the build's parent calls once it holds every
pattern its workers need (they are forked from it). Only constant patterns go
through here: one built from a document's own words would grow the file with each.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path

import regex

log = logging.getLogger(__name__)

#: Beyond this many patterns, `save` keeps only the ones this process used (the rest
#: are patterns of code since changed).
MOST_KEPT = 2000

_table: dict[tuple[str, int], regex.Pattern] | None = None
_used: set[tuple[str, int]] = set()
_changed = False


def compile(pattern: str, flags: int = 0) -> regex.Pattern:
    """regex.compile(pattern, flags), from the cache when it is there."""
    global _changed
    table = _loaded()
    key = (pattern, int(flags))
    _used.add(key)
    found = table.get(key)
    if found is None:
        found = table[key] = regex.compile(pattern, flags)
        _changed = True
    return found


def save() -> None:
    """Write the patterns compiled since the file was read (atomically; skipped when
    nothing is new or the cache cannot be written, which only costs compiling again)."""
    global _changed
    if not _changed:
        return
    table = _loaded()
    if len(table) > MOST_KEPT:
        table = {key: table[key] for key in _used}
    path = cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as fh:
            pickle.dump(table, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(fh.name, path)
        _changed = False
    except OSError as exc:
        log.debug("pattern cache not written (%s): %s", path, exc)


def cache_root() -> Path:
    """$POLICY_PIPELINE_CACHE, or the repository's gitignored .cache: where the build's
    caches live (patterns here, the segmenter in pipeline.segment, OCR in pipeline.ocr)."""
    base = os.environ.get("POLICY_PIPELINE_CACHE")
    return Path(base) if base else Path(__file__).resolve().parent.parent / ".cache"


def cache_file() -> Path:
    """cache_root()/patterns/…, one file per regex build."""
    root = cache_root()
    engine = Path(regex._regex.__file__)
    stat = engine.stat()
    key = repr((regex.__version__, engine.name, stat.st_size, stat.st_mtime_ns, sys.version))
    return root / "patterns" / f"regex-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pickle"


def _loaded() -> dict[tuple[str, int], regex.Pattern]:
    global _table
    if _table is None:
        _table = {}
        try:
            with open(cache_file(), "rb") as fh:
                table = pickle.load(fh)
            if isinstance(table, dict):
                _table = table
        except Exception as exc:    # missing, cut short or from another build: compile instead
            if not isinstance(exc, FileNotFoundError):
                log.debug("pattern cache not read: %s", exc)
    return _table
