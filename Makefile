# The two commands: `make demo` and `make test`. Everything else is their plumbing.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: sapient-bindings demo test lint typecheck pytest pytest-slow system-deps venv clean bench bench-remoteid bench-feeds bench-tracking bench-ocusync bench-acoustic

demo: $(STAMP)
	@$(BIN)/python -m dronewatch.sapient.generate || echo "SAPIENT input unavailable (bindings not generated); the demo does not need it"
	$(BIN)/dronewatch demo

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# SAPIENT protobuf bindings, generated from the standard's .proto files beside the clone.
SAPIENT_PROTO ?= ../shared/standards/sapient
SAPIENT_GEN := src/dronewatch/sapient/_generated/SOURCE
$(SAPIENT_GEN): $(STAMP) src/dronewatch/sapient/generate.py $(wildcard $(SAPIENT_PROTO)/sapient_msg/*.proto $(SAPIENT_PROTO)/sapient_msg/bsi_flex_335_v2_0/*.proto)
	$(BIN)/python -m dronewatch.sapient.generate --proto-root $(SAPIENT_PROTO)
	touch $@

sapient-bindings: $(SAPIENT_GEN)

venv: $(STAMP) $(SAPIENT_GEN)

# Debian packages the tests drive for real: headless Chromium for the console tests, the mosquitto
# MQTT broker for the output tests, nats-server (JetStream) and PostgreSQL with PostGIS for the
# edge -> hub tests (the tests start their own servers on free ports). One check per line.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	[ -x /usr/sbin/mosquitto ] || missing="$$missing mosquitto"; \
	command -v nats-server >/dev/null 2>&1 || missing="$$missing nats-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || missing="$$missing postgresql-postgis"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  echo "installing Debian packages:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

lint: $(STAMP) $(SAPIENT_GEN)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP) $(SAPIENT_GEN)
	$(BIN)/mypy

pytest: $(STAMP) $(SAPIENT_GEN) system-deps
	$(BIN)/pytest

test: system-deps $(STAMP) $(SAPIENT_GEN) lint typecheck pytest

pytest-slow: $(STAMP) $(SAPIENT_GEN) system-deps
	$(BIN)/pytest -m slow

# Benchmarks print ratios against their anchors, measured in the same run (docs/performance.md).
bench: $(STAMP)
	$(BIN)/python bench/scenario_speed.py

bench-remoteid: $(STAMP)
	$(BIN)/python bench/remoteid_decode.py

bench-ocusync: $(STAMP)
	$(BIN)/python bench/ocusync_decode.py

bench-acoustic: $(STAMP)
	$(BIN)/python bench/acoustic.py

bench-feeds: $(STAMP)
	$(BIN)/python bench/feeds.py --rounds 2

ANCHOR_VENV := bench/.venv-anchor
$(ANCHOR_VENV)/.installed:
	$(PY) -m venv $(ANCHOR_VENV)
	$(ANCHOR_VENV)/bin/pip install -q stonesoup==1.9.1 scipy numpy
	touch $@

bench-tracking: $(STAMP) $(ANCHOR_VENV)/.installed
	$(BIN)/python bench/tracking.py

clean:
	rm -rf $(VENV) src/dronewatch/sapient/_generated .pytest_cache .mypy_cache .ruff_cache
