"""Checks for chapter 02's exercises (parameter counts, output shapes, many-to-one readout)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed


def simple_rnn_params_reference(D: int, H: int) -> int:
    """Parameters of SimpleRNN(H) on D input features: W_hx (H*D) + W_hh (H*H) + b_h (H)."""
    return H * D + H * H + H


def check_simple_rnn_params(fn: Callable[[int, int], Any]) -> CheckResult:
    """Exercise 1: ``fn(D, H) -> int``, the parameter count of ``SimpleRNN(H)`` on D features."""
    name = "simple_rnn_params"
    for D, H in [(3, 4), (10, 7), (1, 1), (32, 64)]:
        got, error = call_learner(name, fn, D, H)
        if error is not None:
            return error
        want = simple_rnn_params_reference(D, H)
        try:
            got = int(got)
        except (TypeError, ValueError):
            return failed(name, f"return one integer, not {type(got).__name__}.")
        if got == want:
            continue
        if got == H * D + H * H:
            return failed(name, "the bias b_h (H numbers) is missing.")
        if got == H * D + H:
            return failed(name, "the recurrent weights W_hh (H x H) are missing.")
        if got == H * D + H * H + H + H:
            return failed(name, "SimpleRNN has ONE bias vector of size H, not two.")
        return failed(name, f"for D={D}, H={H} the count is {want}, you returned {got}.")
    return passed(name)


def rnn_output_shapes_reference(batch: int, T: int, units: int, return_sequences: bool,
                                return_state: bool) -> list[tuple[int, ...]]:
    """Shapes a SimpleRNN(units) returns on (batch, T, D): [output] or [output, final state]."""
    out = (batch, T, units) if return_sequences else (batch, units)
    return [out, (batch, units)] if return_state else [out]


def check_rnn_output_shapes(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 2: ``fn(batch, T, units, return_sequences, return_state) -> list of shape tuples``."""
    name = "rnn_output_shapes"
    for rs in (False, True):
        for st in (False, True):
            got, error = call_learner(name, fn, 8, 5, 3, rs, st)
            if error is not None:
                return error
            want = rnn_output_shapes_reference(8, 5, 3, rs, st)
            try:
                got = [tuple(int(d) for d in s) for s in got]
            except TypeError:
                return failed(name, "return a list of shape tuples, e.g. [(8, 3)] or [(8, 5, 3), (8, 3)].")
            if got == want:
                continue
            flags = f"return_sequences={rs}, return_state={st}"
            if len(got) != len(want):
                return failed(name, f"with {flags} the layer returns {len(want)} tensor(s): "
                                    "return_state=True adds the final state after the output.")
            if got[0] != want[0]:
                if rs:
                    return failed(name, f"with {flags} the output keeps the time axis: (batch, T, units).")
                return failed(name, f"with {flags} the output is the last step only: (batch, units).")
            return failed(name, f"with {flags}: the final state is (batch, units), whatever return_sequences says.")
    return passed(name)


def last_real_output_reference(outputs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Many-to-one readout of padded sequences: outputs (B, T, H), lengths (B,) -> (B, H) at step length-1."""
    return outputs[np.arange(len(lengths)), np.asarray(lengths) - 1]


def check_last_real_output(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 3: ``fn(outputs, lengths) -> (B, H)``, each row's output at its last real (unpadded) step."""
    name = "last_real_output"
    rng = np.random.default_rng(2)
    for B, T, H in [(3, 6, 2), (4, 5, 3), (2, 8, 1)]:
        outputs = rng.normal(size=(B, T, H))
        lengths = rng.integers(1, T, size=B)
        lengths[-1] = T
        got, error = call_learner(name, fn, outputs.copy(), lengths.copy())
        if error is not None:
            return error
        got = np.asarray(got)
        want = last_real_output_reference(outputs, lengths)
        if got.shape != want.shape:
            return failed(name, f"expected shape (B, H) = {want.shape}, got {got.shape}: one vector per sequence.")
        if np.allclose(got, want):
            continue
        if np.allclose(got, outputs[:, -1]):
            return failed(name, "you took the last step T-1 for every row; padded rows end earlier, at lengths-1.")
        if np.allclose(got[:-1], outputs[np.arange(B - 1), np.minimum(lengths[:-1], T - 1)]):
            return failed(name, "off by one: a sequence of length L has its last real step at index L-1.")
        return failed(name, "the values differ from outputs[b, lengths[b]-1] for each row b.")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_simple_rnn_params, simple_rnn_params_reference,
             wrong=lambda D, H: H * D + H * H, hint="bias b_h"),
    SelfTest(check_rnn_output_shapes, rnn_output_shapes_reference,
             wrong=lambda b, T, u, rs, st: [(b, T, u) if rs else (b, u)], hint="return_state=True adds"),
    SelfTest(check_last_real_output, last_real_output_reference,
             wrong=lambda o, l: o[:, -1], hint="last step T-1 for every row"),
]
