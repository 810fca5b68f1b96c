# Two commands set everything up on a machine with Python 3.11 and make:
#   make demo   install into .venv and refresh the bundled sample
#   make test   install and run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE := workbook_templates/cic-scorecard-june-2018.xlsx
RULES  := rules/cic-scorecard.yaml
DEMO   := build/demo

.PHONY: install demo test bench sample addin clean

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

test: install
	$(BIN)/python -m pytest -q

addin: install
	$(BIN)/scorecard addin build --output build/scorecard.xlam

sample: install
	$(BIN)/python workbook_templates/make_sample.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis

bench: install
	$(BIN)/python bench/run.py
