"""The linear recurrence ``h_t = a_t * h_{t-1} + b_t`` (element-wise), computed three ways.

All three take ``a`` and ``b`` of shape (batch, T, H) (any float dtype; float64 works) and an
optional starting state ``h0`` (batch, H), zeros by default, and return every state
``h_1..h_T`` as (batch, T, H):

- :func:`sequential_scan`: the plain loop, one step after another (``keras.ops.scan``): T
  steps, each waiting for the one before;
- :func:`parallel_scan`: a prefix scan (``keras.ops.associative_scan``) of the affine maps
  ``h -> a_t h + b_t`` with :func:`combine`; about log2(T) rounds of element-wise work;
- :func:`log_space_scan`: the same sums computed on logarithms (Feng et al., 2024), for
  positive ``b`` only: it takes ``log a`` and ``log b``.

Why a prefix scan works: step t applies the affine map ``(a_t, b_t): h -> a_t h + b_t``.
Applying ``(a_1, b_1)`` and then ``(a_2, b_2)`` is again an affine map,
``(a_1 a_2, a_2 b_1 + b_2)``, and composing maps is associative, so the compositions of all
prefixes can be computed in any bracketing, in particular as a balanced tree.
"""

from __future__ import annotations

from typing import Any

from keras import ops

__all__ = ["combine", "log_space_scan", "parallel_scan", "sequential_scan"]


def _check(a: Any, b: Any, h0: Any, names: tuple[str, str] = ("a", "b")) -> tuple[Any, Any, Any]:
    a, b = ops.convert_to_tensor(a), ops.convert_to_tensor(b)
    if len(a.shape) != 3 or tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{names[0]} and {names[1]} must both have shape (batch, T, H), got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}; add a batch axis with x[None] for one sequence")
    if a.dtype != b.dtype:
        raise ValueError(f"{names[0]} and {names[1]} must have the same dtype, got {a.dtype} and {b.dtype}; "
                         "cast one of them, e.g. keras.ops.cast(b, a.dtype)")
    if h0 is not None:
        h0 = ops.cast(ops.convert_to_tensor(h0), a.dtype)
        if len(h0.shape) != 2 or h0.shape[-1] != a.shape[-1]:
            raise ValueError(f"h0 must have shape (batch, H) = (batch, {a.shape[-1]}), got {tuple(h0.shape)}")
    return a, b, h0


def combine(earlier: tuple[Any, Any], later: tuple[Any, Any]) -> tuple[Any, Any]:
    """Compose two affine maps: first ``earlier = (a1, b1)``, then ``later = (a2, b2)``:
    ``h -> a2 (a1 h + b1) + b2`` is ``(a1 a2, a2 b1 + b2)``. Associative, so a prefix scan may
    bracket the compositions as it likes. Works on arrays of any (equal) shapes."""
    a1, b1 = earlier
    a2, b2 = later
    return a1 * a2, a2 * b1 + b2


def sequential_scan(a: Any, b: Any, h0: Any = None) -> Any:
    """``h_t = a_t * h_{t-1} + b_t``, one step at a time. a, b (batch, T, H); h0 (batch, H) or
    None (zeros). Returns h (batch, T, H)."""
    a, b, h0 = _check(a, b, h0)
    if h0 is None:
        h0 = ops.zeros_like(a[:, 0])

    def step(h: Any, ab: tuple[Any, Any]) -> tuple[Any, Any]:
        h = ab[0] * h + ab[1]
        return h, h

    # keras.ops.scan loops over the leading axis, so put time first and back again.
    _, hs = ops.scan(step, h0, (ops.transpose(a, (1, 0, 2)), ops.transpose(b, (1, 0, 2))))
    return ops.transpose(hs, (1, 0, 2))


