"""Unevenly lit paper (the preprocessing of a person's image): does subtracting the paper's level pixel by pixel, where
the page's border is uneven, read photos with a shadow or a light gradient that one level for the whole page misreads?

Each image is one of a committed run's validation images (seed 0's split of the training files, which the model did
not train on), drawn by `tests/paper.py`'s `on_paper` (dark ink on light paper, 300x300) and then lit unevenly: its
brightness multiplied by a gradient from LOW at the left edge to 1 at the right, or, for `shadow`, by 0.55 over the left
half. `hcr.preprocess.prepare_image` prepares it as hcr does, and with the paper's level always one level (the border's
median: hcr before this change); the bundled ONNX model reads it. Printed: the share read right for each lighting.

Run from the repository root: `.venv/bin/python benchmarks/lighting_probe.py DATASET COUNT` (e.g. `mnist 1000`; about
two minutes). docs/decisions.md quotes it.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import argparse
import sys
from pathlib import Path

import numpy as np

import hcr.preprocess as pre
from hcr.data import load_dataset
from hcr.fit import split_validation
from hcr.runtime import bundled_model, load_runtime

sys.path.insert(0, str(Path(__file__).parent.parent/'tests'))
from paper import on_paper  # noqa: E402

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('dataset', choices=['mnist', 'emnist'])
p.add_argument('count', type=int)
args = p.parse_args()

data = load_dataset(args.dataset, 'train', source='idx', data_dir=f'../shared/data/{args.dataset}')
rows = split_validation(data, 0.1, seed=0)[1][:args.count]
model = load_runtime(bundled_model(args.dataset))
hcr_ink_on_black = pre.ink_on_black


def one_level(grey: np.ndarray) -> np.ndarray:
    "hcr's ink_on_black before pixel-by-pixel levels: the border's median for the whole page."
    ink = 255 - grey if np.median(pre._border(grey)) > 127 else grey
    return np.clip(ink - np.median(pre._border(ink)), 0, None)


def lit(page: np.ndarray, lighting: str) -> np.ndarray:
    x = np.linspace(0, 1, page.shape[1])[None, :]
    light = np.where(x < 0.5, 0.55, 1.0) if lighting == 'shadow' else float(lighting) + (1 - float(lighting)) * x
    return (page * light).astype(np.uint8)


def accuracy(pages: list) -> float:
    right = 0
    for page, label in zip(pages, data.labels[rows]):
        try: right += model.predict(pre.prepare_image(page, args.dataset)[None]).argmax() == label
        except pre.HcrError: pass  # read as blank: wrong
    return right / len(pages)


for lighting in ('1.0', '0.9', '0.75', '0.7', '0.65', '0.6', '0.45', 'shadow'):
    pages = [lit(on_paper(data.images[r]), lighting) for r in rows]
    pre.ink_on_black = one_level
    before = accuracy(pages)
    pre.ink_on_black = hcr_ink_on_black
    print(f'lighting {lighting:>6}: one level {before:.1%}, pixel by pixel where uneven {accuracy(pages):.1%}', flush=True)
