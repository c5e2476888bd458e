"""Optional pre-trained weights for the slowest training cells, for slow laptops.

A notebook trains with :func:`fit_or_load` (or :func:`fit_or_load_timed`) instead of
``model.fit``; the translators of chapters 10-12 and the recall models of 04-06 do so
by passing :func:`fallback_fit` as the ``fit=`` function of the library's training helpers:
``train_translator(..., fit=fallback_fit(name, "float16"))`` and
``accuracy_vs_lag(..., fit=fallback_fit(name))``.
By default it trains, exactly as before. With ``RECURRENT_PRETRAINED=1`` in the
environment it loads the weights that ``scripts/train_fallbacks.py`` produced by running
that very notebook (so the weights come from the same seeded code) and skips training::

    RECURRENT_PRETRAINED=1 make lab

File format, ``weights/<name>.weights.h5``: plain HDF5 datasets ``0000``, ``0001``, ...
in the order of ``model.weights`` (each with its variable path as an attribute, for
error messages), gzip-compressed, written without timestamps so the same weights give
the same bytes. Loading reads arrays only (no pickle, no code). A JSON sidecar holds
the SHA-256, the storage dtype, the training history and the versions used; a file whose
checksum does not match is refused.

``store_dtype="float16"`` halves the file (used for the ~1.3M-parameter translators so
that no file exceeds a few MB); loaded weights are then the trained ones rounded to
float16, so results can differ slightly from a fresh run (measured: up to 0.3 BLEU in
chapter 12, identical figures in 10 and 11).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from course_utils.paths import repo_root
from course_utils.training import FitOutcome, fit_timed

ROOT = repo_root()
WEIGHTS_DIR = ROOT / "weights"
USE_ENV = "RECURRENT_PRETRAINED"
SAVE_ENV = "RECURRENT_SAVE_FALLBACK"
FORMAT = "recurrent-weights-1"
STORE_DTYPES = ("float32", "float16")
FALLBACK_CALL = re.compile(r"fit_or_load(_timed)?\(|fallback_fit\(")  # how a notebook's source marks a fallback point


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _paths(name: str) -> tuple[Path, Path]:
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"name must be letters, digits and underscores (e.g. 'ch03_simplernn'), got {name!r}")
    return WEIGHTS_DIR / f"{name}.weights.h5", WEIGHTS_DIR / f"{name}.json"


def available(name: str) -> bool:
    """Whether pre-trained weights for ``name`` are shipped."""
    weights, meta = _paths(name)
    return weights.is_file() and meta.is_file()


def save_weights(model: Any, path: str | Path, store_dtype: str = "float32") -> Path:
    """Write ``model.weights`` to ``path`` (HDF5, arrays only); floating-point arrays are
    stored as ``store_dtype`` ("float32" or "float16"). Returns the path."""
    import h5py

    if store_dtype not in STORE_DTYPES:
        raise ValueError(f"store_dtype must be one of {STORE_DTYPES}, got {store_dtype!r}")
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


def load_weights(model: Any, path: str | Path) -> None:
    """Set ``model``'s weights from a file written by :func:`save_weights`, cast to the
    model's own dtypes. Raises ``ValueError`` naming the first variable that does not fit."""
    import h5py

    path = Path(path)
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != FORMAT:
            raise ValueError(f"{path} is not a {FORMAT} file; rerun scripts/train_fallbacks.py to recreate it")
        stored = [(f[key].attrs["path"], f[key][()]) for key in sorted(f.keys())]
    variables = model.weights
    if len(stored) != len(variables):
        raise ValueError(f"{path.name} holds {len(stored)} arrays but the model has {len(variables)} weights: "
                         "the notebook's model changed since the file was made; rerun scripts/train_fallbacks.py")
    values = []
    for (stored_path, value), variable in zip(stored, variables):
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(f"{path.name}: {stored_path} has shape {value.shape} but the model's {variable.path} "
                             f"has {tuple(variable.shape)}; rerun scripts/train_fallbacks.py")
        values.append(value.astype(variable.dtype))
    model.set_weights(values)


