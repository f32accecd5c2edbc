"""Peak memory of exporting a run's model to ONNX, alone in a fresh process (issue 20, memory).

`hcr train` exports model.onnx at the end of every run, in its own process. This script measures that export by itself:
after importing `bench.py` (the floor its memory runs measure from), it calls `hcr.export.export_run` on RUN_DIR with
a temporary folder as its output (the model loaded, its portable float32 copy, the ONNX file, the check that onnxruntime
reads it), and prints the process's peak resident memory above the floor. The benchmark's memory bound is 0.3x the seed
CNN's EMNIST peak above the same floor.

Run from the repository root: `.venv/bin/python benchmarks/export_memory.py reports/emnist/run` (about 20 s).
"""
import argparse
import tempfile
from pathlib import Path
from bench import rss_mb  # first: it quiets TensorFlow and makes the imports of bench.py's memory runs
from hcr.export import export_run

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('run_dir', type=Path, help='a run folder holding model.keras')
args = p.parse_args()

floor = rss_mb('VmRSS')
with tempfile.TemporaryDirectory() as tmp: export_run(args.run_dir, ('onnx',), out_dir=tmp)
print(f'import floor {floor:,.0f} MiB; exporting {args.run_dir} to ONNX peaked {rss_mb("VmHWM") - floor:,.0f} MiB above it')
