"""Preparing a corpus: read its source once, split it, write the splits with their checksums
(:func:`prepare`), and say what is installed and prepared (:func:`corpus_status`).

Prepared corpora live under :func:`cache_root`; every load checks them against their
SHA-256 checksums and rebuilds a corrupted or half-written cache.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..paths import repo_root
from ._cache import CacheError, read_manifest, read_split, write_corpus
from ._sources import SourceMissingError
from ._splits import SPLITS
from .registry import CORPORA, corpus_spec, split_records

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["cache_root", "corpus_status", "expected_checksums", "load_records", "prepare"]


def _repo_datasets_dir() -> Path | None:
    candidate = repo_root() / "datasets"
    return candidate if candidate.is_dir() else None


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where prepared corpora live: ``cache_dir``, else ``$RECURRENT_DATA_DIR``,
    else the repository's ``datasets/cache``, else ``~/.cache/recurrent``."""
    if cache_dir is not None:
        return Path(cache_dir)
    if env := os.environ.get("RECURRENT_DATA_DIR"):
        return Path(env)
    repo = _repo_datasets_dir()
    return repo / "cache" if repo else Path.home() / ".cache" / "recurrent"


def expected_checksums() -> dict[str, Any]:
    """The checksums recorded in ``datasets/checksums.json`` (empty if not shipped)."""
    repo = _repo_datasets_dir()
    path = repo / "checksums.json" if repo else None
    if path is None or not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def prepare(
    name: str,
    cache_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    verbose: bool = True,
) -> dict[str, Any]:
    """Build (or verify) the cached splits of corpus ``name``; return its manifest.

    An intact cache is only verified. A missing, half-written or corrupted one is
    rebuilt from the source package. Raises SourceMissingError, naming the install
    command, when a source is not installed.
    """
    spec = corpus_spec(name)
    corpus_dir = cache_root(cache_dir) / name
    if not force:
        try:
            return read_manifest(corpus_dir)
        except CacheError as exc:
            if corpus_dir.exists():
                warnings.warn(f"Rebuilding the {name!r} cache: {exc}", stacklevel=2)
    for source in spec.sources:  # fail early, with the install command
        source.locate()
    t0 = time.perf_counter()
    records = spec.read()
    if not records:
        raise SourceMissingError(f"The source of {name!r} yielded no records. Reinstall it with:  {spec.sources[0].install}")
    splits = split_records(spec, records)
    meta = {
        "corpus": name,
        "sources": [
            {"package": s.package, "version": s.installed_version() or s.version, "registry": s.registry}
            for s in spec.sources
        ],
    }
    manifest = write_corpus(corpus_dir, splits, meta)
    if verbose:
        counts = ", ".join(f"{s} {manifest['files'][s + '.jsonl']['records']:,}" for s in SPLITS)
        print(f"Prepared {name}: {counts} records in {time.perf_counter() - t0:.1f} s -> {corpus_dir}")
    _compare_with_card(name, manifest)
    return manifest


def _compare_with_card(name: str, manifest: dict[str, Any]) -> None:
    expected = expected_checksums().get(name)
    if expected and expected.get("sha256") != manifest["sha256"]:
        warnings.warn(
            f"The prepared {name!r} corpus has checksum {manifest['sha256'][:12]}…, but its dataset card "
            f"records {expected['sha256'][:12]}… for {expected.get('sources')}. Your source package version "
            f"probably differs from the pinned one ({manifest['sources']}); results may differ from the course's.",
            stacklevel=3,
        )


def load_records(name: str, cache_dir: str | os.PathLike[str] | None) -> tuple[dict[str, list[dict[str, Any]]], str]:
    """The prepared records of corpus ``name``, per split, and the corpus checksum (prepared first if needed)."""
    manifest = prepare(name, cache_dir=cache_dir, verbose=False)
    corpus_dir = cache_root(cache_dir) / name
    return {s: read_split(corpus_dir, s) for s in SPLITS}, manifest["sha256"]


def corpus_status(cache_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """One row per corpus (index ``corpus``): its title, whether its sources are installed
    (``available``) and, if so, its split sizes (train, validation, test records);
    otherwise ``note`` says how to install it."""
    import pandas as pd

    rows = []
    for name, spec in CORPORA.items():
        row: dict[str, Any] = {"corpus": name, "title": spec.title}
        try:
            for source in spec.sources:
                source.locate()
        except SourceMissingError as exc:
            row.update(available=False, note=str(exc).split("Install it with:")[-1].strip())
            rows.append(row)
            continue
        manifest = prepare(name, cache_dir=cache_dir, verbose=False)
        row.update(available=True, **{s: manifest["files"][f"{s}.jsonl"]["records"] for s in SPLITS})
        rows.append(row)
    table = pd.DataFrame(rows).set_index("corpus")
    for split in SPLITS:  # whole numbers, also when a missing corpus leaves a gap
        if split in table:
            table[split] = table[split].astype("Int64")
    return table

