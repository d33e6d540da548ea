# One command each: `make serve` starts a local server, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8080
HOST   ?= 127.0.0.1
SHARED ?= ../shared

.PHONY: help install serve serve-empty docker-test bench test lint format typecheck unit replay bench-control clean \
	real-up real-reset record-real contract-real diff-real openapi-examples browser screenshots dist quirks

help:
	@echo "make serve   start a local mockcrm with demo data on http://$(HOST):$(PORT) (installs into $(VENV))"
	@echo "make serve-empty   the same, from the fresh-install state (no demo data)"
	@echo "make test    the whole gate: format check, lint, types, unit + golden tests, replay"
	@echo "make docker-test  build the image, run it as a service container, contract suite against it"
	@echo "make replay  replay $(SHARED)/golden against a fresh server (needs $(SHARED)/tools/replay.py)"
	@echo "make real-up      build (SALESMAN_MIRROR=...) or start the real SalesMan (tools/real-salesman)"
	@echo "make record-real NAME=...  record contract/scenarios/NAME.json from the real server into contract/golden"
	@echo "make openapi-examples  refresh the examples of /__mockcrm/salesman-openapi.json from contract/golden"
	@echo "make contract-real  real SalesMan up + reset (webhooks to the suite), contract suite against it;"
	@echo "                    report in contract-real-report/ (ARGS='-k client' passes pytest options)"
	@echo "make diff-real   mockcrm diff against real SalesMan servers in SHARDS parallel shards (default 2),"
	@echo "                 SEED=1 SEEDS=10 ARGS='--time-budget 900'; reports in diff-real-out/"

$(BIN)/mockcrm: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/mockcrm

# the dashboard's tests drive Debian's Chromium (Playwright's own browser download is not needed)
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing chromium for the dashboard's browser tests"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# the sdist and the wheel, checked by twine; dist/wheelhouse has the wheel and everything it needs,
# so tests/test_wheel.py installs it into a fresh virtual environment without the network
dist: install
	rm -rf dist
	$(BIN)/python -m build --outdir dist . >/dev/null
	$(BIN)/twine check --strict dist/*
	$(BIN)/pip wheel --quiet --wheel-dir dist/wheelhouse dist/mockcrm-*.whl pytest

# docs/quirks.md: the real server's quirks reproduced on purpose, from the code's `real server:` comments
quirks: install
	$(BIN)/python tools/quirks.py

# docs/screenshots/*.png: the dashboard's pages, pictured by its browser tests
screenshots: install browser
	MOCKCRM_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q -p no:randomly tests/test_dashboard.py

serve: install
	$(BIN)/mockcrm serve --demo --host $(HOST) --port $(PORT)

serve-empty: install
	$(BIN)/mockcrm serve --host $(HOST) --port $(PORT)

docker-test: install
	SHARED=$(SHARED) PY=$(BIN)/python bash tools/docker_test.sh

bench: install
	$(BIN)/python bench/bench.py

bench-control: install
	$(BIN)/python bench/control_bench.py

lint: install
	$(BIN)/ruff check mockcrm tests contract tools bench

format: install
	$(BIN)/ruff format mockcrm tests contract tools bench

typecheck: install
	$(BIN)/mypy mockcrm

unit: install
	$(BIN)/pytest -q -n 2

replay: install
	$(BIN)/python tools/replay_mock.py --webhooks --shared $(SHARED)

test: install browser dist
	$(BIN)/ruff format --check mockcrm tests contract tools bench
	$(BIN)/ruff check mockcrm tests contract tools bench
	$(BIN)/mypy mockcrm
	$(BIN)/pytest -q -n 2
	$(BIN)/python tools/replay_mock.py --webhooks --shared $(SHARED)

# the real SalesMan beside the mock: developer tools, never needed by `make test` or CI
real-up:
	bash tools/real.sh up

real-reset:
	bash tools/real.sh reset

record-real:
	bash tools/real.sh record $(NAME)
	$(MAKE) openapi-examples

# the answers' shapes and examples in /__mockcrm/salesman-openapi.json, from contract/golden
openapi-examples: install
	$(BIN)/python -c "import json, pathlib; from mockcrm.salesman_openapi import examples_from_recordings as ex; \
	  pathlib.Path('mockcrm/data/salesman_examples.json').write_text(json.dumps(ex(pathlib.Path('contract/golden').glob('*.jsonl')), \
	  ensure_ascii=False, indent=1, sort_keys=True) + chr(10), encoding='utf-8')"

contract-real: install
	PY=$(BIN)/python bash tools/contract_real.sh $(ARGS)

SHARDS ?= 2
SEED   ?= 1
SEEDS  ?= 10
diff-real: install
	BIN=$(BIN) bash tools/diff_real.sh --shards $(SHARDS) --seed $(SEED) --seeds $(SEEDS) $(ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache
