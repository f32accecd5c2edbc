"""Train the seed's approach, the Keras example's and hcr's (default, small and quick runs) side by side on one machine.

Measures time to 99.0% and 99.5% test accuracy, final test accuracy and balanced accuracy, training and inference
speed, single-image latency, peak memory on EMNIST, parameters and model file size, and hcr's EMNIST test accuracy and
balanced accuracy; prints a table and PASS/FAIL lines, and writes JSON.
See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from hcr.core import quiet_tensorflow, write_json

quiet_tensorflow()

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from sklearn.metrics import balanced_accuracy_score

from hcr.config import DATASET_DEFAULTS, TrainConfig
from hcr.data import Dataset, load_dataset
from hcr.model import keras_example_cnn, seed_cnn, shift_averaged, single_view
from hcr.runs import cpu_model, run_environment, save_model
from hcr.train import train
from precision import to_float  # the seed's conversion of a whole split, shared with precision.py (which must not import TensorFlow)

# hcr's approaches: its default training (`hcr train`) of the default and the small model; the quickest route to
# 99%: the small model for 2 epochs without augmentation at a peak rate of 0.01
# (`hcr train --model small --epochs 2 --no-augment --learning-rate 0.01`); and the candidate route to 99.5%: the
# medium model for 4 epochs (`--epochs-fast`) at a peak rate of 0.01, saved averaging eleven views of each image
# (`hcr train --model medium --epochs 4 --learning-rate 0.01 --shift-average --more-views`; chosen on validation,
# docs/decisions.md).
HCR_RUNS = {'hcr': dict(model='default'), 'hcr_small': dict(model='small'),
            'hcr_quick': dict(model='small', augment=False, learning_rate=1e-2),
            'hcr_fast': dict(model='medium', learning_rate=1e-2, shift_average=True, more_views=True)}
NAMES = ('seed', 'keras_example', *HCR_RUNS)
TARGET_ACCURACIES = (0.99, 0.995)  # the times to these test accuracies are measured
TEST_BATCH = 1024


def fit_float_arrays(build: Callable, ds: Dataset, epochs: int, callbacks: list,
                     validation_split: float = 0.0) -> tuple[keras.Model, int]:
    "The baselines' way: whole split to float32 up front, plain Adam, batch 128."
    keras.utils.set_random_seed(0)  # as the baselines ran: without TensorFlow's deterministic ops
    x, y = to_float(ds.images), ds.labels
    model = build(ds.num_classes)
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    model.fit(x, y, batch_size=128, epochs=epochs, validation_split=validation_split, callbacks=callbacks, verbose=0)
    return model, len(x) - int(len(x) * validation_split)


def fit_seed(ds: Dataset, epochs: int, callbacks: list) -> tuple[keras.Model, int]:
    "The seed's way: its CNN, no validation."
    return fit_float_arrays(seed_cnn, ds, epochs, callbacks)


def fit_keras_example(ds: Dataset, epochs: int, callbacks: list) -> tuple[keras.Model, int]:
    "The Keras 'Simple MNIST convnet' way: its CNN, validation_split=0.1."
    return fit_float_arrays(keras_example_cnn, ds, epochs, callbacks, validation_split=0.1)


def fit_hcr(ds: Dataset, epochs: int, callbacks: list, **settings) -> tuple[keras.Model, int]:
    "hcr's training (`hcr.train.train`, into a temporary run folder) of `ds` with its defaults but `settings`; the network and its training images."
    with tempfile.TemporaryDirectory() as run_dir:  # deterministic ops from here on, process-wide (the baselines run first)
        result = train(TrainConfig(dataset=ds.name, epochs=epochs, **settings), out_dir=run_dir, callbacks=callbacks,
                       verbose=0, data=ds)
    return result.model, result.record['data']['train_count']


APPROACHES: dict[str, Callable] = {'seed': fit_seed, 'keras_example': fit_keras_example,
                                   **{name: functools.partial(fit_hcr, **run) for name, run in HCR_RUNS.items()}}


def make_predictor(model: keras.Model) -> Callable:
    "A compiled inference call of `model` on float32 (N, 28, 28, 1) images: the same for every model."
    return tf.function(lambda x: model(x, training=False),
                       input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)])


def predicted_labels(predict: Callable, x: np.ndarray) -> np.ndarray:
    "The classes `predict` gives the images `x` (float32), in batches of TEST_BATCH."
    return np.concatenate([predict(x[i:i+TEST_BATCH]).numpy().argmax(-1) for i in range(0, len(x), TEST_BATCH)])


def test_accuracy(predict: Callable, x: np.ndarray, y: np.ndarray) -> float:
    "Accuracy of `predict` on the test images `x` and labels `y`."
    return float((predicted_labels(predict, x) == y).mean())


def test_accuracies(predict: Callable, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    "Accuracy and balanced accuracy (the mean of the per-class recalls, scikit-learn's) of `predict` on `x`, `y`."
    predicted = predicted_labels(predict, x)
    return float((predicted == y).mean()), float(balanced_accuracy_score(y, predicted))


class TestClock(keras.callbacks.Callback):
    """Training time, paused while the test set is evaluated `evals_per_epoch` times an epoch; time in steps separately.

    `more_views`: None scores the network itself; False or True, the model the run saves, `hcr.model.shift_averaged`
    with or without the more views, given the network's weights of the moment before each evaluation."""

    def __init__(self, name: str, x_test: np.ndarray, y_test: np.ndarray, evals_per_epoch: int,
                 more_views: bool | None = None):
        super().__init__()
        self.name, self.x_test, self.y_test, self.evals_per_epoch = name, x_test, y_test, evals_per_epoch
        self.more_views, self.scored = more_views, None
        self.points, self.seconds, self.step_seconds, self.steps, self.epochs = [], 0.0, 0.0, 0, 0

    def on_train_begin(self, logs=None):
        self.every = max(1, self.params['steps'] // self.evals_per_epoch)
        self.scored = self.model if self.more_views is None else shift_averaged(self.model, self.more_views)
        self.predict = make_predictor(self.scored)
        self.predict(self.x_test[:1])  # trace now, not on the clock
        self.started = time.perf_counter()

    def sync(self):
        "Give the scored model the trained network's weights of now (nothing to do when it is that network)."
        if self.scored is not self.model: single_view(self.scored).set_weights(self.model.get_weights())

    def on_train_batch_begin(self, batch, logs=None): self.batch_started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        self.step_seconds += now - self.batch_started
        self.steps += 1
        if self.steps % self.every: return
        self.seconds += now - self.started
        self.sync()
        accuracy = test_accuracy(self.predict, self.x_test, self.y_test)
        self.points.append({'seconds': round(self.seconds, 2), 'step': self.steps, 'test_accuracy': accuracy})
        print(f'  {self.name:13} step {self.steps:5}  {self.seconds:7.1f} s  test {accuracy:.2%}', flush=True)
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None): self.epochs += 1

    def on_train_end(self, logs=None): self.seconds += time.perf_counter() - self.started

    def first_reaching(self, accuracy: float) -> dict:
        "The first evaluation that reached `accuracy`, or an empty dict."
        return next((p for p in self.points if p['test_accuracy'] >= accuracy), {})


