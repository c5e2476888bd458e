"""Exercise checks, one module per chapter (``ch00``, ``ch01``, ...).

Each module exposes its check functions and ``SELF_TESTS``, a list of
:class:`course_utils.checks.base.SelfTest` that CI runs both ways.
"""
