"""CutMix or MixUp on hcr's training (issue 20): does mixing each training image with another of its batch, the labels
mixed in the same shares, beat hcr's augmentation alone on validation?

hcr's training as `hcr train` runs it with the flags given, except that after hcr's random turn, shift and zoom each
training image is, with probability PROBABILITY, replaced by its mix with another image of the batch: Keras's `CutMix`
(Yun et al. 2019: a rectangle from the other image pasted in, the target the two labels weighted by area; `factor` 1, so
the mixing weight is drawn uniformly) or Keras's `MixUp` (Zhang et al. 2018: the two images and their labels blended
with a weight drawn from Beta(0.2, 0.2), the layer's default and the paper's ImageNet setting). The loss is hcr's cross-entropy, label smoothing included, on these soft targets; validation and the
recomputed BatchNorm statistics see plain labels and unmixed images. Printed: each epoch's validation accuracy (the
network alone) and the saved model's validation balanced accuracy, which `hcr train`'s run.json records too. Without
logit adjustment only (MNIST's default).

Run from the repository root: `.venv/bin/python benchmarks/mix_probe.py OUT_DIR cutmix|mixup PROBABILITY [hcr train
flags]`, e.g. `... mix_probe.py runs/cutmix cutmix 0.5 --dataset mnist --source idx --data-dir ../shared/data/mnist --seed 0`
(about 10 minutes on 2 cores). docs/decisions.md quotes it.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import hcr.fit
import hcr.train
from probe_run import probe_args, train_and_print
import keras  # after hcr, which quiets TensorFlow's start-up lines
import tensorflow as tf

MIXES = {'cutmix': lambda seed: keras.layers.CutMix(factor=1.0, seed=seed),
         'mixup': lambda seed: keras.layers.MixUp(alpha=0.2, seed=seed)}
args = probe_args(__doc__, ('method', str, 'cutmix or mixup'),
                  ('probability', float, 'share of the training images replaced by their mix, e.g. 0.5'))
if args.method not in MIXES: raise SystemExit(f'mix_probe: method is cutmix or mixup, not {args.method!r}')


def targets(labels, num_classes: int):
    "One-hot targets from integer `labels`; soft targets (already one row per image) as they are."
    if len(labels.shape) == 2 and labels.shape[-1] == num_classes: return labels
    return keras.ops.one_hot(keras.ops.reshape(keras.ops.cast(labels, 'int32'), [-1]), num_classes)


@keras.saving.register_keras_serializable(package='mix_probe')
def accuracy(labels, probs):
    "Accuracy against the larger share of a soft target, or against integer labels."
    return keras.metrics.categorical_accuracy(targets(labels, probs.shape[-1]), probs)


hcr_compile = hcr.train.compile_model
hcr_make_batches = hcr.fit.make_batches


def compile_soft(model, steps_per_epoch, epochs, learning_rate, label_smoothing=0.0, log_prior=None):
    "Compile as hcr does (its optimizer and schedule), then with hcr's smoothed cross-entropy on soft targets."
    if log_prior is not None: raise SystemExit('mix_probe: logit adjustment is not supported (pass --logit-adjustment 0)')
    model = hcr_compile(model, steps_per_epoch, epochs, learning_rate, label_smoothing)

    @keras.saving.register_keras_serializable(package='mix_probe')
    def soft_crossentropy(labels, probs):
        return keras.losses.categorical_crossentropy(targets(labels, probs.shape[-1]), probs,
                                                     label_smoothing=label_smoothing)
    model.compile(optimizer=model.optimizer, loss=soft_crossentropy, metrics=[accuracy])
    return model


def batches_mixed(images, labels, *positional, training: bool = False, seed: int = 0, **keywords):
    "hcr's batches; the training ones with a share `args.probability` of their images replaced by their mix."
    ds = hcr_make_batches(images, labels, *positional, training=training, seed=seed, **keywords)
    if not training: return ds
    num_classes = int(labels.max()) + 1
    mix = MIXES[args.method](seed + 5)

    def mixed(x, y):
        soft = tf.one_hot(tf.cast(y, tf.int32), num_classes)
        out = mix({'images': x, 'labels': soft}, training=True)
        chosen = tf.random.uniform(tf.shape(x)[:1], seed=seed + 6) < args.probability
        return (tf.where(chosen[:, None, None, None], out['images'], x),
                tf.where(chosen[:, None], tf.cast(out['labels'], soft.dtype), soft))
    return ds.map(mixed)


hcr.train.compile_model = compile_soft
hcr.fit.make_batches = batches_mixed  # split_batches looks it up in hcr.fit; the BatchNorm pass keeps hcr's own
train_and_print(args, f'{args.method}, probability {args.probability}')
