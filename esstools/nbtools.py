"""Small helpers on executed notebooks, shared by ``scripts/refresh_notebooks.py`` and the tests."""

from __future__ import annotations

import copy

import nbformat

VOLATILE_CELL_KEYS = ("execution",)
VOLATILE_PAPERMILL_KEYS = ("start_time", "end_time", "duration")


def merge_streams(outputs: list) -> list:
    """Copies of ``outputs`` with consecutive chunks of the same stream joined (a kernel splits them by timing)."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream"
                and prev.get("name") == out.get("name")):
            prev["text"] = "".join(prev["text"]) + "".join(out["text"])
        else:
            merged.append(nbformat.from_dict(copy.deepcopy(dict(out))))
    return merged


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove timestamps/durations written by Jupyter and papermill; merge split streams; keep outputs and tags."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        pm_meta = cell.metadata.get("papermill")
        if pm_meta is not None:
            for key in VOLATILE_PAPERMILL_KEYS:
                pm_meta.pop(key, None)
    pm_meta = nb.metadata.get("papermill")
    if pm_meta is not None:
        for key in VOLATILE_PAPERMILL_KEYS + ("input_path", "output_path"):
            pm_meta.pop(key, None)
        pm_meta.pop("environment_variables", None)
    return nb
