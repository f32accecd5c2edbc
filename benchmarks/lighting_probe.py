"""Unevenly lit paper (the preprocessing of a person's image): does taking the paper's level pixel by pixel, where the
page's border is uneven, read photos with a shadow or a light gradient that one level for the whole page misreads?

Each image is one of a committed run's validation images (seed 0's split of the training files, which the model did
not train on), drawn by `tests/paper.py`'s `on_paper` (dark ink on light paper, 300x300) and then lit unevenly: its
brightness multiplied by a gradient from LOW at the left edge to 1 at the right; for `shadowF`, by F over the left half
(a sharp edge); for `softF`, by F left of 40% of the width, rising to 1 at 60%. `hcr.preprocess.prepare_image`
prepares it three ways: with one level for the whole page (the border's median: hcr before 2026-12-08), with the
pixel-by-pixel level subtracted (a 9x9 opening, hcr on 2026-12-08 before the shadows were looked at), and as hcr does
now (the opening's second square one reduced pixel wider, dark ink's contrast divided by its paper's brightness); the
bundled ONNX model reads it. Printed: the share read right for each lighting.

Run from the repository root: `.venv/bin/python benchmarks/lighting_probe.py DATASET COUNT` (e.g. `mnist 1000`; about
five minutes). docs/decisions.md quotes it.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

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


def subtracted(grey: np.ndarray) -> np.ndarray:
    "hcr's ink_on_black before shadows were looked at: on uneven paper, a 9x9 opening's level subtracted, no division."
    ink = 255 - grey if np.median(pre._border(grey)) > 127 else grey
    border = pre._border(ink)
    if np.percentile(border, 90) - np.percentile(border, 10) <= pre.UNEVEN: return np.clip(ink - np.median(border), 0, None)
    small = pre._reduce(ink, pre.LEVEL_SIDE)
    opened = pre._filter_same(pre._filter_same(small, pre.LEVEL_SQUARE, np.min), pre.LEVEL_SQUARE, np.max)
    return np.clip(ink - np.asarray(Image.fromarray(opened).resize(ink.shape[::-1], Image.BILINEAR)), 0, None)


def lit(page: np.ndarray, lighting: str) -> np.ndarray:
    x = np.linspace(0, 1, page.shape[1])[None, :]
    if lighting.startswith('shadow'): light = np.where(x < 0.5, float(lighting[6:]), 1.0)
    elif lighting.startswith('soft'): light = 1 - (1 - float(lighting[4:])) * np.clip((0.6 - x) / 0.2, 0, 1)
    else: light = float(lighting) + (1 - float(lighting)) * x
    return (page * light).astype(np.uint8)


def accuracy(pages: list) -> float:
    right = 0
    for page, label in zip(pages, data.labels[rows]):
        try: right += model.predict(pre.prepare_image(page, args.dataset)[None]).argmax() == label
        except pre.HcrError: pass  # read as blank: wrong
    return right / len(pages)


for lighting in ('1.0', '0.9', '0.75', '0.7', '0.65', '0.6', '0.45', '0.3', 'shadow0.55', 'shadow0.3', 'soft0.55', 'soft0.3'):
    pages = [lit(on_paper(data.images[r]), lighting) for r in rows]
    figures = []
    for way in (one_level, subtracted, hcr_ink_on_black):
        pre.ink_on_black = way
        figures.append(accuracy(pages))
    print(f'lighting {lighting:>10}: one level {figures[0]:.1%}, subtracted where uneven {figures[1]:.1%}, '
          f'hcr now {figures[2]:.1%}', flush=True)
