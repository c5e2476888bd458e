"""``python -m course_kit.reference``: see :mod:`course_kit.reference.cli`."""

import sys

from .cli import main

sys.exit(main())
