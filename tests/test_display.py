"""The one display layer: French numbers, tables with captions, marked lines, result reprs."""

import pandas as pd
import pytest

from esstools import display
from esstools.provenance import DEMO_LABEL, Provenance


@pytest.mark.parametrize("value,digits,signed,expected", [
    (20247.9, 0, False, "20\u202f248"),
    (1.846, 2, False, "1,85"),
    (-1.846, 2, False, "\u22121,85"),
    (2.0, 1, True, "+2,0"),
    (-0.001, 2, False, "0,00"),
    (float("nan"), 1, False, "—"),
    (None, 1, False, "—"),
    (-1.7e-8, 2, False, "\u22121,7 × 10⁻⁸"),
    (1234567.891, 2, False, "1\u202f234\u202f567,89"),
    (3.0, None, False, "3"),
    (2.5, None, False, "2,5"),
    (150000, None, False, "150\u202f000"),
    (12.345, None, False, "12,35"),
])
def test_fmt_number(value, digits, signed, expected):
    assert display.fmt_number(value, digits, signed) == expected


def test_intervals_percent_pvalues():
    assert display.fmt_interval(1.856, 2.534, 2) == "[1,86 ; 2,53]"
    assert display.fmt_percent(12.34) == "12,3\u00a0%"
    assert display.fmt_pvalue(0.0004) == "< 0,001"
    assert display.fmt_pvalue(0.0123) == "0,012"


def test_printed_lines_carry_the_demo_mark_only_for_demo_or_mixed(capsys):
    assert display.line_fr("2 028 : 49 100 salariés", "real") == "2 028 : 49 100 salariés"
    assert display.line_fr("49 100 salariés", Provenance.demo()).endswith(f"[⚠ {DEMO_LABEL}]")
    display.say("Titre\nValeur 12", Provenance("mixed"))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Titre" and out[1] == f"Valeur 12 [⚠ en partie {DEMO_LABEL}]"


def test_styled_table_french_caption_no_index_and_deterministic_id():
    df = pd.DataFrame({"territoire": ["93", "92"], "salariés": [42000, 50206], "part (%)": [6.61, 5.0]})
    html1 = display.styled_table(df, Provenance.demo("synth"), source="esstools").to_html()
    html2 = display.styled_table(df.copy(), Provenance.demo("synth"), source="esstools").to_html()
    assert html1 == html2
    assert "42\u202f000" in html1 and "6,6" in html1 and DEMO_LABEL in html1 and "Source : esstools" in html1
    assert "row_heading" not in html1  # no pandas index column
    real = display.styled_table(df, Provenance.real("INSEE"), digits={"part (%)": 2}).to_html()
    assert DEMO_LABEL not in real and "Source : INSEE" in real and "6,61" in real


def test_summary_mixin_reprs():
    class R(display.SummaryMixin):
        provenance = Provenance.demo()

        def summary(self):
            return "Résumé <x>"

    r = R()
    assert repr(r) == "Résumé <x>"
    assert "&lt;x&gt;" in r._repr_html_() and DEMO_LABEL in r._repr_html_()


def test_headline_carries_provenance_definition_and_interval():
    h = display.headline(2.19123456, "%", "Croissance annuelle", Provenance.demo("série synthétique"),
                         ci95=(1.8, 2.5), definition="moyenne de Δlog salariés", year=2023)
    assert h["value"] == 2.1912 and h["data_kind"] == "demo" and h["sources"] == ["série synthétique"]
    assert h["ci95"] == [1.8, 2.5] and h["definition"].startswith("moyenne") and h["year"] == 2023


def test_table_id_depends_on_printed_values_only():
    df = pd.DataFrame({"x": [1.23456789], "n": [3]})
    noisy = pd.DataFrame({"x": [1.23456789 * (1 + 1e-10)], "n": [3]})
    assert display.table_uuid(df, formatters={"x": lambda v: display.fmt_number(v, 2)}) == display.table_uuid(
        noisy, formatters={"x": lambda v: display.fmt_number(v, 2)})
    a = display.styled_table(df, "real", digits=2).to_html()
    b = display.styled_table(noisy, "real", digits=2).to_html()
    assert a == b
    assert display.table_uuid(df) != display.table_uuid(pd.DataFrame({"x": [2.0], "n": [3]}))
