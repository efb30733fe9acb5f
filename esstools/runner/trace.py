"""What a notebook read and wrote: file accesses recorded inside its kernel.

Before the first cell, the worker installs (silently, nothing appears in the notebook)
an audit hook (:pep:`578`) in the kernel that records every file opened for reading or
writing (``open``, ``os.open``: pandas, csv, json, yaml, openpyxl all go through them),
every renamed file (atomic writes), every directory listed (``os.listdir``,
``os.scandir``, hence ``glob``) and every path whose existence was tested through
``os.stat`` (``Path.exists``, ``os.path.isfile``...). After the last cell the worker
fetches the record. Files under the Python installation, the virtual environment,
``/proc``, ``/sys``, ``/dev`` and ``/etc`` are not recorded (packages are covered by their
versions, the esstools sources by their hash: see :mod:`esstools.runner.cache`).

Reads made by compiled code outside Python's ``open`` (DuckDB, Arrow reading a Parquet
path) are not seen: such files are declared (``inputs:`` in reports.yml), and every
parameter naming an existing file or directory counts as an input anyway.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

MODULE = "_esstools_io_trace"

# Runs inside the kernel: standard library only, never raises into the audited call.
KERNEL_SOURCE = r'''
import os, sys, json
reads, writes, dirs, probes = set(), set(), set(), {}
skip = ()
_W = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_EVENTS = frozenset(("open", "os.rename", "os.listdir", "os.scandir"))

def _abs(p):
    if p is None or isinstance(p, int):
        return None
    p = os.fsdecode(os.fspath(p))
    return os.path.abspath(p)

def _hook(event, args):
    if event not in _EVENTS:
        return
    try:
        if event == "open":
            p = _abs(args[0])
            if p is None or p.startswith(skip):
                return
            mode, flags = args[1], args[2]
            writing = bool(flags & _W) if mode is None else any(c in mode for c in "wax+")
            (writes if writing else reads).add(p)
        elif event == "os.rename":
            p = _abs(args[1])
            if p is not None and not p.startswith(skip):
                writes.add(p)
        elif not _importlib(sys._getframe(1).f_code.co_filename):
            # directories scanned by the import system (modules, distributions' metadata) are not data
            p = _abs(args[0] if args[0] is not None else ".")
            if p is not None and not (p + os.sep).startswith(skip):
                dirs.add(p)
    except Exception:
        pass

_IMPORTLIB = os.sep + "importlib" + os.sep

def _importlib(filename):
    return filename.startswith("<frozen importlib") or _IMPORTLIB in filename

_stat = os.stat

def _traced_stat(path, *args, **kwargs):
    try:
        result = _stat(path, *args, **kwargs)
    except OSError:
        _probe(path, False)
        raise
    _probe(path, True)
    return result

def _probe(path, exists):
    try:
        if not path or isinstance(path, int):
            return
        p = _abs(path)
        if p is not None and not p.startswith(skip) and p not in probes:
            probes[p] = exists
    except Exception:
        pass

def install(skip_prefixes):
    global skip
    skip = tuple(skip_prefixes)
    sys.addaudithook(_hook)
    _traced_stat.__doc__, _traced_stat.__name__ = _stat.__doc__, "stat"
    os.stat = _traced_stat

def report():
    return json.dumps({"reads": sorted(reads), "writes": sorted(writes), "dirs": sorted(dirs),
                       "probes": probes})
'''


def skip_prefixes() -> list[str]:
    """Paths whose accesses are not recorded: Python itself, the environment, system directories."""
    import site
    import sysconfig

    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                *site.getsitepackages(), sysconfig.get_paths()["stdlib"], "/proc", "/sys", "/dev", "/etc"}
    user_site = site.getusersitepackages() if hasattr(site, "getusersitepackages") else None
    if user_site:
        prefixes.add(user_site)
    return sorted(p.rstrip(os.sep) + os.sep for p in prefixes if p)


def install_code() -> str:
    """Code run silently in a fresh kernel before the first cell (a second run does nothing)."""
    return (
        "import sys as _s, types as _t\n"
        f"if {MODULE!r} not in _s.modules:\n"
        f"    _m = _t.ModuleType({MODULE!r})\n"
        f"    exec(compile({KERNEL_SOURCE!r}, '<esstools-trace>', 'exec'), _m.__dict__)\n"
        f"    _s.modules[{MODULE!r}] = _m\n"
        f"    _m.install({json.dumps(skip_prefixes())})\n"
        "    del _m\n"
        "del _s, _t\n"
    )


REPORT_EXPRESSION = f"__import__('sys').modules[{MODULE!r}].report()"


def _ignored_dirs() -> list[str]:
    """Caches and settings of Jupyter, IPython and Matplotlib: read by the kernel, not inputs."""
    home = Path.home()
    dirs = [home / ".ipython", home / ".jupyter", home / ".cache" / "matplotlib", home / ".config" / "matplotlib",
            home / ".local" / "share" / "jupyter", home / ".cache" / "fontconfig"]
    for var in ("MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        if os.environ.get(var):
            dirs.append(Path(os.environ[var]))
    try:
        from jupyter_core import paths as jpaths

        dirs += [Path(jpaths.jupyter_runtime_dir()), Path(jpaths.jupyter_data_dir()), Path(jpaths.jupyter_config_dir())]
    except Exception:  # pragma: no cover - jupyter_core is a dependency
        pass
    return [str(d.absolute()).rstrip(os.sep) + os.sep for d in dirs]


def classify(record: dict, staging: Path, package_dir: Path, extra_ignored: list[Path] = ()) -> dict:
    """Turn the kernel's raw record into a run's inputs, listed directories, probes and outputs.

    * outputs: files written under ``staging`` that still exist;
    * inputs: files read and not written by the run, that still exist (temporary files are not inputs);
    * dirs: directories listed; probes: paths whose existence was tested (True/False).
    The esstools package sources are left out (their hash is part of every key).
    """
    ignored = tuple(_ignored_dirs() + [str(Path(p).absolute()).rstrip(os.sep) + os.sep
                                       for p in [package_dir, *extra_ignored]])
    stage = str(staging.absolute()).rstrip(os.sep) + os.sep
    private = (stage + ".jobs" + os.sep, stage + ".logs" + os.sep, stage + ".owner", stage + ".pids")

    def keep(p: str) -> bool:
        return not (p + os.sep).startswith(ignored) and not p.startswith(private)

    writes = set(record.get("writes", []))
    outputs = sorted(p for p in writes if p.startswith(stage) and keep(p) and os.path.isfile(p))
    inputs = sorted(p for p in set(record.get("reads", [])) - writes if keep(p) and os.path.isfile(p))
    dirs = sorted(p for p in record.get("dirs", []) if keep(p) and os.path.isdir(p))
    # a probe counts if its directory exists (IPython tests whether HTML text is a file name...)
    probes = {p: bool(e) for p, e in sorted(record.get("probes", {}).items())
              if keep(p) and p not in writes and p not in inputs and p + os.sep != stage
              and "\n" not in p and len(os.path.basename(p)) <= 128 and os.path.isdir(os.path.dirname(p))}
    return {"inputs": inputs, "dirs": dirs, "probes": probes, "outputs": outputs}
