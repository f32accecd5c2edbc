"""Tests of hcr.export and hcr.runtime: parity of the exported models with Keras on the full test sets, int8 size and
accuracy, the bundled models, plain-Keras loading of the committed models, no TensorFlow in the runtimes, bad input."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import keras
import tensorflow as tf

from hcr.calibrate import with_temperature
from hcr.core import HcrError
from hcr.data import load_dataset, sha256
from hcr.runs import load_run
from hcr.export import export_model, export_run, preparation
from hcr.fit import make_batches, scale
from hcr.runtime import VIEWS_PER_CALL
from hcr.model import shift_averaged, single_view
from hcr.runtime import KerasModel, bundled_model, load_runtime, read_metadata, to_float
from places import ROOT, SHARED

RUNS = {name: ROOT/'reports'/name/'run' for name in ('mnist', 'emnist')}
DATASETS = list(RUNS)


def run_fresh(code: str, cwd: Path) -> subprocess.CompletedProcess:
    "Run `code` in a fresh Python process (this one's interpreter and PYTHONPATH) from `cwd`."
    env = {**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3'}
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope='module', params=DATASETS)
def case(request, tmp_path_factory):
    "One committed run, exported once (ONNX, float and int8 LiteRT), with its full test set and Keras's probabilities."
    name = request.param
    folder = SHARED/name
    if not folder.is_dir(): pytest.skip(f'{folder}: the full {name} data is not here (see ../shared/data/README.md)')
    test = load_dataset(name, 'test', source='idx', data_dir=folder)
    out = tmp_path_factory.mktemp(f'export-{name}')
    export_run(RUNS[name], ('onnx', 'litert'), int8=True, out_dir=out)
    model = load_run(RUNS[name]).model
    reference = model.predict(make_batches(test.images, test.labels, VIEWS_PER_CALL), verbose=0)  # hcr's own pipeline
    return dict(name=name, test=test, out=out, reference=reference)


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float: return float((probs.argmax(1) == labels).mean())


def assert_parity(probs: np.ndarray, reference: np.ndarray, what: str):
    "Every arg-max the same as Keras's and every probability within 1e-5."
    assert probs.shape == reference.shape and probs.dtype == np.float32
    same = (probs.argmax(1) == reference.argmax(1)).mean()
    diff = float(np.abs(probs - reference).max())
    print(f'{what}: arg-max same on {same:.2%} of {len(probs):,}, max |difference| {diff:.1e}')
    assert same == 1.0, f'{what}: arg-max differs from Keras on {(1 - same)*len(probs):.0f} images'
    assert diff <= 1e-5, f'{what}: a probability differs from Keras by {diff:.2e}'

# ---------------------------------------------------------------------------------------------- parity


@pytest.mark.parametrize('file', ['model.onnx', 'model.tflite'])
def test_an_eleven_view_model_exports_with_kerass_probabilities(tmp_path, file):
    "Averaging over turns and zooms too (`more_views`: fixed Dense layers) exports unchanged."
    network = single_view(load_run(RUNS['mnist']).model)
    model = with_temperature(shift_averaged(network, more_views=True), 0.5)
    digits = load_dataset('mnist', 'test', source='sample')
    reference = model.predict(make_batches(digits.images, digits.labels, VIEWS_PER_CALL), verbose=0)
    path = export_model(model, tmp_path/file, 'onnx' if file.endswith('.onnx') else 'litert')
    assert_parity(load_runtime(path, classes=digits.classes).predict(digits.images), reference, f'eleven views, {file}')


@pytest.mark.committed
@pytest.mark.parametrize('file', ['model.onnx', 'model.tflite'])
def test_float_exports_match_keras_on_the_full_test_set(case, file):
    runtime = load_runtime(case['out']/file)
    assert runtime.classes == case['test'].classes
    assert_parity(runtime.predict(case['test'].images), case['reference'], f"{case['name']} {file}")


@pytest.mark.committed
def test_int8_litert_is_small_and_as_accurate(case):
    float_file, int8_file = case['out']/'model.tflite', case['out']/'model.int8.tflite'
    ratio = int8_file.stat().st_size/float_file.stat().st_size
    labels = case['test'].labels
    float_acc = accuracy(case['reference'], labels)
    int8_acc = accuracy(load_runtime(int8_file).predict(case['test'].images), labels)
    print(f"{case['name']}: int8 {int8_acc:.2%} against float {float_acc:.2%} on {len(labels):,} test images; "
          f'{int8_file.stat().st_size:,} bytes, {ratio:.2f} of the float file')
    assert ratio <= 1/3
    assert abs(int8_acc - float_acc) <= 0.002
    calibration = json.loads((case['out']/'model.json').read_text())['int8']['calibration']
    assert calibration['split'] == 'train' and calibration['images'] == 300


def onnx_contents(path: Path) -> tuple:
    """What an ONNX file computes with, free of what tf2onnx varies from one export to the next (tensor names, and the
    order of parallel branches such as the five shifted views): how many nodes of each operator, and every constant
    (dtype, shape, bytes), sorted."""
    import onnx
    from collections import Counter
    from onnx import numpy_helper
    graph = onnx.load(path).graph
    constants = sorted((c.dtype.str, c.shape, c.tobytes()) for c in map(numpy_helper.to_array, graph.initializer))
    return sorted(Counter(n.op_type for n in graph.node).items()), constants


@pytest.mark.committed
def test_bundled_model_is_the_committed_runs_export(case):
    "The bundled ONNX file is, operators and weights, what export_run makes of the committed model now (whose parity with"
    "Keras on the full test set is tested above); its own predictions are checked against Keras on 2,000 images."
    path = bundled_model(case['name'])
    meta = read_metadata(path)
    assert meta['source_run']['model_sha256'] == sha256(RUNS[case['name']]/'model.keras'), \
        'the committed model changed: run scripts/bundle_models.py'
    assert meta['files']['onnx']['sha256'] == sha256(path)
    assert tuple(meta['classes']) == case['test'].classes
    # EMNIST's model averages eleven views: its fixed turn and zoom weights (1.2 million, stored once since export folds
    # the converter's second copy away) make it 5.7 MiB, against 1.2 MiB with five views; the bound keeps the package
    # from growing unnoticed.
    assert path.stat().st_size < 7 << 20
    assert onnx_contents(path) == onnx_contents(case['out']/'model.onnx'), 'the bundled model is stale: run scripts/bundle_models.py'
    assert_parity(load_runtime(path).predict(case['test'].images[:2000]), case['reference'][:2000], f'bundled {path.name}')


@pytest.mark.committed
def test_keras_runtime_is_hcrs_pipeline(case):
    "The Keras runtime (numpy scaling, its own batches) gives what hcr's tf.data pipeline gives."
    probs = KerasModel(RUNS[case['name']]/'model.keras').predict(case['test'].images[:1000])
    np.testing.assert_allclose(probs, case['reference'][:1000], atol=1e-6)


def test_runtime_scaling_is_hcrs_scaling():
    images = np.arange(256, dtype=np.uint8).repeat(28*28).reshape(256, 28, 28, 1)
    assert np.array_equal(to_float(images), scale(tf.constant(images), tf.zeros(256))[0].numpy())

# ---------------------------------------------------------------------------------------------- anywhere, no TensorFlow


def test_committed_models_load_in_plain_keras(tmp_path):
    code = f'''
import sys, keras
for path in {[str(RUNS[n]/'model.keras') for n in DATASETS]!r}:
    model = keras.saving.load_model(path)
    print(model.output_shape[-1], end=' ')
print('hcr' in sys.modules)
'''
    out = run_fresh(code, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ['10', '47', 'False']


@pytest.fixture(scope='module')
def mnist_tflite(tmp_path_factory) -> Path:
    "The committed MNIST model as a float LiteRT file."
    return export_model(load_run(RUNS['mnist']).model, tmp_path_factory.mktemp('litert')/'model.tflite', 'litert')


def test_onnx_and_litert_predict_without_tensorflow(tmp_path, mnist_tflite):
    lite = mnist_tflite
    digits = load_dataset('mnist', 'test', source='sample')
    np.save(tmp_path/'digits.npy', digits.images[:50])
    code = f'''
import sys, numpy as np
import hcr.runtime as rt
x = np.load("digits.npy")
a = rt.load_runtime(rt.bundled_model("mnist")).predict(x)
b = rt.load_runtime({str(lite)!r}).predict(x)
print(a.argmax(1).tolist() == b.argmax(1).tolist(), float(abs(a - b).max()) < 1e-5)
print(sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras")))
'''
    out = run_fresh(code, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines() == ['True True', '[]']


def test_importing_the_runtime_imports_no_tensorflow(tmp_path):
    out = run_fresh('import sys, hcr.runtime; print(sorted(m for m in ("tensorflow", "keras", "onnxruntime") if m in sys.modules))', tmp_path)
    assert out.stdout.strip() == '[]', out.stderr[-2000:]

# ---------------------------------------------------------------------------------------------- bad input


def run_copy(tmp_path: Path, with_model: bool = True, classes: int | None = None) -> Path:
    "A copy of the committed MNIST run (optionally without its model, or with `classes` characters in labels.json)."
    run = tmp_path/'run'
    run.mkdir()
    for name in ('run.json', 'labels.json') + (('model.keras',) if with_model else ()):
        shutil.copy(RUNS['mnist']/name, run/name)
    if classes is not None: (run/'labels.json').write_text(json.dumps({str(i): str(i) for i in range(classes)}))
    return run


def test_export_of_a_folder_without_a_model(tmp_path):
    run = run_copy(tmp_path, with_model=False)
    with pytest.raises(HcrError, match='no such model file'): export_run(run)
    with pytest.raises(HcrError, match='not a run folder'): export_run(tmp_path)
    assert sorted(p.name for p in run.iterdir()) == ['labels.json', 'run.json']


def test_unknown_format(tmp_path):
    run = run_copy(tmp_path)
    with pytest.raises(HcrError, match=r"unknown export format 'tfjs': choose one of onnx, litert, saved_model, all"):
        export_run(run, ['onnx', 'tfjs'])
    assert sorted(p.name for p in run.iterdir()) == ['labels.json', 'model.keras', 'run.json']


def test_outputs_that_do_not_match_the_characters(tmp_path):
    run = run_copy(tmp_path, classes=9)
    with pytest.raises(HcrError, match='10 outputs but labels.json 9 classes'): export_run(run)
    assert sorted(p.name for p in run.iterdir()) == ['labels.json', 'model.keras', 'run.json']
    shutil.copy(bundled_model('mnist'), tmp_path/'model.onnx')
    (tmp_path/'model.json').write_text(json.dumps({'classes': list('abc')}))
    with pytest.raises(HcrError, match='model.onnx: model has 10 outputs but 3 characters'): load_runtime(tmp_path/'model.onnx')


@pytest.mark.parametrize('suffix', ['.onnx', '.tflite'])
@pytest.mark.parametrize('damage', ['empty', 'truncated', 'garbage'])
def test_damaged_model_files(tmp_path, mnist_tflite, suffix, damage):
    good = (bundled_model('mnist') if suffix == '.onnx' else mnist_tflite).read_bytes()
    path = tmp_path/f'{damage}{suffix}'
    path.write_bytes({'empty': b'', 'truncated': good[:len(good)//2], 'garbage': os.urandom(5000)}[damage])
    with pytest.raises(HcrError) as e: load_runtime(path)
    message = str(e.value)
    assert message.startswith(f'{path}: ') and '\n' not in message, message


@pytest.mark.parametrize('fmt,name', [('onnx', 'model.onnx'), ('litert', 'model.tflite'), ('saved_model', 'saved_model')])
def test_a_failed_export_leaves_nothing(tmp_path, monkeypatch, fmt, name):
    "The export writes part of its output, then fails: no partial file or folder stays, and an older one is kept."
    def half_then_fail(self, filepath, **kwargs):
        if fmt == 'saved_model':
            Path(filepath, 'variables').mkdir(parents=True)
            Path(filepath, 'saved_model.pb').write_bytes(b'half')
        else: Path(filepath).write_bytes(b'half a model')
        raise RuntimeError('converter crashed')
    monkeypatch.setattr(keras.Model, 'export', half_then_fail)
    run = run_copy(tmp_path)
    with pytest.raises(HcrError, match=f'{name}: {fmt} export failed \\(RuntimeError: converter crashed\\)'):
        export_run(run, fmt)
    assert sorted(p.name for p in run.iterdir()) == ['labels.json', 'model.keras', 'run.json']
    old = run/name
    if fmt == 'saved_model': old.mkdir(); (old/'saved_model.pb').write_bytes(b'old')
    else: old.write_bytes(b'old')
    with pytest.raises(HcrError): export_run(run, fmt)
    assert sorted(p.name for p in run.iterdir()) == sorted(['labels.json', 'model.keras', 'run.json', name])
    assert (old/'saved_model.pb' if fmt == 'saved_model' else old).read_bytes() == b'old'


@pytest.mark.parametrize('path', ['hcr/bundled/mnist.json', 'hcr/bundled/emnist.json', 'reports/mnist/run/model.json',
                                  'reports/emnist/run/model.json'])
def test_committed_metadata_describes_todays_preparation(path):
    "The shipped and committed model.json files say how images are prepared now: what someone outside hcr follows."
    meta = json.loads((ROOT/path).read_text())
    assert meta['input']['preparation'] == preparation(meta['dataset']), f'{path} is stale: hcr export the runs, then make bundle'
