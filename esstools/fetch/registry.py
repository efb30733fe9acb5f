"""The fetch registry: one :class:`Source` per public file, read from ``registry.yml``.

``ESSTOOLS_FETCH_REGISTRY=<file.yml>`` overlays the packaged registry: its
``sources: {name: {field: value}}`` change fields of existing sources or add new ones
(a new source must give every required field); with ``replace: true`` the file's sources
are the whole registry.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping

import yaml

from ..errors import FetchError

__all__ = ["Source", "load_registry", "REGISTRY_FILE", "ACCESS_KINDS"]

REGISTRY_FILE = Path(__file__).with_name("registry.yml")
ACCESS_KINDS = ("direct", "datagouv", "paginated")
_REQUIRED = ("title", "used_for", "licence", "access", "filename", "format")


@dataclass(frozen=True)
class Source:
    """A public file esstools can download (see the header of ``registry.yml`` for the fields).

    ``url`` containing ``{departement}`` means the source needs a département;
    ``departement_url`` is a documented server-side filter; ``sha256=None`` means the
    checksum is recorded at first download rather than pinned.
    """

    name: str
    title: str
    used_for: str
    licence: str
    access: str
    filename: str
    format: str
    url: str | None = None
    publisher: str = ""
    updates: str = ""
    departement_url: str | None = None
    columns: tuple[str, ...] = ()
    used_columns: tuple[str, ...] = ()
    sha256: str | None = None
    size: int | None = None
    dataset: str | None = None
    resource_id: str | None = None
    title_pattern: str | None = None
    resource_format: str | None = None
    pagination: Mapping = field(default_factory=dict)
    required: bool = True
    confidence: str = ""
    verified: str = ""
    evidence: str = ""
    page: str = ""
    notes: str = ""
    registry_version: str = ""

    @property
    def needs_departement(self) -> bool:
        """True when the publisher only serves the data per département (the URL has ``{departement}``)."""
        return bool(self.url and "{departement}" in self.url)

    def filters_departement(self) -> bool:
        """True when a département restricts what is downloaded (per-département URL or server filter)."""
        return self.needs_departement or bool(self.departement_url)

    def cache_name(self, departement: str | None = None) -> str:
        """File name in the cache: ``filename``, or ``<stem>-<D>.<ext>`` for a département slice."""
        if departement is None or not self.filters_departement():
            return self.filename
        stem, dot, ext = self.filename.partition(".")
        return f"{stem}-{departement}{dot}{ext}"

    def request_url(self, departement: str | None = None) -> str | None:
        """The URL to download for ``departement`` (None: national file, or resolver sources)."""
        if departement is not None and self.departement_url and not self.needs_departement:
            return self.departement_url.format(departement=departement)
        if self.needs_departement:
            if departement is None:
                raise FetchError(
                    f"Source '{self.name}' is published per département only; "
                    f"give one with --departement (e.g. `esstools fetch {self.name} --departement 93`)."
                )
            return self.url.format(departement=departement)
        return self.url


_FIELD_NAMES = {f.name for f in fields(Source)}
_DEPARTEMENT = re.compile(r"^(\d{2}|2[AB]|97\d)$")


def check_departement(code: str) -> str:
    """Return a département code (``93``, ``2A``, ``974``) or raise FetchError."""
    code = str(code).strip().upper()
    if not _DEPARTEMENT.match(code):
        raise FetchError(
            f"Invalid département code {code!r}: expected two digits (e.g. '93'), '2A'/'2B' or an overseas code (e.g. '974')."
        )
    return code


def _build(name: str, entry: Mapping, version: str, where: str) -> Source:
    unknown = sorted(set(entry) - _FIELD_NAMES)
    if unknown:
        raise FetchError(f"{where}: source '{name}' has unknown field(s) {unknown}; known fields: {sorted(_FIELD_NAMES - {'name'})}.")
    missing = [k for k in _REQUIRED if not entry.get(k)]
    if missing:
        raise FetchError(f"{where}: source '{name}' lacks required field(s) {missing}.")
    if entry["access"] not in ACCESS_KINDS:
        raise FetchError(f"{where}: source '{name}' has access {entry['access']!r}; allowed: {', '.join(ACCESS_KINDS)}.")
    if entry["access"] == "datagouv" and not entry.get("dataset"):
        raise FetchError(f"{where}: datagouv source '{name}' needs a 'dataset' id.")
    if entry["access"] != "datagouv" and not entry.get("url"):
        raise FetchError(f"{where}: source '{name}' needs a 'url'.")
    values = dict(entry)
    for key in ("columns", "used_columns"):
        values[key] = tuple(values.get(key) or ())
    values["pagination"] = dict(values.get("pagination") or {})
    values["registry_version"] = str(values.get("registry_version") or version)
    return Source(name=name, **values)


def _read_yaml(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise FetchError(f"Cannot read the fetch registry '{path}': {exc}.") from exc
    except yaml.YAMLError as exc:
        raise FetchError(f"The fetch registry '{path}' is not valid YAML: {exc}.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        raise FetchError(f"The fetch registry '{path}' must be a mapping with a 'sources' mapping.")
    return data


def load_registry(path: str | os.PathLike | None = None, overlay: str | os.PathLike | None = None) -> dict[str, Source]:
    """Read the registry (default: the packaged ``registry.yml``) and apply an overlay.

    ``overlay`` defaults to the ``ESSTOOLS_FETCH_REGISTRY`` environment variable.
    """
    base_path = Path(path) if path is not None else REGISTRY_FILE
    data = _read_yaml(base_path)
    version = str(data.get("registry_version", ""))
    entries = {name: dict(entry) for name, entry in data["sources"].items()}
    overlay = overlay if overlay is not None else os.environ.get("ESSTOOLS_FETCH_REGISTRY") or None
    if overlay:
        extra = _read_yaml(Path(overlay))
        version = str(extra.get("registry_version", f"{version}+overlay"))
        if extra.get("replace"):
            entries = {}
        for name, changes in extra["sources"].items():
            entries[name] = {**entries.get(name, {}), **dict(changes or {})}
    where = str(base_path) + (f" + {overlay}" if overlay else "")
    return {name: _build(name, entry, version, where) for name, entry in entries.items()}


def with_changes(source: Source, **changes) -> Source:
    """A copy of ``source`` with some fields changed (tests, ``--url``)."""
    return replace(source, **changes)
