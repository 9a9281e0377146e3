# Two commands for a new user on a fresh machine: `make verify` and `make test`.
# Both create the virtual environment on first use and install into it exactly the versions
# of requirements.lock (the locked CPU environment; `make lock` regenerates it), then the
# project itself without dependencies.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUT ?= wpgd-report
SUITE ?= default
HYPOTHESIS_PROFILE ?= ci
JOBS ?= 2
MUTATE_ARGS ?=
LOCK ?= requirements.lock
# The local CPU wheel of torch on these machines; elsewhere pass PyTorch's CPU wheel index,
# e.g. `make lock LOCK_FLAGS="--extra-index-url URL"`.
LOCK_FLAGS ?= $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)

.PHONY: verify test lint docs docs-inventories bench gpu-check mutate clean lock

$(STAMP): pyproject.toml constraints.txt $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-resolve the lock from pyproject.toml's ranges and constraints.txt's pins (torch), for
# Python 3.11 on x86-64 Linux (the CI machine), with uv (from the dev extra, or installed into
# the venv here if the venv has none).  Run it after adding or changing a dependency, then
# `make test` (the stamp sees the new lock and reinstalls).
lock:
	test -x $(VENV)/bin/uv || { $(PYTHON) -m venv $(VENV) && $(PY) -m pip install --quiet uv; }
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -c constraints.txt --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 $(LOCK_FLAGS) --custom-compile-command "make lock" --quiet -o $(LOCK)

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

# intersphinx inventories for offline builds (docs/conf.py uses those present; needs the network once)
docs-inventories: $(STAMP)
	$(PY) -c "import sys, urllib.request; sys.path.insert(0, 'docs'); import conf; \
	[urllib.request.urlretrieve(u + 'objects.inv', f'docs/_intersphinx/{n}.inv') for n, u in conf._INVENTORIES.items()]"

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

# Every GPU check in one command (benchmarks/gpu_check.py): CUDA-marked tests, verify --device cuda
# (quick, default), fla's Triton kernels vs ours and fla's naive ops, the GLA and training
# benchmarks; writes benchmarks/results/gpu-check.json.  Without CUDA: one line, exit 0.
gpu-check: $(STAMP)
	$(PY) benchmarks/gpu_check.py

# Mutation catalogue (docs/how-to/mutation.md): every planted bug against the quick suite and
# its tests, in scratch copies; writes benchmarks/results/mutation.json. Slow (~20 min, JOBS=2).
# e.g. make mutate MUTATE_ARGS="--only certify-skip-last-cell"
mutate: $(STAMP)
	$(PY) benchmarks/mutation/harness.py --jobs $(JOBS) $(MUTATE_ARGS)

# The Coq development (proofs/coq/: G1–G4, W2 and U3's certificates, over any commutative ring
# or real field): needs coqc and MathComp (Debian: coq libcoq-mathcomp-ssreflect
# libcoq-mathcomp-algebra libcoq-mathcomp-algebra-tactics; .ci/run installs them).
.PHONY: proofs-coq
proofs-coq:
	cd proofs/coq && coq_makefile -f _CoqProject -o Makefile.coq && $(MAKE) -f Makefile.coq

clean:
	rm -rf $(VENV) docs/_build wpgd-report .pytest_cache .hypothesis
