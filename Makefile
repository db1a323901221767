# Two commands for a fresh Debian machine: `make demo` and `make test`. Both set everything up first.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
ALLURE_DIR := .tools/allure2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system venv allure editors demo test lint arch report clean

setup: system venv allure editors

# Debian's chromium (Playwright cannot download browsers here), ffmpeg for video, xvfb for --headed,
# Java for Allure 2's generator, Node/npm to install it; PostgreSQL's server for the monitor's history tests;
# Prometheus (with promtool) and its Pushgateway for the metrics tests (tests/metrics/).
system:
	@missing=""; \
	for pair in chromium:chromium ffmpeg:ffmpeg xvfb-run:xvfb java:default-jre-headless npm:npm \
	    prometheus:prometheus promtool:prometheus prometheus-pushgateway:prometheus-pushgateway; do \
	  command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair##*:}"; \
	done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m compileall -q src  # bytecode as a pip install has it, even under PYTHONDONTWRITEBYTECODE
	touch $@

allure: $(ALLURE_DIR)/node_modules/.bin/allure
$(ALLURE_DIR)/node_modules/.bin/allure:
	mkdir -p $(ALLURE_DIR)
	cd $(ALLURE_DIR) && npm install --silent --no-audit --no-fund allure-commandline@2

# yaml-language-server (what VS Code's YAML extension runs): tests/schema/test_editor.py checks the schemas in it.
YAML_LS_DIR := .tools/yaml-language-server
editors: $(YAML_LS_DIR)/node_modules/.bin/yaml-language-server
$(YAML_LS_DIR)/node_modules/.bin/yaml-language-server:
	mkdir -p $(YAML_LS_DIR)
	cd $(YAML_LS_DIR) && npm install --silent --no-audit --no-fund yaml-language-server@1

demo: setup
	$(VENV)/bin/checkout-tester demo

# Bytecode (and pytest's rewritten test modules) cached between the suite's many processes.
test: export PYTHONDONTWRITEBYTECODE :=
test: setup
	$(PY) -m pytest tests -n 3 --dist loadscope  # units and their order: tests/parallel.py

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy src/checkout_tester

# The package's shape: import graph, layers, circles (tests/unit/test_architecture.py).
arch: setup
	$(PY) tests/unit/test_architecture.py

report: setup
	$(VENV)/bin/checkout-tester report

clean:
	rm -rf reports test-results
