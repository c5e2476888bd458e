"""Causal linear attention (Katharopoulos et al., 2020, "Transformers are RNNs"), two ways.

Softmax attention weights the values by ``exp(q_t . k_s)``. Linear attention replaces that
similarity with a product of feature maps, ``phi(q_t) . phi(k_s)``, here
``phi(x) = elu(x) + 1`` (positive, so every weight is positive)::

    out_t = sum_{s<=t} (phi(q_t) . phi(k_s)) v_s  /  sum_{s<=t} phi(q_t) . phi(k_s)

- :func:`parallel_linear_attention`: all steps at once, a (T, T) matrix of weights masked to
  s <= t, as attention is usually written;
- :func:`recurrent_linear_attention`: the same sums carried forward in a state of fixed size,
  ``S_t = S_{t-1} + phi(k_t) v_t^T`` (d, d_v) and ``z_t = z_{t-1} + phi(k_t)`` (d,); then
  ``out_t = phi(q_t)^T S_t / phi(q_t) . z_t``. One :func:`linear_attention_step` per token.

Shapes: q, k (batch, T, d), v (batch, T, d_v); outputs (batch, T, d_v). Any float dtype.
"""

from __future__ import annotations

from typing import Any

from keras import ops

__all__ = ["elu_feature_map", "linear_attention_step", "parallel_linear_attention", "recurrent_linear_attention"]


def elu_feature_map(x: Any) -> Any:
    """phi(x) = elu(x) + 1, element-wise: positive for every x."""
    return ops.elu(x) + 1.0


def _check(q: Any, k: Any, v: Any) -> tuple[Any, Any, Any]:
    q, k, v = ops.convert_to_tensor(q), ops.convert_to_tensor(k), ops.convert_to_tensor(v)
    if len(q.shape) != 3 or tuple(q.shape) != tuple(k.shape):
        raise ValueError(f"q and k must both have shape (batch, T, d), got {tuple(q.shape)} and {tuple(k.shape)}; "
                         "add a batch axis with x[None] for one sequence")
    if len(v.shape) != 3 or tuple(v.shape[:2]) != tuple(q.shape[:2]):
        raise ValueError(f"v must have shape (batch, T, d_v) with the batch and T of q {tuple(q.shape[:2])}, "
                         f"got {tuple(v.shape)}")
    return q, k, v


def parallel_linear_attention(q: Any, k: Any, v: Any) -> Any:
    """Causal linear attention over the whole sequence at once: the weights
    ``phi(Q) phi(K)^T`` (batch, T, T), zeroed above the diagonal (s > t), times V, each row
    divided by its sum. Returns (batch, T, d_v)."""
    q, k, v = _check(q, k, v)
    weights = ops.matmul(elu_feature_map(q), ops.transpose(elu_feature_map(k), (0, 2, 1)))
    T = q.shape[1]
    weights = weights * ops.cast(ops.tril(ops.ones((T, T))), weights.dtype)  # causal: only s <= t
    return ops.matmul(weights, v) / ops.sum(weights, axis=-1, keepdims=True)


def linear_attention_step(S: Any, z: Any, q_t: Any, k_t: Any, v_t: Any) -> tuple[Any, Any, Any]:
    """One token: S (batch, d, d_v), z (batch, d), q_t and k_t (batch, d), v_t (batch, d_v).
    Adds the token to the state first (it attends to itself), then reads it with q_t.
    Returns (out_t (batch, d_v), S_t, z_t)."""
    phi_k = elu_feature_map(k_t)
    S = S + phi_k[:, :, None] * v_t[:, None, :]  # outer product phi(k_t) v_t^T
    z = z + phi_k
    phi_q = elu_feature_map(q_t)
    out = ops.sum(phi_q[:, :, None] * S, axis=1) / ops.sum(phi_q * z, axis=-1, keepdims=True)
    return out, S, z


def recurrent_linear_attention(q: Any, k: Any, v: Any, return_state: bool = False) -> Any:
    """The same attention as :func:`parallel_linear_attention`, one token at a time with a
    state of fixed size (S (batch, d, d_v), z (batch, d)) whatever T is. Returns
    (batch, T, d_v), and the final (S, z) too when ``return_state``."""
    q, k, v = _check(q, k, v)
    batch, T, d = q.shape
    S = ops.zeros((batch, d, v.shape[-1]), dtype=q.dtype)
    z = ops.zeros((batch, d), dtype=q.dtype)
    outs = []
    for t in range(T):
        out, S, z = linear_attention_step(S, z, q[:, t], k[:, t], v[:, t])
        outs.append(out)
    result = ops.stack(outs, axis=1)
    return (result, (S, z)) if return_state else result
