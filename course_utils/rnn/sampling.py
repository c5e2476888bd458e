"""Decoding for character language models: temperature, greedy and sampled generation,
and an autocomplete that continues a prompt.

With logits ``z`` (V,), sampling at temperature ``tau`` draws from ``softmax(z / tau)``:
tau < 1 sharpens the distribution (safer, more repetitive), tau > 1 flattens it (more
varied, more mistakes), and tau -> 0 becomes greedy decoding, ``argmax z``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..validate import int_in_range
from .char_lm import CharVocab, make_stepper

__all__ = ["apply_temperature", "autocomplete", "generate", "sample_next", "samples_during_training"]


def _check_temperature(temperature: float) -> None:
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not np.isfinite(temperature) \
            or temperature < 0:
        raise ValueError(f"temperature must be a number >= 0 (0 = greedy), got {temperature!r}; "
                         "use temperature=0 for greedy decoding, 1 for the model's own distribution")


def _check_logits(logits: Any) -> np.ndarray:
    """float64 logits (..., V): no NaN or +inf; -inf (probability 0) is allowed but not on a whole row."""
    try:
        logits = np.asarray(logits, dtype="float64")
    except (TypeError, ValueError):
        raise TypeError(f"logits must be an array of numbers, got {type(logits).__name__}") from None
    if logits.ndim < 1 or logits.shape[-1] < 1:
        raise ValueError(f"logits must have a last axis of size V >= 1, got shape {logits.shape}")
    if np.isfinite(logits).all():  # the usual case: one cheap pass
        return logits
    if np.isnan(logits).any() or np.isposinf(logits).any():
        raise ValueError("logits contain NaN or +inf; the model's output is broken (diverged training?). "
                         "Only -inf is allowed, meaning probability 0")
    if np.isneginf(logits).all(axis=-1).any():
        raise ValueError("a row of logits is -inf everywhere, so no token has any probability; "
                         "leave at least one finite logit per row")
    return logits


def apply_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / temperature) over the last axis; temperature 0 gives a one-hot argmax.
    Logits (..., V) must be finite or -inf (probability 0), with a finite one in every row."""
    _check_temperature(temperature)
    logits = _check_logits(logits)
    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    z = logits / temperature
    z -= z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def sample_next(logits: np.ndarray, temperature: float = 1.0, rng: np.random.Generator | None = None) -> int:
    """One id from logits (V,): argmax when temperature is 0, else a draw from softmax(logits/temperature)."""
    logits = np.asarray(logits)
    if logits.ndim != 1:
        raise ValueError(f"sample_next() takes the logits of one step, shape (V,), got {logits.shape}")
    if temperature == 0:
        _check_temperature(temperature)
        return int(np.argmax(_check_logits(logits)))
    p = apply_temperature(logits, temperature)
    rng = rng if rng is not None else np.random.default_rng()
    return int(rng.choice(len(p), p=p))


def generate(model: Any, vocab: CharVocab, prompt: str, n_chars: int = 200, temperature: float = 1.0,
             seed: int = 0, stop: str | None = None) -> str:
    """Feed ``prompt`` through a char LM (from :func:`course_utils.rnn.char_lm.build_char_lm`), then
    generate ``n_chars`` characters one at a time, feeding each back in. Returns only the new
    text. ``temperature=0`` is greedy. Stops early after the ``stop`` string if given."""
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"vocab must be a CharVocab, got {type(vocab).__name__}")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("prompt must be a non-empty string: the model needs at least one character to condition on")
    if stop is not None and not isinstance(stop, str):
        raise TypeError(f"stop must be a string or None, got {type(stop).__name__}")
    int_in_range("n_chars", n_chars, 0, numpy_ints=False)
    _check_temperature(temperature)
    step, initial_states = make_stepper(model)
    states = initial_states(1)
    logits = None
    for i in vocab.encode(prompt):
        logits, states = step(np.array([i]), states)
    rng = np.random.default_rng(seed)
    out: list[str] = []
    for _ in range(n_chars):
        i = sample_next(logits[0], temperature, rng)
        out.append(vocab.decode([i]))
        if stop and "".join(out).endswith(stop):
            break
        logits, states = step(np.array([i]), states)
    return "".join(out)


def autocomplete(model: Any, vocab: CharVocab, prompt: str, max_chars: int = 60, stop: str = "\n",
                 temperature: float = 0.0, seed: int = 0) -> str:
    """Continue ``prompt`` until ``stop`` (default: end of line) or ``max_chars``; greedy by
    default. Returns prompt + completion (without the stop string)."""
    completion = generate(model, vocab, prompt, max_chars, temperature, seed, stop=stop)
    if stop and completion.endswith(stop):
        completion = completion[: -len(stop)]
    return prompt + completion


def samples_during_training(vocab: CharVocab, prompt: str, at_epochs: Sequence[int], n_chars: int = 120,
                            temperature: float = 0.8, seed: int = 0) -> Any:
    """A Keras callback for ``model.fit``: at the end of each epoch in ``at_epochs`` (counted from
    1) it continues ``prompt`` with :func:`generate` (``n_chars`` characters, same ``seed`` each
    time, so the samples differ only because the weights do). ``callback.samples`` collects
    ``(epoch, training loss, text)``; draw them with :func:`course_utils.plots.plot_samples`."""
    import keras

    if not isinstance(prompt, str) or not prompt:
        raise ValueError("prompt must be a non-empty string: the model needs at least one character to condition on")
    epochs = sorted({int_in_range("at_epochs[i]", e, 1, numpy_ints=False) for e in at_epochs})
    if not epochs:
        raise ValueError("at_epochs must name at least one epoch, e.g. (1, 2, 5, 10)")
    int_in_range("n_chars", n_chars, 1, numpy_ints=False)
    _check_temperature(temperature)

    class SamplesDuringTraining(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.samples: list[tuple[int, float, str]] = []

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            if epoch + 1 in epochs:
                loss = float((logs or {}).get("loss", float("nan")))
                text = generate(self.model, vocab, prompt, n_chars=n_chars, temperature=temperature, seed=seed)
                self.samples.append((epoch + 1, loss, text))

    return SamplesDuringTraining()
