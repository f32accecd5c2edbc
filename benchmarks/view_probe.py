"""More test-time views than the four one-pixel shifts (issue 20)? Validation balanced accuracy of a run's network (EMNIST
or MNIST) with its probabilities averaged over sets of views.

The views of each image are hcr's own (`hcr.model.view_images(..., more_views=True)`, what the `more_views` setting's
model averages): itself and its four one-pixel shifts (`SHIFTS`), turned by `TURNS` degrees and zoomed by `ZOOMS` about
the centre. For each set of views the network's probabilities are averaged (arithmetic mean, as the saved model does)
and the arg-max scored on the run's validation split; nothing is trained, the test set is not read.

With `--more`, beside hcr's eleven views, more made with `scipy.ndimage.affine_transform` (bilinear, as hcr's turns
and zooms): diagonal and two-pixel shifts, half- and quarter-pixel shifts (so resampled, slightly blurred, like every
image the training's augmentation makes), turns of 15 degrees, zooms of 0.85 to 1.15, shears and stretches; each
view's own score and more sets are printed.

Run from the repository root: `.venv/bin/python benchmarks/view_probe.py RUN_DIR [RUN_DIR ...] [--split-seed S]` (about a
minute a run on 2 cores). The validation split is the run's own unless `--split-seed` gives another (the ensemble probe's
seed-1 member was trained on seed 0's split: `--split-seed 0`). docs/decisions.md quotes it.
"""
import argparse
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import keras
import hcr.model
import numpy as np
from scipy import ndimage
from sklearn.metrics import balanced_accuracy_score
from hcr.fit import predict_probabilities
from hcr.data import load_dataset
from hcr.fit import split_validation
from hcr.model import SHIFTS, more_view_matrices, single_view, view_images
from hcr.runs import load_run

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('run_dirs', nargs='+')
p.add_argument('--split-seed', type=int, help="seed of the validation split (default: each run's own seed)")
p.add_argument('--more', action='store_true', help='more views, made with scipy (see above)')
args = p.parse_args()

VIEW_NAMES = [f'shift {r} {d}' for r, d in SHIFTS] + list(more_view_matrices())  # view_images' order
SHIFT_VIEWS = VIEW_NAMES[:len(SHIFTS)]
VIEW_SETS = {'the image alone': ['shift 0 0'], 'five shifts (hcr)': SHIFT_VIEWS,
             'shifts, turns 5': SHIFT_VIEWS + ['turn_minus_5', 'turn_5'],
             'shifts, turns 10': SHIFT_VIEWS + ['turn_minus_10', 'turn_10'],
             'shifts, turns 5 and 10': SHIFT_VIEWS + ['turn_minus_10', 'turn_minus_5', 'turn_5', 'turn_10'],
             'shifts, zooms': SHIFT_VIEWS + ['zoom_90', 'zoom_110'],
             'all eleven': VIEW_NAMES}


SCIPY_SHIFTS = {'diagonal': ((1, 1), (1, -1), (-1, 1), (-1, -1)), 'two-pixel': ((2, 0), (-2, 0), (0, 2), (0, -2)),
                'half': ((0.5, 0), (-0.5, 0), (0, 0.5), (0, -0.5)),
                'half-diagonal': ((0.5, 0.5), (-0.5, -0.5), (0.5, -0.5), (-0.5, 0.5)), 'quarter': ((0.25, 0.25), (-0.25, -0.25))}
