"""Attention in NumPy, the maths written out (chapter 13). Shapes: T queries, S keys, d_k
per head, H heads::

    scores  = Q K^T / sqrt(d_k)                          (..., T, S)
    weights = softmax over S of scores, masked           (..., T, S), rows sum to 1
    output  = weights V                                  (..., T, d_v)

:func:`multi_head_attention` computes what ``keras.layers.MultiHeadAttention`` does, from
that layer's weights (:func:`mha_weights`), to check the layer against.

A masked position gets the score ``-1e9`` before the softmax, as Keras does, so a query
row with no allowed key at all gets uniform weights (never NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..validate import finite_array, finite_number, positive_int

__all__ = ["MASKED_SCORE", "causal_mask", "mha_weights", "multi_head_attention", "scaled_dot_product_attention",
           "sinusoidal_positions"]

MASKED_SCORE = -1e9  # what Keras adds to a masked score (float32)
_MHA_KEYS = ("query_kernel", "query_bias", "key_kernel", "key_bias", "value_kernel", "value_bias",
             "output_kernel", "output_bias")


def causal_mask(length: int) -> np.ndarray:
    """(T, T) bool: ``mask[t, s]`` is True where query ``t`` may look at key ``s``, i.e. ``s <= t``
    (the past and itself, never the future)."""
    positive_int("length", length, "the number of time steps T")
    return np.tril(np.ones((length, length), dtype=bool))


def sinusoidal_positions(length: int, d_model: int, base: float = 10_000.0) -> np.ndarray:
    """(length, d_model) float32 positional encodings (Vaswani et al. 2017)::

        PE[p, 2i] = sin(p / base^(2i / d_model)),   PE[p, 2i + 1] = cos(p / base^(2i / d_model))

    Each pair of columns is a sine/cosine at one frequency, from one cycle per ~6 positions
    (i = 0) to very slow ones; ``d_model`` must be even."""
    positive_int("length", length, "the number of positions")
    positive_int("d_model", d_model, "the model width")
    if d_model % 2:
        raise ValueError(f"d_model must be even (sine and cosine columns come in pairs), got {d_model}")
    finite_number("base", base, low=1, low_open=True)
    pos = np.arange(length, dtype="float64")[:, None]                    # (T, 1)
    freq = base ** (-np.arange(0, d_model, 2, dtype="float64") / d_model)  # (d_model / 2,)
    table = np.empty((length, d_model), dtype="float64")
    table[:, 0::2] = np.sin(pos * freq)
    table[:, 1::2] = np.cos(pos * freq)
    return table.astype("float32")


def _softmax_last(scores: np.ndarray) -> np.ndarray:
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention(query: Any, key: Any, value: Any,
                                 mask: Any | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``softmax(Q K^T / sqrt(d_k)) V`` in NumPy.

    query (..., T, d_k), key (..., S, d_k), value (..., S, d_v); ``mask`` (bool, True where
    a query may look at a key) broadcastable to (..., T, S), e.g. :func:`causal_mask`.
    Returns ``(output (..., T, d_v), weights (..., T, S))``."""
    q = finite_array("query", query, "float64")
    k = finite_array("key", key, "float64")
    v = finite_array("value", value, "float64")
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"query, key and value need at least 2 axes (time, features); got shapes "
                         f"{q.shape}, {k.shape}, {v.shape}; add a time axis with x[None]")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"query and key must have the same last size d_k, got {q.shape} and {k.shape}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"key and value must have the same number of positions S, got {k.shape} and {v.shape}")
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])          # (..., T, S)
    if mask is not None:
        m = np.asarray(mask)
        if m.dtype != bool:
            raise TypeError(f"mask must be boolean (True = may attend), got dtype {m.dtype}; use ids != 0 or causal_mask(T)")
        try:
            m = np.broadcast_to(m, scores.shape)
        except ValueError:
            raise ValueError(f"mask of shape {m.shape} does not fit the scores (..., T, S) = {scores.shape}") from None
        scores = np.where(m, scores, MASKED_SCORE)
    weights = _softmax_last(scores)
    return weights @ v, weights


