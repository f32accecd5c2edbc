"""Cold start, peak memory and throughput of prediction: a plain Keras script against hcr's runtimes (onnx, litert, keras).

    python benchmarks/predict_cold.py [--run reports/mnist/run] [--data ../shared/data] [--repeats 3]

Cold start: one fresh process per prediction of one PNG, from process start to its answer (the process's exit), and
the process's peak resident memory (`ru_maxrss` of that child, from `os.wait4`). This parent process imports nothing
but the standard library, and does the TensorFlow work (exporting the run) in a child first: on Linux a child's
`ru_maxrss` is at least its parent's resident size at fork, so a heavy parent would inflate every figure.
Each command runs once to warm the file cache, then `--repeats` times; the table shows the median wall time and the
largest peak. Throughput: each runtime in its own process predicts the run's test images (10,000 for MNIST, after one
warm batch).

The PNG is the first test image of the run's dataset, 28x28, white on black: the plain Keras script scales it and
predicts; hcr's commands are `hcr predict char.png --model RUN --runtime X`, which read the file, prepare it with
`hcr.preprocess.prepare_image` (no TensorFlow) and print the answer.
Targets (on 2 cores): the onnx path at most 1/8 of the plain Keras script's wall time and of its peak memory.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TARGET = 1/8

PLAIN_KERAS = '''import sys
import numpy as np, keras
from PIL import Image
model = keras.saving.load_model(sys.argv[1])
x = np.asarray(Image.open(sys.argv[2]).convert("L"), np.float32)[None, :, :, None] / 255
print(int(model.predict(x, verbose=0).argmax()))
'''

PLAIN_THROUGHPUT = '''import sys, time
import numpy as np, keras
model = keras.saving.load_model(sys.argv[1])
x, labels = np.load(sys.argv[2]).astype(np.float32) / 255, np.load(sys.argv[3])
model.predict(x[:256], batch_size=256, verbose=0)
start = time.perf_counter(); p = model.predict(x, batch_size=256, verbose=0); seconds = time.perf_counter() - start
print(len(x) / seconds, (p.argmax(1) == labels).mean())
'''

RUNTIME_THROUGHPUT = '''import sys, time
import numpy as np
from hcr.runtime import load_runtime
model = load_runtime(sys.argv[2], sys.argv[1])
x, labels = np.load(sys.argv[3]), np.load(sys.argv[4])
model.predict(x[:256])
start = time.perf_counter(); p = model.predict(x); seconds = time.perf_counter() - start
print(len(x) / seconds, (p.argmax(1) == labels).mean())
'''

SETUP = '''import sys, shutil
from pathlib import Path
import numpy as np
from PIL import Image
from hcr.data import load_dataset
from hcr.export import export_run
from hcr.runs import load_run
run, data, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
export_run(run, ("onnx", "litert"), out_dir=out)
for name in ("model.keras", "run.json", "labels.json"): shutil.copy(run / name, out / name)  # a run folder
dataset = load_run(run).dataset
test = load_dataset(dataset, "test", "idx", data / dataset) if (data / dataset).is_dir() else load_dataset(dataset, "test", "sample")
Image.fromarray(test.images[0, :, :, 0]).save(out / "char.png")
np.save(out / "images.npy", test.images); np.save(out / "labels.npy", test.labels)
print(dataset, test.source, len(test), test.classes[test.labels[0]])
'''


def cold_commands(d: Path) -> dict[str, list[str]]:
    "The command of each cold start, in the run folder `d` (model.keras, model.onnx, model.tflite, char.png)."
    return {'plain keras': [PY, '-c', PLAIN_KERAS, str(d/'model.keras'), str(d/'char.png')],
            **{kind: [PY, '-m', 'hcr', 'predict', str(d/'char.png'), '--model', str(d), '--runtime', kind, '--top-k', '1']
               for kind in ('onnx', 'litert', 'keras')}}


def throughput_commands(d: Path) -> dict[str, list[str]]:
    "The command that measures each runtime's images/s on the test images in `d`."
    data = [str(d/'images.npy'), str(d/'labels.npy')]
    return {
        'plain keras': [PY, '-c', PLAIN_THROUGHPUT, str(d/'model.keras'), *data],
        **{kind: [PY, '-c', RUNTIME_THROUGHPUT, kind, str(d/f'model.{suffix}'), *data]
           for kind, suffix in (('onnx', 'onnx'), ('litert', 'tflite'), ('keras', 'keras'))},
    }


def environment() -> dict:
    "The children's environment: this checkout's hcr first, TensorFlow's C++ logging off."
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get('PYTHONPATH', '')) if p)
    return {**os.environ, 'PYTHONPATH': path, 'TF_CPP_MIN_LOG_LEVEL': '3'}


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    "Run `cmd`; its wall seconds from start to exit, its peak resident MiB, and its last line of output."
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=environment())
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0); err.seek(0)
        text = out.read().decode().strip()
        if proc.returncode != 0:
            sys.exit(f'failed ({proc.returncode}): {" ".join(cmd[:2])} ...\n{err.read().decode()[-2000:]}')
    return wall, usage.ru_maxrss/1024, (text.splitlines() or [''])[-1]  # ru_maxrss is in KiB on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--run', default=str(ROOT/'reports'/'mnist'/'run'), help='the run to predict with')
    parser.add_argument('--data', default=str(ROOT.parent/'shared'/'data'), help="folder with the run's dataset, mnist/ or emnist/ (else the sample)")
    parser.add_argument('--repeats', type=int, default=3, help='measured cold starts per command (after one warm-up)')
    args = parser.parse_args()
    print(f'{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} '
          f'at start; Python {platform.python_version()}')
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        setup = subprocess.run([PY, '-c', SETUP, args.run, args.data, str(d)], capture_output=True, text=True, env=environment())
        if setup.returncode != 0: sys.exit(f'setup failed:\n{setup.stderr[-2000:]}')
        dataset, source, n, truth = setup.stdout.split()
        print(f'model: {args.run}; exported to onnx and litert; test images: {n} ({dataset}, {source}); the PNG is a {truth!r}\n')

        cold = {}
        for name, cmd in cold_commands(d).items():
            measure(cmd, d)  # warm the file cache
            runs = [measure(cmd, d) for _ in range(args.repeats)]
            cold[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs), runs[-1][2])
        speed = {name: measure(cmd, d)[2].split() for name, cmd in throughput_commands(d).items()}

    base_wall, base_mem, _ = cold['plain keras']
    base_speed = float(speed['plain keras'][0])
    print(f'{"":<12} {"cold start s":>12} {"x keras":>8} {"peak MiB":>9} {"x keras":>8} {"images/s":>9} {"x keras":>8} '
          f'{"accuracy":>9}  answer')
    for name, (wall, mem, answer) in cold.items():
        ips, acc = float(speed[name][0]), float(speed[name][1])
        print(f'{name:<12} {wall:>12.2f} {wall/base_wall:>8.3f} {mem:>9.0f} {mem/base_mem:>8.3f} {ips:>9,.0f} '
              f'{ips/base_speed:>8.2f} {acc:>9.2%}  {answer}')
    print(f'\n(cold start: median of {args.repeats} after a warm-up; peak: the largest of them; images/s: {n} test images, '
          'batches of 256)')
    wall, mem, _ = cold['onnx']
    print(f'{"PASS" if wall <= TARGET*base_wall else "FAIL"}: onnx cold start {wall:.2f} s <= 1/8 of plain Keras '
          f'({TARGET*base_wall:.2f} s)')
    print(f'{"PASS" if mem <= TARGET*base_mem else "FAIL"}: onnx peak memory {mem:.0f} MiB <= 1/8 of plain Keras '
          f'({TARGET*base_mem:.0f} MiB)')


if __name__ == '__main__':
    main()
