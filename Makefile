# The two commands: `make demo` and `make test`. Everything else is their plumbing.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest pytest-slow system-deps venv clean bench bench-remoteid bench-tracking

demo: $(STAMP)
	$(BIN)/dronewatch demo

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the tests drive for real: headless Chromium for the console test.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) system-deps
	$(BIN)/pytest

test: system-deps $(STAMP) lint typecheck pytest

pytest-slow: $(STAMP) system-deps
	$(BIN)/pytest -m slow

# Benchmarks print ratios against their anchors, measured in the same run (docs/performance.md).
bench: $(STAMP)
	$(BIN)/python bench/scenario_speed.py

bench-remoteid: $(STAMP)
	$(BIN)/python bench/remoteid_decode.py

ANCHOR_VENV := bench/.venv-anchor
$(ANCHOR_VENV)/.installed:
	$(PY) -m venv $(ANCHOR_VENV)
	$(ANCHOR_VENV)/bin/pip install -q stonesoup==1.9.1 scipy numpy
	touch $@

bench-tracking: $(STAMP) $(ANCHOR_VENV)/.installed
	$(BIN)/python bench/tracking.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
