"""Every image a camera, a scanner or a person's upload makes: deep and odd formats, EXIF orientation, animations, files
that are not images, and arbitrary bytes and arrays: each gives a prepared image or one clear `HcrError`."""
import io
import os
import sys
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings, strategies as st
from PIL import Image

from hcr.core import HcrError
from hcr.data import load_dataset
from hcr.predict import ImageTooLarge, MAX_PIXELS, Prediction, load_predictor, predict_arrays, predict_files, read_image
from hcr.preprocess import prepare_image
from hcr.runs import load_run
from places import ROOT


# ------------------------------------------------------------------------------------------------------ images

@pytest.fixture(scope='module')
def digit():
    "A real MNIST test digit as dark ink on light paper, 8-bit, and what prepare_image makes of it."
    sys.path.insert(0, str(ROOT/'tests'))
    from paper import on_paper
    paper = on_paper(load_dataset('mnist', 'test', source='sample').images[0])
    return paper, prepare_image(paper)


@pytest.mark.parametrize('kind', ['png16', 'tiff32', 'tiff-float'])
def test_deep_images_are_scaled_by_their_own_range(tmp_path, digit, kind):
    paper, expected = digit
    frac = paper.astype(np.float64) / 255
    array, suffix = {'png16': ((frac*60000 + 1000).astype(np.uint16), '.png'),
                     'tiff32': ((frac*3e9 - 1.5e9).astype(np.int32), '.tif'),
                     'tiff-float': ((frac*1e-3 - 5).astype(np.float32), '.tif')}[kind]
    Image.fromarray(array).save(tmp_path/f'digit{suffix}')
    image = read_image(tmp_path/f'digit{suffix}')
    assert image.mode in ('I;16', 'I', 'F')
    got = prepare_image(image)
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 2  # the same digit, not "blank"


def test_large_16_bit_scan_is_shrunk_not_refused(tmp_path, digit):
    """A scanner's 16-bit greyscale page, over DECODE_SIDE a side: Pillow cannot shrink 16-bit images (it raised
    'image has wrong mode', a traceback in `hcr predict` and a 500 from the server); read as 32-bit integers instead."""
    from hcr.serve import read_image_bytes
    paper, expected = digit
    scale = 4400 // max(paper.shape)  # over 4,000 pixels a side
    scan = np.kron(paper.astype(np.uint16) * 257, np.ones((scale, scale), np.uint16))
    assert max(scan.shape) > 4000
    Image.fromarray(scan).save(tmp_path/'scan.png')
    for image in (read_image(tmp_path/'scan.png'), read_image_bytes((tmp_path/'scan.png').read_bytes())):
        assert max(image.size) <= 1024 and image.mode == 'I'
        assert np.corrcoef(prepare_image(image).ravel(), expected.ravel())[0, 1] > 0.9


def test_exif_orientation_is_applied(tmp_path, digit):
    """A phone photo stored sideways is turned upright, by `hcr predict` and by the server alike (the server's own reader
    once skipped the tag and read an uploaded photo sideways)."""
    from hcr.serve import read_image_bytes
    paper, expected = digit
    upright = Image.fromarray(paper).convert('RGB')
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the stored pixels must be turned 90 degrees clockwise to be upright
    upright.transpose(Image.Transpose.ROTATE_90).save(tmp_path/'photo.jpg', exif=exif, quality=95)
    for image in (read_image(tmp_path/'photo.jpg'), read_image_bytes((tmp_path/'photo.jpg').read_bytes())):
        assert np.corrcoef(prepare_image(image).ravel(), expected.ravel())[0, 1] > 0.95
    sideways = prepare_image(np.asarray(Image.open(tmp_path/'photo.jpg').convert('L')))  # control: ignoring the tag
    assert np.corrcoef(sideways.ravel(), expected.ravel())[0, 1] < 0.8


