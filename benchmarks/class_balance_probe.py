"""EMNIST for a uniform class prior without the logit-adjusted loss (issue 20): a class-weighted loss or a
class-balanced sampler, on validation balanced accuracy.

hcr's EMNIST training (its defaults: network, augmentation, smoothing 0.1, shift averaging, calibration) with the
training batches changed, and nothing else:
- `weights`: every image weighs N / (classes x its class's count) in the loss (inverse class frequency, mean 1);
- `sampler`: the epoch's rows are drawn with replacement, with probability 1 / their class's count, as many as the
  split has (so every class is drawn about equally often, and an epoch has as many steps as before).
Neither is an hcr setting (the logit-adjusted loss, `logit_adjustment`, compared as well as these, is), so the script
swaps `hcr.train`'s `split_batches` for its own. Then, on the run's validation split, it prints the saved model's
balanced and plain accuracy, also with its log-probabilities moved afterwards by -tau x log(training class frequency).

Run from the repository root: `.venv/bin/python benchmarks/class_balance_probe.py weights|sampler OUT_DIR [EPOCHS]`
(EPOCHS defaults to 10: about 19 minutes on 2 cores). docs/decisions.md quotes it.
"""
import os
import sys
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import numpy as np
import tensorflow as tf
import hcr.train
from hcr.config import TrainConfig
from hcr.data import load_dataset
from hcr.fit import class_log_prior, split_batches, split_validation
from prior_adjustment import log_probabilities, print_adjusted

mode, out_dir, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 10
if mode not in ('weights', 'sampler'): sys.exit(f'mode must be weights or sampler, got {mode!r}')
DATA_DIR = '../shared/data/emnist'


def balanced_split_batches(data, rows, batch_size, augment=False, seed=0):
    "`hcr.fit.split_batches` with the training batches weighted or drawn by class, as `mode` says."
    train_rows, val_rows = rows
    counts = np.bincount(data.labels[train_rows], minlength=data.num_classes)
    if mode == 'sampler':
        p = 1 / counts[data.labels[train_rows]]
        drawn = np.sort(np.random.default_rng(seed).choice(train_rows, size=len(train_rows), p=p / p.sum()))
        return split_batches(data, (drawn, val_rows), batch_size, augment, seed)
    weights = tf.constant(len(train_rows) / (data.num_classes * counts), tf.float32)
    batches, val = split_batches(data, rows, batch_size, augment, seed)
    return batches.map(lambda x, y: (x, y, tf.gather(weights, tf.cast(y, tf.int32)))), val


hcr.train.split_batches = balanced_split_batches
data = load_dataset('emnist', 'train', source='idx', data_dir=DATA_DIR)
config = TrainConfig(dataset='emnist', source='idx', data_dir=DATA_DIR, epochs=epochs)
run = hcr.train.train(config, out_dir=out_dir, verbose=0, data=data)
train_rows, val_rows = split_validation(data, config.val_fraction, config.seed)
y = data.labels[val_rows]
log_prior = class_log_prior(data.labels[train_rows], data.num_classes)
print(f"{mode}, {epochs} epochs: {run.record['train_seconds']:.0f} s of training, best epoch {run.record['best_epoch']}")
print_adjusted(log_probabilities(run.model, data.images[val_rows]), log_prior, y, np.arange(-1, 1.01, 0.25))
