"""The learner library never imports the course kit: course_kit -> course_utils, never back.

Every module of course_utils is parsed (not imported), so an import inside a function
counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import course_utils

LIBRARY = Path(course_utils.__file__).resolve().parent
MODULES = sorted(LIBRARY.rglob("*.py"))
KIT = "course_kit"


def _package(path: Path) -> list[str]:
    """The dotted package a module sits in, e.g. ['course_utils', 'checks']."""
    return ["course_utils", *path.parent.relative_to(LIBRARY).parts]


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, relative imports resolved to absolute names."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package(path)[: len(_package(path)) - (node.level - 1)]
                names.append(".".join(base + ([node.module] if node.module else [])))
            else:
                names.append(node.module or "")
    return names


def test_the_library_has_modules() -> None:
    assert len(MODULES) > 20 and LIBRARY.name == "course_utils"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LIBRARY)))
def test_library_module_does_not_import_the_kit(path: Path) -> None:
    bad = [name for name in imported_modules(path) if name == KIT or name.startswith(KIT + ".")]
    assert not bad, f"{path.relative_to(LIBRARY.parent)} imports {bad}: the learner library must not use the course kit"


def test_the_check_sees_kit_imports_anywhere_in_a_module(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text("import numpy\n\ndef f():\n    from course_kit.report import key_metric\n    import course_kit\n",
                      encoding="utf-8")
    assert imported_modules(module) == ["numpy", "course_kit.report", "course_kit"]
    assert {"course_utils.checks.base", "course_utils.seq2seq.tokens"} <= set(imported_modules(LIBRARY / "checks" / "ch10.py"))
