"""Checks for chapter 06's exercises (one GRU step in NumPy, both reset_after variants; the parameter count)
and its build-it exercise (a GRU cell as a Keras layer, equal to keras.layers.GRU both ways)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed
from .ch05 import outputs_close, random_keras_layer, run_cell_against


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def gru_step_reference(x: np.ndarray, h: np.ndarray, p: dict[str, np.ndarray], reset_after: bool) -> np.ndarray:
    """One Keras-convention GRU step with row vectors: x (B, D), h (B, H). ``p`` holds W_kx (H, D),
    W_kh (H, H) for k in z, r, n, and b_kx, b_kh (H,) per gate (for reset_after=False use only b_kx).
    Returns h_t = z * h + (1 - z) * n."""
    z = _sigmoid(x @ p["W_zx"].T + p["b_zx"] + h @ p["W_zh"].T + (p["b_zh"] if reset_after else 0.0))
    r = _sigmoid(x @ p["W_rx"].T + p["b_rx"] + h @ p["W_rh"].T + (p["b_rh"] if reset_after else 0.0))
    if reset_after:
        n = np.tanh(x @ p["W_nx"].T + p["b_nx"] + r * (h @ p["W_nh"].T + p["b_nh"]))
    else:
        n = np.tanh(x @ p["W_nx"].T + p["b_nx"] + (r * h) @ p["W_nh"].T)
    return z * h + (1.0 - z) * n


def check_gru_step(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 1: ``fn(x, h, p, reset_after) -> h_t``, one GRU step in NumPy (Keras's convention)."""
    name = "gru_step"
    rng = np.random.default_rng(60)
    for (B, D, H), reset_after in [((2, 3, 4), True), ((2, 3, 4), False), ((1, 5, 2), True), ((3, 2, 3), False)]:
        x, h = rng.normal(size=(B, D)), rng.normal(size=(B, H))
        p = {}
        for k in "zrn":
            p[f"W_{k}x"], p[f"W_{k}h"] = rng.normal(size=(H, D)), rng.normal(size=(H, H))
            p[f"b_{k}x"], p[f"b_{k}h"] = rng.normal(size=H), rng.normal(size=H)
        got, error = call_learner(name, fn, x.copy(), h.copy(), {k: v.copy() for k, v in p.items()}, reset_after)
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = gru_step_reference(x, h, p, reset_after)
        if got.shape != (B, H):
            return failed(name, f"h_t has shape (B, H) = {(B, H)}; got {got.shape}.")
        if np.allclose(got, want):
            continue
        bz = p["b_zh"] if reset_after else 0.0
        br = p["b_rh"] if reset_after else 0.0
        z = _sigmoid(x @ p["W_zx"].T + p["b_zx"] + h @ p["W_zh"].T + bz)
        r = _sigmoid(x @ p["W_rx"].T + p["b_rx"] + h @ p["W_rh"].T + br)
        n_after = np.tanh(x @ p["W_nx"].T + p["b_nx"] + r * (h @ p["W_nh"].T + (p["b_nh"] if reset_after else 0.0)))
        n_before = np.tanh(x @ p["W_nx"].T + p["b_nx"] + (r * h) @ p["W_nh"].T)
        n = n_after if reset_after else n_before
        if np.allclose(got, (1.0 - z) * h + z * n):
            return failed(name, "the update gate is the wrong way round: in Keras h_t = z_t * h_(t-1) + (1 - z_t) * n_t, "
                                "so z_t near 1 keeps the old state.")
        if np.allclose(got, z * h + (1.0 - z) * np.tanh(x @ p["W_nx"].T + p["b_nx"] + h @ p["W_nh"].T + (p["b_nh"] if reset_after else 0.0))):
            return failed(name, "the reset gate r_t is missing from the candidate n_t: it scales the recurrent term.")
        if reset_after and np.allclose(got, z * h + (1.0 - z) * n_before):
            return failed(name, "with reset_after=True the reset gate multiplies (W_nh h + b_nh) AFTER the matrix product, "
                                "not h before it.")
        if not reset_after and np.allclose(got, z * h + (1.0 - z) * np.tanh(x @ p["W_nx"].T + p["b_nx"] + r * (h @ p["W_nh"].T))):
            return failed(name, "with reset_after=False the reset gate multiplies h BEFORE the matrix product: (r * h) @ W_nh.T.")
        if np.allclose(got, n):
            return failed(name, "you returned the candidate n_t; mix it with the old state: z_t * h_(t-1) + (1 - z_t) * n_t.")
        return failed(name, "the values differ; check each gate's biases (reset_after=True has b_kx and b_kh, False only b_kx).")
    return passed(name)


