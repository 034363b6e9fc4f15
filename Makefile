# The README's commands: `make sandbox` (the main one, also plain `make`), `make demo` and
# `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.instalado
PUERTO ?= 8080

.DEFAULT_GOAL := sandbox
.PHONY: sandbox demo test bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ./botapi_double -e '.[dev,sandbox]'
	touch $(STAMP)

sandbox: $(STAMP)
	$(BIN)/asmbot sandbox --puerto $(PUERTO)

demo: $(STAMP)
	$(BIN)/asmbot demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist worksteal

bench: $(STAMP)
	$(BIN)/python -m bench.anexo