def throughput(predict: Callable, x: np.ndarray, repeats: int) -> float:
    "Images per second of `predict` on one warm batch of TEST_BATCH images, over `repeats` calls."
    batch = tf.constant(x[:TEST_BATCH])
    predict(batch).numpy()
    started = time.perf_counter()
    for _ in range(repeats): predict(batch).numpy()
    return repeats * len(batch) / (time.perf_counter() - started)


def latency_ms(predict: Callable, x: np.ndarray, calls: int = 200) -> float:
    "Median milliseconds of `predict` on one image (warm)."
    image = tf.constant(x[:1])
    for _ in range(10): predict(image).numpy()
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        predict(image).numpy()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def saved_size_kb(model: keras.Model) -> float:
    "Size in KiB of `model` saved as a .keras file."
    with tempfile.TemporaryDirectory() as tmp:
        return save_model(model, Path(tmp)/'model.keras').stat().st_size / 1024


def subset(ds: Dataset, n: int | None) -> Dataset:
    "The first `n` images of `ds` (all of them when `n` is None)."
    return ds if n is None else dataclasses.replace(ds, images=ds.images[:n], labels=ds.labels[:n])


def measure(name: str, train_ds: Dataset, x_test: np.ndarray, y_test: np.ndarray, epochs: int,
            evals_per_epoch: int, repeats: int) -> dict:
    "Train approach `name` on `train_ds` and measure it on the test set."
    print(f'{name}: training {epochs} epochs', flush=True)
    config = TrainConfig(dataset=train_ds.name, **HCR_RUNS[name]).resolved() if name in HCR_RUNS else None
    averaged = config is not None and config.shift_average  # as hcr.train decides what the run saves
    clock = TestClock(name, x_test, y_test, evals_per_epoch, config.more_views if averaged else None)
    model, n_train = APPROACHES[name](train_ds, epochs, [clock])
    clock.sync()  # the weights training ended with (early stopping's restored ones)
    reached = {f'{a:.1%}': clock.first_reaching(a) for a in TARGET_ACCURACIES}
    accuracy, balanced = test_accuracies(clock.predict, x_test, y_test)
    # the figures now, so that a run stopped before its table still tells what it measured
    print(f'{name}: {accuracy:.2%} test (balanced {balanced:.2%}) after {clock.seconds:,.1f} s of training; '
          + '; '.join(f"{a} at {p['seconds']:,.1f} s" if p else f'{a} not reached' for a, p in reached.items()),
          flush=True)
    return {'time_to_99_s': reached['99.0%'].get('seconds'), 'step_at_99': reached['99.0%'].get('step'),
            'time_to_99.5_s': reached['99.5%'].get('seconds'), 'step_at_99.5': reached['99.5%'].get('step'),
            'final_test_accuracy': accuracy, 'final_balanced_accuracy': balanced,
            'train_seconds': round(clock.seconds, 1), 'epochs_run': clock.epochs, 'steps': clock.steps,
            'train_samples_per_s': n_train * clock.epochs / clock.step_seconds,
            'inference_images_per_s': throughput(clock.predict, x_test, repeats),
            'latency_ms': latency_ms(clock.predict, x_test), 'params': model.count_params(),
            'saved_kb': saved_size_kb(model), 'curve': clock.points}


