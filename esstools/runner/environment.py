"""Facts recorded with every report: git commit, package versions, the kernel used."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

from .. import paths
from ..errors import EsstoolsError

KERNEL_NAME = "esstools"
REPORTED_PACKAGES = (
    "esstools", "pandas", "numpy", "scipy", "statsmodels", "linearmodels", "matplotlib",
    "seaborn", "duckdb", "pyarrow", "papermill", "nbconvert", "ipykernel",
)


class KernelError(EsstoolsError):
    """The ``esstools`` Jupyter kernel is missing or does not run this virtual environment's Python."""


def skip_slow_imports() -> None:
    """Keep ``jsonschema`` from importing ``rfc3987_syntax`` in runner processes.

    ``jsonschema`` (imported by nbformat, hence papermill and nbconvert) loads
    ``rfc3987_syntax`` when installed, which compiles a Lark grammar at import: 1 to 3 s
    of CPU per process, for the ``iri`` string format that notebook validation never
    uses. Marking the module as absent makes ``jsonschema`` skip that one format check.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def git_commit(root: Path | None = None) -> str:
    """Short commit hash of the repository (``+modifications`` when the tree is dirty), or ``inconnu``."""
    root = root or paths.REPO_ROOT
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=root, capture_output=True,
                             text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return sha + ("+modifications" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "inconnu"


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the results, plus Python."""
    out = {"python": sys.version.split()[0]}
    for name in REPORTED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def check_kernel(name: str = KERNEL_NAME) -> str:
    """Ensure kernel ``name`` exists and runs this environment's Python; return its python path.

    Notebooks must never run on a system Python: a kernelspec whose interpreter is not
    ``sys.executable`` (same virtual environment) is refused with the command that fixes it.
    """
    import json

    from jupyter_core.paths import jupyter_path  # lighter than jupyter_client's KernelSpecManager

    fix = f"{sys.executable} -m ipykernel install --sys-prefix --name {name} --display-name 'Python (esstools)'"
    spec_file = next((Path(d) / name / "kernel.json" for d in jupyter_path("kernels")
                      if (Path(d) / name / "kernel.json").is_file()), None)
    if spec_file is None:
        raise KernelError(f"Jupyter kernel '{name}' is not installed in this environment. Run `make install` or: {fix}")
    try:
        argv = json.loads(spec_file.read_text(encoding="utf-8"))["argv"]
    except (OSError, ValueError, KeyError) as exc:
        raise KernelError(f"Jupyter kernel '{name}' has an unreadable kernel.json ({spec_file}: {exc}). Re-register it: {fix}") from None
    exe = argv[0]
    # Compare the bin directories without resolving symlinks: a venv's python is a symlink to
    # the base interpreter, so resolving would make venv and system Python look identical.
    if not Path(exe).is_absolute() or Path(exe).parent.absolute() != Path(sys.executable).parent.absolute():
        raise KernelError(
            f"Jupyter kernel '{name}' runs '{exe}', not this environment's Python '{sys.executable}'. "
            f"Re-register it: {fix}"
        )
    return exe
