"""Weight EMA on hcr's training (issue 20): does an exponential moving average of the weights beat the weights
themselves on validation?

hcr's training as `hcr train` runs it with the flags given (the same flags), except that Adam keeps an exponential moving
average of the trainable weights (Keras's `use_ema`, momentum MOMENTUM), validation at each epoch's end is done with the
averaged weights (`keras.callbacks.SwapEMAWeights`), and the run saves the average at the end instead of the weights of
the epoch of lowest validation loss (early stopping still stops, but restores nothing: it would restore live weights over
the average). BatchNorm's moving statistics are not averaged (they are not trainable); they are the live network's.
Printed: each epoch's validation accuracy (averaged weights) and the saved model's validation balanced accuracy, which
`hcr train`'s run.json records too.

Run from the repository root: `.venv/bin/python benchmarks/ema_probe.py OUT_DIR MOMENTUM [hcr train flags]`, e.g.
`... ema_probe.py runs/ema 0.999 --dataset emnist --source idx --data-dir ../shared/data/emnist --epochs 10
--logit-adjustment 1` (about 15-18 minutes on 2 cores). docs/decisions.md quotes it.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import hcr.train
from hcr.fit import stopping_start
from probe_run import probe_args, swap_optimizer, train_and_print
import keras  # after hcr, which quiets TensorFlow's start-up lines

args = probe_args(__doc__, ('momentum', float, 'weight of the old average at each step, e.g. 0.999'))


def early_stopping_keeping_average(patience, epochs):
    "`hcr.fit.early_stopping` without restoring the best epoch's (live) weights over the average."
    return keras.callbacks.EarlyStopping('val_loss', patience=patience, restore_best_weights=False,
                                         start_from_epoch=stopping_start(epochs))


# the same Adam (and schedule), keeping the weights' moving average
swap_optimizer(lambda adam: keras.optimizers.Adam.from_config({**adam, 'use_ema': True, 'ema_momentum': args.momentum}))
hcr.train.early_stopping = early_stopping_keeping_average
train_and_print(args, f'EMA momentum {args.momentum}', callbacks=[keras.callbacks.SwapEMAWeights()], watched='averaged weights')
