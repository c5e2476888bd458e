"""minGRU and minLSTM (Feng et al., 2024, "Were RNNs All We Needed?") as Keras layers.

Chapter 06's GRU, in the course notation (Keras's convention, z_t near 1 keeps)::

    z_t = sigmoid(W_zx x_t + W_zh h_{t-1} + b_z)
    r_t = sigmoid(W_rx x_t + W_rh h_{t-1} + b_r)
    n_t = tanh(W_nx x_t + W_nh (r_t * h_{t-1}) + b_n)
    h_t = z_t * h_{t-1} + (1 - z_t) * n_t

The minGRU drops every ``h_{t-1}`` inside the gate and the candidate (so the reset gate,
which only acted on ``h_{t-1}``, goes too) and the tanh of the candidate::

    z_t = sigmoid(W_zx x_t + b_z),   n_t = W_nx x_t + b_n
    h_t = z_t * h_{t-1} + (1 - z_t) * n_t  =  a_t * h_{t-1} + b_t

with ``a_t = z_t`` and ``b_t = (1 - z_t) * n_t`` known for every t before the recurrence
starts: a linear recurrence, computed by a prefix scan (:mod:`course_utils.linear_rnn.scan`).
Feng et al. write ``(1 - z_t) * h_{t-1} + z_t * h~_t``; the two conventions describe the same
layer. The minLSTM does the same to the LSTM: forget and input gates of x_t alone,
normalised to add up to one, ``a_t = f_t / (f_t + i_t)``, ``b_t = i_t / (f_t + i_t) * n_t``.

Both layers keep their weights in a ``cell`` that computes ONE step (``cell(x_t, [h])``), so
:func:`course_utils.rnn.char_lm.make_stepper` can generate text one character at a time,
while the layer computes all steps of a sequence at once.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from ..validate import positive_int
from .scan import log_space_scan, parallel_scan, sequential_scan

__all__ = ["METHODS", "CANDIDATES", "MinGRU", "MinGRUCell", "MinLSTM", "MinLSTMCell", "g", "log_g"]

METHODS = ("scan", "log", "sequential")
CANDIDATES = ("linear", "g")


def g(x: Any) -> Any:
    """Feng et al.'s positive, continuous activation: ``x + 0.5`` for x >= 0, ``sigmoid(x)`` below.
    It keeps the candidate positive, which the log-space computation needs."""
    return ops.where(x >= 0, x + 0.5, ops.sigmoid(x))


def log_g(x: Any) -> Any:
    """``log(g(x))`` computed without forming g: ``log(x + 0.5)`` for x >= 0, ``-softplus(-x)`` below."""
    return ops.where(x >= 0, ops.log(ops.relu(x) + 0.5), -ops.softplus(-x))


def _choice(name: str, value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


class _MinCell(keras.layers.Layer):
    """Shared part of the two cells: the input-only gate pre-activations ``x @ kernel + bias``."""

    N_BLOCKS = 0

    def __init__(self, units: int, candidate: str = "linear", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = positive_int("units", units, "the size H of h_t")
        self.candidate = _choice("candidate", candidate, CANDIDATES)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        D = input_shape[-1]
        if D is None:
            raise ValueError(f"{type(self).__name__} needs a known feature size D, got input shape {tuple(input_shape)}")
        self.kernel = self.add_weight(shape=(int(D), self.N_BLOCKS * self.units), initializer="glorot_uniform",
                                      name="kernel")
        self.bias = self.add_weight(shape=(self.N_BLOCKS * self.units,), initializer="zeros", name="bias")

    def pre_activations(self, x: Any) -> list[Any]:
        """x (..., D) -> N_BLOCKS arrays (..., H): the gate and candidate pre-activations."""
        return ops.split(ops.matmul(x, self.kernel) + self.bias, self.N_BLOCKS, axis=-1)

    def _candidate(self, k: Any) -> Any:
        return g(k) if self.candidate == "g" else k

    def coefficients(self, x: Any) -> tuple[Any, Any]:
        """x (..., D) -> (a, b), each (..., H), with h_t = a_t * h_{t-1} + b_t."""
        raise NotImplementedError

    def log_coefficients(self, x: Any) -> tuple[Any, Any]:
        """x (..., D) -> (log a, log b); needs ``candidate="g"`` (b must be positive)."""
        raise NotImplementedError

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple[Any, list[Any]]:
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        a, b = self.coefficients(inputs)
        h = a * h_prev + b
        return h, [h]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "candidate": self.candidate}


@keras.saving.register_keras_serializable(package="course_utils")
class MinGRUCell(_MinCell):
    """One minGRU step: ``z = sigmoid(x W_zx^T + b_z)``, ``n = x W_nx^T + b_n`` (or g(.) with
    ``candidate="g"``), ``h_t = z * h_{t-1} + (1 - z) * n``. ``kernel`` (D, 2H) holds the blocks
    z, n; ``bias`` (2H,). Inputs (batch, D), state (batch, H)."""

    N_BLOCKS = 2

    def coefficients(self, x: Any) -> tuple[Any, Any]:
        k_z, k_n = self.pre_activations(x)
        z = ops.sigmoid(k_z)
        return z, (1.0 - z) * self._candidate(k_n)

    def log_coefficients(self, x: Any) -> tuple[Any, Any]:
        k_z, k_n = self.pre_activations(x)
        # log sigmoid(k) = -softplus(-k) and log(1 - sigmoid(k)) = -softplus(k), both stable.
        return -ops.softplus(-k_z), -ops.softplus(k_z) + log_g(k_n)


@keras.saving.register_keras_serializable(package="course_utils")
class MinLSTMCell(_MinCell):
    """One minLSTM step: ``f = sigmoid(x W_fx^T + b_f)``, ``i = sigmoid(x W_ix^T + b_i)``,
    ``n = x W_nx^T + b_n`` (or g(.)), ``h_t = f/(f+i) * h_{t-1} + i/(f+i) * n``. ``kernel``
    (D, 3H) holds the blocks f, i, n; ``bias`` (3H,). Inputs (batch, D), state (batch, H)."""

    N_BLOCKS = 3

    def coefficients(self, x: Any) -> tuple[Any, Any]:
        k_f, k_i, k_n = self.pre_activations(x)
        f, i = ops.sigmoid(k_f), ops.sigmoid(k_i)
        return f / (f + i), i / (f + i) * self._candidate(k_n)

    def log_coefficients(self, x: Any) -> tuple[Any, Any]:
        k_f, k_i, k_n = self.pre_activations(x)
        diff = ops.softplus(-k_f) - ops.softplus(-k_i)  # log i - log f
        return -ops.softplus(diff), -ops.softplus(-diff) + log_g(k_n)


class _MinRNN(keras.layers.Layer):
    CELL: type[_MinCell] = _MinCell

    def __init__(self, units: int, return_sequences: bool = False, method: str = "scan",
                 candidate: str = "linear", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = positive_int("units", units, "the size H of h_t")
        self.return_sequences = bool(return_sequences)
        self.method = _choice("method", method, METHODS)
        self.candidate = _choice("candidate", candidate, CANDIDATES)
        if self.method == "log" and self.candidate != "g":
            raise ValueError("method='log' needs positive b_t, so a positive candidate: pass candidate='g' "
                             "(or use method='scan', which works with any sign)")
        self.cell = self.CELL(units, candidate=candidate, name="cell")

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} reads sequences (batch, T, D), got shape {tuple(input_shape)}; "
                             "for one step use layer.cell(x_t, [h])")
        self.cell.build(input_shape)

    def call(self, inputs: Any) -> Any:
        if self.method == "log":
            log_a, log_b = self.cell.log_coefficients(inputs)
            h = log_space_scan(log_a, log_b)
        else:
            a, b = self.cell.coefficients(inputs)
            h = parallel_scan(a, b) if self.method == "scan" else sequential_scan(a, b)
        return h if self.return_sequences else h[:, -1]

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "return_sequences": self.return_sequences,
                "method": self.method, "candidate": self.candidate}


@keras.saving.register_keras_serializable(package="course_utils")
class MinGRU(_MinRNN):
    """The minGRU layer: (batch, T, D) -> (batch, T, H) with ``return_sequences=True``, else the
    last state (batch, H); starts from h_0 = 0. ``method``: ``"scan"`` (parallel prefix scan,
    the default), ``"sequential"`` (a loop over t) or ``"log"`` (log space, needs
    ``candidate="g"``); all three compute the same h. Weights live in ``self.cell``
    (:class:`MinGRUCell`): ``2 (D + 1) H`` parameters, against ``3 (D + H + 2) H`` for a GRU.

    Gradients: ``"scan"`` has a hand-written backward scan; ``"log"`` is differentiated through
    the scan's own slicing, which is slower, and TensorFlow may log a "Type inference failed"
    warning while building that gradient (the training losses match the other methods; see the
    tests)."""

    CELL = MinGRUCell


@keras.saving.register_keras_serializable(package="course_utils")
class MinLSTM(_MinRNN):
    """The minLSTM layer, like :class:`MinGRU` with :class:`MinLSTMCell`: ``3 (D + 1) H`` parameters."""

    CELL = MinLSTMCell
