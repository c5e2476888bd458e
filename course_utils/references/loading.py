"""Load and evaluate a stored reference model by name, whatever it is (translator or character model).

A sidecar's ``kind`` says which: "Translator", or the character model's layer ("SimpleRNN",
"LSTM", "GRU"). The weights' checksum is verified before anything is built.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .catalog import paths, sidecar
from .characters import char_eval_data, evaluate_char_model, load_char_model
from .store import verify
from .translators import evaluate_translator, load_translator, translator_eval_data

__all__ = ["evaluate", "evaluation_data", "evaluator", "load", "load_stored"]


def _is_translator(meta: dict[str, Any]) -> bool:
    return meta["kind"] == "Translator"


def load_stored(meta: dict[str, Any], weights: Path) -> Any:
    """The model that sidecar ``meta`` describes, with the weights from the file ``weights``
    (not checked against the sidecar's checksum: :func:`load` does that)."""
    return (load_translator if _is_translator(meta) else load_char_model)(meta, weights)


def evaluation_data(meta: dict[str, Any]) -> dict[str, Any]:
    """The data that the reference model with sidecar ``meta`` is evaluated on."""
    return (translator_eval_data if _is_translator(meta) else char_eval_data)(meta)


def evaluator(meta: dict[str, Any]) -> Callable[[Any, dict[str, Any]], dict[str, Any]]:
    """The function ``(model, data) -> test figures`` of the model with sidecar ``meta``."""
    return evaluate_translator if _is_translator(meta) else evaluate_char_model


def load(name: str) -> Any:
    """The reference model ``name``, rebuilt from its sidecar and weights (checksum verified)."""
    weights, meta_path = paths(name)
    meta = sidecar(name)
    verify(weights, meta_path, meta["sha256"],
           f"restore it with `git checkout weights/reference/` or retrain: {meta['command']}")
    return load_stored(meta, weights)


def evaluate(name: str) -> dict[str, Any]:
    """Evaluate the stored reference model ``name`` now, on this machine: the sidecar's figures, fresh."""
    meta = sidecar(name)
    return evaluator(meta)(load(name), evaluation_data(meta))