def emnist_accuracy(data_dir: str, epochs: int, quick: bool = False) -> dict:
    """hcr's default EMNIST training (the committed report's): its seconds, the test accuracy of the network and of the
    saved model, and the saved model's balanced accuracy."""
    print(f'hcr: EMNIST, training {epochs} epochs', flush=True)
    train_ds = subset(load_dataset('emnist', 'train', source='idx', data_dir=data_dir), 6400 if quick else None)
    test_ds = load_dataset('emnist', 'test', source='idx', data_dir=data_dir)
    started = time.perf_counter()
    saved, _ = fit_hcr(train_ds, epochs, [])  # averaged over shifts, as EMNIST's default saves it
    seconds = time.perf_counter() - started  # validation and saving included, as in the report's training time
    x, y = to_float(test_ds.images), test_ds.labels
    accuracy, balanced = test_accuracies(make_predictor(saved), x, y)
    print(f'hcr: EMNIST {accuracy:.2%} test (balanced {balanced:.2%}) after {seconds:,.1f} s of training', flush=True)
    return {'emnist_test_accuracy': accuracy, 'emnist_balanced_accuracy': balanced,
            'emnist_network_accuracy': test_accuracy(make_predictor(single_view(saved)), x, y),
            'emnist_train_seconds': round(seconds, 1)}


class StopAfter(keras.callbacks.Callback):
    "Stop training after `steps` steps."

    def __init__(self, steps: int):
        super().__init__()
        self.steps, self.done = steps, 0

    def on_train_batch_end(self, batch, logs=None):
        self.done += 1
        if self.done >= self.steps: self.model.stop_training = True


def rss_mb(field: str) -> float:
    """`VmRSS` (now) or `VmHWM` (peak) of this process in MiB, from /proc (Linux).

    Not `getrusage`: its `ru_maxrss` survives fork and exec, so a child would report its parent's size.
    """
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith(field + ':')) / 1024


