"""pytest plugin: nbval compares notebook outputs number by number at their printed precision.

nbval compares each cell's outputs with the committed ones as exact strings. Printed estimates
may legitimately move by one unit in their last printed digit on another machine when the value
lies on a rounding boundary. Before nbval compares, this plugin merges split stream chunks (as
``scripts/refresh_notebooks.py`` does for the committed outputs) and, for every text output
(stream, text/plain, text/html, text/markdown) whose sanitized text differs from the reference
ONLY by numbers within one unit of their last printed digit (rule: ``tests/numeric_compare.py``),
hands nbval the reference text. Every other difference — text, structure, precision, a larger
numeric change — reaches nbval unchanged and fails. Each tolerated difference is listed in the
test report's summary ("numeric tolerance used").
"""

from __future__ import annotations

from esstools.nbtools import merge_streams
from tests.numeric_compare import compare_text

TEXT_MIME = ("text/plain", "text/html", "text/markdown", "text/latex")
PROPERTY = "numeric_tolerance"
_tolerated: list[str] = []


def _as_text(value) -> str | None:
    if isinstance(value, list):
        return "".join(value)
    return value if isinstance(value, str) else None


def _reconcile_value(item, ref_value, test_value):
    ref_text, test_text = _as_text(ref_value), _as_text(test_value)
    if ref_text is None or test_text is None or ref_text == test_text:
        return test_value
    result = compare_text(item.sanitize(ref_text), item.sanitize(test_text))
    if result.equal:
        for r, t in result.tolerated:
            item.user_properties.append((PROPERTY, f"{r} (référence) ~ {t} (exécution)"))
        return ref_value
    return test_value


def reconcile(item, test: list, ref: list) -> tuple[list, list]:
    """Outputs to hand nbval: streams merged, numbers within tolerance replaced by the reference's."""
    test, ref = merge_streams(test), merge_streams(ref)
    for t, r in zip(test, ref):
        if t.get("output_type") != r.get("output_type"):
            continue
        if t.get("output_type") == "stream" and t.get("name") == r.get("name"):
            t["text"] = _reconcile_value(item, r.get("text"), t.get("text"))
        if "data" in t and "data" in r:
            for mime in TEXT_MIME:
                if mime in t["data"] and mime in r["data"]:
                    t["data"][mime] = _reconcile_value(item, r["data"][mime], t["data"][mime])
    return test, ref


def pytest_configure(config):
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: nothing to patch
        return
    if getattr(IPyNbCell, "_esstools_numeric", False):
        return
    original = IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        test, ref = reconcile(self, test, ref)
        return original(self, test, ref, skip_compare)

    IPyNbCell.compare_outputs = compare_outputs
    IPyNbCell._esstools_numeric = True


def pytest_runtest_logreport(report):
    if report.when == "call":
        for name, value in getattr(report, "user_properties", []):
            if name == PROPERTY:
                _tolerated.append(f"{report.nodeid}: {value}")


def pytest_terminal_summary(terminalreporter):
    if _tolerated:
        terminalreporter.section("numeric tolerance used (±1 in the last printed digit)")
        for line in _tolerated:
            terminalreporter.write_line(line)
