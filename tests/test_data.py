"""Tests of hcr.data: the IDX reader/writer, the three sources, the datasets' facts, and the bundled sample."""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import math
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from hcr import data
from hcr.data import (EMNIST_BALANCED_CLASSES, SAMPLE_DIR, HcrError, classes, ink_extent, load_dataset,
                      read_idx, read_mapping, write_idx)
from places import ROOT, SHARED

needs_shared = pytest.mark.skipif(not (SHARED/'mnist').is_dir() or not (SHARED/'emnist').is_dir(),
                                  reason=f'real data not found at {SHARED} (the ../shared/data folder beside the repo)')

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
MNIST_RAW_MD5 = {'train-images-idx3-ubyte': '6bbc9ace898e44ae57da46a324031adb',
                 'train-labels-idx1-ubyte': 'a25bea736e30d166cdddb491f175f624',
                 't10k-images-idx3-ubyte': '2646ac647ad5339dbf082846283269ea',
                 't10k-labels-idx1-ubyte': '27ae3e4e09519cfbb04c329615203637'}
EMNIST_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt'


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    "IDX bytes written independently of hcr (the format: 0 0 type ndim, big-endian uint32 dims, data)."
    array = np.asarray(array, np.uint8)
    return bytes([0, 0, type_code, array.ndim]) + b''.join(struct.pack('>I', d) for d in array.shape) + array.tobytes()


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(f'_hcr_script_{name}', ROOT/'scripts'/f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_error(path) -> str:
    "The message of the HcrError that read_idx(path) raises (any other exception fails the test)."
    with pytest.raises(HcrError) as info: read_idx(path)
    return str(info.value)

# ---------------------------------------------------------------------------------------------- IDX reader

idx_arrays = hnp.arrays(np.uint8, hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6))


@settings(max_examples=60, deadline=None)
@given(array=idx_arrays, gz=st.booleans())
def test_idx_round_trip(array, gz):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d)/('a.idx.gz' if gz else 'a.idx')
        write_idx(path, array)
        raw = path.read_bytes()
        assert (raw[:2] == b'\x1f\x8b') == gz  # compressed exactly when the name ends in .gz
        assert (gzip.decompress(raw) if gz else raw) == idx_bytes(array)  # the canonical layout
        back = read_idx(path)
    assert back.dtype == np.uint8 and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


@settings(max_examples=30, deadline=None)
@given(array=idx_arrays)
def test_read_idx_reads_independently_written_files(array):
    with tempfile.TemporaryDirectory() as d:
        Path(d, 'raw').write_bytes(idx_bytes(array))
        Path(d, 'gz').write_bytes(gzip.compress(idx_bytes(array)))
        for name in ('raw', 'gz'):
            back = read_idx(Path(d, name))
            assert back.shape == array.shape
            np.testing.assert_array_equal(back, array)


def test_gzip_recognised_by_magic_bytes_not_name(tmp_path):
    a = np.arange(2*28*28, dtype=np.uint8).reshape(2, 28, 28)
    gz_named_plain = tmp_path/'images-idx3-ubyte'  # gzip content, no .gz in the name
    gz_named_plain.write_bytes(gzip.compress(idx_bytes(a)))
    plain_named_gz = tmp_path/'images-idx3-ubyte.gz'  # raw content, .gz name
    plain_named_gz.write_bytes(idx_bytes(a))
    np.testing.assert_array_equal(read_idx(gz_named_plain), a)
    np.testing.assert_array_equal(read_idx(plain_named_gz), a)


def test_write_idx_gzip_is_deterministic(tmp_path, monkeypatch):
    "Same array, same bytes, whatever the file's name and the clock (no name or time in the gzip header)."
    import time
    a = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    monkeypatch.setattr(time, 'time', lambda: 1_000_000_000.0)
    write_idx(tmp_path/'a.gz', a)
    monkeypatch.setattr(time, 'time', lambda: 1_700_000_000.0)
    write_idx(tmp_path/'other-name.gz', a)
    assert (tmp_path/'other-name.gz').read_bytes() == (tmp_path/'a.gz').read_bytes()
    assert gzip.decompress((tmp_path/'a.gz').read_bytes()) == idx_bytes(a)


