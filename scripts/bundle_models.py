"""Refresh the ONNX models shipped inside the package (hcr/bundled/) from the committed runs.

    python scripts/bundle_models.py [--check]

Exports reports/mnist/run and reports/emnist/run with hcr.export.export_run and writes
hcr/bundled/{mnist,emnist}.onnx with their metadata {mnist,emnist}.json (characters, input,
preparation, source run and the sha256 of its model.keras). Run it from the repository root
after a committed run changes; tests/test_export.py checks that the bundled files are those
runs' exports. With --check, nothing is written: it says whether the bundled files are stale.
"""
import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

from hcr.core import HcrError
from hcr.data import sha256
from hcr.export import export_run
from hcr.runtime import BUNDLED_DIR

RUNS = {'mnist': Path('reports/mnist/run'), 'emnist': Path('reports/emnist/run')}


def stale(dataset: str, run_dir: Path) -> str | None:
    "Why the bundled `dataset` model is not the export of `run_dir`'s model.keras, or None when it is."
    model, meta = BUNDLED_DIR/f'{dataset}.onnx', BUNDLED_DIR/f'{dataset}.json'
    if not model.is_file() or not meta.is_file(): return 'missing'
    info = json.loads(meta.read_text())
    if info['source_run']['model_sha256'] != sha256(run_dir/'model.keras'): return f'{run_dir}/model.keras has changed'
    if info['files']['onnx']['sha256'] != sha256(model): return f'{model.name} differs from its metadata'
    return None


def bundle(dataset: str, run_dir: Path) -> list[Path]:
    "Export `run_dir` to ONNX as hcr/bundled/{dataset}.onnx and {dataset}.json (each written atomically, the model first)."
    return export_run(run_dir, ('onnx',), out_dir=BUNDLED_DIR, name=dataset)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='only say whether the bundled models are stale')
    args = parser.parse_args()
    try:
        if args.check:
            reasons = {d: stale(d, r) for d, r in RUNS.items()}
            for d, why in reasons.items(): print(f'{d}: {"stale: " + why if why else "up to date"}')
            sys.exit(1 if any(reasons.values()) else 0)
        for dataset, run_dir in RUNS.items():
            for path in bundle(dataset, run_dir): print(f'{path}: {path.stat().st_size/2**20:.2f} MiB')
    except HcrError as e:
        sys.exit(f'error: {e}')


if __name__ == '__main__':
    main()
