"""Tests of distributed training: MirroredStrategy over two CPU devices, and two workers on this machine."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

RUN_FILES = ['history.csv', 'labels.json', 'model.json', 'model.keras', 'model.onnx', 'run.json']  # what a finished run leaves, as on the fit path
TIMEOUT = 900  # a guard against workers that wait for each other forever, not a speed limit (under load, 2 cores needed over 240 s)


def worker_env(**extra) -> dict:
    "This process's environment without any cluster description, quiet TensorFlow logs, plus `extra`."
    env = {k: v for k, v in os.environ.items() if k != 'TF_CONFIG'}
    return {**env, 'TF_CPP_MIN_LOG_LEVEL': '2', **extra}


def start(script: str, args: list, log: Path, env: dict) -> subprocess.Popen:
    "Run `script` with `args` in a new Python process, its output going to `log` (a pipe could fill up and block)."
    with open(log, 'w') as out:
        return subprocess.Popen([sys.executable, '-c', textwrap.dedent(script), *map(str, args)],
                                stdout=out, stderr=subprocess.STDOUT, env=env)


def wait_all(procs: list, logs: list, timeout: float = TIMEOUT):
    "Wait for every process to succeed; on the first failure or at `timeout`, kill the rest and fail with the logs."
    deadline = time.monotonic() + timeout
    while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
        if any(p.returncode not in (None, 0) for p in procs): break  # the others would wait for it forever
        time.sleep(0.5)
    for p in procs:
        if p.poll() is None: p.kill(); p.wait()
    codes = [p.returncode for p in procs]
    assert codes == [0]*len(procs), f'exit codes {codes}:\n' + '\n\n'.join(Path(l).read_text()[-3000:] for l in logs)


def free_ports(n: int) -> list[int]:
    "`n` ports nobody is listening on now (the OS picks them)."
    socks = [socket.socket() for _ in range(n)]
    for s in socks: s.bind(('127.0.0.1', 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks: s.close()
    return ports


def assert_complete_run(run_dir: Path, strategy: str, epochs: int):
    "`run_dir` holds exactly a finished run of `epochs` epochs trained with `strategy`."
    assert sorted(p.name for p in run_dir.iterdir()) == RUN_FILES
    record = json.loads((run_dir/'run.json').read_text())
    assert record['params']['strategy'] == strategy
    assert record['epochs_run'] == epochs and record['data']['train_count'] == 2700 and record['data']['val_count'] == 300
    history = pd.read_csv(run_dir/'history.csv')
    assert list(history.columns) == ['epoch', 'accuracy', 'loss', 'val_accuracy', 'val_loss', 'learning_rate']
    assert list(history.epoch) == list(range(epochs))
    assert history.val_accuracy.iloc[-1] > 0.2  # learnt something: chance is 0.1


MIRRORED = '''
    import json, sys
    import tensorflow as tf
    # two logical CPU devices, set before TensorFlow starts, stand in for two GPUs
    cpu = tf.config.list_physical_devices('CPU')[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from hcr.config import TrainConfig
    from hcr.train import train
    class Replicas(keras.callbacks.Callback):
        def on_train_begin(self, logs=None): print('REPLICAS', self.model.distribute_strategy.num_replicas_in_sync)
    train(TrainConfig(model='small', epochs=1, batch_size=32, source='sample', strategy='mirrored'), out_dir=sys.argv[1], verbose=0,
          callbacks=[Replicas()])
'''


def test_mirrored_two_devices(tmp_path):
    run_dir, log = tmp_path/'run', tmp_path/'mirrored.log'
    wait_all([start(MIRRORED, [run_dir], log, worker_env())], [log])
    assert 'REPLICAS 2' in log.read_text().splitlines()
    assert_complete_run(run_dir, 'mirrored', epochs=1)


WORKER = '''
    import sys
    import numpy as np
    from hcr.config import TrainConfig
    from hcr.train import train
    result = train(TrainConfig(model='small', epochs=2, batch_size=32, source='sample', strategy='multiworker'), out_dir=sys.argv[1], verbose=1)
    np.savez(sys.argv[2], **{v.path.replace('/', '.'): v.numpy() for v in result.model.weights})
'''


def epoch_numbers(log: Path) -> list[str]:
    "The metrics of each epoch line a worker printed, without the time it took."
    return [line.split(' - ', 2)[2] for line in log.read_text().splitlines() if line.startswith('Epoch ')]


def test_two_workers_train_in_step(tmp_path):
    ports = free_ports(2)
    cluster = {'worker': [f'127.0.0.1:{p}' for p in ports]}
    procs, logs = [], []
    for i in range(2):
        (tmp_path/f'tmp{i}').mkdir()  # each worker's TMPDIR: the non-chief's temporary run folder goes there
        env = worker_env(TF_CONFIG=json.dumps({'cluster': cluster, 'task': {'type': 'worker', 'index': i}}),
                         TMPDIR=str(tmp_path/f'tmp{i}'))
        logs.append(tmp_path/f'worker{i}.log')
        procs.append(start(WORKER, [tmp_path/f'run{i}', tmp_path/f'weights{i}.npz'], logs[-1], env))
    wait_all(procs, logs)

    assert_complete_run(tmp_path/'run0', 'multiworker', epochs=2)
    assert list((tmp_path/'run1').iterdir()) == [] and list((tmp_path/'tmp1').iterdir()) == []  # worker 1 kept nothing
    assert len(epoch_numbers(logs[0])) == 2 and epoch_numbers(logs[0]) == epoch_numbers(logs[1])

    w0, w1 = np.load(tmp_path/'weights0.npz'), np.load(tmp_path/'weights1.npz')
    assert sorted(w0) == sorted(w1)
    moving = {k: 1.0 if k.endswith('moving_variance') else 0.0 for k in w0 if 'moving_' in k}  # name: initial value
    assert len(moving) == 6 and all(np.abs(w0[k] - start).max() > 1e-3 for k, start in moving.items()), \
        'BatchNorm moving statistics never moved, so their equality would prove nothing'
    for k in w0: np.testing.assert_allclose(w1[k], w0[k], rtol=0, atol=1e-6, err_msg=k)
