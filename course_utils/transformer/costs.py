"""What generating ONE token costs (chapter 13): a self-attention step over a key/value cache
that grows with the context, against a GRU step whose state does not.

* :func:`attention_step` and :func:`gru_step`: one token, in NumPy;
* :func:`kv_cache_bytes` and :func:`rnn_state_bytes`: the memory each carries per sequence;
* :func:`generation_cost_table` times both steps and counts their bytes against the context
  length, :func:`plot_generation_cost` plots two of its columns;
* :func:`tokens_per_second`: how fast a Keras model reads its input.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..validate import int_in_range, positive_int
from .numpy_attention import _softmax_last

__all__ = ["attention_step", "generation_cost_table", "gru_step", "kv_cache_bytes", "plot_generation_cost",
           "rnn_state_bytes", "tokens_per_second"]


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
