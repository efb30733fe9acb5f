"""Loaders on the real files of ``../shared/realdata`` (never copied into the repository).

The directory is ``$ESSTOOLS_SHARED_DIR/realdata`` or ``<repository>/../shared/realdata``;
every test is skipped with one message when it is absent. Expected counts were verified by
hand, independently of esstools (plain ``csv``/``json`` scripts applying the documented rules
to the raw files): they are quoted with that derivation beside each assertion.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import pytest

import esstools.paths
from esstools.errors import RepairWarning, SchemaError
from esstools.loaders import decp, siae, sirene

SHARED = Path(os.environ.get("ESSTOOLS_SHARED_DIR") or Path(esstools.paths.REPO_ROOT).parent / "shared")
REAL = SHARED / "realdata"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real data not found at {REAL} (../shared absent)")


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_siae_list_2019_located_in_93_by_postcode():
    """ASP export of July 2019 (410 IDF rows): 376 (SIRET, kind) pairs — 34 rows repeat a pair with identical
    content (one row per convention département) — and 76 pairs / 71 SIRETs located in 93 by their postcode
    (ACI 37, EI 30, AI 5, ETTI 4); the README of itou-siae counts the same 71 SIRETs on 86 rows."""
    path = REAL / "itou-siae" / "siae_2019-07_idf.csv"
    before = _sha(path)
    with pytest.warns(RepairWarning, match="Dropped 34 repeated row"):
        d = siae.load_siae_directory(path)
    assert len(d) == 376
    d93 = d[d["departement"] == "93"]
    assert len(d93) == 76 and d93["siret"].nunique() == 71
    assert d93["kind"].value_counts().to_dict() == {"ACI": 37, "EI": 30, "AI": 5, "ETTI": 4}
    assert d["departement"].value_counts().to_dict() == {"75": 82, "93": 76, "92": 48, "95": 39, "91": 36, "94": 35,
                                                        "77": 33, "78": 26, "59": 1}
    assert (d93["postcode"].str[:2] == "93").all()
    assert _sha(path) == before


def test_siae_siret_kind_list_2020_without_fdi_lines():
    """6,240 ASP records of February 2020: 2,079 FDI aid lines dropped, 6 repeated pairs, 4,156 structures × kind."""
    path = REAL / "itou-siae" / "siae_2020-02_asp_siret_kind.csv"
    with pytest.warns(RepairWarning) as rec:
        d = siae.load_siae_directory(path)
    msgs = " ".join(str(w.message) for w in rec)
    assert "Dropped 2079 row(s)" in msgs and "FDI" in msgs and "Dropped 6 repeated row(s)" in msgs
    assert len(d) == 4156
    assert d["kind"].value_counts().to_dict() == {"ACI": 2061, "EI": 1094, "AI": 683, "ETTI": 318}


def test_decp_2019_idf_strict_then_counted():
    """Real 2019-format DECP (1,520 IDF records, 18 concessions): strict reading stops on the first bad buyer
    SIRET; with on_invalid='drop', 979 awards (buyer, id) and 1,098 holder rows remain — 31 awards with an
    invalid buyer SIRET, 463 without dateNotification, 3 awards whose copies conflict (test records
    '2018123456789100'), 6 republished copies, 27 holders typed SIRET with an invalid identifier."""
    path = REAL / "decp-2019-json" / "decp_2019_idf_lieuExecution.json"
    with pytest.raises(SchemaError) as info:
        decp.load_decp(path)
    assert "column 'acheteur.id'" in str(info.value) and "'58303852672361'" in str(info.value)
    with pytest.warns(RepairWarning) as rec:
        a = decp.load_decp(path, on_invalid="drop")
    msgs = " | ".join(str(w.message) for w in rec)
    for frag in ("invalid buyer SIRET ('acheteur.id') left out: 31", "usable 'dateNotification' left out: 463",
                 "copies conflict left out: 3", "Dropped 6 exact duplicate", "identifier kept as NA: 27"):
        assert frag in msgs, (frag, msgs)
    assert len(a) == 1098
    assert len(a[["buyer_siret", "contract_id"]].drop_duplicates()) == 979
    assert a["social_clause"].isna().all()  # the 2019 format has no social considerations


@pytest.mark.parametrize("name, awards, rows", [
    ("data.gouv.fr_aife_json.zip", 1908, 2083), ("data.gouv.fr_pes_json.zip", 1140, 1269),
    ("e-marchespublics_json.zip", 433, 527), ("marches-publics.info_json.zip", 4468, 5038)])
def test_decp_2019_original_archives(name, awards, rows):
    """The four original archives (a ZIP holding one JSON) with the same rules (counts from the independent script)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)
        a = decp.load_decp(REAL / "decp-2019-json" / "original" / name, on_invalid="drop")
    assert len(a) == rows and len(a[["buyer_siret", "contract_id"]].drop_duplicates()) == awards


def test_sirene_legal_units_with_ess_flag():
    """3,375 real legal units flagged ESS: families from the legal category (9220 association 2,318 …) and the
    flag (commercial companies 5710/5499… -> ESS commercial companies): 2,365 + 792 + 210 + 4 + 4."""
    path = REAL / "sirene-ess-numerique" / "04_ess_flag_insee.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u = sirene.load_legal_units(path)
    assert len(u) == 3375 and u["ess_flag"].all()
    assert u["ess_family_status"].value_counts().to_dict() == {
        "association": 2365, "societe_commerciale_ess": 792, "cooperative": 210, "fondation": 4, "hors_ess": 4}
    assert u["legal_category"].value_counts().head(3).to_dict() == {"9220": 2318, "5710": 632, "5499": 157}
