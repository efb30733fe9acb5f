"""Tests of the SIAE panel assembly and its match report (esstools.impact.panel)."""

import numpy as np
import pandas as pd
import pytest

from esstools.errors import SchemaError
from esstools.impact.panel import assemble, cohort_summary
from esstools.synth.siae_panel import generate_siae_panel


@pytest.fixture(scope="module")
def demo():
    return generate_siae_panel(seed=1)


def test_panel_shape_sums_and_report(demo):
    frames = demo.frames()
    before = {k: v.copy() for k, v in frames.items()}
    a = assemble(**frames)
    for k, v in frames.items():  # inputs never modified
        pd.testing.assert_frame_equal(v, before[k])
    p = a.panel
    assert len(p) == 123 * 10 and p.attrs["data_kind"] == "demo"
    assert not p.duplicated(["siren", "year"]).any()
    assert p["insertion_hours"].sum() == pytest.approx(demo.clause_hours["insertion_hours"].sum())
    siae_sirets = set(demo.directory["siret"])
    in_decp = demo.decp[demo.decp["siret"].isin(siae_sirets)]
    assert p["reserved_market_eur"].sum() == pytest.approx(in_decp["reserved_market_eur"].sum())
    assert p["revenue_eur"].notna().sum() == len(demo.financials)
    np.testing.assert_allclose(p["revenue_excl_reserved_eur"], p["revenue_eur"] - p["reserved_market_eur"])
    rep = a.match_report.set_index("source")
    assert rep.loc["Marchés publics (DECP)", "lignes hors SIAE écartées"] == (~demo.decp["siret"].isin(siae_sirets)).sum() > 0
    assert rep.loc["Annuaire des SIAE", "SIAE trouvées"] == 123
    # first award year = truth cohort
    tp = demo.truth_panel.drop_duplicates("siren").set_index("siren")["first_award_year"]
    fa = p.drop_duplicates("siren").set_index("siren")["first_award_year"].fillna(-1).astype(int)
    assert (fa == tp.reindex(fa.index)).all()
    assert cohort_summary(p)["SIAE"].sum() == 123


def test_duplicated_siae_year_is_an_error(demo):
    fin = pd.concat([demo.financials, demo.financials.iloc[[3]]], ignore_index=True)
    with pytest.raises(SchemaError) as exc:
        assemble(**{**demo.frames(), "financials": fin})
    msg = str(exc.value)
    assert "duplicated key(s)" in msg and "row(s) 5" in msg and "siren, year" in msg
    assert demo.financials.iloc[3]["siren"] in msg


def test_unknown_siret_is_an_error_or_reported(demo):
    ch = demo.clause_hours.copy()
    ch.loc[len(ch)] = ["12345678900011", "OP-X", "Acheteur", 2020, 100.0, 1]
    with pytest.raises(SchemaError, match=r"1 SIRET not found in the SIAE directory at row\(s\) %d; got '12345678900011'" % (len(ch) + 1)):
        assemble(**{**demo.frames(), "clause_hours": ch})
    a = assemble(**{**demo.frames(), "clause_hours": ch}, unknown_siret="report")
    assert a.match_report.set_index("source").loc["Heures d'insertion (clauses)", "lignes hors SIAE écartées"] == 1


def test_negative_revenue_is_an_error(demo):
    fin = demo.financials.copy()
    fin.loc[7, "revenue_eur"] = -5000.0
    fin.attrs["path"] = "ratios.csv"
    with pytest.raises(SchemaError) as exc:
        assemble(**{**demo.frames(), "financials": fin})
    assert str(exc.value) == ("File 'ratios.csv', column 'revenue_eur': invalid value(s) at row(s) 9; got -5000.0; "
                              "expected a non-negative revenue in euros (missing allowed).")


def test_malformed_siret_and_negative_hours(demo):
    d = demo.directory.copy()
    d.loc[0, "siret"] = "12345"
    with pytest.raises(SchemaError, match=r"column 'siret': invalid value\(s\) at row\(s\) 2; got '12345'; expected a 14-digit code"):
        assemble(**{**demo.frames(), "directory": d})
    ch = demo.clause_hours.copy()
    ch.loc[0, "insertion_hours"] = -3.0
    with pytest.raises(SchemaError, match="column 'insertion_hours'.*got -3.0; expected a non-negative number"):
        assemble(**{**demo.frames(), "clause_hours": ch})


def test_assemble_from_files_with_the_loaders():
    """Real file path: the loaders' fixtures (they do not share SIRETs, so only the directory matches)."""
    import warnings

    from pathlib import Path

    from esstools.impact import assemble_from_files

    fx = Path(__file__).parent / "fixtures"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = assemble_from_files(fx / "siae/siae_emplois_inclusion.csv",
                                fx / "clause_hours/clause_hours_aliases.csv",
                                fx / "decp/decp_flat.csv", fx / "financials/ratios_financiers.csv",
                                unknown_siret="report")
    rep = a.match_report.set_index("source")
    assert rep.loc["Annuaire des SIAE", "SIAE trouvées"] == 3
    assert a.panel.attrs["data_kind"] == "real"
    assert any("plusieurs types" in n for n in a.notes)
