"""Which reference models the course ships, where they are, and how a chapter names them.

A reference model is trained once, longer than a notebook can afford, by
``python -m course_kit.reference NAME``, and stored in ``weights/reference/`` as
``NAME.weights.h5`` with its sidecar ``NAME.json`` (:mod:`course_utils.references.store`).
This module only reads; nothing here imports a framework.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..paths import repo_root
from .store import read_sidecar

__all__ = ["CHAR_KINDS", "CHAR_TIERS", "MAX_BYTES", "NAMES", "REFERENCE_DIR", "STORE_DTYPE", "TRANSLATORS",
           "label", "paths", "sidecar"]

REFERENCE_DIR = repo_root() / "weights" / "reference"
MAX_BYTES = 5 * 2**20  # a reference model's weights file stays under 5 MiB
STORE_DTYPE = "float16"

TRANSLATORS: tuple[str, ...] = ("translator", "translator_words", "translator_tuned", "translator_words_tuned")
CHAR_TIERS: dict[str, dict[str, str]] = {
    "cpu": {"shakespeare_simplernn": "SimpleRNN", "shakespeare_lstm": "LSTM", "shakespeare_gru": "GRU"},
    "gpu": {"shakespeare_gpu_simplernn": "SimpleRNN", "shakespeare_gpu_lstm": "LSTM", "shakespeare_gpu_gru": "GRU"},
    "gpu_short": {"shakespeare_gpu_short_simplernn": "SimpleRNN", "shakespeare_gpu_short_lstm": "LSTM",
                  "shakespeare_gpu_short_gru": "GRU"},
    # matched by cost per step on 2 cores: an LSTM of 256 units does about the SimpleRNN(512)'s
    # recurrent arithmetic per step (4 x 256^2 = 512^2 multiply-adds) with about as many parameters
    "cpu_matched": {"shakespeare_simplernn": "SimpleRNN", "shakespeare_lstm_256": "LSTM"},
}
"""The Shakespeare character models by tier: name -> layer (display name, the Keras class)."""
CHAR_KINDS: dict[str, str] = {name: kind for tier in CHAR_TIERS.values() for name, kind in tier.items()}
NAMES: tuple[str, ...] = (*TRANSLATORS, *CHAR_KINDS)
"""Every reference model, in the order ``python -m course_kit.reference --list`` prints them."""


def paths(name: str) -> tuple[Path, Path]:
    """(weights file, sidecar file) of reference model ``name``; an unknown name raises, listing the choices."""
    if name not in NAMES:
        raise ValueError(f"unknown reference model {name!r}; choose one of {', '.join(NAMES)}")
    return REFERENCE_DIR / f"{name}.weights.h5", REFERENCE_DIR / f"{name}.json"


def sidecar(name: str) -> dict[str, Any]:
    """The stored sidecar of reference model ``name``: settings, config, data, machine, versions,
    training time, learning curve and test figures."""
    weights, meta = paths(name)
    if not (weights.is_file() and meta.is_file()):
        raise FileNotFoundError(f"reference model {name!r} is not in {REFERENCE_DIR}; "
                                f"train it with:  python -m course_kit.reference {name}")
    return read_sidecar(meta)


def _where(machine: dict[str, Any]) -> str:
    return f"{machine['cores']} cores of {machine['cpu']}" + \
        (f" with {machine['accelerator']}" if machine.get("accelerator", "none") != "none" else "") + \
        (f", Keras on {machine['keras_backend']}" if machine.get("keras_backend", "tensorflow") != "tensorflow" else "")


def _duration(seconds: float) -> str:
    """"30 s", "1.5 min", "15 min": how a label gives a training time."""
    minutes = seconds / 60
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{minutes:.0f} min" if abs(minutes - round(minutes)) < 0.05 else f"{minutes:.1f} min"


def label(name: str) -> str:
    """How a notebook names a reference figure: what the model is, how long and where it was
    trained (a fine-tuned model: both stages), and the command that made it."""
    meta = sidecar(name)
    base = meta["settings"].get("base")
    if base is None:
        trained = f"{_duration(meta['train_seconds'])} on {_where(meta['machine'])} ({meta['made_on']})"
    else:
        base_meta = sidecar(base)
        trained = (f"{_duration(meta['train_seconds'])} in all: '{base}' for {_duration(base_meta['train_seconds'])} on "
                   f"{_where(base_meta['machine'])} ({base_meta['made_on']}), then fine-tuned for "
                   f"{_duration(meta['tune_seconds'])} on {_where(meta['machine'])} ({meta['made_on']})")
    return f"reference model '{name}', not trained in this notebook: {meta['what']}; trained for {trained} by `{meta['command']}`"