class PeakAtTrainEnd(keras.callbacks.Callback):
    "The process's peak RSS (MiB) when `fit` ends: before the work hcr's `train` does after it (calibration, export)."
    def on_train_end(self, logs=None): self.peak = rss_mb('VmHWM')


def memory_child(name: str, data_dir: str, steps: int):
    """In this (fresh) process: load EMNIST's training split and train approach `name` for `steps` steps; print the peak
    RSS of the whole call and the peak when its training steps ended."""
    base = rss_mb('VmRSS')
    ds = load_dataset('emnist', 'train', source='idx', data_dir=data_dir)
    at_train_end = PeakAtTrainEnd()
    APPROACHES[name](ds, 1, [StopAfter(steps), at_train_end])
    peak = rss_mb('VmHWM')
    print('MEMORY ' + json.dumps({'peak_rss_mb': peak, 'import_rss_mb': base, 'above_imports_mb': peak - base,
                                  'steps_above_imports_mb': at_train_end.peak - base}))


def peak_memory(name: str, data_dir: str, steps: int) -> dict:
    "Peak resident memory (MiB) of approach `name` loading and training EMNIST, in a separate process."
    print(f'{name}: EMNIST memory ({steps} steps, separate process)', flush=True)
    run = subprocess.run([sys.executable, str(Path(__file__).resolve()), '--memory-child', name, '--data-dir', data_dir,
                          '--memory-steps', str(steps)], capture_output=True, text=True)
    lines = [l for l in run.stdout.splitlines() if l.startswith('MEMORY ')]
    if run.returncode or not lines: raise RuntimeError(f'memory run of {name} failed:\n{run.stderr[-3000:]}')
    return json.loads(lines[-1][len('MEMORY '):])


ROWS = {  # result key -> (table label, format, whether a ratio hcr/baseline means something)
    'time_to_99_s': ('seconds to 99.0% test acc', '{:.1f}', True),
    'time_to_99.5_s': ('seconds to 99.5% test acc', '{:.1f}', True),
    'final_test_accuracy': ('final test accuracy', '{:.2%}', True),
    'final_balanced_accuracy': ('  balanced accuracy', '{:.2%}', True),
    'train_seconds': ('training seconds (total)', '{:.1f}', True),
    'epochs_run': ('epochs run', '{}', False),
    'train_samples_per_s': ('training samples/s', '{:,.0f}', True),
    'inference_images_per_s': ('inference images/s (batch 1024)', '{:,.0f}', True),
    'latency_ms': ('latency ms (1 image, median)', '{:.2f}', True),
    'peak_rss_mb': ('EMNIST peak RSS MiB', '{:,.0f}', True),
    'import_rss_mb': ('  RSS after imports MiB', '{:,.0f}', False),
    'above_imports_mb': ('  peak above imports MiB', '{:,.0f}', True),
    'steps_above_imports_mb': ('  of it when the steps ended MiB', '{:,.0f}', True),
    'params': ('parameters', '{:,}', True),
    'saved_kb': ('saved .keras KiB', '{:,.0f}', True),
    'emnist_test_accuracy': ('EMNIST test accuracy', '{:.2%}', False),
    'emnist_balanced_accuracy': ('  balanced accuracy', '{:.2%}', False),
    'emnist_network_accuracy': ('  the network alone', '{:.2%}', False),
    'emnist_train_seconds': ('  EMNIST training seconds', '{:.1f}', False),
}


def ratios(results: dict) -> dict:
    "Each hcr model's figure divided by each baseline's, for every row with a meaningful ratio that both have."
    out = {}
    for name in HCR_RUNS:
        for base in ('seed', 'keras_example'):
            if name not in results or base not in results: continue
            out[f'{name}/{base}'] = {k: results[name][k] / results[base][k] for k, (_, _, ratio) in ROWS.items()
                                     if ratio and results[name].get(k) is not None and results[base].get(k)}
    return out


