"""Mixed precision: hcr's networks trained and run in float32, mixed_bfloat16 and mixed_float16, side by side.

bfloat16 pays on processors that compute it natively (AMX, AVX512-BF16); elsewhere it is emulated and slow. float16
is meant for GPUs. The script needs only Keras 3, numpy and hcr's data and model modules, none of which imports
TensorFlow, so it runs on whichever Keras backend is installed: TensorFlow, or JAX or PyTorch on a GPU machine
without TensorFlow. It does not use hcr's training pipeline (`hcr.train`, tf.data, augmentation): each run is the
plain `model.fit` on float32 arrays with Adam, so the figures compare precisions, not hcr's training.
See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

import keras
import numpy as np

from hcr.data import load_dataset
from hcr.model import MODELS

POLICIES = ('float32', 'mixed_bfloat16', 'mixed_float16')


class EpochTimes(keras.callbacks.Callback):
    "Wall-clock seconds of each epoch."
    def on_epoch_begin(self, epoch, logs=None): self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = getattr(self, 'seconds', []) + [time.perf_counter() - self.started]


def to_float(images: np.ndarray) -> np.ndarray:
    "uint8 images to float32 in [0, 1], shape (N, 28, 28, 1): the seed's conversion of a whole split (bench.py uses it too)."
    return images.reshape(-1, 28, 28, 1).astype('float32') / 255


def run(policy: str, model_name: str, batch: int, epochs: int, train, test) -> dict:
    "Train `model_name` under `policy` for `epochs` epochs of `batch` images; time it and measure test accuracy and inference."
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)  # the layers built next compute in it; compile scales mixed_float16's loss
    keras.utils.set_random_seed(0)
    try:
        # The builder itself, not build_model, which offers hcr's training precisions only (no float16)
        model = MODELS[model_name](train[2])
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss='sparse_categorical_crossentropy')
        times = EpochTimes()
        model.fit(train[0], train[1], batch_size=batch, epochs=epochs, callbacks=[times], verbose=0)
        probs = model.predict(test[0], batch_size=1024, verbose=0)  # the first call compiles
        started = time.perf_counter()
        model.predict(test[0], batch_size=1024, verbose=0)
        infer = time.perf_counter() - started
    finally:
        keras.config.set_dtype_policy(previous)
    steady = times.seconds[1:] or times.seconds  # the first epoch also compiles the step
    return {'policy': policy, 'model': model_name, 'batch': batch, 'first_epoch_s': round(times.seconds[0], 2),
            'train_images_per_s': round(len(train[0]) * len(steady) / sum(steady)),
            'test_accuracy': round(float(np.mean(np.argmax(probs, -1) == test[1])), 4),
            'inference_images_per_s': round(len(test[0]) / infer)}


def table(rows: list[dict]) -> str:
    "The results as text, each run's speeds also as a ratio to float32's for the same model and batch."
    base = {(r['model'], r['batch']): r for r in rows if r['policy'] == 'float32'}
    lines = [f"{'model':8} {'batch':>5} {'policy':15} {'1st epoch s':>11} {'train img/s':>12} {'x f32':>6} "
             f"{'test acc':>8} {'infer img/s':>12} {'x f32':>6}"]
    for r in rows:
        b = base.get((r['model'], r['batch']))
        ratio = lambda k: f"{r[k] / b[k]:6.2f}" if b else f"{'':6}"
        lines.append(f"{r['model']:8} {r['batch']:5} {r['policy']:15} {r['first_epoch_s']:11.2f} "
                     f"{r['train_images_per_s']:12,} {ratio('train_images_per_s')} {r['test_accuracy']:8.2%} "
                     f"{r['inference_images_per_s']:12,} {ratio('inference_images_per_s')}")
    return '\n'.join(lines)


def device_name() -> str:
    "The accelerator Keras's backend computes on, or the CPU."
    backend = keras.config.backend()
    if backend == 'jax':
        import jax
        return jax.devices()[0].device_kind
    if backend == 'torch':
        import torch
        return torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu'
    import tensorflow as tf
    gpus = tf.config.list_physical_devices('GPU')
    return tf.config.experimental.get_device_details(gpus[0]).get('device_name', 'GPU') if gpus else 'cpu'


def main(argv: list[str] | None = None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--data-dir', default=os.path.join('..', 'shared', 'data'), help='folder holding mnist/')
    p.add_argument('--models', default='default,small', help='hcr networks, comma-separated')
    p.add_argument('--batches', default='128,1024', help='batch sizes, comma-separated')
    p.add_argument('--policies', default=','.join(POLICIES), help='Keras dtype policies, comma-separated')
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--quick', action='store_true', help='2,048 training images, 2 epochs: checks the script works')
    p.add_argument('--json', help='also write the results here')
    args = p.parse_args(argv)
    train_ds, test_ds = (load_dataset('mnist', s, source='idx', data_dir=args.data_dir) for s in ('train', 'test'))
    n = 2048 if args.quick else None
    train = (to_float(train_ds.images[:n]), train_ds.labels[:n], train_ds.num_classes)
    test = (to_float(test_ds.images), test_ds.labels)
    epochs = 2 if args.quick else args.epochs
    device = device_name()
    print(f'Keras {keras.__version__} on {keras.config.backend()}, device: {device}, '
          f'{len(train[0]):,} training images, {epochs} epochs, Adam 1e-3', flush=True)
    rows = []
    for model_name in args.models.split(','):
        for batch in map(int, args.batches.split(',')):
            for policy in args.policies.split(','):
                rows.append(run(policy, model_name, batch, epochs, train, test))
                print(json.dumps(rows[-1]), flush=True)
    print(table(rows))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'backend': keras.config.backend(), 'device': device, 'platform': platform.platform(),
                       'epochs': epochs, 'runs': rows}, f, indent=2)


if __name__ == '__main__':
    main()
