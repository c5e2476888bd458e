"""course_kit: the course's own tooling, not what a learner reads.

Run the course and publish it: :mod:`~course_kit.runner` (execute every notebook, results
table), :mod:`~course_kit.site` and :mod:`~course_kit.pages` (static HTML that works
offline), :mod:`~course_kit.bench` (the course benchmark), :mod:`~course_kit.lab`
(JupyterLab without network calls), :mod:`~course_kit.exercises` (writes the student
notebooks), :mod:`~course_kit.env` (environment check), :mod:`~course_kit.report`
(key metrics), :mod:`~course_kit.pretrained` (slow-machine weights) and
:mod:`~course_kit.tflog` (TensorFlow's log level and start-up lines).

The kit imports the learner library :mod:`course_utils`; the library never imports the kit
(``tests/test_import_rules.py``).
"""
