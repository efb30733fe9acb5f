"""Data access of notebook 02: any département, its reference, frequency given by the source, real exports."""

import pandas as pd
import pytest

from esstools.errors import ParameterError
from esstools.sources.employment import employment_series, resolve_reference, territory_series


def test_reference_is_the_own_region_with_a_correct_label_or_france():
    assert resolve_reference("69") == ("region", "84", "Auvergne-Rhône-Alpes", None)
    assert resolve_reference("93", "11")[:2] == ("region", "11")  # the own region's code is accepted
    assert resolve_reference("2A")[:3] == ("region", "94", "Corse")
    level, code, name, note = resolve_reference("974")
    assert (level, code, name) == ("france", "FR", "France") and "un département" in note
    assert resolve_reference("13", "FR")[:2] == ("france", "FR")
    with pytest.raises(ParameterError, match="allowed values"):
        resolve_reference("93", "84")


def test_a_departement_and_a_region_with_the_same_code_are_not_confused():
    s = employment_series("13")  # Bouches-du-Rhône, in Provence-Alpes-Côte d'Azur whose code is 93
    d = s.data
    assert d.reference_code == "93" and d.reference_level == "region"
    dep93 = employment_series("93").data.series
    assert not d.reference.equals(dep93.rename(d.reference.name))
    assert d.reference.iloc[-1] > d.series.iloc[-1]  # the region contains the département
    assert d.label == "Bouches-du-Rhône (13)" and d.reference_label == "Provence-Alpes-Côte d'Azur (région 93)"


def test_demo_series_carry_provenance_notes_and_the_calibration_roles():
    s = employment_series("93")
    assert s.provenance.is_demo and s.files and s.files[0].name.endswith(".csv")
    assert any("Fréquence fournie par la source : annuelle et trimestrielle" in n for n in s.notes)
    pub = s.data.published
    assert set(pub["rôle"]) <= {"calibré sur (reproduit par construction)",
                                "calibré sur (ordre de grandeur, autre définition)", "hypothèse de la démo"}
    assert "concorde" not in " ".join(pub.columns)  # a calibration figure cannot confirm the series
    q = employment_series("93", frequency="Q").data.series
    assert isinstance(q.index, pd.PeriodIndex) and len(q) == 56
    years = employment_series("93", start_year=2014, end_year=2022).data.series
    assert list(years.index) == list(range(2014, 2023))


def _export(path, rows):
    pd.DataFrame(rows, columns=["Code région", "Code département", "Année", "Famille ESS",
                                "Effectifs salariés moyens"]).to_csv(path, sep=";", index=False)
    return path


def test_a_real_export_works_for_any_departement_and_is_never_interpolated(tmp_path):
    rows = [("84", "69", y, "Ensemble ESS", 60_000 + 500 * (y - 2010)) for y in range(2010, 2024)]
    rows += [("84", "", y, "Ensemble ESS", 300_000 + 1_000 * (y - 2010)) for y in range(2010, 2024)]
    path = _export(tmp_path / "urssaf.csv", rows)
    s = employment_series("69", source=str(path))
    assert not s.provenance.is_demo and "urssaf.csv" in s.provenance.source_fr
    assert s.data.series.iloc[0] == 60_000 and s.data.reference.iloc[-1] == 313_000
    assert any("Fréquence fournie par la source : annuelle ;" in n for n in s.notes)
    assert s.data.published.empty  # no published point about 69 or 84
    with pytest.raises(ParameterError, match="only annual values .* not interpolated"):
        employment_series("69", source=str(path), frequency="Q")
    with pytest.raises(ParameterError, match="no 'ensemble' rows for département '13'.*69"):
        employment_series("13", source=str(path))


def test_territory_series_builds_annual_means_from_quarters_only(tmp_path):
    rows = [("84", "69", y, f"{y}-T{q}", "Ensemble ESS", 1000 + 10 * q) for y in (2021, 2022) for q in range(1, 5)]
    df = pd.DataFrame(rows, columns=["Code région", "Code département", "Année", "Trimestre", "Famille ESS",
                                     "Effectifs salariés moyens"])
    df.to_csv(tmp_path / "q.csv", sep=";", index=False)
    from esstools.loaders.urssaf import load_ess_employment

    table = load_ess_employment(tmp_path / "q.csv")
    a = territory_series(table, "departement", "69")
    assert list(a.index) == [2021, 2022] and a.iloc[0] == pytest.approx(1025.0)