@pytest.mark.parametrize('content, problem', [
    (bytes([1, 0, 8, 1, 0, 0, 0, 1, 7]), 'not an IDX file'),           # wrong magic (first bytes not zero)
    (bytes([0, 0, 0x0D, 1, 0, 0, 0, 1]) + b'\0'*4, 'not an IDX file'),  # float32 type code
    (bytes([0, 0, 0x09, 1, 0, 0, 0, 1, 7]), 'not an IDX file'),         # int8 type code, not unsigned bytes
    (bytes([0, 0, 8, 0]), 'not an IDX file'),                           # ndim 0
    (b'\0\0', 'not an IDX file'),                                       # shorter than the magic number
    (b'', 'not an IDX file'),                                           # empty
    (bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0]), 'truncated header'),         # 3 dims announced, 1.5 given
    (idx_bytes(np.ones((2, 3, 3)))[:-1], 'truncated'),                   # body one byte short
    (idx_bytes(np.ones((2, 3, 3)))[:16], 'truncated'),                   # no body at all
    (idx_bytes(np.ones((2, 3, 3))) + b'\0', 'trailing bytes'),           # one byte too many
])
@pytest.mark.parametrize('gz', [False, True])
def test_read_idx_corrupt_files(tmp_path, content, problem, gz):
    path = tmp_path/'bad-idx3-ubyte'
    path.write_bytes(gzip.compress(content) if gz else content)
    message = read_error(path)
    assert str(path) in message and problem in message


def test_read_idx_size_mismatch_message_gives_both_sizes(tmp_path):
    path = tmp_path/'x'
    path.write_bytes(idx_bytes(np.ones((2, 3, 3)))[:-5])
    message = read_error(path)
    assert '(2, 3, 3)' in message and '34' in message and '29' in message


