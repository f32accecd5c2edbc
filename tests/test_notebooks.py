"The package as the notebooks export it: every module indexed by nbdev, every exported cell traceable to its notebook, every directive where nbdev reads it."
import json
import re

from hcr._modidx import d as modidx
from places import ROOT

MODULES = sorted(p for p in (ROOT/'hcr').glob('*.py') if p.name not in ('__init__.py', '__main__.py', '_modidx.py'))


def test_every_exported_cell_names_its_notebook_cell():
    "A cell without an id exports as a bare `# %% ../nbs/x.ipynb` line, and nbdev then leaves its module out of _modidx."
    bare = [f'{p.name}: {line}' for p in MODULES for line in p.read_text().splitlines()
            if line.startswith('# %% ') and not re.fullmatch(r'# %% (\.\./nbs/\w+\.ipynb|auto) #[\w-]+', line)]
    assert not bare, bare


def test_every_module_is_in_the_symbol_index():
    assert sorted(f'hcr.{p.stem}' for p in MODULES) == sorted(modidx['syms'])


def test_notebook_directives_come_first():
    "nbdev reads `#|` directives only above a cell's code: one below it (`#| slow` after a line of code) is ignored."
    late = []
    for notebook in sorted((ROOT/'nbs').glob('*.ipynb')):
        for cell in json.loads(notebook.read_text())['cells']:
            lines = ''.join(cell['source']).splitlines() if cell['cell_type'] == 'code' else []
            first_code = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith('#|')), len(lines))
            late += [f'{notebook.name} {cell.get("id")}: {line}' for line in lines[first_code:] if line.startswith('#|')]
    assert not late, late
