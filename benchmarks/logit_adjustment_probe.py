"""Logit adjustment of an EMNIST run's model after training (issue 20), tau chosen on validation balanced accuracy.

Run from the repository root: `.venv/bin/python benchmarks/logit_adjustment_probe.py [RUN_DIR [LOWEST_TAU]]` (about 3
minutes on 2 cores; RUN_DIR defaults to the committed run, reports/emnist/run). Prints balanced and plain accuracy on the
run's validation split and the test set for each tau from LOWEST_TAU (default 0; below 0 for a run trained with the
logit-adjusted loss, whose prior a negative tau puts partly back) to 2; docs/decisions.md quotes it.
"""
import sys
import time
import numpy as np
from hcr.data import load_dataset
from hcr.fit import class_log_prior, split_validation
from hcr.runs import load_run
from prior_adjustment import adjusted_accuracies, log_probabilities

run = load_run(sys.argv[1] if len(sys.argv) > 1 else 'reports/emnist/run')
train = load_dataset('emnist', 'train', source='idx', data_dir='../shared/data/emnist')
test = load_dataset('emnist', 'test', source='idx', data_dir='../shared/data/emnist')
tr, va = split_validation(train, run.config.val_fraction, run.config.seed)  # the run's own validation split
t = time.time()
lv, lt = log_probabilities(run.model, train.images[va]), log_probabilities(run.model, test.images)
print(f'predicted in {time.time()-t:.0f} s')
yv, yt = train.labels[va], test.labels
log_prior = class_log_prior(train.labels[tr], train.num_classes)  # the training loss's prior, taken off afterwards here
rows = []
lowest = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
for tau in np.round(np.arange(lowest, 2.01, 0.125), 3):
    rows.append((tau, *adjusted_accuracies(lv, log_prior, yv, tau), *adjusted_accuracies(lt, log_prior, yt, tau)))
    print('tau %.3f  val bal %.4f acc %.4f | test bal %.4f acc %.4f' % rows[-1])
best = max(rows, key=lambda r: (r[1], -abs(r[0] - 1)))
print('chosen on validation:', best)
