"""The package runs outside its checkout: built as a wheel, installed into a new virtual environment, used in an empty folder.

The new environment gets hcr from the wheel alone; its dependencies come from the test's own environment through a
path file (installing TensorFlow again would take minutes and a download), which adds those packages but not this
checkout: the editable install's import hook is not processed from there.
"""
import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hcr.data import load_dataset
from paper import on_paper
from places import ROOT


def run(*args, cwd, timeout=600, env=None):
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    "A virtual environment with hcr installed from a freshly built wheel; its bin folder."
    dist = tmp_path_factory.mktemp('dist')
    built = run(sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-w', dist, ROOT, cwd=dist)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel, = dist.glob('hcr-*.whl')
    env_dir = tmp_path_factory.mktemp('venv')
    venv.create(env_dir, with_pip=False)
    site = next((env_dir/'lib').glob('python3*/site-packages'))
    (site/'deps.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')  # the dependencies, not the checkout
    done = run(sys.executable, '-m', 'pip', '--python', env_dir/'bin'/'python', 'install', '--no-deps', '--no-index', wheel,
               cwd=dist)
    assert done.returncode == 0, done.stderr[-2000:]
    return env_dir/'bin'


def test_wheel_has_the_report_notebook_and_no_checkout(installed, tmp_path):
    where = run(installed/'python', '-c', 'import hcr, hcr.report; print(hcr.__file__); print(hcr.report.REPORT_NOTEBOOK.is_file())',
                cwd=tmp_path)
    assert where.returncode == 0, where.stderr[-2000:]
    path, notebook = where.stdout.split()
    assert not Path(path).is_relative_to(ROOT) and notebook == 'True'


def test_report_from_the_wheel_in_an_empty_folder(installed, tmp_path):
    # the jupyter kernel's description comes with ipykernel, from the environment the dependencies are borrowed from
    env = {**os.environ, 'PATH': f"{installed}{os.pathsep}{os.environ['PATH']}", 'JUPYTER_PATH': str(Path(sys.prefix)/'share'/'jupyter')}
    done = run(installed/'hcr', 'report', '--dataset', 'mnist', '--source', 'sample', '--epochs', 1, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    folder = tmp_path/'reports'/'mnist-sample'
    assert {p.name for p in folder.iterdir()} >= {'report.html', 'report.ipynb', 'run'}
    metrics = json.loads((folder/'run'/'metrics.json').read_text())
    assert metrics['test_count'] == 1000 and metrics['data']['source'] == 'sample'
    html = (folder/'report.html').read_text()
    assert f"{metrics['test_accuracy']:.2%}" in html and 'absl::InitializeLog' not in html


def test_predict_from_the_wheel_in_an_empty_folder_without_tensorflow(installed, tmp_path):
    "The bundled ONNX models read a digit and a letter, and the process never imports TensorFlow or Keras."
    digits, letters = load_dataset('mnist', 'test', source='sample'), load_dataset('emnist', 'test', source='sample')
    seven = digits.images[int(np.flatnonzero(digits.labels == 7)[0])]
    letter_a = letters.images[int(np.flatnonzero(letters.labels == letters.classes.index('A'))[0])]
    Image.fromarray(on_paper(seven)).save(tmp_path/'digit.png')
    Image.fromarray(on_paper(letter_a)).save(tmp_path/'letter.png')
    code = ('import sys, json\nfrom hcr.cli import main\n'
            'try: main(sys.argv[1:])\nexcept SystemExit as e: assert e.code == 0, e.code\n'
            'print(json.dumps(sorted(m for m in ("tensorflow", "keras") if m in sys.modules)))')
    for args, expected in [(['digit.png'], '7'), (['letter.png', '--dataset', 'emnist'], 'A')]:
        done = run(installed/'python', '-c', code, 'predict', *args, '--json', '--top-k', 1, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        *answer, heavy = done.stdout.strip().splitlines()
        assert json.loads('\n'.join(answer))[0]['character'] == expected and json.loads(heavy) == []
