"""Territorial selection pushed into the Parquet scan (issue 16): a département or commune
filter on a national file reads a superset of the territory in the scan, and that superset
never loses a row the selection keeps (4-digit codes to repair, malformed codes to report)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from esstools.errors import RepairWarning, SchemaError
from esstools.loaders import sirene

F = Path(__file__).parent / "fixtures" / "sirene"
ET_CSV, UL_PQ, ET_PQ = F / "StockEtablissement_utf8.csv", F / "StockUniteLegale_utf8.parquet", \
    F / "StockEtablissement_utf8.parquet"


def _parquet_with_communes(tmp_path: Path, name: str, changes: dict[int, str]) -> Path:
    """The fixture's establishments as Parquet (text columns), with commune codes replaced by row index."""
    df = pd.read_csv(ET_CSV, dtype=str, keep_default_na=False)
    for i, code in changes.items():
        df.loc[i, "codeCommuneEtablissement"] = code
    path = tmp_path / name
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)
    return path


def test_clean_file_selection_matches_csv():
    for deps in (["93"], ["75", "92"]):
        a = sirene.load_establishments(ET_PQ, UL_PQ, departements=deps)
        b = sirene.load_establishments(ET_CSV, F / "StockUniteLegale_utf8.csv", departements=deps)
        assert len(a) > 0
        pd.testing.assert_frame_equal(a, b)


def test_lost_leading_zero_is_kept_by_the_prefilter(tmp_path):
    before = sirene.load_establishments(ET_PQ, UL_PQ, departements=["01"])
    path = _parquet_with_communes(tmp_path, "etab_4digit.parquet", {0: "1053"})
    moved = pd.read_csv(ET_CSV, dtype=str, keep_default_na=False).loc[0]
    assert moved["codeCommuneEtablissement"][:2] != "01" and moved["etatAdministratifEtablissement"] == "A"
    with pytest.warns(RepairWarning, match=r"Repaired 1 commune code"):
        df = sirene.load_establishments(path, UL_PQ, departements=["01"])
    assert len(df) == len(before) + 1
    row = df[df["siret"] == moved["siret"]]
    assert list(row["commune_code"]) == ["01053"] and list(row["departement"]) == ["01"]
    with pytest.warns(RepairWarning, match=r"Repaired 1 commune code"):
        one = sirene.load_establishments(path, UL_PQ, communes=["01053"])
    assert moved["siret"] in set(one["siret"]) and set(one["commune_code"]) == {"01053"}


def test_malformed_code_outside_the_territory_is_still_reported(tmp_path):
    path = _parquet_with_communes(tmp_path, "etab_20004.parquet", {5: "20004"})
    with pytest.raises(SchemaError) as info:
        sirene.load_establishments(path, UL_PQ, departements=["93"])
    assert info.value.column == "codeCommuneEtablissement" and info.value.values == ["20004"]
    assert info.value.rows == [7]  # header = row 1, sixth data row (an active establishment in 92)
    with pytest.raises(SchemaError, match="20004"):
        sirene.aggregate_ess(path, UL_PQ, departements=["93"])


def test_communes_well_formed_scan(tmp_path):
    from contextlib import ExitStack

    from esstools.loaders.sirene import checks
    from esstools.loaders.sirene.classify import connect
    from esstools.loaders.sirene.read import open_source

    bad = _parquet_with_communes(tmp_path, "etab_2A.parquet", {1: "2A04"})
    with ExitStack() as stack:
        con = connect(1, None)
        assert checks.communes_well_formed(con, open_source(ET_PQ, "establishments", stack, con)) is True
        assert checks.communes_well_formed(con, open_source(bad, "establishments", stack, con)) is False
        assert checks.communes_well_formed(con, open_source(ET_CSV, "establishments", stack, con)) is False
