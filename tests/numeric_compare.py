"""Compare notebook outputs number by number at their printed precision (the project's nbval rule).

Rule (stated in CONTRIBUTING.md): two outputs match when

1. their text with every number replaced by a placeholder is **identical** (labels, units, table
   structure, HTML, the count and order of numbers), and
2. each pair of numbers that differ is printed with the **same number of decimals** and differs by
   at most **one unit in the last printed digit** (a value lying on a rounding boundary may print
   either way on another machine); anything larger fails.

Numbers are read in the French style the reports use (decimal comma, thousands grouped by a
narrow no-break space U+202F, a no-break space U+00A0 or a space, minus U+2212) and in the plain
style (decimal point). A number glued to a letter or an underscore (``row0``, ``T_t02``) is part
of a word, not a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_GROUP_SEP = "[\u202f\u00a0 ]"
NUMBER = re.compile(
    r"(?<![\w.,])"                                   # not inside a word or another number
    r"(?P<sign>[-\u2212+]?)"
    r"(?P<int>\d{1,3}(?:" + _GROUP_SEP + r"\d{3})+(?!\d)|\d+)"
    r"(?:(?P<sep>[.,])(?P<frac>\d+))?"
    r"(?![\w])"
)
PLACEHOLDER = "\x00"


@dataclass(frozen=True)
class NumberToken:
    text: str
    value: Decimal
    decimals: int

    @classmethod
    def parse(cls, match: re.Match) -> "NumberToken":
        sign = "-" if match.group("sign") in ("-", "\u2212") else ""
        digits = re.sub(_GROUP_SEP, "", match.group("int"))
        frac = match.group("frac") or ""
        value = Decimal(f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}")
        return cls(match.group(0), value, len(frac))


def skeleton(text: str) -> tuple[str, list[NumberToken]]:
    """The text with numbers replaced by a placeholder, and the numbers in order."""
    tokens = [NumberToken.parse(m) for m in NUMBER.finditer(text)]
    return NUMBER.sub(PLACEHOLDER, text), tokens


@dataclass
class Comparison:
    """Outcome of :func:`compare_text`: ``equal`` and the tolerated differences (reference, test)."""

    equal: bool
    tolerated: list[tuple[str, str]]
    reason: str = ""


def compare_text(reference: str, test: str) -> Comparison:
    """Compare two outputs under the rule of this module."""
    if reference == test:
        return Comparison(True, [])
    ref_skel, ref_nums = skeleton(reference)
    test_skel, test_nums = skeleton(test)
    if ref_skel != test_skel or len(ref_nums) != len(test_nums):
        return Comparison(False, [], "text or structure differs (not only numbers)")
    tolerated = []
    for r, t in zip(ref_nums, test_nums):
        if r.text == t.text:
            continue
        if r.decimals != t.decimals:
            return Comparison(False, [], f"{r.text!r} and {t.text!r} are printed with different precision")
        unit = Decimal(1).scaleb(-r.decimals)
        if abs(r.value - t.value) > unit:
            return Comparison(False, [], f"{r.text!r} != {t.text!r}: more than one unit in the last printed digit")
        tolerated.append((r.text, t.text))
    return Comparison(True, tolerated)
