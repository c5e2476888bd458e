"""The course's checksummed weight store: one file format and one sidecar style for every stored model.

Both the reference models (``weights/reference/``) and the slow-machine fallback weights
(``weights/``) are written and read here.

File format, ``<name>.weights.h5``: plain HDF5 datasets ``0000``, ``0001``, ... in the order of
``model.weights`` (each with its variable path as an attribute, for error messages),
gzip-compressed, written without timestamps so that the same weights give the same bytes.
Loading reads arrays only (no pickle, no code). Floating-point arrays are stored as
``float32`` or ``float16`` (half the bytes; loaded weights are then the trained ones rounded).

Sidecar, ``<name>.json``: what :func:`stamp_weights` returns (``format``, ``store_dtype``,
``bytes``, ``sha256``, ``parameters``) plus whatever the writer records, written by
:func:`write_sidecar` (indent 1, UTF-8 kept as is). :func:`verify` refuses a weights file whose
SHA-256 differs from its sidecar's.

h5py is imported inside the two functions that open a file, so importing this module is cheap.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FORMAT", "STORE_DTYPES", "file_sha256", "load_weights", "read_sidecar", "save_weights",
           "stamp_weights", "verify", "write_sidecar"]

FORMAT = "recurrent-weights-1"
STORE_DTYPES = ("float32", "float16")
_REMAKE = "remake the file with the code that wrote it"


def _check_dtype(store_dtype: str) -> None:
    if store_dtype not in STORE_DTYPES:
        raise ValueError(f"store_dtype must be one of {STORE_DTYPES}, got {store_dtype!r}")


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of the file at ``path``, as 64 hex digits."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save_weights(model: Any, path: str | Path, store_dtype: str = "float32") -> Path:
    """Write ``model.weights`` to ``path`` (HDF5, arrays only); floating-point arrays are
    stored as ``store_dtype`` ("float32" or "float16"). Returns the path."""
    import h5py

    _check_dtype(store_dtype)
    path = Path(path)
    # No track_order: a group that tracks creation order gets a newer object header, which
    # stores modification times, and then two saves of the same weights differ in bytes.
    with h5py.File(path, "w") as f:
        f.attrs["format"] = FORMAT
        f.attrs["store_dtype"] = store_dtype
        for i, (variable, value) in enumerate(zip(model.weights, model.get_weights())):
            value = np.asarray(value)
            if np.issubdtype(value.dtype, np.floating):
                value = value.astype(store_dtype)
            data = f.create_dataset(f"{i:04d}", data=value, compression="gzip", compression_opts=9,
                                    shuffle=True, track_times=False)
            data.attrs["path"] = variable.path
    return path


def load_weights(model: Any, path: str | Path, fix: str = _REMAKE) -> None:
    """Set ``model``'s weights from a file written by :func:`save_weights`, cast to the
    model's own dtypes. Raises ``ValueError`` naming the first variable that does not fit,
    followed by ``fix`` (how to remake the file)."""
    import h5py

    path = Path(path)
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != FORMAT:
            raise ValueError(f"{path} is not a {FORMAT} file; {fix} to recreate it")
        stored = [(f[key].attrs["path"], f[key][()]) for key in sorted(f.keys())]
    variables = model.weights
    if len(stored) != len(variables):
        raise ValueError(f"{path.name} holds {len(stored)} arrays but the model has {len(variables)} weights: "
                         f"the model changed since the file was made; {fix}")
    values = []
    for (stored_path, value), variable in zip(stored, variables):
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(f"{path.name}: {stored_path} has shape {value.shape} but the model's {variable.path} "
                             f"has {tuple(variable.shape)}; {fix}")
        values.append(value.astype(variable.dtype))
    model.set_weights(values)


def stamp_weights(model: Any, path: str | Path, store_dtype: str, max_bytes: int | None = None) -> dict[str, Any]:
    """Save ``model``'s weights to ``path`` (:func:`save_weights`) and return the sidecar's
    record of them: ``format``, ``store_dtype``, ``bytes``, ``sha256``, ``parameters``. A file
    over ``max_bytes`` is deleted and refused."""
    path = save_weights(model, path, store_dtype)
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        path.unlink()
        raise ValueError(f"{path.name} would be {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB "
                         "limit; make the model smaller")
    return {"format": FORMAT, "store_dtype": store_dtype, "bytes": size, "sha256": file_sha256(path),
            "parameters": int(model.count_params())}


def verify(weights: str | Path, sidecar_path: str | Path, expected_sha256: str, fix: str) -> None:
    """Raise ``ValueError`` (ending in ``fix``) if the file ``weights`` does not have the SHA-256
    that its sidecar at ``sidecar_path`` records."""
    if file_sha256(weights) != expected_sha256:
        raise ValueError(f"{weights} does not match the checksum in {Path(sidecar_path).name}; {fix}")


def read_sidecar(path: str | Path) -> dict[str, Any]:
    """The sidecar (JSON) at ``path``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_sidecar(path: str | Path, meta: dict[str, Any]) -> None:
    """Write ``meta`` to ``path`` in the store's one JSON style: indent 1, non-ASCII kept, a final newline."""
    Path(path).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
