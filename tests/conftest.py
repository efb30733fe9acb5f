"""Shared pytest set-up: keep test notebooks out of nbval, keep results out of reports/."""

import os
import tempfile

# Notebooks under tests/notebooks are fixtures for the runner tests (one fails on purpose).
collect_ignore_glob = ["notebooks/*.ipynb", "fixtures/**/*.ipynb"]

# Notebooks validated by nbval write their results here, not into reports/.
os.environ.setdefault("ESSTOOLS_RESULTS_DIR", tempfile.mkdtemp(prefix="esstools-test-results-"))
