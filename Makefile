# One entry point for a fresh machine: `make report` (set up, then the main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data
# -qq: errors only (a failed install still says why; `pip check` below reports conflicts), not the build backend's notices
PIP_FLAGS ?= --quiet --quiet --disable-pip-version-check
# TensorFlow's C++ log lines stay out of test and report output (hcr's command line sets this itself).
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: install report reports reproduce check-reports test test-notebooks test-pytest test-slow lab bench bench-predict bench-serve serve bundle sample readme export clean
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

# The committed reports: full real-data runs (data in $(DATA)); then the bundled ONNX models are refreshed from them.
reports: install
	$(BIN)/hcr report --dataset mnist --source idx --data-dir $(DATA)/mnist
	$(BIN)/hcr report --dataset emnist --source idx --data-dir $(DATA)/emnist
	$(MAKE) bundle

# The committed MNIST and EMNIST models, exported to ONNX, ship inside the package (hcr/bundled/).
bundle: install
	$(BIN)/python scripts/bundle_models.py

NBDEV_TEST := $(BIN)/nbdev_test --do_print --skip_file_re '^[_.]'

# Every test but the checks of the committed runs on the full data: the import layers, then the notebooks' inline tests
# beside pytest, two processes each (each one's output comes when it ends). This is what the README and CI call the tests.
test: install
	$(BIN)/lint-imports
	@echo 'the notebooks and pytest run side by side; each one prints when it ends'
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-notebooks test-pytest

test-notebooks: install
	$(NBDEV_TEST) --n_workers 2 --timing

test-pytest: install
	$(BIN)/pytest tests -p no:cacheprovider -m 'not slow and not committed' -n 2 --dist worksteal --durations=10

# The committed runs checked on the full data (CI runs it): the first epochs of each report against its recorded
# history, the exports' parity and int8 accuracy on the whole test sets, the bundled models, the calibration.
check-reports: install
	$(BIN)/pytest tests -p no:cacheprovider -m committed -v

# The committed reports rerun whole from their records (run.json) on the real data: the same accuracy
# (about 10 minutes of MNIST training and 18 of EMNIST on the AMD EPYC with AVX-512 that made them; three to four
# times as long on an EPYC without AVX-512).
reproduce: install
	$(BIN)/pytest tests/test_committed_reports.py -p no:cacheprovider -m slow -v

# Notebooks with the cells flagged slow too: real training on the full data.
test-slow: install
	$(NBDEV_TEST) --flags slow

lab: install
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name 'Python 3 (hcr)'
	$(BIN)/jupyter lab $(LAB_ARGS)

bench: install
	$(BIN)/python benchmarks/bench.py --data-dir $(DATA)

# Cold start and memory of one prediction per runtime against a plain Keras script; throughput on 10,000 images.
bench-predict: install
	$(BIN)/python benchmarks/predict_cold.py --data $(DATA)

# A bounded load test of hcr serve on 127.0.0.1.
bench-serve: install
	$(BIN)/python benchmarks/serve_load.py

serve: install
	$(BIN)/hcr serve

sample: install
	$(BIN)/python scripts/make_sample.py --data $(DATA)

# README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which cannot be installed here).
# The notebook is kept clean of language_info, which nbconvert needs to mark the code blocks as python.
readme: install
	$(BIN)/python -c "import json, sys; nb = json.load(open('nbs/index.ipynb')); nb['metadata']['language_info'] = {'name': 'python'}; json.dump(nb, sys.stdout)" \
	  | $(BIN)/jupyter nbconvert --stdin --to markdown --TemplateExporter.exclude_input_prompt=True --output-dir . --output README

export: install
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean
	$(BIN)/nbdev_clean --fname hcr/report.ipynb

clean:
	rm -rf $(VENV) build *.egg-info _proc _docs reports/*-sample
