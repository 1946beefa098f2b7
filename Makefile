# painpath: the two set-up commands are `make run` and `make test`; both build .venv on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit browser system-deps bench docs clean

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
run: $(STAMP) system-deps
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

# The PDF documents need Pango (WeasyPrint lays pages out with it), the Noto fonts for Latin,
# Devanagari and Telugu text, and poppler's tools, which the tests read the PDFs back with.
# fuse3 (libfuse 3 and fusermount3) mounts the power-cut test's filesystem (docs/RELIABILITY.md).
SYSTEM_DEPS := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core poppler-utils fuse3
system-deps:
	@missing="$$(for package in $(SYSTEM_DEPS); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q 'ok installed' || echo $$package; \
	done)"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "missing system packages: install them (sudo apt-get install" $$missing")"; exit 1; \
		fi; \
	fi

unit: $(STAMP) browser system-deps
	$(BIN)/pytest

# The benchmarks, each beside a ceiling measured in the same run (docs/PERFORMANCE.md): a few
# minutes. BENCH_FLAGS=--quick for a short run, --full for 1M patients and 256 connections.
BENCH_FLAGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_FLAGS)

# The fault and abuse tests at length (docs/RELIABILITY.md): many kill -9 cycles and power
# cuts (the power-cut test's PostgreSQL cluster too), long
# hypothesis runs, schemathesis with many examples, then atheris on the FHIR import and the
# case parser for FUZZ_SECONDS each. Never part of `make test`. FAULT_CYCLES sets the cycles.
.PHONY: faults
FAULT_CYCLES ?= 30
FUZZ_SECONDS ?= 300
faults: $(STAMP)
	$(BIN)/pip install --quiet 'atheris>=2.3'
	PAINPATH_LONG_FAULTS=1 PAINPATH_FAULT_CYCLES=$(FAULT_CYCLES) $(BIN)/pytest tests/reliability
	$(BIN)/python -m bench.fuzz_fhir -max_total_time=$(FUZZ_SECONDS)
	$(BIN)/python -m bench.fuzz_case -max_total_time=$(FUZZ_SECONDS)

docs: $(STAMP)
	$(BIN)/painpath docs rules > docs/RULES.md
	$(BIN)/painpath docs api --into docs/API.md

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
