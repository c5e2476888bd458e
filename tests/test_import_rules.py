"""The import rules of docs/AUTHORING.md ("Import rules"), and the module map that shows them.

1. The learner library never imports the course kit: course_kit -> course_utils, never back,
   also not through ``importlib.import_module`` or ``__import__``.
2. A notebook imports the library, and from the kit only the hooks named in
   ``course_kit.module_map.NOTEBOOK_KIT_HOOKS``.
3. The library's layers hold (``course_kit.module_map.LAYERS``): base helpers never import a
   topic package, and only the checks import the checks.

Every module and every notebook code cell is parsed (not imported), so an import inside a
function counts too. Modules and notebooks are found by walking the tree when the tests run.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import course_utils
from course_kit import module_map
from course_kit.module_map import KIT, LAYERS, NOTEBOOK_KIT_HOOKS, layer_of

LIBRARY = Path(course_utils.__file__).resolve().parent
ROOT = LIBRARY.parent
MODULES = sorted(LIBRARY.rglob("*.py"))
NOTEBOOKS = sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "notebooks" / "deep_dives").glob("*.ipynb")])
IMPORTERS = {"import_module", "__import__"}  # importlib.import_module (however imported) and the builtin
KIT_NAME = re.compile(rf"^{KIT}(\.\w+)*$")


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


def _leading_text(node: ast.expr) -> str | None:
    """The text a string constant holds, or the constant start of an f-string; None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def _is_importer(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Name) and func.id in IMPORTERS) or \
        (isinstance(func, ast.Attribute) and func.attr in IMPORTERS)


def _names_kit(text: str | None) -> bool:
    return text is not None and (text == KIT or text.startswith(KIT + "."))


def dynamic_kit_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for every way a tree reaches the kit without an import statement: a call of
    ``importlib.import_module`` or ``__import__`` with any argument that names the kit (a string
    or an f-string starting with ``course_kit``), and any other string that is exactly a kit
    module's dotted name (``name = "course_kit.report"``, passed on later). Docstrings and
    prose that mention the kit are not module names, so they do not count."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_importer(node):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if _names_kit(_leading_text(arg)):
                    found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and KIT_NAME.match(node.value):
            found.append((node.lineno, repr(node.value)))
    return sorted(set(found))


def library_imports(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, module) for every module of ``course_utils`` that a library file imports, statically
    or through ``import_module``; ``from course_utils import rnn`` counts as ``course_utils.rnn``.
    ``source`` stands in for the file's text (relative imports still resolve from ``path``)."""
    text = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text, filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package(path)
                parent = ".".join(package[: len(package) - (node.level - 1)] + ([node.module] if node.module else []))
            else:
                parent = node.module or ""
            found += [(node.lineno, f"{parent}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and _is_importer(node) and node.args:
            text = _leading_text(node.args[0])
            if text and not text.startswith("."):
                found.append((node.lineno, text))
    return [(line, name) for line, name in found if name.split(".")[0] == "course_utils"]


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# -- rule 1: the library never imports the kit -------------------------------------------------

def test_the_library_has_modules() -> None:
    assert len(MODULES) > 20 and LIBRARY.name == "course_utils"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LIBRARY)))
def test_library_module_does_not_import_the_kit(path: Path) -> None:
    bad = [name for name in imported_modules(path) if name == KIT or name.startswith(KIT + ".")]
    assert not bad, f"{path.relative_to(LIBRARY.parent)} imports {bad}: the learner library must not use the course kit"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LIBRARY)))
