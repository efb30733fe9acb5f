"""esstools.vocabulary: the one place for ESS families, nomenclatures, territorial codes and Luhn."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from esstools import territory, vocabulary as V
from esstools.errors import RepairWarning, SchemaError


# ------------------------------------------------------------------------------ one source of truth

def test_modules_use_the_vocabulary_objects():
    from esstools import comparison, indicators
    from esstools.loaders import codes, sirene, urssaf
    from esstools.synth import employment
    from esstools.synth import sirene as synth_sirene

    assert sirene.ESS_FAMILY_LABELS is V.ESS_FAMILY_LABELS and sirene.ESS_FAMILIES is V.ESS_FAMILIES
    assert sirene.legal_categories is V.legal_categories and sirene.HEADCOUNT_BANDS is V.HEADCOUNT_BANDS
    assert indicators.ESS_FAMILIES is V.ESS_ONLY_FAMILIES
    assert codes.luhn_valid is V.luhn_valid and codes.normalise_commune_codes is V.normalise_commune_codes
    assert synth_sirene._luhn_complete is V.luhn_complete_digits
    assert comparison.family_labels()["societe_commerciale_ess"] == V.ESS_FAMILY_LABELS["societe_commerciale_ess"]
    assert comparison.a21_labels()["Q"] == V.a21_labels()["Q"] == "Santé humaine et action sociale"
    assert employment.FAMILY_EXPORT_LABELS["cooperative"] == V.ESS_FAMILY_LABELS["cooperative"]
    assert urssaf.FAMILY_LABELS["associations"] == "association" and urssaf.FAMILY_LABELS["ensemble"] == "secteur_prive"


def test_families_labels_and_legal_categories_agree():
    assert set(V.ESS_FAMILY_LABELS) == set(V.ESS_FAMILIES) and V.ESS_ONLY_FAMILIES == V.ESS_FAMILIES[:5]
    cj = V.legal_categories()
    assert set(cj["ess_family"]) <= set(V.ESS_FAMILIES) and cj["categorie_juridique"].is_unique
    assert cj.set_index("categorie_juridique").loc["5498", "commercial_company"]  # SARL unipersonnelle
    assert list(V.headcount_bands()["tranche"]) == list(V.HEADCOUNT_BANDS)


def test_territorial_domains_match_the_reference():
    assert set(territory.departements()["code"]) == V.DEPARTEMENTS
    assert set(territory.regions()["code"]) == V.REGIONS


# ------------------------------------------------------------------------------ family labels

def test_family_labels_are_a_vocabulary_not_substrings():
    s = pd.Series(["Associations", "coopérative", "MUTUELLES", "Fondations", "Sociétés commerciales de l'ESS",
                   "Entreprises commerciales de l'ESS", "Hors ESS", None])
    assert V.parse_family_labels(s).tolist()[:7] == ["association", "cooperative", "mutuelle", "fondation",
                                                     "societe_commerciale_ess", "societe_commerciale_ess", "hors_ess"]
    for label in ("Entreprise hors ESS (ex-coopérative)", "Associations et fondations", "Non-associations",
                  "Coopératives d'HLM (ex-association)"):
        with pytest.raises(SchemaError) as info:
            V.parse_family_labels(pd.Series(["Associations", label]), "f.csv", "Famille")
        assert info.value.values == [label] and info.value.rows == [3] and "column 'Famille'" in str(info.value)
    assert V.parse_family_labels(pd.Series(["Ensemble ESS", "Total"]), aggregates=True).tolist() == [
        "ensemble", "secteur_prive"]
    with pytest.raises(SchemaError):
        V.parse_family_labels(pd.Series(["Total"]))  # an aggregate only where aggregates are expected


# ------------------------------------------------------------------------------ commune and département codes

def test_one_commune_normaliser_repairs_and_refusals():
    s = pd.Series(["93066", "1053", 1004, "2a004", "93066.0", " 97411 ", "97701", "98735", None])
    with pytest.warns(RepairWarning, match=r"Repaired 4 commune code\(s\)"):
        out = V.normalise_commune_codes(s, "f.csv", "c")
    assert out.tolist()[:8] == ["93066", "01053", "01004", "2A004", "93066", "97411", "97701", "98735"]
    assert pd.isna(out.iloc[8]) and str(out.dtype) == "string"
    for bad in ("00123", "96001", "97901", "930", "Saint-Denis"):
        with pytest.raises(SchemaError) as info:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RepairWarning)
                V.normalise_commune_codes(pd.Series(["93066", bad]), "f.csv", "c")
        assert info.value.values == [bad] and info.value.rows == [3]


def test_corsica_written_20_is_refused_with_the_known_code():
    with pytest.raises(SchemaError) as info:
        V.normalise_commune_codes(pd.Series(["20004"], name="code"), "f.csv", "code")
    msg = str(info.value)
    assert "'20004'" in msg and "ambiguous" in msg and "'2A004'" in msg and "f.csv" in msg
    # the territory reference and the loaders agree (they share the normaliser)
    with pytest.raises(SchemaError, match="2A"):
        territory.normalise_codes(["20004"])
    from esstools.loaders import codes

    with pytest.raises(SchemaError, match="2A"):
        codes.normalise_commune_codes(pd.Series(["20004"]))


def test_departement_codes():
    with pytest.warns(RepairWarning, match="1 departement code"):
        out = V.normalise_departement_codes(pd.Series(["93", "1", "2A", "974", "975", "977"]))
    assert out.tolist() == ["93", "01", "2A", "974", "975", "977"]
    for bad in ("00", "979", "Île-de-France", "093", "96"):
        with pytest.raises(SchemaError) as info:
            V.normalise_departement_codes(pd.Series([bad]), "f.csv", "dep")
        assert info.value.values == [bad]
    with pytest.raises(SchemaError, match="ambiguous"):
        V.normalise_departement_codes(pd.Series(["20"]))
    assert V.departement_of_commune(pd.Series(["93066", "97411", "2A004", "98735", "97701"])).tolist() == [
        "93", "974", "2A", "987", "977"]


def test_postcodes_to_departements():
    pc = pd.Series(["93200", "75019", "97133", "97150", "97100", "97500", "20090", "20200", "20600", "98000", "00000",
                    "9320", None])
    assert V.postcode_departement(pc).tolist() == ["93", "75", "977", "978", "971", "975", "2A", "2B", "2B", pd.NA,
                                                   pd.NA, pd.NA, pd.NA]


def test_naf_codes():
    assert V.normalise_naf(pd.Series(["8899B", "88.99b", None])).tolist()[:2] == ["88.99B", "88.99B"]
    with pytest.raises(SchemaError):
        V.normalise_naf(pd.Series(["88,99B"]))


# ------------------------------------------------------------------------------ Luhn

from tests.test_loaders_sirene import _luhn_reference  # noqa: E402 - the digit-wise reference Luhn


def test_vectorised_luhn_matches_digitwise_reference():
    rng = np.random.default_rng(20240601)
    for width in (9, 14):
        vals = ["".join(map(str, rng.integers(0, 10, width))) for _ in range(5000)]
        assert V.luhn_valid_array(vals).tolist() == [_luhn_reference(v) for v in vals]
    payload = rng.integers(0, 10, (2000, 8))
    done = V.luhn_complete_digits(payload)
    assert all(_luhn_reference("".join(map(str, r))) for r in done)
    assert V.luhn_check_digit("73282932") == "0" and V.is_valid_siren("732829320")
    mixed = ["732829320", "73282932", None, 732829320, "７３２８２９３２０", "73282932a"]
    assert V.valid_siren_array(mixed).tolist() == [True, False, False, False, False, False]


def test_la_poste_siret_rule():
    post = next("356000000" + f"{n:05d}" for n in range(10000, 99999)
                if not _luhn_reference("356000000" + f"{n:05d}") and sum(map(int, "356000000" + f"{n:05d}")) % 5 == 0)
    assert V.is_valid_siret(post) and V.valid_siret_array([post, post[:-1] + "0"]).tolist()[0]
    assert not V.is_valid_siret("35600000000001") or sum(map(int, "35600000000001")) % 5 == 0
