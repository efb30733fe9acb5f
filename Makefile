# esstools — two commands do everything on a fresh machine (python3, make, the package registry):
#   make report   virtualenv + install + Jupyter kernel, run every notebook, write reports/
#   make test     same + dev extras, then pytest (unit tests and nbval on notebooks/)
# The study on real data: `make data` (esstools fetch all) then `make report DATA=real`
# (reports-real.yml: every analysis on the fetched files, written to reports/real/).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
JOBS   ?= 2
CONSTRAINTS := constraints.txt

.PHONY: help install install-dev report test lab notebooks benchmarks clean

help:
	@echo "make data    - download every public file the study needs (esstools fetch all, DEPARTEMENT=93,92: the départements of reports-real.yml)"
	@echo "make report DATA=real - the study on the fetched files (reports-real.yml) into reports/real/"
	@echo "make report  - run every notebook (reports.yml) and write reports/index.html (+ PDFs with Chromium);"
	@echo "               unchanged runs are reused; .venv/bin/esstools run --force re-runs everything"
	@echo "make test    - unit tests + nbval on notebooks/"
	@echo "make lab     - JupyterLab on this repository with the esstools kernel"
	@echo "make notebooks - re-execute the committed notebooks in place (outputs checked by nbval)"
	@echo "make benchmarks - run the benchmarks and rewrite benchmarks/RESULTS.md"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(PY)
	$(PIP) install -q -c $(CONSTRAINTS) -e .
	$(PY) -m ipykernel install --sys-prefix --name esstools --display-name "Python (esstools)" >/dev/null
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -q -c $(CONSTRAINTS) -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# DATA=demo (default): reports.yml, demonstration data, reports/; DATA=real: reports-real.yml, the files
# of `make data`, reports/real/ (a missing file is reported as « donnée manquante », never replaced).
DATA ?= demo
ifeq ($(DATA),real)
REPORT_ARGS := --config reports-real.yml --output reports/real
else ifeq ($(DATA),demo)
REPORT_ARGS :=
else
$(error DATA must be demo or real, got '$(DATA)')
endif

report: install
	$(VENV)/bin/esstools run --jobs $(JOBS) $(REPORT_ARGS)

# pytest exit code 5 means "no test collected": treated as a failure.
test: install-dev
	@$(PY) -m pytest tests notebooks --nbval -n $(JOBS) --dist loadfile --nbval-sanitize-with tests/nbval_sanitize.cfg; \
	rc=$$?; if [ $$rc -eq 5 ]; then echo "make test: pytest collected no test (exit 5) - failing" >&2; exit 1; fi; exit $$rc

lab: install
	$(VENV)/bin/jupyter lab --notebook-dir=.

notebooks: install
	$(PY) scripts/refresh_notebooks.py

# make data [DEPARTEMENT=93,92] (the départements of reports-real.yml): every public file the study needs, into the esstools cache
# (esstools fetch all: resumable, checksum-verified; exit 1 with a summary if one is missing).
.PHONY: data
DEPARTEMENT ?= 93,92
data: install
	$(VENV)/bin/esstools fetch all --departement $(DEPARTEMENT)

benchmarks: install-dev
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) reports/*.html reports/*.ipynb reports/*.pdf reports/results reports/manifest.json reports/.esstools-hashes.json reports/real
