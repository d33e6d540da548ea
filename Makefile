# One command each: `make serve` starts a local server, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8080
HOST   ?= 127.0.0.1
SHARED ?= ../shared

.PHONY: help install serve test check lint format typecheck unit golden replay clean

help:
	@echo "make serve   start a local mockcrm on http://$(HOST):$(PORT) (installs into $(VENV))"
	@echo "make test    the whole gate: format check, lint, types, unit + golden tests, replay"
	@echo "make replay  replay $(SHARED)/golden against a fresh server (needs $(SHARED)/tools/replay.py)"

$(BIN)/mockcrm: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/mockcrm

serve: install
	$(BIN)/mockcrm serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check mockcrm tests contract tools

format: install
	$(BIN)/ruff format mockcrm tests contract tools

typecheck: install
	$(BIN)/mypy mockcrm

unit: install
	$(BIN)/pytest -q

replay: install
	$(BIN)/python tools/replay_mock.py --shared $(SHARED)

test: install
	$(BIN)/ruff format --check mockcrm tests contract tools
	$(BIN)/ruff check mockcrm tests contract tools
	$(BIN)/mypy mockcrm
	$(BIN)/pytest -q
	$(BIN)/python tools/replay_mock.py --shared $(SHARED)

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache
