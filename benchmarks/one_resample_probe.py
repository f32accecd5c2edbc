"""One resampling instead of three (issue 20): does augmenting with a single affine transform beat hcr's augmenter?

`hcr.fit.augmenter` chains Keras's `RandomRotation`, `RandomTranslation` and `RandomZoom`: each resamples the image
(bilinear), so every augmented image is interpolated three times, and each time a little blurred, while the images a
model is asked about are sharp. This script trains as `hcr train` does with the flags given, except that each image's
random turn (up to 10 degrees either way), shift (up to a tenth of the side) and zoom (up to a tenth) are composed into
one transform about the image's centre and applied at once (`keras.ops.image.affine_transform`, bilinear, black
outside): the same strengths, one interpolation. With `--unaugmented F`, hcr's own setting, a share F is left as it is.
Printed: each epoch's validation accuracy (the network alone) and the saved model's validation balanced accuracy.

Run from the repository root: `.venv/bin/python benchmarks/one_resample_probe.py OUT_DIR [hcr train flags]`, e.g.
`... one_resample_probe.py runs/once --dataset mnist --source idx --data-dir ../shared/data/mnist` (about 8 minutes on
2 cores). docs/decisions.md quotes it.
"""
import math
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import hcr.fit
from probe_run import probe_args, train_and_print
import keras  # after hcr, which quiets TensorFlow's start-up lines
import tensorflow as tf

args = probe_args(__doc__)


def affine_transforms(n, size: int, rotation_degrees: float, shift: float, zoom: float, seed: int) -> tf.Tensor:
    """`n` random transforms in `ImageProjectiveTransform`'s 8-number form, each mapping an output pixel to the input
    pixel it is read from: turned, scaled and shifted about the centre of a `size` x `size` image."""
    turn = tf.random.uniform([n], -1, 1, seed=seed) * rotation_degrees * math.pi / 180
    scale = 1 + tf.random.uniform([n], -zoom, zoom, seed=seed + 1)  # above 1: the input is read from farther out, a smaller digit
    move = tf.random.uniform([n, 2], -shift, shift, seed=seed + 2) * size
    c = (size - 1) / 2
    a0, a1 = scale * tf.cos(turn), -scale * tf.sin(turn)
    b0, b1 = scale * tf.sin(turn), scale * tf.cos(turn)
    a2 = c - (a0 * c + a1 * c) - move[:, 0]
    b2 = c - (b0 * c + b1 * c) - move[:, 1]
    zeros = tf.zeros_like(turn)
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def augmenter(seed: int = 0, rotation_degrees: float = 10, shift: float = 0.1, zoom: float = 0.1):
    "hcr's augmentation strengths, composed into one transform per image."
    def augment(x, training=True):
        t = affine_transforms(tf.shape(x)[0], x.shape[1], rotation_degrees, shift, zoom, seed)
        return keras.ops.image.affine_transform(x, t, interpolation='bilinear', fill_mode='constant')
    return augment


hcr.fit.augmenter = augmenter
train_and_print(args, 'one resampling')
