"""Root pytest set-up, shared by the unit tests (tests/) and nbval (notebooks/).

Notebooks executed by the test suite write their results and exports into a
temporary directory, never into reports/ (which belongs to `make report`).
nbval compares numbers at their printed precision (plugin ``tests.nbval_numeric``;
rule in CONTRIBUTING.md).
"""

import os
import tempfile

pytest_plugins = ["tests.nbval_numeric"]

_tmp = tempfile.mkdtemp(prefix="esstools-test-")
os.environ.setdefault("ESSTOOLS_REPORTS_DIR", os.path.join(_tmp, "reports"))
os.environ.setdefault("ESSTOOLS_RESULTS_DIR", os.path.join(_tmp, "reports", "results"))
os.environ.setdefault("ESSTOOLS_DEMO_DIR", os.path.join(_tmp, "demo"))
