"""SIAE data access (esstools.sources.siae): demo written in the real formats and read back by the real
loaders; real files by path; postcodes -> commune codes."""

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from esstools import paths
from esstools.errors import ParameterError
from esstools.loaders.siae import load_siae_directory
from esstools import postcodes
from esstools.sources import siae as src_siae
from esstools.synth import siae_files

SHARED = Path(os.environ.get("ESSTOOLS_SHARED_DIR", Path(paths.REPO_ROOT).parent / "shared"))
DECP_SCHEMA = SHARED / "realdata" / "decp-2019-json" / "schema_decp_v2.0.3.json"


@pytest.fixture(scope="module")
def demo93():
    return src_siae.siae_inputs("93")


def test_demo_is_read_back_by_the_loaders(demo93):
    d, rec = demo93.data, demo93.data.demo
    assert demo93.provenance.kind == "demo" and demo93.provenance.sources
    assert [f.name for f in demo93.files] == ["siaes.json", "heures_insertion.csv", "decp.json",
                                             "ratios_inpi_bce.csv"]
    # directory: the API page has no commune code; it is recovered from the postcode
    pd.testing.assert_series_equal(d.directory["siret"].astype(str), rec.structures["siret"].astype(str), check_names=False)
    assert (d.directory["commune_code"].astype(str).to_numpy() == rec.structures["commune_code"].to_numpy()).all()
    assert list(d.directory["kind"]) == list(rec.structures["kind"])
    # clause hours, DECP awards and accounts as written
    assert d.clause_hours["insertion_hours"].sum() == rec.clause_rows["insertion_hours"].sum()
    assert len(d.decp) == len(rec.awards) and d.decp["amount_eur"].sum() == rec.awards["amount_eur"].sum()
    reserved = rec.awards["social"].map(lambda s: "Marché réservé" in s).to_numpy()
    assert (d.decp["reserved_market"].to_numpy() == reserved).all()
    assert len(d.financials) == len(rec.accounts)
    acc = rec.accounts.assign(year=rec.accounts["closing_date"].str[:4].astype(int)).sort_values(["siren", "year"])
    fin = d.financials.sort_values(["siren", "year"])
    np.testing.assert_array_equal(fin["revenue_eur"].to_numpy(), acc["revenue_eur"].to_numpy())
    assert any("Calage (Seine-Saint-Denis)" in n for n in demo93.notes)


def test_decp_json_follows_the_2022_schema(demo93):
    if not DECP_SCHEMA.exists():
        pytest.skip("DECP 2022 JSON Schema not checked: ../shared/realdata/decp-2019-json/ is absent")
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(demo93.files[2].read_text(encoding="utf-8"))
    schema = json.loads(DECP_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    assert len(doc["marches"]["marche"]) == len(demo93.data.demo.awards)


def test_ratios_and_clause_hours_files_have_the_real_headers(demo93):
    ratios = demo93.files[3].read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    assert ratios == list(siae_files.RATIOS_COLUMNS)
    hours = demo93.files[1].read_bytes()
    assert hours.startswith("\ufeffSIRET;Opération;Acheteur;Année;Heures d'insertion".encode("utf-8"))


def test_api_json_page_structure_and_loader(tmp_path, demo93):
    path = siae_files.write_directory_api_json(demo93.data.demo.structures, tmp_path / "siaes.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["count"] == 123 and doc["next"] is None and len(doc["results"]) == 123
    first = doc["results"][0]
    assert {"siret", "type", "raison_sociale", "addresse_ligne_1", "code_postal", "ville", "departement"} <= set(first)
    assert "code_insee" not in first  # the API gives no commune code
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = load_siae_directory(path)
    assert list(back["siret"]) == list(demo93.data.demo.structures["siret"])


def test_real_files_by_path_are_real(demo93):
    f = demo93.files
    real = src_siae.siae_inputs("93", directory=f[0], clause_hours=f[1], decp=f[2], financials=f[3])
    assert real.provenance.kind == "real" and real.data.demo is None
    assert "ratios financiers « ratios_inpi_bce.csv »" in real.provenance.sources
    with pytest.raises(ParameterError, match="missing: decp, financials"):
        src_siae.siae_inputs("93", directory=f[0], clause_hours=f[1])


def test_measures_pass_through_perturb(monkeypatch, demo93):
    monkeypatch.setenv("ESSTOOLS_PERTURB_RELATIVE", "1e-10")
    f = demo93.files
    noisy = src_siae.siae_inputs("93", directory=f[0], clause_hours=f[1], decp=f[2], financials=f[3]).data
    rel = noisy.financials["revenue_eur"] / demo93.data.financials["revenue_eur"] - 1
    assert 0 < rel.abs().max() <= 1e-10
    assert (noisy.decp["amount_eur"] != demo93.data.decp["amount_eur"]).any()
    assert noisy.directory["siret"].equals(demo93.data.directory["siret"])  # identifiers untouched


@pytest.mark.parametrize("pc,city,dep,expected", [
    ("93200", "Saint-Denis", "93", "93066"),
    ("75019", "Paris", "75", "75119"),          # arrondissement, not the parent commune
    ("13013", "Marseille", "13", "13213"),
    ("48000", "MENDE", "48", "48095"),          # postcode shared by several communes: the name decides
    ("48000", None, "48", None),                # ... and without a name it stays missing
    ("99999", "Nulle part", "93", None),
])
def test_resolve_communes(pc, city, dep, expected):
    got = postcodes.resolve_communes(pd.Series([pc]), pd.Series([city]), pd.Series([dep])).iloc[0]
    assert (got if isinstance(got, str) else None) == expected


def test_power_simulator_is_the_demo_dgp():
    sim = src_siae.power_simulator("92")(40, 6, 3, 1)
    assert sim.revenue.shape == (3, 40, 6) and sim.cohort.shape == (3, 40)
    assert "Hauts-de-Seine" in src_siae.power_simulator("92").description_fr
