"""Optional pre-trained weights for the slowest training cells, for slow laptops.

A notebook trains with :func:`fit_or_load` instead of ``model.fit``. By default it
trains, exactly as before. With ``RECURRENT_PRETRAINED=1`` in the environment it
loads the weights that ``scripts/train_fallbacks.py`` produced by running that very
notebook (so the weights come from the same seeded code, bit for bit on the machine
that made them) and skips training::

    RECURRENT_PRETRAINED=1 make lab

Weights are stored as ``weights/<name>.weights.h5`` (HDF5 tensors, no pickle) with a
JSON sidecar holding their SHA-256, the training history and the versions used. A
file whose checksum does not match is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS_DIR = ROOT / "weights"
USE_ENV = "RECURRENT_PRETRAINED"
SAVE_ENV = "RECURRENT_SAVE_FALLBACK"


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


def fit_or_load(model: Any, data: Any, epochs: int, name: str, **fit_kwargs: Any) -> dict[str, list[float]]:
    """Train ``model`` on ``data`` (``model.fit(data, epochs=..., verbose=0, **fit_kwargs)``) and
    return its history dict; or, when ``$RECURRENT_PRETRAINED`` is ``1`` and weights named
    ``name`` are shipped, load them and return the stored history instead."""
    weights, meta_path = _paths(name)
    if os.environ.get(USE_ENV) == "1":
        if not available(name):
            print(f"No pre-trained weights named {name!r} in {WEIGHTS_DIR}; training instead.")
        else:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if _sha256(weights) != meta["sha256"]:
                raise ValueError(f"{weights} does not match the checksum in {meta_path.name}; "
                                 "restore it with `git checkout weights/` or rerun scripts/train_fallbacks.py")
            model.load_weights(weights)
            print(f"Loaded pre-trained weights {weights.name} (made by scripts/train_fallbacks.py "
                  f"on {meta['made_on']}); training skipped.")
            return meta["history"]
    t0 = time.perf_counter()
    history = model.fit(data, epochs=epochs, verbose=0, **fit_kwargs).history
    if os.environ.get(SAVE_ENV) == "1":
        from .env import versions

        WEIGHTS_DIR.mkdir(exist_ok=True)
        model.save_weights(weights)
        meta = {"name": name, "sha256": _sha256(weights), "epochs": epochs,
                "train_seconds": round(time.perf_counter() - t0, 1),
                "made_on": time.strftime("%Y-%m-%d"), "versions": versions(),
                "history": {k: [float(v) for v in vals] for k, vals in history.items()}}
        meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        print(f"Saved {weights.name} for slow machines.")
    return history