def gru_param_count_reference(D: int, H: int, reset_after: bool) -> int:
    """Weights of keras.layers.GRU(H, reset_after=...) on D inputs: 3 blocks of (D + H) * H, plus
    3H biases, or 6H with reset_after=True (separate input and recurrent biases)."""
    return 3 * (D + H) * H + 3 * H * (2 if reset_after else 1)


def check_gru_param_count(fn: Callable[[int, int, bool], Any]) -> CheckResult:
    """Exercise 2: ``fn(D, H, reset_after) -> int``, the parameter count of keras.layers.GRU."""
    name = "gru_param_count"
    for D, H, ra in [(8, 32, True), (8, 32, False), (32, 256, True), (1, 1, False), (5, 7, True)]:
        got, error = call_learner(name, fn, D, H, ra)
        if error is not None:
            return error
        want = gru_param_count_reference(D, H, ra)
        if got == want:
            continue
        if ra and got == gru_param_count_reference(D, H, False):
            return failed(name, "with reset_after=True Keras keeps two bias vectors per gate (bias has shape (2, 3H)).")
        if got == 4 * (D + H + 1) * H:
            return failed(name, "four blocks is an LSTM; a GRU has three: update z, reset r, candidate n.")
        if got == 3 * (D + H) * H:
            return failed(name, "the biases are missing.")
        return failed(name, f"for D={D}, H={H}, reset_after={ra} expected {want}, got {got}.")
    return passed(name)


def _z_and_n(x: np.ndarray, h: np.ndarray, p: dict[str, np.ndarray], reset_after: bool) -> tuple[np.ndarray, np.ndarray]:
    z = _sigmoid(x @ p["W_zx"].T + p["b_zx"] + h @ p["W_zh"].T + (p["b_zh"] if reset_after else 0.0))
    r = _sigmoid(x @ p["W_rx"].T + p["b_rx"] + h @ p["W_rh"].T + (p["b_rh"] if reset_after else 0.0))
    if reset_after:
        return z, np.tanh(x @ p["W_nx"].T + p["b_nx"] + r * (h @ p["W_nh"].T + p["b_nh"]))
    return z, np.tanh(x @ p["W_nx"].T + p["b_nx"] + (r * h) @ p["W_nh"].T)


# --- Build it: a GRU cell as a Keras layer, equal to keras.layers.GRU(reset_after=True and False) ----

def _gru_numpy(x: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray, reset_after: bool,
               order: str = "zrh", swap_z: bool = False, reset: str | None = None, nh_bias_outside: bool = False,
               swap_bias_rows: bool = False) -> np.ndarray:
    """A GRU over x (B, T, D) from Keras-layout weights, in float64, with optional mistakes: gate blocks
    read in ``order``; z and 1 - z swapped; the reset applied ``reset`` = "before" or "after" the
    recurrent product, or "none" (default: Keras's place for ``reset_after``); b_nh outside the reset;
    the two bias rows swapped. Returns the outputs (B, T, H)."""
    H = recurrent.shape[0]
    if reset_after:
        b_in, b_rec = (bias[1], bias[0]) if swap_bias_rows else (bias[0], bias[1])
    else:
        b_in, b_rec = bias, np.zeros(3 * H)
    reset = reset or ("after" if reset_after else "before")
    cols = {k: slice(j * H, (j + 1) * H) for j, k in enumerate(order)}
    U_n, b_nh = recurrent[:, cols["h"]], b_rec[cols["h"]]
    h = np.zeros((x.shape[0], H))
    outputs = []
    for t in range(x.shape[1]):
        from_x, from_h = x[:, t] @ kernel + b_in, h @ recurrent + b_rec
        z = _sigmoid(from_x[:, cols["z"]] + from_h[:, cols["z"]])
        r = _sigmoid(from_x[:, cols["r"]] + from_h[:, cols["r"]])
        recurrent_term = {"after": r * (h @ U_n + (0.0 if nh_bias_outside else b_nh)),
                          "before": (r * h) @ U_n + b_nh, "none": h @ U_n + b_nh}[reset]
        n = np.tanh(from_x[:, cols["h"]] + recurrent_term + (b_nh if nh_bias_outside else 0.0))
        h = (1.0 - z) * h + z * n if swap_z else z * h + (1.0 - z) * n
        outputs.append(h)
    return np.stack(outputs, axis=1)


def _gru_diagnosis(seq: np.ndarray, x: np.ndarray, weights: list[np.ndarray], reset_after: bool) -> str:
    """A hint naming the mistake whose outputs the learner's cell reproduces."""
    want = _gru_numpy(x, *weights, reset_after)
    if seq.shape != want.shape:
        return f"the output sequence has shape {seq.shape}, expected (B, T, H) = {want.shape}: return h_t, [h_t]."
    mode = f"reset_after={reset_after}"
    if outputs_close(seq, _gru_numpy(x, *weights, reset_after, swap_z=True)):
        return ("the update gate is the wrong way round: in Keras z_t keeps the old state, "
                "h_t = z_t * h_(t-1) + (1 - z_t) * n_t, not (1 - z_t) * h_(t-1) + z_t * n_t.")
    if reset_after and outputs_close(seq, _gru_numpy(x, *weights, True, reset="before")):
        return ("with reset_after=True the reset gate multiplies AFTER the recurrent product: "
                "r_t * (h_(t-1) @ U_n + b_nh), where U_n is recurrent_kernel[:, 2H:]; you reset h_(t-1) before it.")
    if not reset_after and outputs_close(seq, _gru_numpy(x, *weights, False, reset="after")):
        return ("with reset_after=False the reset gate multiplies h_(t-1) BEFORE the recurrent product: "
                "(r_t * h_(t-1)) @ U_n, where U_n is recurrent_kernel[:, 2H:]; you reset after it.")
    if reset_after and outputs_close(seq, _gru_numpy(x, *weights, True, nh_bias_outside=True)):
        return "the candidate's recurrent bias b_nh (bias[1], last H) goes inside the reset: r_t * (h_(t-1) @ U_n + b_nh)."
    if reset_after and outputs_close(seq, _gru_numpy(x, *weights, True, swap_bias_rows=True)):
        return "the two bias rows are swapped: bias[0] is added to x_t @ kernel, bias[1] to h_(t-1) @ recurrent_kernel."
    if outputs_close(seq, _gru_numpy(x, *weights, reset_after, reset="none")):
        return f"the reset gate r_t is missing from the candidate n_t ({mode}): it scales the recurrent term."
    for order in ("zhr", "rzh", "rhz", "hzr", "hrz"):
        if outputs_close(seq, _gru_numpy(x, *weights, reset_after, order=order)):
            return (f"wrong gate order: you read the three column blocks as {', '.join(order)}. Keras stacks them "
                    "z, r, h: [:, :H] update gate, [:, H:2H] reset gate, [:, 2H:] candidate (Keras's 'h').")
    return (f"the outputs differ from keras.layers.GRU({mode}) (max |difference| {np.max(np.abs(seq - want)):.2g}); "
            "compare call() with the equations for z_t, r_t, n_t and h_t = z_t * h_(t-1) + (1 - z_t) * n_t.")


