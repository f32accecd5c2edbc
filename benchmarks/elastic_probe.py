"""Elastic distortion on top of hcr's augmentation (issue 20): does it raise MNIST's validation accuracy?

Simard, Steinkraus and Platt (2003) found elastic distortions worth more than affine ones on MNIST: every pixel moves by
a random field (uniform noise in [-1, 1], smoothed by a Gaussian of width SIGMA pixels, scaled by ALPHA). This script
trains as `hcr train` does with the flags given, except that each augmented training image is also distorted so,
after hcr's random turn, shift and zoom (bilinear resampling, black outside the image). Keras's own
`RandomElasticTransform` is not used: in Keras 3.15.1 it draws the two displacement fields from the same seed (every
pixel moves along the diagonal) and takes a batch size unknown when the pipeline is built (as in hcr's) for 1.
Printed: each epoch's validation accuracy (the network alone) and the saved model's validation balanced accuracy.

Run from the repository root: `.venv/bin/python benchmarks/elastic_probe.py OUT_DIR ALPHA SIGMA [hcr train flags]`,
e.g. `... elastic_probe.py runs/elastic 34 4 --dataset mnist --source idx --data-dir ../shared/data/mnist` (Simard's
values; about 10 minutes on 2 cores). docs/decisions.md quotes it.
"""
import math
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import hcr.fit
from probe_run import probe_args, train_and_print
import tensorflow as tf  # after hcr, which quiets TensorFlow's start-up lines

args = probe_args(__doc__,
                  ('alpha', float, 'scale of the smoothed displacement field, pixels (Simard: 34)'),
                  ('sigma', float, 'width of the Gaussian smoothing the field, pixels (Simard: 4)'))


def gaussian_kernel(sigma: float) -> tf.Tensor:
    "A normalised 1-D Gaussian of width `sigma`, 3 sigma each side."
    half = math.ceil(3 * sigma)
    x = tf.range(-half, half + 1, dtype=tf.float32)
    k = tf.exp(-x**2 / (2 * sigma**2))
    return k / tf.reduce_sum(k)


def elastic(images: tf.Tensor, alpha: float, sigma: float, seed: int) -> tf.Tensor:
    "`images` (batch, height, width, 1) in [0, 1], each moved by its own smoothed random field; bilinear, black outside."
    shape = tf.shape(images)
    b, h, w = shape[0], shape[1], shape[2]
    k = gaussian_kernel(sigma)
    field = tf.random.uniform(tf.stack([b, h, w, 2]), -1.0, 1.0, seed=seed)
    field = tf.nn.depthwise_conv2d(field, tf.tile(k[:, None, None, None], [1, 1, 2, 1]), [1] * 4, 'SAME')
    field = tf.nn.depthwise_conv2d(field, tf.tile(k[None, :, None, None], [1, 1, 2, 1]), [1] * 4, 'SAME') * alpha
    rows, cols = tf.meshgrid(tf.range(h, dtype=tf.float32), tf.range(w, dtype=tf.float32), indexing='ij')
    y, x = rows[None] + field[..., 0], cols[None] + field[..., 1]
    y0, x0 = tf.floor(y), tf.floor(x)
    flat = tf.reshape(images, [-1])
    base = tf.range(b)[:, None, None] * h * w
    last_row, last_col = tf.cast(h - 1, tf.float32), tf.cast(w - 1, tf.float32)

    def at(yi, xi):
        "The pixels at integer positions (yi, xi), 0 outside the image."
        inside = (yi >= 0) & (yi <= last_row) & (xi >= 0) & (xi <= last_col)
        index = base + tf.cast(tf.clip_by_value(yi, 0, last_row), tf.int32) * w + tf.cast(tf.clip_by_value(xi, 0, last_col), tf.int32)
        return tf.where(inside, tf.gather(flat, index), 0.0)

    dy, dx = y - y0, x - x0
    out = ((1 - dy) * (1 - dx) * at(y0, x0) + (1 - dy) * dx * at(y0, x0 + 1)
           + dy * (1 - dx) * at(y0 + 1, x0) + dy * dx * at(y0 + 1, x0 + 1))
    return out[..., None]


affine = hcr.fit.augmenter


def augmenter(seed: int = 0, **strengths):
    "hcr's augmenter, then the elastic distortion."
    turn_shift_zoom = affine(seed, **strengths)
    return lambda x, training=True: elastic(turn_shift_zoom(x, training=training), args.alpha, args.sigma, seed + 4)


hcr.fit.augmenter = augmenter
train_and_print(args, f'elastic alpha {args.alpha}, sigma {args.sigma}')
