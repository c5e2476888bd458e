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

A comma-separated list of names loads those points only and trains the others
(``RECURRENT_PRETRAINED=ch07_pos_bilstm,ch07_ner_bilstm``): ``make test`` does so for a deep dive
that repeats its chapter's training (:func:`repeated_points`), since the chapter's own run in the
same session already trains and checks those models live.

The files are the course's one weight store (:mod:`course_utils.references.store`, shared
with the reference models): ``weights/<name>.weights.h5`` holds the arrays (no pickle, no
code) and ``weights/<name>.json`` the sidecar, with the SHA-256, the storage dtype, the
training history and the versions used; a file whose checksum does not match is refused.

``store_dtype="float16"`` halves the file (used for the ~1.3M-parameter translators so
that no file exceeds a few MB); loaded weights are then the trained ones rounded to
float16, so results can differ slightly from a fresh run (measured: up to 0.3 BLEU in
chapter 12, identical figures in 10 and 11).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course_utils.paths import repo_root
from course_utils.references.store import (
    FORMAT,
    STORE_DTYPES,
    load_weights,
    read_sidecar,
    stamp_weights,
    verify,
    write_sidecar,
)
from course_utils.training import FitOutcome, fit_timed

from .env import versions

__all__ = ["FALLBACK_CALL", "FIX", "FORMAT", "SAVE_ENV", "STORE_DTYPES", "USE_ENV", "WEIGHTS_DIR", "available",
           "fallback_fit", "fit_or_load", "fit_or_load_timed", "repeated_points", "wants_shipped"]

ROOT = repo_root()
WEIGHTS_DIR = ROOT / "weights"
USE_ENV = "RECURRENT_PRETRAINED"
SAVE_ENV = "RECURRENT_SAVE_FALLBACK"
FIX = "rerun scripts/train_fallbacks.py"  # how every slow-machine weights file is remade
FALLBACK_CALL = re.compile(r"fit_or_load(_timed)?\(|fallback_fit\(")  # how a notebook's source marks a fallback point


def _paths(name: str) -> tuple[Path, Path]:
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"name must be letters, digits and underscores (e.g. 'ch03_simplernn'), got {name!r}")
    return WEIGHTS_DIR / f"{name}.weights.h5", WEIGHTS_DIR / f"{name}.json"


def _check_dtype(store_dtype: str) -> None:
    if store_dtype not in STORE_DTYPES:
        raise ValueError(f"store_dtype must be one of {STORE_DTYPES}, got {store_dtype!r}")


def available(name: str) -> bool:
    """Whether pre-trained weights for ``name`` are shipped."""
    weights, meta = _paths(name)
    return weights.is_file() and meta.is_file()


def wants_shipped(name: str) -> bool:
    """Whether ``$RECURRENT_PRETRAINED`` asks for the shipped weights ``name``: ``1`` asks for every
    fallback point, a comma-separated list of names for those only."""
    value = os.environ.get(USE_ENV, "").strip()
    return value == "1" or (bool(name) and name in {part.strip() for part in value.split(",")})


_WEIGHTS_LITERAL = re.compile(r"[\"'](ch\d\d_\w+)[\"']")  # how a notebook names a chapter's weights


def _code(notebook: Path) -> str:
    """The source of a notebook's code cells, joined."""
    import nbformat

    return "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")


def _point_names(code: str) -> set[str]:
    """The shipped weights that notebook code names as string literals (``"ch07_pos_bilstm"``)."""
    return {n for n in _WEIGHTS_LITERAL.findall(code) if available(n)}


def repeated_points(deep_dive: Path, chapter: Path) -> list[str]:
    """The fallback points (shipped weights) that a deep dive and its chapter both name: the deep
    dive repeats the chapter's training of those models, with the chapter's settings, so where the
    chapter's run trains them live, the deep dive's run may load them (``07a`` and ``07``:
    ``ch07_ner_bilstm`` and ``ch07_pos_bilstm``; ``07a``'s forward-only tagger is its own). Sorted."""
    code = _code(deep_dive)
    if not FALLBACK_CALL.search(code):
        return []
    return sorted(_point_names(code) & _point_names(_code(chapter)))