def table(results: dict, rat: dict) -> str:
    "The results as a fixed-width table: one row per measure, one column per approach and ratio."
    cols = {}
    for name, r in results.items():
        cols[name] = [('not reached' if r.get(k, 0) is None else fmt.format(r[k])) if k in r else '-'
                      for k, (_, fmt, _) in ROWS.items()]
    for name, r in rat.items():
        cols[name] = [f'{r[k]:.2f}x' if k in r else '-' for k in ROWS]
    return pd.DataFrame(cols, index=[label for label, _, _ in ROWS.values()]).to_string()


def targets(results: dict, rat: dict) -> list[dict]:
    """The accuracy issue's targets, each PASS, FAIL or SKIP (no approach it needs was run), with the hcr approaches that
    meet it. Each hcr approach is a setting a user picks for one end (`hcr_quick` for the time to 99%, `hcr_small` for
    inference, `hcr_fast` for 99.5% in time, `hcr` for the final accuracy), so a speed or accuracy target is met when
    one of them meets it; the memory bound is one every approach must keep."""
    seed, ke = results.get('seed', {}), results.get('keras_example', {})
    checks = []

    def keras_time_to_99() -> float:  # a baseline that never reached 99% took longer than its whole run
        return ke['time_to_99_s'] or ke['train_seconds']

    def check(text: str, needs: tuple, test: Callable[[dict, str], bool], measured: str | None = None,
              every: bool = False, approaches=HCR_RUNS):
        """`test(result, name)` of each hcr approach run; `needs`: the baselines it compares with; `measured`: a result
        key every approach must have (the memory runs can be skipped); `every`: all approaches must pass, not one."""
        def has_run(n: str) -> bool: return n in results and (measured is None or measured in results[n])
        ran = [n for n in approaches if has_run(n)]
        if not ran or not all(has_run(n) for n in needs):
            checks.append({'target': text, 'result': 'SKIP', 'met_by': [], 'missed_by': []})
            return
        met = [n for n in ran if test(results[n], n)]
        ok = len(met) == len(ran) if every else bool(met)
        checks.append({'target': text, 'result': 'PASS' if ok else 'FAIL', 'met_by': met,
                       'missed_by': [n for n in ran if n not in met]})

    check("time to 99.0% <= 1/5 of keras_example's", ('keras_example',),
          lambda r, n: r['time_to_99_s'] is not None and r['time_to_99_s'] <= keras_time_to_99() / 5)
    check("time to 99.5% <= 2/3 of keras_example's time to 99.0%", ('keras_example',),
          lambda r, n: r['time_to_99.5_s'] is not None and r['time_to_99.5_s'] <= keras_time_to_99() * 2 / 3)
    check('final MNIST test accuracy >= 99.70% within 15 min of training', (),
          lambda r, n: r['final_test_accuracy'] >= 0.997 and r['train_seconds'] <= 900)
    check("inference images/s >= 3x seed's, at equal or better test accuracy", ('seed',),
          lambda r, n: rat[f'{n}/seed']['inference_images_per_s'] >= 3
                       and r['final_test_accuracy'] >= seed['final_test_accuracy'])
    # The whole-process peak is not a target any more: importing TensorFlow alone is most of it.
    check("EMNIST peak memory above the imports <= 0.3x seed's", ('seed',),
          lambda r, n: rat[f'{n}/seed']['above_imports_mb'] <= 0.3, measured='above_imports_mb', every=True)
    check('EMNIST balanced accuracy >= 90.5% within 45 min of training (hcr)', (),
          lambda r, n: r['emnist_balanced_accuracy'] >= 0.905 and r['emnist_train_seconds'] <= 2700,
          measured='emnist_balanced_accuracy', approaches=('hcr',))
    return checks


