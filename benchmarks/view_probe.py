"""More test-time views than the four one-pixel shifts (issue 20)? Validation balanced accuracy of a run's network (EMNIST
or MNIST) with its probabilities averaged over sets of views.

The views of each image: itself and its four one-pixel shifts (`hcr.model.SHIFTS`, what hcr's shift-averaged model
averages), rotations by -10, -5, 5 and 10 degrees about the centre, and zooms by 0.9 and 1.1 about the centre (bilinear,
black outside; scipy.ndimage). For each set of views the network's probabilities are averaged (arithmetic mean, as the
saved model does) and the arg-max scored on the run's validation split; nothing is trained, the test set is not read.

Run from the repository root: `.venv/bin/python benchmarks/view_probe.py RUN_DIR [RUN_DIR ...] [--split-seed S]` (about a
minute a run on 2 cores). The validation split is the run's own unless `--split-seed` gives another (the ensemble probe's
seed-1 member was trained on seed 0's split: `--split-seed 0`). docs/decisions.md quotes it.
"""
import argparse
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import numpy as np
from scipy import ndimage
from sklearn.metrics import balanced_accuracy_score
from hcr.calibrate import predict_probabilities
from hcr.data import load_dataset
from hcr.fit import split_validation
from hcr.model import SHIFTS, TURNS, ZOOMS, shift, single_view
from hcr.runs import load_run

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('run_dirs', nargs='+')
p.add_argument('--split-seed', type=int, help="seed of the validation split (default: each run's own seed)")
args = p.parse_args()


def rotated(images: np.ndarray, degrees: float) -> np.ndarray:
    return np.clip(ndimage.rotate(images, degrees, axes=(1, 2), reshape=False, order=1), 0, 255)


def zoomed(images: np.ndarray, factor: float) -> np.ndarray:
    "`images` (N x 28 x 28) enlarged by `factor` about the centre."
    centre = 14 - 14 / factor  # output pixel o samples input o / factor + centre
    return np.clip(ndimage.affine_transform(images, np.diag([1, 1 / factor, 1 / factor]), offset=(0, centre, centre),
                                            order=1), 0, 255)


def shifted(images: np.ndarray, right: int, down: int) -> np.ndarray:
    return shift(images[..., None], right, down).numpy()[..., 0]  # hcr's own shift layers


VIEW_SETS = {'the image alone': ['shift 0 0'], 'five shifts (hcr)': [f'shift {r} {d}' for r, d in SHIFTS]}
VIEW_SETS |= {'shifts, rotations 5': VIEW_SETS['five shifts (hcr)'] + ['rotate -5', 'rotate 5'],
              'shifts, rotations 10': VIEW_SETS['five shifts (hcr)'] + ['rotate -10', 'rotate 10'],
              'shifts, rotations 5 and 10': VIEW_SETS['five shifts (hcr)'] + ['rotate -5', 'rotate 5', 'rotate -10', 'rotate 10'],
              'shifts, zooms': VIEW_SETS['five shifts (hcr)'] + ['zoom 0.9', 'zoom 1.1']}
VIEW_SETS['all eleven'] = VIEW_SETS['shifts, rotations 5 and 10'] + ['zoom 0.9', 'zoom 1.1']

datasets = {}
for run_dir in args.run_dirs:
    run = load_run(run_dir)
    dataset = run.config.dataset
    if dataset not in datasets:
        datasets[dataset] = load_dataset(dataset, 'train', source='idx', data_dir=f'../shared/data/{dataset}')
    data = datasets[dataset]
    _, val_rows = split_validation(data, run.config.val_fraction, run.config.seed if args.split_seed is None else args.split_seed)
    images, labels = data.images[val_rows].reshape(-1, 28, 28).astype('float32'), data.labels[val_rows]
    views = {f'shift {r} {d}': shifted(images, r, d) for r, d in SHIFTS}
    views |= {f'rotate {a}': rotated(images, a) for a in TURNS}  # hcr's angles and factors (`more_views`)
    views |= {f'zoom {z}': zoomed(images, z) for z in ZOOMS}
    network = single_view(run.model)
    probs = {name: predict_probabilities(network, v.round().astype('uint8')[..., None]) for name, v in views.items()}
    if network.layers[-1].name == 'log_probabilities':  # a calibrated run's network gives log-probabilities
        probs = {name: np.exp(p) for name, p in probs.items()}
    for name, chosen in VIEW_SETS.items():
        predicted = np.mean([probs[v] for v in chosen], 0).argmax(1)
        print(f'{run_dir}: {name:27s} validation balanced accuracy {balanced_accuracy_score(labels, predicted):.2%}, '
              f'accuracy {(predicted == labels).mean():.2%}', flush=True)
