"""A research result is worth what its rerun is worth: crash and resume, identical reruns, one writer per run folder, a
resume that is the same run, nothing stale left behind, and bad input at the command line refused in one clear line."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE_RUN_ARGS

from hcr.core import HcrError
from hcr.runs import LOCK_NAME, PENDING, hold_lock
from places import ROOT

TRAIN_ARGS = ('train', '--source', 'sample', '--batch-size', '32', '--epochs', '1')  # a later --epochs overrides
TRAIN = [sys.executable, '-m', 'hcr', *TRAIN_ARGS]
ENV = {**os.environ, 'PYTHONPATH': str(ROOT), 'TF_CPP_MIN_LOG_LEVEL': '3', 'MPLBACKEND': 'Agg'}


def hcr(*args, env=ENV, timeout=400):
    return subprocess.run([sys.executable, '-m', 'hcr', *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


def hcr_train(*args, env=ENV):
    return hcr(*TRAIN_ARGS, *args, env=env)


def one_error_line(done) -> str:
    "The run failed with exactly one line on stderr, 'hcr: error: ...'; return it."
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('hcr: error: '), done.stderr[-2000:]
    return lines[0]


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
    for command in ('evaluate', 'export'):  # a stopped run is named as such, with the way on
        assert one_error_line(hcr(command, run)).endswith('an unfinished run (its training stopped before the end): '
                                                          'run its hcr train command again to resume it')

    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    history = pd.read_csv(run/'history.csv')
    assert list(history.epoch) == [0, 1, 2, 3, 4]  # resumed: the epochs before the kill kept, none repeated
    assert f'Epoch {killed_at + 1}/5' in done.stdout and 'Epoch 1/5' not in done.stdout
    assert f'resuming after epoch {killed_at} of 5;' in done.stdout  # said, and recorded: its weights differ slightly
    assert json.loads((run/'run.json').read_text())['resumed_after_epochs'] == [killed_at]  # from an uninterrupted run's
    metrics = json.loads((run/'metrics.json').read_text())
    assert metrics['epochs_run'] == 5 and 0.5 < metrics['test_accuracy'] <= 1
    assert not (run/'backup').exists() and not (run/'checkpoint.keras').exists()
    check_run_files_whole(run)


def test_ctrl_c_says_how_to_resume(tmp_path):
    run = tmp_path/'run'
    # SIGINT as a terminal delivers it: a process started in the background by a shell (as CI may start the tests)
    # inherits SIGINT ignored, and Python then installs no KeyboardInterrupt for it
    proc = subprocess.Popen([*TRAIN, '--epochs', '50', '--out', str(run)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 240
    while time.time() < deadline and not (run/'history.csv').exists(): time.sleep(0.2)  # training under way
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert err.strip().splitlines()[-1] == 'hcr: interrupted: run the same command again to go on (stopped during its epochs, the training resumes after the last finished one)', err[-2000:]


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
    (['predict', 'x.png', '--model', '/nonexistent'], 'no such run folder (without one'),
    (['predict', ''], 'no image file given (an empty name)'),
    (['sweep', '--source', 'sample', '-p', 'seed', '0', '-p', 'seed', '1'], 'seed given with more than one -p'),
    (['sweep', '--source', 'sample', '-p', 'seed', '0', '1', '--seed', '5'], 'seed given both with -p and as a flag'),
    (['train', '--source', 'sample', '--no-augment', '--unaugmented', '0.5'], '--unaugmented 0.5 with --no-augment'),
    (['compare', 'a', 'b', '--figure', 'fig'], 'fig: figures are PNG files; give a name ending in .png'),
    (['sweep', '--source', 'sample', '-p', 'learning_rate', '0.001', '1e-3'], 'learning_rate 0.001 is given twice'),
    (['predict', 'a' * 300 + '/x.png'], 'x.png: File name too long'),  # an error of the system, caught by the CLI
    (['evaluate', 'a' * 300], 'a: File name too long'),
    (['report', '--source', 'sample', '--reports-dir', ''], 'the reports folder name is empty'),
    (['sweep', '--source', 'sample', '-p', 'seed', '0', '--sweep-dir', ' '], 'the sweep folder name is empty'),
])
def test_bad_input_is_one_clear_line(args, message, tmp_path):
    done = hcr(*args, *(['--out', tmp_path/'run'] if args[0] == 'train' else []))  # not runs/mnist: a person's own run may be there
    assert done.returncode == 1
    lines = [l for l in done.stderr.splitlines() if l.startswith('hcr: error:')]
    assert len(lines) == 1 and message in lines[0], done.stderr[-1000:]
    assert 'Traceback' not in done.stderr


def test_version():
    from hcr import __version__
    done = hcr('--version')
    assert (done.returncode, done.stdout) == (0, f'hcr {__version__}\n')


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
    assert done.returncode == 1 and 'cannot make the run folder there' in done.stderr and not unwritable.exists()
    done = hcr('train', '--source', 'sample', '--val-fraction', '0.999', '--out', tmp_path/'new'/'run')
    assert done.returncode == 1 and 'each needs an image of every class' in done.stderr
    assert not (tmp_path/'new').exists()  # a failed start leaves none of the folders it made


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


def test_evaluating_on_another_test_set_says_what_it_replaces(tmp_path):
    run = Path(shutil.copytree(ROOT/'reports'/'mnist'/'run', tmp_path/'run'))
    done = hcr('evaluate', run, '--source', 'sample')
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.strip() == (f"hcr: warning: {run/'metrics.json'}: replaced: it held the idx test set (10,000 images), "
                                   'now the sample one (1,000)')
    assert json.loads((run/'metrics.json').read_text())['test_count'] == 1000
    assert hcr('evaluate', run, '--source', 'sample').stderr == ''  # the same test set again: nothing to say


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
