"""The module map: every module of the library and the kit, its layer and what it is for.

The layers of the learner library and the kit hooks a notebook may use are defined here, in
one place; ``tests/test_import_rules.py`` enforces them and ``docs/MODULES.md`` shows them.

    python -m course_kit.module_map           # rewrite docs/MODULES.md from the docstrings
    python -m course_kit.module_map --check   # exit 1, with a diff, if it is out of date

Modules are found by walking ``course_utils/`` and ``course_kit/`` and read with ``ast``,
never imported, so the map costs no TensorFlow start-up.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from course_utils.paths import repo_root

from .generated import check_or_write, diff_against

LIBRARY = "course_utils"
KIT = "course_kit"
MAP = Path("docs") / "MODULES.md"

TOPICS: tuple[str, ...] = (
    "rnn", "tagging", "text_classification", "time_series", "seq2seq", "references",
    "transformer", "convolution", "linear_rnn", "distribute",
)
"""The topic packages and modules of the library (``course_utils.<name>``), in course order: what
one or a few chapters teach. Every other top-level module of the library, except ``checks``, is a
base helper."""

CHECKS = "checks"
"""The exercise checks (``course_utils.checks``), the top layer of the library."""

LAYERS: tuple[str, ...] = ("base", "topic", "checks")
"""The library's layers, lowest first. A module imports only from its own layer or a lower one:
base helpers never import a topic or the checks, topics never import the checks."""

NOTEBOOK_KIT_HOOKS: dict[str, frozenset[str]] = {
    "course_kit.env": frozenset({"check_environment", "versions"}),
    "course_kit.report": frozenset({"key_metric"}),
    "course_kit.pretrained": frozenset({"fit_or_load", "fit_or_load_timed", "fallback_fit"}),
}
"""The only names of the kit a notebook may use: they are about running the course (the
environment check, the key metric, slow-machine weights), never about what a chapter teaches,
which a notebook imports from the library."""

_GROUP_TITLES = {
    "base": "Base helpers (`course_utils`): what every chapter shares",
    "topic": "Topics (`course_utils`): one package or module per subject",
    "checks": "Exercise checks (`course_utils.checks`)",
    "kit": "The course kit (`course_kit`): running and publishing the course",
}
NO_DOCSTRING = "(no docstring)"
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "cf.", "vs.", "al.")
_CHAPTERS = re.compile(
    r"\b(?:chapters?|appendix)\s+\(?((?:\d\d|A\d)(?:(?:\s*[-–,]\s*|\s+and\s+)(?:\d\d|A\d))*)\)?(?!['’]s)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ModuleInfo:
    """One module or package, as the map shows it."""

    name: str  # dotted, e.g. "course_utils.rnn.char_lm"; a package is named by its folder
    path: str  # relative to the repository, with "/", e.g. "course_utils/rnn/char_lm.py"
    group: str  # "base", "topic", "checks" or "kit"
    topic: str  # the topic package or module it belongs to ("rnn"), "" outside the topics
    chapters: str  # the chapters its docstring names, e.g. "10-12"; "" when it names none
    summary: str  # the first sentence of its docstring, or "(no docstring)"

    @property
    def has_docstring(self) -> bool:
        return self.summary != NO_DOCSTRING


def layer_of(module: str) -> str:
    """The layer of a dotted module name: ``"base"``, ``"topic"`` or ``"checks"`` inside the
    library, ``"kit"`` inside the kit, ``""`` for anything else (NumPy, Keras, ...).
    ``course_utils`` itself, which imports nothing, is base."""
    parts = module.split(".")
    if parts[0] == KIT:
        return "kit"
    if parts[0] != LIBRARY:
        return ""
    if len(parts) == 1:
        return "base"
    if parts[1] == CHECKS:
        return "checks"
    return "topic" if parts[1] in TOPICS else "base"


def module_name(path: Path, root: Path) -> str:
    """The dotted name of a ``.py`` file under ``root`` (``__init__.py`` names its package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def first_sentence(docstring: str | None) -> str:
    """The first sentence of a docstring's first paragraph, on one line, with reST roles
    (``:mod:`~a.b` ``) and double backticks turned into Markdown code; ``(no docstring)`` when
    there is none."""
    if not docstring or not docstring.strip():
        return NO_DOCSTRING
    paragraph = " ".join(docstring.strip().split("\n\n", 1)[0].split())
    paragraph = re.sub(r":\w+:`~?([^`]+)`", r"``\1``", paragraph).replace("``", "`")
    sentence = paragraph
    for match in re.finditer(r"[.!?](?=\s|$)", paragraph):
        head = paragraph[: match.end()]
        if not head.endswith(_ABBREVIATIONS) and head.count("`") % 2 == 0:  # not inside `code`
            sentence = head
            break
    return sentence[:-1] if sentence.endswith("::") else sentence


def chapters_named(docstring: str | None) -> str:
    """The chapters the first paragraph of a docstring names (``"chapters 10-12"`` -> ``"10-12"``,
    ``"appendix A1"`` -> ``"A1"``); ``""`` when it names none. A possessive (``"chapter 03's
    model"``) refers to another chapter and does not count."""
    paragraph = " ".join((docstring or "").strip().split("\n\n", 1)[0].split())
    found = [re.sub(r"\s*[-–]\s*", "-", m.group(1)) for m in _CHAPTERS.finditer(paragraph)]
    return ", ".join(dict.fromkeys(found))


def _info(path: Path, root: Path) -> ModuleInfo:
    name = module_name(path, root)
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    parts = name.split(".")
    group = layer_of(name)
    topic = parts[1] if group == "topic" else ""
    return ModuleInfo(name, path.relative_to(root).as_posix(), group, topic, chapters_named(doc),
                      first_sentence(doc))


def discover(root: Path | None = None) -> list[ModuleInfo]:
    """Every module and package of the library and the kit under ``root`` (default: this
    checkout), found by walking their folders, in the order the map lists them: base, topics
    (in the order of :data:`TOPICS`), checks, kit; by name within each."""
    root = repo_root() if root is None else Path(root)
    modules = [_info(path, root) for package in (LIBRARY, KIT)
               for path in (root / package).rglob("*.py") if "__pycache__" not in path.parts]

    def order(m: ModuleInfo) -> tuple[int, int, str]:
        topic = TOPICS.index(m.topic) if m.topic else -1
        return ("base", "topic", "checks", "kit").index(m.group), topic, m.name

    return sorted(modules, key=order)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(modules: list[ModuleInfo], chapters: bool) -> list[str]:
    head = ["| module | chapters | file | what it is |", "|---|---|---|---|"] if chapters else \
        ["| module | file | what it is |", "|---|---|---|"]
    rows = []
    for m in modules:
        link = f"[{m.path}](../{m.path})"
        cells = [f"`{m.name}`", *([m.chapters] if chapters else []), link, _cell(m.summary)]
        rows.append("| " + " | ".join(cells) + " |")
    return head + rows


def render(modules: list[ModuleInfo]) -> str:
    """The markdown of ``docs/MODULES.md``."""
    lines = [
        "# Module map",
        "",
        "Every module of the learner library `course_utils` and the course kit `course_kit`, with the",
        "first sentence of its docstring. This page is generated from the code:",
        "`python -m course_kit.module_map` rewrites it, and `tests/test_import_rules.py` fails when it is",
        "out of date. To change a line, change the module's docstring.",
        "",
        "The library has three layers, and a module imports only from its own layer or a lower one:",
        "base helpers, then topics, then exercise checks. The kit imports the library; the library never",
        "imports the kit. A notebook imports the library and, from the kit, only the hooks listed at the",
        "end. The rules are in [AUTHORING.md](AUTHORING.md#import-rules); the layers and the hooks are",
        "defined in `course_kit/module_map.py`.",
    ]
    for group in ("base", "topic", "checks", "kit"):
        members = [m for m in modules if m.group == group]
        if members:
            lines += ["", f"## {_GROUP_TITLES[group]}", "", *_table(members, chapters=group == "topic")]
    lines += ["", "## Kit hooks a notebook may use", "", "| module | names |", "|---|---|"]
    for module, names in sorted(NOTEBOOK_KIT_HOOKS.items()):
        lines.append(f"| `{module}` | " + ", ".join(f"`{n}`" for n in sorted(names)) + " |")
    return "\n".join(lines) + "\n"


def stale_diff(root: Path | None = None) -> str:
    """A unified diff from the stored ``docs/MODULES.md`` to the one the code gives now;
    ``""`` when the stored map is current."""
    root = repo_root() if root is None else Path(root)
    return diff_against(root / MAP, render(discover(root)), MAP, "from the code")


def write(root: Path | None = None) -> Path:
    """Rewrite ``docs/MODULES.md`` from the code under ``root``; returns its path."""
    root = repo_root() if root is None else Path(root)
    target = root / MAP
    target.write_text(render(discover(root)), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    def undocumented() -> str:
        missing = [m.name for m in discover() if not m.has_docstring]
        return f"; modules without a docstring: {', '.join(missing)}" if missing else ""

    return check_or_write(argv, "python -m course_kit.module_map", __doc__, MAP, stale_diff, write, undocumented)


if __name__ == "__main__":
    sys.exit(main())