def parallel_scan(a: Any, b: Any, h0: Any = None) -> Any:
    """``h_t = a_t * h_{t-1} + b_t`` by a parallel prefix scan over time of the maps
    ``(a_t, b_t)`` (``keras.ops.associative_scan`` with :func:`combine`): the prefix up to t
    is ``(a_1 ... a_t, h_t)`` when h_0 = 0. A nonzero ``h0`` is folded into the first step,
    ``b_1 <- a_1 h0 + b_1``. a, b (batch, T, H); h0 (batch, H) or None (zeros).
    Returns h (batch, T, H). Its gradient is :func:`_scan_from_zero`'s backward scan."""
    a, b, h0 = _check(a, b, h0)
    if h0 is not None:
        b = ops.concatenate([a[:, :1] * h0[:, None, :] + b[:, :1], b[:, 1:]], axis=1)
    return _scan_from_zero(a, b)


def _prefix_states(a: Any, b: Any, reverse: bool = False) -> Any:
    """The ``b`` part of the prefix scan of (a, b) along time (suffix scan if ``reverse``)."""
    _, h = ops.associative_scan(combine, (a, b), reverse=reverse, axis=1)
    return ops.reshape(h, ops.shape(b))  # in a graph the scan loses the static shape


@ops.custom_gradient
def _scan_from_zero(a: Any, b: Any) -> Any:
    """h_t = a_t h_{t-1} + b_t from h_0 = 0, with its backward pass written as a scan too.

    With ``G_t = dL/dh_t`` from later layers, ``g_t = dL/db_t`` collects G_t and everything
    h_t influences later: ``g_t = G_t + a_{t+1} g_{t+1}``, the same linear recurrence run
    backwards in time; then ``dL/da_t = g_t h_{t-1}``. (Differentiating through the scan's
    own slicing and interleaving would also be correct, but slower.)"""
    h = _prefix_states(a, b)

    def grad(*args: Any, upstream: Any = None) -> tuple[Any, Any]:
        G = args[0] if upstream is None else upstream
        a_next = ops.concatenate([a[:, 1:], ops.ones_like(a[:, :1])], axis=1)  # a_{t+1}; the last is unused
        g = _prefix_states(a_next, G, reverse=True)
        h_prev = ops.concatenate([ops.zeros_like(h[:, :1]), h[:, :-1]], axis=1)
        return g * h_prev, g

    return h, grad


def log_space_scan(log_a: Any, log_b: Any, h0: Any = None) -> Any:
    """``h_t = a_t * h_{t-1} + b_t`` for positive ``a`` and ``b``, computed from their
    logarithms. With ``L_t = log a_1 + ... + log a_t``, unrolling the recurrence gives

        h_t = exp(L_t) * sum_{k<=t} exp(log b_k - L_k)     (plus exp(L_t) h0)
        log h_t = L_t + logcumsumexp(log b - L)_t

    The log-cumsum-exp is itself a prefix scan, with ``logaddexp`` as the operator: no product
    of many small gates is ever formed, so nothing underflows. log_a, log_b (batch, T, H);
    h0 (batch, H) positive, or None (zeros). Returns h (batch, T, H), not its log.

    Precision: ``L_t`` grows in magnitude with t, and ``log h_t`` is the sum of two large
    terms of opposite sign, so its absolute error grows like |L_t| times the float epsilon."""
    log_a, log_b, h0 = _check(log_a, log_b, h0, names=("log_a", "log_b"))
    if h0 is not None:
        # h0 is one more "b" term before the first step: prepend it with log a = 0, drop it after.
        log_a = ops.concatenate([ops.zeros_like(log_a[:, :1]), log_a], axis=1)
        log_b = ops.concatenate([ops.log(h0)[:, None, :], log_b], axis=1)
    L = ops.cumsum(log_a, axis=1)
    log_h = L + ops.reshape(ops.associative_scan(ops.logaddexp, log_b - L, axis=1), ops.shape(L))
    h = ops.exp(log_h)
    return h if h0 is None else h[:, 1:]
