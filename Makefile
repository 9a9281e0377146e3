# Two commands for a new user on a fresh machine: `make verify` and `make test`.
# Both create the virtual environment on first use and install into it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUT ?= wpgd-report
SUITE ?= default
HYPOTHESIS_PROFILE ?= ci
JOBS ?= 2
MUTATE_ARGS ?=

.PHONY: verify test lint docs bench mutate clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

verify: $(STAMP)
	$(VENV)/bin/wpgd-verify run --suite $(SUITE) --out $(OUT)

test: $(STAMP)
	$(VENV)/bin/ruff check wpgd_theory tests benchmarks proofs
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(PY) -m pytest -n 2 -q
	$(MAKE) docs

lint: $(STAMP)
	$(VENV)/bin/ruff check wpgd_theory tests benchmarks proofs

docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

# Mutation catalogue (docs/how-to/mutation.md): every planted bug against the quick suite and
# its tests, in scratch copies; writes benchmarks/results/mutation.json. Slow (~20 min, JOBS=2).
# e.g. make mutate MUTATE_ARGS="--only certify-skip-last-cell"
mutate: $(STAMP)
	$(PY) benchmarks/mutation/harness.py --jobs $(JOBS) $(MUTATE_ARGS)

clean:
	rm -rf $(VENV) docs/_build wpgd-report .pytest_cache .hypothesis
