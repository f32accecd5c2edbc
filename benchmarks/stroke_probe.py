"""Thin pen strokes (the preprocessing of a person's image): does thickening strokes far thinner than the training data's
help the committed models read characters written with a fine pen on a large page, and leave ordinary ones alone?

Each image is one of a committed run's validation images (seed 0's split of the training files, which the model did not
train on), drawn as a person would hand it in: enlarged ten times, its strokes thinned by an erosion of ERODE pixels
(0: as they are; a character the erosion wipes out counts as read wrong), in dark ink (30) on light paper (235) on a 400x400 page. `hcr.preprocess.prepare_image` prepares it
with the thickening off and with each STROKE share given (strokes narrower than THIN_STROKE of the character's longer
side grown to that share), and the bundled ONNX model reads it. Printed: the share read right for each erosion and
setting, and the strokes' median width as a share of the character's longer side.

Run from the repository root: `.venv/bin/python benchmarks/stroke_probe.py DATASET COUNT` (e.g. `mnist 500`; about a
minute). docs/decisions.md quotes it.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import argparse

import numpy as np
from PIL import Image

import hcr.preprocess as pre
from hcr.core import HcrError
from hcr.data import load_dataset
from hcr.fit import split_validation
from hcr.runtime import bundled_model, load_runtime

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('dataset', choices=['mnist', 'emnist'])
p.add_argument('count', type=int)
args = p.parse_args()

data = load_dataset(args.dataset, 'train', source='idx', data_dir=f'../shared/data/{args.dataset}')
_, val_rows = split_validation(data, 0.1, seed=0)
rows = val_rows[:args.count]
model = load_runtime(bundled_model(args.dataset))


def on_page(image: np.ndarray, erode: int) -> np.ndarray:
    big = np.asarray(Image.fromarray(image[..., 0]).resize((280, 280), Image.BICUBIC), dtype=np.float32)
    if erode: big = pre._filter_same(np.pad(big, erode), 2 * erode + 1, np.min)[erode:-erode, erode:-erode]  # thinner strokes; black beyond the edge
    page = np.full((400, 400), 235, np.float32)
    page[60:340, 60:340] = 235 - np.clip(big, 0, 255) * 205 / 255
    return page.astype(np.uint8)


def prepared(page: np.ndarray) -> np.ndarray:
    "The page prepared, or all black (counted wrong) where the erosion left no ink."
    try: return pre.prepare_image(page, args.dataset)
    except HcrError: return np.zeros((28, 28, 1), np.uint8)


settings = {'off': (0.0, 0.0), **{f'stroke {s}': (pre.THIN_STROKE, s) for s in (0.12, 0.15, 0.18)}}
for erode in (0, 6, 10, 12):
    pages = [on_page(data.images[r], erode) for r in rows]
    inks = [pre.ink_on_black(pre.to_grey(pg)) for pg in pages]
    shares = []
    for ink in inks:
        if ink.max() < 32: continue
        ys, xs = np.nonzero(ink >= 0.25 * ink.max())
        crop = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        shares.append(pre._stroke_width(crop >= 0.25 * crop.max()) / max(crop.shape))
    line = [f'erosion {erode:2d} (median stroke {np.median(shares):.3f} of the longer side, {np.mean(np.array(shares) < pre.THIN_STROKE):.0%} under {pre.THIN_STROKE}):']
    for name, (thin, stroke) in settings.items():
        pre.thicken_strokes.__defaults__ = (thin, stroke)
        x = np.stack([prepared(pg) for pg in pages])
        right = ((model.predict(x).argmax(1) == data.labels[rows]) & (x.max((1, 2, 3)) > 0)).mean()
        line.append(f'{name} {right:.1%}')
    print(' '.join(line[:1]), ', '.join(line[1:]), flush=True)