def check_gru_cell(cell_class: Callable[..., Any]) -> CheckResult:
    """Build it: ``cell_class(units, reset_after=...)`` is a Keras layer for ``keras.layers.RNN`` that equals
    ``keras.layers.GRU(units, reset_after=...)`` once the GRU's weights are copied into it, both ways."""
    import keras

    name = "gru_cell"
    if not callable(cell_class):
        return failed(name, f"pass your class itself, e.g. check_gru_cell(MyGRUCell), not {type(cell_class).__name__}.")
    rng = np.random.default_rng(66)
    for (B, T, D, H), reset_after in [((3, 6, 4, 5), True), ((3, 6, 4, 5), False), ((2, 5, 2, 3), True), ((2, 5, 2, 3), False)]:
        x = rng.normal(size=(B, T, D)).astype("float32")
        reference = keras.layers.GRU(H, reset_after=reset_after, return_sequences=True, return_state=True)
        weights = random_keras_layer(reference, x, rng)
        want_shapes = [(D, 3 * H), (H, 3 * H), (2, 3 * H) if reset_after else (3 * H,)]

        def vet(cell: Any, shapes: list[tuple[int, ...]], H: int = H, want: list = want_shapes, ra: bool = reset_after) -> str | None:
            size = cell.state_size
            size = size[0] if isinstance(size, (list, tuple)) and len(size) == 1 else size
            if isinstance(size, (list, tuple)) or int(size) != H:
                return f"a GRU carries one state, h: set self.state_size = units (got {cell.state_size!r})."
            if shapes[:2] != want[:2] or len(shapes) != 3:
                return ("create three weights with self.add_weight in build(), in this order: kernel (D, 3H), "
                        f"recurrent_kernel (H, 3H), bias; for D, H = {D}, {H} that is {want}, your cell made {shapes}.")
            if shapes[2] != want[2]:
                return (f"wrong bias shape for reset_after={ra}: {shapes[2]}. With reset_after=True Keras keeps two bias "
                        "rows, input and recurrent, shape (2, 3H); with reset_after=False one, shape (3H,). "
                        f"Here: {want[2]}.")
            return None

        got, error = run_cell_against(name, lambda H=H, ra=reset_after: cell_class(H, reset_after=ra), reference, x, vet)
        if error is not None:
            return error
        want = [np.asarray(o, dtype="float64") for o in reference(x)]
        if len(got) == 2 and all(a.shape == b.shape and np.allclose(a, b, atol=1e-5) for a, b in zip(got, want)):
            continue
        return failed(name, _gru_diagnosis(got[0], x.astype("float64"), weights, reset_after))
    return passed(name, "equal to keras.layers.GRU with copied weights, reset_after=True and False (to 1e-5).")


@functools.cache
def _gru_cell_class(swap_z: bool = False) -> type:
    """The build-it solution as a class; ``swap_z`` plants a mistake for the self-test."""
    import keras
    from keras import ops

    class GRUCell(keras.layers.Layer):
        def __init__(self, units: int, reset_after: bool = True, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.units, self.reset_after = units, reset_after
            self.state_size = units
            self.output_size = units

        def build(self, input_shape: Any) -> None:
            D, H = input_shape[-1], self.units
            self.kernel = self.add_weight(shape=(D, 3 * H), initializer="glorot_uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(H, 3 * H), initializer="orthogonal", name="recurrent_kernel")
            shape = (2, 3 * H) if self.reset_after else (3 * H,)
            self.bias = self.add_weight(shape=shape, initializer="zeros", name="bias")

        def call(self, inputs: Any, states: Any) -> Any:
            h_prev, H = states[0], self.units
            b_x, b_h = (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, 0.0)
            x_z, x_r, x_n = ops.split(ops.matmul(inputs, self.kernel) + b_x, 3, axis=-1)
            h_z, h_r, h_n = ops.split(ops.matmul(h_prev, self.recurrent_kernel) + b_h, 3, axis=-1)
            z, r = ops.sigmoid(x_z + h_z), ops.sigmoid(x_r + h_r)
            if self.reset_after:
                n = ops.tanh(x_n + r * h_n)
            else:
                n = ops.tanh(x_n + ops.matmul(r * h_prev, self.recurrent_kernel[:, 2 * H:]))
            h = (1 - z) * h_prev + z * n if swap_z else z * h_prev + (1 - z) * n
            return h, [h]

    return GRUCell


def gru_cell_reference(units: int, reset_after: bool = True, **kwargs: Any) -> Any:
    """The build-it solution: a Keras GRU cell (gates z, r, h; one state h) with ``units`` units."""
    return _gru_cell_class()(units, reset_after=reset_after, **kwargs)


SELF_TESTS = [
    SelfTest(check_gru_step, gru_step_reference,
             wrong=lambda x, h, p, ra: (lambda z, n: (1.0 - z) * h + z * n)(*_z_and_n(x, h, p, ra)),
             hint="update gate is the wrong way round"),
    SelfTest(check_gru_param_count, gru_param_count_reference,
             wrong=lambda D, H, ra: 3 * (D + H) * H + 3 * H, hint="two bias vectors"),
    SelfTest(check_gru_cell, gru_cell_reference,
             wrong=lambda units, reset_after=True: _gru_cell_class(swap_z=True)(units, reset_after=reset_after),
             hint="update gate is the wrong way round"),
]
