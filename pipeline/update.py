"""Keep a dataset in step with a folder of sources (`python -m pipeline update`, what
`make` runs): which sources to build, which editions to remove.

Done here rather than in make because make cannot name files with spaces, and cannot
tell that a deleted file leaves an edition behind. A stamp per edition under
OUT/.built/<ID>.json records the source's name and SHA-256 and a hash of the pipeline
(code, data files, schemas): a source is rebuilt when any of them changed.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import dataset
from .sources import file_sha256

SOURCE_SUFFIXES = {".pdf", ".txt"}      # compared case-insensitively: scanners write .PDF
PIPELINE_ROOT = Path(__file__).resolve().parent


@dataclass
class Plan:
    build: list[tuple[Path, str]] = field(default_factory=list)      # (source, edition) to (re)build
    remove: list[str] = field(default_factory=list)                  # editions whose source is gone
    current: list[str] = field(default_factory=list)                 # editions already up to date
    skipped: list[tuple[str, str]] = field(default_factory=list)     # (file name, why)
    refused: list[tuple[str, str]] = field(default_factory=list)     # (file names, why): an error each


def pipeline_hash() -> str:
    """Hash of everything a build depends on besides the source: code, data, schemas."""
    digest = hashlib.sha256()
    files = [p for p in sorted(PIPELINE_ROOT.rglob("*"))
             if p.is_file() and p.suffix in {".py", ".c", ".json", ".csv", ".txt", ".tsv"} and "__pycache__" not in p.parts]
    files += sorted(dataset.SCHEMA_DIR.glob("*.json"))
    for p in files:
        digest.update(p.name.encode())
        digest.update(p.read_bytes())
    return digest.hexdigest()


def sources(raw_dir: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """Sources of raw_dir in name order, and the files left out with the reason.

    A text export <stem>-<variant>.txt beside <stem>.pdf (2023-flipbook.txt beside
    2023.pdf) is the same compilation from a second source: left out, so one
    compilation is one edition and a sum over all editions counts nothing twice."""
    files = sorted(p for p in raw_dir.iterdir()
                   if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SOURCE_SUFFIXES)
    pdf_stems = {p.stem for p in files if p.suffix.lower() == ".pdf"}
    keep, skipped = [], []
    for p in files:
        twin = next((s for s in pdf_stems if p.suffix.lower() == ".txt" and p.stem.startswith(s + "-")), None)
        if twin:
            skipped.append((p.name, f"second source of {twin}.pdf's compilation"))
        else:
            keep.append(p)
    return keep, skipped


def _stamp_dir(out: Path) -> Path:
    return out / ".built"


def plan(raw_dir: Path, out: Path) -> Plan:
    """What `update` must do; raises EditionIdError for a file name that makes no edition id."""
    result = Plan()
    found, result.skipped = sources(raw_dir)
    code = pipeline_hash()
    built = set(dataset.editions_in(out))
    wanted: dict[str, Path] = {}
    by_edition: dict[str, list[Path]] = {}
    for source in found:
        try:
            edition = dataset.edition_from_name(source.stem)
        except dataset.EditionIdError as exc:
            result.refused.append((source.name, f"{exc}; rename the file"))
            continue
        by_edition.setdefault(edition, []).append(source)
    for edition, same in by_edition.items():
        if len(same) > 1:   # 2024.pdf and 2024.txt: which one is edition 2024? Neither, until renamed.
            result.refused.append((" and ".join(p.name for p in same),
                                   f"both would be edition {edition}; rename or remove one "
                                   "(edition left as it was)"))
            wanted[edition] = same[0]     # kept, not removed: its stamp stays
            continue
        source = same[0]
        wanted[edition] = source
        stamp = _stamp_dir(out) / f"{edition}.json"
        old = json.loads(stamp.read_text("utf-8")) if stamp.exists() else {}
        fresh = (edition in built and old.get("source") == source.name and old.get("pipeline") == code
                 and old.get("sha256") == file_sha256(source))
        (result.current if fresh else result.build).append(edition if fresh else (source, edition))
    for stamp in sorted(_stamp_dir(out).glob("*.json")) if _stamp_dir(out).exists() else []:
        if stamp.stem not in wanted:
            result.remove.append(stamp.stem)
    return result


def stamp(out: Path, source: Path, edition: str) -> None:
    target = _stamp_dir(out) / f"{edition}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"source": source.name, "sha256": file_sha256(source),
                                  "pipeline": pipeline_hash()}) + "\n", "utf-8")


def remove(out: Path, edition: str) -> None:
    """Remove an edition that update built, with its stamp."""
    dataset.remove_edition(out, edition)
    (_stamp_dir(out) / f"{edition}.json").unlink(missing_ok=True)


def drop_old_layout(out: Path) -> list[Path]:
    """Folders of the hive layout of dataset format 1 (OUT/<table>/edition=<ID>/), which
    readers would mix with the current one; removed so they are rebuilt."""
    old = sorted(p for p in out.glob("*/edition=*") if p.is_dir())
    for p in old:
        shutil.rmtree(p)
    legacy_stamps = _stamp_dir(out)
    for p in legacy_stamps.glob("*.stamp") if legacy_stamps.exists() else []:
        p.unlink()
    return old
