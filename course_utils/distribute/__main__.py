"""``python -m course_utils.distribute train --strategy multi_worker --replicas 2``: see
:func:`course_utils.distribute.cli.main`."""

import sys

from .cli import main

sys.exit(main())
