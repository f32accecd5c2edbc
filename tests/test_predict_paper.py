"`hcr predict` with the committed MNIST model on digits as a person would hand them in: dark ink on a large light canvas."
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hcr.data import load_dataset
from hcr.runtime import BUNDLED_DIR
from paper import on_paper
from places import ROOT


@pytest.mark.skipif(not (BUNDLED_DIR/'mnist.onnx').exists(), reason='no bundled MNIST model (make bundle)')
def test_committed_model_reads_digits_on_paper(tmp_path):
    test = load_dataset('mnist', 'test', source='sample')  # real MNIST test digits (the sample's 1,000)
    rng = np.random.default_rng(0)
    picks = rng.choice(len(test), 200, replace=False)
    for n, i in enumerate(picks):
        canvas = on_paper(test.images[i], size=int(rng.integers(200, 600)),
                          offset=tuple(int(v) for v in rng.integers(10, 50, 2)))
        image = Image.fromarray(canvas)
        if n % 3 == 1: image = image.convert('RGB')  # colour files too
        image.save(tmp_path/f'{n:03d}-{test.classes[test.labels[i]]}.{["png", "jpg", "bmp"][n % 3]}')
    done = subprocess.run([sys.executable, '-m', 'hcr', 'predict', str(tmp_path), '--json', '--top-k', '1'],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    preds = json.loads(done.stdout)
    assert len(preds) == 200
    right = np.mean([p['top'][0]['character'] == Path(p['path']).stem.split('-')[1] for p in preds])
    print(f'{right:.1%} of 200 digits on paper read right')
    assert right >= 0.95


@pytest.mark.skipif(not (BUNDLED_DIR/'mnist.onnx').exists(), reason='no bundled MNIST model (make bundle)')
def test_committed_model_reads_digits_drawn_with_a_fine_pen(tmp_path):
    "The same digits with their strokes thinned to a pen's line: thickened before the fit, not read as faint `1`s."
    test = load_dataset('mnist', 'test', source='sample')
    for i in range(100): Image.fromarray(on_paper(test.images[i], size=400, thin=5)).save(tmp_path/f'{i:03d}-{test.classes[test.labels[i]]}.png')
    done = subprocess.run([sys.executable, '-m', 'hcr', 'predict', str(tmp_path), '--json', '--top-k', '1'],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    preds = json.loads(done.stdout)
    right = np.mean([p['top'][0]['character'] == Path(p['path']).stem.split('-')[1] for p in preds])
    print(f'{right:.0%} of 100 thin-stroke digits read right')
    assert right >= 0.85  # 91 of 100 when strokes were first thickened; 33 without thickening
