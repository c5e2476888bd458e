"""Floating-point work of a character model, and this machine's FP32 peak (for ``make bench``).

Counted analytically, matrix products only: a product of an (m, k) and a (k, n) matrix is
``2 m k n`` FLOPs (one multiply and one add per term). Per token (one character of one
sequence), for embedding width D, hidden width H and vocabulary V, by ``cell``
(:mod:`course_utils.cell_kinds`)::

    "simple"   2 (D + H) H           h_t = tanh(x_t W_x + h_{t-1} W_h + b)     (SimpleRNN)
    "gru"      2 * 3 (D + H) H       three gates' worth of kernels (Keras's reset_after=True)
    "lstm"     2 * 4 (D + H) H       four gates
    output     2 H V                 the Dense layer's logits

The embedding is a table lookup (no FLOPs). Training costs about 3x the forward products:
the backward pass computes two products of the same size per forward product (the gradient
with respect to the layer's input and to its weights). Element-wise work (gate
nonlinearities, the softmax, Adam's update) is left out: it is small beside the products
for H in the hundreds, and it is memory-bound, not FLOP-bound.

Forward matmul FLOPs per token are exactly 2 x the weight-matrix parameters (kernels, not
biases nor the embedding), which ``tests/test_bench.py`` checks against Keras's own layers.
"""

from __future__ import annotations

import os
import re
from typing import Any

from course_utils.cell_kinds import check_cell

from .machine import CPUINFO, cpu_flags, cpu_model

GATES = {"simple": 1, "gru": 3, "lstm": 4}
"""Gate-sized kernels per kind of cell (``cell_kinds.CELLS``), in the order of the report."""
TRAIN_FACTOR = 3  # forward + backward ~ 3 x forward matrix products


def _check(cell: str, *sizes: int) -> str:
    """``cell`` lower-cased (checked by ``check_cell``), once every size is a positive int."""
    cell = check_cell(cell)
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, int) or s < 1:
            raise ValueError(f"sizes must be positive ints, got {s!r}")
    return cell


def recurrent_flops_per_token(cell: str, embed_dim: int, units: int) -> int:
    """Forward matmul FLOPs of one recurrent step for one sequence: ``2 * gates * (D + H) * H``."""
    return 2 * GATES[_check(cell, embed_dim, units)] * (embed_dim + units) * units


def forward_flops_per_token(cell: str, embed_dim: int, units: int, vocab_size: int) -> int:
    """Forward matmul FLOPs per token of Embedding(V, D) -> cell(H) -> Dense(V)."""
    cell = _check(cell, embed_dim, units, vocab_size)
    return recurrent_flops_per_token(cell, embed_dim, units) + 2 * units * vocab_size


def train_flops_per_token(cell: str, embed_dim: int, units: int, vocab_size: int) -> int:
    """Training FLOPs per token: ``3 x`` the forward matrix products."""
    return TRAIN_FACTOR * forward_flops_per_token(cell, embed_dim, units, vocab_size)


def formula(cell: str) -> str:
    """The forward formula as text, for the report."""
    g = GATES[_check(cell)]
    return f"{'2' if g == 1 else f'2*{g}'}*(D+H)*H + 2*H*V"


# --------------------------------------------------------------------------- the machine's peak
def cpu_facts(cpuinfo: str | None = None) -> dict[str, Any]:
    """Cores, flags and clock of this CPU, from ``/proc/cpuinfo`` (Linux) or the text ``cpuinfo``.
    The model name and the vector flags are :mod:`course_kit.machine`'s; the clock and the
    processor count, which only the peak needs, are read here."""
    if cpuinfo is None:
        try:
            cpuinfo = CPUINFO.read_text(encoding="utf-8")
        except OSError:  # not Linux
            cpuinfo = ""
    flags = set(cpu_flags(cpuinfo))
    mhz = [float(m) for m in re.findall(r"^cpu MHz\s*:\s*([\d.]+)", cpuinfo, re.M)]
    name = cpu_model(cpuinfo)
    ghz_in_name = re.search(r"@\s*([\d.]+)\s*GHz", name)
    processors = len(re.findall(r"^processor\s*:", cpuinfo, re.M)) or os.cpu_count() or 1
    ghz = float(ghz_in_name.group(1)) if ghz_in_name else (max(mhz) / 1000 if mhz else None)
    return {"model": name, "logical_cpus": processors, "ghz": ghz,
            "clock_source": "model name" if ghz_in_name else "cpu MHz" if mhz else "unknown",
            "avx512f": "avx512f" in flags, "avx2": "avx2" in flags, "fma": "fma" in flags,
            "avx512_bf16": "avx512_bf16" in flags, "amx_bf16": "amx_bf16" in flags}


def fp32_peak_gflops(facts: dict[str, Any], fma_units: int = 2) -> dict[str, Any]:
    """FP32 peak = cores x FMA units x fp32 lanes x 2 (an FMA is a multiply and an add) x GHz.
    Lanes: 16 with AVX-512, 8 with AVX2, 4 otherwise. Every logical CPU counts as a core
    (true on this course's 2-vCPU machines, which report one thread per core)."""
    lanes = 16 if facts["avx512f"] else 8 if facts["avx2"] and facts["fma"] else 4
    ghz = facts["ghz"]
    peak = facts["logical_cpus"] * fma_units * lanes * 2 * ghz if ghz else None
    return {"cores": facts["logical_cpus"], "fma_units": fma_units, "lanes": lanes, "ghz": ghz,
            "gflops": round(peak, 1) if peak else None,
            "formula": f"{facts['logical_cpus']} cores x {fma_units} FMA units x {lanes} fp32 lanes x 2 x {ghz} GHz"}
