"""An environment check for the start of the course (notebook 00 and ``make check``)."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys

from .machine import cpu_model

# The Python versions the course supports (pyproject.toml, the Makefile and
# environment.yml say the same; tests/test_environment.py keeps them in step).
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))


def tensorflow_distribution(system: str | None = None, machine: str | None = None) -> str:
    """The TensorFlow wheel that requirements.txt installs on this platform.

    PyPI has ``tensorflow-cpu`` only for x86-64 Linux and Windows; everywhere else
    (macOS arm64, Linux aarch64) the pins name the full ``tensorflow`` wheel. The
    rule matches the environment markers in requirements.in.
    """
    system = sys.platform if system is None else system
    machine = platform.machine() if machine is None else machine
    return "tensorflow-cpu" if system != "darwin" and machine in ("x86_64", "AMD64") else "tensorflow"


TENSORFLOW = tensorflow_distribution()

# The versions the course is tested with (requirements.txt pins them exactly).
EXPECTED = {
    TENSORFLOW: "2.21.0",
    "keras": "3.15.1",
    "tensorflow-datasets": "4.9.10",
}
CORE_PACKAGES = (TENSORFLOW, "keras", "numpy", "tensorflow-datasets", "matplotlib", "sacrebleu", "nbval")


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str]:
    """Python and the core packages' installed versions ("missing" when absent). The
    TensorFlow wheel is listed as ``tensorflow`` whichever of the two this platform
    installs, so the listing reads the same on every machine."""
    out = {"python": platform.python_version()}
    out.update({("tensorflow" if p == TENSORFLOW else p): _version(p) or "missing" for p in CORE_PACKAGES})
    return out


def problems() -> list[str]:
    """Everything that differs from the tested setup, each with the command that fixes it."""
    found = []
    if sys.version_info[:2] not in SUPPORTED_PYTHONS:
        supported = ", ".join(f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS)
        found.append(f"Python {platform.python_version()}: the course supports Python {supported}. "
                     "Run `make setup` with one of them on PATH.")
    for package in CORE_PACKAGES:
        if _version(package) is None:
            found.append(f"{package} is not installed. Run `make setup` (or `pip install -r requirements.txt`).")
    for package, want in EXPECTED.items():
        have = _version(package)
        if have is not None and have != want:
            found.append(f"{package} {have} is installed, the course pins {want}. Run `pip install -r requirements.txt`.")
    if TENSORFLOW == "tensorflow-cpu" and _version("tensorflow") is not None:
        found.append("Plain `tensorflow` is installed beside `tensorflow-cpu`; it overlays the CPU wheel. "
                     "Run `pip uninstall -y tensorflow && pip install -r requirements.txt`.")
    return found


def hardware() -> dict[str, object]:
    """CPU model, cores and any GPU that TensorFlow sees (imports TensorFlow)."""
    import tensorflow as tf

    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "gpus": gpus or "none (the course is designed for CPU)",
        "oneDNN": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"),
    }


def check_environment() -> bool:
    """Print versions, hardware and problems; return True when nothing is wrong."""
    for key, value in versions().items():
        print(f"{key:20} {value}")
    for key, value in hardware().items():
        print(f"{key:20} {value}")
    found = problems()
    for p in found:
        print("PROBLEM:", p)
    print("Environment OK." if not found else f"{len(found)} problem(s) found; fix them before you go on.")
    return not found


if __name__ == "__main__":
    sys.exit(0 if check_environment() else 1)
