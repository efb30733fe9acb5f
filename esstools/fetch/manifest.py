"""The cache manifest (``<cache>/manifest.json``) and file checksums.

One entry per cached file name: ``source``, ``departement``, ``url`` (what was requested),
``resolved_from`` (the data.gouv.fr dataset API, for resolved sources), ``resource_title``,
``sha256``, ``checksum_origin`` (``registry`` = verified against a pinned checksum,
``publisher-<algo>`` = verified against the checksum the publisher's API gave,
``recorded`` = computed at download, nothing to compare with), ``size`` (bytes),
``last_modified`` (publisher's date), ``fetched_at`` (UTC), ``registry_version``,
``licence``, and for paginated APIs ``pages`` and ``records``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..atomic import write_text
from ..errors import FetchError

__all__ = ["read_manifest", "write_entry", "manifest_path", "file_digests", "sha256_file", "verify"]

_CHUNK = 1 << 20
_ALGOS = {"sha256": "sha256", "sha2": "sha256", "sha1": "sha1", "md5": "md5"}


def manifest_path(cache: Path) -> Path:
    return Path(cache) / "manifest.json"


def read_manifest(cache: Path) -> dict:
    """The manifest as a dict (empty when absent or unreadable: files are then re-checked)."""
    p = manifest_path(cache)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_entry(cache: Path, filename: str, entry: dict) -> None:
    """Add or replace the entry of ``filename`` (atomic rewrite of the manifest)."""
    manifest = read_manifest(cache)
    manifest[filename] = entry
    write_text(manifest_path(cache), json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def file_digests(path: Path, algos=("sha256",)) -> dict[str, str]:
    """Hex digests of a file for several algorithms in one pass (1 MB chunks)."""
    hashes = {a: hashlib.new(a) for a in algos}
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            for h in hashes.values():
                h.update(chunk)
    return {a: h.hexdigest() for a, h in hashes.items()}


def sha256_file(path) -> str:
    """SHA-256 hex digest of a file."""
    return file_digests(Path(path))["sha256"]


def verify(path: Path, *, label: str, url: str, sha256: str | None = None,
           publisher: dict | None = None) -> tuple[str, str]:
    """Check ``path`` against a pinned sha256 and/or the publisher's checksum; return (sha256, origin).

    ``publisher`` is a data.gouv.fr ``checksum`` object ``{"type": "sha1", "value": ...}``
    (unknown types are ignored). On mismatch the file is deleted and FetchError names the
    URL and both checksums.
    """
    algo = _ALGOS.get(str((publisher or {}).get("type", "")).lower())
    wanted = ["sha256"] + ([algo] if algo and algo != "sha256" else [])
    digests = file_digests(path, wanted)
    checks = []
    if sha256:
        checks.append(("sha256", sha256.lower(), "registry"))
    if algo and publisher.get("value"):
        checks.append((algo, str(publisher["value"]).lower(), f"publisher-{algo}"))
    for name, expected, origin in checks:
        if digests[name] != expected:
            path.unlink(missing_ok=True)
            source = "the registry" if origin == "registry" else "the publisher's API"
            raise FetchError(
                f"Checksum mismatch for '{label}' downloaded from {url}: expected {name} {expected} "
                f"(from {source}), got {digests[name]}. The downloaded file was deleted."
            )
    origin = checks[0][2] if checks else "recorded"
    return digests["sha256"], origin
