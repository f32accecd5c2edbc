"The package as the notebooks export it: every module indexed by nbdev, every exported cell traceable to its notebook."
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
