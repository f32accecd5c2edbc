# One entry point for a fresh machine: `make report` (set up, then the main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data
PIP_FLAGS ?= --quiet --disable-pip-version-check

.PHONY: install report reports test test-fast test-slow lab bench sample readme export clean
.DEFAULT_GOAL := report

# The virtual environment, rebuilt when the dependencies change.
$(BIN)/.installed: settings.ini setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_FLAGS) --upgrade pip
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[dev]'
	$(BIN)/python -m pip check
	touch $@

install: $(BIN)/.installed

# The main job: the papermill report on the sample bundled with the package (no network needed).
report: install
	$(BIN)/hcr report --dataset mnist --source sample

# The committed reports: full real-data runs (data in $(DATA)).
reports: install
	$(BIN)/hcr report --dataset mnist --source idx --data-dir $(DATA)/mnist
	$(BIN)/hcr report --dataset emnist --source idx --data-dir $(DATA)/emnist

# nbs/report.ipynb is run by papermill (tests/test_report.py), not as a test notebook.
NBDEV_TEST := $(BIN)/nbdev_test --n_workers 1 --do_print --skip_file_re '^[_.]|^report'

# All tests: the notebooks' inline tests (fast set) and pytest, including the slow reruns of the committed reports.
test: install
	$(NBDEV_TEST)
	$(BIN)/pytest tests -p no:cacheprovider

# The same without the tests marked slow (each a full training run): 5 minutes instead of about 40 on 2 cores.
test-fast: install
	$(NBDEV_TEST)
	$(BIN)/pytest tests -p no:cacheprovider -m 'not slow'

# Notebooks with the cells flagged slow too: real training on the full data.
test-slow: install
	$(NBDEV_TEST) --flags slow

lab: install
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name 'Python 3 (hcr)'
	$(BIN)/jupyter lab $(LAB_ARGS)

bench: install
	$(BIN)/python benchmarks/bench.py --data-dir $(DATA)

sample: install
	$(BIN)/python scripts/make_sample.py --data $(DATA)

# README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which cannot be installed here).
readme: install
	$(BIN)/jupyter nbconvert --to markdown --TemplateExporter.exclude_input_prompt=True nbs/index.ipynb --output-dir . --output README

export: install
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean

clean:
	rm -rf $(VENV) build *.egg-info _proc _docs reports/*-sample
