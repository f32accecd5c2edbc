"""Build the small real sample shipped in hcr/sample_data/ from the full data sets.

    python scripts/make_sample.py [--data ../shared/data]

Draws a fixed number of images per class with a fixed seed, so the same input always gives the
same sample, and writes them in the original IDX layout (EMNIST stays transposed, like the
original files), so the package reads the sample with the same code as the full data.
"""
import argparse
from pathlib import Path

import numpy as np

from hcr.core import atomic_write_text
from hcr.data import DATASETS, SAMPLE_DIR, find_files, read_idx, write_idx

PER_CLASS = {'mnist': {'train': 300, 'test': 100}, 'emnist': {'train': 100, 'test': 30}}


def sample_indices(labels: np.ndarray, per_class: int, seed: int = 0) -> np.ndarray:
    "Sorted indices of `per_class` images of every class, drawn without replacement."
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in np.unique(labels)]
    return np.sort(np.concatenate(picks))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default='../shared/data', help='folder with mnist/ and emnist/')
    args = parser.parse_args()
    for name, spec in DATASETS.items():
        out = SAMPLE_DIR/name
        for split, per_class in PER_CLASS[name].items():
            images_file, labels_file = find_files(name, split, Path(args.data)/name)
            labels = read_idx(labels_file)
            keep = sample_indices(labels, per_class)
            write_idx(out/f'{spec.files[split][0]}.gz', read_idx(images_file)[keep])
            write_idx(out/f'{spec.files[split][1]}.gz', labels[keep])
            print(f'{name} {split}: {len(keep):,} images')
        if spec.mapping_file:
            atomic_write_text(out/spec.mapping_file,
                              ''.join(f'{i} {ord(c)}\n' for i, c in enumerate(spec.classes)))


if __name__ == '__main__':
    main()
