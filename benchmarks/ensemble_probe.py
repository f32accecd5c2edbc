"""EMNIST or MNIST: is a small ensemble worth its training time? (issue 20) Members and their average, on validation.

Each member is hcr's training of the dataset, one per seed: for EMNIST with the logit-adjusted loss (`logit_adjustment`
1) for EPOCHS epochs (default 10), for MNIST with its defaults (EPOCHS defaults to its 20). The seed sets the weights
and the order of the images; the validation split is seed 0's for every member (hcr ties the split to the seed, so the
script pins it), which keeps the members' validation images out of every member's training. A member already in
OUT_DIR/seed-S is loaded, not trained again. The ensemble averages the members' log-probabilities (of their saved,
calibrated models). Printed: validation balanced and plain accuracy of each member and of the ensemble,
also with the log-probabilities moved afterwards by -tau x log(training class frequency).

Run from the repository root: `.venv/bin/python benchmarks/ensemble_probe.py OUT_DIR SEED [SEED ...] [--epochs N]
[--dataset mnist]` (EMNIST's 10 epochs: about 18 minutes a member on 2 cores without AVX-512). docs/decisions.md quotes it.
"""
import argparse
import os
from pathlib import Path
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import numpy as np
import hcr.train
from hcr.config import TrainConfig
from hcr.data import load_dataset
from hcr.fit import class_log_prior, split_validation
from hcr.runs import load_run
from prior_adjustment import log_probabilities, print_adjusted

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('out_dir', type=Path)
p.add_argument('seeds', type=int, nargs='+')
p.add_argument('--dataset', choices=('emnist', 'mnist'), default='emnist')
p.add_argument('--epochs', type=int, help="each member's epochs (default: 10 for EMNIST, the dataset's default for MNIST)")
args = p.parse_args()
DATA_DIR = f'../shared/data/{args.dataset}'
SETTINGS = dict(epochs=args.epochs or 10, logit_adjustment=1) if args.dataset == 'emnist' else dict(epochs=args.epochs)
data = load_dataset(args.dataset, 'train', source='idx', data_dir=DATA_DIR)
hcr.train.split_validation = lambda ds, fraction, seed: split_validation(ds, fraction, 0)  # one split for all members
train_rows, val_rows = split_validation(data, TrainConfig().val_fraction, 0)
y = data.labels[val_rows]
log_prior = class_log_prior(data.labels[train_rows], data.num_classes)


def member_log_probs(seed: int) -> np.ndarray:
    "Validation log-probabilities of the member trained with `seed` (trained first if OUT_DIR has none)."
    run_dir = args.out_dir/f'seed-{seed}'
    if (run_dir/'run.json').exists(): model = load_run(run_dir).model
    else:
        config = TrainConfig(dataset=args.dataset, source='idx', data_dir=DATA_DIR, seed=seed, **SETTINGS)
        run = hcr.train.train(config, out_dir=run_dir, verbose=0, data=data)
        print(f"seed {seed}: {run.record['train_seconds']:.0f} s of training, best epoch {run.record['best_epoch']}")
        model = run.model
    return log_probabilities(model, data.images[val_rows])


members = {f'seed {s}': member_log_probs(s) for s in args.seeds}
members['ensemble'] = np.mean(list(members.values()), axis=0)
for name, log_probs in members.items():
    print_adjusted(log_probs, log_prior, y, (-0.5, -0.25, 0.0, 0.25, 0.5), f'{name:9} ')
