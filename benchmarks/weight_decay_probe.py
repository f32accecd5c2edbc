"""Weight decay on hcr's training (issue 20): does AdamW's decoupled weight decay beat plain Adam on validation?

hcr's training as `hcr train` runs it with the flags given (the same flags, schedule, loss and augmentation), except that
the optimizer is AdamW with weight decay WEIGHT_DECAY: after each step every convolution and dense kernel is shrunk by
learning rate x WEIGHT_DECAY of itself (Loshchilov and Hutter 2019). BatchNorm's scales and offsets and the dense bias
are left alone, as is usual. Printed: each epoch's validation accuracy and the saved model's validation balanced
accuracy, which `hcr train`'s run.json records too.

Run from the repository root: `.venv/bin/python benchmarks/weight_decay_probe.py OUT_DIR WEIGHT_DECAY [hcr train flags]`,
e.g. `... weight_decay_probe.py runs/wd 0.05 --dataset mnist --source idx --data-dir ../shared/data/mnist --seed 0`
(about 8 minutes on 2 cores). docs/decisions.md quotes it.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
from probe_run import probe_args, swap_optimizer, train_and_print
import keras  # after hcr, which quiets TensorFlow's start-up lines

args = probe_args(__doc__, ('weight_decay', float, 'decoupled weight decay of AdamW, e.g. 0.05'))


def adamw(adam: dict) -> keras.optimizers.AdamW:
    "AdamW with hcr's Adam's settings and schedule, decaying the kernels only."
    optimizer = keras.optimizers.AdamW.from_config({**adam, 'weight_decay': args.weight_decay})
    optimizer.exclude_from_weight_decay(var_names=['gamma', 'beta', 'bias'])
    return optimizer


swap_optimizer(adamw)
train_and_print(args, f'AdamW, weight decay {args.weight_decay}')
