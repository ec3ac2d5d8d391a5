# The README's two commands: `make lab` and `make test`.  Both create .venv if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ARGS   ?=
# pytest-xdist workers: one per core.  A worker's tests already run in several processes (kernels,
# JupyterLab, Chromium) whose work fills its waits; a third worker made the suite no faster on
# this 2-core machine (360-365 s either way) and the steppers' steps slower under the load
# (median 125-129 ms with three workers, 100-112 ms with two).
WORKERS ?= 2
# One BLAS thread: threaded BLAS makes the many tiny matrix calls of EM slower on 2 cores.
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: lab test venv bench slides html student
# The browser tests (tests/browser) drive this Chromium, Debian's headless shell where installed
# (package chromium-headless-shell: the same Blink in Playwright's default headless mode, with less
# CPU than the whole browser); without either they are skipped (failed in CI).
EMLAB_CHROMIUM ?= $(firstword $(wildcard /usr/bin/chromium-headless-shell) /usr/bin/chromium)
export EMLAB_CHROMIUM
NOTEBOOKS := $(wildcard notebooks/[0-9]*.ipynb)

venv: $(STAMP)

# emlab editable with its extras, at the versions constraints.txt pins (those the stored outputs
# were made with); made again when either file changes.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "emlab needs Python >= 3.10"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[lab,test]'
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --LabApp.app_settings_dir=$(CURDIR)/jupyterlab-settings \
	  --LabApp.extra_labextensions_path=$(CURDIR)/jupyterlab-extensions notebooks/ $(ARGS)

test: $(STAMP)
	@test -x $(EMLAB_CHROMIUM) || echo "make test: $(EMLAB_CHROMIUM) not found, so the browser tests" \
	  "in tests/browser are skipped (install it: apt-get install chromium chromium-driver chromium-headless-shell)"
	$(BIN)/python -m pytest --nbval -rs -n $(WORKERS) --dist loadfile --durations=15 $(ARGS)

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

# Reveal.js decks from the notebooks' slide metadata: build/slides/<name>.slides.html, and
# standalone pages (the animations play without a kernel): build/html/<name>.html.  Both open
# with no network: reveal.js, MathJax, require.js, jQuery, the widget embed script and the
# animations' icons are copied into build/{slides,html}/vendor/ from npm packages, which the
# first run installs into build/vendor-cache (`npm install`; tools/offline_export.py says which).
slides: $(STAMP)
	$(BIN)/python tools/offline_export.py slides build/slides $(NOTEBOOKS)

html: $(STAMP)
	$(BIN)/python tools/offline_export.py html build/html $(NOTEBOOKS)

# The student copy: the notebooks without their exercises' solutions, in build/student/
# (a notebook there that a student changed is kept; open with: jupyter lab build/student/)
student: $(STAMP)
	$(BIN)/python tools/make_student.py notebooks build/student
