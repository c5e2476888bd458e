"""Self-attention and the Transformer (chapter 13): NumPy from scratch, then Keras.

NumPy, the maths written out (shapes: T queries, S keys, d_k per head, H heads)::

    scores  = Q K^T / sqrt(d_k)                          (..., T, S)
    weights = softmax over S of scores, masked           (..., T, S), rows sum to 1
    output  = weights V                                  (..., T, d_v)

* :func:`causal_mask`, :func:`sinusoidal_positions`, :func:`scaled_dot_product_attention`;
* :func:`multi_head_attention`: the same computation as ``keras.layers.MultiHeadAttention``,
  from that layer's weights (:func:`mha_weights`), to check the layer against;
* :func:`attention_step` and :func:`gru_step`: generating ONE token, with a key/value cache
  and with a recurrent state, and :func:`generation_cost_table`, which times both and counts
  their bytes against the context length.

Keras: :class:`SinusoidalPositionEncoding`, :class:`TransformerBlock` (pre-norm: attention
then a feed-forward network, each added back to its input) and the compiled builders
:func:`build_transformer_classifier` and :func:`build_transformer_lm`.

A masked position gets the score ``-1e9`` before the softmax, as Keras does, so a query
row with no allowed key at all gets uniform weights (never NaN).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from .validate import finite_array, finite_number, int_in_range, positive_int

__all__ = [
    "MASKED_SCORE",
    "SinusoidalPositionEncoding",
    "TransformerBlock",
    "attention_step",
    "build_transformer_classifier",
    "build_transformer_lm",
    "causal_mask",
    "generation_cost_table",
    "gru_step",
    "kv_cache_bytes",
    "mha_weights",
    "multi_head_attention",
    "plot_generation_cost",
    "rnn_state_bytes",
    "scaled_dot_product_attention",
    "sinusoidal_positions",
    "tokens_per_second",
]

MASKED_SCORE = -1e9  # what Keras adds to a masked score (float32)
_MHA_KEYS = ("query_kernel", "query_bias", "key_kernel", "key_bias", "value_kernel", "value_bias",
             "output_kernel", "output_bias")


# --------------------------------------------------------------------------- NumPy: the maths
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


# --------------------------------------------------------------------------- generating one token
def attention_step(x: Any, weights: dict[str, Any], k_cache: np.ndarray, v_cache: np.ndarray,
                   position: int) -> np.ndarray:
    """One causal self-attention step for the token at ``position``, with a key/value cache.

    x (d_model,) is the new token's input; ``k_cache`` (H, L, d_k) and ``v_cache`` (H, L, d_v)
    hold the keys and values of positions ``0 .. position - 1`` (L >= position + 1). The step
    writes this token's key and value at ``position`` (in place) and attends over
    ``0 .. position``: its work and its cache grow with the context. Returns (d_model,).
    Equals row ``position`` of :func:`multi_head_attention` with ``causal=True``."""
    w = weights  # no validation here: this runs once per generated token (check with _check_mha once)
    q = np.einsum("d,dhk->hk", x, w["query_kernel"]) + w["query_bias"]            # (H, d_k)
    k_cache[:, position] = np.einsum("d,dhk->hk", x, w["key_kernel"]) + w["key_bias"]
    v_cache[:, position] = np.einsum("d,dhk->hk", x, w["value_kernel"]) + w["value_bias"]
    keys, values = k_cache[:, : position + 1], v_cache[:, : position + 1]          # (H, position + 1, d)
    scores = np.einsum("hk,hsk->hs", q, keys) / np.sqrt(q.shape[-1])
    att = _softmax_last(scores)
    context = np.einsum("hs,hsv->hv", att, values)                                # (H, d_v)
    return np.einsum("hv,hvd->d", context, w["output_kernel"]) + w["output_bias"]


def gru_step(x: np.ndarray, h: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
             bias: np.ndarray) -> np.ndarray:
    """One GRU step in NumPy, Keras's layout and default ``reset_after=True`` (gates z, r, n;
    see ``course_utils.rnn.cells.ScratchGRUCell``): x (D,), h (H,), kernel (D, 3H),
    recurrent_kernel (H, 3H), bias (2, 3H) -> new h (H,). Its cost does not depend on how
    many tokens came before: the past is all in h."""
    x_z, x_r, x_n = np.split(x @ kernel + bias[0], 3)
    h_z, h_r, h_n = np.split(h @ recurrent_kernel + bias[1], 3)
    z = 1.0 / (1.0 + np.exp(-(x_z + h_z)))
    r = 1.0 / (1.0 + np.exp(-(x_r + h_r)))
    n = np.tanh(x_n + r * h_n)
    return z * h + (1.0 - z) * n


def kv_cache_bytes(context_length: int, num_layers: int, d_model: int, bytes_per_value: int = 4) -> int:
    """Bytes of a key/value cache for ONE sequence: keys and values (2) for every layer and
    every position seen, each ``d_model`` numbers (all heads together):
    ``2 * num_layers * context_length * d_model * bytes_per_value``."""
    for name, value in (("context_length", context_length), ("num_layers", num_layers), ("d_model", d_model),
                        ("bytes_per_value", bytes_per_value)):
        positive_int(name, value)
    return 2 * num_layers * context_length * d_model * bytes_per_value


def rnn_state_bytes(units: int, num_layers: int = 1, states_per_layer: int = 1, bytes_per_value: int = 4) -> int:
    """Bytes of a recurrent model's state for ONE sequence, whatever the context length:
    ``num_layers * states_per_layer * units * bytes_per_value`` (a GRU has 1 state per
    layer, an LSTM 2: h and c)."""
    for name, value in (("units", units), ("num_layers", num_layers), ("states_per_layer", states_per_layer),
                        ("bytes_per_value", bytes_per_value)):
        positive_int(name, value)
    return num_layers * states_per_layer * units * bytes_per_value


def _median_seconds(step: Callable[[], Any], repeats: int) -> float:
    step()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def generation_cost_table(context_lengths: Sequence[int], width: int = 256, num_heads: int = 4,
                          repeats: int = 200, seed: int = 0) -> Any:
    """Time and memory of generating ONE token at each context length, one layer, batch 1,
    NumPy float32, random weights (the cost does not depend on their values):

    * a GRU step (:func:`gru_step`) with ``width`` units;
    * a self-attention step (:func:`attention_step`) of width ``width`` and ``num_heads`` heads
      over a key/value cache that already holds ``context - 1`` positions.

    Returns a DataFrame, one row per context length: ``context``, ``GRU step (µs)``,
    ``attention step (µs)`` (medians of ``repeats`` timed steps, after one warm-up), and the
    exact ``GRU state (bytes)`` and ``KV cache (bytes)`` (:func:`rnn_state_bytes`,
    :func:`kv_cache_bytes`)."""
    import pandas as pd

    lengths = [int_in_range("context length", n, 1, numpy_ints=False) for n in context_lengths]
    if not lengths:
        raise ValueError("context_lengths is empty; pass e.g. [64, 128, 256, 512, 1024, 2048]")
    positive_int("width", width)
    positive_int("num_heads", num_heads)
    positive_int("repeats", repeats)
    if width % num_heads:
        raise ValueError(f"width ({width}) must be a multiple of num_heads ({num_heads})")
    rng = np.random.default_rng(seed)
    f32 = lambda *shape: (rng.normal(size=shape) / np.sqrt(shape[0])).astype("float32")  # noqa: E731
    dk = width // num_heads
    mha = {"query_kernel": f32(width, num_heads, dk), "key_kernel": f32(width, num_heads, dk),
           "value_kernel": f32(width, num_heads, dk), "output_kernel": f32(num_heads, dk, width),
           "query_bias": np.zeros((num_heads, dk), "float32"), "key_bias": np.zeros((num_heads, dk), "float32"),
           "value_bias": np.zeros((num_heads, dk), "float32"), "output_bias": np.zeros(width, "float32")}
    kernel, recurrent, bias = f32(width, 3 * width), f32(width, 3 * width), np.zeros((2, 3 * width), "float32")
    x, h = f32(width, 1)[:, 0], np.zeros(width, "float32")
    rows = []
    for n in lengths:  # the GRU step never sees n: it is timed again at each length all the same
        gru_s = _median_seconds(lambda: gru_step(x, h, kernel, recurrent, bias), repeats)
        k_cache = f32(num_heads, n, dk)   # positions 0 .. n-2 as if already generated
        v_cache = f32(num_heads, n, dk)
        att_s = _median_seconds(lambda: attention_step(x, mha, k_cache, v_cache, n - 1), repeats)
        rows.append({"context": n, "GRU step (µs)": gru_s * 1e6, "attention step (µs)": att_s * 1e6,
                     "GRU state (bytes)": rnn_state_bytes(width),
                     "KV cache (bytes)": kv_cache_bytes(n, 1, width)})
    return pd.DataFrame(rows)


def plot_generation_cost(table: Any, column_pair: tuple[str, str], ax: Any = None, ylabel: str = "",
                         title: str = "", logy: bool = True) -> tuple[Any, Any]:
    """Plot two columns of a :func:`generation_cost_table` against ``context`` (log-2 x axis),
    e.g. ``("GRU step (µs)", "attention step (µs)")``. Returns ``(fig, ax)``."""
    import matplotlib.pyplot as plt
    import pandas as pd

    table = pd.DataFrame(table)
    missing = {"context", *column_pair} - set(table.columns)
    if missing or table.empty:
        raise ValueError(f"table needs the columns context and {list(column_pair)}; missing {sorted(missing)}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.2))
    else:
        fig = ax.figure
    for column, marker in zip(column_pair, "os"):
        ax.plot(table["context"], table[column], marker=marker, label=column)
    ax.set_xscale("log", base=2)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel="context length (tokens before the new one)", ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig, ax


def tokens_per_second(model: Any, ids: Any, batch_size: int = 256, repeats: int = 2) -> float:
    """Inference speed: input tokens (padding included) a Keras model reads per second in
    ``model.predict``, the best of ``repeats`` timed passes after one untimed pass (which
    traces the prediction function). ids (n, T) int; only the first ``n // batch_size``
    full batches are read (all of ``ids`` if ``n < batch_size``), so that every batch has
    the same shape and the function is traced once."""
    arr = np.asarray(ids)
    if arr.ndim != 2 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"ids must be a non-empty (n, T) integer array of token ids, got shape {arr.shape} "
                         f"and dtype {arr.dtype}")
    positive_int("batch_size", batch_size)
    positive_int("repeats", repeats)
    batch_size = min(batch_size, len(arr))
    arr = arr[: len(arr) // batch_size * batch_size]
    model.predict(arr, batch_size=batch_size, verbose=0)  # warm-up: tracing is not inference
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.predict(arr, batch_size=batch_size, verbose=0)
        best = min(best, time.perf_counter() - t0)
    return float(arr.size / best)


# --------------------------------------------------------------------------- Keras layers
@keras.saving.register_keras_serializable(package="course_utils")
class SinusoidalPositionEncoding(keras.layers.Layer):
    """Adds :func:`sinusoidal_positions` to its input: (batch, T, d_model) -> same shape.
    No weights; works for any T up to ``max_length``; passes a padding mask through."""

    def __init__(self, max_length: int = 2048, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        positive_int("max_length", max_length, "the longest sequence the layer will see")
        self.max_length = max_length
        self.supports_masking = True
        self._table: Any = None

    def build(self, input_shape: Any) -> None:
        d_model = input_shape[-1]
        if d_model is None or len(input_shape) != 3:
            raise ValueError(f"SinusoidalPositionEncoding needs inputs (batch, T, d_model) with a known d_model, "
                             f"got {tuple(input_shape)}")
        self._table = sinusoidal_positions(self.max_length, int(d_model))

    def call(self, x: Any) -> Any:
        length = ops.shape(x)[1]
        if isinstance(length, int) and length > self.max_length:
            raise ValueError(f"sequence length {length} exceeds max_length={self.max_length}; "
                             f"build the layer with a larger max_length")
        table = ops.convert_to_tensor(self._table, dtype=x.dtype)
        return x + table[None, :length, :]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_length": self.max_length}


@keras.saving.register_keras_serializable(package="course_utils")
class TransformerBlock(keras.layers.Layer):
    """One Transformer block, pre-norm (layer normalisation first, as in GPT-2)::

        x = x + MultiHeadAttention(LN(x), LN(x))        self-attention, causal if ``causal``
        x = x + W_2 relu(W_1 LN(x) + b_1) + b_2           position-wise feed-forward

    (batch, T, d_model) -> (batch, T, d_model). A padding mask (from
    ``Embedding(mask_zero=True)``) keeps every query from looking at padding.
    Parameters: ``4 d (d + 1)`` attention + ``2 d ff + ff + d`` feed-forward + ``4 d`` norms."""

    def __init__(self, d_model: int, num_heads: int, ff_dim: int, causal: bool = False, dropout: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        positive_int("d_model", d_model, "the width of every position's vector")
        positive_int("num_heads", num_heads)
        positive_int("ff_dim", ff_dim, "the hidden size of the feed-forward network")
        if d_model % num_heads:
            raise ValueError(f"d_model ({d_model}) must be a multiple of num_heads ({num_heads}); "
                             f"each head gets d_model / num_heads dimensions")
        finite_number("dropout", dropout, low=0, high=1, high_open=True)
        self.d_model, self.num_heads, self.ff_dim = d_model, num_heads, ff_dim
        self.causal, self.dropout = bool(causal), float(dropout)
        self.supports_masking = True
        self.attention = keras.layers.MultiHeadAttention(num_heads, key_dim=d_model // num_heads, dropout=dropout,
                                                         name="attention")
        self.norm1 = keras.layers.LayerNormalization(epsilon=1e-5, name="norm1")
        self.norm2 = keras.layers.LayerNormalization(epsilon=1e-5, name="norm2")
        self.ff1 = keras.layers.Dense(ff_dim, activation="relu", name="ff1")
        self.ff2 = keras.layers.Dense(d_model, name="ff2")

    def build(self, input_shape: Any) -> None:
        if len(input_shape) != 3 or (input_shape[-1] is not None and input_shape[-1] != self.d_model):
            raise ValueError(f"TransformerBlock(d_model={self.d_model}) needs inputs (batch, T, {self.d_model}), "
                             f"got {tuple(input_shape)}")
        self.norm1.build(input_shape)
        self.attention.build(input_shape, input_shape)
        self.norm2.build(input_shape)
        self.ff1.build(input_shape)
        self.ff2.build((*input_shape[:-1], self.ff_dim))

    def call(self, x: Any, mask: Any | None = None, training: bool | None = None) -> Any:
        attention_mask = None
        if mask is not None:  # (batch, S) -> (batch, T, S): no query looks at a padded key
            keys = ops.expand_dims(ops.cast(mask, "bool"), 1)
            attention_mask = ops.logical_and(keys, ops.expand_dims(ops.ones_like(mask, dtype="bool"), 2))
        h = self.norm1(x)
        x = x + self.attention(h, h, attention_mask=attention_mask, use_causal_mask=self.causal, training=training)
        return x + self.ff2(self.ff1(self.norm2(x)))

    def compute_mask(self, x: Any, mask: Any | None = None) -> Any:
        return mask

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "d_model": self.d_model, "num_heads": self.num_heads,
                "ff_dim": self.ff_dim, "causal": self.causal, "dropout": self.dropout}


def _check_sizes(d_model: int, num_heads: int, ff_dim: int, num_blocks: int, learning_rate: float) -> None:
    positive_int("d_model", d_model)
    positive_int("num_heads", num_heads)
    positive_int("ff_dim", ff_dim)
    positive_int("num_blocks", num_blocks)
    finite_number("learning_rate", learning_rate, low=0, low_open=True)
    if d_model % 2:
        raise ValueError(f"d_model must be even for sinusoidal positions, got {d_model}")
    if d_model % num_heads:
        raise ValueError(f"d_model ({d_model}) must be a multiple of num_heads ({num_heads})")


def build_transformer_classifier(vocabulary_size: int, d_model: int = 16, num_heads: int = 2, ff_dim: int = 32,
                                 num_blocks: int = 1, max_length: int = 512, learning_rate: float = 2e-3) -> Any:
    """Token ids (batch, T), 0 = padding -> P(positive) (batch, 1), compiled with
    Adam(learning_rate), binary cross-entropy and accuracy.

    Embedding(mask_zero=True) + sinusoidal positions -> ``num_blocks`` TransformerBlocks (not
    causal: every token sees the whole review) -> LayerNorm -> mean over the real tokens ->
    Dense(1, sigmoid)."""
    positive_int("vocabulary_size", vocabulary_size)
    _check_sizes(d_model, num_heads, ff_dim, num_blocks, learning_rate)
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocabulary_size, d_model, mask_zero=True, name="embedding")(ids)
    x = SinusoidalPositionEncoding(max_length, name="positions")(x)
    for i in range(num_blocks):
        x = TransformerBlock(d_model, num_heads, ff_dim, name=f"block{i + 1}")(x)
    x = keras.layers.LayerNormalization(epsilon=1e-5, name="final_norm")(x)
    x = keras.layers.GlobalAveragePooling1D(name="mean_over_tokens")(x)
    out = keras.layers.Dense(1, activation="sigmoid", name="p_positive")(x)
    model = keras.Model(ids, out, name="transformer_classifier")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def build_transformer_lm(vocab_size: int, d_model: int = 32, num_heads: int = 2, ff_dim: int = 64,
                         num_blocks: int = 2, seq_len: int | None = None, max_length: int = 2048,
                         learning_rate: float = 3e-3, clipnorm: float | None = 1.0) -> Any:
    """A decoder-only (GPT-style) character language model: ids (batch, T) -> logits
    (batch, T, V), compiled like ``rnn.char_lm.build_char_lm`` (Adam, sparse cross-entropy
    from logits, in nats), so ``evaluate_char_lm`` scores it too.

    Embedding + sinusoidal positions -> ``num_blocks`` causal TransformerBlocks ->
    LayerNorm -> Dense(V). Position t sees positions 0..t only."""
    int_in_range("vocab_size", vocab_size, 2, numpy_ints=False)
    _check_sizes(d_model, num_heads, ff_dim, num_blocks, learning_rate)
    positive_int("seq_len", seq_len, allow_none=True)
    ids = keras.Input(shape=(seq_len,), dtype="int32", name="char_ids")
    x = keras.layers.Embedding(vocab_size, d_model, name="embedding")(ids)
    x = SinusoidalPositionEncoding(max_length, name="positions")(x)
    for i in range(num_blocks):
        x = TransformerBlock(d_model, num_heads, ff_dim, causal=True, name=f"block{i + 1}")(x)
    x = keras.layers.LayerNormalization(epsilon=1e-5, name="final_norm")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    model = keras.Model(ids, logits, name="transformer_lm")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model
