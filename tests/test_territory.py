"""Tests of esstools.territory against real COG figures (data/reference/, built from the npm package)."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from esstools import paths
from esstools import territory as T
from esstools.errors import ParameterError, RepairWarning, SchemaError, UnknownCodeError

PLAINE_COMMUNE = "200057867"
EST_ENSEMBLE = "200057875"
TERRES_ENVOL = "200058097"
GPGE = "200058790"
BOUCLE_NORD = "200057990"


# ------------------------------------------------------------------ counts
@pytest.mark.parametrize("cog, n", [(2021, 40), (2022, 40), (2023, 40), (2024, 40), (2025, 39), (2026, 39)])
def test_communes_of_93(cog, n):
    df = T.communes(cog, departement="93")
    assert len(df) == n
    assert df["code"].str.len().eq(5).all()
    assert ("93059" in set(df["code"])) == (cog <= 2024)


@pytest.mark.parametrize("cog, n", [(2021, 34965), (2022, 34955), (2023, 34945), (2024, 34935),
                                    (2025, 34875), (2026, 34875)])
def test_national_commune_counts(cog, n):
    assert len(T.communes(cog)) == n
    assert len(T.departements(cog)) == 101
    assert len(T.regions(cog)) == 18
    allc = T.communes(cog, include_arrondissements=True)
    assert (allc["type"] == "arrondissement municipal").sum() == 45


def test_communes_schema():
    df = T.communes(2026)
    assert list(df.columns) == ["code", "name", "type", "commune", "departement", "region", "epci", "ept",
                                "population"]
    assert set(df["type"]) == {"commune"}
    # the four islands outside any EPCI
    assert sorted(df.loc[df["epci"].isna(), "code"]) == ["22016", "29083", "29155", "85113"]


def test_plaine_commune_members_2024_vs_2026():
    m24 = T.children(PLAINE_COMMUNE, "commune", 2024)
    m26 = T.children("T6", "commune", 2026)
    assert len(m24) == 9 and len(m26) == 8
    assert set(m24["code"]) - set(m26["code"]) == {"93059"}
    assert "93066" in set(m26["code"])


@pytest.mark.parametrize("cog", [2021, 2024, 2026])
def test_eleven_ept_without_paris(cog):
    e = T.epts(cog)
    assert len(e) == 11
    assert sorted(e["number"], key=lambda s: int(s[1:])) == [f"T{i}" for i in range(2, 13)]
    assert (e["parent"] == T.MGP_SIREN).all()
    paris = T.lookup("75056", cog)
    assert "ept" not in paris.parents and paris.parents["epci"] == T.MGP_SIREN
    # every member of the Métropole du Grand Paris but Paris is in exactly one EPT
    mgp = T.children(T.MGP_SIREN, "commune", cog)
    assert mgp["ept"].isna().sum() == 1 and mgp.loc[mgp["ept"].isna(), "code"].item() == "75056"
    assert e["n_communes"].sum() == len(mgp) - 1


def test_t1_is_paris_not_an_ept():
    with pytest.raises(UnknownCodeError, match="T1 is the City of Paris"):
        T.lookup("T1")


@pytest.mark.parametrize("cog, expected", [
    (2024, {PLAINE_COMMUNE: 9, TERRES_ENVOL: 8, EST_ENSEMBLE: 9, GPGE: 14}),
    (2026, {PLAINE_COMMUNE: 8, TERRES_ENVOL: 8, EST_ENSEMBLE: 9, GPGE: 14}),
])
def test_communes_per_ept_of_93(cog, expected):
    e = T.children("93", "ept", cog)
    assert dict(zip(e["code"], e["n_communes"])) == expected
    assert set(e["number"]) == {"T6", "T7", "T8", "T9"}
    assert (e["departements"] == "93").all()  # all four lie entirely in 93
    assert sum(expected.values()) == len(T.communes(cog, "93"))
    names = dict(zip(e["code"], e["name"]))
    assert names[PLAINE_COMMUNE] == "Plaine Commune" and names[EST_ENSEMBLE] == "Est Ensemble"


def test_ept_of_92_and_argenteuil():
    e = T.children("92", "ept", 2026)
    assert set(e["number"]) == {"T2", "T3", "T4", "T5"}
    bn = T.children(BOUCLE_NORD, "commune", 2026)
    assert len(bn) == 7 and list(bn.loc[bn["departement"] == "95", "code"]) == ["95018"]
    assert set(T.children("95", "ept", 2026)["code"]) == {BOUCLE_NORD}


# ------------------------------------------------------------------ lookup / parents / children
def test_lookup_and_parents_of_saint_denis():
    rec = T.lookup("93066", 2026)
    assert rec.name == "Saint-Denis" and rec.level == "commune" and rec.type == "commune"
    assert rec.parents == {"ept": PLAINE_COMMUNE, "epci": T.MGP_SIREN, "departement": "93", "region": "11"}
    chain = T.parents("93066", 2026)
    assert [(p.level, p.code) for p in chain] == [("ept", PLAINE_COMMUNE), ("epci", T.MGP_SIREN),
                                                  ("departement", "93"), ("region", "11")]
    assert chain[2].name == "Seine-Saint-Denis" and chain[3].name == "Île-de-France"


def test_ambiguous_two_digit_codes():
    assert T.lookup("93").name == "Seine-Saint-Denis"
    assert T.lookup("93", level="region").name == "Provence-Alpes-Côte d'Azur"
    assert T.lookup("11").name == "Aude"
    deps = T.children("11", "departement")
    assert sorted(deps["code"]) == ["75", "77", "78", "91", "92", "93", "94", "95"]
    assert len(T.children("93", "commune")) == 39  # the département, not the région PACA


def test_unknown_code_names_code_and_vintage():
    with pytest.raises(UnknownCodeError) as exc:
        T.lookup("93059", 2026)
    assert exc.value.codes == ["93059"]
    assert "'93059'" in str(exc.value) and "COG 2026" in str(exc.value) and "2024" in str(exc.value)
    assert T.lookup("93059", 2024).name == "Pierrefitte-sur-Seine"
    with pytest.raises(UnknownCodeError, match="Unknown département code '96'"):
        T.communes(2026, departement="96")


def test_cog_is_validated():
    with pytest.raises(ParameterError, match="Invalid value 2020 for 'cog'.*2021.*2026"):
        T.communes(2020)


# ------------------------------------------------------------------ populations
def test_populations_real_values():
    assert T.population("75056", 2026) == 2_103_778  # population municipale 2023
    assert T.population("75056", 2024) == 2_113_705  # population municipale 2022
    assert T.population("75056", 2021) == 2_165_423  # population municipale 2019
    arr = T.communes(2026, "75", include_arrondissements=True)
    arr = arr[arr["type"] == "arrondissement municipal"]
    assert len(arr) == 20 and arr["population"].sum() == 2_103_778
    deps = T.populations("departement", 2026)
    assert deps.sum() == T.populations("commune", 2026).sum() == T.populations("region", 2026).sum()
    assert T.population("93", 2026) == T.communes(2026, "93")["population"].sum()
    v = T.vintages().set_index("cog")
    assert v.loc[2026, "npm_version"] == "6.0.0" and v.loc[2024, "population_year"] == 2022
    assert "populations municipales 2023" in T.source_note(2026)


# ------------------------------------------------------------------ aggregate
def _table_93(cog=2024):
    df = T.communes(cog, "93")[["code", "population"]].rename(columns={"code": "commune_code"})
    df["jobs"] = np.arange(len(df), dtype=float) + 1.0
    return df


def test_aggregate_to_departement_equals_sum():
    df = T.communes(2026)[["code", "population"]].rename(columns={"code": "commune_code"})
    before = df.copy()
    agg = T.aggregate(df, "departement", cog=2026)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert len(agg) == 101 and agg["population"].sum() == df["population"].sum()
    row = agg.set_index("departement").loc["93"]
    assert row["name"] == "Seine-Saint-Denis" and row["n_rows"] == 39
    assert row["population"] == T.population("93", 2026)
    reg = T.aggregate(df, "region", cog=2026).set_index("region")
    assert reg.loc["11", "population"] == T.population("11", 2026, level="region")


def test_aggregate_to_ept_of_93():
    agg = T.aggregate(_table_93(2024), "ept", cog=2024).set_index("ept")
    assert dict(agg["n_rows"]) == {PLAINE_COMMUNE: 9, EST_ENSEMBLE: 9, TERRES_ENVOL: 8, GPGE: 14}
    assert dict(agg["number"]) == {PLAINE_COMMUNE: "T6", EST_ENSEMBLE: "T8", TERRES_ENVOL: "T7", GPGE: "T9"}
    assert agg["jobs"].sum() == sum(range(1, 41))
    assert agg.loc[PLAINE_COMMUNE, "population"] == T.epts(2024).set_index("code").loc[PLAINE_COMMUNE, "population"]


def test_aggregate_unknown_codes_error_lists_them():
    df = _table_93(2026)
    df.loc[len(df)] = ["99999", 1, 1.0]
    df.loc[len(df)] = ["93059", 1, 1.0]  # merged away in 2025
    with pytest.raises(UnknownCodeError) as exc:
        T.aggregate(df, "departement", cog=2026)
    assert exc.value.codes == ["93059", "99999"]
    assert "'93059', '99999'" in str(exc.value) and "COG 2026" in str(exc.value)
    agg, report = T.aggregate(df, "departement", cog=2026, unmatched="report")
    assert list(report["commune_code"]) == ["99999", "93059"]
    assert set(report["reason"]) == {"code inconnu dans le COG 2026"}
    assert agg["n_rows"].sum() + len(report) == len(df)  # nothing dropped silently


def test_aggregate_outside_ept_reported_or_warned():
    df = pd.DataFrame({"commune_code": ["93066", "75056", "01001"], "n": [1, 2, 3]})
    with pytest.warns(T.TerritoryWarning, match="2 row\\(s\\) left out.*'01001', '75056'"):
        agg = T.aggregate(df, "ept")
    assert agg["n"].tolist() == [1]
    agg, report = T.aggregate(df, "ept", unmatched="report")
    assert report["reason"].tolist() == ["commune hors des 11 EPT de la Métropole du Grand Paris"] * 2


def test_aggregate_arrondissements_and_double_count_warning():
    arr = T.communes(2026, "13", include_arrondissements=True)
    arr = arr[arr["type"] == "arrondissement municipal"][["code", "population"]]
    arr = arr.rename(columns={"code": "commune_code"})
    agg = T.aggregate(arr, "epci").set_index("epci")
    assert len(arr) == 16 and agg["population"].item() == arr["population"].sum()
    assert agg["population"].item() == T.population("13055")
    both = pd.concat([arr, pd.DataFrame({"commune_code": ["13055"], "population": [1]})])
    with pytest.warns(T.TerritoryWarning, match="double counting"):
        T.aggregate(both, "departement")


# ------------------------------------------------------------------ harmonise
def test_harmonise_2024_to_2026_merges_pierrefitte():
    df = _table_93(2024)
    before = df.copy()
    h = T.harmonise(df, 2024, 2026)
    pd.testing.assert_frame_equal(df, before)
    assert len(h) == 39 and "93059" not in set(h["commune_code"])
    assert h["population"].sum() == df["population"].sum()
    assert h["jobs"].sum() == df["jobs"].sum()
    p = df.set_index("commune_code")["population"]
    assert h.set_index("commune_code").loc["93066", "population"] == p["93059"] + p["93066"]
    links = h.attrs["harmonisation"]
    assert links[["from_code", "to_code"]].values.tolist() == [["93059", "93066"]]
    # the harmonised table aggregates in COG 2026
    assert T.aggregate(h, "ept", cog=2026).set_index("ept").loc[PLAINE_COMMUNE, "n_rows"] == 8


def test_harmonise_keeps_groups():
    df = pd.DataFrame({"commune_code": ["93059", "93066", "93059", "93066", "93001"],
                       "year": [2023, 2023, 2024, 2024, 2024], "jobs": [1.0, 2.0, 3.0, 4.0, 5.0]})
    h = T.harmonise(df, 2024, 2026, by=["year"])
    assert h.values.tolist() == [["93066", 2023, 3.0], ["93001", 2024, 5.0], ["93066", 2024, 7.0]]


def test_harmonise_national_2021_to_2026_preserves_totals():
    df = T.communes(2021)[["code", "population"]].rename(columns={"code": "commune_code"})
    with pytest.raises(T.HarmonisationError, match="85084 -> 85084, 85165, 85212"):
        T.harmonise(df, 2021, 2026)
    with pytest.warns(T.TerritoryWarning, match="3 split commune"):
        h = T.harmonise(df, 2021, 2026, splits="population")
    assert set(h["commune_code"]) == set(T.communes(2026)["code"])
    assert h["population"].sum() == pytest.approx(df["population"].sum())


def test_harmonise_errors():
    with pytest.raises(ParameterError, match="backwards"):
        T.harmonise(_table_93(2026), 2026, 2024)
    df = pd.DataFrame({"commune_code": ["93066", "12345"], "n": [1, 2]})
    with pytest.raises(UnknownCodeError, match="unknown in COG 2024: '12345'"):
        T.harmonise(df, 2024, 2026)


def test_commune_changes_table():
    ch = T.commune_changes()
    m = ch[ch["from_code"] == "93059"]
    assert m[["from_cog", "to_cog", "to_code", "change"]].values.tolist() == [[2024, 2025, "93066", "merger"]]
    assert set(ch["change"]) == {"merger", "code_change", "split"}
    assert (ch["from_cog"] + 1 == ch["to_cog"]).all()


# ------------------------------------------------------------------ codes
def test_normalise_leading_zero_repaired_with_warning():
    s = pd.Series(["1001", 1053, "01004", " 93066 ", "93066.0", None], name="commune_code")
    with pytest.warns(RepairWarning, match="Repaired 3 commune code\\(s\\).*'1001' -> '01001'"):
        out = T.normalise_codes(s)
    assert out.tolist()[:5] == ["01001", "01053", "01004", "93066", "93066"]
    assert pd.isna(out.iloc[5])
    assert s.tolist()[0] == "1001"  # input untouched
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert T.normalise_codes(["75056", "97411"]).tolist() == ["75056", "97411"]


def test_normalise_corsica():
    with pytest.warns(RepairWarning):
        assert T.normalise_codes(["2A004", "2b033", "2B033"]).tolist() == ["2A004", "2B033", "2B033"]
    with pytest.raises(SchemaError, match="row\\(s\\) 3: value\\(s\\) '20004'.*2A.*2B") as exc:
        T.normalise_codes(pd.Series(["2A004", "20004"], name="code"), path="in.csv")
    assert exc.value.rows == [3] and "in.csv" in str(exc.value)
    with pytest.raises(SchemaError, match="ambiguous"):
        T.normalise_codes(["20"], level="departement")
    assert T.lookup("2A004").parents == {"epci": "242010056", "departement": "2A", "region": "94"}
    assert {"2A", "2B"} <= set(T.departements()["code"])


def test_normalise_departements():
    with pytest.warns(RepairWarning, match="1 departement code"):
        assert T.normalise_codes(["1", "93", "2A", "974"], level="departement").tolist() == ["01", "93", "2A", "974"]


def test_normalise_invalid_values_listed():
    with pytest.raises(SchemaError) as exc:
        T.normalise_codes(pd.Series(["93066", "abc", "123", "9306612"], name="insee"))
    assert exc.value.rows == [3, 4, 5] and exc.value.values == ["abc", "123", "9306612"]
    assert "column 'insee'" in str(exc.value)


def test_arrondissements_to_commune():
    codes = ["75101", "75120", "69381", "69389", "13201", "13216", "93066"]
    assert T.normalise_codes(codes, arrondissements="to_commune").tolist() == [
        "75056", "75056", "69123", "69123", "13055", "13055", "93066"]
    rec = T.lookup("69381")
    assert rec.type == "arrondissement municipal" and rec.parents["commune"] == "69123"
    assert [p.code for p in T.parents("75112")][:2] == ["75056", T.MGP_SIREN]


def test_commune_codes_set():
    codes = T.commune_codes(2026)
    assert len(codes) == 34875 + 45 and "75101" in codes and "93059" not in codes
    assert len(T.commune_codes(2024, include_arrondissements=False)) == 34935


def test_overseas():
    rec = T.lookup("97411")
    assert rec.name == "Saint-Denis" and rec.parents["departement"] == "974" and rec.parents["region"] == "04"
    deps = set(T.departements()["code"])
    assert {"971", "972", "973", "974", "976"} <= deps and "975" not in deps
    assert len(T.communes(2026, "976")) == 17
    assert T.communes(2026, "971")["code"].str.startswith("971").all()
    assert T.normalise_codes(["97101", "97608"]).tolist() == ["97101", "97608"]


# ------------------------------------------------------------------ reference files and build script
def test_reference_files_and_provenance():
    ref = paths.reference_dir()
    ours = ["communes.csv", "commune_populations.csv", "departements.csv", "regions.csv", "epcis.csv",
            "ept_members.csv", "commune_changes.csv", "vintages.csv", "PROVENANCE.md"]
    assert sum((ref / f).stat().st_size for f in ours) < 10_000_000
    prov = (ref / "PROVENANCE.md").read_text(encoding="utf-8")
    for version, sha in T.vintages()[["npm_version", "sha256"]].itertuples(index=False):
        assert f"| {version} |" in prov and sha in prov and len(sha) == 64
    members = pd.read_csv(ref / "ept_members.csv", dtype=str)
    assert members["source"].notna().all()
    assert members[members["cog"] == "2021"]["source"].str.startswith("Reconstitué").all()


def _build_module():
    path = Path(paths.REPO_ROOT) / "scripts" / "build_reference.py"
    spec = importlib.util.spec_from_file_location("build_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_build_intervals_and_transitions():
    b = _build_module()
    per = {c: {} for c in b.COGS}
    for c in b.COGS:
        per[c]["A"] = ("x",) if c < 2024 else ("y",)
        if c <= 2022:
            per[c]["B"] = ("z",)
    assert b.intervals(per) == [("A", ("x",), 2021, 2023), ("A", ("y",), 2024, 2026), ("B", ("z",), 2021, 2022)]

    def vint(cog, communes, subs, anciens=None):
        return {"cog": cog, "communes": {c: {"name": c} for c in communes}, "subs": subs,
                "anciens": anciens or {}}

    a = vint(2024, ["10001", "10002", "10003", "20001"], {"10009": "10003"})
    bb = vint(2025, ["10002", "10003", "10009", "10010"], {"10001": "10002", "20001": "10010"})
    rows = b.transitions(a, bb)
    assert [r[2:5] + [r[6]] for r in rows] == [
        ["10001", "10001", "10002", "merger"],
        ["10003", "10003", "10003", "split"],
        ["10003", "10003", "10009", "split"],
        ["20001", "20001", "10010", "code_change"],
    ]
