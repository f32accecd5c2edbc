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
import functools
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import hcr.fit
from probe_run import probe_args, train_and_print

args = probe_args(__doc__,
                  ('rotation', float, 'largest random turn, degrees (hcr: 10)'),
                  ('shift', float, 'largest random shift, a fraction of the side (hcr: 0.1)'),
                  ('zoom', float, 'largest random zoom, a fraction (hcr: 0.1)'))

hcr.fit.augmenter = functools.partial(hcr.fit.augmenter, rotation_degrees=args.rotation, shift=args.shift, zoom=args.zoom)
train_and_print(args, f'augmentation {args.rotation} degrees, shift {args.shift}, zoom {args.zoom}')
