"""A small checksummed on-disk cache for prepared splits.

Layout of one corpus::

    <cache_dir>/<corpus>/manifest.json
    <cache_dir>/<corpus>/train.jsonl  validation.jsonl  test.jsonl

The manifest is written last and records the SHA-256 and record count of every
split file. A cache whose manifest is missing (a half-written build) or whose
files do not match it (a corrupted build) is reported as invalid, and the
loader rebuilds it. Builds happen in a temporary folder that is renamed into
place, so readers never see a partial corpus.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class CacheError(RuntimeError):
    """The cached copy of a corpus is missing, half-written or corrupted."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def combined_checksum(files: Mapping[str, Mapping[str, Any]]) -> str:
    """One SHA-256 over the per-file checksums, in file-name order."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(f"{name}:{files[name]['sha256']}\n".encode())
    return h.hexdigest()


def write_corpus(
    corpus_dir: Path,
    splits: Mapping[str, Sequence[Mapping[str, Any]]],
    meta: Mapping[str, Any],
) -> dict[str, Any]:
    """Atomically write ``splits`` (split name -> list of JSON records) and a manifest."""
    corpus_dir = Path(corpus_dir)
    corpus_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{corpus_dir.name}.tmp-", dir=corpus_dir.parent))
    try:
        files: dict[str, dict[str, Any]] = {}
        for split, records in splits.items():
            path = tmp / f"{split}.jsonl"
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                for rec in records:
                    f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
            files[path.name] = {"sha256": sha256_file(path), "records": len(records)}
        manifest = {
            "format_version": FORMAT_VERSION,
            **meta,
            "files": files,
            "sha256": combined_checksum(files),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if corpus_dir.exists():
            shutil.rmtree(corpus_dir)
        os.replace(tmp, corpus_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def read_manifest(corpus_dir: Path) -> dict[str, Any]:
    """Return the manifest after checking every file against it; raise CacheError otherwise."""
    corpus_dir = Path(corpus_dir)
    path = corpus_dir / MANIFEST
    if not path.is_file():
        raise CacheError(f"{corpus_dir} has no {MANIFEST} (never built, or the build was interrupted)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise CacheError(f"{path} is unreadable: {exc}") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise CacheError(f"{path} has format {manifest.get('format_version')}, expected {FORMAT_VERSION}")
    for name, info in files.items():
        fpath = corpus_dir / name
        if not fpath.is_file():
            raise CacheError(f"{fpath} is missing")
        actual = sha256_file(fpath)
        if actual != info.get("sha256"):
            raise CacheError(f"{fpath} is corrupted: sha256 {actual[:12]}… but the manifest says {str(info.get('sha256'))[:12]}…")
    if combined_checksum(files) != manifest.get("sha256"):
        raise CacheError(f"{path}: the combined checksum does not match its files")
    return manifest


def read_split(corpus_dir: Path, split: str) -> list[dict[str, Any]]:
    """Read one split file as a list of JSON records (call read_manifest first)."""
    with open(Path(corpus_dir) / f"{split}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]
