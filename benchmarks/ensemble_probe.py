"""EMNIST or MNIST: is a small ensemble worth its training time? (issue 20) Members and their average, on validation.

Each member is hcr's training of the dataset, one per seed: for EMNIST with the logit-adjusted loss (`logit_adjustment`
1) for EPOCHS epochs (default 10), for MNIST with its defaults (EPOCHS defaults to its 20). The seed sets the weights
and the order of the images; the validation split is seed 0's for every member (hcr ties the split to the seed, so the
script pins it), which keeps the members' validation images out of every member's training. A member already in
OUT_DIR/seed-S is loaded, not trained again (refused if made with other settings). The ensemble averages the members' log-probabilities (of their saved,
calibrated models). Printed: validation balanced and plain accuracy of each member and of the ensemble, for EMNIST
also with the log-probabilities moved afterwards by -tau x log(training class frequency).

`--set KEY=VALUE` (repeatable; the value read as JSON where it can be) changes any other setting of the members, e.g.
`hcr_fast`'s recipe: `--epochs 4 --set model=medium --set learning_rate=0.01 --set shift_average=true --set
more_views=true`. For members that average views, the ensemble of their networks alone is printed too; with more than
two members, so is the ensemble of the first k members for every k.

Run from the repository root: `.venv/bin/python benchmarks/ensemble_probe.py OUT_DIR SEED [SEED ...] [--epochs N]
[--dataset mnist] [--set KEY=VALUE ...]` (EMNIST's 10 epochs: about 18 minutes a member on 2 cores without AVX-512).
docs/decisions.md quotes it.
"""
import argparse
import json
import os
from pathlib import Path
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import numpy as np
import hcr.train
from hcr.config import TrainConfig
from hcr.fit import predict_probabilities
from hcr.data import load_dataset
from hcr.fit import class_log_prior, split_validation
from hcr.model import single_view
from hcr.runs import config_differences, load_run
from prior_adjustment import log_probabilities, print_adjusted

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('out_dir', type=Path)
p.add_argument('seeds', type=int, nargs='+')
p.add_argument('--dataset', choices=('emnist', 'mnist'), default='emnist')
p.add_argument('--epochs', type=int, help="each member's epochs (default: 10 for EMNIST, the dataset's default for MNIST)")


def setting(text: str) -> tuple:
    "`KEY=VALUE` as (key, value), the value read as JSON where it can be."
    key, equals, value = text.partition('=')
    if not equals: raise argparse.ArgumentTypeError(f'{text!r}: give KEY=VALUE')
    if key in ('dataset', 'source', 'data_dir', 'seed'): raise argparse.ArgumentTypeError(f'{key}: set by the script, not by --set')
    try: return key, json.loads(value)
    except json.JSONDecodeError: return key, value


p.add_argument('--set', type=setting, action='append', default=[], metavar='KEY=VALUE', help="another setting of the members")


args = p.parse_args()
DATA_DIR = f'../shared/data/{args.dataset}'
SETTINGS = dict(epochs=args.epochs or 10, logit_adjustment=1) if args.dataset == 'emnist' else dict(epochs=args.epochs)
SETTINGS.update(args.set)
data = load_dataset(args.dataset, 'train', source='idx', data_dir=DATA_DIR)
hcr.train.split_validation = lambda ds, fraction, seed: split_validation(ds, fraction, 0)  # one split for all members
train_rows, val_rows = split_validation(data, TrainConfig().val_fraction, 0)
y = data.labels[val_rows]
log_prior = class_log_prior(data.labels[train_rows], data.num_classes)


def member_log_probs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Validation log-probabilities of the member trained with `seed` (trained first if OUT_DIR has none): of its saved
    model and of its network alone (the same when it averages no views)."""
    run_dir = args.out_dir/f'seed-{seed}'
    config = TrainConfig(dataset=args.dataset, source='idx', data_dir=DATA_DIR, seed=seed, **SETTINGS)
    if (run_dir/'run.json').exists():
        member = load_run(run_dir)
        differences = config_differences(member.config, config)
        if differences: p.error(f"{run_dir}: made with other settings ({'; '.join(differences)})")
        model = member.model
    else:
        run = hcr.train.train(config, out_dir=run_dir, verbose=0, data=data)
        print(f"seed {seed}: {run.record['train_seconds']:.0f} s of training, best epoch {run.record['best_epoch']}")
        model = run.model
    network, images = single_view(model), data.images[val_rows]
    saved = log_probabilities(model, images)
    if network is model: return saved, saved
    # a calibrated averaging model's network gives log-probabilities already
    alone = predict_probabilities(network, images) if network.layers[-1].name == 'log_probabilities' else log_probabilities(network, images)
    return saved, alone


TAUS = (-0.5, -0.25, 0.0, 0.25, 0.5) if args.dataset == 'emnist' else (0.0,)
both = {f'seed {s}': member_log_probs(s) for s in args.seeds}
for which, kind in ((0, 'saved models'), (1, 'networks alone')):
    if which and all(a is b for a, b in both.values()): break
    print(f'-- {kind}')
    members = {name: pair[which] for name, pair in both.items()}
    logs = list(members.values())
    for k in range(2, len(logs)): members[f'first {k}'] = np.mean(logs[:k], axis=0)
    members['ensemble'] = np.mean(logs, axis=0)
    for name, log_probs in members.items(): print_adjusted(log_probs, log_prior, y, TAUS, f'{name:9} ')
