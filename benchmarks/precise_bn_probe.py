"""BatchNorm statistics measured after training ("precise BN", issue 20)? Validation accuracy of a run's saved model
with its BatchNorm layers' moving means and variances as training left them, against the same model with them replaced
by the exact mean and variance of each layer's inputs over the run's training images.

During training each BatchNorm layer keeps a moving average (momentum 0.9) of its batches' statistics, and its
batches are augmented images (all of them for MNIST, three quarters for EMNIST), while at inference it sees plain
images. Here the statistics are recomputed by `hcr.fit.recompute_batchnorm` (layer by layer, in order) over the run's
training split: `plain` the images as they are, `augmented` through the training's augmentation (one pass, the run's
seed and unaugmented share: what `hcr train` does since `recompute_batchnorm` exists). Nothing else changes: the
weights, the temperature, the views. The test set is not read. A run trained with `recompute_batchnorm` on has its
statistics recomputed already: "as trained" is then the `augmented` line.

Run from the repository root: `.venv/bin/python benchmarks/precise_bn_probe.py RUN_DIR [RUN_DIR ...]` (about a minute a
MNIST run, a few for EMNIST's eleven views, on 2 cores). docs/decisions.md quotes it.
"""
import argparse
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import keras
import numpy as np
from sklearn.metrics import balanced_accuracy_score
from hcr.fit import predict_probabilities
from hcr.data import load_dataset
from hcr.fit import make_batches, recompute_batchnorm, split_validation
from hcr.model import single_view
from hcr.runs import load_run
from hcr.runtime import VIEWS_PER_CALL

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('run_dirs', nargs='+')
args = p.parse_args()


def scores(model: keras.Model, data, rows: np.ndarray) -> str:
    "The accuracy and balanced accuracy of `model` on `rows` of `data`."
    predicted = predict_probabilities(model, data.images, rows).argmax(1)
    labels = data.labels[rows]
    return f'accuracy {(predicted == labels).mean():.2%}, balanced {balanced_accuracy_score(labels, predicted):.2%}'


datasets = {}
for run_dir in args.run_dirs:
    run = load_run(run_dir)
    config = run.config.resolved()
    where = (config.dataset, config.source, config.data_dir)
    if where not in datasets: datasets[where] = load_dataset(config.dataset, 'train', source=config.source, data_dir=config.data_dir)
    data = datasets[where]
    train_rows, val_rows = split_validation(data, config.val_fraction, config.seed)
    network = single_view(run.model)
    saved = [w.numpy() for w in network.weights]
    print(f'{run_dir}: as trained:          validation {scores(run.model, data, val_rows)}', flush=True)
    for name, batches in {
            'plain': make_batches(data.images, data.labels, VIEWS_PER_CALL, rows=train_rows),
            'augmented': make_batches(data.images, data.labels, VIEWS_PER_CALL, augment=config.augment, seed=config.seed,
                                      rows=train_rows, unaugmented=config.unaugmented)}.items():
        for weight, value in zip(network.weights, saved): weight.assign(value)
        recompute_batchnorm(network, batches)
        print(f'{run_dir}: statistics {name + ":":10s} validation {scores(run.model, data, val_rows)}', flush=True)
