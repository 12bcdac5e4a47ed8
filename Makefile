# The two quick-start commands: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := demo/crm.db

.PHONY: demo test compile format docs bench clean

$(BIN)/crm: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $(BIN)/crm

# Byte-compile crm: start-up is the product's speed, and some environments set
# PYTHONDONTWRITEBYTECODE, which would make every run compile the package again.
compile: $(BIN)/crm
	$(BIN)/python -m compileall -q crmcli

demo: compile
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	mkdir -p demo
	CRM_DB=$(DEMO_DB) $(BIN)/crm db demo
	CRM_DB=$(DEMO_DB) $(BIN)/crm digest

test: $(BIN)/crm
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

format: $(BIN)/crm
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(BIN)/crm
	$(BIN)/python -m crmcli.reference README.md

bench: compile
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) demo *.egg-info .pytest_cache .ruff_cache
