"""SGD with Nesterov momentum on hcr's training (issue 20): does it beat Adam on validation?

hcr's training as `hcr train` runs it with the flags given (the same schedule: warm-up, then cosine decay from the peak
rate `--learning-rate`, the same loss and augmentation), except that the optimizer is SGD with Nesterov momentum
MOMENTUM instead of Adam. SGD wants a larger peak rate than Adam's 0.003: pass it with `--learning-rate`. Printed: each
epoch's validation accuracy (the network alone) and the saved model's validation balanced accuracy, which
`hcr train`'s run.json records too.

Run from the repository root: `.venv/bin/python benchmarks/sgd_probe.py OUT_DIR MOMENTUM [hcr train flags]`, e.g.
`... sgd_probe.py runs/sgd 0.9 --learning-rate 0.05 --dataset mnist --source idx --data-dir ../shared/data/mnist
--seed 0` (about 10 minutes on 2 cores). docs/decisions.md quotes it.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
from probe_run import probe_args, swap_optimizer, train_and_print
import keras  # after hcr, which quiets TensorFlow's start-up lines

args = probe_args(__doc__, ('momentum', float, 'Nesterov momentum, e.g. 0.9'))


def sgd(adam: dict) -> keras.optimizers.SGD:
    "SGD with Nesterov momentum on the schedule of hcr's Adam."
    return keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.deserialize(adam['learning_rate']),
                                momentum=args.momentum, nesterov=True)


swap_optimizer(sgd)
train_and_print(args, f'SGD, Nesterov momentum {args.momentum}, peak rate {args.learning_rate}')
