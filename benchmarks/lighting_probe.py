"""Photos of paper (the preprocessing of a person's image): does hcr read characters on unevenly lit or noisy paper as it
reads them on clean paper, now and as it did at an earlier commit?

Each image is one of a committed run's validation images (seed 0's split of the training files, which the model did
not train on), drawn by `tests/paper.py`'s `on_paper` (dark ink on light paper, 300x300) and then lit: its brightness
multiplied by a gradient from LOW at the left edge to 1 at the right (`LOW`); by F over the left half, a sharp edge
(`shadowF`); by F left of 40% of the width rising to 1 at 60% (`softF`); by a soft shadow F deep in the bottom-right
corner (`cornerF`); by F over the left 60%, the paper's border then mostly shaded (`wideF`); by F at the corners, rising
to 1 at the centre (`vignetteF`); or squeezed onto grey paper (grey 60 to 210) under a gradient from L (`greyL`). A trailing `n` adds a
photo's noise (normal, standard deviation 8 grey levels). `hcr.preprocess.prepare_image` prepares it as hcr does now and
as it did at the commit `--before` (its `hcr/preprocess.py`, read from git); the bundled ONNX model reads it. Printed:
the share read right for each lighting.

Run from the repository root: `.venv/bin/python benchmarks/lighting_probe.py DATASET COUNT` (e.g. `mnist 1000`; about
five minutes). docs/decisions.md quotes it.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import argparse
import subprocess
import sys
import types
from pathlib import Path

import numpy as np

import hcr.preprocess as now
from hcr.data import load_dataset
from hcr.fit import split_validation
from hcr.runtime import bundled_model, load_runtime

sys.path.insert(0, str(Path(__file__).parent.parent/'tests'))
from paper import on_paper  # noqa: E402

LIGHTINGS = ('1.0', '1.0n', '0.75', '0.45', '0.45n', '0.15', '0.2n', 'shadow0.55', 'shadow0.3', 'soft0.3', 'corner0.3',
             'corner0.3n', 'wide0.55', 'vignette0.3', 'grey0.8n')

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('dataset', choices=['mnist', 'emnist'])
p.add_argument('count', type=int)
p.add_argument('--before', default='b9ac0e4', help='the commit to compare with (default b9ac0e4: shadows read, not noise)')
p.add_argument('--lightings', nargs='+', default=LIGHTINGS)
args = p.parse_args()

source = subprocess.check_output(['git', 'show', f'{args.before}:hcr/preprocess.py'], text=True)
before = types.ModuleType('preprocess_before')
exec(compile(source.replace('from .', 'from hcr.'), f'{args.before}:hcr/preprocess.py', 'exec'), before.__dict__)

data = load_dataset(args.dataset, 'train', source='idx', data_dir=f'../shared/data/{args.dataset}')
rows = split_validation(data, 0.1, seed=0)[1][:args.count]
model = load_runtime(bundled_model(args.dataset))


def lit(page: np.ndarray, lighting: str, rng: np.random.Generator) -> np.ndarray:
    y, x = np.mgrid[0:page.shape[0], 0:page.shape[1]] / max(page.shape)
    page, noise = page.astype(np.float32), 8 if lighting.endswith('n') else 0
    lighting = lighting.removesuffix('n')
    if lighting.startswith('shadow'): light = np.where(x < 0.5, float(lighting[6:]), 1.0)
    elif lighting.startswith('soft'): light = 1 - (1 - float(lighting[4:])) * np.clip((0.6 - x) / 0.2, 0, 1)
    elif lighting.startswith('corner'): light = 1 - float(lighting[6:]) * np.exp(-((1 - x)**2 + (1 - y)**2) / 0.15)
    elif lighting.startswith('wide'): light = np.where(x < 0.6, float(lighting[4:]), 1.0)
    elif lighting.startswith('vignette'): light = 1 - (1 - float(lighting[8:])) * ((x - 0.5)**2 + (y - 0.5)**2) / 0.5
    elif lighting.startswith('grey'): page, light = 60 + page * (150 / 255), float(lighting[4:]) + (1 - float(lighting[4:])) * x
    else: light = float(lighting) + (1 - float(lighting)) * x
    return np.clip(page * light + noise * rng.normal(size=page.shape), 0, 255).astype(np.uint8)


def accuracy(prepare, pages: list) -> float:
    right = 0
    for page, label in zip(pages, data.labels[rows]):
        try: right += model.predict(prepare(page, args.dataset)[None]).argmax() == label
        except now.HcrError: pass  # read as blank: wrong
    return right / len(pages)


for lighting in args.lightings:
    rng = np.random.default_rng(0)
    pages = [lit(on_paper(data.images[r]), lighting, rng) for r in rows]
    print(f'lighting {lighting:>10}: hcr at {args.before} {accuracy(before.prepare_image, pages):.1%}, '
          f'now {accuracy(now.prepare_image, pages):.1%}', flush=True)
