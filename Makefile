# Two commands set everything up on a machine with Python 3.11 and make:
#   make demo   install into .venv and refresh the bundled sample
#   make test   install and run the whole suite
# While you work, make test-fast runs ruff and the tests not marked slow (about 20 s of CPU; docs/testing.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE := workbook_templates/cic-scorecard-june-2018.xlsx
RULES  := rules/cic-scorecard.yaml
DEMO   := build/demo

LITE   := build/lite
LINTED := addin tests bench workbook_templates

.PHONY: install demo test test-fast lint format lite bench sample addin clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: install
	mkdir -p $(DEMO)
	$(BIN)/scorecard refresh $(SAMPLE) --rules $(RULES) --output $(DEMO)/
	$(BIN)/scorecard narrative $(DEMO)/$(notdir $(SAMPLE)) --rules $(RULES)
	@echo
	@echo "Refreshed workbook: $(abspath $(DEMO)/$(notdir $(SAMPLE)))"

test: install lite
	$(BIN)/python -m ruff check $(LINTED)
	$(BIN)/python -m ruff format --check $(LINTED)
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m ruff check $(LINTED)
	$(BIN)/python -m ruff format --check $(LINTED)
	$(BIN)/python -m pytest -q -m "not slow"

# ruff as make test runs it ([tool.ruff] in pyproject.toml); make format rewrites what it can
lint: install
	$(BIN)/python -m ruff check $(LINTED)
	$(BIN)/python -m ruff format --check $(LINTED)

format: install
	$(BIN)/python -m ruff format $(LINTED)
	$(BIN)/python -m ruff check --fix $(LINTED)

# The xlwings Lite test's runtime: Pyodide from npm and wheels from PyPI, fetched once into build/lite
# (then offline); scorecard's own wheel is rebuilt when its sources change. Needs node and npm.
lite: install
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		PYTHON=$(BIN)/python tests/lite/setup.sh $(LITE) >/dev/null; \
	else echo "make lite: node and npm not found; the xlwings Lite test will be skipped (it fails under CI=true)"; fi

addin: install
	$(BIN)/scorecard addin build --output build/scorecard.xlam

sample: install
	$(BIN)/python workbook_templates/make_sample.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis

bench: install
	$(BIN)/python bench/run.py $(if $(BEFORE),--before $(BEFORE))