def test_first_frame_of_animated_gif_and_multipage_tiff_is_said(tmp_path, digit):
    paper, _ = digit
    frames = [Image.fromarray(paper), Image.fromarray(255 - paper), Image.new('L', paper.shape[::-1], 128)]
    frames[0].save(tmp_path/'anim.gif', save_all=True, append_images=frames[1:], duration=100, loop=0)
    frames[0].save(tmp_path/'pages.tif', save_all=True, append_images=frames[1:])
    frames[0].save(tmp_path/'single.png')
    for name in ('anim.gif', 'pages.tif'):
        assert read_image(tmp_path/name).info['note'] == '3 frames: read the first'
    assert 'note' not in read_image(tmp_path/'single.png').info
    run = load_predictor(ROOT/'reports'/'mnist'/'run')
    preds = predict_files(run, [tmp_path/'anim.gif', tmp_path/'single.png'])
    assert preds[0].note == '3 frames: read the first' and preds[1].note is None
    assert preds[0].top == preds[1].top  # the first frame is the digit
    assert str(preds[0]).endswith('  (3 frames: read the first)') and preds[0].as_dict()['note'] == preds[0].note


def test_fifo_symlink_loop_broken_symlink_never_block(tmp_path):
    os.mkfifo(tmp_path/'pipe.png')
    (tmp_path/'loop.png').symlink_to(tmp_path/'loop.png')
    (tmp_path/'gone.png').symlink_to(tmp_path/'nothing.png')
    started = time.perf_counter()
    for name, message in [('pipe.png', 'not a regular file (a FIFO)'), ('loop.png', 'symlink loop'),
                          ('gone.png', f'broken symlink (to {tmp_path/"nothing.png"})')]:
        with pytest.raises(HcrError) as info: read_image(tmp_path/name)
        assert str(info.value) == f'{tmp_path/name}: {message}'
    with pytest.raises(HcrError, match='not a regular file \\(a character device\\)'): read_image('/dev/zero')
    assert time.perf_counter() - started < 2


def test_read_image_bytes_formats_and_too_large(tmp_path, digit):
    paper, expected = digit
    blob = io.BytesIO(); Image.fromarray(paper).save(blob, 'PNG')
    assert np.array_equal(prepare_image(read_image(blob.getvalue(), name='upload.png')), expected)
    ppm = io.BytesIO(); Image.fromarray(paper).save(ppm, 'PPM')  # Pillow reads it, hcr does not open it
    with pytest.raises(HcrError, match='^upload.ppm: not an image hcr can read'): read_image(ppm.getvalue(), 'upload.ppm')
    with pytest.raises(HcrError, match='^the uploaded image: empty file$'): read_image(b'')
    with pytest.raises(HcrError, match='takes a file name or bytes, got int'): read_image(3)
    big = io.BytesIO(); Image.new('1', (8000, 7000)).save(big, 'PNG')  # 56 million pixels, a small file
    with pytest.raises(ImageTooLarge, match=f'over the limit of {MAX_PIXELS:,}'): read_image(big.getvalue(), 'big.png')
    assert issubclass(ImageTooLarge, HcrError)


def test_python_api_errors_are_one_line_hcr_errors():
    run = load_predictor(ROOT/'reports'/'mnist'/'run')
    with pytest.raises(HcrError, match=r"predict_files takes a list of files or folders, not one str \(write \['a.png'\]\)"):
        predict_files(run, 'a.png')
    with pytest.raises(HcrError, match=r'one or more prepared images, shape \(n, 28, 28, 1\), got shape \(0, 28, 28, 1\)'):
        predict_arrays(run, np.zeros((0, 28, 28, 1), np.uint8))
    with pytest.raises(HcrError, match=r'got shape \(28, 28\)'): predict_arrays(run, np.zeros((28, 28), np.uint8))
    with pytest.raises(HcrError, match='NaN or infinite'): prepare_image(np.full((20, 20), np.nan))
    with pytest.raises(HcrError, match=r'got shape \(784,\)'): prepare_image(np.zeros(784))
    with pytest.raises(HcrError, match='no run folder given'): load_run(None)
    assert Prediction('x', error='e').as_dict() == {'path': 'x', 'error': 'e', 'note': None, 'character': None, 'top': []}