def fit_or_load(model: Any, data: Any, epochs: int, name: str | None, store_dtype: str = "float32",
                **fit_kwargs: Any) -> dict[str, list[float]]:
    """Train ``model`` on ``data`` (``model.fit(data, epochs=..., verbose=0, **fit_kwargs)``) and
    return its history dict; or, when ``$RECURRENT_PRETRAINED`` asks for them (:func:`wants_shipped`:
    ``1``, or a list that holds ``name``) and weights named ``name`` are shipped, load them and
    return the stored history instead. ``name=None`` marks no fallback point: it always trains
    (and saves nothing).

    With ``$RECURRENT_SAVE_FALLBACK=1`` (set by ``scripts/train_fallbacks.py``) the trained
    weights are saved as ``name``, floating-point arrays in ``store_dtype``."""
    return fit_or_load_timed(model, data, epochs, name, store_dtype, **fit_kwargs).history


def fit_or_load_timed(model: Any, data: Any, epochs: int, name: str | None, store_dtype: str = "float32",
                      **fit_kwargs: Any) -> FitOutcome:
    """:func:`fit_or_load`, also returning the training seconds and whether weights were loaded."""
    _check_dtype(store_dtype)
    if name is not None:
        _paths(name)  # a bad name fails here, before any training
    if name is not None and wants_shipped(name):
        if not available(name):
            print(f"No pre-trained weights named {name!r} in {WEIGHTS_DIR}; training instead.")
        else:
            return _load(model, name)
    history, seconds, _ = fit_timed(model, data, epochs, **fit_kwargs)
    if name is not None and os.environ.get(SAVE_ENV) == "1":
        _save(model, name, store_dtype, epochs, seconds, history)
    return FitOutcome(history, seconds, False)


def fallback_fit(name: str, store_dtype: str = "float32") -> Callable[..., FitOutcome]:
    """A ``fit=`` function for the library's training helpers (the signature of
    :func:`course_utils.training.fit_timed`) that makes them the slow-machine fallback point
    ``name``: :func:`fit_or_load_timed` under that name, or ``<name>_<part>`` when the helper
    fits several models (``accuracy_vs_lag`` passes ``part="lag<lag>"``)."""
    _paths(name)  # a bad name fails here, before any training
    _check_dtype(store_dtype)

    def fit(model: Any, data: Any, epochs: int, part: str | None = None, **fit_kwargs: Any) -> FitOutcome:
        point = name if part is None else f"{name}_{part}"
        return fit_or_load_timed(model, data, epochs, point, store_dtype, **fit_kwargs)

    return fit


def _load(model: Any, name: str) -> FitOutcome:
    """Set ``model``'s weights from the shipped file ``name`` (checksum verified); the stored history."""
    weights, meta_path = _paths(name)
    meta = read_sidecar(meta_path)
    verify(weights, meta_path, meta["sha256"], f"restore it with `git checkout weights/` or {FIX}")
    load_weights(model, weights, fix=FIX)
    rounded = " (stored in float16: figures may differ slightly from a fresh run)" \
        if meta["store_dtype"] == "float16" else ""
    print(f"Loaded pre-trained weights {weights.name}{rounded}, made by scripts/train_fallbacks.py "
          f"on {meta['made_on']} in {meta['train_seconds']:.0f} s of training; training skipped.")
    return FitOutcome(meta["history"], float(meta["train_seconds"]), True)


def _save(model: Any, name: str, store_dtype: str, epochs: int, seconds: float,
          history: dict[str, list[float]]) -> None:
    """Store ``model``'s weights as fallback ``name``, with a sidecar in the store's one style."""
    weights, meta_path = _paths(name)
    WEIGHTS_DIR.mkdir(exist_ok=True)
    meta = {"name": name, **stamp_weights(model, weights, store_dtype), "epochs": epochs,
            "train_seconds": round(seconds, 1), "made_on": time.strftime("%Y-%m-%d"), "versions": versions(),
            "history": history}
    write_sidecar(meta_path, meta)
    print(f"Saved {weights.name} ({weights.stat().st_size / 1e6:.1f} MB, {store_dtype}) for slow machines.")
