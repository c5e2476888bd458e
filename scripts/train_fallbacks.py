"""Produce the optional pre-trained weights in weights/ for slow machines.

Executes every chapter notebook that trains through ``course_kit.pretrained.fit_or_load``
(directly, or through a ``fit=fallback_fit(name)`` argument) with ``RECURRENT_SAVE_FALLBACK=1``, so the
weights come from the notebook's own seeded code, not from a copy of it. Run it after
changing such a notebook, then store the notebook and commit weights/.

    .venv/bin/python scripts/train_fallbacks.py          # all of them
    .venv/bin/python scripts/train_fallbacks.py 03       # only notebook 03
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_kit.pretrained import FALLBACK_CALL, SAVE_ENV, USE_ENV  # noqa: E402
from course_kit.runner import find_notebooks, run_notebook  # noqa: E402


def main(prefixes: list[str]) -> int:
    os.environ[SAVE_ENV] = "1"
    os.environ.pop(USE_ENV, None)  # always train for real
    notebooks = [p for p in find_notebooks(ROOT / "notebooks", prefixes or None, deep_dives=True)
                 if FALLBACK_CALL.search(p.read_text(encoding="utf-8"))]
    failed = 0
    with tempfile.TemporaryDirectory() as out:
        for path in notebooks:
            row = run_notebook(path, Path(out))
            print(f"{path.name}: {'ok' if row['ok'] else 'FAILED ' + str(row['error'])} in {row['seconds']:.0f} s")
            failed += not row["ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
