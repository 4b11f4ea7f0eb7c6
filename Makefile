# Two commands do all the set-up (see README): `make demo` and `make test`.
# Both create .venv if it is missing and install ganlab with the pinned dependencies of
# requirements/constraints.txt (TensorFlow's CPU build). `make test` also installs what
# building and browser-testing the book needs: MathJax from the npm registry (package.json)
# and Debian's chromium.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
MATHJAX := book/_vendor/mathjax/tex-svg.js
RUN_DIR ?= runs/dcgan-mnist
DEMO_MINUTES ?= 10
CHAPTERS := $(wildcard book/*.ipynb)

.PHONY: demo check test test-unit test-slow test-browser test-notebooks test-hosted hosted-environments dist notebooks install install-book book chapters benchmark clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[cpu,book,dev]'
	touch $@

install-book: $(INSTALLED) $(NODE_INSTALLED) $(CHROMIUM)

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium

$(MATHJAX): $(NODE_INSTALLED)
	mkdir -p $(dir $@)
	cp node_modules/mathjax/es5/tex-svg.js $@

# Train the default DCGAN on MNIST (full set when it can be downloaded, else the 5,000
# embedded real digits), draw 100 samples and score 1,000 with the judge. Running it
# again resumes the run.
demo: $(INSTALLED)
	$(BIN)/python -m ganlab train dcgan-mnist --minutes $(DEMO_MINUTES) --out $(RUN_DIR)
	$(BIN)/python -m ganlab sample $(RUN_DIR) --n 100 --out $(RUN_DIR)/samples.npz --grid $(RUN_DIR)/samples.png
	$(BIN)/python -m ganlab score $(RUN_DIR)

# The HTML book from the committed notebook outputs (nothing is executed): seconds.
book: $(INSTALLED) $(MATHJAX)
	$(BIN)/jupyter-book build -W -n --keep-going .

# The fast tier, run after every change and first in `make test`: the linter, then every
# test not marked slow, browser or notebook, on both cores (under a minute on 2 cores).
FAST := not slow and not browser and not notebook
check: $(INSTALLED)
	$(BIN)/ruff check ganlab tests benchmarks tools
	GANLAB_OFFLINE=1 $(BIN)/python -m pytest -q -n 2 --dist loadfile -m "$(FAST)"

# Every test: the fast tier, then the slow unit tests beside the book's build, then the
# built book opened in headless Chromium, every chapter executed in quick mode and checked
# by nbval, and chapter 2 as Colab and Kaggle run it, side by side. To fit in 20 minutes
# on 2 cores, the installs run side by side, and the hosted environments download in the
# background once the fast tier has passed (each job's output is printed when it ends).
test:
	$(MAKE) --no-print-directory -j3 $(INSTALLED) $(NODE_INSTALLED) $(CHROMIUM)
	$(MAKE) --no-print-directory check hosted-environments
	$(MAKE) --no-print-directory -j2 --output-sync=target book test-slow
	$(MAKE) --no-print-directory -j3 --output-sync=target test-browser test-notebooks test-hosted

# Build (or reuse) the Colab and Kaggle environments in the background; the hosted check
# waits for them (each is locked while it is built). The log is .hosted/prepare.log.
hosted-environments: $(INSTALLED)
	mkdir -p .hosted
	nohup $(BIN)/python tools/hosted_check.py --prepare-only > .hosted/prepare.log 2>&1 &

# All unit tests (both tiers), for when the fast tier is not enough
test-unit: $(INSTALLED)
	GANLAB_OFFLINE=1 $(BIN)/python -m pytest

# The tests the fast tier leaves out, but the browser's: on both cores (pytest-xdist), a
# test file per worker so that module fixtures run once
test-slow: $(INSTALLED)
	GANLAB_OFFLINE=1 $(BIN)/python -m pytest -n 2 --dist loadfile -m "not ($(FAST)) and not browser"

# The built book, and a live explorer in a real JupyterLab, in headless Chromium (builds
# the book first when it is missing or stale)
test-browser: install-book
	GANLAB_OFFLINE=1 $(BIN)/python -m pytest -m browser

# on both cores too, a notebook per worker (each runs in its own kernel)
test-notebooks: $(INSTALLED)
	GANLAB_OFFLINE=1 GANLAB_QUICK=1 $(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile --nbval-lax --nbval-current-env \
		--nbval-sanitize-with book/sanitize.cfg book/

# The sdist and wheel in dist/, their metadata checked as PyPI would (twine check).
dist: $(INSTALLED)
	rm -rf dist build  # build/: setuptools keeps files of modules that no longer exist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*

# Chapter 2 run as on Colab (Python 3.12) and on Kaggle (Python 3.11): a fresh venv with
# the packages each host ships, the setup cell installing the wheel just built, and a
# check that TensorFlow and numpy were not replaced (tools/hosted_check.py).
test-hosted: dist
	$(BIN)/python tools/hosted_check.py dist/*.whl

# Write the badges, image addresses, benchmark tables and install lines into the
# chapters from _config.yml (tools/sync_notebooks.py; a test fails when they disagree).
notebooks: $(INSTALLED)
	$(BIN)/python tools/sync_notebooks.py

# Re-run every chapter in full and keep its outputs (about 20 minutes per chapter on 2 cores).
chapters: $(INSTALLED)
	GANLAB_OFFLINE=1 $(BIN)/python -m ganlab.book run --full $(CHAPTERS)

benchmark: $(INSTALLED)
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) runs book/runs _build .pytest_cache node_modules book/_vendor dist .hosted
