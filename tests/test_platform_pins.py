"""requirements.txt installs from PyPI on the platforms learners use, for every supported Python.

pip answers as if it ran on the target (`pip install --dry-run --platform ... --python-version
...`, wheels only): nothing is installed, only PyPI is asked. pip evaluates environment
markers for the machine it runs on, not for the target, so the markers of requirements.txt
(the TensorFlow wheel) are evaluated for the target here first.

What is checked, for macOS arm64 and Linux aarch64 with Python 3.11.0, 3.12.0 and 3.13.0
(the first release of each: the strictest for Requires-Python):
- every compiled package (its wheel in this environment is not `-none-any`) has a wheel
  for the target: a pip dry run of those pins with --no-deps, one per target, in parallel;
- every pure-Python package accepts the Python version (its Requires-Python, read from
  this environment's metadata): its one wheel installs anywhere.
A full resolution of all pins per target (pip follows every dependency) agrees, but takes
about 3 minutes on 2 cores: RECURRENT_FULL_RESOLUTION=1 runs that instead.

Skipped, with the reason, where PyPI cannot be reached.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from course_kit import env

ROOT = Path(__file__).resolve().parents[1]
# The first release of each supported minor version: the strictest for packages' Requires-Python.
PYTHONS = [f"{major}.{minor}.0" for major, minor in env.SUPPORTED_PYTHONS]


def _manylinux(arch: str, glibc_minor: int = 28) -> list[str]:
    """pip does not widen an explicit manylinux_2_28 tag to older glibc tags: list them all."""
    return [f"manylinux_2_{minor}_{arch}" for minor in range(glibc_minor, 16, -1)] + [f"manylinux2014_{arch}"]


# name -> (sys_platform, platform_machine, pip --platform tags). macOS 12 is TensorFlow
# 2.21's oldest (pip widens macosx tags itself); glibc 2.28 is Debian 10 / RHEL 8.
TARGETS = {
    "macOS arm64": ("darwin", "arm64", ["macosx_12_0_arm64"]),
    "Linux aarch64": ("linux", "aarch64", _manylinux("aarch64")),
}
# Pure-Python packages that PyPI publishes as source only: `--platform` accepts wheels
# only, so the full resolution builds them into wheels first (they build anywhere).
SDIST_ONLY = ("docopt", "promise", "seqeval")
FULL = os.environ.get("RECURRENT_FULL_RESOLUTION") == "1"


def _pure_python() -> dict[str, str]:
    """canonical name -> Requires-Python ("" for none) of each package installed here at its
    pinned version from a pure-Python wheel; everything else counts as compiled."""
    pins = {name: req.split("==")[1] for name, (req, _) in _pins().items()}
    out = {}
    for dist in importlib.metadata.distributions():
        if pins.get(_canonical(dist.metadata["Name"])) != dist.version:
            continue
        tags = [line.split(":", 1)[1].strip() for line in (dist.read_text("WHEEL") or "").splitlines()
                if line.startswith("Tag:")]
        if tags and all(tag.endswith("-none-any") for tag in tags):
            out[_canonical(dist.metadata["Name"])] = dist.metadata.get("Requires-Python") or ""
    return out


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, tuple[str, str]]:
    """canonical name -> (the requirement line, its marker or "")."""
    out = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req, _, marker = line.partition(";")
            out[_canonical(req.split("==")[0])] = (req.strip(), marker.strip())
    return out


def _for_target(sys_platform: str, machine: str, python: str) -> tuple[list[str], dict[str, str]]:
    """The requirement lines whose markers hold on the target, and their name -> version."""
    environment = {"sys_platform": sys_platform, "platform_machine": machine, "python_version": python.rsplit(".", 1)[0],
                   "python_full_version": python, "platform_system": {"darwin": "Darwin", "linux": "Linux"}[sys_platform],
                   "os_name": "posix", "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    lines = [req for req, marker in _pins().values() if not marker or Marker(marker).evaluate(environment)]
    return lines, {_canonical(req.split("==")[0]): req.split("==")[1] for req in lines}


@pytest.fixture(scope="module")
def sdist_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=15).close()
    except OSError as exc:
        pytest.skip(f"PyPI is unreachable ({exc}): the platform pins were NOT checked")
    out = tmp_path_factory.mktemp("sdist-wheels")
    if not FULL:
        return out
    pins = _pins()
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--isolated", "--quiet", "--no-deps", "-w", str(out),
                            *(pins[name][0] for name in SDIST_ONLY)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheels = sorted(p.name for p in out.glob("*.whl"))
    assert len(wheels) == len(SDIST_ONLY) and all(w.endswith("-none-any.whl") for w in wheels), wheels
    return out


def _dry_run(target: str, python: str, wheels: Path, work: Path) -> tuple[str, str, subprocess.CompletedProcess, dict[str, str]]:
    sys_platform, machine, tags = TARGETS[target]
    lines, expected = _for_target(sys_platform, machine, python)
    if not FULL:
        pure = _pure_python()
        lines = [line for line in lines if _canonical(line.split("==")[0]) not in pure]
        expected = {name: version for name, version in expected.items() if name not in pure}
    stem = f"{target.replace(' ', '-')}-{python}"
    requirements, report = work / f"{stem}.txt", work / f"{stem}.json"
    requirements.write_text("\n".join(lines) + "\n")
    cmd = [sys.executable, "-m", "pip", "install", "--isolated", "--quiet", "--dry-run", "--ignore-installed",
           *([] if FULL else ["--no-deps"]),
           "--only-binary=:all:", "--python-version", python, "--implementation", "cp",
           *(arg for tag in tags for arg in ("--platform", tag)), "--target", str(work / "target"),
           "--find-links", str(wheels), "--report", str(report), "-r", str(requirements)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=400)
    installed = {}
    if result.returncode == 0:
        installed = {_canonical(i["metadata"]["name"]): i["metadata"]["version"]
                     for i in json.loads(report.read_text())["install"]}
    return target, python, result, {"expected": expected, "installed": installed}


def test_pure_python_pins_accept_every_supported_python() -> None:
    pure, pins = _pure_python(), _pins()
    checked = [name for name in pins if name in pure]
    assert len(checked) > 50, "this environment does not have the pinned packages installed"
    refused = [f"{name} (Requires-Python {pure[name]}) on {python}" for name in checked for python in PYTHONS
               if pure[name] and python not in SpecifierSet(pure[name])]
    assert not refused, "pins that a supported Python cannot install: " + "; ".join(refused)


def test_pins_resolve_on_macos_arm64_and_linux_aarch64(sdist_wheels: Path, tmp_path: Path) -> None:
    jobs = [(target, python) for target in TARGETS for python in PYTHONS]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda job: _dry_run(*job, sdist_wheels, tmp_path), jobs))
    failures = []
    for target, python, result, sets in results:
        if result.returncode != 0:
            errors = [l for l in result.stderr.splitlines() if l.startswith("ERROR")]
            failures.append(f"{target}, Python {python}: " + " | ".join(errors or result.stderr.splitlines()[-3:]))
            continue
        expected, installed = sets["expected"], sets["installed"]
        installed.pop("setuptools", None)  # TensorFlow needs it; requirements.txt leaves it to the venv
        unpinned = sorted(set(installed) - set(expected))
        differ = sorted(n for n in expected if installed.get(n) != expected[n])
        if unpinned or differ:
            failures.append(f"{target}, Python {python}: not pinned {unpinned}; other versions {differ}")
        if installed.get("tensorflow") != env.EXPECTED[env.TENSORFLOW] or "tensorflow-cpu" in installed:
            failures.append(f"{target}, Python {python}: not the full tensorflow wheel: {installed.get('tensorflow')}")
    assert not failures, "\n".join(failures)