DIAGONAL, TWO_PIXEL, HALF, HALF_DIAGONAL, QUARTER = ([f'shift {r} {d} (scipy)' for r, d in moves] for moves in SCIPY_SHIFTS.values())
# name: (matrix, shift (down, right) in pixels), for `moved`: the image is resampled about its centre
MORE_VIEWS = {**{f'shift {r} {d} (scipy)': (np.eye(2), (d, r)) for moves in SCIPY_SHIFTS.values() for r, d in moves},
              **{f'turn {d} (scipy)': (hcr.model.turn_matrix(d), (0, 0)) for d in (-15, 15)},
              **{f'zoom {z} (scipy)': (np.eye(2) / z, (0, 0)) for z in (0.85, 0.95, 0.97, 1.03, 1.05, 1.15)},
              **{f'shear {s} (scipy)': (np.array([[1, 0], [s, 1]]), (0, 0)) for s in (-0.15, 0.15)},
              **{f'stretch {h} {w} (scipy)': (np.diag([1 / h, 1 / w]), (0, 0)) for h, w in ((1.1, 1), (1, 1.1), (0.9, 1), (1, 0.9))}}
MORE_SETS = {'eleven + diagonal shifts': VIEW_NAMES + DIAGONAL,
             'eleven + two-pixel shifts': VIEW_NAMES + TWO_PIXEL,
             'eleven + turns 15': VIEW_NAMES + ['turn -15 (scipy)', 'turn 15 (scipy)'],
             'eleven + zooms .85 .95 1.05 1.15': VIEW_NAMES + [f'zoom {z} (scipy)' for z in (0.85, 0.95, 1.05, 1.15)],
             'eleven + shears': VIEW_NAMES + ['shear -0.15 (scipy)', 'shear 0.15 (scipy)'],
             'eleven + stretches': VIEW_NAMES + [n for n in MORE_VIEWS if n.startswith('stretch')],
             'half-pixel shifts (4)': HALF, 'half-pixel diagonal shifts (4)': HALF_DIAGONAL,
             'half-pixel, both (8)': HALF + HALF_DIAGONAL,
             'eleven, shifts half-pixel': QUARTER[:1] + HALF + VIEW_NAMES[len(SHIFTS):],
             'eleven + half-pixel, both': VIEW_NAMES + HALF + HALF_DIAGONAL,
             'all': VIEW_NAMES + list(MORE_VIEWS)}


def moved(images: np.ndarray, matrix: np.ndarray, shift: tuple) -> np.ndarray:
    "`images` (N, 28, 28, 1) resampled bilinearly at centre + `matrix` (p - centre) - `shift`, black outside, rounded to uint8."
    centre = np.array([13.5, 13.5])
    offset = centre - matrix @ centre - np.asarray(shift, float)
    out = [ndimage.affine_transform(im[..., 0].astype(np.float32), matrix, offset=offset, order=1, cval=0) for im in images]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)[..., None]


def probabilities(model: keras.Model, images: np.ndarray, rows: np.ndarray) -> np.ndarray:
    "`model`'s probabilities for `rows` of `images` (a calibrated run's network gives log-probabilities: exponentiated)."
    outputs = predict_probabilities(model, images, rows)
    return np.exp(outputs) if single_view(model).layers[-1].name == 'log_probabilities' else outputs


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
    outputs = probabilities(each_view(network), data.images, val_rows)
    probs, labels = dict(zip(VIEW_NAMES, outputs.transpose(1, 0, 2))), data.labels[val_rows]
    if args.more:
        images = data.images[val_rows]
        for name, (matrix, shift) in MORE_VIEWS.items():
            probs[name] = probabilities(network, moved(images, matrix, shift), np.arange(len(images)))
        for name in [*VIEW_NAMES, *MORE_VIEWS]:
            print(f'{run_dir}: {name:34s} alone: validation balanced accuracy '
                  f'{balanced_accuracy_score(labels, probs[name].argmax(1)):.2%}', flush=True)
    for name, chosen in (VIEW_SETS | (MORE_SETS if args.more else {})).items():
        predicted = np.mean([probs[v] for v in chosen], 0).argmax(1)
        print(f'{run_dir}: {name:34s} validation balanced accuracy {balanced_accuracy_score(labels, predicted):.2%}, '
              f'accuracy {(predicted == labels).mean():.2%}', flush=True)
