# The two quick-start commands: `make demo` and `make test`. Both set up .venv first; the demo
# installs crm alone, the tests add the development tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := demo/crm.db

.PHONY: demo test compile format docs bench clean

# uv installs the same packages from the same index as pip, in a third of the time; the venv is
# made without pip (ensurepip alone takes longer than uv's whole install) and uv is put beside
# it by the system's pip. `.venv/uv/bin/uv pip …` adds packages later.
UV := $(VENV)/uv/bin/uv
$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(VENV)/uv uv

# The compat editable mode puts the checkout on sys.path with a .pth line, where the default
# mode adds an import hook that every start-up pays for.
INSTALL := $(UV) pip install --quiet --python $(BIN)/python --config-settings editable_mode=compat

# crm and what it needs to run, byte-compiled at install: where PYTHONDONTWRITEBYTECODE is set, as on CI, nothing else would
# be, and every run of crm would compile what it imports again.
$(VENV)/.crm: pyproject.toml | $(BIN)/python
	$(INSTALL) --compile-bytecode -e .
	touch $@

# ... or crm and the tools to test it, in one run (one resolution, not two). Not compiled here:
# the tests import about 900 of the 20,000 files installed, and compiling them all took longer
# than the rest of the set-up; the tests compile what they import, once (see `test`).
$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(INSTALL) -e '.[dev]'
	touch $@ $(VENV)/.crm

# Byte-compile crm: start-up is the product's speed, and some environments set
# PYTHONDONTWRITEBYTECODE, which would make every run compile the package again.
compile: $(VENV)/.crm
	$(BIN)/python -m compileall -q crmcli

demo: compile
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	mkdir -p demo
	CRM_DB=$(DEMO_DB) $(BIN)/crm db demo
	CRM_DB=$(DEMO_DB) $(BIN)/crm digest

# The tests may write bytecode even where PYTHONDONTWRITEBYTECODE is set: it goes into .venv and
# the checkout's __pycache__, and each of the ~900 files they import is compiled once, not in
# every process.
test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(VENV)/.dev
	$(BIN)/python -m crmcli.reference README.md docs/*.md

bench: compile $(VENV)/.dev
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) demo *.egg-info .pytest_cache .ruff_cache
