"""Random erasing on hcr's training (issue 20): does blacking out a random patch of some training images beat hcr's
augmentation alone on validation?

hcr's training as `hcr train` runs it with the flags given, except that after hcr's random turn, shift and zoom each
augmented image has, with probability PROBABILITY, a random rectangle set to the background (black): Keras's
`RandomErasing` (Zhong et al. 2020; "cutout", DeVries and Taylor 2017, with a patch of random size and shape) covering
a share of the image drawn from AREA_MIN to AREA_MAX. Printed: each epoch's validation accuracy (the network alone) and
the saved model's validation balanced accuracy, which `hcr train`'s run.json records too.

Run from the repository root: `.venv/bin/python benchmarks/erasing_probe.py OUT_DIR PROBABILITY AREA_MIN AREA_MAX
[hcr train flags]`, e.g. `... erasing_probe.py runs/erase 0.5 0.02 0.2 --dataset mnist --source idx
--data-dir ../shared/data/mnist --seed 0` (about 10 minutes on 2 cores). docs/decisions.md quotes it.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import hcr.fit
from probe_run import probe_args, train_and_print
import keras  # after hcr, which quiets TensorFlow's start-up lines

args = probe_args(__doc__,
                  ('probability', float, 'share of the augmented images that get a patch erased, e.g. 0.5'),
                  ('area_min', float, 'smallest patch, a share of the image, e.g. 0.02'),
                  ('area_max', float, 'largest patch, a share of the image, e.g. 0.2'))

hcr_augmenter = hcr.fit.augmenter


def augmenter_with_erasing(seed: int = 0, **strengths) -> keras.Sequential:
    "hcr's augmenter with random erasing after it."
    augment = hcr_augmenter(seed, **strengths)
    # a (p, p) factor erases each image with probability p; a single p would draw each image's probability from 0 to p
    augment.add(keras.layers.RandomErasing(factor=(args.probability, args.probability),
                                           scale=(args.area_min, args.area_max), fill_value=0.0,
                                           value_range=(0, 1), seed=seed + 3))
    return augment


hcr.fit.augmenter = augmenter_with_erasing
train_and_print(args, f'random erasing, probability {args.probability}, area {args.area_min}-{args.area_max}')