def verdict_line(check: dict) -> str:
    "One target's line: its result, the target, and which hcr approaches meet it."
    who = '; '.join(f'{label} {", ".join(names)}' for label, names in
                    (('met by', check['met_by']), ('missed by', check['missed_by'])) if names)
    return f"{check['result']}: {check['target']}" + (f' ({who})' if who else '')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    "The command line."
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dataset', default='mnist', choices=['mnist'], help='dataset of the time-to-accuracy runs')
    p.add_argument('--data-dir', default='../shared/data', help='folder holding mnist/ and emnist/ IDX files')
    p.add_argument('--epochs-seed', type=int, default=12)
    p.add_argument('--epochs-keras', type=int, default=12)
    p.add_argument('--epochs-hcr', type=int, default=DATASET_DEFAULTS['mnist']['epochs'],
                   help='epochs of hcr and hcr_small')
    p.add_argument('--epochs-quick', type=int, default=2, help='epochs of hcr_quick')
    p.add_argument('--epochs-fast', type=int, default=4, help='epochs of hcr_fast')
    p.add_argument('--epochs-emnist', type=int, default=DATASET_DEFAULTS['emnist']['epochs'], help="epochs of hcr's EMNIST run")
    p.add_argument('--evals-per-epoch', type=int, default=4, help='test-set evaluations per epoch')
    p.add_argument('--memory-steps', type=int, default=200, help='training steps of each EMNIST memory run')
    p.add_argument('--quick', action='store_true', help='tiny runs to check the script (about a minute)')
    p.add_argument('--skip-memory', action='store_true', help='skip the EMNIST memory runs')
    p.add_argument('--skip-emnist', action='store_true', help="skip hcr's EMNIST accuracy run (about 18 to 25 minutes on an EPYC with AVX-512)")
    p.add_argument('--only', default=','.join(NAMES), help='comma-separated approaches: ' + ', '.join(NAMES))
    p.add_argument('--json', help='write the results as JSON to this path')
    p.add_argument('--memory-child', choices=NAMES, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.only = [n.strip() for n in args.only.split(',') if n.strip()]
    if unknown := set(args.only) - set(NAMES): p.error(f"unknown --only {', '.join(sorted(unknown))}")
    if args.quick:
        args.epochs_seed = args.epochs_keras = args.epochs_hcr = args.epochs_quick = args.epochs_fast = 2
        args.epochs_emnist, args.memory_steps = 1, 10
    return args


def main(argv: list[str] | None = None):
    "Run the benchmark and print (and optionally save) its results."
    args = parse_args(argv)
    if args.memory_child: return memory_child(args.memory_child, args.data_dir, args.memory_steps)
    train_ds = subset(load_dataset(args.dataset, 'train', source='idx', data_dir=args.data_dir),
                      6400 if args.quick else None)
    test_ds = load_dataset(args.dataset, 'test', source='idx', data_dir=args.data_dir)
    x_test, y_test = to_float(test_ds.images), test_ds.labels
    if args.quick: x_test, y_test = x_test[:2048], y_test[:2048]
    epochs = {'seed': args.epochs_seed, 'keras_example': args.epochs_keras, 'hcr': args.epochs_hcr,
              'hcr_small': args.epochs_hcr, 'hcr_quick': args.epochs_quick, 'hcr_fast': args.epochs_fast}
    results = {name: measure(name, train_ds, x_test, y_test, epochs[name], args.evals_per_epoch,
                             3 if args.quick else 30) for name in NAMES if name in args.only}
    if 'hcr' in results and not args.skip_emnist:
        results['hcr'].update(emnist_accuracy(args.data_dir, args.epochs_emnist, args.quick))
    if not args.skip_memory:
        for name in results: results[name].update(peak_memory(name, args.data_dir, args.memory_steps))
    rat = ratios(results)
    checks = targets(results, rat)
    print(f'\n{len(train_ds):,} {args.dataset} training images, {len(x_test):,} test images; '
          f'{os.cpu_count()} CPUs ({cpu_model()}); TensorFlow {tf.__version__}, Keras {keras.__version__}'
          + ('; QUICK run: figures mean nothing' if args.quick else ''))
    print(table(results, rat) + '\n')
    for c in checks: print(verdict_line(c))
    if args.json:
        record = {'args': {k: v for k, v in vars(args).items() if k != 'memory_child'},
                  'machine': run_environment(),
                  'train_images': len(train_ds), 'test_images': len(x_test),
                  'results': results, 'ratios': rat, 'targets': checks}
        write_json(args.json, record)
        print(f'wrote {args.json}')


if __name__ == '__main__':
    main()
