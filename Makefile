# painpath: the two set-up commands are `make run` and `make test`; both build .venv on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit browser bench docs clean

$(STAMP): pyproject.toml
	@# Debian ships venv and pip separately; install them when missing and we may.
	@$(PYTHON) -c "import venv, ensurepip" 2>/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq python3-venv python3-pip; \
		else \
			echo "python3-venv is missing: install it (sudo apt-get install python3-venv)"; exit 1; \
		fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# A demonstration clinic (synthetic patients, fresh passwords printed) served on
# http://127.0.0.1:8000 (API pages at /docs). Its data stays in var/demo. The generated cohort
# (fixed seed; added once) gives the dashboard and the outcomes report something to show.
DEMO_DATA := var/demo
run: $(STAMP)
	PAINPATH_DATA_DIR=$(DEMO_DATA) $(BIN)/painpath demo --patients 200 --seed 7
	PAINPATH_DATA_DIR=$(DEMO_DATA) $(BIN)/painpath serve

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's Chromium (never a downloaded browser).
browser:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "chromium is missing: install it (sudo apt-get install chromium)"; exit 1; \
		fi; }

unit: $(STAMP) browser
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.engine

docs: $(STAMP)
	$(BIN)/painpath docs rules > docs/RULES.md
	$(BIN)/painpath docs api --into docs/API.md

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
