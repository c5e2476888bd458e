"""The Shakespeare reference character models: data, model, stateful evaluation, loading.

``settings`` is a sidecar's ``"settings"`` (``units``, ``embed_dim``, ``seq_len``,
``learning_rate``, ``clipnorm``, ``eval_streams``, ``curve_chars``, ...). Every evaluation
carries the state across windows (:func:`course_utils.rnn.char_lm.evaluate_char_lm_stateful`).
The tables and plots of their learning curves are in :mod:`course_utils.references.curves`.
Keras is imported only where a model is built, so importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..data import load_shakespeare
from ..rnn.char_lm import CharVocab, build_char_lm, evaluate_char_lm_stateful
from ..rnn.lm_metrics import perplexity
from .store import load_weights

__all__ = ["CELL_OF_KIND", "build_char_model", "char_data", "char_eval_data", "evaluate_char_model", "load_char_model",
           "point_figures", "slice_loss", "stateful_loss", "validation_figures"]

CELL_OF_KIND: dict[str, str] = {"SimpleRNN": "simple", "LSTM": "lstm", "GRU": "gru"}
"""A sidecar's ``kind`` (the Keras class name it shows) -> the library's ``cell`` kind."""


def char_data(settings: Mapping[str, Any],
              splits: tuple[str, ...] = ("train", "validation", "test")) -> dict[str, Any]:
    """Shakespeare's ``splits`` as ids (the full splits), with the vocabulary of the training split.
    Evaluation needs only ``("test",)``: encoding the 4 M-character training split costs half a second."""
    text = load_shakespeare()
    vocab = CharVocab.from_text(text.train)
    ids = {s: vocab.encode(getattr(text, s)) for s in splits}
    return {"vocab": vocab, **ids, "counts": {s: int(len(v)) for s, v in ids.items()}, "sha256": text.sha256,
            "settings": settings}


def stateful_loss(model: Any, ids: np.ndarray, settings: Mapping[str, Any]) -> float:
    """Cross-entropy (nats/char) on ``ids``, the state carried across windows."""
    return evaluate_char_lm_stateful(model, ids, streams=settings["eval_streams"])


def slice_loss(model: Any, ids: np.ndarray, settings: Mapping[str, Any]) -> float:
    """Cross-entropy (nats/char) on the first ``curve_chars`` characters of ``ids``, the state carried
    across windows: the slice that the learning curve measures."""
    return stateful_loss(model, ids[: settings["curve_chars"]], settings)


def point_figures(model: Any, data: dict[str, Any]) -> dict[str, float]:
    """A curve point's figures: validation and test loss and perplexity on the curve's slices."""
    val, test = (slice_loss(model, data[split], data["settings"]) for split in ("validation", "test"))
    return {"val_loss": round(val, 4), "val_ppl": round(perplexity(val), 3),
            "test_loss": round(test, 4), "test_ppl": round(perplexity(test), 3)}


def validation_figures(model: Any, data: dict[str, Any], weights: str) -> dict[str, Any]:
    """Loss and perplexity on the whole validation split, state carried; ``weights`` says which."""
    loss = stateful_loss(model, data["validation"], data["settings"])
    return {"val_loss": round(loss, 4), "val_ppl": round(perplexity(loss), 3), "weights": weights}


def _char_lm(vocab_size: int, cell: str, settings: Mapping[str, Any], **layer_options: Any) -> Any:
    """The one call of the library's builder: Embedding -> ``cell`` -> Dense, compiled."""
    return build_char_lm(vocab_size, cell, settings["units"], embed_dim=settings["embed_dim"],
                         seq_len=settings["seq_len"], learning_rate=settings["learning_rate"],
                         clipnorm=settings["clipnorm"], **layer_options)


def build_char_model(kind: str, vocab_size: int, settings: Mapping[str, Any]) -> Any:
    """A reference character model: ``kind`` is the sidecar's "SimpleRNN", "LSTM" or "GRU".
    Input (batch, seq_len) ids -> output (batch, seq_len, vocab_size) logits."""
    if kind not in CELL_OF_KIND:
        raise ValueError(f"kind must be one of {', '.join(CELL_OF_KIND)} (a sidecar's 'kind'), got {kind!r}")
    extra = {"unroll": True} if kind == "SimpleRNN" else {}  # unrolled SimpleRNN: about 30% faster on CPU
    return _char_lm(vocab_size, CELL_OF_KIND[kind], settings, **extra)


def evaluate_char_model(model: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Test cross-entropy and perplexity with the state carried across windows: on the whole
    test split, and on its first ``curve_chars`` characters (the curve's slice)."""
    settings = data["settings"]
    whole = stateful_loss(model, data["test"], settings)
    part = slice_loss(model, data["test"], settings)
    return {"test_loss": round(whole, 4), "test_ppl": round(perplexity(whole), 3),
            "test_slice_ppl": round(perplexity(part), 3)}


def char_eval_data(meta: dict[str, Any]) -> dict[str, Any]:
    """The data that the character model with sidecar ``meta`` is evaluated on (the test split)."""
    return char_data(meta["settings"], splits=("test",))


def load_char_model(meta: dict[str, Any], weights: Path) -> Any:
    """The character model that sidecar ``meta`` describes, with the weights from the file ``weights``."""
    vocab = CharVocab(tuple(meta["config"]["vocab_chars"]))
    model = build_char_model(meta["config"]["kind"], vocab.size, meta["settings"])
    load_weights(model, weights, fix=f"retrain it: {meta['command']}")
    return model
