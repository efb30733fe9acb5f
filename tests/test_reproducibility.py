"""Committed notebook outputs do not drift on another machine.

Each committed notebook is re-executed as another machine would run it — one BLAS thread
(``OPENBLAS_NUM_THREADS=1``, where nbval runs with the default thread count) and every measure
column of its inputs perturbed by a relative 1e-10 (``ESSTOOLS_PERTURB_RELATIVE``, applied by
:func:`esstools.sources.perturb`) — and its outputs are compared with the committed ones under the
project's rule (``tests/numeric_compare.py``: text exact, numbers within one unit of their last
printed digit). Images and cells marked NBVAL_IGNORE_OUTPUT / NBVAL_SKIP are not compared.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from esstools.nbtools import merge_streams
from tests.numeric_compare import compare_text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SANITIZE = re.findall(r"^regex: (.*)$\n^replace: (.*)$", (ROOT / "tests" / "nbval_sanitize.cfg").read_text(),
                      flags=re.MULTILINE)
TEXT_MIME = ("text/plain", "text/html", "text/markdown")
ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "ESSTOOLS_PERTURB_RELATIVE": "1e-10", "ESSTOOLS_PERTURB_SEED": "7"}


def _sanitize(text: str) -> str:
    for regex, replace in SANITIZE:
        text = re.sub(regex, replace, text)
    return text


def _texts(outputs) -> list[tuple[str, str]]:
    """(kind, text) of each comparable output: streams and textual MIME data, images left out."""
    found = []
    for out in merge_streams(outputs):
        if out.get("output_type") == "stream":
            found.append((f"stream:{out['name']}", "".join(out["text"])))
        for mime in TEXT_MIME:
            if mime in out.get("data", {}):
                found.append((mime, "".join(out["data"][mime])))
    return found


def _compared(cell) -> bool:
    src = "".join(cell.source)
    return cell.cell_type == "code" and "NBVAL_IGNORE_OUTPUT" not in src and "NBVAL_SKIP" not in src


def compare_notebooks(reference, executed) -> tuple[list[str], list[str]]:
    """Failures and tolerated differences between two executed versions of a notebook."""
    failures, tolerated = [], []
    for index, (ref, new) in enumerate(zip(reference.cells, executed.cells)):
        if not _compared(ref):
            continue
        ref_out, new_out = _texts(ref.outputs), _texts(new.outputs)
        if [k for k, _ in ref_out] != [k for k, _ in new_out]:
            failures.append(f"cell {index}: outputs {[k for k, _ in ref_out]} became {[k for k, _ in new_out]}")
            continue
        for (kind, r), (_, n) in zip(ref_out, new_out):
            result = compare_text(_sanitize(r), _sanitize(n))
            if not result.equal:
                failures.append(f"cell {index} ({kind}): {result.reason}")
            tolerated.extend(f"cell {index}: {a} ~ {b}" for a, b in result.tolerated)
    return failures, tolerated


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_outputs_stable_on_one_blas_thread_with_inputs_perturbed(path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    reference = nbformat.read(path, as_version=4)
    executed = papermill.execute_notebook(str(path), None, kernel_name="esstools", cwd=str(path.parent),
                                          progress_bar=False)
    failures, tolerated = compare_notebooks(reference, executed)
    if tolerated:
        print(f"{path.name}: {len(tolerated)} value(s) one unit apart in the last printed digit:", *tolerated,
              sep="\n  ")
    assert not failures, (f"{path.name} drifts when re-run on one BLAS thread with inputs perturbed by 1e-10:\n  "
                          + "\n  ".join(failures))
