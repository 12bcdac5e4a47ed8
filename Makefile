# The two quick-start commands: `make demo` and `make test`. Both set up .venv first; the demo
# installs crm alone, the tests add the development tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := demo/crm.db

.PHONY: demo test compile format docs bench clean

# A current pip resolves and installs the tools faster than the one Python 3.11 comes with
# (12.8 s against 15.6 s here), more than paying for its own upgrade (1.4 s).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The compat editable mode puts the checkout on sys.path with a .pth line, where the default
# mode adds an import hook that every start-up pays for. Setuptools warns that the mode is
# transitional; the warning is for setuptools' developers, not for someone running the demo.
INSTALL := PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --config-settings editable_mode=compat

# crm and what it needs to run
$(VENV)/.crm: pyproject.toml | $(BIN)/python
	$(INSTALL) -e .
	touch $@

# ... or crm and the tools to test it, in one pip run (one resolution, not two). Byte-compiled
# at install (pip's default): where PYTHONDONTWRITEBYTECODE is set, as on CI, nothing else would
# be, and every process of the tests would compile what it imports again.
$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(INSTALL) -e '.[dev]'
	$(BIN)/python -m compileall -q crmcli
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

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(VENV)/.dev
	$(BIN)/python -m crmcli.reference README.md

bench: compile $(VENV)/.dev
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) demo *.egg-info .pytest_cache .ruff_cache
