"""Dropout before the classifier of hcr's networks (issue 20): does another rate than hcr's 0.3 beat it on validation?

hcr's training as `hcr train` runs it with the flags given (the same network otherwise, schedule, loss and
augmentation), except that the dropout between the last convolution block and the softmax layer of hcr's default
network (`hcr.model.hcr_cnn`) drops a share RATE of the features instead of 0.3. Printed: each epoch's
validation accuracy (the network alone) and the saved model's validation balanced accuracy, which `hcr train`'s
run.json records too.

Run from the repository root: `.venv/bin/python benchmarks/dropout_probe.py OUT_DIR RATE [hcr train flags]`, e.g.
`... dropout_probe.py runs/drop 0.5 --dataset mnist --source idx --data-dir ../shared/data/mnist --seed 0` (about 10
minutes on 2 cores). docs/decisions.md quotes it.
"""
import functools
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import hcr.model
from probe_run import probe_args, train_and_print

args = probe_args(__doc__, ('rate', float, 'dropout rate before the softmax layer (hcr: 0.3)'))

if args.model != 'default': raise SystemExit('dropout_probe.py: the probe changes the default network only (--model default)')
hcr.model.MODELS['default'] = functools.partial(hcr.model.hcr_cnn, dropout=args.rate)
train_and_print(args, f'dropout {args.rate}')
