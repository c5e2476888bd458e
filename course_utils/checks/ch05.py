"""Checks for chapter 05's exercises (one LSTM step in NumPy, the forget-bias vector, the parameter count)
and its build-it exercise (an LSTM cell as a Keras layer, equal to keras.layers.LSTM)."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def lstm_step_reference(x: np.ndarray, h: np.ndarray, c: np.ndarray, p: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step with row vectors: x (B, D), h and c (B, H); p holds W_kx (H, D), W_kh (H, H), b_k (H,)
    for k in i, f, g, o. Returns (h_t, c_t)."""
    gate = lambda k: x @ p[f"W_{k}x"].T + h @ p[f"W_{k}h"].T + p[f"b_{k}"]  # noqa: E731
    i, f, o, g = _sigmoid(gate("i")), _sigmoid(gate("f")), _sigmoid(gate("o")), np.tanh(gate("g"))
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new


def _random_params(rng: np.random.Generator, D: int, H: int) -> dict[str, np.ndarray]:
    p = {}
    for k in "ifgo":
        p[f"W_{k}x"], p[f"W_{k}h"], p[f"b_{k}"] = rng.normal(size=(H, D)), rng.normal(size=(H, H)) * 0.5, rng.normal(size=H)
    return p


def check_lstm_step(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 1: ``fn(x, h, c, p) -> (h_t, c_t)``, one LSTM step in NumPy."""
    name = "lstm_step"
    rng = np.random.default_rng(50)
    for B, D, H in [(2, 3, 4), (1, 5, 2), (3, 2, 3)]:
        x, h, c = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
        p = _random_params(rng, D, H)
        got, error = call_learner(name, fn, x.copy(), h.copy(), c.copy(), {k: v.copy() for k, v in p.items()})
        if error is not None:
            return error
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return failed(name, "return the pair (h_t, c_t): the new hidden state and the new cell state.")
        h_got, c_got = (np.asarray(v, dtype="float64") for v in got)
        h_want, c_want = lstm_step_reference(x, h, c, p)
        if h_got.shape != (B, H) or c_got.shape != (B, H):
            return failed(name, f"h_t and c_t both have shape (B, H) = {(B, H)}; got {h_got.shape} and {c_got.shape}.")
        if np.allclose(h_got, h_want) and np.allclose(c_got, c_want):
            continue
        gate = lambda k: x @ p[f"W_{k}x"].T + h @ p[f"W_{k}h"].T + p[f"b_{k}"]  # noqa: E731
        i, f, o, g = _sigmoid(gate("i")), _sigmoid(gate("f")), _sigmoid(gate("o")), np.tanh(gate("g"))
        if np.allclose(c_got, c + i * g):
            return failed(name, "the forget gate is missing from the cell state: c_t = f_t * c_(t-1) + i_t * g_t.")
        if np.allclose(c_got, f * c + g):
            return failed(name, "the input gate is missing: the candidate g_t enters the cell as i_t * g_t.")
        if np.allclose(c_got, i * c + f * g):
            return failed(name, "the input and forget gates are swapped: f_t multiplies the old cell c_(t-1), i_t the candidate g_t.")
        if np.allclose(c_got, f * c + i * _sigmoid(gate("g"))):
            return failed(name, "the candidate g_t uses tanh, not sigmoid: it is a value in (-1, 1), not a gate.")
        if np.allclose(c_got, c_want) and np.allclose(h_got, o * c_want):
            return failed(name, "the output squashes the cell state first: h_t = o_t * tanh(c_t).")
        if np.allclose(c_got, c_want) and np.allclose(h_got, np.tanh(c_want)):
            return failed(name, "the output gate is missing: h_t = o_t * tanh(c_t).")
        if np.allclose(c_got, c_want):
            return failed(name, "c_t is right but h_t differs: h_t = o_t * tanh(c_t), with o_t = sigmoid(W_ox x + W_oh h + b_o).")
        return failed(name, "c_t differs from f_t * c_(t-1) + i_t * g_t; check each gate's weights (W_kx is (H, D): use x @ W_kx.T).")
    return passed(name)


def forget_bias_reference(units: int) -> np.ndarray:
    """Keras's initial LSTM bias with unit_forget_bias=True: (4H,), ones in the forget slice [H, 2H)."""
    b = np.zeros(4 * units, dtype="float32")
    b[units:2 * units] = 1.0
    return b


def check_forget_bias(fn: Callable[[int], Any]) -> CheckResult:
    """Exercise 2: ``fn(units) -> (4 * units,)`` the initial bias of a Keras LSTM with unit_forget_bias=True."""
    name = "forget_bias"
    for H in (1, 3, 8):
        got, error = call_learner(name, fn, H)
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64").ravel()
        want = forget_bias_reference(H)
        if got.shape != want.shape:
            return failed(name, f"the bias stacks the four gates i, f, c, o: shape (4 * units,) = {want.shape}, got {got.shape}.")
        if np.allclose(got, want):
            continue
        if np.isclose(got.sum(), H) and np.allclose(got[:H], 1.0):
            return failed(name, "you set the input gate's slice; Keras orders the gates i, f, c, o, so the forget "
                                "gate's biases are entries [units, 2 * units).")
        if np.isclose(got.sum(), H):
            return failed(name, "the ones are in the wrong slice: gate order i, f, c, o puts the forget gate at [units, 2 * units).")
        return failed(name, "expected zeros everywhere except ones for the forget gate, entries [units, 2 * units).")
    return passed(name)


def lstm_param_count_reference(D: int, H: int) -> int:
    """Weights of keras.layers.LSTM(H) on inputs of size D: 4 gates of (D + H + 1) * H."""
    return 4 * (D + H + 1) * H


def check_lstm_param_count(fn: Callable[[int, int], Any]) -> CheckResult:
    """Exercise 3: ``fn(D, H) -> int``, the parameter count of keras.layers.LSTM(H) on D inputs."""
    name = "lstm_param_count"
    for D, H in [(8, 32), (32, 256), (1, 1), (5, 7)]:
        got, error = call_learner(name, fn, D, H)
        if error is not None:
            return error
        want = lstm_param_count_reference(D, H)
        if got == want:
            continue
        if got == (D + H + 1) * H:
            return failed(name, "that is one gate's worth (a SimpleRNN); an LSTM has four weight blocks: i, f, g, o.")
        if got == 4 * (D + H) * H:
            return failed(name, "the biases are missing: each of the four gates has H of them.")
        if got == 3 * (D + H + 1) * H:
            return failed(name, "three blocks is a GRU; the LSTM has four: input, forget, candidate, output.")
        return failed(name, f"for D={D}, H={H} expected {want}, got {got}.")
    return passed(name)


def _no_forget(x: np.ndarray, h: np.ndarray, c: np.ndarray, p: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    gate = lambda k: x @ p[f"W_{k}x"].T + h @ p[f"W_{k}h"].T + p[f"b_{k}"]  # noqa: E731
    c_new = c + _sigmoid(gate("i")) * np.tanh(gate("g"))
    return _sigmoid(gate("o")) * np.tanh(c_new), c_new


# --- Build it: an LSTM cell as a Keras layer, equal to keras.layers.LSTM -----------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _keras_error(result: CheckResult) -> CheckResult:
    """Shorten a failure raised inside a Keras layer: Keras wraps the learner's error in a long
    report ("Exception encountered when calling ..."); keep the error's type, where, and message."""
    kind, sep, after = _ANSI.sub("", result.message).partition(": Exception encountered when calling ")
    if not sep:  # kind: "your function raised TypeError"
        return result
    where = after.split("(", 1)[0]
    paragraphs = [p.strip() for p in after.split("\n\n")[1:] if p.strip()]
    core = paragraphs[0] if paragraphs else after
    return failed(result.exercise, f"{kind} in {where}(): {core}")


def run_cell_against(name: str, make_cell: Callable[[], Any], reference: Any, x: np.ndarray,
                     vet: Callable[[Any, list[tuple[int, ...]]], str | None]) -> tuple[list[np.ndarray] | None, CheckResult | None]:
    """Wrap the learner's cell, ``make_cell()``, in ``keras.layers.RNN(return_sequences=True,
    return_state=True)``, build it on ``x``, let ``vet(cell, weight_shapes)`` return a hint if
    something is off before running, copy the built Keras ``reference`` layer's weights into it
    and run it on ``x``. Returns ``([sequence, *final_states] as float64, None)`` or ``(None, failure)``."""
    import keras

    def build_and_run() -> Any:
        cell = make_cell()
        if not isinstance(cell, keras.layers.Layer):
            return f"your class must subclass keras.layers.Layer; got an instance of {type(cell).__name__}."
        if not hasattr(cell, "state_size"):
            return "set self.state_size in __init__: keras.layers.RNN reads it to make the zero initial states."
        rnn = keras.layers.RNN(cell, return_sequences=True, return_state=True)
        rnn.build(x.shape)
        hint = vet(cell, [tuple(int(s) for s in w.shape) for w in rnn.weights])
        if hint:
            return hint
        for mine, theirs in zip(rnn.weights, reference.weights):
            mine.assign(theirs)
        return [np.asarray(o, dtype="float64") for o in rnn(x)]

    got, error = call_learner(name, build_and_run)
    if error is not None:
        return None, _keras_error(error)
    if isinstance(got, str):
        return None, failed(name, got)
    return got, None


def random_keras_layer(layer: Any, x: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """Build a Keras recurrent layer on ``x``, give every weight (biases too) random values, and
    return them as float64 arrays, so that every term of the cell counts."""
    layer.build(x.shape)
    for w in layer.weights:
        w.assign(rng.normal(scale=0.5, size=tuple(w.shape)).astype("float32"))
    return [np.asarray(w.numpy(), dtype="float64") for w in layer.weights]


def _lstm_numpy(x: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray, order: str = "ifco",
                cell_tanh: bool = True, candidate: Callable[[np.ndarray], np.ndarray] = np.tanh,
                swap_states: bool = False, forget: bool = True, output: str = "h") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An LSTM over x (B, T, D) from Keras-layout weights, in float64, with optional mistakes:
    gate blocks read in ``order``, h_t = o * c_t without tanh, another candidate activation,
    the states [h, c] passed on swapped, no forget gate, c_t as the output. Returns (outputs (B, T, H), h_T, c_T)."""
    H = recurrent.shape[0]
    h = c = np.zeros((x.shape[0], H))
    outputs = []
    for t in range(x.shape[1]):
        h_in, c_in = (c, h) if swap_states else (h, c)
        z = x[:, t] @ kernel + h_in @ recurrent + bias
        gate = {k: z[:, j * H:(j + 1) * H] for j, k in enumerate(order)}
        i, f, o, g = _sigmoid(gate["i"]), _sigmoid(gate["f"]), _sigmoid(gate["o"]), candidate(gate["c"])
        c = (f * c_in if forget else c_in) + i * g
        h = o * (np.tanh(c) if cell_tanh else c)
        outputs.append(h if output == "h" else c)
    return np.stack(outputs, axis=1), h, c


def outputs_close(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape and equal to 1e-4 (a float32 cell against a float64 NumPy variant)."""
    return a.shape == b.shape and bool(np.allclose(a, b, atol=1e-4))


def _lstm_diagnosis(got: list[np.ndarray], x: np.ndarray, weights: list[np.ndarray]) -> str:
    """A hint naming the mistake whose outputs the learner's cell reproduces."""
    seq = got[0]
    want_seq, want_h, want_c = _lstm_numpy(x, *weights)
    if outputs_close(seq, want_seq):
        if len(got) == 3 and outputs_close(got[1], want_c) and outputs_close(got[2], want_h):
            return "the outputs are right but the states come back as [c, h]; the order is [h, c]: return h_t, [h_t, c_t]."
        return "the outputs are right but the final states are not [h_t, c_t]: return h_t, [h_t, c_t]."
    if outputs_close(seq, _lstm_numpy(x, *weights, swap_states=True)[0]):
        return ("wrong state order: the first step is right, later ones are not. Read h, c = states and return "
                "h_t, [h_t, c_t], both in the order [h, c].")
    for order in sorted({"".join(p) for p in itertools.permutations("ifco")} - {"ifco"}):
        if outputs_close(seq, _lstm_numpy(x, *weights, order=order)[0]):
            return (f"wrong gate order: you read the four column blocks as {', '.join(order)}. Keras stacks them "
                    "i, f, c, o: [:, :H] input gate, [:, H:2H] forget gate, [:, 2H:3H] candidate g_t "
                    "(Keras's 'c'), [:, 3H:] output gate.")
    if outputs_close(seq, _lstm_numpy(x, *weights, cell_tanh=False)[0]):
        return "the tanh on the cell is missing: h_t = o_t * tanh(c_t), not o_t * c_t."
    if outputs_close(seq, _lstm_numpy(x, *weights, candidate=_sigmoid)[0]):
        return "the candidate g_t uses tanh, not sigmoid: it is new content in (-1, 1), not a gate."
    if outputs_close(seq, _lstm_numpy(x, weights[0], weights[1], 0 * weights[2])[0]):
        return "the bias is missing: add self.bias to x_t @ kernel + h_(t-1) @ recurrent_kernel."
    if outputs_close(seq, _lstm_numpy(x, *weights, forget=False)[0]):
        return "the forget gate is missing from the cell state: c_t = f_t * c_(t-1) + i_t * g_t."
    if outputs_close(seq, _lstm_numpy(x, *weights, output="c")[0]):
        return "the output is the cell state; the layer outputs the hidden state: return h_t, [h_t, c_t]."
    if seq.shape != want_seq.shape:
        return f"the output sequence has shape {seq.shape}, expected (B, T, H) = {want_seq.shape}: return h_t as the output."
    return (f"the outputs differ from keras.layers.LSTM (max |difference| {np.max(np.abs(seq - want_seq)):.2g}); "
            "compare call() with the four gate equations, c_t = f_t * c_(t-1) + i_t * g_t and h_t = o_t * tanh(c_t).")


def check_lstm_cell(cell_class: Callable[..., Any]) -> CheckResult:
    """Build it: ``cell_class(units)`` is a Keras layer for ``keras.layers.RNN`` that equals
    ``keras.layers.LSTM(units)`` once the LSTM's weights are copied into it."""
    import keras

    name = "lstm_cell"
    if not callable(cell_class):
        return failed(name, f"pass your class itself, e.g. check_lstm_cell(MyLSTMCell), not {type(cell_class).__name__}.")
    rng = np.random.default_rng(55)
    for B, T, D, H in [(3, 6, 4, 5), (2, 5, 2, 3)]:
        x = rng.normal(size=(B, T, D)).astype("float32")
        reference = keras.layers.LSTM(H, return_sequences=True, return_state=True)
        weights = random_keras_layer(reference, x, rng)
        want_shapes = [(D, 4 * H), (H, 4 * H), (4 * H,)]

        def vet(cell: Any, shapes: list[tuple[int, ...]], H: int = H, want_shapes: list = want_shapes) -> str | None:
            size = cell.state_size
            if not (isinstance(size, (list, tuple)) and len(size) == 2 and all(int(s) == H for s in size)):
                return f"an LSTM carries two states, h and c: set self.state_size = [units, units] (got {size!r})."
            if shapes != want_shapes:
                return ("create three weights with self.add_weight in build(), in this order: kernel (D, 4H), "
                        "recurrent_kernel (H, 4H), bias (4H,), the layout of keras.layers.LSTM; for D, H = "
                        f"{D}, {H} that is {want_shapes}, your cell made {shapes}.")
            return None

        got, error = run_cell_against(name, lambda H=H: cell_class(H), reference, x, vet)
        if error is not None:
            return error
        want = [np.asarray(o, dtype="float64") for o in reference(x)]
        if len(got) == 3 and all(a.shape == b.shape and np.allclose(a, b, atol=1e-5) for a, b in zip(got, want)):
            continue
        return failed(name, _lstm_diagnosis(got, x.astype("float64"), weights))
    return passed(name, "equal to keras.layers.LSTM with copied weights (outputs and states [h, c], to 1e-5).")


@functools.cache
def _lstm_cell_class(gate_order: str = "ifco", cell_tanh: bool = True) -> type:
    """The build-it solution as a class; ``gate_order``/``cell_tanh`` plant mistakes for the self-test."""
    import keras
    from keras import ops

    class LSTMCell(keras.layers.Layer):
        def __init__(self, units: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.units = units
            self.state_size = [units, units]
            self.output_size = units

        def build(self, input_shape: Any) -> None:
            D, H = input_shape[-1], self.units
            self.kernel = self.add_weight(shape=(D, 4 * H), initializer="glorot_uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(H, 4 * H), initializer="orthogonal", name="recurrent_kernel")
            self.bias = self.add_weight(shape=(4 * H,), initializer="zeros", name="bias")

        def call(self, inputs: Any, states: Any) -> Any:
            h_prev, c_prev = states
            z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias
            gate = dict(zip(gate_order, ops.split(z, 4, axis=-1)))
            i, f, o = ops.sigmoid(gate["i"]), ops.sigmoid(gate["f"]), ops.sigmoid(gate["o"])
            c = f * c_prev + i * ops.tanh(gate["c"])
            h = o * (ops.tanh(c) if cell_tanh else c)
            return h, [h, c]

    return LSTMCell


def lstm_cell_reference(units: int, **kwargs: Any) -> Any:
    """The build-it solution: a Keras LSTM cell (gates i, f, c, o; states [h, c]) with ``units`` units."""
    return _lstm_cell_class()(units, **kwargs)


SELF_TESTS = [
    SelfTest(check_lstm_step, lstm_step_reference,
             wrong=_no_forget, hint="forget gate is missing"),
    SelfTest(check_forget_bias, forget_bias_reference,
             wrong=lambda H: np.concatenate([np.ones(H), np.zeros(3 * H)]), hint="input gate's slice"),
    SelfTest(check_lstm_param_count, lstm_param_count_reference,
             wrong=lambda D, H: 4 * (D + H) * H, hint="biases are missing"),
    SelfTest(check_lstm_cell, lstm_cell_reference,
             wrong=lambda units: _lstm_cell_class(gate_order="icfo")(units), hint="wrong gate order"),
]
