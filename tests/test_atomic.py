"""esstools.atomic: all-or-nothing writes with ordinary permissions."""

import os
import stat

import pytest

from esstools import atomic


def test_write_replaces_and_uses_umask_permissions(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    atomic.write_text(target, "new;1\n")
    assert target.read_text(encoding="utf-8") == "new;1\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_failed_write_keeps_previous_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "scorecard.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic.atomic_path(target) as tmp:
            tmp.write_bytes(b"half-writ")
            raise RuntimeError("boom")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["scorecard.xlsx"]
