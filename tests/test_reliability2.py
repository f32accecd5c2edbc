"""Reliability, second round (issue 16): one writer per run folder, a resume that is the same run, nothing stale left
behind, and every image a camera or a scanner makes."""
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings, strategies as st
from PIL import Image

from hcr.core import HcrError
from hcr.data import load_dataset
from hcr.predict import ImageTooLarge, MAX_PIXELS, Prediction, load_predictor, predict_arrays, predict_files, read_image
from hcr.preprocess import prepare_image
from hcr.runs import LOCK_NAME, PENDING, hold_lock, load_run

ROOT = Path(__file__).resolve().parents[1]
TRAIN = [sys.executable, '-m', 'hcr', 'train', '--source', 'sample', '--batch-size', '32', '--epochs', '1']
ENV = {**os.environ, 'PYTHONPATH': str(ROOT), 'TF_CPP_MIN_LOG_LEVEL': '3', 'MPLBACKEND': 'Agg'}


def hcr_train(*args, env=ENV):
    return subprocess.run([*TRAIN, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=400, env=env)


def one_error_line(done) -> str:
    "The run failed with exactly one line on stderr, 'hcr: error: ...'; return it."
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('hcr: error: '), done.stderr[-2000:]
    return lines[0]


# ------------------------------------------------------------------------------------------------- run folders

def test_two_writers_finished_run_overwrite(tmp_path):
    "Two real processes into one folder; then the same command again only evaluates; other settings need --overwrite."
    run = tmp_path/'run'
    procs = [subprocess.Popen([*TRAIN, '--seed', str(seed), '--save-h5', '--out', str(run)], cwd=ROOT, env=ENV,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in (1, 2)]
    outs = [(p, *p.communicate(timeout=400)) for p in procs]
    codes = sorted(p.returncode for p, _, _ in outs)
    assert codes == [0, 1], [(p.returncode, err[-1500:]) for p, _, err in outs]
    winner, loser = sorted(outs, key=lambda o: o[0].returncode)
    line = loser[2].strip().splitlines()
    assert len(line) == 1, loser[2][-1500:]
    assert line[0] == (f'hcr: error: {run}: in use by another hcr process (pid {winner[0].pid}); '
                       'wait for it to end, or choose another folder')
    record, metrics = (json.loads((run/name).read_text()) for name in ('run.json', 'metrics.json'))
    assert record['params']['seed'] == metrics['seed']  # one run's files only
    assert (run/'model.h5').is_file() and not (run/LOCK_NAME).exists() and not (run/PENDING).exists()

    # killed during the final evaluation: the model is saved, the metrics are not, a figure was half-written
    (run/'metrics.json').unlink()
    (run/'figures'/'.mistakes-k1ll3d.png').write_bytes(b'half a png')
    model_time = (run/'model.keras').stat().st_mtime_ns
    again = hcr_train('--seed', record['params']['seed'], '--save-h5', '--out', run)
    assert again.returncode == 0, again.stderr[-2000:]
    assert 'already trained with these settings' in again.stdout and 'Epoch 1/1' not in again.stdout
    assert (run/'model.keras').stat().st_mtime_ns == model_time and (run/'metrics.json').is_file()
    assert not [p for p in (run/'figures').iterdir() if p.name.startswith('.')]

    other = hcr_train('--seed', 5, '--out', run)  # other settings: refused, the finished run untouched
    assert 'holds a finished run with other settings (' in one_error_line(other)
    assert "seed 1 there, 5 here" in other.stderr or "seed 2 there, 5 here" in other.stderr
    assert 'save_h5 True there, False here' in other.stderr and 'pass --overwrite to replace it' in other.stderr
    assert (run/'model.keras').stat().st_mtime_ns == model_time

    replaced = hcr_train('--seed', 5, '--out', run, '--overwrite')
    assert replaced.returncode == 0, replaced.stderr[-2000:]
    assert json.loads((run/'run.json').read_text())['params']['seed'] == 5
    assert json.loads((run/'metrics.json').read_text())['seed'] == 5
    assert not (run/'model.h5').exists()  # nothing of the old run is left


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    run = tmp_path/'run'
    holder = subprocess.Popen([sys.executable, '-c', 'import sys, time\nfrom hcr.runs import run_lock\n'
                               'with run_lock(sys.argv[1]):\n    print("held", flush=True); time.sleep(60)', str(run)],
                              cwd=ROOT, env=ENV, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == 'held'
    with pytest.raises(HcrError, match=rf'in use by another hcr process \(pid {holder.pid}\)'):
        with hold_lock(run/LOCK_NAME, run): pass
    holder.kill(); holder.wait()  # dies holding it: its run.lock stays, with its pid
    assert (run/LOCK_NAME).read_text().strip() == str(holder.pid)
    with hold_lock(run/LOCK_NAME, run): assert (run/LOCK_NAME).read_text().strip() == str(os.getpid())
    assert not (run/LOCK_NAME).exists()


class Poison:
    "Make the weights NaN after the third batch, as a diverging run would: the next batch's loss is NaN."
    def __new__(cls):
        import keras
        class _Poison(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                if batch == 2:
                    w = self.model.trainable_weights[0]
                    w.assign(w * np.nan)
        return _Poison()


def test_diverging_run_stops_cleanly_then_a_resume_must_be_the_same_run(tmp_path):
    from hcr.config import TrainConfig
    from hcr.train import train
    run = tmp_path/'run'
    with pytest.raises(HcrError) as info:
        train(TrainConfig(source='sample', epochs=1, batch_size=32), out_dir=run, verbose=0, callbacks=[Poison()])
    message = str(info.value)
    assert message == ('training diverged: the loss became nan in epoch 1, batch 4; lower the learning rate (0.003 now) '
                       'and start over with --overwrite')
    assert not (run/'run.json').exists() and not (run/'model.keras').exists() and (run/PENDING).is_file()
    assert not (run/LOCK_NAME).exists()

    # the interrupted run's folder, with other settings, another dataset: one line naming the differences
    other = hcr_train('--no-augment', '--learning-rate', 0.01, '--seed', 5, '--out', run)
    line = one_error_line(other)
    assert 'holds an interrupted run with other settings (' in line
    for diff in ('learning_rate 0.003 there, 0.01 here', 'seed 0 there, 5 here', 'augment True there, False here'):
        assert diff in line
    assert line.endswith('rerun with its settings to resume it, or pass --overwrite to start over')
    emnist = hcr_train('--dataset', 'emnist', '--out', run)
    assert "dataset 'mnist' there, 'emnist' here" in one_error_line(emnist)
    assert not (run/'run.json').exists()


def test_data_dir_env_naming_a_missing_folder_is_an_error(tmp_path):
    done = hcr_train('--source', 'auto', '--out', tmp_path/'run', env={**ENV, 'HCR_DATA_DIR': str(tmp_path/'nowhere')})
    assert one_error_line(done) == (f'hcr: error: {tmp_path/"nowhere"}: no such folder (given as HCR_DATA_DIR); '
                                    'point it at the folder holding the IDX files')
    assert not (tmp_path/'run').exists()  # nothing created


def test_report_folders_honour_the_umask_and_dead_work_folders_go(tmp_path, monkeypatch):
    "The report notebook itself is replaced by a copy of a finished notebook: this is about folders, not training."
    import nbformat
    import papermill
    from hcr.config import TrainConfig
    from hcr.report import run_report
    reports = tmp_path/'reports'
    dead = [reports/'.mnist-sample-k1ll3d00', reports/'.mnist-sample-old']
    kept = [reports/'.mnist-abcdefgh', reports/'.mnist-sample-notmine']  # another report's; not mkdtemp's name
    for d in dead + kept: (d/'run').mkdir(parents=True)

    def execute_notebook(_, output, **kw):
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# a report')]), output)
    monkeypatch.setattr(papermill, 'execute_notebook', execute_notebook)
    old = os.umask(0o002)
    try: final = run_report(TrainConfig(source='sample'), reports, progress=False)
    finally: os.umask(old)
    assert final == reports/'mnist-sample' and (final/'report.html').is_file()
    assert final.stat().st_mode & 0o777 == 0o775  # group-writable as the umask says, not mkdtemp's 0700
    assert not any(d.exists() for d in dead) and all(d.exists() for d in kept)
    assert not (reports/'.mnist-sample.lock').exists()

    holder = subprocess.Popen([sys.executable, '-c', 'import sys, time\nfrom hcr.runs import hold_lock\n'
                               'with hold_lock(sys.argv[1], "x"):\n    print("held", flush=True); time.sleep(60)',
                               str(reports/'.mnist-sample.lock')], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'held'
        with pytest.raises(HcrError, match=rf'mnist-sample: in use by another hcr process \(pid {holder.pid}\)'):
            run_report(TrainConfig(source='sample'), reports, progress=False)
    finally: holder.kill(); holder.wait()


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


def test_exif_orientation_is_applied(tmp_path, digit):
    paper, expected = digit
    upright = Image.fromarray(paper).convert('RGB')
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the stored pixels must be turned 90 degrees clockwise to be upright
    upright.transpose(Image.Transpose.ROTATE_90).save(tmp_path/'photo.jpg', exif=exif, quality=95)
    got = prepare_image(read_image(tmp_path/'photo.jpg'))
    assert np.corrcoef(got.ravel(), expected.ravel())[0, 1] > 0.95
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
