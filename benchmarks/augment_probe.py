"""Augmentation strength on hcr's training (issue 20): do larger or smaller random turns, shifts and zooms beat hcr's
(10 degrees, 10%, 10%) on validation?

hcr's training as `hcr train` runs it with the flags given, except that the training batches are augmented with
`hcr.fit.augmenter(seed, ROTATION, SHIFT, ZOOM)` instead of its defaults (with `--unaugmented F`, hcr's own setting, a
share F of the images is left as it is). Printed: each epoch's validation accuracy (the network alone) and the saved
model's validation balanced accuracy, which `hcr train`'s run.json records too.

Run from the repository root: `.venv/bin/python benchmarks/augment_probe.py OUT_DIR ROTATION SHIFT ZOOM [hcr train flags]`,
e.g. `... augment_probe.py runs/aug15 15 0.12 0.15 --dataset emnist --source idx --data-dir ../shared/data/emnist
--epochs 10` (about 18 minutes on 2 cores), or `... augment_probe.py runs/sharp 10 0.1 0.1 --unaugmented 0.25 ...` (hcr's
strengths, a quarter of the images left sharp). docs/decisions.md quotes it.
"""
import argparse
import functools
import os
from pathlib import Path
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import hcr.fit
from hcr.cli import add_config_arguments
from probe_run import train_and_print

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('out_dir', type=Path)
p.add_argument('rotation', type=float, help='largest random turn, degrees (hcr: 10)')
p.add_argument('shift', type=float, help='largest random shift, a fraction of the side (hcr: 0.1)')
p.add_argument('zoom', type=float, help='largest random zoom, a fraction (hcr: 0.1)')
add_config_arguments(p)
args = p.parse_args()

hcr.fit.augmenter = functools.partial(hcr.fit.augmenter, rotation_degrees=args.rotation, shift=args.shift, zoom=args.zoom)
train_and_print(args, f'augmentation {args.rotation} degrees, shift {args.shift}, zoom {args.zoom}')
