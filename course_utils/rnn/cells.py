"""Recurrent cells written from scratch as Keras layers, for use inside ``keras.layers.RNN``.

A cell computes ONE time step: ``output, new_states = cell(x_t, states)``;
``keras.layers.RNN(cell)`` loops it over time. Chapter 01 writes the vanilla cell::

    h_t = tanh(W_hx x_t + W_hh h_{t-1} + b_h)

How to add a cell (LSTM, GRU in chapters 05 and 06): subclass :class:`ScratchCell`,
create the weights in ``build`` with ``self.add_weight`` **in the same order and with
the same shapes as the matching Keras cell** (``keras.layers.LSTMCell``: kernel,
recurrent_kernel, bias), set ``KERAS_LAYER`` to the Keras layer name, and write
``call``. :func:`copy_weights` then moves weights both ways with no extra code.

Keras stores ``kernel`` as (D, H), the transpose of the course's ``W_hx`` (H, D):
Keras multiplies row vectors, ``x_t @ kernel``. :func:`simple_rnn_to_numpy` converts.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from ..validate import finite_number, positive_int

__all__ = ["ScratchCell", "ScratchSimpleRNNCell", "copy_weights", "numpy_to_simple_rnn",
           "scratch_rnn", "simple_rnn_to_numpy",
           "ScratchLSTMCell", "ScratchGRUCell", "lstm_gates", "lstm_gate_values", "gru_gates", "GateBias", "forget_bias", "update_bias"]


class ScratchCell(keras.layers.Layer):
    """Base class of the course's hand-written cells.

    Subclasses set ``state_size`` / ``output_size`` in ``__init__``, create their
    weights in ``build`` in Keras's order, and implement ``call(inputs, states)``
    returning ``(output, [new_state, ...])``."""

    KERAS_LAYER: str = ""  # name of the keras.layers class with the same weights

    def __init__(self, units: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        positive_int("units", units, "the size H of h_t")
        self.units = units

    def _check_input_shape(self, input_shape: tuple[int | None, ...]) -> int:
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} reads one step of shape (batch, D) with a known D, "
                             f"got {tuple(input_shape)}; wrap it as keras.layers.RNN(cell) to read (batch, T, D)")
        return int(input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units}


class ScratchSimpleRNNCell(ScratchCell):
    """The vanilla RNN cell: ``h_t = f(x_t W_hx^T + h_{t-1} W_hh^T + b_h)``, output = h_t.

    Weights (Keras layout, same as ``keras.layers.SimpleRNNCell``): ``kernel`` (D, H) = W_hx^T,
    ``recurrent_kernel`` (H, H) = W_hh^T, ``bias`` (H,) = b_h. Inputs (batch, D), state (batch, H)."""

    KERAS_LAYER = "SimpleRNN"

    def __init__(self, units: int, activation: str = "tanh", **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.activation_name = activation
        self.activation = keras.activations.get(activation)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        D = self._check_input_shape(input_shape)
        self.kernel = self.add_weight(shape=(D, self.units), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="orthogonal",
                                                name="recurrent_kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple[Any, list[Any]]:
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        h = self.activation(ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias)
        return h, [h]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": self.activation_name}


def scratch_rnn(cell: ScratchCell, return_sequences: bool = False, return_state: bool = False,
                **kwargs: Any) -> keras.layers.RNN:
    """Wrap a scratch cell in ``keras.layers.RNN``, which loops it over the time axis."""
    if not isinstance(cell, ScratchCell):
        raise TypeError(f"scratch_rnn() needs a ScratchCell such as ScratchSimpleRNNCell(16), got {type(cell).__name__}")
    return keras.layers.RNN(cell, return_sequences=return_sequences, return_state=return_state, **kwargs)


def _weights_of(layer: keras.layers.Layer, role: str) -> list[Any]:
    if not isinstance(layer, keras.layers.Layer):
        raise TypeError(f"{role} must be a Keras layer (e.g. keras.layers.SimpleRNN or RNN(ScratchSimpleRNNCell)), "
                        f"got {type(layer).__name__}")
    if not layer.built or not layer.weights:
        raise ValueError(f"{role} ({layer.name}) has no weights yet; call it once on an input "
                         "(e.g. layer(np.zeros((1, T, D)))) so that Keras builds it")
    return layer.weights


def copy_weights(source: keras.layers.Layer, target: keras.layers.Layer) -> None:
    """Copy every weight from ``source`` to ``target``, e.g. ``keras.layers.SimpleRNN`` ->
    ``keras.layers.RNN(ScratchSimpleRNNCell)`` or back. Both must be built, with the
    same weight shapes in the same order."""
    src, dst = _weights_of(source, "source"), _weights_of(target, "target")
    src_shapes = [tuple(w.shape) for w in src]
    dst_shapes = [tuple(w.shape) for w in dst]
    if src_shapes != dst_shapes:
        raise ValueError(f"weight shapes differ: source {src_shapes} vs target {dst_shapes}. "
                         "Check that both layers have the same units and input size D, and that the "
                         "cell creates its weights in Keras's order (kernel, recurrent_kernel, bias)")
    for s, d in zip(src, dst):
        d.assign(s)


def simple_rnn_to_numpy(layer: keras.layers.Layer) -> dict[str, np.ndarray]:
    """Course-notation weights of a built SimpleRNN (or RNN(ScratchSimpleRNNCell)):
    ``W_hx`` (H, D), ``W_hh`` (H, H), ``b_h`` (H,)."""
    weights = _weights_of(layer, "layer")
    if len(weights) != 3:
        raise ValueError(f"expected a SimpleRNN-style layer with 3 weights (kernel, recurrent_kernel, bias), "
                         f"got {len(weights)}; is use_bias=False set, or is this an LSTM/GRU?")
    kernel, recurrent, bias = (np.array(w.numpy()) for w in weights)
    H = recurrent.shape[0]
    if recurrent.shape != (H, H) or kernel.shape[1] != H or bias.shape != (H,):
        raise ValueError(f"weights of shapes {kernel.shape}, {recurrent.shape}, {bias.shape} are not a SimpleRNN's "
                         "(D, H), (H, H), (H,); an LSTM or GRU stacks its gates, 4H or 3H columns")
    return {"W_hx": kernel.T.copy(), "W_hh": recurrent.T.copy(), "b_h": bias.copy()}


def numpy_to_simple_rnn(params: dict[str, np.ndarray], layer: keras.layers.Layer) -> None:
    """Load ``W_hx`` (H, D), ``W_hh`` (H, H), ``b_h`` (H,) into a built SimpleRNN-style layer."""
    weights = _weights_of(layer, "layer")
    if len(weights) != 3:
        raise ValueError(f"expected a SimpleRNN-style layer with 3 weights, got {len(weights)}")
    for key in ("W_hx", "W_hh", "b_h"):
        if key not in params:
            raise ValueError(f"params is missing {key!r}")
    new = [np.asarray(params["W_hx"]).T, np.asarray(params["W_hh"]).T, np.asarray(params["b_h"])]
    for w, value, key in zip(weights, new, ("W_hx", "W_hh", "b_h")):
        if tuple(w.shape) != value.shape:
            raise ValueError(f"{key} (transposed for Keras) has shape {value.shape}, the layer expects {tuple(w.shape)}")
        w.assign(value.astype(w.dtype))




class ScratchLSTMCell(ScratchCell):
    """The LSTM cell, gate by gate (Hochreiter & Schmidhuber 1997; the forget gate was added by
    Gers, Schmidhuber & Cummins 2000)::

        i_t = sigmoid(W_ix x_t + W_ih h_{t-1} + b_i)      input gate
        f_t = sigmoid(W_fx x_t + W_fh h_{t-1} + b_f)      forget gate
        g_t = tanh(W_gx x_t + W_gh h_{t-1} + b_g)         candidate cell state
        o_t = sigmoid(W_ox x_t + W_oh h_{t-1} + b_o)      output gate
        c_t = f_t * c_{t-1} + i_t * g_t                   cell state
        h_t = o_t * tanh(c_t)                             hidden state, the output

    Weights in the layout of ``keras.layers.LSTMCell``, gates stacked in the order
    i, f, g (Keras calls it c), o: ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H),
    ``bias`` (4H,). States: ``[h (batch, H), c (batch, H)]``.
    ``unit_forget_bias=True`` starts b_f at 1, as Keras does (chapter 05 measures why)."""

    KERAS_LAYER = "LSTM"

    def __init__(self, units: int, unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        D, H = self._check_input_shape(input_shape), self.units
        self.kernel = self.add_weight(shape=(D, 4 * H), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(H, 4 * H), initializer="orthogonal", name="recurrent_kernel")
        forget_one = self.unit_forget_bias

        def bias_init(shape: Any, dtype: Any = None) -> Any:
            b = np.zeros(shape, dtype="float32")
            if forget_one:
                b[H:2 * H] = 1.0  # the forget gate's slice
            return ops.convert_to_tensor(b, dtype=dtype)

        self.bias = self.add_weight(shape=(4 * H,), initializer=bias_init, name="bias")

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple[Any, list[Any]]:
        h_prev, c_prev = states[0], states[1]
        z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias
        z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)
        i, f, o = ops.sigmoid(z_i), ops.sigmoid(z_f), ops.sigmoid(z_o)
        g = ops.tanh(z_g)
        c = f * c_prev + i * g
        h = o * ops.tanh(c)
        return h, [h, c]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class ScratchGRUCell(ScratchCell):
    """The GRU cell (Cho et al. 2014): an **update** gate and a **reset** gate, no
    separate cell state and no "forget gate"::

        z_t = sigmoid(W_zx x_t + W_zh h_{t-1} + b_z)              update gate
        r_t = sigmoid(W_rx x_t + W_rh h_{t-1} + b_r)              reset gate
        reset_after=False:  n_t = tanh(W_nx x_t + W_nh (r_t * h_{t-1}) + b_n)
        reset_after=True:   n_t = tanh(W_nx x_t + b_nx + r_t * (W_nh h_{t-1} + b_nh))
        h_t = z_t * h_{t-1} + (1 - z_t) * n_t

    (Keras's convention: z_t near 1 *keeps* the old state; some texts swap z and 1 - z.)
    ``reset_after=True`` is the Keras default (the cuDNN variant) and has two bias
    vectors; ``reset_after=False`` is the original paper's order of operations.
    Weights in the layout of ``keras.layers.GRUCell``, gates stacked z, r, n:
    ``kernel`` (D, 3H), ``recurrent_kernel`` (H, 3H), ``bias`` (2, 3H) or (3H,)."""

    KERAS_LAYER = "GRU"

    def __init__(self, units: int, reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        D, H = self._check_input_shape(input_shape), self.units
        self.kernel = self.add_weight(shape=(D, 3 * H), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(H, 3 * H), initializer="orthogonal", name="recurrent_kernel")
        bias_shape = (2, 3 * H) if self.reset_after else (3 * H,)
        self.bias = self.add_weight(shape=bias_shape, initializer="zeros", name="bias")

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple[Any, list[Any]]:
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        if self.reset_after:
            b_in, b_rec = self.bias[0], self.bias[1]
        else:
            b_in, b_rec = self.bias, None
        x_z, x_r, x_n = ops.split(ops.matmul(inputs, self.kernel) + b_in, 3, axis=-1)
        U_z, U_r, U_n = ops.split(self.recurrent_kernel, 3, axis=-1)
        if self.reset_after:
            h_z, h_r, h_n = ops.split(ops.matmul(h_prev, self.recurrent_kernel) + b_rec, 3, axis=-1)
            z, r = ops.sigmoid(x_z + h_z), ops.sigmoid(x_r + h_r)
            n = ops.tanh(x_n + r * h_n)
        else:
            z = ops.sigmoid(x_z + ops.matmul(h_prev, U_z))
            r = ops.sigmoid(x_r + ops.matmul(h_prev, U_r))
            n = ops.tanh(x_n + ops.matmul(r * h_prev, U_n))
        h = z * h_prev + (1.0 - z) * n
        return h, [h]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "reset_after": self.reset_after}


def _gate_blocks(layer: keras.layers.Layer, n_gates: int, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    weights = _weights_of(layer, "layer")
    if len(weights) != 3:
        raise ValueError(f"expected a {kind} layer with 3 weights (kernel, recurrent_kernel, bias), got {len(weights)}; "
                         "is use_bias=False set?")
    kernel, recurrent, bias = (np.array(w.numpy()) for w in weights)
    H = recurrent.shape[0]
    if recurrent.shape != (H, n_gates * H) or kernel.shape[1] != n_gates * H:
        raise ValueError(f"weights of shapes {kernel.shape}, {recurrent.shape} are not a {kind}'s (D, {n_gates}H), "
                         f"(H, {n_gates}H); pass a keras.layers.{kind} or an RNN(Scratch{kind}Cell)")
    return kernel, recurrent, bias


def lstm_gates(layer: keras.layers.Layer) -> dict[str, np.ndarray]:
    """Course-notation weights of a built ``keras.layers.LSTM`` (or ``RNN(ScratchLSTMCell)``):
    for each gate k in i, f, g (candidate; Keras's "c"), o: ``W_kx`` (H, D), ``W_kh`` (H, H), ``b_k`` (H,).
    Keras stacks the gates as column blocks of kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,)."""
    kernel, recurrent, bias = _gate_blocks(layer, 4, "LSTM")
    H = recurrent.shape[0]
    out: dict[str, np.ndarray] = {}
    for j, k in enumerate("ifgo"):
        cols = slice(j * H, (j + 1) * H)
        out[f"W_{k}x"], out[f"W_{k}h"], out[f"b_{k}"] = kernel[:, cols].T.copy(), recurrent[:, cols].T.copy(), bias[cols].copy()
    return out


def lstm_gate_values(layer: keras.layers.Layer, x: np.ndarray) -> dict[str, np.ndarray]:
    """What a built ``keras.layers.LSTM`` computes inside, step by step: its equations run in NumPy
    (float64) over ``x`` (B, T, D) from zero states. Returns the gates ``"i"``, ``"f"``, ``"o"``,
    the candidate ``"g"``, the cell ``"c"`` and the output ``"h"``, each (B, T, H); ``h[:, -1]`` is
    what the layer itself returns for the last step."""
    x = np.asarray(x, dtype="float64")
    p = lstm_gates(layer)
    D = p["W_ix"].shape[1]
    if x.ndim != 3 or x.shape[2] != D:
        raise ValueError(f"x must be (batch, time, {D}) for this layer's input size {D}, got shape {x.shape}")
    B, T, _ = x.shape
    H = p["W_ih"].shape[0]
    out = {k: np.zeros((B, T, H)) for k in "ifgoch"}
    h, c = np.zeros((B, H)), np.zeros((B, H))
    sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    for t in range(T):
        pre = {k: x[:, t] @ p[f"W_{k}x"].T + h @ p[f"W_{k}h"].T + p[f"b_{k}"] for k in "ifgo"}
        i, f, o, g = sigmoid(pre["i"]), sigmoid(pre["f"]), sigmoid(pre["o"]), np.tanh(pre["g"])
        c = f * c + i * g
        h = o * np.tanh(c)
        for k, v in zip("ifgoch", (i, f, g, o, c, h)):
            out[k][:, t] = v
    return out


def gru_gates(layer: keras.layers.Layer) -> dict[str, np.ndarray]:
    """Course-notation weights of a built ``keras.layers.GRU`` (or ``RNN(ScratchGRUCell)``): for each
    of z (update), r (reset), n (candidate): ``W_kx`` (H, D), ``W_kh`` (H, H), and biases. With
    ``reset_after=False`` (bias (3H,)) one ``b_k`` (H,) per gate; with ``reset_after=True`` (bias (2, 3H))
    an input bias ``b_kx`` and a recurrent bias ``b_kh`` per gate (only b_nh sits inside r_t * (...))."""
    kernel, recurrent, bias = _gate_blocks(layer, 3, "GRU")
    H = recurrent.shape[0]
    out: dict[str, np.ndarray] = {}
    for j, k in enumerate("zrn"):
        cols = slice(j * H, (j + 1) * H)
        out[f"W_{k}x"], out[f"W_{k}h"] = kernel[:, cols].T.copy(), recurrent[:, cols].T.copy()
        if bias.ndim == 2:
            out[f"b_{k}x"], out[f"b_{k}h"] = bias[0, cols].copy(), bias[1, cols].copy()
        else:
            out[f"b_{k}"] = bias[cols].copy()
    return out


class GateBias(keras.initializers.Initializer):
    """Bias initialiser that sets one gate's slice to ``value`` and every other entry to 0.

    For a bias of shape (n_gates * H,) or (2, n_gates * H) (GRU with reset_after=True: only the
    input row, row 0, is set). Use it through :func:`forget_bias` or :func:`update_bias`."""

    def __init__(self, gate: int, n_gates: int, value: float) -> None:
        if not 0 <= gate < n_gates:
            raise ValueError(f"gate must be in [0, {n_gates}), got {gate}")
        finite_number("value", value, fix="a bias of 1.0 (LSTM forget gate) is the usual choice")
        self.gate, self.n_gates, self.value = int(gate), int(n_gates), float(value)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        shape = tuple(int(s) for s in shape)
        if shape[-1] % self.n_gates:
            raise ValueError(f"a bias of shape {shape} does not split into {self.n_gates} gates; "
                             "use forget_bias() for an LSTM and update_bias() for a GRU")
        H = shape[-1] // self.n_gates
        b = np.zeros(shape, dtype="float32")
        if len(shape) == 2:
            b[0, self.gate * H:(self.gate + 1) * H] = self.value
        else:
            b[self.gate * H:(self.gate + 1) * H] = self.value
        return ops.convert_to_tensor(b, dtype=dtype or "float32")

    def get_config(self) -> dict[str, Any]:
        return {"gate": self.gate, "n_gates": self.n_gates, "value": self.value}


def forget_bias(value: float) -> GateBias:
    """For ``keras.layers.LSTM(units, unit_forget_bias=False, bias_initializer=forget_bias(b))``:
    the forget gate's bias starts at ``b`` (f_t = sigmoid(b) ~ 0.73 for b=1, 0.95 for b=3), the rest at 0.
    ``unit_forget_bias=True`` (the Keras default) is the same as ``forget_bias(1.0)``."""
    return GateBias(1, 4, value)


def update_bias(value: float) -> GateBias:
    """For ``keras.layers.GRU(units, bias_initializer=update_bias(b))``: the update gate z starts at
    sigmoid(b). With Keras's h_t = z_t * h_(t-1) + (1 - z_t) * n_t a positive b keeps the old state,
    the GRU's counterpart of the LSTM's forget bias. (Keras's default is 0: z = 0.5.)"""
    return GateBias(0, 3, value)