def mha_weights(layer: Any) -> dict[str, np.ndarray]:
    """The weights of a built ``keras.layers.MultiHeadAttention`` as NumPy arrays, in Keras's
    layout: ``query_kernel``, ``key_kernel`` (d_model, H, d_k), ``value_kernel``
    (d_model, H, d_v), their biases (H, d_k) or (H, d_v), ``output_kernel`` (H, d_v, d_model)
    and ``output_bias`` (d_model,)."""
    import keras

    if not isinstance(layer, keras.layers.MultiHeadAttention):
        raise TypeError(f"mha_weights() takes a keras.layers.MultiHeadAttention, got {type(layer).__name__}")
    if not layer.built:
        raise ValueError("the layer has no weights yet: call it once on an input first")
    dense = (layer.query_dense, layer.key_dense, layer.value_dense, layer.output_dense)
    if any(len(d.weights) != 2 for d in dense):
        raise ValueError("mha_weights() needs a layer with biases (use_bias=True, the default)")
    arrays = [np.asarray(w.numpy()) for d in dense for w in d.weights]
    return dict(zip(_MHA_KEYS, arrays))


def _check_mha(weights: dict[str, Any]) -> dict[str, np.ndarray]:
    if not isinstance(weights, dict) or set(weights) != set(_MHA_KEYS):
        raise ValueError(f"weights must be a dict with keys {list(_MHA_KEYS)}; make it with mha_weights(layer)")
    w = {name: np.asarray(value, dtype="float64") for name, value in weights.items()}
    if w["query_kernel"].ndim != 3 or w["output_kernel"].ndim != 3:
        raise ValueError("query_kernel must be (d_model, H, d_k) and output_kernel (H, d_v, d_model); "
                         "make the dict with mha_weights(layer)")
    return w


def multi_head_attention(query: Any, value: Any, weights: dict[str, Any], mask: Any | None = None,
                         causal: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """What ``keras.layers.MultiHeadAttention`` computes, in NumPy.

    query (B, T, d_model), value (B, S, d_model) (the keys are the values, as in self-attention
    when both are the same array); ``weights`` from :func:`mha_weights`; ``mask`` (B, T, S) or
    (B, S) bool, True where a query may look at a key; ``causal`` adds :func:`causal_mask`.
    Each head h projects ``Q_h = x W^Q_h + b``, ``K_h``, ``V_h``, attends (scaled dot product),
    and the heads' outputs are projected back and summed: ``sum_h O_h W^O_h + b_O``.
    Returns ``(output (B, T, d_model), weights (B, H, T, S))``."""
    w = _check_mha(weights)
    xq = finite_array("query", query, "float64")
    xv = finite_array("value", value, "float64")
    if xq.ndim != 3 or xv.ndim != 3:
        raise ValueError(f"query and value must be (batch, time, d_model), got {xq.shape} and {xv.shape}")
    q = np.einsum("btd,dhk->bhtk", xq, w["query_kernel"]) + w["query_bias"][None, :, None, :]
    k = np.einsum("bsd,dhk->bhsk", xv, w["key_kernel"]) + w["key_bias"][None, :, None, :]
    v = np.einsum("bsd,dhk->bhsk", xv, w["value_kernel"]) + w["value_bias"][None, :, None, :]
    T, S = xq.shape[1], xv.shape[1]
    full = np.ones((xq.shape[0], T, S), dtype=bool)
    if mask is not None:
        m = np.asarray(mask)
        if m.dtype != bool:
            raise TypeError(f"mask must be boolean, got dtype {m.dtype}")
        if m.shape not in ((full.shape[0], S), full.shape):
            raise ValueError(f"mask must be (B, S) = {(full.shape[0], S)} or (B, T, S) = {full.shape}, got {m.shape}")
        full &= m[:, None, :] if m.ndim == 2 else m
    if causal:
        if T != S:
            raise ValueError(f"causal attention needs as many queries as keys, got T={T} and S={S}")
        full &= causal_mask(T)[None]
    context, att = scaled_dot_product_attention(q, k, v, full[:, None])  # heads share the mask
    out = np.einsum("bhtv,hvd->btd", context, w["output_kernel"]) + w["output_bias"]
    return out, att
