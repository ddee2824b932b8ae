# rmsnotes: the course "RMSprop, from AdaGrad's stall to today's optimizers".
#
#   make lab       set up .venv (first time only), open JupyterLab on the index
#   make help      list the targets
#
# The only things needed are Python 3.11+ (python3 on PATH, or PYTHON=/path/to/python)
# and make; the first run downloads the pinned packages from PyPI into .venv (about
# 520 MB).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup lab clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# The version check runs on $(PYTHON) before anything is built, and again on the
# venv's own Python, which an older .venv left in place could still be.
CHECK_PY := import sys; sys.exit(0 if sys.version_info >= (3, 11) else "rmsnotes needs Python 3.11 or newer; this is " + sys.version.split()[0] + " (" + sys.executable + "). Run: make clean setup PYTHON=python3.12")

# An offline room: `make setup WHEELHOUSE=path` installs from a folder of the pinned
# wheels (README: A room without network), with no network. pip also builds the editable
# rmsnotes from it: the isolated build environment gets setuptools from the same folder.
OFFLINE := $(if $(WHEELHOUSE),--no-index --find-links $(WHEELHOUSE))

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c '$(CHECK_PY)'
	$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c '$(CHECK_PY)'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(OFFLINE) -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(OFFLINE) --no-deps -e .
	@touch $(STAMP)
	@echo "Environment ready in $(VENV)."

setup: $(STAMP)  ## create .venv with the pinned packages and rmsnotes (WHEELHOUSE=path: offline)

lab: $(STAMP)  ## open JupyterLab on notebooks/00_index.ipynb (LAB_ARGS="--no-browser" etc.)
	$(BIN)/jupyter lab --ServerApp.root_dir=. \
	  --LabApp.default_url=/lab/tree/notebooks/00_index.ipynb $(LAB_ARGS)

clean:  ## remove .venv, build/ (student copies, screenshots) and caches; notebooks, figures and wheelhouse/ stay
	rm -rf $(VENV) build .pytest_cache .hypothesis .ruff_cache rmsnotes.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# A target this Makefile lacks (a typo, or in a student copy one of the full
# repository's): say so and where the list is. Make also comes here for a missing file
# that a rule needs (requirements.txt, say): name that instead. $(error) stops `make -n` too.
.DEFAULT:
	$(if $(filter $@,$(MAKECMDGOALS)),$(error no target '$@' in this Makefile: `make help` lists its targets),$(error $@ is missing, and a rule here needs it: restore it (git checkout -- $@, or unzip the copy again)))

# ---- maintainers' targets: tools/make_student.py cuts the student copy's Makefile here ----
# Everything above is the learners' part: a student copy's whole Makefile. It must name
# no file the copy lacks (tools/, tests/, benchmarks/, docs/) and no target below this
# line; tools/make_student.py stops the build if it does. Everything below is the
# repository's:
#
#   make test      set up .venv, then lint, unit tests and strict nbval on every notebook

BROWSER_STAMP := $(VENV)/.installed-browser
BINDER_STAMP := $(VENV)/.installed-binder
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# Strict nbval: every stored text output must match; only PNG images are not compared.
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: test test-portable test-browser unit nbval lint format execute profile bench lock
.PHONY: wheelhouse test-offline binder-check student

# Every pinned wheel, the build backend that pyproject.toml names (to build the editable
# rmsnotes offline) and, with WITH_BROWSER=1, the browser test's packages. Wheels only,
# for $(PYTHON)'s platform and version; WHEELHOUSE_ARGS="--platform ... --python-version ..."
# downloads for another (README: A room without network).
WHEELHOUSE_DIR = $(or $(WHEELHOUSE),wheelhouse)
BUILD_REQUIRES = $(shell $(PYTHON) -c 'import shlex, tomllib; print(*map(shlex.quote, tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')
WHEELHOUSE_ARGS ?=