def test_read_idx_truncated_gzip(tmp_path):
    path = tmp_path/'t.gz'
    write_idx(path, np.random.default_rng(1).integers(0, 256, (20, 28, 28), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:len(path.read_bytes())//2])
    message = read_error(path)
    assert str(path) in message and 'corrupt gzip' in message


def test_read_idx_gzip_bad_crc(tmp_path):
    path = tmp_path/'crc.gz'
    blob = bytearray(gzip.compress(idx_bytes(np.ones((4, 4)))))
    blob[-8] ^= 0xFF  # the CRC32 in the trailer
    path.write_bytes(bytes(blob))
    message = read_error(path)
    assert str(path) in message and 'corrupt gzip' in message


def test_read_idx_gzip_invalid_deflate_data(tmp_path):
    path = tmp_path/'deflate.gz'
    # a valid gzip header, then a deflate block of the reserved (invalid) type 3
    path.write_bytes(b'\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff' + b'\x07' + b'\0'*20)
    message = read_error(path)
    assert str(path) in message and 'corrupt gzip' in message


def test_read_idx_missing_file_and_folder(tmp_path):
    message = read_error(tmp_path/'nothing-here')
    assert str(tmp_path/'nothing-here') in message and 'no such file' in message
    message = read_error(tmp_path)  # a folder is not a file
    assert str(tmp_path) in message and 'no such file' in message


@pytest.mark.parametrize('dims', [(2**31, 2**31, 4),        # 2**64 bytes announced: np.prod(int64) wraps to 0
                                  (0, 2**32 - 1, 2**32 - 1)])  # an empty array whose shape numpy cannot hold
def test_read_idx_huge_dimensions(tmp_path, dims):
    path = tmp_path/'huge'
    path.write_bytes(bytes([0, 0, 8, len(dims)]) + b''.join(struct.pack('>I', d) for d in dims))
    message = read_error(path)
    assert str(path) in message


def test_read_idx_checks_a_raw_files_size_before_allocating(tmp_path, monkeypatch):
    path = tmp_path/'big'
    path.write_bytes(bytes([0, 0, 8, 1]) + struct.pack('>I', 2**32 - 1))  # 4 GiB announced, no body
    monkeypatch.setattr(np, 'empty', lambda *a, **k: pytest.fail('allocated before checking the size'))
    message = read_error(path)
    assert str(path) in message and 'truncated' in message and '4,294,967,303 bytes' in message


def parsed_dims(content: bytes) -> list[int]:
    "The dimensions an IDX header in `content` announces (as far as it goes)."
    if len(content) < 4: return []
    header = content[4:4 + 4*content[3]]
    return [int.from_bytes(header[i:i + 4], 'big') for i in range(0, len(header) - 3, 4)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(type_code=st.sampled_from([0x08, 0x08, 0x09, 0x0D]), ndim=st.integers(0, 5),
       dims=st.lists(st.one_of(st.integers(0, 6), st.integers(0, 2**32 - 1)), max_size=5),
       body=st.binary(max_size=60), cut=st.integers(0, 40), gz=st.booleans())
def test_read_idx_never_leaks_other_exceptions(type_code, ndim, dims, body, cut, gz):
    "Whatever the header and body, read_idx returns a uint8 array or raises HcrError naming the file."
    content = bytes([0, 0, type_code, ndim]) + b''.join(struct.pack('>I', d) for d in dims) + body
    content = content[:cut] if cut else content
    assume(math.prod(d for d in parsed_dims(content) if d) < 2**60)  # huge shapes: test_read_idx_huge_dimensions
    with tempfile.TemporaryDirectory() as d:
        path = Path(d)/'f'
        path.write_bytes(gzip.compress(content) if gz else content)
        try: result = read_idx(path)
        except HcrError as e: assert str(path) in str(e)
        else:
            assert type_code == 0x08 and result.dtype == np.uint8 and result.ndim == ndim
            assert result.size == len(content) - 4 - 4*ndim and result.tobytes() == content[4 + 4*ndim:]


# ---------------------------------------------------------------------------------------------- real data

@pytest.fixture(scope='module')
def mnist_train():
    if not (SHARED/'mnist').is_dir(): pytest.skip(f'real data not found at {SHARED}')
    return load_dataset('mnist', 'train', source='idx', data_dir=SHARED/'mnist')


@pytest.fixture(scope='module')
def emnist_train():
    if not (SHARED/'emnist').is_dir(): pytest.skip(f'real data not found at {SHARED}')
    return load_dataset('emnist', 'train', source='idx', data_dir=SHARED/'emnist')


@needs_shared
def test_mnist_raw_md5_is_canonical():
    for name, md5 in MNIST_RAW_MD5.items():
        raw = gzip.decompress((SHARED/'mnist'/f'{name}.gz').read_bytes())
        assert hashlib.md5(raw).hexdigest() == md5, name


@needs_shared
def test_mnist_train_canonical(mnist_train):
    ds = mnist_train
    assert ds.images.shape == (60_000, 28, 28, 1) and ds.images.dtype == np.uint8
    assert ds.labels.shape == (60_000,) and ds.source == 'idx' and ds.classes == tuple('0123456789')
    assert ds.counts().tolist() == MNIST_TRAIN_COUNTS
    assert ds.images.max() == 255 and ds.images.min() == 0
    # the bytes are the canonical file's bytes (md5 above), unchanged by loading: no transpose for MNIST
    raw = gzip.decompress((SHARED/'mnist'/'train-images-idx3-ubyte.gz').read_bytes())
    assert hashlib.md5(idx_bytes(ds.images[..., 0])).hexdigest() == MNIST_RAW_MD5['train-images-idx3-ubyte']
    assert len(raw) == 16 + 60_000*28*28


@needs_shared
def test_mnist_test_canonical():
    ds = load_dataset('mnist', 'test', source='idx', data_dir=SHARED/'mnist')
    assert ds.images.shape == (10_000, 28, 28, 1) and ds.images.dtype == np.uint8
    assert ds.counts().tolist() == MNIST_TEST_COUNTS
    assert hashlib.md5(idx_bytes(ds.labels)).hexdigest() == MNIST_RAW_MD5['t10k-labels-idx1-ubyte']
    assert [Path(f).name for f in ds.files] == ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']


@needs_shared
def test_emnist_train(emnist_train):
    ds = emnist_train
    assert len(ds) == 90_231 and ds.images.shape == (90_231, 28, 28, 1) and ds.images.dtype == np.uint8
    assert ds.num_classes == 47 and ''.join(ds.classes) == EMNIST_CHARS
    assert ds.counts().sum() == 90_231 and ds.counts().min() >= 608 and ds.counts().max() == 2400


@needs_shared
def test_emnist_is_upright(emnist_train):
    "'1' and 'I' are tall strokes: upright they are taller than wide; left as stored (transposed), wider than tall."
    ds = emnist_train
    for char in '1I':
        mean = ds.images[ds.labels == EMNIST_CHARS.index(char)].mean(0)[..., 0]
        h, w = ink_extent(mean)
        assert h > w + 4, (char, h, w)
        th, tw = ink_extent(mean.T)
        assert tw > th + 4, (char, th, tw)
    # and the stored file is indeed transposed relative to what we return
    stored = read_idx(SHARED/'emnist'/'emnist-balanced-train-images-idx3-ubyte.gz')
    np.testing.assert_array_equal(stored[:50].transpose(0, 2, 1), ds.images[:50, ..., 0])


@needs_shared
def test_emnist_test_and_parent_data_dir(mnist_train):
    "data_dir may be the parent folder holding mnist/ and emnist/."
    ds = load_dataset('emnist', 'test', source='idx', data_dir=SHARED)
    assert len(ds) == 15_027 and ds.num_classes == 47 and ''.join(ds.classes) == EMNIST_CHARS
    assert set(np.unique(ds.labels)) == set(range(47))
    via_parent = load_dataset('mnist', 'train', source='auto', data_dir=SHARED)
    assert via_parent.source == 'idx'
    np.testing.assert_array_equal(via_parent.labels, mnist_train.labels)
    assert classes('emnist', SHARED) == EMNIST_BALANCED_CLASSES
    assert read_mapping(SHARED/'emnist'/'emnist-balanced-mapping.txt') == EMNIST_BALANCED_CLASSES

# ---------------------------------------------------------------------------------------------- sources

def test_tfds_manual_folder_layout(tmp_path):
    manual = tmp_path/'downloads'/'manual'
    manual.mkdir(parents=True)
    for f in (SAMPLE_DIR/'mnist').iterdir(): (manual/f.name).symlink_to(f)
    for f in (SAMPLE_DIR/'emnist').iterdir(): shutil.copy(f, manual/f.name)
    for name in ('mnist', 'emnist'):
        ds = load_dataset(name, 'test', source='auto', data_dir=tmp_path)
        ref = load_dataset(name, 'test', source='sample')
        assert ds.source == 'idx' and all(Path(f).parent == manual for f in ds.files)
        np.testing.assert_array_equal(ds.images, ref.images)
        np.testing.assert_array_equal(ds.labels, ref.labels)


def test_auto_picks_idx_when_files_present(monkeypatch):
    monkeypatch.setattr(data, '_online', lambda *a, **k: pytest.fail('auto must not look for the network'))
    ds = load_dataset('mnist', 'test', source='auto', data_dir=SAMPLE_DIR/'mnist')
    assert ds.source == 'idx' and len(ds) > 0
    monkeypatch.setenv('HCR_DATA_DIR', str(SAMPLE_DIR))  # data_dir from the environment
    ds = load_dataset('emnist', 'test', source='auto')
    assert ds.source == 'idx' and ds.num_classes == 47


def test_auto_without_files_offline_falls_back_to_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(data, '_online', lambda *a, **k: False)
    with pytest.warns(UserWarning, match='sample'):
        ds = load_dataset('mnist', 'test', source='auto', data_dir=tmp_path)
    assert ds.source == 'sample' and all(Path(f).is_relative_to(SAMPLE_DIR) for f in ds.files)


def test_auto_without_files_online_uses_tfds(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds
    monkeypatch.setattr(data, '_online', lambda *a, **k: True)
    with tfds.testing.mock_data(num_examples=5):
        ds = load_dataset('mnist', 'test', source='auto', data_dir=tmp_path)
    assert ds.source == 'tfds' and ds.images.shape == (5, 28, 28, 1)


@pytest.mark.parametrize('name', ['mnist', 'emnist'])
@pytest.mark.parametrize('split', ['train', 'test'])
def test_sample_loads_without_network(name, split, monkeypatch):
    def no_network(*a, **k): raise AssertionError('the sample must not touch the network')
    monkeypatch.setattr(socket, 'create_connection', no_network)
    monkeypatch.setattr(socket.socket, 'connect', no_network)
    monkeypatch.setattr(data, 'load_tfds', no_network)
    monkeypatch.delenv('HCR_DATA_DIR', raising=False)
    per_class = load_script('make_sample').PER_CLASS[name][split]
    ds = load_dataset(name, split, source='sample')
    assert ds.source == 'sample' and ds.images.shape == (len(ds), 28, 28, 1) and ds.images.dtype == np.uint8
    assert ds.counts().tolist() == [per_class]*ds.num_classes  # every class, equally
    assert ds.num_classes == (10 if name == 'mnist' else 47)
    assert ds.images.max() == 255
    assert all(Path(f).is_relative_to(SAMPLE_DIR) for f in ds.files)


def test_sample_emnist_is_upright():
    ds = load_dataset('emnist', 'train', source='sample')
    mean = ds.images[ds.labels == EMNIST_CHARS.index('1')].mean(0)[..., 0]
    h, w = ink_extent(mean)
    assert h > w


def test_tfds_offline_is_fast_and_clear(tmp_path, monkeypatch):
    monkeypatch.setattr(data, '_online', lambda *a, **k: False)
    for name in ('mnist', 'emnist'):
        with pytest.raises(HcrError) as info:
            load_dataset(name, 'train', source='tfds', data_dir=tmp_path)
        assert "the source 'sample'" in str(info.value) and 'no network' in str(info.value)


@pytest.mark.parametrize('name, n_classes', [('mnist', 10), ('emnist', 47)])
def test_tfds_with_mock_data(tmp_path, monkeypatch, name, n_classes):
    import tensorflow_datasets as tfds
    monkeypatch.setattr(data, '_online', lambda *a, **k: True)
    with tfds.testing.mock_data(num_examples=12):
        ds = load_dataset(name, 'test', source='tfds', data_dir=tmp_path)
    assert ds.source == 'tfds' and ds.images.shape == (12, 28, 28, 1) and ds.images.dtype == np.uint8
    assert ds.labels.dtype == np.int64 and ds.labels.max() < n_classes and ds.num_classes == n_classes


def test_tfds_failure_becomes_hcr_error(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds
    monkeypatch.setattr(data, '_online', lambda *a, **k: True)
    def broken_load(*a, **k): raise RuntimeError('checksum mismatch\nmore lines')
    monkeypatch.setattr(tfds, 'load', broken_load)
    with pytest.raises(HcrError) as info:
        load_dataset('mnist', 'test', source='tfds', data_dir=tmp_path)
    assert 'RuntimeError: checksum mismatch' in str(info.value) and 'more lines' not in str(info.value)


@pytest.mark.parametrize('kwargs, choices', [
    (dict(name='kmnist'), "'kmnist': choose one of mnist, emnist"),
    (dict(name='mnist', split='validation'), "'validation': choose one of train, test"),
    (dict(name='mnist', source='web'), "'web': choose one of auto, idx, tfds, sample"),
])
def test_unknown_choices_list_valid_ones(kwargs, choices):
    with pytest.raises(HcrError) as info: load_dataset(**kwargs)
    assert choices in str(info.value)


def test_idx_source_needs_data_dir(monkeypatch):
    monkeypatch.delenv('HCR_DATA_DIR', raising=False)
    with pytest.raises(HcrError, match='needs data_dir'): load_dataset('mnist', 'test', source='idx')


@pytest.mark.parametrize('source', ['idx', 'auto'])
def test_a_missing_data_folder_is_named_as_such(tmp_path, monkeypatch, source):
    "A mistyped folder says 'no such folder' whichever source reads it, naming where it was given."
    monkeypatch.delenv('HCR_DATA_DIR', raising=False)
    with pytest.raises(HcrError, match=r'/nowhere: no such folder \(given as data_dir\)'):
        load_dataset('mnist', 'train', source=source, data_dir=tmp_path/'nowhere')
    monkeypatch.setenv('HCR_DATA_DIR', str(tmp_path/'nowhere'))
    with pytest.raises(HcrError, match=r'no such folder \(given as HCR_DATA_DIR\)'): load_dataset('mnist', 'test', source=source)


def test_idx_missing_files_named(tmp_path):
    with pytest.raises(HcrError) as info: load_dataset('mnist', 'test', source='idx', data_dir=tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message and 't10k-images-idx3-ubyte' in message and "'sample' (--source)" in message

# ---------------------------------------------------------------------------------------------- bad IDX datasets

def write_split(folder: Path, images, labels, name='mnist', split='test', gz=True):
    spec = data.get_spec(name)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = '.gz' if gz else ''
    write_idx(folder/(spec.files[split][0] + suffix), np.asarray(images, np.uint8))
    write_idx(folder/(spec.files[split][1] + suffix), np.asarray(labels, np.uint8))


def test_raw_uncompressed_files_are_found(tmp_path):
    ref = load_dataset('mnist', 'test', source='sample')
    write_split(tmp_path, ref.images[..., 0], ref.labels, gz=False)
    assert not list(tmp_path.glob('*.gz'))
    ds = load_dataset('mnist', 'test', source='idx', data_dir=tmp_path)
    np.testing.assert_array_equal(ds.images, ref.images)
    np.testing.assert_array_equal(ds.labels, ref.labels)
    assert [Path(f).name for f in ds.files] == ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']


def test_emnist_raw_files_are_transposed_on_load(tmp_path):
    stored = np.zeros((47, 28, 28), np.uint8)
    stored[:, 3, 5:20] = 255  # a horizontal bar as stored = a vertical bar upright
    write_split(tmp_path, stored, np.arange(47), name='emnist', gz=False)
    ds = load_dataset('emnist', 'test', source='idx', data_dir=tmp_path)
    assert ds.images[0, 5:20, 3, 0].tolist() == [255]*15 and ds.images.sum() == 47*15*255


def test_count_mismatch(tmp_path):
    write_split(tmp_path, np.zeros((5, 28, 28)), np.zeros(4))
    with pytest.raises(HcrError) as info: load_dataset('mnist', 'test', source='idx', data_dir=tmp_path)
    assert '5 images but 4 labels' in str(info.value) and str(tmp_path) in str(info.value)


def test_images_in_the_labels_file(tmp_path):
    write_split(tmp_path, np.zeros((5, 28, 28)), np.zeros((5, 28, 28)))
    with pytest.raises(HcrError, match=r'the labels are an array of shape \(5, 28, 28\), expected one label an image'):
        load_dataset('mnist', 'test', source='idx', data_dir=tmp_path)


def test_images_not_28x28(tmp_path):
    write_split(tmp_path, np.zeros((5, 32, 32)), np.zeros(5))
    with pytest.raises(HcrError) as info: load_dataset('mnist', 'test', source='idx', data_dir=tmp_path)
    assert 'expected 28x28' in str(info.value) and '(32, 32)' in str(info.value)


def test_images_wrong_ndim(tmp_path):
    write_split(tmp_path, np.zeros((5, 784)), np.zeros(5))
    with pytest.raises(HcrError, match='expected 28x28'): load_dataset('mnist', 'test', source='idx', data_dir=tmp_path)


def test_labels_not_one_dimensional(tmp_path):
    write_split(tmp_path, np.zeros((5, 28, 28)), np.zeros((5, 2)))
    with pytest.raises(HcrError, match='labels'): load_dataset('mnist', 'test', source='idx', data_dir=tmp_path)


@pytest.mark.parametrize('name, bad_label', [('mnist', 10), ('emnist', 47), ('mnist', 255)])
def test_labels_out_of_range(tmp_path, name, bad_label):
    labels = np.zeros(6, np.uint8); labels[3] = bad_label
    write_split(tmp_path, np.zeros((6, 28, 28)), labels, name=name)
    with pytest.raises(HcrError) as info: load_dataset(name, 'test', source='idx', data_dir=tmp_path)
    assert f'label {bad_label} out of range' in str(info.value)


def test_corrupt_file_inside_dataset_is_named(tmp_path):
    write_split(tmp_path, np.zeros((5, 28, 28)), np.zeros(5))
    labels = tmp_path/'t10k-labels-idx1-ubyte.gz'
    labels.write_bytes(labels.read_bytes()[:-10])
    with pytest.raises(HcrError) as info: load_dataset('mnist', 'test', source='idx', data_dir=tmp_path)
    assert str(labels) in str(info.value)

# ---------------------------------------------------------------------------------------------- mapping

def mapping_text(chars) -> str:
    return ''.join(f'{i} {ord(c)}\n' for i, c in enumerate(chars))


def test_classes_from_mapping_file(tmp_path):
    # lines in another order and blank lines are fine: labels are sorted
    lines = mapping_text(EMNIST_CHARS).splitlines()
    (tmp_path/'emnist-balanced-mapping.txt').write_text('\n'.join(lines[::-1]) + '\n\n')
    assert read_mapping(tmp_path/'emnist-balanced-mapping.txt') == tuple(EMNIST_CHARS)
    assert classes('emnist', tmp_path) == tuple(EMNIST_CHARS)
    assert classes('emnist') == tuple(EMNIST_CHARS) and classes('mnist', tmp_path) == tuple('0123456789')
    assert read_mapping(SAMPLE_DIR/'emnist'/'emnist-balanced-mapping.txt') == tuple(EMNIST_CHARS)


@pytest.mark.parametrize('text, problem', [
    (mapping_text('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk'), 'not the EMNIST Balanced one'),  # byclass-like
    (mapping_text('0123456789'), 'not the EMNIST Balanced one'),
    ('0 48\n2 49\n', 'labels are not 0..1'),
    ('0 48\n1 x\n', 'not an EMNIST mapping file'),
    ('0 48 1\n', 'not an EMNIST mapping file'),
    ('just some text\n', 'not an EMNIST mapping file'),
    ('0 1114112\n', 'not an EMNIST mapping file'),  # beyond Unicode
])
def test_wrong_mapping_file(tmp_path, text, problem):
    mapping = tmp_path/'emnist-balanced-mapping.txt'
    mapping.write_text(text)
    with pytest.raises(HcrError) as info: classes('emnist', tmp_path)
    assert str(mapping) in str(info.value) and problem in str(info.value)


def test_wrong_mapping_file_stops_loading(tmp_path):
    write_split(tmp_path, np.zeros((3, 28, 28)), np.arange(3), name='emnist')
    (tmp_path/'emnist-balanced-mapping.txt').write_text(mapping_text(EMNIST_CHARS.swapcase()))
    with pytest.raises(HcrError, match='not the EMNIST Balanced one'):
        load_dataset('emnist', 'test', source='idx', data_dir=tmp_path)


def test_binary_mapping_file(tmp_path):
    (tmp_path/'emnist-balanced-mapping.txt').write_bytes(b'\xff\xfe\x00garbage\x80')
    with pytest.raises(HcrError, match='not an EMNIST mapping file'): classes('emnist', tmp_path)


def test_mapping_file_with_huge_code(tmp_path):
    (tmp_path/'emnist-balanced-mapping.txt').write_text('0 99999999999999999999\n')
    with pytest.raises(HcrError, match='not an EMNIST mapping file'): classes('emnist', tmp_path)

# ---------------------------------------------------------------------------------------------- sample

def test_sample_indices_reproducible():
    make_sample = load_script('make_sample')
    labels = np.random.default_rng(5).integers(0, 7, 2000)
    a = make_sample.sample_indices(labels, 40)
    b = make_sample.sample_indices(labels.copy(), 40)
    np.testing.assert_array_equal(a, b)
    assert np.all(np.diff(a) > 0)  # sorted, no repeats
    assert np.bincount(labels[a]).tolist() == [40]*7
    assert not np.array_equal(a, make_sample.sample_indices(labels, 40, seed=1))  # the seed is what fixes it


def test_sample_is_small():
    files = [f for f in SAMPLE_DIR.rglob('*') if f.is_file()]
    assert len(files) == 9
    assert sum(f.stat().st_size for f in files) < 4_000_000


@needs_shared
def test_sample_rebuilds_byte_identical(tmp_path, monkeypatch, capsys):
    make_sample = load_script('make_sample')
    monkeypatch.setattr(make_sample, 'SAMPLE_DIR', tmp_path)
    monkeypatch.setattr(sys, 'argv', ['make_sample.py', '--data', str(SHARED)])
    make_sample.main()
    shipped = sorted(f.relative_to(SAMPLE_DIR) for f in SAMPLE_DIR.rglob('*') if f.is_file())
    rebuilt = sorted(f.relative_to(tmp_path) for f in tmp_path.rglob('*') if f.is_file())
    assert rebuilt == shipped
    for f in shipped:
        assert (tmp_path/f).read_bytes() == (SAMPLE_DIR/f).read_bytes(), f


def test_tensorflow_looked_up_before_it_is_imported_still_starts_quietly():
    "TFDS looks TensorFlow up (importlib.util.find_spec) before importing it: hcr's quiet first import must still apply."
    code = "import hcr, importlib.util; importlib.util.find_spec('tensorflow'); import tensorflow; print('imported')"
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == 'imported', done.stderr[-2000:]
    assert 'absl::InitializeLog' not in done.stderr and 'port.cc' not in done.stderr, done.stderr[-2000:]
