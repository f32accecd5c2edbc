"A research result is worth what its rerun is worth: crash and resume, identical reruns, bad input at the command line."
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLE_RUN_ARGS

ROOT = Path(__file__).resolve().parents[1]
TRAIN = [sys.executable, '-m', 'hcr', 'train', '--source', 'sample', '--batch-size', '32']


def hcr(*args, timeout=300):
    return subprocess.run([sys.executable, '-m', 'hcr', *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def check_run_files_whole(run: Path):
    "Every file a run has written parses: nothing is half-written."
    for f in run.glob('*.json'): json.loads(f.read_text())
    if (run/'history.csv').exists(): pd.read_csv(run/'history.csv')
    assert not [p for p in run.iterdir() if p.name.startswith('.')], 'temporary files left behind'


def test_sigkill_mid_epoch_then_resume(tmp_path):
    run = tmp_path/'run'
    cmd = [*TRAIN, '--epochs', '5', '--out', str(run)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline:  # wait until two epochs are done, then a little into the third
        if (run/'history.csv').exists() and len(pd.read_csv(run/'history.csv')) >= 2: break
        time.sleep(0.2)
    else:
        proc.kill(); pytest.fail('training never finished two epochs')
    time.sleep(0.7)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = len(pd.read_csv(run/'history.csv'))
    assert killed_at < 5 and not (run/'model.keras').exists() and not (run/'metrics.json').exists()
    assert (run/'backup').is_dir() and (run/'checkpoint.keras').is_file()
    check_run_files_whole(run)

    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    history = pd.read_csv(run/'history.csv')
    assert list(history.epoch) == [0, 1, 2, 3, 4]  # resumed: the epochs before the kill kept, none repeated
    assert f'Epoch {killed_at + 1}/5' in done.stdout and 'Epoch 1/5' not in done.stdout
    metrics = json.loads((run/'metrics.json').read_text())
    assert metrics['epochs_run'] == 5 and 0.5 < metrics['test_accuracy'] <= 1
    assert not (run/'backup').exists() and not (run/'checkpoint.keras').exists()
    check_run_files_whole(run)


def test_same_seed_same_metrics(sample_run, tmp_path):
    "conftest's `sample_run` is `hcr train ... --seed 7`: the same command again, in a new process, gives the same bytes."
    assert SAMPLE_RUN_ARGS[-2:] == ('--seed', '7')
    runs = {'a': sample_run, 'b': tmp_path/'b', 'c': tmp_path/'c'}
    for name, seed in (('b', '7'), ('c', '8')):
        done = subprocess.run([sys.executable, '-m', 'hcr', 'train', *SAMPLE_RUN_ARGS[:-1], seed, '--out', str(runs[name])],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
    assert (runs['a']/'metrics.json').read_bytes() == (runs['b']/'metrics.json').read_bytes()
    # a different seed really gives a different model: the test above is not comparing constants
    assert json.loads((runs['c']/'metrics.json').read_text())['per_class_f1'] != \
           json.loads((runs['a']/'metrics.json').read_text())['per_class_f1']


def test_run_records_what_redoes_it(sample_run):
    record = json.loads((sample_run/'run.json').read_text())
    assert record['params']['seed'] == 7 and record['params']['epochs'] == 2
    assert {'tensorflow', 'keras', 'numpy', 'python'} <= set(record['versions'])
    assert 'hcr train' in record['command'] or '-m hcr train' in record['command'] or 'train --source' in record['command']
    files = record['data']['files']
    assert len(files) == 2 and all(len(digest) == 64 for digest in files.values())
    assert record['git_commit'] is None or len(record['git_commit'].split('+')[0]) == 40


@pytest.mark.parametrize('args, message', [
    (['train', '--source', 'idx', '--data-dir', '/tmp'], 'no MNIST train files'),
    (['train', '--model', 'resnet'], "unknown model 'resnet'"),
    (['train', '--strategy', 'ring'], "unknown strategy 'ring'"),
    (['train', '--batch-size', '0'], 'batch size must be a whole number of at least 1'),
    (['train', '--logit-adjustment', '-1'], 'logit adjustment must be a number from 0 to 10'),
    (['train', '--strategy', 'multiworker', '--source', 'sample'], 'needs TF_CONFIG'),
    (['evaluate', '/nonexistent/run'], 'no such run folder'),
    (['predict', 'x.png', '--model', '/nonexistent'], 'no model there'),
])
def test_bad_input_is_one_clear_line(args, message):
    done = hcr(*args)
    assert done.returncode == 1
    lines = [l for l in done.stderr.splitlines() if l.startswith('hcr: error:')]
    assert len(lines) == 1 and message in lines[0], done.stderr[-1000:]
    assert 'Traceback' not in done.stderr


def test_output_path_that_is_a_file_or_unwritable(tmp_path):
    (tmp_path/'file').write_text('keep me')
    done = hcr('train', '--source', 'sample', '--out', tmp_path/'file')
    assert done.returncode == 1 and 'exists and is not a folder' in done.stderr
    assert (tmp_path/'file').read_text() == 'keep me'
    if os.geteuid() == 0: unwritable = Path('/proc/hcr-run')  # root writes anywhere, but procfs takes no new folders
    else:
        locked = tmp_path/'locked'; locked.mkdir(); locked.chmod(0o500)
        unwritable = locked/'run'
    done = hcr('train', '--source', 'sample', '--out', unwritable)
    assert done.returncode == 1 and 'cannot write there' in done.stderr and not unwritable.exists()


def test_model_of_the_other_dataset_and_a_fake_model(copy_of_sample_run):
    run = copy_of_sample_run
    meta = json.loads((run/'run.json').read_text())
    meta['params']['dataset'] = 'emnist'  # a run folder claiming the other dataset
    (run/'run.json').write_text(json.dumps(meta))
    done = hcr('evaluate', run, '--source', 'sample')
    assert done.returncode == 1 and 'was it trained on the other dataset?' in done.stderr
    (run/'model.keras').write_bytes(b'PK\x03\x04 not really a zip')
    done = hcr('evaluate', run)
    assert done.returncode == 1 and 'not a' in done.stderr and 'model' in done.stderr


def test_refusals_before_training_never_load_tensorflow(tmp_path):
    "A run folder that cannot be one, one holding a run with other settings, missing data: refused before TensorFlow loads."
    (tmp_path/'file').write_text('keep me')
    (tmp_path/'other').mkdir()
    (tmp_path/'other'/'pending.json').write_text(json.dumps({'params': {'seed': 3, 'source': 'sample'}}))
    script = ('import atexit, sys\nfrom hcr.cli import main\n'
              'atexit.register(lambda: print("tensorflow loaded:", "tensorflow" in sys.modules))\nmain(sys.argv[1:])')
    for args, message in ((['--out', tmp_path/'file'], 'exists and is not a folder'),
                          (['--out', tmp_path/'other'], 'holds an interrupted run with other settings'),
                          (['--source', 'idx', '--data-dir', tmp_path, '--out', tmp_path/'new'], 'no MNIST train files')):
        done = subprocess.run([sys.executable, '-c', script, 'train', '--source', 'sample', *map(str, args)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and message in done.stderr, done.stderr[-2000:]
        assert done.stdout.strip() == 'tensorflow loaded: False'
    assert not (tmp_path/'new').exists() and (tmp_path/'file').read_text() == 'keep me'
