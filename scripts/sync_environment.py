"""Write requirements.txt's platform pins and environment.yml so that conda and pip pin the same versions.

Run by `make lock`; tests/test_environment.py checks that the files agree.

    python scripts/sync_environment.py                    # re-apply the markers, rewrite environment.yml
    python scripts/sync_environment.py --report lock.json # first write requirements.txt from a pip report
    python scripts/sync_environment.py --constraints c.txt  # the pins that `make lock` keeps

`make lock` resolves requirements.in with `pip install --dry-run --report` and passes the
report here: every resolved package is pinned exactly, sorted case-insensitively. A
requirement in requirements.in that carries an environment marker (TensorFlow: the CPU
wheel on x86-64 Linux and Windows, the full wheel elsewhere) replaces the resolved pin of
that package, marker and all, so requirements.txt pins both wheels and pip picks one.

Standard library only: `make lock` runs it with a bare interpreter.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The Python versions the course supports; course_kit/env.py, pyproject.toml and the
# Makefile say the same (tests/test_environment.py checks).
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")
# Never pinned: pip is the installer, and the venv brings setuptools where it brings one.
UNPINNED = {"pip", "setuptools"}
REQUIREMENTS_HEADER = """\
# Every package pinned exactly. Generated from requirements.in by `make lock`
# (scripts/sync_environment.py): edit requirements.in and run `make lock` instead.
"""
HEADER = """\
# Conda environment for the Recurrent course. Generated from requirements.txt by
# scripts/sync_environment.py: edit requirements.in and run `make lock` instead.
#   conda env create -f environment.yml && conda activate recurrent
#   pip install --no-deps -r requirements-corpora.txt && pip install --no-deps -e .
# Any supported Python works (the pins resolve on each); conda picks the newest.
name: recurrent
channels:
  - conda-forge
dependencies:
  - python>={low},<{high}
  - pip
  - pip:
"""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(line: str) -> str:
    return canonical(re.split(r"[\s=<>!~;\[]", line.strip(), maxsplit=1)[0])


def pinned(path: Path) -> list[str]:
    """The requirement lines of a requirements file, comments dropped."""
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def marked(path: Path) -> dict[str, str]:
    """The requirements of requirements.in that carry an environment marker, by package name."""
    out = {}
    for line in pinned(path):
        if ";" in line:
            assert re.match(r"[A-Za-z0-9_.\-]+==[^\s;]+\s*;", line), f"a marked requirement must be an exact pin: {line!r}"
            out[requirement_name(line)] = re.sub(r"\s*;\s*", "; ", line, count=1)
    return out


def from_report(report: Path) -> list[str]:
    """`name==version` for every package that a `pip install --dry-run --report` would install."""
    data = json.loads(report.read_text(encoding="utf-8"))
    lines = []
    for item in data["install"]:
        meta = item["metadata"]
        if canonical(meta["name"]) not in UNPINNED:
            lines.append(f"{meta['name']}=={meta['version']}")
    return lines


def with_markers(lines: list[str], markers: dict[str, str]) -> list[str]:
    """Replace the pins of marked packages by the marked lines; add those not resolved here."""
    kept = [line for line in lines if requirement_name(line) not in markers]
    return sorted(kept + list(markers.values()), key=str.lower)


def environment_yml(lines: list[str]) -> str:
    low = SUPPORTED_PYTHONS[0]
    major, minor = SUPPORTED_PYTHONS[-1].split(".")
    body = "".join(f"      - {quote(req)}\n" for req in lines)
    return HEADER.format(low=low, high=f"{major}.{int(minor) + 1}") + body


def quote(req: str) -> str:
    """A YAML scalar for a requirement line: markers (quotes, `; `) go in single quotes."""
    return "'" + req.replace("'", "''") + "'" if ";" in req else req


def constraints() -> list[str]:
    """The current pins that `make lock` keeps: all but those of packages that requirements.in
    gives a version (or range) of, so that editing one there takes effect."""
    named = {requirement_name(line) for line in pinned(ROOT / "requirements.in") if re.search(r"[=<>!~]", line.split(";")[0])}
    return [line for line in pinned(ROOT / "requirements.txt") if requirement_name(line) not in named]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, help="a `pip install --dry-run --report` of requirements.in")
    parser.add_argument("--constraints", type=Path, help="only write the pins that `make lock` keeps to this file")
    args = parser.parse_args()
    if args.constraints:
        args.constraints.write_text("".join(f"{line}\n" for line in constraints()), encoding="utf-8")
        return
    requirements = ROOT / "requirements.txt"
    lines = from_report(args.report) if args.report else pinned(requirements)
    lines = with_markers(lines, marked(ROOT / "requirements.in"))
    requirements.write_text(REQUIREMENTS_HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    (ROOT / "environment.yml").write_text(environment_yml(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
