# Two commands for a new user on a fresh machine: `make verify` and `make test`.
# Both create the virtual environment on first use and install into it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUT ?= wpgd-report
SUITE ?= default
HYPOTHESIS_PROFILE ?= ci

.PHONY: verify test lint docs bench clean

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

clean:
	rm -rf $(VENV) docs/_build wpgd-report .pytest_cache .hypothesis
