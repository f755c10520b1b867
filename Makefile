# Entry points used by the README and .ci/run.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup setup-test browser demo test test-unit lint bench install-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# pywb (replay tests) pins an old redis that Celery cannot use: it gets a virtualenv of its own.
PYWB_STAMP := .venv-pywb/.installed
$(PYWB_STAMP):
	$(PYTHON) -m venv .venv-pywb
	.venv-pywb/bin/pip install --quiet --upgrade pip
	.venv-pywb/bin/pip install --quiet pywb==2.10.0
	touch $(PYWB_STAMP)

# ReplayWeb.page (the browser replay test) from its npm package: only its bundled ui.js and sw.js
# are used, so the tarball is unpacked rather than installed with its dependency tree.
REPLAYWEB_VERSION := 2.5.3
REPLAYWEB_STAMP   := .replayweb/.installed-$(REPLAYWEB_VERSION)
$(REPLAYWEB_STAMP):
	rm -rf .replayweb && mkdir -p .replayweb
	cd .replayweb && npm pack --silent replaywebpage@$(REPLAYWEB_VERSION) >/dev/null
	tar -xzf .replayweb/replaywebpage-$(REPLAYWEB_VERSION).tgz -C .replayweb
	rm .replayweb/replaywebpage-$(REPLAYWEB_VERSION).tgz
	touch $(REPLAYWEB_STAMP)

setup: $(STAMP) browser

setup-test: setup $(PYWB_STAMP) $(REPLAYWEB_STAMP)

# A browser: one already found (CAPTURE_BROWSER, Playwright's, the system's), else Playwright's
# own download, else the system package manager (closed networks such as CI reach only that).
browser: $(STAMP)
	@$(BIN)/python -m capture.browser.setup

demo: setup
	$(BIN)/capture demo

test: setup-test lint
	$(BIN)/python -m pytest -q

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

lint: $(STAMP)
	$(BIN)/ruff check capture tests bench
	$(BIN)/ruff format --check capture tests bench
	$(BIN)/mypy capture
	$(BIN)/lint-imports

# A wheel in a fresh virtualenv without the test extras: every README command (CI runs it).
install-check: browser
	bash .ci/install-check

bench: setup
	$(BIN)/python bench/capture_speed.py

clean:
	rm -rf $(VENV) .venv-pywb .replayweb archives bench/out
