"""Peak memory of exporting a run's model to ONNX, alone in a fresh process (issue 20, memory).

`hcr train` exports model.onnx at the end of every run, in its own process. This script measures that export by itself:
after importing `bench.py` (the floor its memory runs measure from), it copies RUN_DIR's model.keras to a temporary
folder and exports it there as `hcr.export.export_run` does (the portable float32 copy, the ONNX file, the check that
onnxruntime reads it), printing the process's peak resident memory above the floor after each stage. The benchmark's
memory bound is 0.3x the seed CNN's EMNIST peak above the same floor.

Run from the repository root: `.venv/bin/python benchmarks/export_memory.py reports/emnist/run` (about 20 s).
"""
import argparse
import shutil
import tempfile
from pathlib import Path
from bench import rss_mb  # first: it quiets TensorFlow and makes the imports of bench.py's memory runs
from hcr.export import export_file_name, export_model, portable_model
from hcr.runs import load_run
from hcr.runtime import load_runtime

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('run_dir', type=Path, help='a run folder holding model.keras')
args = p.parse_args()

floor = rss_mb('VmRSS')
print(f'import floor {floor:,.0f} MiB; peak above it:')
with tempfile.TemporaryDirectory() as tmp:
    for name in ('model.keras', 'labels.json', 'run.json'): shutil.copy(args.run_dir/name, tmp)
    run = load_run(tmp)
    net = portable_model(run.model, float32=True)
    print(f'  model loaded, portable copy made  {rss_mb("VmHWM") - floor:5.0f} MiB')
    path = export_model(net, Path(tmp)/export_file_name('onnx'), 'onnx')
    print(f'  ONNX file written                 {rss_mb("VmHWM") - floor:5.0f} MiB')
    load_runtime(path, classes=run.classes)
    print(f'  read back by onnxruntime          {rss_mb("VmHWM") - floor:5.0f} MiB')
