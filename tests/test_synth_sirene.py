"""Synthetic SIRENE-format data: schema, determinism and calibration targets (through the real loader)."""

from __future__ import annotations

import pandas as pd
import pytest

from esstools import indicators as ind
from esstools.loaders import sirene as loader
from esstools.synth import sirene as synth


@pytest.fixture(scope="module")
def files93(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth93")
    return synth.generate("93", cog=2026, seed=2026, out_dir=out)


@pytest.fixture(scope="module")
def etab93(files93):
    return loader.load_establishments(*files93, departements=["93"])


def test_real_schema_and_demo_names(files93):
    etab = pd.read_parquet(files93[0])
    ul = pd.read_parquet(files93[1])
    assert tuple(etab.columns) == synth.ETABLISSEMENT_COLUMNS
    assert tuple(ul.columns) == synth.UNITE_LEGALE_COLUMNS
    assert set(loader.ETABLISSEMENT_COLUMNS) <= set(etab.columns)
    assert set(loader.UNITE_LEGALE_COLUMNS) <= set(ul.columns)
    assert etab["siret"].is_unique and ul["siren"].is_unique
    assert (etab["siret"].str[:9] == etab["siren"]).all()
    names = ul["denominationUniteLegale"].dropna()
    assert names.str.contains("DEMO").all()
    assert set(etab["codeCommuneEtablissement"].str[:2]) == {"93"}
    assert set(etab["etatAdministratifEtablissement"]) == {"A", "F"}


def test_calibration_targets_93(etab93):
    tol = synth.TOLERANCES
    counts = ind.count_table(etab93, "commune_code")
    sh = ind.ess_shares(counts).iloc[0]
    assert sh["ess_establishments"] == 3297  # exact
    assert sh["ess_share_establishments_pct"] == pytest.approx(6.6, rel=tol["ess_share_establishments_pct"])
    assert sh["ess_employees"] == pytest.approx(42000, rel=tol["ess_employees"])
    assert sh["ess_share_employees_pct"] == pytest.approx(6.2, rel=tol["ess_share_employees_pct"])
    comp = ind.composition(counts).loc["ensemble"]
    assert comp["association"] == pytest.approx(92.0, abs=0.5)
    assert comp["cooperative"] > 5.0
    ess = etab93[etab93["ess_family"] != "hors_ess"]
    assert len(ess) == 26990  # active ESS establishments, employer or not
    emp = ess[~ess["headcount_band"].isin(["NN", "00"])]
    assert int(emp["headcount_band"].isin(["11", "12"]).sum()) == 710
    assert int(emp["headcount_band"].isin(["21", "22", "31", "32", "41", "42"]).sum()) == 193


def test_ept_concentration_93(etab93):
    from esstools import territory

    com = territory.communes(2026, "93").set_index("code")
    names = territory.epts(2026).set_index("code")["name"]
    e = etab93.assign(ept=etab93["commune_code"].map(com["ept"]).map(names))
    counts = ind.count_table(e, "ept")
    per_ept = ind.ess_shares(counts, "ept").set_index("ept")["ess_establishments"]
    top2 = ind.top_k_share(per_ept, 2)
    assert top2 > 60.0
    assert set(ind.top_k_units(per_ept, 2)) == {"Est Ensemble", "Plaine Commune"}
    assert per_ept["Paris Terres d'Envol"] > 400


def test_deterministic_csv_small_departement(tmp_path):
    a = synth.generate("48", seed=7, out_dir=tmp_path / "a", fmt="csv")
    b = synth.generate("48", seed=7, out_dir=tmp_path / "b", fmt="csv")
    assert a[0].read_bytes() == b[0].read_bytes()
    assert a[1].read_bytes() == b[1].read_bytes()
    c = synth.generate("48", seed=8, out_dir=tmp_path / "c", fmt="csv")
    assert a[0].read_bytes() != c[0].read_bytes()
    etab = loader.load_establishments(*a, departements=["48"])
    sh = ind.ess_shares(ind.count_table(etab, "commune_code")).iloc[0]
    from esstools import published

    national = published.figure(synth.FRANCE_FIGURES["ess_share_establishments_pct"])["value"]
    assert sh["ess_share_establishments_pct"] == pytest.approx(national, rel=0.01)  # no local nor regional figure


def test_calibration_targets_92(tmp_path):
    a = synth.generate("92", seed=7, out_dir=tmp_path)
    etab = loader.load_establishments(*a, departements=["92"])
    counts = ind.count_table(etab, "commune_code")
    sh = ind.ess_shares(counts).iloc[0]
    assert sh["ess_establishments"] == 3355
    assert sh["ess_employees"] == pytest.approx(50206, rel=0.02)


def test_targets_table_states_published_and_defaults():
    from esstools import published, territory

    t = synth.calibration_targets("92").set_index("target")
    assert t.loc["ess_employer_establishments", "status"] == "publié"
    assert t.loc["ess_employer_establishments", "value"] == 3355
    assert t.loc["ess_employer_establishments", "figure_id"] == "92_ess_establishments_employer_p2013"
    assert t.loc["ess_share_establishments_pct", "status"] == "régional"  # Île-de-France's share
    assert t.loc["ess_active_establishments", "status"] == "par défaut"
    t93 = synth.calibration_targets("93").set_index("target")
    assert (t93.loc[["ess_employer_establishments", "ess_employees", "ess_share_employees_pct"], "status"]
            == "publié").all()
    # a département without local or regional figure: France's figure scaled by population
    t13 = synth.calibration_targets("13").set_index("target")
    assert t13.loc["ess_employer_establishments", "status"] == "national"
    fr = published.figure("fr_ess_establishments_employer_p2021")["value"]
    deps = territory.departements(2026).set_index("code")["population"]
    assert t13.loc["ess_employer_establishments", "value"] == round(fr * deps["13"] / deps.sum())
    # a département of Île-de-France without local figure: the region's figure scaled by population
    t77 = synth.calibration_targets("77").set_index("target")
    r11 = published.figure("r11_ess_establishments_p2020")["value"]
    pop11 = territory.regions(2026).set_index("code").loc["11", "population"]
    assert t77.loc["ess_employer_establishments", "status"] == "régional"
    assert t77.loc["ess_employer_establishments", "value"] == round(r11 * deps["77"] / pop11)


def test_every_calibration_id_is_a_published_figure():
    from esstools import published

    ids = [i for d in (*synth.LOCAL_FIGURES.values(), *synth.REGION_FIGURES.values(), synth.FRANCE_FIGURES,
                       synth.FAMILY_FIGURES, *synth.EPT_FIGURES.values()) for i in d.values()]
    for figure_id in ids:
        assert published.figure(figure_id)["source_document"]


@pytest.mark.parametrize("dep, prefix", [("75", "751"), ("2A", "2A"), ("974", "974"), ("976", "976")])
def test_any_departement_uses_its_real_communes(tmp_path, dep, prefix):
    from esstools import territory

    etab_path, ul_path = synth.generate(dep, seed=3, out_dir=tmp_path)
    etab = loader.load_establishments(etab_path, ul_path, departements=[dep])
    codes = set(etab["commune_code"])
    assert codes <= territory.commune_codes(2026) and all(c.startswith(prefix) for c in codes)
    raw = pd.read_parquet(etab_path)
    assert (raw["codePostalEtablissement"].str.len() == 5).all()
    assert (raw["codePostalEtablissement"].str[:2] == ("20" if dep == "2A" else dep[:2])).all()
    ul = pd.read_parquet(ul_path)
    assert (ul["identifiantAssociationUniteLegale"].dropna().str.len() == 10).all()


def test_published_targets_match_published_table():
    from esstools import published

    pub = published.figures(territory="93", indicator="ess_share_establishments_pct")
    assert 6.6 in set(pub["value"])
    pub = published.figures(territory="93", indicator="ess_jobs")
    assert 42000 in set(pub["value"])
    pub = published.figures(territory="92")
    assert {3355, 50206} <= set(pub["value"])


def test_unknown_departement():
    from esstools.errors import UnknownCodeError

    with pytest.raises(UnknownCodeError, match="Unknown département code '99'"):
        synth.generate("99")


def test_calibration_figures_are_named_by_their_current_ids():
    """The demo cites the figures it is calibrated on by their current ids (issue 12: renamed ids say what they count)."""
    from esstools import published
    from esstools.synth import sirene as demo

    current = set(published.figures()["figure_id"])

    def ids(d):
        for v in d.values():
            yield from (ids(v) if isinstance(v, dict) else [v])

    tables = [demo.LOCAL_FIGURES, demo.REGION_FIGURES, demo.FRANCE_FIGURES, demo.FAMILY_FIGURES, demo.EPT_FIGURES]
    stale = sorted(f for t in tables for f in ids(t) if f not in current)
    assert stale == []
