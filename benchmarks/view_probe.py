"""More test-time views than the four one-pixel shifts (issue 20)? Validation balanced accuracy of a run's network (EMNIST
or MNIST) with its probabilities averaged over sets of views.

The views of each image are hcr's own (`hcr.model.view_images(..., more_views=True)`, what the `more_views` setting's
model averages): itself and its four one-pixel shifts (`SHIFTS`), turned by `TURNS` degrees and zoomed by `ZOOMS` about
the centre. For each set of views the network's probabilities are averaged (arithmetic mean, as the saved model does)
and the arg-max scored on the run's validation split; nothing is trained, the test set is not read.

Run from the repository root: `.venv/bin/python benchmarks/view_probe.py RUN_DIR [RUN_DIR ...] [--split-seed S]` (about a
minute a run on 2 cores). The validation split is the run's own unless `--split-seed` gives another (the ensemble probe's
seed-1 member was trained on seed 0's split: `--split-seed 0`). docs/decisions.md quotes it.
"""
import argparse
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import keras
import numpy as np
from sklearn.metrics import balanced_accuracy_score
from hcr.calibrate import predict_probabilities
from hcr.data import load_dataset
from hcr.fit import split_validation
from hcr.model import SHIFTS, more_view_matrices, single_view, view_images
from hcr.runs import load_run

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('run_dirs', nargs='+')
p.add_argument('--split-seed', type=int, help="seed of the validation split (default: each run's own seed)")
args = p.parse_args()

VIEW_NAMES = [f'shift {r} {d}' for r, d in SHIFTS] + list(more_view_matrices())  # view_images' order
SHIFT_VIEWS = VIEW_NAMES[:len(SHIFTS)]
VIEW_SETS = {'the image alone': ['shift 0 0'], 'five shifts (hcr)': SHIFT_VIEWS,
             'shifts, turns 5': SHIFT_VIEWS + ['turn_minus_5', 'turn_5'],
             'shifts, turns 10': SHIFT_VIEWS + ['turn_minus_10', 'turn_10'],
             'shifts, turns 5 and 10': SHIFT_VIEWS + ['turn_minus_10', 'turn_minus_5', 'turn_5', 'turn_10'],
             'shifts, zooms': SHIFT_VIEWS + ['zoom_90', 'zoom_110'],
             'all eleven': VIEW_NAMES}


def each_view(network: keras.Model) -> keras.Model:
    "A model giving `network`'s output for each of the eleven views of its input, stacked: (N, 11, classes)."
    inputs = keras.Input((28, 28, 1))
    return keras.Model(inputs, keras.ops.stack([network(v) for v in view_images(inputs, more_views=True)], axis=1))


datasets = {}
for run_dir in args.run_dirs:
    run = load_run(run_dir)
    dataset = run.config.dataset
    if dataset not in datasets:
        datasets[dataset] = load_dataset(dataset, 'train', source='idx', data_dir=f'../shared/data/{dataset}')
    data = datasets[dataset]
    _, val_rows = split_validation(data, run.config.val_fraction, run.config.seed if args.split_seed is None else args.split_seed)
    network = single_view(run.model)
    outputs = predict_probabilities(each_view(network), data.images, val_rows)
    if network.layers[-1].name == 'log_probabilities':  # a calibrated run's network gives log-probabilities
        outputs = np.exp(outputs)
    probs, labels = dict(zip(VIEW_NAMES, outputs.transpose(1, 0, 2))), data.labels[val_rows]
    for name, chosen in VIEW_SETS.items():
        predicted = np.mean([probs[v] for v in chosen], 0).argmax(1)
        print(f'{run_dir}: {name:27s} validation balanced accuracy {balanced_accuracy_score(labels, predicted):.2%}, '
              f'accuracy {(predicted == labels).mean():.2%}', flush=True)
