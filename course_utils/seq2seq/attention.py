"""Attention layers written from scratch (chapter 11).

Both layers take a batch of decoder states (the *queries*) and the encoder outputs
(the *keys*, which are also the *values*) and return one context vector per query:

    scores e_{t,s}  = score(q_t, k_s)                        shape (batch, T, S)
    weights a_{t,s} = softmax_s(e_{t,s}), padding masked out  shape (batch, T, S)
    context c_t     = sum_s a_{t,s} k_s                       shape (batch, T, H_k)

Bahdanau (additive):   score(q, k) = v^T tanh(W_q q + W_k k)
Luong (multiplicative, "general"): score(q, k) = q^T W k

A query whose source row is masked everywhere (no real token at all) gets all-zero
weights, and so a zero context vector: defined, never NaN, and never attention on padding.
Shapes are checked when they are known (eagerly, or statically while tracing), so a
mask that does not fit the scores raises a ``ValueError`` naming both shapes.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from ..validate import positive_int

NEG_INF = -1e9


def _static_shape(x: Any) -> tuple[int | None, ...] | None:
    """The shape known without running anything (None for unknown sizes), or None if even the rank is unknown."""
    shape = getattr(x, "shape", None)
    try:
        dims = tuple(shape) if shape is not None else np.shape(x)
    except ValueError:  # a traced tensor of unknown rank
        return None
    return tuple(None if d is None else int(d) for d in dims)


def _check_mask(mask: Any, batch: int | None, S: int | None, against: str) -> None:
    """Raise ValueError unless mask is (batch, S); unknown (None) sizes are not compared."""
    shape = _static_shape(mask)
    if shape is None:
        return
    if len(shape) != 2 or any(a is not None and b is not None and a != b for a, b in zip(shape, (batch, S))):
        raise ValueError(f"the mask must have shape (batch, S) = {(batch, S)} to match {against}, got {shape}; "
                         "make it from the source ids: ops.not_equal(src_ids, 0)")


def masked_softmax(scores: Any, mask: Any | None) -> Any:
    """Softmax over the last axis of ``scores`` (batch, T, S), with weight 0 wherever
    ``mask`` (batch, S), True at real source tokens, is False. A row with no True
    position at all gets weight 0 everywhere (instead of spreading it over padding)."""
    if mask is None:
        return ops.softmax(scores, axis=-1)
    shape = _static_shape(scores)
    if shape is not None and len(shape) != 3:
        raise ValueError(f"scores must have shape (batch, T, S), got {shape}")
    if shape is not None:
        _check_mask(mask, shape[0], shape[2], f"scores of shape {shape}")
    mask = ops.cast(ops.expand_dims(mask, 1), scores.dtype)  # (batch, 1, S)
    weights = ops.softmax(scores + (1.0 - mask) * NEG_INF, axis=-1)
    return weights * ops.max(mask, axis=-1, keepdims=True)  # x 1 (exact) if any real token, else x 0


def _check_inputs(name: str, query: Any, keys: Any, key_mask: Any | None = None) -> None:
    q, k = _static_shape(query), _static_shape(keys)
    if q is None or k is None:
        return
    if len(q) != 3 or len(k) != 3:
        raise ValueError(f"{name} needs query (batch, T, H_q) and keys (batch, S, H_k), 3-D each; got "
                         f"{q} and {k}. Add a time axis with ops.expand_dims(x, 1).")
    if q[0] is not None and k[0] is not None and q[0] != k[0]:
        raise ValueError(f"{name}: query has batch size {q[0]} but keys have {k[0]} (shapes {q} and {k}); "
                         "pass the encoder outputs of the same sentences as the queries")
    if key_mask is not None:
        _check_mask(key_mask, k[0], k[1], f"keys of shape {k}")


@keras.saving.register_keras_serializable(package="course_utils")
class BahdanauAttention(keras.layers.Layer):
    """Additive attention: ``score(q, k) = v^T tanh(W_q q + W_k k)``.

    ``call(query (batch, T, H_q), keys (batch, S, H_k), key_mask (batch, S) or None)``
    returns ``(context (batch, T, H_k), weights (batch, T, S))``.
    """

    def __init__(self, units: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True  # the query's (target) mask passes through to the context
        positive_int("units", units, "the size of the hidden scoring layer")
        self.units = units
        self.w_query = keras.layers.Dense(units, use_bias=False, name="w_query")
        self.w_keys = keras.layers.Dense(units, use_bias=True, name="w_keys")
        self.v = keras.layers.Dense(1, use_bias=False, name="v")

    def build(self, query_shape: Any, keys_shape: Any = None, key_mask_shape: Any = None) -> None:
        self.w_query.build(query_shape)
        self.w_keys.build(keys_shape if keys_shape is not None else query_shape)
        self.v.build((None, None, None, self.units))

    def scores(self, query: Any, keys: Any) -> Any:
        """Unnormalised scores (batch, T, S)."""
        q = ops.expand_dims(self.w_query(query), 2)  # (batch, T, 1, units)
        k = ops.expand_dims(self.w_keys(keys), 1)    # (batch, 1, S, units)
        return ops.squeeze(self.v(ops.tanh(q + k)), -1)

    def call(self, query: Any, keys: Any, key_mask: Any | None = None) -> tuple[Any, Any]:
        _check_inputs("BahdanauAttention", query, keys, key_mask)
        weights = masked_softmax(self.scores(query, keys), key_mask)
        return ops.matmul(weights, keys), weights

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="course_utils")
class LuongAttention(keras.layers.Layer):
    """Multiplicative attention. ``score="general"``: ``q^T W k``; ``score="dot"``:
    ``q^T k`` (needs H_q == H_k; no weights). ``scale=True`` divides scores by sqrt(H_k)
    (as Transformers do), which keeps the softmax from saturating at initialisation.

    ``call(query (batch, T, H_q), keys (batch, S, H_k), key_mask (batch, S) or None)``
    returns ``(context (batch, T, H_k), weights (batch, T, S))``.
    """

    def __init__(self, score: str = "general", scale: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        if score not in ("general", "dot"):
            raise ValueError(f"score must be 'general' or 'dot', got {score!r}")
        self.score = score
        self.scale = bool(scale)
        self.w = None

    def build(self, query_shape: Any, keys_shape: Any = None, key_mask_shape: Any = None) -> None:
        keys_shape = keys_shape if keys_shape is not None else query_shape
        if self.score == "general":
            self.w = self.add_weight(name="w", shape=(int(query_shape[-1]), int(keys_shape[-1])),
                                     initializer="glorot_uniform")
        elif query_shape[-1] != keys_shape[-1]:
            raise ValueError(f"score='dot' needs equal sizes, got H_q={query_shape[-1]} and H_k={keys_shape[-1]}; "
                             "use score='general'.")

    def scores(self, query: Any, keys: Any) -> Any:
        """Unnormalised scores (batch, T, S)."""
        q = ops.matmul(query, self.w) if self.score == "general" else query
        scores = ops.matmul(q, ops.transpose(keys, (0, 2, 1)))
        if not self.scale:
            return scores
        return scores / ops.sqrt(ops.cast(ops.shape(keys)[-1], scores.dtype))

    def call(self, query: Any, keys: Any, key_mask: Any | None = None) -> tuple[Any, Any]:
        _check_inputs("LuongAttention", query, keys, key_mask)
        weights = masked_softmax(self.scores(query, keys), key_mask)
        return ops.matmul(weights, keys), weights

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "score": self.score, "scale": self.scale}


ATTENTION_TYPES = {"none": None, "bahdanau": BahdanauAttention, "luong": LuongAttention}