def test_library_module_does_not_reach_the_kit_dynamically(path: Path) -> None:
    bad = dynamic_kit_imports(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    assert not bad, (f"{_rel(path)} reaches the course kit through importlib or a module name in a string: "
                     + "; ".join(f"line {line}: {what}" for line, what in bad)
                     + ". Rule: the learner library never imports the kit (docs/AUTHORING.md, Import rules); "
                     "move what it needs into course_utils, or let the kit pass it in")


def test_the_check_sees_kit_imports_anywhere_in_a_module(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text("import numpy\n\ndef f():\n    from course_kit.report import key_metric\n    import course_kit\n",
                      encoding="utf-8")
    assert imported_modules(module) == ["numpy", "course_kit.report", "course_kit"]
    assert {"course_utils.checks.base", "course_utils.seq2seq.tokens"} <= set(imported_modules(LIBRARY / "checks" / "ch10.py"))


def test_the_check_sees_dynamic_kit_imports(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text(
        '"""A docstring may say course_kit.report: prose is not an import."""\n'
        "import importlib\n"
        "from importlib import import_module\n"
        "def f(name):\n"
        '    importlib.import_module("course_kit.report")\n'
        '    import_module(f"course_kit.{name}")\n'
        '    __import__("course_kit")\n'
        '    importlib.import_module(".report", package="course_kit")\n'
        '    hook = "course_kit.pretrained"\n'
        '    importlib.import_module("numpy")\n'
        '    raise ValueError("run python -m course_kit.reference first")\n',
        encoding="utf-8")
    found = dynamic_kit_imports(ast.parse(module.read_text(encoding="utf-8")))
    assert [line for line, _ in found] == [5, 5, 6, 7, 7, 8, 8, 9], found
    assert (6, "import_module(f'course_kit.{name}')") in found
    assert (8, "importlib.import_module('.report', package='course_kit')") in found
    assert not any("numpy" in what or "reference first" in what for _, what in found)


# -- rule 2: notebooks import the library, and only the named kit hooks ------------------------

def _code_cells(path: Path) -> list[tuple[int, str]]:
    """(cell index, source) of every code cell, with IPython magics and shell lines removed."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    out = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            kept = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
            out.append((i, "\n".join(kept)))
    return out


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for an attribute chain on a name, None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def kit_uses_outside_hooks(source: str,
                           hooks: dict[str, frozenset[str]] = NOTEBOOK_KIT_HOOKS) -> list[tuple[int, str]]:
    """(line, what) for every use of the kit in a code cell that is not one of the named hooks:
    ``from course_kit.M import n`` with n not a hook of M, ``from course_kit import M`` (import
    the hook by name instead), ``import course_kit.M`` of a module without hooks or under another
    name, ``course_kit.M.n`` in code, and any importlib route to the kit."""
    tree = ast.parse(source)
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and _names_kit(node.module):
            for alias in node.names:
                if alias.name not in hooks.get(node.module, frozenset()):
                    bad.append((node.lineno, f"from {node.module} import {alias.name}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _names_kit(alias.name) and alias.name != KIT and (alias.asname or alias.name not in hooks):
                    bad.append((node.lineno, f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")))
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            dotted = _dotted(node) or ""
            parts = dotted.split(".")
            if parts[0] == KIT and not (len(parts) >= 3 and parts[2] in hooks.get(".".join(parts[:2]), frozenset())):
                bad.append((node.lineno, dotted))
    return sorted(set(bad) | set(dynamic_kit_imports(tree)))


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 15 and not any("student" in p.parts for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_uses_only_the_named_kit_hooks(path: Path) -> None:
    problems = []
    for index, source in _code_cells(path):
        try:
            found = kit_uses_outside_hooks(source)
        except SyntaxError as error:
            problems.append(f"cell {index}: does not parse as Python ({error.msg}, line {error.lineno})")
            continue
        problems += [f"cell {index}, line {line}: {what}" for line, what in found]
    hooks = "; ".join(f"{m}: {', '.join(sorted(n))}" for m, n in sorted(NOTEBOOK_KIT_HOOKS.items()))
    assert not problems, (
        f"{_rel(path)} uses the course kit beyond its notebook hooks:\n  " + "\n  ".join(problems)
        + f"\nRule: a notebook imports what it teaches from course_utils, and from course_kit only the hooks "
        f"({hooks}), imported by name (docs/AUTHORING.md, Import rules). Import the library module instead "
        "(course_kit.reference's chapter API is course_utils.references); a new hook is added to "
        "course_kit.module_map.NOTEBOOK_KIT_HOOKS only for what is about running the course.")


def test_the_notebook_check_sees_every_route_to_the_kit() -> None:
    source = (
        "from course_kit.report import key_metric\n"
        "from course_kit.pretrained import fallback_fit, fit_or_load_timed\n"
        "import course_kit.env\n"
        "course_kit.env.check_environment()\n"
        "from course_kit import reference\n"
        "from course_kit.reference import char_table\n"
        "import course_kit.reference\n"
        "import course_kit.report as r\n"
        "course_kit.reference.load('x').fit()\n"
        "import importlib\n"
        "importlib.import_module('course_kit.reference')\n"
        "from course_utils import references\n"
    )
    found = kit_uses_outside_hooks(source)
    assert [line for line, _ in found] == [5, 6, 7, 8, 9, 11, 11], found
    assert (5, "from course_kit import reference") in found and (9, "course_kit.reference.load") in found
    assert kit_uses_outside_hooks("from course_kit.report import key_metric\nkey_metric('a', 1.0)\n") == []


def test_notebook_cells_lose_their_magics(tmp_path: Path) -> None:
    notebook = tmp_path / "99_example.ipynb"
    cells = [{"cell_type": "code", "source": ["%matplotlib inline\n", "!ls\n", "from course_kit import reference\n"]},
             {"cell_type": "markdown", "source": "from course_kit import reference"}]
    notebook.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert _code_cells(notebook) == [(0, "\n\nfrom course_kit import reference")]
    assert kit_uses_outside_hooks(_code_cells(notebook)[0][1]) == [(3, "from course_kit import reference")]


def test_the_hooks_exist_in_the_kit() -> None:
    """Every hook named is a function the kit defines at the top of its module."""
    for module, names in NOTEBOOK_KIT_HOOKS.items():
        path = ROOT / (module.replace(".", "/") + ".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        assert names <= defined, f"{module} defines no {sorted(names - defined)}: fix NOTEBOOK_KIT_HOOKS"


# -- rule 3: the layers inside the library ------------------------------------------------------

@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LIBRARY)))
def test_library_module_imports_only_its_layer_or_lower(path: Path) -> None:
    here = layer_of(module_map.module_name(path, ROOT))
    bad = [(line, name, layer_of(name)) for line, name in library_imports(path)
           if LAYERS.index(layer_of(name)) > LAYERS.index(here)]
    assert not bad, (
        f"{_rel(path)} is a {here} module and imports a higher layer: "
        + "; ".join(f"line {line}: {name} ({layer})" for line, name, layer in bad)
        + f". Rule: the library's layers are {' < '.join(LAYERS)}, and a module imports only from its own layer or "
        "a lower one: base helpers never import topic packages, only the checks import the checks "
        "(docs/AUTHORING.md, Import rules). Move the shared piece down into a base module; if this module "
        "is itself a topic, add it to course_kit.module_map.TOPICS.")


def test_the_layers_cover_the_library() -> None:
    layers = {layer_of(module_map.module_name(path, ROOT)) for path in MODULES}
    assert layers == set(LAYERS), layers


def test_the_layer_check_sees_relative_and_dynamic_imports() -> None:
    source = ("from . import rnn\nfrom .seed import set_seed\nimport numpy\nimport importlib\n"
              "def f():\n    importlib.import_module('course_utils.checks.ch00')\n")
    found = [(line, name, layer_of(name)) for line, name in library_imports(LIBRARY / "plots.py", source)]
    assert found == [(1, "course_utils.rnn", "topic"), (2, "course_utils.seed.set_seed", "base"),
                     (6, "course_utils.checks.ch00", "checks")]
    assert library_imports(LIBRARY / "data" / "_cache.py", "from ..rnn import char_lm\n") == \
        [(1, "course_utils.rnn.char_lm")]
    assert layer_of("course_utils") == "base" and layer_of("course_kit.report") == "kit" and layer_of("numpy") == ""


# -- the module map ----------------------------------------------------------------------------

def test_the_module_map_is_current() -> None:
    diff = module_map.stale_diff(ROOT)
    assert not diff, f"docs/MODULES.md is out of date: run python -m course_kit.module_map\n{diff}"


def test_every_module_has_a_docstring() -> None:
    missing = [m.path for m in module_map.discover(ROOT) if not m.has_docstring]
    assert not missing, f"modules without a docstring (the module map shows '(no docstring)'): {missing}"


def test_the_module_map_lists_every_module_in_its_group() -> None:
    modules = module_map.discover(ROOT)
    paths = {m.path for m in modules}
    for package in ("course_utils", "course_kit"):
        assert {p.relative_to(ROOT).as_posix() for p in (ROOT / package).rglob("*.py")} <= paths
    groups = {m.name: m.group for m in modules}
    assert groups["course_utils.seed"] == "base" and groups["course_utils.checks.ch00"] == "checks"
    assert groups["course_utils.rnn.char_lm"] == "topic" and groups["course_kit.runner"] == "kit"
    text = module_map.render(modules)
    assert all(f"`{m.name}`" in text for m in modules)
    assert [line for line in text.splitlines() if line.startswith("## ")][:4] == [
        f"## {title}" for title in module_map._GROUP_TITLES.values()]


def test_first_sentence_and_chapters() -> None:
    assert module_map.first_sentence(None) == "(no docstring)"
    assert module_map.first_sentence("Tokens, e.g. words. More.\n\nDetails.") == "Tokens, e.g. words."
    assert module_map.first_sentence("Run ``x ... y`` here. More.") == "Run `x ... y` here."
    assert module_map.first_sentence("Uses :mod:`~course_utils.seed` and ``x``::\n\n    code") == \
        "Uses `course_utils.seed` and `x`:"
    assert module_map.chapters_named("RNN basics (chapters 01-06): the recurrence.") == "01-06"
    assert module_map.chapters_named("For the translation chapters (10-12).") == "10-12"
    assert module_map.chapters_named("Chapter 03's model, on many devices (appendix A1).") == "A1"
    assert module_map.chapters_named("Nothing here.\n\nChapter 05 is below.") == ""


def test_the_map_check_reports_a_stale_map(tmp_path: Path) -> None:
    for package in ("course_utils", "course_kit"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(f'"""{package}: a package."""\n', encoding="utf-8")
    (tmp_path / "course_utils" / "rnn.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    assert "+# Module map" in module_map.stale_diff(tmp_path)
    module_map.write(tmp_path)
    assert module_map.stale_diff(tmp_path) == ""
    stored = (tmp_path / "docs" / "MODULES.md").read_text(encoding="utf-8")
    assert "| `course_utils.rnn` |  | [course_utils/rnn.py](../course_utils/rnn.py) | (no docstring) |" in stored
    (tmp_path / "course_utils" / "rnn.py").write_text('"""Recurrent networks (chapter 01)."""\n', encoding="utf-8")
    diff = module_map.stale_diff(tmp_path)
    assert "-| `course_utils.rnn` |  |" in diff and "+| `course_utils.rnn` | 01 |" in diff


def test_the_check_command_exits_0_on_a_current_map(capsys: pytest.CaptureFixture[str]) -> None:
    code = module_map.main(["--check"])
    out = capsys.readouterr().out
    assert (code, out.strip()) == (0, "docs/MODULES.md is up to date"), out