wheelhouse:  ## download every pinned wheel into wheelhouse/ (WHEELHOUSE=path), for a USB stick
	@$(PYTHON) -m pip --version > /dev/null 2>&1 || { echo "make wheelhouse runs pip with $(PYTHON), which has none: apt-get install python3-pip, or PYTHON=.venv/bin/python"; exit 1; }
	$(PYTHON) -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
	  --dest $(WHEELHOUSE_DIR) -r requirements.txt $(BUILD_REQUIRES) \
	  $(if $(WITH_BROWSER),-r requirements-browser.txt) $(WHEELHOUSE_ARGS)
	@$(PYTHON) -c 'import sys, sysconfig; print("wheels for", " ".join(sys.argv[1:]) or f"Python {sys.version_info[0]}.{sys.version_info[1]} on {sysconfig.get_platform()} (this machine)")' $(WHEELHOUSE_ARGS)
	@echo "$$(ls $(WHEELHOUSE_DIR)/*.whl | wc -l) wheels, $$(du -sh $(WHEELHOUSE_DIR) | cut -f1) in $(WHEELHOUSE_DIR)/"

test-offline:  ## install from the wheelhouse into a fresh venv with pip cut off from the network
	$(if $(WHEELHOUSE),,$(MAKE) --no-print-directory wheelhouse)
	$(PYTHON) tools/test_offline.py $(WHEELHOUSE_DIR) --python $(PYTHON)

test: lint unit nbval  ## lint, unit tests, strict nbval (CI, .ci/run, runs this first)

test-portable: $(STAMP)  ## strict nbval under other CPUs' BLAS and SIMD kernels (x86_64)
	$(BIN)/python tools/test_portable.py $(if $(NB),$(NB),)

# playwright goes into .venv only for this target (learners never need it); it drives
# Debian's chromium (or $$CHROMIUM), since `playwright install` cannot download here.
# WHEELHOUSE=path installs them from the wheelhouse too (`make wheelhouse WITH_BROWSER=1`).
$(BROWSER_STAMP): $(STAMP) requirements-browser.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(OFFLINE) -r requirements-browser.txt
	@touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP)  ## every notebook run in JupyterLab in Chromium (NB=notebooks/X.ipynb for one)
	$(BIN)/python tools/test_browser.py $(NB)

# repo2docker shares its pins with requirements.txt (pip would refuse otherwise: -c), so
# it goes into .venv; it prints the Dockerfile Binder would build without a Docker engine.
$(BINDER_STAMP): $(STAMP) requirements-binder.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-binder.txt -c requirements.txt
	@touch $(BINDER_STAMP)

binder-check: $(BINDER_STAMP)  ## repo2docker's Dockerfile installs environment.yml, which matches the lock
	$(BIN)/python tools/binder_check.py

# The learners' hand-out: every notebook without its folded solutions, speaker notes and
# outputs, plus what `make setup` / `make lab` need, in build/student/ and a zip of it.
# Standard library only: an instructor needs no .venv for it.
student:  ## student copies: build/student/ and build/rmsnotes-student.zip (no solutions, no outputs)
	@$(PYTHON) -c '$(CHECK_PY)'
	$(PYTHON) tools/make_student.py

unit: $(STAMP)  ## unit, property and golden-data tests, plus the docstring examples
	MPLBACKEND=Agg $(BIN)/python -m pytest -q tests rmsnotes

# nbval writes the notebooks' figures to a scratch folder: checking must not rewrite
# figures/ (only `make execute` regenerates them).
nbval: $(STAMP)  ## run every notebook and compare with its stored outputs
	RMSNOTES_FIGURES=$$(mktemp -d) $(BIN)/python -m pytest -q -p no:cacheprovider $(NBVAL) $(NOTEBOOKS)

lint: $(STAMP)  ## ruff: lint and formatting check of code and notebooks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## ruff: fix what can be fixed automatically
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

execute: $(STAMP)  ## re-run every notebook in place (Restart & Run All), regenerating figures/
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.kernel_name=python3 \
	  --ExecutePreprocessor.timeout=600 \
	  --ExecutePreprocessor.record_timing=False $(NOTEBOOKS)
	$(BIN)/python tools/normalize_notebooks.py $(NOTEBOOKS)

profile: $(STAMP)  ## time and peak memory of every notebook, against an empty one
	$(BIN)/python tools/profile_notebooks.py

bench: $(STAMP)  ## time one rmsprop update (against a memory floor, PyTorch if installed); the explorer's redraw
	$(BIN)/python benchmarks/bench_rmsprop.py
	$(BIN)/python benchmarks/bench_explorer.py

lock:  ## re-resolve requirements.in into requirements.txt and environment.yml
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.in
	{ sed -n '1,2p' requirements.txt; .lock-venv/bin/python -m pip freeze --exclude-editable; } > requirements.txt.new
	mv requirements.txt.new requirements.txt
	rm -rf .lock-venv
	$(PYTHON) tools/sync_environment.py

