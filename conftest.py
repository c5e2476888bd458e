"""pytest configuration for the whole repository (tests/ and the notebooks run by nbval).

nbval (``--nbval-current-env``) starts each notebook's kernel from this process's
environment, so TensorFlow's log level is set here, before any kernel starts: INFO
lines stay out, warnings and errors show (see course_kit.tflog).

``make test`` runs on two workers (pytest-xdist, ``-n 2 --dist loadscope``): small
recurrent models leave much of a second core idle, so two notebooks at once finish
sooner than one after the other. Two rules make that safe and quick:

- each file goes to one worker, whole (``pytest_xdist_make_scheduler`` below): a
  notebook's cells share one kernel, so they run in order on one worker, and a test
  module's tests share its fixtures. The one exception is a test parametrized by a
  chapter, such as the numeric-path run of each notebook: each is a unit of its own, so
  the two workers share those long runs instead of one worker doing them all in a row;
- the longest work starts first (the notebooks, by each one's measured **Run time**
  line, then the tests that execute notebooks), so that no long notebook is left alone
  at the end (the Makefile passes ``--no-loadscope-reorder`` to keep this order). The
  optional deep dives (``notebooks/deep_dives/10a_*.ipynb``) are notebooks like the
  others: each is costed by its own id, ``10a``, apart from chapter ``10``.

A deep dive that repeats its chapter's training (``07a`` trains chapter 07's two taggers again,
with the chapter's settings) loads those models' shipped weights under nbval when the chapter's
notebook runs in the same session, which trains and checks them live; the deep dive's own
training still runs live (``pytest_runtest_setup`` below, ``course_kit.pretrained.repeated_points``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_kit import pretrained
from course_kit.runner import is_deep_dive, notebook_id, stated_seconds
from course_kit.tflog import quiet_tf_env
from course_utils.paths import course_notebooks

quiet_tf_env()

_NOTEBOOK_PARAM = re.compile(r"\[([0-9A-Z]\d[a-z]?)\]$")  # a chapter [06], an appendix [A1], a deep dive [10a]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    costs = {notebook_id(p): stated_seconds(p) for p in course_notebooks(root / "notebooks", deep_dives=True)}

    def rank(item: pytest.Item) -> tuple[int, float]:
        path = Path(str(item.path))
        if path.suffix == ".ipynb":  # an nbval cell
            return 0, -costs.get(notebook_id(path), 0.0)
        param = _NOTEBOOK_PARAM.search(item.nodeid)  # a test parametrized by a notebook, e.g. [06] or [10a]
        if param and param.group(1) in costs:
            return 1, -costs[param.group(1)]
        return 2, 0.0

    items.sort(key=rank)  # stable: a notebook's cells keep their order


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: without xdist, pytest never calls it
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadscope`` with one unit per file, except one per chapter-parametrized test.

    A scheduler, not ``--dist loadgroup`` with ``xdist_group`` marks: pytest-xdist 3.8 groups
    by renaming node ids, which pytest 9 ignores, so every test became a unit of its own
    and a notebook's cells were spread over both workers (each in a fresh kernel)."""
    if config.getoption("dist") != "loadscope":
        return None  # another --dist: pytest-xdist's own scheduler
    from xdist.scheduler import LoadScopeScheduling

    class FileOrChapterScope(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid if _NOTEBOOK_PARAM.search(nodeid) else nodeid.split("::", 1)[0]

    return FileOrChapterScope(config, log)


_LOADED: dict[Path, list[str]] = {}  # per deep dive, for this session


def _loaded_here(item: pytest.Item) -> list[str]:
    """The fallback points that a deep dive's nbval run loads instead of training: those it repeats
    from its chapter, when the chapter's own notebook runs (live) in this session."""
    path = Path(str(item.path))
    if path.suffix != ".ipynb" or not is_deep_dive(path) or os.environ.get(pretrained.USE_ENV) == "1":
        return []
    if path not in _LOADED:
        in_session = {Path(str(other.path)) for other in item.session.items}
        chapter = next((p for p in in_session if p.suffix == ".ipynb" and not is_deep_dive(p)
                        and notebook_id(p) == notebook_id(path)[:2]), None)  # 07_... for 07a_...
        _LOADED[path] = pretrained.repeated_points(path, chapter) if chapter else []
    return _LOADED[path]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """nbval starts a notebook's kernel while its first cell is set up, from this process's
    environment: for a deep dive that repeats its chapter's training, ``$RECURRENT_PRETRAINED``
    names those points then (and only then, so no other kernel sees it)."""
    names = _loaded_here(item)
    if not names:
        yield
        return
    with pytest.MonkeyPatch.context() as mp:  # with any points the caller named
        mp.setenv(pretrained.USE_ENV, ",".join(filter(None, [os.environ.get(pretrained.USE_ENV), *names])))
        yield
