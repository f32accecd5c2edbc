"""Comparing runs: intervals and McNemar's test against cases worked out with scipy, and two real runs on the MNIST test set.

The second run is the committed MNIST network averaged over five shifted views (hcr.model.shift_averaged), saved beside a copy
of the committed run's records; both are predicted once (module-scoped fixture, about 40 seconds on 2 cores).
"""
import json
import os
import shutil
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest, norm

from hcr.compare import accuracy_interval, compare_predictions, compare_runs, per_class_recall_intervals, plot_disagreements
from hcr.core import HcrError
from hcr.runs import load_run
from hcr.model import shift_averaged
from hcr.runs import save_model
from places import ROOT, SHARED

MNIST_RUN = ROOT/'reports'/'mnist'/'run'


def copy_run(tmp_path: Path, name: str = 'copy') -> Path:
    "A copy of the committed MNIST run's records and model."
    return Path(shutil.copytree(MNIST_RUN, tmp_path/name))


def edit_json(path: Path, change):
    record = json.loads(path.read_text()); change(record); path.write_text(json.dumps(record))


@pytest.fixture(scope='module')
def comparison(tmp_path_factory):
    if not (SHARED/'mnist').is_dir(): pytest.skip(f'real data not found at {SHARED/"mnist"}')
    averaged = copy_run(tmp_path_factory.mktemp('runs'), 'averaged')
    save_model(shift_averaged(load_run(MNIST_RUN).model), averaged/'model.keras')
    return compare_runs(MNIST_RUN, averaged, data_dir=SHARED/'mnist')


def test_wilson_interval_is_the_formula():
    z = norm.ppf(0.975)
    for k, n in [(9960, 10_000), (13_539, 15_027), (0, 7), (7, 7)]:
        p = k / n
        centre, half = p + z*z/(2*n), z*np.sqrt(p*(1 - p)/n + z*z/(4*n*n))
        assert np.allclose(accuracy_interval(k, n), ((centre - half)/(1 + z*z/n), (centre + half)/(1 + z*z/n)), atol=1e-12)
    with pytest.raises(HcrError, match='at least one image'): accuracy_interval(0, 0)


@pytest.mark.parametrize('only_a, only_b', [(3, 12), (40, 31), (0, 5), (17, 17)])
def test_mcnemar_exact_p_value_is_the_binomial_test(only_a, only_b):
    rng = np.random.default_rng(only_a)
    both, neither = 500, 60
    y = rng.integers(0, 10, both + only_a + only_b + neither)
    wrong = (y + 1) % 10
    a = np.r_[y[:both], y[both:both+only_a], wrong[both+only_a:both+only_a+only_b], wrong[both+only_a+only_b:]]
    b = np.r_[y[:both], wrong[both:both+only_a], y[both+only_a:both+only_a+only_b], (y[both+only_a+only_b:] + 2) % 10]
    c = compare_predictions(y, a, b, classes=tuple('0123456789'))
    assert c.table.tolist() == [[both, only_a], [only_b, neither]]
    assert c.p_value == pytest.approx(binomtest(only_a, only_a + only_b, 0.5).pvalue, abs=1e-12)
    assert c.difference == pytest.approx((only_b - only_a) / len(y))


def test_a_p_value_below_what_a_float_holds():
    "1,266 images won by A against 16 by B: McNemar's p (about 1e-340) underflows; it is said and given as below 1e-300, not 0."
    y = np.zeros(10_000, int)
    a = np.r_[np.zeros(8_700), np.zeros(1_266), np.ones(16), np.ones(18)].astype(int)
    b = np.r_[np.zeros(8_700), np.ones(1_266), np.zeros(16), np.ones(18)].astype(int)
    c = compare_predictions(y, a, b, classes=('0', '1'))
    assert c.p_value == binomtest(16, 1_282, 0.5).pvalue == 0.0
    assert 'only A right on 1,266, only B right on 16: McNemar exact p < 1e-300' in c.summary()
    assert json.loads(json.dumps(c.as_dict()))['mcnemar_exact_p'] == 1e-300


