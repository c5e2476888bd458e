"""``python -m course_kit.leaderboard``: see :mod:`course_kit.leaderboard.cli`."""

import sys

from .cli import main

sys.exit(main())
