"""Root pytest set-up, shared by the unit tests (tests/) and nbval (notebooks/).

Notebooks executed by the test suite write their results and exports into a
temporary directory, never into reports/ (which belongs to `make report`).
"""

import os
import tempfile

_tmp = tempfile.mkdtemp(prefix="esstools-test-")
os.environ.setdefault("ESSTOOLS_REPORTS_DIR", os.path.join(_tmp, "reports"))
os.environ.setdefault("ESSTOOLS_RESULTS_DIR", os.path.join(_tmp, "reports", "results"))
