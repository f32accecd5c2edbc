"""Tests of hcr.preprocess: the tf.data pipeline, augmentation, and preparing a person's own picture."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from hcr.data import HcrError, load_dataset
from hcr.fit import augmenter, make_batches
from hcr.preprocess import prepare_image, to_grey
from paper import on_paper


def numbered(n: int):
    "n images whose every pixel is the image's index (mod 256), labels 0..n-1: pairing and order are visible."
    images = np.broadcast_to((np.arange(n) % 256).astype(np.uint8)[:, None, None, None], (n, 28, 28, 1)).copy()
    return images, np.arange(n, dtype=np.int64)


def epoch(ds):
    "All (images, labels) of one pass over `ds`, checking every batch on the way."
    xs, ys = [], []
    for x, y in ds:
        x = x.numpy()
        assert x.dtype == np.float32 and x.ndim == 4 and x.shape[1:] == (28, 28, 1)
        assert x.min() >= 0.0 and x.max() <= 1.0
        xs.append(x); ys.append(y.numpy())
    return np.concatenate(xs), np.concatenate(ys)

# ---------------------------------------------------------------------------------------------- make_batches

def test_make_batches_scaled_in_order():
    images, labels = numbered(50)
    ds = make_batches(images, labels, batch_size=7)
    sizes = [len(y) for _, y in ds]
    assert sizes == [7]*7 + [1]
    x, y = epoch(ds)
    np.testing.assert_array_equal(y, labels)  # order preserved
    np.testing.assert_allclose(x[:, 0, 0, 0], labels / 255, rtol=1e-6)
    assert np.all(x == x[:, :1, :1, :])  # each image kept whole


def test_make_batches_full_range():
    images = np.array([np.zeros((28, 28, 1)), np.full((28, 28, 1), 255)], np.uint8)
    x, _ = epoch(make_batches(images, np.array([0, 1]), 2))
    assert x[0].max() == 0.0 and x[1].min() == 1.0


def test_make_batches_training_sees_each_once_per_epoch():
    images, labels = numbered(300)
    ds = make_batches(images, labels, batch_size=32, training=True, seed=3)
    orders = []
    for _ in range(2):
        x, y = epoch(ds)
        assert sorted(y.tolist()) == list(range(300))  # every element exactly once
        np.testing.assert_allclose(x[:, 5, 5, 0], (y % 256) / 255, rtol=1e-6)  # images still with their labels
        orders.append(y)
    assert not np.array_equal(orders[0], labels)  # shuffled
    assert not np.array_equal(orders[0], orders[1])  # reshuffled each epoch
    _, again = epoch(make_batches(images, labels, batch_size=32, training=True, seed=3))
    np.testing.assert_array_equal(again, orders[0])  # the seed fixes the order


def test_make_batches_augment_keeps_labels_and_range():
    data = load_dataset('mnist', 'test', source='sample')
    images, labels = data.images[:64], data.labels[:64]
    x, y = epoch(make_batches(images, labels, batch_size=16, training=True, augment=True, seed=1))
    assert sorted(y.tolist()) == sorted(labels.tolist())
    plain = images[[np.flatnonzero(labels == l)[0] for l in y]].astype(np.float32) / 255
    assert x.shape == plain.shape and not np.allclose(x, plain, atol=0.05)  # augmentation did something


def test_make_batches_rows_same_batches_as_copies():
    "Training on `rows` of the arrays gives, batch for batch, what training on a copy of those rows gives."
    images, labels = numbered(300)
    rows = np.sort(np.random.default_rng(0).choice(300, 200, replace=False))
    by_rows = make_batches(images, labels, 32, training=True, seed=5, rows=rows)
    copied = make_batches(images[rows], labels[rows], 32, training=True, seed=5)
    for (x1, y1), (x2, y2) in zip(by_rows, copied, strict=True):
        np.testing.assert_array_equal(y1.numpy(), y2.numpy())
        np.testing.assert_array_equal(x1.numpy(), x2.numpy())


@pytest.mark.parametrize('rows', [[0, 300], [-1], [0.5], np.ones((2, 2), int)])
def test_make_batches_bad_rows(rows):
    images, labels = numbered(300)
    with pytest.raises(HcrError, match='rows must be row numbers from 0 to 299'): make_batches(images, labels, rows=rows)


@pytest.mark.parametrize('size', [0, -1])
def test_make_batches_bad_batch_size(size):
    images, labels = numbered(4)
    with pytest.raises(HcrError, match='batch size'): make_batches(images, labels, batch_size=size)

# ---------------------------------------------------------------------------------------------- augmenter

def asymmetric():
    "An 'L' with a tick in the top-left quadrant: every flip or transpose changes it."
    img = np.zeros((28, 28, 1), np.float32)
    img[2:10, 2:5] = 1.0
    img[8:10, 2:10] = 1.0
    img[2, 6] = 0.5
    return img


def test_augmenter_without_transformations_is_identity():
    img = asymmetric()
    out = np.asarray(augmenter(seed=0, rotation_degrees=0, shift=0, zoom=0)(img[None], training=True))[0]
    np.testing.assert_allclose(out, img, atol=1e-6)


def test_augmenter_never_flips():
    aug = augmenter(seed=0)
    assert not any('Flip' in type(layer).__name__ for layer in aug.layers)
    batch = np.repeat(asymmetric()[None], 64, 0)
    out = np.asarray(aug(batch, training=True))
    assert not np.allclose(out, batch, atol=1e-3)  # it does transform
    for image in out[..., 0]:
        cy, cx = ndimage.center_of_mass(image)
        assert cy < 13.5 and cx < 13.5  # ink stays in the top-left: never mirrored to another quadrant
        assert image.min() >= -1e-6  # fills with black
    assert np.asarray(aug(batch, training=False)).tolist() == batch.tolist()  # inference: untouched

# ---------------------------------------------------------------------------------------------- prepare_image

def glyph(shape=(120, 90)) -> np.ndarray:
    "White-on-black drawing of an asymmetric character on a canvas of `shape`."
    im = Image.new('L', (shape[1], shape[0]), 0)
    d = ImageDraw.Draw(im)
    d.line([(20, 15), (20, 100), (70, 100)], fill=255, width=9)
    d.line([(20, 15), (60, 40)], fill=255, width=7)
    return np.asarray(im)


def variants(light_on_dark: np.ndarray) -> dict:
    "The same drawing as people hand it in."
    dark = 255 - light_on_dark
    rgba = np.zeros(light_on_dark.shape + (4,), np.uint8)
    rgba[..., 3] = light_on_dark  # black ink, alpha = ink; the background is transparent (and black)
    return {'light on dark': light_on_dark, 'dark on light': dark, 'PIL L': Image.fromarray(dark),
            'RGB array': np.stack([dark]*3, -1), 'PIL RGB': Image.fromarray(np.stack([dark]*3, -1)),
            'PIL RGBA transparent': Image.fromarray(rgba, 'RGBA'),
            'PIL LA transparent': Image.fromarray(rgba, 'RGBA').convert('LA')}


@pytest.mark.parametrize('style', ['mnist', 'emnist'])
def test_prepare_image_same_whatever_the_format(style):
    outs = {k: prepare_image(v, style) for k, v in variants(glyph()).items()}
    ref = outs['light on dark']
    assert ref.shape == (28, 28, 1) and ref.dtype == np.uint8 and ref.max() == 255
    for name, out in outs.items():
        np.testing.assert_array_equal(out, ref, err_msg=name)


def test_prepare_image_rgba_array_transparent_background():
    g = glyph()
    rgba = np.zeros(g.shape + (4,), np.uint8)
    rgba[..., 3] = g
    np.testing.assert_array_equal(prepare_image(rgba), prepare_image(g))


def ink_box(image: np.ndarray):
    rows, cols = np.nonzero(np.squeeze(image))
    return rows.min(), rows.max(), cols.min(), cols.max()


def shapes() -> dict:
    tall = np.zeros((200, 100), np.uint8); tall[20:180, 45:55] = 255
    wide = np.zeros((100, 300), np.uint8); wide[40:60, 10:290] = 255
    dot = np.zeros((50, 40), np.uint8); dot[10, 30] = 255  # a single pixel of ink
    corner = np.zeros((60, 60), np.uint8); corner[5:30, 30:55] = 255; corner[5:8, 5:55] = 255
    return {'L': glyph(), 'tall': tall, 'wide': wide, 'dot': dot, 'corner': corner, 'dot dark': 255 - dot}


@pytest.mark.parametrize('name', list(shapes()))
def test_prepare_image_mnist_style(name):
    out = prepare_image(shapes()[name], 'mnist')[..., 0]
    assert out.dtype == np.uint8 and out.max() == 255
    top, bottom, left, right = ink_box(out)
    assert bottom - top + 1 <= 20 and right - left + 1 <= 20  # fitted into a 20x20 box
    assert max(bottom - top, right - left) + 1 >= 19  # and filling it along the longer side
    cy, cx = ndimage.center_of_mass(out.astype(np.float64))
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1  # MNIST centres the centre of mass at (14, 14)


@pytest.mark.parametrize('name', list(shapes()))
def test_prepare_image_emnist_style(name):
    out = prepare_image(shapes()[name], 'emnist')[..., 0]
    assert out.dtype == np.uint8 and out.max() == 255
    assert not out[[0, 1, 26, 27], :].any() and not out[:, [0, 1, 26, 27]].any()  # the 2-pixel border is empty
    top, bottom, left, right = ink_box(out)
    assert abs(top - (27 - bottom)) <= 1 and abs(left - (27 - right)) <= 1  # centred by its bounding box
    assert max(bottom - top, right - left) + 1 >= 23  # fills the 24x24 box along the longer side


def test_prepare_image_keeps_orientation():
    out = prepare_image(shapes()['corner'], 'emnist')[..., 0]
    # the bar runs along the top and the block hangs on the right: no flip or transpose
    assert out[:10].sum() > out[18:].sum() and out[:, 14:].sum() > out[:, :14].sum()


@pytest.mark.parametrize('image', [np.full((40, 40), 255, np.uint8), np.zeros((40, 40), np.uint8),
                                   np.full((40, 40, 3), 128, np.uint8), np.full((1, 1), 0, np.uint8),
                                   Image.new('RGBA', (30, 30), (0, 0, 0, 0))],
                         ids=['white', 'black', 'grey RGB', '1x1', 'transparent'])
@pytest.mark.parametrize('style', ['mnist', 'emnist'])
def test_prepare_image_blank(image, style):
    with pytest.raises(HcrError, match='no ink'): prepare_image(image, style)


def test_prepare_image_faint_noise_is_blank():
    noise = np.random.default_rng(0).integers(240, 256, (60, 60)).astype(np.uint8)
    with pytest.raises(HcrError, match='no ink'): prepare_image(noise)


def test_prepare_image_unknown_style():
    with pytest.raises(HcrError, match='choose one of'): prepare_image(glyph(), 'kmnist')


def test_prepare_image_recovers_real_digits():
    "A real MNIST digit drawn large as dark ink on grey paper comes back close to the original."
    data = load_dataset('mnist', 'test', source='sample')
    for i in range(0, len(data), len(data)//10)[:10]:
        original = data.images[i, ..., 0].astype(np.float64)
        back = prepare_image(on_paper(data.images[i]), 'mnist')[..., 0].astype(np.float64)
        corr = np.corrcoef(original.ravel(), back.ravel())[0, 1]
        assert corr > 0.8, (i, corr)


def test_to_grey_modes():
    rgb = np.zeros((4, 5, 3), np.uint8); rgb[..., 0] = 30; rgb[..., 1] = 60; rgb[..., 2] = 90
    out = to_grey(rgb)
    assert out.shape == (4, 5) and out.dtype == np.float32 and np.allclose(out, 60)
    white_paper = to_grey(Image.new('RGBA', (3, 2), (0, 0, 0, 0)))
    assert white_paper.shape == (2, 3) and np.all(white_paper == 255)  # transparent = white paper
