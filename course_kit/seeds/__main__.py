"""``python -m course_kit.seeds``: see :mod:`course_kit.seeds`."""

import sys

from . import main

sys.exit(main())
