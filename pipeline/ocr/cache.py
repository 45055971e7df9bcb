"""The OCR cache: the engine's raw lines for a page image, by the image's hash.

Kept under $POLICY_PIPELINE_CACHE/ocr (default: the repository's .cache/ocr), keyed by
the hash of the rendered image, the engine's version and the settings that shape its
input, so a rebuild does not OCR again; clean-up and filtering run on every read, so
changing them needs no purge. Files are written atomically: parallel workers never see
half a file.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """$POLICY_PIPELINE_CACHE/ocr, or the repository's .cache/ocr."""
    from ..patterns import cache_root

    return cache_root() / "ocr"


def cache_key(pixels: bytes, settings: str) -> str:
    h = hashlib.sha256(pixels)
    h.update(f"\0{settings}".encode())
    return h.hexdigest()


def cache_read(key: str) -> list[dict] | None:
    path = cache_dir() / key[:2] / f"{key}.json"
    try:
        return json.loads(path.read_text("utf-8"))["lines"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def cache_write(key: str, settings: str, lines: list[dict]) -> None:
    folder = cache_dir() / key[:2]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False) as fh:
            json.dump({"settings": settings, "lines": lines}, fh, ensure_ascii=False)
        os.replace(fh.name, folder / f"{key}.json")
    except OSError as exc:
        log.debug("OCR cache not written (%s)", exc)