def fit_or_load(model: Any, data: Any, epochs: int, name: str | None, store_dtype: str = "float32",
                **fit_kwargs: Any) -> dict[str, list[float]]:
    """Train ``model`` on ``data`` (``model.fit(data, epochs=..., verbose=0, **fit_kwargs)``) and
    return its history dict; or, when ``$RECURRENT_PRETRAINED`` is ``1`` and weights named
    ``name`` are shipped, load them and return the stored history instead. ``name=None``
    marks no fallback point: it always trains (and saves nothing).

    With ``$RECURRENT_SAVE_FALLBACK=1`` (set by ``scripts/train_fallbacks.py``) the trained
    weights are saved as ``name``, floating-point arrays in ``store_dtype``."""
    return fit_or_load_timed(model, data, epochs, name, store_dtype, **fit_kwargs).history


def fit_or_load_timed(model: Any, data: Any, epochs: int, name: str | None, store_dtype: str = "float32",
                      **fit_kwargs: Any) -> FitOutcome:
    """:func:`fit_or_load`, also returning the training seconds and whether weights were loaded."""
    if store_dtype not in STORE_DTYPES:
        raise ValueError(f"store_dtype must be one of {STORE_DTYPES}, got {store_dtype!r}")
    if name is not None:
        weights, meta_path = _paths(name)
    if name is not None and os.environ.get(USE_ENV) == "1":
        if not available(name):
            print(f"No pre-trained weights named {name!r} in {WEIGHTS_DIR}; training instead.")
        else:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if _sha256(weights) != meta["sha256"]:
                raise ValueError(f"{weights} does not match the checksum in {meta_path.name}; "
                                 "restore it with `git checkout weights/` or rerun scripts/train_fallbacks.py")
            load_weights(model, weights)
            rounded = " (stored in float16: figures may differ slightly from a fresh run)" \
                if meta["store_dtype"] == "float16" else ""
            print(f"Loaded pre-trained weights {weights.name}{rounded}, made by scripts/train_fallbacks.py "
                  f"on {meta['made_on']} in {meta['train_seconds']:.0f} s of training; training skipped.")
            return FitOutcome(meta["history"], float(meta["train_seconds"]), True)
    history, seconds, _ = fit_timed(model, data, epochs, **fit_kwargs)
    if name is not None and os.environ.get(SAVE_ENV) == "1":
        from .env import versions

        WEIGHTS_DIR.mkdir(exist_ok=True)
        save_weights(model, weights, store_dtype)
        meta = {"name": name, "format": FORMAT, "store_dtype": store_dtype, "sha256": _sha256(weights),
                "parameters": int(model.count_params()), "epochs": epochs, "train_seconds": round(seconds, 1),
                "made_on": time.strftime("%Y-%m-%d"), "versions": versions(), "history": history}
        meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        print(f"Saved {weights.name} ({weights.stat().st_size / 1e6:.1f} MB, {store_dtype}) for slow machines.")
    return FitOutcome(history, seconds, False)


def fallback_fit(name: str, store_dtype: str = "float32") -> Callable[..., FitOutcome]:
    """A ``fit=`` function for the library's training helpers (the signature of
    :func:`course_utils.training.fit_timed`) that makes them the slow-machine fallback point
    ``name``: :func:`fit_or_load_timed` under that name, or ``<name>_<part>`` when the helper
    fits several models (``accuracy_vs_lag`` passes ``part="lag<lag>"``)."""
    _paths(name)  # a bad name fails here, before any training
    if store_dtype not in STORE_DTYPES:
        raise ValueError(f"store_dtype must be one of {STORE_DTYPES}, got {store_dtype!r}")

    def fit(model: Any, data: Any, epochs: int, part: str | None = None, **fit_kwargs: Any) -> FitOutcome:
        point = name if part is None else f"{name}_{part}"
        return fit_or_load_timed(model, data, epochs, point, store_dtype, **fit_kwargs)

    return fit