def test_two_real_runs(comparison):
    c = comparison
    print(c.summary())
    committed = json.loads((MNIST_RUN/'metrics.json').read_text())
    assert c.count == committed['test_count'] == c.table.sum()
    assert c.accuracies[0] == committed['test_accuracy']
    t = c.table
    assert c.p_value == pytest.approx(binomtest(int(t[0, 1]), int(t[0, 1] + t[1, 0]), 0.5).pvalue if t[0, 1] + t[1, 0] else 1.0)
    for acc, (low, high) in zip(c.accuracies, c.intervals): assert low < acc < high
    assert 'McNemar exact p ' in c.summary() and f'only A right on {t[0, 1]:,}, only B right on {t[1, 0]:,}:' in c.summary()
    d = c.as_dict(); json.dumps(d)
    assert d['only_a_right'] == t[0, 1] and len(d['f1_changes']) == 5
    changes = c.f1_changes(10)
    per_class = pd.read_csv(MNIST_RUN/'classification_report.csv', index_col=0)
    assert np.allclose(changes.f1_a.sort_index(), per_class.loc[list('0123456789'), 'f1-score'], atol=1e-12)
    fig = plot_disagreements(c.images, c.y_true, c.pred_a, c.pred_b, c.classes, n=20)
    assert len([ax for ax in fig.axes if ax.images]) == min(20, int((c.pred_a != c.pred_b).sum()))


def test_per_class_recall_of_a_real_run(comparison):
    table = per_class_recall_intervals(comparison.y_true, comparison.pred_a, comparison.classes)
    committed = pd.read_csv(MNIST_RUN/'classification_report.csv', index_col=0).loc[list('0123456789')]
    assert np.allclose(table.recall, committed.recall, atol=1e-12)
    assert (table.support == committed.support).all()
    assert ((table.low < table.recall) & (table.recall <= table.high + 1e-12)).all()  # a recall of 1: high is 1 up to rounding


def test_a_run_against_itself_never_differs(comparison):
    c = compare_predictions(comparison.y_true, comparison.pred_a, comparison.pred_a, comparison.classes)
    assert (c.difference, c.p_value, c.table[0, 1] + c.table[1, 0]) == (0, 1.0, 0)


def test_refuses_runs_of_different_datasets():
    with pytest.raises(HcrError, match='different datasets: mnist'):
        compare_runs(MNIST_RUN, ROOT/'reports'/'emnist'/'run')


def test_refuses_runs_of_different_test_sets(tmp_path):
    other = copy_run(tmp_path)
    edit_json(other/'metrics.json', lambda m: m['data']['test_files'].update({next(iter(m['data']['test_files'])): '0' * 64}))
    with pytest.raises(HcrError, match='evaluated on different test sets'): compare_runs(MNIST_RUN, other)
    (other/'metrics.json').unlink()
    with pytest.raises(HcrError, match='no metrics.json'): compare_runs(MNIST_RUN, other)


def test_refuses_test_files_that_are_not_the_recorded_ones(tmp_path):
    if not (SHARED/'mnist').is_dir(): pytest.skip('real data not found')
    a, b = copy_run(tmp_path, 'a'), copy_run(tmp_path, 'b')
    for run in (a, b):  # both agree, but not with the files on disk
        edit_json(run/'metrics.json', lambda m: m['data']['test_files'].update({next(iter(m['data']['test_files'])): '0' * 64}))
    with pytest.raises(HcrError, match=r'not the ones the runs recorded \(checksums differ\); evaluate both runs on them first'):
        compare_runs(a, b, data_dir=SHARED/'mnist')


def test_a_data_folder_alone_means_its_idx_files(tmp_path):
    "As for hcr evaluate: --data-dir without --source reads the folder's IDX files, whatever source the runs were evaluated on."
    if not (SHARED/'mnist').is_dir(): pytest.skip('real data not found')
    a, b = copy_run(tmp_path, 'a'), copy_run(tmp_path, 'b')
    for run in (a, b): edit_json(run/'metrics.json', lambda m: m['data'].update(source='sample'))
    assert compare_runs(a, b, data_dir=SHARED/'mnist').count == 10_000  # not the sample's 1,000
    with pytest.raises(HcrError, match="the bundled sample takes none, got '"):  # the sample reads no folder: refused, not ignored
        compare_runs(a, b, source='sample', data_dir=SHARED/'mnist')


def test_bad_input_is_one_line():
    with pytest.raises(HcrError, match='confidence level must be a number above 0 and below 1'): accuracy_interval(1, 2, level=1.5)
    with pytest.raises(HcrError, match='3 labels but 3 and 2 predictions'): compare_predictions([0, 1, 1], [0, 1, 1], [0, 1], ('a', 'b'))
    with pytest.raises(HcrError, match='no images'): compare_predictions([], [], [], ('a', 'b'))
