"""The one description of this machine: CPU model, vector flags, cores, accelerator, Keras backend.

Every record that says where something ran (the environment check, benchmarks, FLOP estimates,
reference-model sidecars) reads it from here, so that they all name a machine the same way.
``cpu_model`` and ``cpu_flags`` read ``/proc/cpuinfo`` only; ``describe_machine`` imports Keras
(and asks its backend for accelerators), so it is imported lazily inside that function.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path
from typing import Any

CPUINFO = Path("/proc/cpuinfo")
# The instruction-set extensions that set the pace of the course's kernels: AVX-512 (any part),
# AVX2 and FMA (the x86-64 baseline that TensorFlow's wheels are built for), and AMX.
_FLAG = re.compile(r"^(avx512\w*|avx2|fma|amx\w*)$")


def _cpuinfo(cpuinfo: str | None) -> str:
    if cpuinfo is not None:
        return cpuinfo
    try:
        return CPUINFO.read_text(encoding="utf-8")
    except OSError:  # not Linux
        return ""


def cpu_model(cpuinfo: str | None = None) -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (or the text ``cpuinfo``); elsewhere what
    :mod:`platform` knows (the processor, else the architecture)."""
    for line in _cpuinfo(cpuinfo).splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def cpu_flags(cpuinfo: str | None = None) -> list[str]:
    """The avx512*, avx2, fma and amx* flags of the first CPU in ``/proc/cpuinfo`` (or the text
    ``cpuinfo``), in the order listed there; ``[]`` where there is no such file."""
    match = re.search(r"^flags\s*:\s*(.*)$", _cpuinfo(cpuinfo), re.M)
    return [] if match is None else [f for f in match.group(1).split() if _FLAG.match(f)]


def _accelerator(backend: str) -> str:
    """The accelerators that Keras's ``backend`` sees, comma-separated, or "none"."""
    try:
        if backend == "jax":
            import jax

            return ", ".join(d.device_kind for d in jax.devices() if d.platform == "gpu") or "none"
        import tensorflow as tf

        return ", ".join(g.name for g in tf.config.list_physical_devices("GPU")) or "none"
    except Exception:  # noqa: BLE001  a machine description must never stop a run
        return "none"


def describe_machine() -> dict[str, Any]:
    """Where a run happens: ``cpu`` (model name), ``cores`` (logical CPUs), ``accelerator`` (the
    GPUs Keras's backend sees, or "none"), ``keras_backend``, ``platform`` and ``python``.
    Imports Keras."""
    import keras

    backend = keras.backend.backend()
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "accelerator": _accelerator(backend),
            "keras_backend": backend, "platform": platform.platform(), "python": platform.python_version()}
