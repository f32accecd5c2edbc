"The report as users meet it: `hcr report` end to end, a failed run, and the HTML opened in a real browser."
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from hcr.report import write_index
from places import ROOT

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')


def hcr(*args, cwd=ROOT, timeout=600):
    "Run the hcr command line in a subprocess, as a user would."
    return subprocess.run([sys.executable, '-m', 'hcr', *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope='module')
def sample_run(tmp_path_factory):
    "`hcr report` on the bundled sample (1 epoch), into its own reports folder: the finished process and that folder."
    reports = tmp_path_factory.mktemp('reports')
    done = hcr('report', '--dataset', 'mnist', '--source', 'sample', '--epochs', 1, '--reports-dir', reports)
    assert done.returncode == 0, done.stderr[-3000:]
    return done, reports


@pytest.fixture(scope='module')
def sample_report(sample_run): return sample_run[1]


def test_report_into_a_pipe_prints_lines_not_progress_bars(sample_run):
    done, reports = sample_run
    assert '\r' not in done.stdout + done.stderr, done.stderr[-500:]
    progress = [re.fullmatch(r'hcr report: (\d+) of (\d+) cells run after [0-9:]+', line) for line in done.stderr.splitlines()]
    assert progress and all(progress), done.stderr[-500:]  # nothing but its progress, a line at a time
    assert progress[-1][1] == progress[-1][2]  # the last line: every cell run
    assert done.stdout.startswith(f"report written: {reports/'mnist-sample'/'report.html'}")



def test_report_writes_notebook_html_run_and_index(sample_report, tmp_path):
    folder = sample_report/'mnist-sample'
    assert sorted(p.name for p in folder.iterdir()) == ['report.html', 'report.ipynb', 'run']
    metrics = json.loads((folder/'run'/'metrics.json').read_text())
    assert metrics['data']['source'] == 'sample' and metrics['test_count'] == 1000
    nb = json.loads((folder/'report.ipynb').read_text())
    assert nb['metadata']['papermill']['parameters']['epochs'] == 1
    html = (folder/'report.html').read_text()
    assert f"{metrics['test_accuracy']:.2%}" in html
    assert 'def ' not in html  # code cells are left out of the HTML
    assert 'WARNING:tensorflow' not in html and 'absl::InitializeLog' not in html  # no library noise, C++ or Python
    assert html.count('src="data:image/png;base64,') == 9  # the figures are embedded, whatever MPLBACKEND says
    assert 'No description has been provided' not in html and html.count('<img alt="What the images look like: ') == 3  # described
    assert '<title>Handwritten character recognition: training report (MNIST)</title>' in html and 'Trained for 1 epoch in' in html
    assert "with BatchNorm's moving averages); the saved model, its BatchNorm statistics recomputed after training, reaches" in html
    assert not (sample_report/'README.md').exists()  # scratch: no index written for it (a committed table stays as it is)
    listed = tmp_path/'reports'
    shutil.copytree(folder, listed/'mnist')  # the same report as a committed one
    index = write_index(listed).read_text()
    accuracy = f"{metrics['test_accuracy']:.2%}"
    assert re.search(rf'\| MNIST \| {re.escape(accuracy)} \| [0-9.]+%–[0-9.]+% \| [0-9.]+% \| 0\.[0-9]+ \(before calibration 0\.[0-9]+\) \| 1 \| default \| sample', index)
    assert not [p for p in sample_report.iterdir() if p.name.startswith('.')]  # no temporary folders left


def test_failed_report_keeps_previous_and_names_the_cell(sample_report):
    folder = sample_report/'mnist-sample'
    before = (folder/'report.html').read_bytes()
    # missing IDX files are refused before the notebook starts; files that are there but not IDX fail in its data cell
    missing = hcr('report', '--dataset', 'mnist', '--source', 'idx', '--data-dir', sample_report, '--epochs', 1,
                  '--reports-dir', sample_report)
    assert missing.returncode == 1 and missing.stderr.startswith(f'hcr: error: {sample_report}: no MNIST train files')
    garbage = sample_report.parent/'garbage-idx'
    garbage.mkdir()
    for name in ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'):
        (garbage/name).write_bytes(b'not an IDX file')
    failed = hcr('report', '--dataset', 'mnist', '--source', 'idx', '--data-dir', garbage, '--epochs', 1,
                 '--reports-dir', sample_report)
    assert failed.returncode == 1
    assert re.search(r'hcr: error: report failed in cell \d+: [^:]*train-images-idx3-ubyte', failed.stderr), failed.stderr[-1000:]
    assert (folder/'report.html').read_bytes() == before
    assert not (sample_report/'mnist').exists()  # the failed report left no folder of its own
    assert not [p for p in sample_report.iterdir() if p.name.startswith('.')]
    first = sample_report.parent/'new'/'reports'  # a failed first report into new folders: not even those are left
    failed = hcr('report', '--dataset', 'mnist', '--source', 'idx', '--data-dir', garbage, '--epochs', 1, '--reports-dir', first)
    assert failed.returncode == 1 and not (sample_report.parent/'new').exists()


def test_report_of_other_settings_is_not_replaced_by_accident(sample_report):
    before = (sample_report/'mnist-sample'/'report.html').read_bytes()
    done = hcr('report', '--dataset', 'mnist', '--source', 'sample', '--epochs', 2, '--reports-dir', sample_report)
    assert done.returncode == 1 and done.stderr.strip() == (
        f'hcr: error: {sample_report/"mnist-sample"} holds a report made with other settings (epochs 1 there, 2 here): '
        'pass --overwrite to replace it, or give another --reports-dir'), done.stderr[-1000:]
    assert (sample_report/'mnist-sample'/'report.html').read_bytes() == before


def test_ctrl_c_keeps_the_previous_report_and_says_one_line(sample_report):
    "Ctrl-C from a terminal reaches hcr and its notebook kernel (one process group): one line, the report as it was."
    before = (sample_report/'mnist-sample'/'report.html').read_bytes()
    # a session of its own, as a terminal's job; SIGINT's default disposition, which a background shell would hide
    proc = subprocess.Popen([sys.executable, '-m', 'hcr', 'report', '--dataset', 'mnist', '--source', 'sample', '--epochs', '1',
                             '--reports-dir', str(sample_report), '--overwrite'], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 240
    while time.time() < deadline and not list(sample_report.glob('.mnist-sample-*/run/history.csv')): time.sleep(0.2)
    training = bool(list(sample_report.glob('.mnist-sample-*/run/history.csv')))
    os.killpg(proc.pid, signal.SIGINT)  # training under way in the kernel
    _, err = proc.communicate(timeout=120)
    assert training, 'the report never started training: nothing was interrupted'
    assert proc.returncode == 130 and 'Traceback' not in err and err.strip().splitlines()[-1] == 'hcr: interrupted', err[-2000:]
    assert (sample_report/'mnist-sample'/'report.html').read_bytes() == before
    assert not [p for p in sample_report.iterdir() if p.name.startswith('.')]  # no temporary folders left


def test_bad_report_parameters_stop_before_papermill(tmp_path):
    for args, message in [(['--dataset', 'kmnist'], "unknown dataset 'kmnist'"),
                          (['--epochs', '0'], 'epochs must be a whole number from 1 to 10000'),
                          (['--augment=maybe'], 'ignored explicit argument'),
                          (['--batch-size', '2.5'], "invalid int value: '2.5'"),
                          (['--learning-rate', '-1'], 'learning rate must be a number above 0'),
                          (['--colour', 'red'], 'unrecognized arguments: --colour red')]:
        done = hcr('report', *args, '--reports-dir', tmp_path, timeout=120)
        assert done.returncode != 0 and message in done.stderr, (args, done.stderr[-500:])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(CHROMIUM is None, reason='chromium is not installed (.ci/run installs it)')
def test_report_html_in_headless_chromium(sample_report, tmp_path):
    "Open the rendered report in Chromium: the accuracy shows, every figure decodes, and a screenshot is taken."
    html = (sample_report/'mnist-sample'/'report.html').read_text()
    probe = """<script>window.addEventListener('load', () => {
      const imgs = [...document.images];
      document.title = 'figures ' + imgs.filter(i => i.complete && i.naturalWidth > 0).length + '/' + imgs.length;
    });</script>"""
    page = tmp_path/'report.html'
    page.write_text(html.replace('</body>', probe + '</body>'))
    flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync',
             f'--user-data-dir={tmp_path/"profile"}', '--virtual-time-budget=5000']
    dom = subprocess.run([CHROMIUM, *flags, '--dump-dom', page.as_uri()], capture_output=True, text=True, timeout=120)
    title = re.search(r'<title>figures (\d+)/(\d+)</title>', dom.stdout)
    assert title, dom.stderr[-1000:]
    loaded, total = map(int, title.groups())
    assert total == 9 and loaded == total  # 4 EDA plots, learning curves, confusion matrix, mistakes, reliability, coverage
    accuracy = json.loads((sample_report/'mnist-sample'/'run'/'metrics.json').read_text())['test_accuracy']
    assert f'Test accuracy: <strong>{accuracy:.2%}</strong>' in dom.stdout
    shot = tmp_path/'report.png'
    subprocess.run([CHROMIUM, *flags, '--window-size=1200,3000', f'--screenshot={shot}', page.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one
    print(f'screenshot: {shot}')


def test_sweep_leaves_the_projects_own_readme_and_says_each_run(tmp_path):
    "`hcr sweep --sweep-dir sweeps/a` in a project with a README.md of its own: that file is untouched, and each run is named as it starts."
    project = tmp_path/'project'
    run = project/'sweeps'/'a'/'seed-1'/'run'  # a finished run of the committed sweep, so that nothing trains
    run.mkdir(parents=True)
    (project/'data').mkdir()  # a data folder without the files: seed 2 fails at once
    for name in ('run.json', 'metrics.json'): shutil.copy(ROOT/'reports'/'sweeps'/'mnist-seed'/'seed-1'/'run'/name, run)
    record = json.loads((run/'run.json').read_text())
    (run/'run.json').write_text(json.dumps({**record, 'params': {**record['params'], 'data_dir': str(project/'data')}}))
    (run.parent/'report.html').write_text('<html></html>')
    mine = '# My thesis project\n\nImportant notes.\n'
    (project/'README.md').write_text(mine)
    done = hcr('sweep', '--source', 'idx', '--data-dir', 'data', '--no-recompute-batchnorm', '-p', 'seed', 1, 2,
               '--sweep-dir', 'sweeps/a', cwd=project, timeout=300)
    assert done.returncode == 1, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith('hcr sweep: ')]
    assert lines == ['hcr sweep: run 1 of 2, seed-1: already finished, kept', 'hcr sweep: run 2 of 2, seed-2: training',
                     'hcr sweep: run 2 of 2, seed-2: failed'], done.stderr[-2000:]
    assert (project/'README.md').read_text() == mine
    assert sorted(str(p.relative_to(project)) for p in project.rglob('*') if p.is_file()) == [
        'README.md', 'sweeps/a/seed-1/report.html', 'sweeps/a/seed-1/run/metrics.json', 'sweeps/a/seed-1/run/run.json',
        'sweeps/a/summary.html', 'sweeps/a/summary.md']  # nothing written outside the sweep's folder
