"""Calibration of the committed runs (reports/<dataset>/run) on the real data in ../shared/data.

The temperature is fitted on each run's own validation split and the calibration measured on the test set; the calibrated
model is checked on real test images: T = 1 gives the original probabilities, the fitted T changes no arg-max, and the
model saves as `.keras`, loads in a process that never imports hcr, and exports to ONNX with the same probabilities.
The predictions of each committed model are made once per dataset (module-scoped fixture): about a minute for EMNIST.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import numpy as np
import pytest

from hcr.calibrate import (apply_temperature, calibrate_run, model_temperature, plot_reliability, accuracy_coverage,
                           with_temperature)
from hcr.core import HcrError
from hcr.fit import predict_probabilities
from hcr.runs import load_run
from places import ROOT, SHARED

ECE_TARGET = {'mnist': 0.01, 'emnist': 0.02}
MODEL_CHECK_IMAGES = {'mnist': 10_000, 'emnist': 3_000}  # test images predicted again by the rebuilt models (EMNIST: 11 views each)


@pytest.fixture(scope='module', params=['mnist', 'emnist'])
def calibration(request, tmp_path_factory):
    "The committed run with its temperature taken out again (T = 1), calibrated anew on its validation split."
    dataset = request.param
    if not (SHARED/dataset).is_dir(): pytest.skip(f'real data not found at {SHARED/dataset}')
    raw = Path(shutil.copytree(ROOT/'reports'/dataset/'run', tmp_path_factory.mktemp(dataset)/'run'))
    with_temperature(load_run(raw).model, 1.0).save(raw/'model.keras')
    return calibrate_run(raw, data_dir=SHARED/dataset)


@pytest.mark.committed
def test_calibration_meets_the_targets_without_changing_accuracy(calibration):
    m = calibration.metrics()
    dataset = calibration.run.dataset
    print(dataset, json.dumps({k: round(v, 5) for k, v in m.items()}))
    committed = json.loads((calibration.run.path/'metrics.json').read_text())
    assert m['accuracy_before'] == m['accuracy_after'] == committed['test_accuracy']
    assert m['test_count'] == committed['test_count'] and m['val_count'] == calibration.run.record['data']['val_count']
    assert m['ece_after'] <= ECE_TARGET[dataset] < m['ece_before']
    assert m['nll_after'] < m['nll_before']
    # the committed run was calibrated the same way when it was trained: the same temperature and figures
    assert abs(m['temperature'] - calibration.run.record['temperature']) <= 1e-4 * m['temperature']
    assert abs(m['ece_before'] - committed['ece_uncalibrated']) < 1e-4 and abs(m['ece_after'] - committed['ece']) < 1e-4
    assert abs(m['nll_before'] - committed['nll_uncalibrated']) < 1e-4 and abs(m['nll_after'] - committed['test_loss']) < 1e-4


@pytest.mark.committed
def test_rebuilt_model_gives_the_same_probabilities_at_t1_and_the_same_arg_max_at_the_fitted_t(calibration):
    rows = np.arange(MODEL_CHECK_IMAGES[calibration.run.dataset])
    images, original = calibration.test.images, calibration.test_probs[rows]
    same = predict_probabilities(with_temperature(calibration.run.model, 1.0), images, rows)
    assert np.abs(same - original).max() <= 1e-6
    calibrated = predict_probabilities(calibration.model, images, rows)
    assert (calibrated.argmax(1) == original.argmax(1)).all()
    assert np.abs(calibrated - calibration.calibrated_test_probs[rows]).max() <= 1e-5
    assert abs(model_temperature(calibration.model) - calibration.temperature) <= 1e-6 * calibration.temperature
    assert calibration.model.name == calibration.run.model.name  # hcr.model.single_view still finds the network
    assert calibrated.max(1).mean() > original.max(1).mean()  # the underconfident models become surer


@pytest.mark.committed
def test_calibrated_model_loads_without_hcr_and_exports_to_onnx(calibration, tmp_path):
    images = calibration.test.images[:200]
    expected = predict_probabilities(calibration.model, images)
    calibration.model.save(tmp_path/'model.keras')
    np.save(tmp_path/'images.npy', images.astype(np.float32) / 255)
    script = ("import sys, numpy as np, keras\n"
              "m = keras.saving.load_model('model.keras')\n"
              "np.save('probs.npy', m.predict(np.load('images.npy'), verbose=0))\n"
              "assert not any(name == 'hcr' or name.startswith('hcr.') for name in sys.modules)\n")
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    done = subprocess.run([sys.executable, '-c', script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert np.abs(np.load(tmp_path/'probs.npy') - expected).max() <= 1e-5
    pytest.importorskip('tf2onnx'); ort = pytest.importorskip('onnxruntime')
    calibration.model.export(str(tmp_path/'model.onnx'), format='onnx', verbose=False)
    session = ort.InferenceSession(str(tmp_path/'model.onnx'))
    onnx_probs = session.run(None, {session.get_inputs()[0].name: np.load(tmp_path/'images.npy')})[0]
    assert np.abs(onnx_probs - expected).max() <= 1e-5


@pytest.mark.committed
def test_figures_of_the_calibration(calibration):
    fig = plot_reliability(calibration.test_probs, calibration.calibrated_test_probs, calibration.test.labels)
    assert [ax.get_title().split(':')[0] for ax in fig.axes] == ['before calibration', 'after calibration']
    table = accuracy_coverage(calibration.calibrated_test_probs, calibration.test.labels)
    assert table.coverage.iloc[0] == 1 and table.coverage.is_monotonic_decreasing
    assert table.accuracy.iloc[0] == calibration.metrics()['accuracy_after']
    assert table.accuracy.dropna().iloc[-1] >= table.accuracy.iloc[0]  # answering only the surest is more accurate


def test_refuses_training_data_other_than_the_run_recorded(tmp_path):
    if not (SHARED/'mnist').is_dir(): pytest.skip('real data not found')
    run = tmp_path/'run'
    shutil.copytree(ROOT/'reports'/'mnist'/'run', run)
    record = json.loads((run/'run.json').read_text())
    first = next(iter(record['data']['files']))
    record['data']['files'][first] = 'f' * 64
    (run/'run.json').write_text(json.dumps(record))
    with pytest.raises(HcrError, match='files found are not the ones .* recorded'):
        calibrate_run(run, data_dir=SHARED/'mnist')


def test_another_source_does_not_get_the_runs_data_folder(monkeypatch):
    "Calibrating a run on another source than its own reads that source's data, not the run's IDX folder (TFDS was given it)."
    import hcr.calibrate
    asked = []
    def load_dataset(name, split, source, data_dir):
        asked.append((source, data_dir))
        raise HcrError('stop here')
    monkeypatch.setattr(hcr.calibrate, 'load_dataset', load_dataset)
    with pytest.raises(HcrError, match='stop here'): calibrate_run(ROOT/'reports'/'mnist'/'run', source='tfds')
    assert asked == [('tfds', None)]


def test_bad_temperatures_are_refused():
    with pytest.raises(HcrError, match='must be positive'): apply_temperature(np.eye(2), -1)
    with pytest.raises(HcrError, match='must be positive'): with_temperature(None, 0)
