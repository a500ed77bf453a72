# The README contract: `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lab bench lint data docs clean-venv

# Create the virtual environment and install the project (editable, with the dev, notebook
# and scale extras) only when it is missing or pyproject.toml changed: idempotent and fast when up to date.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,notebooks,scale]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/hotspot demo --out out --offline

# The browser tests drive Debian's chromium: installed here when missing (root or sudo).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	$(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test: $(STAMP) $(CHROMIUM)
	$(PY) -m pytest -n 2 --dist loadfile -q -p no:cacheprovider

# The inner loop: everything but the tests marked slow (real subprocesses, chromium, notebooks,
# the docs build, whole-pipeline runs) and the longest tests listed in tests/slow_tests.txt
# (over 0.2 s each on a quiet machine; scripts/update_slow_tests.py rewrites the list). Whole files per worker
# (--dist loadfile): a module's fixtures are built once. tests/conftest.py loads the embedded
# datasets once per worker. make test runs everything.
test-fast: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -q -p no:cacheprovider -m "not slow"

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check hotspot tests benchmarks scripts
	$(VENV)/bin/ruff format --check hotspot tests benchmarks scripts

# The documentation site into site/ (warnings are errors; make test builds it too).
docs: $(STAMP)
	$(VENV)/bin/mkdocs build --strict

# Rebuild data/*.parquet from the published wheels (verifies their sha256 and the outputs').
data: $(STAMP)
	$(PY) scripts/build_data.py

clean-venv:
	rm -rf $(VENV)
