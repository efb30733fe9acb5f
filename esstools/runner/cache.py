"""Incremental regeneration: may a run's previous outputs be reused instead of executing it again?

A run is reused when **everything it depends on is unchanged** and its previous outputs
are intact. What it depends on is split in two:

* the *static key*, known before running: the notebook's cells (type, source and tags:
  outputs are ignored), its typed parameters, the options that shape the report
  (``show_code``), the esstools version and the hash of every file of the esstools
  package (code changes are seen even when uncommitted), the versions of Python and of
  the packages that shape results (pandas, statsmodels...), the kernel name and the
  ``ESSTOOLS_*`` environment variables;
* the *inputs*, discovered while the notebook ran (:mod:`esstools.runner.trace`): each
  file it read (content hash), each directory it listed (hash of the names), each path
  whose existence it tested — plus the ``inputs:`` declared in reports.yml and every
  parameter naming an existing file or directory (content hash of the whole tree).
  A stage-2 notebook (the assessment) reads the stage-1 results JSON, so its inputs
  include them: it re-runs when a result it read changed, and only then.

Discovery is what makes the key correct without a hand-kept list: whatever the notebook
(or esstools on its behalf) opened is an input, so appending a row to
``data/roadmap/indicators.csv`` re-runs exactly the notebooks that read that file.
A changed input may make a notebook read other files; it re-runs anyway, and its new
record lists them. Outputs are checked by their SHA-256 recorded in ``manifest.json``.
File hashes are remembered by (size, modification time, inode) in
``<output>/.esstools-hashes.json`` so that large inputs are not re-read on every run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterable

from .. import __version__, paths
from ..atomic import write_text
from .config import RunSpec

CACHE_VERSION = 1
RUNNER_ENV = {"ESSTOOLS_REPORTS_DIR", "ESSTOOLS_RESULTS_DIR", "ESSTOOLS_RUN_LABEL", "ESSTOOLS_RUN_STAGING"}
HASH_STORE = ".esstools-hashes.json"
OUT, REPO = "@out/", "@repo/"


class Hasher:
    """SHA-256 of files and trees, remembered by (size, mtime_ns, inode) between runs."""

    def __init__(self, store: Path | None = None, volatile: Iterable[Path] = ()):
        self.store = store
        self.volatile = tuple(str(Path(v).absolute()) + os.sep for v in volatile)
        self.known: dict[str, list] = {}
        if store is not None and store.exists():
            try:
                self.known = json.loads(store.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.known = {}
        self.used: dict[str, list] = {}

    def file(self, path: str | Path) -> str | None:
        """Hex digest of a file's content, or None if it is missing or not a file."""
        p = str(path)
        try:
            st = os.stat(p)
        except OSError:
            return None
        if not os.path.isfile(p):
            return None
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        old = self.known.get(p)
        if old and old[:3] == stamp:
            digest = old[3]
        else:
            h = hashlib.sha256()
            with open(p, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            digest = h.hexdigest()
        if not p.startswith(self.volatile):
            self.used[p] = stamp + [digest]
        return digest

    def tree(self, path: str | Path) -> str | None:
        """Digest of a file, or of a directory's files (names and contents, recursively)."""
        p = Path(path)
        if p.is_file():
            return self.file(p)
        if not p.is_dir():
            return None
        h = hashlib.sha256()
        for f in sorted(x for x in p.rglob("*") if x.is_file() and "__pycache__" not in x.parts and x.suffix != ".pyc"):
            h.update(f"{f.relative_to(p).as_posix()}\0{self.file(f)}\n".encode())
        return h.hexdigest()

    def save(self) -> None:
        if self.store is not None:
            try:
                write_text(self.store, json.dumps(self.used, sort_keys=True))
            except OSError:
                pass


def listing(path: str | Path) -> str | None:
    """Digest of the visible names in a directory (what ``glob`` would see), or None if it is gone."""
    try:
        names = sorted(n for n in os.listdir(path) if not n.startswith("."))
    except OSError:
        return None
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def notebook_digest(notebook: Path) -> str:
    """Digest of a notebook's cells (type, source, tags) — outputs and metadata are ignored."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        cells.append([cell.get("cell_type"), "".join(source) if isinstance(source, list) else source,
                      sorted(cell.get("metadata", {}).get("tags", []))])
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def static_key(spec: RunSpec, *, show_code: bool, kernel: str, versions: dict, source: str) -> str:
    """The part of a run's key known before it runs (see the module docstring)."""
    payload = {
        "cache": CACHE_VERSION,
        "notebook": notebook_digest(spec.notebook),
        "parameters": spec.parameters,
        "show_code": bool(show_code),
        "kernel": kernel,
        "esstools": [__version__, source],
        "packages": versions,
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("ESSTOOLS_") and k not in RUNNER_ENV},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def declared_inputs(spec: RunSpec) -> list[Path]:
    """``inputs:`` of reports.yml plus every parameter value naming an existing file or directory."""
    found = list(spec.inputs)
    for value in spec.parameters.values():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if not isinstance(item, str) or not item.strip() or len(item) > 4096:
                continue
            for part in item.split(";"):  # "<establishments>;<legal units>" as in notebook 01
                p = Path(part.strip()).expanduser()
                p = p if p.is_absolute() else spec.notebook.parent / p
                try:
                    if part.strip() and p.exists():
                        found.append(p.resolve())
                except OSError:
                    continue
    return sorted(set(found))


class Tokens:
    """Paths as stored in the manifest: ``@out/…`` (staging or output dir), ``@repo/…``, or absolute."""

    def __init__(self, staging: Path, output_dir: Path):
        self.staging = str(staging.absolute()) + os.sep
        self.output = str(output_dir.absolute()) + os.sep
        self.repo = str(paths.REPO_ROOT) + os.sep

    def token(self, path: str | Path) -> str:
        p = str(Path(path).absolute())
        for base, tag in ((self.staging, OUT), (self.output, OUT), (self.repo, REPO)):
            if (p + os.sep).startswith(base):
                return tag + p[len(base):]
        return p

    def path(self, token: str, out_base: str | None = None) -> str:
        """Inputs under ``@out/`` are read in the staging dir (where this run's results are)."""
        if token.startswith(OUT):
            return (out_base or self.staging) + token[len(OUT):]
        if token.startswith(REPO):
            return self.repo + token[len(REPO):]
        return token


def record(static: str, io: dict, declared: list[Path], produced: list[Path], tokens: Tokens, hasher: Hasher) -> dict:
    """The cache entry stored with a finished run (``manifest.json``, key ``cache``)."""
    return {
        "key": static,
        "inputs": {tokens.token(p): hasher.file(p) for p in io.get("inputs", [])},
        "dirs": {tokens.token(p): listing(p) for p in io.get("dirs", [])},
        "probes": {tokens.token(p): bool(e) for p, e in io.get("probes", {}).items()},
        "declared": {tokens.token(p): hasher.tree(p) for p in declared},
        "outputs": {tokens.token(p): hasher.file(p) for p in sorted(set(io.get("outputs", [])) | set(map(str, produced)))},
    }


def why_not_reusable(previous: dict | None, static: str, declared: list[Path], tokens: Tokens,
                     hasher: Hasher) -> str | None:
    """None if the previous run can be reused; otherwise the reason, in French, for the progress line."""
    if not previous:
        return "première exécution"
    if previous.get("status") != "ok":
        return "l'exécution précédente a échoué"
    cache = previous.get("cache") or {}
    if cache.get("key") != static:
        return "notebook, paramètres, code esstools ou versions modifiés"
    if sorted(cache.get("declared", {})) != sorted(tokens.token(p) for p in declared):
        return "entrées déclarées modifiées"
    for token, digest in cache.get("declared", {}).items():
        if hasher.tree(tokens.path(token)) != digest:
            return f"entrée modifiée : {token}"
    for token, digest in cache.get("inputs", {}).items():
        if hasher.file(tokens.path(token)) != digest:
            return f"entrée modifiée : {token}"
    for token, digest in cache.get("dirs", {}).items():
        if listing(tokens.path(token)) != digest:
            return f"contenu du dossier modifié : {token}"
    for token, exists in cache.get("probes", {}).items():
        if os.path.exists(tokens.path(token)) != exists:
            return f"fichier apparu ou disparu : {token}"
    outputs = cache.get("outputs", {})
    if not outputs:
        return "sorties inconnues"
    for token, digest in outputs.items():
        if hasher.file(tokens.path(token, tokens.output)) != digest:
            return f"sortie absente ou modifiée : {token}"
    return None


def source_digest(hasher: Hasher) -> str:
    """Digest of every file of the esstools package (sources, templates, data shipped inside)."""
    return hasher.tree(paths.PACKAGE_DIR) or ""


def reusable_runs(manifest: dict | None) -> dict[str, dict[str, Any]]:
    """Previous runs by id, from an earlier ``manifest.json``."""
    return {r["run_id"]: r for r in (manifest or {}).get("runs", []) if isinstance(r, dict) and "run_id" in r}
