"""Report runner: papermill execution + nbconvert HTML rendering + index page.

``esstools run`` and ``make report`` call :func:`esstools.runner.execute.run`.
"""

from .config import RunSpec, load_config, default_runs
from .execute import RunRecord, run

__all__ = ["RunSpec", "RunRecord", "load_config", "default_runs", "run"]
