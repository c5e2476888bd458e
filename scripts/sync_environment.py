"""Write environment.yml from requirements.txt so that conda and pip pin the same versions.

Run by `make lock`; tests/test_environment.py checks that the two files agree.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Conda environment for the Recurrent course. Generated from requirements.txt by
# scripts/sync_environment.py: edit requirements.in and run `make lock` instead.
#   conda env create -f environment.yml && conda activate recurrent
#   pip install --no-deps -r requirements-corpora.txt && pip install --no-deps -e .
name: recurrent
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def pinned(path: Path) -> list[str]:
    """The `name==version` lines of a requirements file, comments dropped."""
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def main() -> None:
    body = "".join(f"      - {req}\n" for req in pinned(ROOT / "requirements.txt"))
    (ROOT / "environment.yml").write_text(HEADER + body, encoding="utf-8")


if __name__ == "__main__":
    main()
