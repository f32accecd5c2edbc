"pytest settings shared by the tests, and the one trained sample run that several of them read."
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock
from places import ROOT

# The shared run's settings: the default model, 2 epochs on the bundled MNIST sample, as `hcr train` makes it.
SAMPLE_RUN_ARGS = ('--source', 'sample', '--batch-size', '32', '--epochs', '2', '--seed', '7')


def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: a full rerun of a committed report on the real data (make reproduce)')
    # Keras's TensorFlow backend turns a variable into an array with np.array(x), which numpy 2 warns about when
    # the variable's __array__ takes no `copy` (TensorFlow 2.21's); a user never sees it (not raised in __main__)
    config.addinivalue_line('filterwarnings', "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")
    # Keras's own ONNX export (a test calls it directly, as a user of the saved file would) probes np.object
    config.addinivalue_line('filterwarnings', 'ignore:In the future `np.object` will be defined:FutureWarning')
    config.addinivalue_line('markers', 'committed: a check of the committed runs on the full data: their first epochs against their history, their exports, their calibration (make check-reports)')


@pytest.fixture(scope='session')
def sample_run(tmp_path_factory) -> Path:
    """A finished run of `hcr train` (SAMPLE_RUN_ARGS), trained once per test session even when pytest-xdist spreads the
    tests over several processes. Read it, or copy it (`copy_of_sample_run`) to change it."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get('PYTEST_XDIST_WORKER') else base  # xdist: the session's folder above the workers'
    run = shared/'sample-run'
    with FileLock(str(shared/'sample-run.lock')):
        if not (run/'metrics.json').is_file():
            done = subprocess.run([sys.executable, '-m', 'hcr', 'train', *SAMPLE_RUN_ARGS, '--out', str(run)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=600,
                                  env={**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3', 'MPLBACKEND': 'Agg'})
            assert done.returncode == 0, done.stderr[-3000:]
    return run


@pytest.fixture
def copy_of_sample_run(sample_run, tmp_path) -> Path:
    "A copy of `sample_run` that a test may change."
    return Path(shutil.copytree(sample_run, tmp_path/'run'))