# ------------------------------------------------------------------------------- property: anything in, one of two out

MODES = ['1', 'L', 'P', 'RGB', 'RGBA', 'LA', 'I', 'I;16', 'F', 'CMYK', 'YCbCr']
FORMATS = {'PNG': ['1', 'L', 'P', 'RGB', 'RGBA', 'LA', 'I;16'], 'JPEG': ['1', 'L', 'RGB', 'CMYK', 'YCbCr'],
           'BMP': ['1', 'L', 'P', 'RGB', 'RGBA'], 'GIF': MODES, 'TIFF': MODES, 'WEBP': MODES}  # what Pillow can write


def gives_image_or_hcr_error(make):
    "`make()` gives a (28, 28, 1) uint8 image or raises HcrError; anything else fails the test."
    try: out = make()
    except HcrError as e:
        assert str(e) and '\n' not in str(e)
        return None
    assert isinstance(out, np.ndarray) and out.shape == (28, 28, 1) and out.dtype == np.uint8
    return out


@st.composite
def image_files(draw):
    fmt = draw(st.sampled_from(sorted(FORMATS)))
    mode = draw(st.sampled_from(FORMATS[fmt]))
    w, h = draw(st.integers(1, 60)), draw(st.integers(1, 60))
    low = draw(st.floats(-1e9, 1e9, allow_nan=False))
    span = draw(st.floats(0, 1e9, allow_nan=False))
    seed = draw(st.integers(0, 2**32 - 1))
    values = np.random.default_rng(seed).random((h, w)) * span + low
    if mode == 'F': image = Image.fromarray(values.astype(np.float32))
    elif mode == 'I': image = Image.fromarray(np.clip(values, -2**31, 2**31 - 1).astype(np.int32))
    elif mode == 'I;16': image = Image.fromarray(np.clip(values, 0, 65535).astype(np.uint16))
    else: image = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8)).convert(mode)
    blob = io.BytesIO()
    try: image.save(blob, fmt)
    except (OSError, ValueError): reject()  # a combination Pillow cannot write: nothing to test
    data = blob.getvalue()
    cut = draw(st.sampled_from([None, 'truncate', 'flip']))  # a damaged file, too
    if cut == 'truncate': data = data[:draw(st.integers(0, len(data)))]
    elif cut == 'flip' and data:
        i = draw(st.integers(0, len(data) - 1))
        data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i+1:]
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=image_files(), dataset=st.sampled_from(['mnist', 'emnist']))
def test_property_image_files_give_an_image_or_an_hcr_error(data, dataset):
    gives_image_or_hcr_error(lambda: prepare_image(read_image(data, 'x.img'), dataset))


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000))
def test_property_arbitrary_bytes(data):
    gives_image_or_hcr_error(lambda: prepare_image(read_image(data, 'x.bin')))


ARRAY_TYPES = [np.uint8, np.uint16, np.int32, np.int64, np.float32, np.float64, np.bool_]


@settings(max_examples=300, deadline=None)
@given(shape=st.lists(st.integers(0, 40), min_size=0, max_size=4), dtype=st.sampled_from(ARRAY_TYPES),
       low=st.floats(-1e12, 1e12), span=st.floats(0, 1e12), seed=st.integers(0, 2**32 - 1),
       dataset=st.sampled_from(['mnist', 'emnist']), special=st.sampled_from([None, np.nan, np.inf]))
def test_property_arrays_give_an_image_or_an_hcr_error(shape, dtype, low, span, seed, dataset, special):
    values = np.random.default_rng(seed).random(shape) * span + low
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        values = np.clip(np.nan_to_num(values), info.min, info.max)
    array = values.astype(dtype) if dtype is not np.bool_ else values > low + span/2
    if special is not None and array.size and np.issubdtype(array.dtype, np.floating): array.flat[0] = special
    gives_image_or_hcr_error(lambda: prepare_image(array, dataset))
