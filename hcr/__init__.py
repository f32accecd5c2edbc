__version__ = "0.1.0"

import os as _os

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ INFO/WARNING lines drown the output

from .core import quiet_python_logs as _quiet_python_logs, quiet_tensorflow_import as _quiet_tensorflow_import
_quiet_tensorflow_import()  # and the start-up lines that the level does not reach (see hcr.core)
_quiet_python_logs()  # and TensorFlow's Python warnings, e.g. a second model's predict traced again
