"The README's `python` blocks, run in order in a fresh process, as a reader would paste them, beside a drawn digit."
import re
import subprocess
import sys

from PIL import Image, ImageDraw

from places import ROOT


def test_readme_python_blocks_run(tmp_path):
    blocks = re.findall(r'```python\n(.*?)```', (ROOT/'README.md').read_text(), re.S)
    assert len(blocks) >= 2, 'no python blocks found in README.md'
    page = Image.new('L', (300, 300), 255)
    ImageDraw.Draw(page).line([(80, 60), (220, 60), (130, 250)], fill=0, width=6)  # a 7, drawn with a pen
    page.save(tmp_path/'digit.png')
    done = subprocess.run([sys.executable, '-c', '\n'.join(blocks)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr == '', done.stderr[-3000:]  # no library noise either
    lines = done.stdout.splitlines()
    assert float(lines[0]) > 0.9, lines  # the test accuracy of 2 epochs on the sample
    assert lines[1].startswith('digit.png: 7 '), lines  # hcr predict's line
    assert any(line.startswith("Loaded Dataset('mnist', 'test'") for line in lines), lines  # reading the data
    assert lines[-1].startswith('7 '), lines  # onnxruntime's answer
