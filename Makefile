# dtks_link — the two commands are `make demo` and `make test`.
# Each one creates or refreshes .venv when it is missing or older than pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

.PHONY: demo test lint bench clean docs browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,notebooks,spark,docs,service]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dtks-link demo --out demo_out

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

# The report's browser test needs Chromium: Debian's package, installed with apt when absent
# (as root, or with passwordless sudo). If it cannot be installed, that test fails and says why.
browser:
	@if [ -z "$$DTKS_CHROMIUM" ] && ! command -v chromium >/dev/null 2>&1 \
	    && ! command -v chromium-browser >/dev/null 2>&1; then \
	  echo "[make] installing Debian's chromium for the report's browser test"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi; \
	  { $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium \
	    >/dev/null; } || echo "[make] could not install chromium: the browser test will fail"; \
	fi

# The documentation site, into site/ (strict). Notebooks are re-run only when out of date.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks tools
	$(BIN)/mypy

# Benchmarks compare against recordlinkage, which pins pandas < 3, so they get their own venv.
$(BENCH_STAMP): pyproject.toml
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[bench,spark,service]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) demo_out .pytest_cache .mypy_cache .ruff_cache site .cache docs/notebooks test-artifacts
