__version__ = "0.1.0"

import os as _os

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ INFO/WARNING lines drown the output

from .core import quiet_tensorflow_import as _quiet_tensorflow_import
_quiet_tensorflow_import()  # and the start-up lines that the level does not reach (see hcr.core)
