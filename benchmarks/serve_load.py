"""A bounded load test of `hcr serve` on this machine: start the server on 127.0.0.1 and a free port (a separate
process, `python -m hcr.serve`), send it N prediction requests, C at a time, stop it, and print the latency
percentiles, the throughput and the errors.

Each request is a real one: a 300x300 PNG of an MNIST or EMNIST test image from the sample bundled with hcr, drawn as
dark ink on light paper (`tests/paper.py`), posted as the multipart field `image`, alternately to the digits
and the letters model. Ten requests before the measured ones warm the server up. Nothing leaves 127.0.0.1.

    python benchmarks/serve_load.py                       # 500 requests, 8 at a time
    python benchmarks/serve_load.py --requests 100 --concurrency 4 --json load.json
"""
from __future__ import annotations

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import httpx2 as httpx  # a dev requirement (the tests use it too)
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT/'tests')]  # this checkout's hcr, here and in the server; the tests' paper drawing
from hcr.data import load_dataset
from paper import on_paper

HOST = '127.0.0.1'


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def payloads(count: int = 100) -> list[tuple[str, bytes, str]]:
    "(dataset, PNG bytes, label) for `count` test images of each dataset, interleaved."
    out = []
    for name in ('mnist', 'emnist'):
        ds = load_dataset(name, 'test', source='sample')
        for i in range(count):
            buf = io.BytesIO()
            Image.fromarray(on_paper(ds.images[i])).save(buf, 'PNG')
            out.append((name, buf.getvalue(), ds.classes[ds.labels[i]]))
    return [out[i // 2 + (i % 2) * count] for i in range(2 * count)]


def start(port: int, log) -> subprocess.Popen:
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]).rstrip(os.pathsep)}
    proc = subprocess.Popen([sys.executable, '-m', 'hcr', 'serve', '--host', HOST, '--port', str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None: raise RuntimeError(f'the server exited with status {proc.returncode}')
        try:
            if httpx.get(f'http://{HOST}:{port}/api/health', timeout=2).status_code == 200: return proc
        except httpx.TransportError: pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError('the server did not answer within 180 s')


def stop(proc: subprocess.Popen):
    proc.terminate()  # uvicorn shuts down gracefully on SIGTERM
    try: proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--requests', type=int, default=500, help='measured requests (default 500)')
    p.add_argument('--concurrency', type=int, default=8, help='requests in flight at once (default 8)')
    p.add_argument('--timeout', type=float, default=60, help='seconds before one request counts as failed (default 60)')
    p.add_argument('--json', metavar='FILE', help='also write the figures as JSON')
    args = p.parse_args(argv)
    if not 1 <= args.concurrency <= 64 or not 1 <= args.requests <= 100_000:
        p.error('--concurrency must be 1 to 64 and --requests 1 to 100,000')

    bodies = payloads()
    port = free_port()
    url = f'http://{HOST}:{port}/api/predict'
    with tempfile.TemporaryFile('w+') as log:
        t0 = time.monotonic()
        proc = start(port, log)
        startup = time.monotonic() - t0
        try:
            limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
            with httpx.Client(timeout=args.timeout, limits=limits) as client:
                def one(i: int) -> tuple[float, str | None, bool]:
                    dataset, png, label = bodies[i % len(bodies)]
                    t = time.perf_counter()
                    try:
                        r = client.post(url, files={'image': ('c.png', png, 'image/png')}, data={'dataset': dataset})
                        took = time.perf_counter() - t
                        if r.status_code != 200: return took, f'{r.status_code}: {r.text[:200]}', False
                        return took, None, r.json()['top'][0]['character'] == label
                    except (httpx.HTTPError, ValueError, KeyError) as e:
                        return time.perf_counter() - t, f'{type(e).__name__}: {e}', False

                with ThreadPoolExecutor(args.concurrency) as pool:
                    list(pool.map(one, range(10)))  # warm-up, not counted
                    start_time = time.perf_counter()
                    results = list(pool.map(one, range(args.requests)))
                    wall = time.perf_counter() - start_time
        finally:
            stop(proc)
            log.seek(0)
            server_log = log.read()

    latencies = sorted(r[0] * 1000 for r in results)
    errors = [r[1] for r in results if r[1]]
    q = statistics.quantiles(latencies, n=100, method='inclusive')
    figures = {
        'requests': args.requests, 'concurrency': args.concurrency, 'errors': len(errors),
        'p50_ms': round(q[49], 1), 'p95_ms': round(q[94], 1), 'p99_ms': round(q[98], 1),
        'max_ms': round(latencies[-1], 1), 'mean_ms': round(statistics.fmean(latencies), 1),
        'requests_per_s': round(args.requests / wall, 1), 'wall_s': round(wall, 2),
        'read_right': sum(r[2] for r in results), 'server_startup_s': round(startup, 1),
        'cpu_count': os.cpu_count(),
    }
    print(f"{args.requests} requests, {args.concurrency} at a time, to {HOST}: {len(errors)} errors; latency p50 "
          f"{figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms; "
          f"{figures['requests_per_s']} requests/s over {figures['wall_s']} s; {figures['read_right']} read right; "
          f"server ready in {figures['server_startup_s']} s ({os.cpu_count()} CPUs)")
    for e in errors[:5]: print('error:', e)
    if errors and server_log.strip(): print('server log (end):', server_log[-2000:], sep='\n')
    if args.json: Path(args.json).write_text(json.dumps(figures, indent=1) + '\n')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
