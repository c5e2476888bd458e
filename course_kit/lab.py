"""Start JupyterLab for the course, offline.

    python -m course_kit.lab                  # notebooks/student/: the exercises without solutions (make lab)
    python -m course_kit.lab --solutions      # notebooks/: the chapters with solutions (make lab-solutions)
    python -m course_kit.lab -- --port=8899   # anything after -- goes to `jupyter lab`

Both folders hold the core chapters, with the optional deep dives apart in their
``deep_dives/`` subfolder (each chapter links its own at the end).

Before it starts JupyterLab it:

- switches off the two things JupyterLab would fetch from the internet: the Jupyter
  news feed (and the toast asking every learner "Would you like to get notified about
  official Jupyter news?") and the check for a newer JupyterLab. The news setting is a
  settings default (``overrides.d/recurrent.json`` in JupyterLab's application settings
  folder, inside the course's environment), so the toast stays away for any
  ``jupyter lab`` started from it; the server side gets ``--LabApp.news_url=None`` and
  ``--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate``;
- sets ``TF_CPP_MIN_LOG_LEVEL=1`` (unless set) for the kernels: TensorFlow's INFO
  lines stay out of the notebook, its warnings and errors show (:mod:`course_kit.tflog`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from course_utils.paths import DEEP_DIVE_FOLDER, course_notebooks, deep_dive_notebooks, repo_root

from .tflog import quiet_tf_env

ROOT = repo_root()
STUDENT_DIR = ROOT / "notebooks" / "student"
SOLUTIONS_DIR = ROOT / "notebooks"
NOTIFICATION_PLUGIN = "@jupyterlab/apputils-extension:notification"
SETTINGS_OVERRIDES = {NOTIFICATION_PLUGIN: {"fetchNews": "false", "checkForUpdates": False}}
OVERRIDES_NAME = "recurrent.json"
SERVER_ARGS = ("--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")


def app_settings_dir() -> Path:
    """JupyterLab's application settings folder (``LabApp.app_settings_dir``'s default)."""
    from jupyterlab.commands import get_app_dir

    return Path(get_app_dir()) / "settings"


def write_settings_overrides(settings_dir: Path | None = None) -> Path:
    """Write the course's JupyterLab settings defaults (news and update check off); return the file."""
    target = (settings_dir or app_settings_dir()) / "overrides.d" / OVERRIDES_NAME
    text = json.dumps(SETTINGS_OVERRIDES, indent=2) + "\n"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return target


def lab_command(folder: Path, extra: list[str] | None = None) -> list[str]:
    """The ``jupyter lab`` command line for ``folder``, with the server-side switches."""
    return [sys.executable, "-m", "jupyterlab", str(folder), *SERVER_ARGS, *(extra or [])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_kit.lab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--solutions", action="store_true",
                        help="open notebooks/ (with the solutions) instead of notebooks/student/")
    parser.add_argument("extra", nargs="*", help="arguments for `jupyter lab`, after --")
    args = parser.parse_args(argv)
    folder = SOLUTIONS_DIR if args.solutions else STUDENT_DIR
    if not course_notebooks(folder):
        print(f"No notebooks in {folder}; run `make student`.", file=sys.stderr)
        return 1
    write_settings_overrides()
    env = quiet_tf_env(dict(os.environ))
    print(f"Opening JupyterLab on {folder.relative_to(ROOT)}/"
          + ("" if args.solutions else " (exercises without solutions; teachers: make lab-solutions)"), flush=True)
    dives = deep_dive_notebooks(folder)
    if dives:
        print(f"Core chapters: {len(course_notebooks(folder))} notebooks; optional deep dives: "
              f"{len(dives)} in {DEEP_DIVE_FOLDER}/ ({', '.join(p.stem.split('_', 1)[0] for p in dives)})", flush=True)
    command = lab_command(folder, args.extra)
    os.execve(command[0], command, env)  # JupyterLab takes over this process (and its Ctrl-C)
    return 0  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
