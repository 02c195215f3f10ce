# Two commands: `make run` sets everything up and starts the app; `make test` sets
# everything up and runs the whole suite. Everything else here serves those two.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.greenroom-installed
PACKAGE_STAMP := $(VENV)/.greenroom-package-tools
REAL_VOICES := $(VENV)/real-voices
DIST ?= dist
PULSE_DIR := /tmp/greenroom-pulse-$(shell id -u)-$$PPID

.PHONY: run test setup setup-test lint bench screenshots demo clean \
	package package-smoke setup-package icons bench-package kill-sweep

run: setup
	$(BIN)/greenroom

test: setup-test
	@set -o pipefail; \
	export PULSE_RUNTIME_PATH="$(PULSE_DIR)" GREENROOM_REQUIRE_AUDIO=1 QT_QPA_PLATFORM=offscreen; \
	if [[ $$(id -u) == 0 ]]; then export GREENROOM_REQUIRE_MOUNTS=1; fi; \
	tools/virtual_mic.sh start "$(PULSE_DIR)"; \
	trap 'tools/virtual_mic.sh stop "$(PULSE_DIR)"' EXIT; \
	$(BIN)/ruff check . && $(BIN)/python -m pytest $(PYTEST_ARGS)

setup:
	tools/install_system_packages.sh run
	@$(MAKE) --no-print-directory $(STAMP)

setup-test:
	tools/install_system_packages.sh test
	@$(MAKE) --no-print-directory $(STAMP)
	@$(MAKE) --no-print-directory $(REAL_VOICES)/SOURCE

# Recordings of real people with known words (the pocketsphinx sdist's test data, from
# PyPI), fetched once here so the speech tests and benchmarks read them offline.
$(REAL_VOICES)/SOURCE: | $(STAMP)
	$(BIN)/python -m benchmarks.real_voices fetch $(REAL_VOICES)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The PyInstaller one-folder bundle, $(DIST)/greenroom, and its offline smoke test.
package: setup-package
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath $(DIST) \
		--workpath build/pyinstaller packaging/greenroom.spec
	@echo "bundle: $(DIST)/greenroom ($$(du -sh $(DIST)/greenroom | cut -f1))"

package-smoke: package
	tools/package_smoke.sh $(DIST)/greenroom

setup-package:
	tools/install_system_packages.sh package
	@$(MAKE) --no-print-directory $(PACKAGE_STAMP)

$(PACKAGE_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,package]'
	touch $(PACKAGE_STAMP)

# Re-render the committed PNG icons after editing the SVG.
icons: $(STAMP)
	$(BIN)/python packaging/render_icons.py

# Size and cold start of the bundle (bench runs it too when a bundle exists).
bench-package: package
	$(BIN)/python -m benchmarks bundle_bench

lint: $(STAMP)
	$(BIN)/ruff check .

bench: setup-test
	@export PULSE_RUNTIME_PATH="$(PULSE_DIR)"; \
	tools/virtual_mic.sh start "$(PULSE_DIR)"; \
	trap 'tools/virtual_mic.sh stop "$(PULSE_DIR)"' EXIT; \
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# kill -9 at 40 moments of an answer's life, each followed by the next start (also part of
# bench): 0 lost, 0 duplicated, 0 integrity failures is the pass. About 13 minutes on 2 cores.
kill-sweep: setup-test
	@export PULSE_RUNTIME_PATH="$(PULSE_DIR)"; \
	tools/virtual_mic.sh start "$(PULSE_DIR)"; \
	trap 'tools/virtual_mic.sh stop "$(PULSE_DIR)"' EXIT; \
	$(BIN)/python -m benchmarks.kill_sweep --moments 40

screenshots: setup-test
	xvfb-run -a -s "-screen 0 1280x800x24" $(BIN)/python tools/take_screenshots.py

demo: setup
	$(BIN)/greenroom demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build $(DIST)
