# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint venv clean browser equivalence

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sim batch scenarios/batches/policies.yaml --out results/policies --workers 2
	$(BIN)/sim compare results/policies --baseline iraq_alone
	$(BIN)/sim plot results/policies
	$(BIN)/sim report results/policies
	$(BIN)/sim run scenarios/baseline.yaml -n 10 --workers 2 --out results/baseline --force
	$(BIN)/sim report results/baseline
	$(BIN)/sim batch scenarios/batches/fleet_sweep.yaml --out results/fleet_sweep --workers 2 -n 10
	$(BIN)/sim plot results/fleet_sweep
	$(BIN)/sim report results/fleet_sweep

test: $(STAMP) browser
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/python -m pytest -q -m "not nightly"

# The report test renders the HTML report in Debian's headless chromium; install it when
# missing (needs root and the package registry; otherwise that test is skipped).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium could not be installed: the browser test will be skipped"

# Performance budgets (docs/performance.md): exit 1 when one does not hold. BENCH=--quick for
# a quick look; BENCH=--write-docs to record the table in docs/performance.md.
BENCH ?=
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH)

# Refactors change no number: compare every shipped scenario x policy x 3 replications with a
# git revision (default HEAD), value for value.
REV ?= HEAD
equivalence: $(STAMP)
	$(BIN)/python -m tests.equivalence check --against $(REV)

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks

clean:
	rm -rf $(VENV)
