# Two commands do all the set-up (see README): `make demo` and `make test`.
# Both create .venv if it is missing and install ganlab with the pinned dependencies of
# requirements/constraints.txt (TensorFlow's CPU build).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
RUN_DIR ?= runs/dcgan-mnist
DEMO_MINUTES ?= 10

.PHONY: demo test install benchmark clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[cpu,dev]'
	touch $@

# Train the default DCGAN on MNIST (full set when it can be downloaded, else the 5,000
# embedded real digits), draw 100 samples and score 1,000 with the judge. Running it
# again resumes the run.
demo: $(INSTALLED)
	$(BIN)/python -m ganlab train dcgan-mnist --minutes $(DEMO_MINUTES) --out $(RUN_DIR)
	$(BIN)/python -m ganlab sample $(RUN_DIR) --n 100 --out $(RUN_DIR)/samples.npz --grid $(RUN_DIR)/samples.png
	$(BIN)/python -m ganlab score $(RUN_DIR)

test: $(INSTALLED)
	GANLAB_OFFLINE=1 $(BIN)/python -m pytest

benchmark: $(INSTALLED)
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) runs _build .pytest_cache
