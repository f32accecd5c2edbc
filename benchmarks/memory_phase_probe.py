"""Peak RSS of one EMNIST memory run of bench.py (`APPROACHES[name]`, 200 steps) at the end of its steps and after hcr.train.train returns (calibration, evaluation and ONNX export included).

Usage, from the project root: .venv/bin/python benchmarks/memory_phase_probe.py hcr_small"""
import os, sys
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
sys.path.insert(0, 'benchmarks')
import keras
from bench import APPROACHES, StopAfter, rss_mb
from hcr.data import load_dataset
name = sys.argv[1]
floor = rss_mb('VmRSS')
ds = load_dataset('emnist', 'train', source='idx', data_dir='../shared/data/emnist')
class AtEnd(keras.callbacks.Callback):
    def on_train_end(self, logs=None): self.peak = rss_mb('VmHWM')
at_end = AtEnd()
APPROACHES[name](ds, 1, [StopAfter(200), at_end])
print(f'{name}: floor {floor:.0f} MiB; peak at the end of the 200 steps {at_end.peak:.0f} MiB (+{at_end.peak - floor:.0f}); '
      f'peak after train() {rss_mb("VmHWM"):.0f} MiB (+{rss_mb("VmHWM") - floor:.0f})')
