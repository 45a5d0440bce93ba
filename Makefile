# The two commands of the README: `make book` and `make test`. Both set up everything themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WIDGETS := _widgets
# The COHERENT data releases are read from the shared folder when it exists (see README).
ifneq ($(wildcard ../shared/data/coherent),)
export CEVNS_DATA_DIR ?= $(abspath ../shared/data/coherent)
endif

.PHONY: book test bench notebooks clean env widgets browser-test

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -r requirements.txt -e .
	touch $(STAMP)

# Widget JavaScript for the static site, vendored from the npm registry (not _static/: JB1 would
# inject every script there into every page).
widgets: $(WIDGETS)/embed-amd.js

$(WIDGETS)/embed-amd.js:
	rm -rf $(WIDGETS) && mkdir -p $(WIDGETS)/tmp
	cd $(WIDGETS)/tmp && npm pack --silent @jupyter-widgets/html-manager@1.0.15 requirejs@2.3.7 >/dev/null
	tar -xzf $(WIDGETS)/tmp/jupyter-widgets-html-manager-1.0.15.tgz -C $(WIDGETS)/tmp
	cp $(WIDGETS)/tmp/package/dist/embed-amd.js $(WIDGETS)/embed-amd.js
	rm -rf $(WIDGETS)/tmp/package
	tar -xzf $(WIDGETS)/tmp/requirejs-2.3.7.tgz -C $(WIDGETS)/tmp
	cp $(WIDGETS)/tmp/package/require.js $(WIDGETS)/require.js
	rm -rf $(WIDGETS)/tmp

book: env widgets
	rm -rf _build
	$(VENV)/bin/jupyter-book build . -W --keep-going

test: env
	$(PY) -m pytest -m "not browser"

# Renders the built site in headless Chromium (Debian's chromium); run after `make book`.
browser-test: env
	CEVNS_REQUIRE_BROWSER_TEST=1 $(PY) -m pytest -m browser tests/test_browser.py tests/test_browser_explorers.py -q

bench: env
	$(PY) benchmarks/bench_rates.py

notebooks: env
	mkdir -p notebooks
	for f in book/*.md; do $(VENV)/bin/jupytext --to ipynb --output notebooks/$$(basename $${f%.md}).ipynb $$f || exit 1; done

clean:
	rm -rf _build $(WIDGETS) .pytest_cache notebooks
