# rustlamp: the two commands in the README are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-words test-desktops test-windows lint bench soak screenshots system-packages desktop-packages clean

## run: install into ./.venv and start rustlamp (logs to the terminal too)
run: $(VENV)/.installed
	$(BIN)/rustlamp -v

## test: install what the tests need (Debian packages too, when missing), then lint, type check, the suite
## the tests inside real desktops (test-desktops) and the Windows job under Wine (test-windows)
test: system-packages $(VENV)/.installed-test
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory test-desktops
	$(MAKE) --no-print-directory test-windows

## test-desktops: rustlamp inside real headless desktops (sway, KDE Plasma, GNOME Shell); installs their
## Debian packages when missing (about 500, once)
test-desktops: desktop-packages $(VENV)/.installed-test
	$(BIN)/pytest -q -m real_desktop

## test-windows: the Windows code on Windows' own Python, under Wine: a CPython for Windows set up in
## .venv/wine (once; later runs reuse it), the tests marked `windows`, and the installed app end to end
test-windows: system-packages $(VENV)/.installed-test
	bash tests/wine/run.sh

## test-words: the message catalogs (rustlamp/locale) and the glossary, for translators (CONTRIBUTING.md);
## `make test` runs these too
test-words: system-packages $(VENV)/.installed-test
	$(BIN)/pytest -q tests/test_catalogs.py tests/test_words.py tests/test_problem_words.py \
		tests/test_no_sentences_in_code.py tests/test_cli_languages.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check rustlamp tests benchmarks assets packaging
	$(BIN)/ruff format --check rustlamp tests benchmarks assets packaging
	$(BIN)/mypy

## bench: the figures (planning speed, start-up, idle cost, windows, journal); not part of the test suite
bench: system-packages $(VENV)/.installed-test
	$(BIN)/python benchmarks/plan_year.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/idle.py
	$(BIN)/python benchmarks/break_window.py
	$(BIN)/python benchmarks/journal.py

## soak: weeks of use compressed (a reminder every 10 s, answered in turn) for SOAK_MINUTES; not in `bench`
SOAK_MINUTES ?= 20
soak: system-packages $(VENV)/.installed-test
	$(BIN)/python benchmarks/soak.py $(SOAK_MINUTES)

## screenshots: the README's pictures (notification, menus, break and settings windows; Dutch and English),
## taken with the installed app in the headless test desktop and written to assets/
screenshots: system-packages $(VENV)/.installed-test
	$(BIN)/python assets/make_screenshots.py

system-packages:
	@sh tests/setup/debian-packages.sh

desktop-packages: system-packages
	@sh tests/setup/real-desktop-packages.sh

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || { echo "rustlamp: '$(PYTHON) -m venv' failed; on Debian/Ubuntu: sudo apt install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
