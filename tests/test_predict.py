"""Tests of hcr.predict (and loading saved models): bad files, many files, folders, top-k, wrong models."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import struct
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hcr.core import HcrError
from hcr.data import load_dataset
from hcr.evaluate import evaluate_model
from hcr.runs import load_model_file, load_run
from hcr.predict import (MAX_PIXELS, DECODE_SIDE, Prediction, expand_paths, load_predictor, predict_arrays,
                         predict_files, read_image)
from hcr.preprocess import prepare_image
from paper import on_paper


@pytest.fixture(scope='module')
def run_dir(sample_run):
    "A real run folder: the default model trained for two epochs on the MNIST sample (conftest's `sample_run`)."
    return sample_run


@pytest.fixture(scope='module')
def run(run_dir):
    return load_predictor(run_dir)


@pytest.fixture(scope='module')
def digits(tmp_path_factory):
    "Real MNIST test digits drawn as dark ink on light paper, saved as PNG files, with their labels."
    folder = tmp_path_factory.mktemp('digits')
    data = load_dataset('mnist', 'test', source='sample')
    picks = [int(np.flatnonzero(data.labels == d)[0]) for d in range(10)]
    paths = []
    for d, i in enumerate(picks):
        path = folder/f'digit{d}.png'
        Image.fromarray(on_paper(data.images[i])).save(path)
        paths.append(path)
    return paths, data.images[picks]


def png_header_only(path: Path, width: int, height: int) -> Path:
    "A PNG that claims width x height pixels but whose pixel data is garbage: any decoding would fail."
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))
    path.write_bytes(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0))
                     + chunk(b'IDAT', b'not deflate data') + chunk(b'IEND', b''))
    return path

# ---------------------------------------------------------------------------------------------- read_image

def read_error(path) -> str:
    with pytest.raises(HcrError) as info: read_image(path)
    assert str(path) in str(info.value)
    return str(info.value)


def test_read_image_missing(tmp_path):
    assert 'no such file' in read_error(tmp_path/'nope.png')
    assert 'no such file' in read_error(tmp_path)  # a folder


def test_read_image_empty(tmp_path):
    (tmp_path/'empty.png').write_bytes(b'')
    assert 'empty file' in read_error(tmp_path/'empty.png')


def test_read_image_text_named_png(tmp_path):
    (tmp_path/'notes.png').write_text('this is not a picture\n')
    assert 'not an image' in read_error(tmp_path/'notes.png')


def test_read_image_truncated_png(tmp_path, digits):
    blob = digits[0][0].read_bytes()
    (tmp_path/'cut.png').write_bytes(blob[:len(blob)//2])
    assert 'unreadable image' in read_error(tmp_path/'cut.png')


def test_read_image_garbage_pixel_data_is_unreadable(tmp_path):
    "Control for the tests below: a small image with the same garbage data fails when decoded."
    assert 'unreadable image' in read_error(png_header_only(tmp_path/'small.png', 100, 100))


@pytest.mark.filterwarnings('error::PIL.Image.DecompressionBombWarning')  # PIL's warning above 89M pixels never reaches a user
@pytest.mark.parametrize('size', [(8000, 8000), (10_000, 10_000)])
def test_read_image_over_the_limit_before_decoding(tmp_path, size):
    assert size[0]*size[1] > MAX_PIXELS
    path = png_header_only(tmp_path/'big.png', *size)
    started = time.perf_counter()
    message = read_error(path)
    assert time.perf_counter() - started < 1.0
    assert 'over the limit' in message and f'{size[0]}x{size[1]}' in message


def test_read_image_huge_is_over_the_limit(tmp_path):
    path = png_header_only(tmp_path/'huge.png', 20_000, 20_000)
    started = time.perf_counter()
    message = read_error(path)
    assert time.perf_counter() - started < 1.0
    assert 'over the limit' in message


def test_read_image_huge_real_png_is_refused_quickly(tmp_path):
    "A real (1-bit, so small on disk) 20000x20000 PNG: refused as an HcrError without being decoded."
    path = tmp_path/'huge-real.png'
    Image.new('1', (20_000, 20_000)).save(path)
    started = time.perf_counter()
    read_error(path)
    assert time.perf_counter() - started < 1.0


def test_read_image_shrinks_large_images(tmp_path):
    path = tmp_path/'large.jpg'
    Image.new('L', (3000, 1500), 255).save(path)
    image = read_image(path)
    assert max(image.size) <= DECODE_SIDE and image.size[0] > image.size[1]

# ---------------------------------------------------------------------------------------------- expand_paths

def test_expand_paths_image_files_only(tmp_path):
    folder = tmp_path/'in'
    (folder/'sub').mkdir(parents=True)
    for name in ('b.png', 'A.JPG', 'c.jpeg', 'd.bmp', 'notes.txt', 'model.keras', 'README', 'sub/e.png'):
        (folder/name).write_bytes(b'x')
    explicit = tmp_path/'explicit.txt'
    explicit.write_text('x')
    paths = expand_paths([folder, explicit, str(folder/'b.png')])
    assert [p.name for p in paths] == ['A.JPG', 'b.png', 'c.jpeg', 'd.bmp', 'explicit.txt', 'b.png']
    assert all(p.is_file() for p in paths)
    with pytest.raises(HcrError, match=r'no image file given \(an empty name\)'): expand_paths([folder, ''])  # not '.'

# ---------------------------------------------------------------------------------------------- predictions

def check_top(pred: Prediction, k: int, classes):
    assert pred.ok and pred.error is None and len(pred.top) == k
    chars, probs = zip(*pred.top)
    assert len(set(chars)) == k and set(chars) <= set(classes)
    assert all(isinstance(p, float) and 0 <= p <= 1 for p in probs)
    assert list(probs) == sorted(probs, reverse=True)
    assert sum(probs) <= 1 + 1e-5


def test_load_predictor(run, run_dir):
    assert run.classes == tuple('0123456789') and run.dataset == 'mnist' and run.source == str(run_dir)
    assert run.model.kind == 'onnx' and run.model.num_outputs == 10  # the run's model.onnx, written by train


def test_predict_files_keeps_going_past_bad_files(run, digits, tmp_path):
    paths, _ = digits
    (tmp_path/'empty.png').write_bytes(b'')
    (tmp_path/'text.png').write_text('hello')
    Image.new('L', (50, 50), 255).save(tmp_path/'blank.png')
    items = [tmp_path/'empty.png', paths[0], tmp_path/'missing.png', tmp_path/'text.png', paths[1],
             tmp_path/'blank.png']
    results = predict_files(run, items, top_k=3)
    assert [r.path for r in results] == [str(p) for p in items]
    assert [r.ok for r in results] == [False, True, False, False, True, False]
    assert 'empty file' in results[0].error and 'no such file' in results[2].error
    assert 'not an image' in results[3].error and 'no ink' in results[5].error
    assert not results[0].error.startswith(str(items[0]))  # the path is said once, in Prediction.path
    assert results[0].top == [] and str(items[0]) in str(results[0]) and 'error' in str(results[0])
    for r in (results[1], results[4]): check_top(r, 3, run.classes)
    json.dumps([r.as_dict() for r in results])  # serialisable for --json output


def test_predict_files_all_bad(run, tmp_path):
    results = predict_files(run, [tmp_path/'a.png', tmp_path/'b.png'])
    assert len(results) == 2 and not any(r.ok for r in results)


def test_predict_files_folder(run, digits):
    paths, _ = digits
    folder = paths[0].parent
    (folder/'notes.txt').write_text('not an image, not an input')
    try:
        results = predict_files(run, [folder], top_k=2)
    finally:
        (folder/'notes.txt').unlink()
    assert [Path(r.path).name for r in results] == sorted(p.name for p in paths)
    for r in results: check_top(r, 2, run.classes)


def test_top_k_bounds(run, digits):
    paths, _ = digits
    (full,) = predict_files(run, [paths[3]], top_k=50)  # more than the classes: all of them
    check_top(full, 10, run.classes)
    assert abs(sum(p for _, p in full.top) - 1) < 1e-4  # softmax over every class
    (one,) = predict_files(run, [paths[3]], top_k=1)
    assert one.top[0] == full.top[0]
    for k in (0, -2):
        with pytest.raises(HcrError, match='top-k'): predict_files(run, [paths[3]], top_k=k)


def test_predict_files_matches_predict_arrays(run, digits, tmp_path):
    "A file predicts the same as its prepared array, and dark-on-light or light-on-dark makes no difference."
    paths, _ = digits
    inverted = tmp_path/'inverted.png'
    Image.fromarray(255 - np.asarray(Image.open(paths[7]))).save(inverted)
    a, b = predict_files(run, [paths[7], inverted], top_k=3)
    assert a.top == b.top
    (expected,) = predict_arrays(run, prepare_image(read_image(paths[7]), 'mnist')[None], top_k=3)
    assert [c for c, _ in a.top] == [c for c, _ in expected]
    np.testing.assert_allclose([p for _, p in a.top], [p for _, p in expected], rtol=1e-5)


def test_load_predictor_missing(tmp_path):
    with pytest.raises(HcrError) as info: load_predictor(tmp_path/'no-such-run')
    assert 'no such run folder' in str(info.value) and str(tmp_path/'no-such-run') in str(info.value)


def test_load_run_not_a_run_folder(tmp_path):
    with pytest.raises(HcrError, match='not a run folder'): load_run(tmp_path)


def test_load_run_labels_mismatch(run_dir, tmp_path):
    copy = tmp_path/'copy'
    shutil.copytree(run_dir, copy)
    (copy/'labels.json').write_text(json.dumps({str(i): c for i, c in enumerate('0123456789ABC')}))
    with pytest.raises(HcrError, match='10 outputs but labels.json 13 classes'): load_run(copy).model  # loaded when used
    with pytest.raises(HcrError, match='10 outputs but 13 characters'): load_predictor(copy)


def test_trained_on_the_other_dataset(run):
    emnist = load_dataset('emnist', 'test', source='sample')
    with pytest.raises(HcrError, match='trained on the other dataset'): evaluate_model(load_run(run.source).model, emnist)

# ---------------------------------------------------------------------------------------------- model files

def test_load_model_file_good(run_dir):
    model = load_model_file(run_dir/'model.keras')
    assert model.output_shape == (None, 10)


def model_file_error(path) -> str:
    with pytest.raises(HcrError) as info: load_model_file(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_load_model_file_missing(tmp_path):
    assert 'no such model file' in model_file_error(tmp_path/'model.keras')


def test_load_model_file_text(tmp_path):
    (tmp_path/'model.keras').write_text('not a model')
    assert 'not a Keras model file' in model_file_error(tmp_path/'model.keras')


def test_load_model_file_truncated_keras(run_dir, tmp_path):
    blob = (run_dir/'model.keras').read_bytes()
    for name, cut in (('half.keras', len(blob)//2), ('tail.keras', len(blob) - 30)):
        (tmp_path/name).write_bytes(blob[:cut])
        assert 'not a ' in model_file_error(tmp_path/name)


def test_load_model_file_zip_without_model(tmp_path):
    with zipfile.ZipFile(tmp_path/'other.keras', 'w') as z: z.writestr('readme.txt', 'hello')
    assert 'not a loadable Keras model' in model_file_error(tmp_path/'other.keras')


def test_load_model_file_h5_not_a_model(tmp_path):
    import h5py
    with h5py.File(tmp_path/'data.h5', 'w') as f: f['x'] = np.arange(10)
    assert 'not a loadable Keras model' in model_file_error(tmp_path/'data.h5')
    (tmp_path/'text.h5').write_text('not hdf5')
    assert 'not a ' in model_file_error(tmp_path/'text.h5')


# ---------------------------------------------------------------------------------------------- a light process

HEAVY = ('tensorflow', 'keras', 'sklearn', 'matplotlib', 'seaborn', 'hcr.train', 'hcr.evaluate', 'hcr.fit', 'hcr.model',
         'filelock')  # filelock imports asyncio, ssl and sqlite3: 14 MiB that a prediction, which locks nothing, does not need
PREDICT_AND_LIST_MODULES = """
import sys
from hcr.cli import main
try: main(sys.argv[1:])
except SystemExit as e: status = e.code
print('STATUS', status, 'HEAVY', *[m for m in {heavy} if m in sys.modules])
"""


def predict_in_fresh_process(*args) -> str:
    "Run `hcr predict ARGS` in a new Python process; its last line: the exit status and the heavy modules it imported."
    done = subprocess.run([sys.executable, '-c', PREDICT_AND_LIST_MODULES.format(heavy=HEAVY), 'predict', *map(str, args)],
                          capture_output=True, text=True, timeout=300)
    return done.stdout.strip().splitlines()[-1]


def test_predict_with_onnx_imports_no_tensorflow(digits, run_dir, tmp_path):
    "`hcr predict` on one image, with the bundled model or a run's model.onnx, loads none of the training stack."
    paths, _ = digits
    letters = load_dataset('emnist', 'test', source='sample')
    letter = tmp_path/'letter.png'
    Image.fromarray(on_paper(letters.images[int(np.flatnonzero(letters.labels == 10)[0])])).save(letter)
    for args in ([paths[7]], [letter, '--dataset', 'emnist'], [paths[7], '--model', run_dir, '--runtime', 'onnx']):
        assert predict_in_fresh_process(*args) == 'STATUS 0 HEAVY', args
    assert predict_in_fresh_process(paths[7], '--model', run_dir, '--runtime', 'keras').split()[:4] == ['STATUS', '0', 'HEAVY', 'tensorflow']


def test_predict_into_a_closed_pipe_stops_quietly(digits, tmp_path):
    "`hcr predict FOLDER | head -1`: the reader goes away after one line; hcr stops without a traceback."
    paths, _ = digits
    for i in range(300): (tmp_path/f'{i:03}.png').write_bytes(paths[i % 10].read_bytes())
    proc = subprocess.Popen([sys.executable, '-m', 'hcr', 'predict', str(tmp_path), '--json'], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.readline()
    proc.stdout.close()  # as head does after its line
    _, err = proc.communicate(timeout=300)
    assert 'Traceback' not in err and 'BrokenPipe' not in err, err[-2000:]


@pytest.mark.skipif(not Path('/dev/full').exists(), reason='needs /dev/full, a device that is always full')
def test_predict_into_a_full_device_says_so(digits):
    "`hcr predict ... > /dev/full`: one line naming the cause, exit status 1, no traceback."
    paths, _ = digits
    for flags in ([], ['--json']):
        with open('/dev/full', 'w') as full:
            proc = subprocess.run([sys.executable, '-m', 'hcr', 'predict', str(paths[7]), *flags], stdout=full,
                                  stderr=subprocess.PIPE, text=True, timeout=300)
        assert (proc.returncode, proc.stderr) == (1, 'hcr: error: No space left on device\n'), proc.stderr[-2000:]
