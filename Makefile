# Entry points used by the README and .ci/run.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser demo test test-unit lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) browser

# A browser: one already found (CAPTURE_BROWSER, Playwright's, the system's), else Playwright's
# own download, else the system package manager (closed networks such as CI reach only that).
browser: $(STAMP)
	@$(BIN)/python -m capture.setup_browser

demo: setup
	$(BIN)/capture demo

test: setup lint
	$(BIN)/python -m pytest -q

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

lint: $(STAMP)
	$(BIN)/ruff check capture tests bench
	$(BIN)/ruff format --check capture tests bench
	$(BIN)/mypy capture

bench: setup
	$(BIN)/python bench/capture_speed.py

clean:
	rm -rf $(VENV) archives bench/out
