"""SIAE panel assembly and its match report (esstools.impact.panel), on demo inputs read by the loaders."""

import numpy as np
import pandas as pd
import pytest

from esstools.errors import ParameterError, SchemaError
from esstools.impact import Assembly, assemble, assemble_sourced, cohort_summary, fit_fe
from esstools.provenance import Provenance
from esstools.sources.siae import siae_inputs


@pytest.fixture(scope="module")
def sourced():
    return siae_inputs("93", seed=1)


@pytest.fixture(scope="module")
def asm(sourced):
    return assemble_sourced(sourced)


def frames(sourced, **changes):
    return {**sourced.data.frames(), **changes}


def test_panel_shape_sums_and_report(sourced, asm):
    d, rec = sourced.data, sourced.data.demo
    before = {k: v.copy() for k, v in d.frames().items()}
    assemble(**d.frames(), provenance=sourced.provenance)
    for k, v in d.frames().items():  # inputs never modified
        pd.testing.assert_frame_equal(v, before[k])
    p = asm.panel
    assert len(p) == 123 * 10 and asm.provenance.kind == "demo" and asm.data_kind == "demo"
    assert not p.duplicated(["siren", "year"]).any()
    assert p["insertion_hours"].sum() == pytest.approx(rec.clause_rows["insertion_hours"].sum())
    reserved = rec.awards[rec.awards["social"].map(lambda s: "Marché réservé" in s)
                          & rec.awards["holder_siret"].isin(set(rec.structures["siret"]))]
    assert p["reserved_market_eur"].sum() == pytest.approx(reserved["amount_eur"].sum())
    assert p["revenue_eur"].notna().sum() == len(rec.accounts)
    np.testing.assert_allclose(p["revenue_excl_reserved_eur"], p["revenue_eur"] - p["reserved_market_eur"])
    rep = asm.match_report.set_index("source")
    outside = (~d.decp["holder_siret"].isin(set(rec.structures["siret"]))).sum()
    assert rep.loc["Marchés publics (DECP)", "lignes hors SIAE écartées"] > 0 and outside > 0
    assert rep.loc["Annuaire des SIAE", "SIAE trouvées"] == 123
    tp = rec.truth_panel.drop_duplicates("siren").set_index("siren")["first_award_year"]
    fa = p.drop_duplicates("siren").set_index("siren")["first_award_year"].fillna(-1).astype(int)
    assert (fa == tp.reindex(fa.index)).all()
    assert cohort_summary(asm)["SIAE"].sum() == 123
    assert "Calage (Seine-Saint-Denis)" in asm.notes[0]
    assert "123 SIAE × 10 années" in repr(asm) and "données de démonstration" in asm._repr_html_()


def test_merged_filtered_copied_demo_stays_demo(asm):
    """The former bug: panel.merge(...) dropped DataFrame.attrs and fit_fe labelled demo results 'real'."""
    kinds = pd.DataFrame({"kind": ["ACI", "AI", "EI", "ETTI", "EITI"], "label": list("abcde")})
    merged = asm.panel.merge(kinds, on="kind")
    filtered = merged[merged["year"] >= 2017].copy()
    for panel in (merged, filtered, filtered.copy(deep=True)):
        res = fit_fe(asm.with_panel(panel), "revenue_eur", ["hours_k"])
        assert res.provenance.kind == "demo" and "données de démonstration" in res.summary()
        with pytest.raises(TypeError, match="needs provenance="):
            fit_fe(panel, "revenue_eur", ["hours_k"])  # a bare frame is never assumed real
    with pytest.raises(ParameterError, match="contradicts"):
        fit_fe(asm, "revenue_eur", ["hours_k"], provenance="real")


def test_mixed_inputs_are_marked(sourced):
    mixed = assemble(**sourced.data.frames(), provenance=Provenance("mixed", ("a", "b")))
    assert mixed.provenance.is_demo and any("Mélange" in n for n in mixed.notes)


def test_duplicated_siae_year_is_an_error(sourced):
    fin = sourced.data.financials
    fin2 = pd.concat([fin, fin.iloc[[3]]], ignore_index=True)
    with pytest.raises(SchemaError) as exc:
        assemble(**frames(sourced, financials=fin2), provenance="demo")
    msg = str(exc.value)
    assert "duplicated key(s)" in msg and "row(s) 5" in msg and "siren, year" in msg and fin.iloc[3]["siren"] in msg


def test_unknown_siret_is_an_error_or_reported(sourced):
    ch = sourced.data.clause_hours.copy()
    ch.loc[len(ch)] = ["12345678900011", "OP-X", "Acheteur", 2020, 100.0, 1]
    with pytest.raises(SchemaError, match=r"1 SIRET not found in the SIAE directory at row\(s\) %d; got '12345678900011'" % (len(ch) + 1)):
        assemble(**frames(sourced, clause_hours=ch), provenance="demo")
    a = assemble(**frames(sourced, clause_hours=ch), provenance="demo", unknown_siret="report")
    assert a.match_report.set_index("source").loc["Heures d'insertion (clauses)", "lignes hors SIAE écartées"] == 1


def test_negative_revenue_is_an_error(sourced):
    fin = sourced.data.financials.copy()
    fin.loc[7, "revenue_eur"] = -5000.0
    fin.attrs["path"] = "ratios.csv"
    with pytest.raises(SchemaError) as exc:
        assemble(**frames(sourced, financials=fin), provenance="demo")
    assert str(exc.value) == ("File 'ratios.csv', column 'revenue_eur': invalid value(s) at row(s) 9; got -5000.0; "
                              "expected a non-negative revenue in euros (missing allowed).")


def test_malformed_siret_and_negative_hours(sourced):
    d = sourced.data.directory.copy()
    d.loc[0, "siret"] = "12345"
    with pytest.raises(SchemaError, match=r"column 'siret': invalid value\(s\) at row\(s\) 2; got '12345'; expected a 14-digit code"):
        assemble(**frames(sourced, directory=d), provenance="demo")
    ch = sourced.data.clause_hours.copy()
    ch.loc[0, "insertion_hours"] = -3.0
    with pytest.raises(SchemaError, match="column 'insertion_hours'.*got -3.0; expected a non-negative number"):
        assemble(**frames(sourced, clause_hours=ch), provenance="demo")


def test_assembly_needs_a_provenance(sourced):
    with pytest.raises(TypeError):
        assemble(**sourced.data.frames())
    assert isinstance(assemble(**sourced.data.frames(), provenance="real"), Assembly)
