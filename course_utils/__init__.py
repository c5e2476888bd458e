"""course_utils: the small library behind the Recurrent course.

Modules are imported on demand, so ``import course_utils`` is instant:

- :mod:`course_utils.data`   offline corpora with deterministic, checksummed splits
- :mod:`course_utils.seed`   one seeding helper for every notebook
- :mod:`course_utils.env`    an environment check for notebook 00
- :mod:`course_utils.report` key metrics that the course runner collects
"""

__version__ = "0.1.0"
