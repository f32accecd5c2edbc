"""Sharpness-aware minimisation on hcr's training (issue 20): does SAM beat plain Adam on validation, for the same
training time?

hcr's training as `hcr train` runs it with the flags given (network, loss, augmentation, Adam on hcr's schedule), except
that each step is SAM's (Foret et al. 2021): the gradient is taken at the weights moved RHO along the normalised
gradient (the worst nearby point, to first order), and Adam applies that gradient to the weights themselves. A step
costs two forward and backward passes, so compare SAM for N epochs with hcr's training for 2N. BatchNorm's moving
statistics see both passes. Printed: each epoch's validation accuracy (the network alone) and the saved model's
validation balanced accuracy, which `hcr train`'s run.json records too.

Run from the repository root: `.venv/bin/python benchmarks/sam_probe.py OUT_DIR RHO [hcr train flags]`, e.g.
`... sam_probe.py runs/sam 0.05 --dataset mnist --source idx --data-dir ../shared/data/mnist --seed 0 --epochs 10`
(about 10 minutes on 2 cores). docs/decisions.md quotes it.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import hcr.train
from probe_run import probe_args, train_and_print
import keras  # after hcr, which quiets TensorFlow's start-up lines
import tensorflow as tf

args = probe_args(__doc__, ('rho', float, "SAM's radius, e.g. 0.05"))


@keras.saving.register_keras_serializable(package='sam_probe')
class SharpnessAware(keras.Model):
    "A functional model whose training step is SAM's; copies of it (`from_config`) are plain functional models."

    def train_step(self, data):
        x, y = data
        weights = self.trainable_variables
        with tf.GradientTape() as tape:
            loss = self.compute_loss(x=x, y=y, y_pred=self(x, training=True), training=True)
        grads = tape.gradient(loss, weights)
        scale = args.rho / (tf.linalg.global_norm(grads) + 1e-12)
        moves = [g * scale for g in grads]
        for w, move in zip(weights, moves): w.assign_add(move)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
        sharp_grads = tape.gradient(loss, weights)
        for w, move in zip(weights, moves): w.assign_sub(move)
        self.optimizer.apply(sharp_grads, weights)
        return self.compute_metrics(x, y, y_pred)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return keras.Model.from_config(config, custom_objects)  # what the run saves names no class of this script


hcr_build = hcr.train.build_model


def build_sharpness_aware(*positional, **keywords) -> keras.Model:
    "hcr's network, the same layers and weights, trained by SAM's step."
    net = hcr_build(*positional, **keywords)
    return SharpnessAware(inputs=net.inputs, outputs=net.outputs, name=net.name)


hcr.train.build_model = build_sharpness_aware
train_and_print(args, f'SAM, rho {args.rho}')
