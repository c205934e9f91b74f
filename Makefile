# Two entry points, both self-contained on a fresh Debian machine with Python 3.11:
#   make demo   creates .venv, installs mstoolkit, classifies the bundled dump, writes a report
#   make test   also installs the Debian packages the tests use (registry, skopeo, chromium)
#               and runs ruff, mypy --strict, the import-layer contracts and the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SYSTEM_DEPS := $(VENV)/.system-deps

.PHONY: demo test lint typecheck layers pytest system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[all,test]'
	touch $@

# Debian packages: the CNCF registry and skopeo for the real-server tests, Debian's chromium
# for the notebook UI test, Go for the detector's differential test against encoding/json.
# Idempotent and quick when everything is present.
system-deps:
	bash tests/registry_harness/setup.sh
	bash tests/registry_harness/setup-browser.sh
	bash tests/manifest/go_oracle/setup.sh

demo: $(INSTALLED)
	$(BIN)/mstoolkit demo

lint: $(INSTALLED)
	$(BIN)/ruff check mstoolkit tests benchmarks

typecheck: $(INSTALLED)
	$(BIN)/mypy --strict mstoolkit

layers: $(INSTALLED)
	$(BIN)/lint-imports

pytest: $(INSTALLED) system-deps
	$(BIN)/python -m pytest

test: lint typecheck layers pytest

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache mstoolkit-report
