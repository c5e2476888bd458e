"""pytest configuration for the whole repository (tests/ and the notebooks run by nbval).

nbval (``--nbval-current-env``) starts each notebook's kernel from this process's
environment, so TensorFlow's log level is set here, before any kernel starts: INFO
lines stay out, warnings and errors show (see course_kit.tflog).
"""

from course_kit.tflog import quiet_tf_env

quiet_tf_env()
