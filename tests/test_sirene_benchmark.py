"""The national-scale SIRENE benchmark at a tiny scale: its generator writes valid INSEE-schema
files and its contenders agree exactly (issue 16). Speed itself is measured in benchmarks/ only."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import sirene_benchmark as B  # noqa: E402

from esstools.loaders.sirene import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS  # noqa: E402
from esstools.vocabulary import luhn_valid  # noqa: E402


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    out = tmp_path_factory.mktemp("sirene_bench")
    return B.generate(3000, 2000, out, chunk=700)


def test_generator_writes_the_insee_schema_sorted_and_valid(files):
    etab, ul = files
    con = duckdb.connect()
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{etab}')").fetchall()]
    assert cols == list(ETABLISSEMENT_COLUMNS)
    ucols = dict((r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{ul}')").fetchall())
    assert list(ucols) == list(UNITE_LEGALE_COLUMNS)
    assert ucols["categorieJuridiqueUniteLegale"] == "BIGINT"
    n, n_units, sorted_ok, same = con.execute(
        f"SELECT count(*), (SELECT count(*) FROM read_parquet('{ul}')), "
        "bool_and(siren >= prev OR prev IS NULL), bool_and(siret = siren || nic) "
        f"FROM (SELECT siren, nic, siret, lag(siren) OVER () AS prev FROM read_parquet('{etab}'))").fetchone()
    assert (n, n_units, sorted_ok, same) == (3000, 2000, True, True)
    sirets = [r[0] for r in con.execute(f"SELECT siret FROM read_parquet('{etab}') USING SAMPLE 200").fetchall()]
    assert all(luhn_valid(s) for s in sirets)
    orphans = con.execute(f"SELECT count(*) FROM read_parquet('{etab}') e ANTI JOIN read_parquet('{ul}') u "
                          "USING (siren)").fetchone()[0]
    assert orphans == 0


def test_generation_is_cached_and_deterministic(files, tmp_path):
    etab, ul = files
    assert B.generate(3000, 2000, etab.parent, chunk=700) == (etab, ul)  # cached: same paths, not rewritten
    again = B.generate(3000, 2000, tmp_path, chunk=700)
    assert [p.read_bytes() == q.read_bytes() for p, q in zip(again, files)] == [True, True]


def test_units_cannot_exceed_rows(tmp_path):
    with pytest.raises(ValueError, match="--units"):
        B.generate(100, 200, tmp_path)


def test_contenders_agree(files):
    etab, ul = (str(p) for p in files)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        france = {m: B._summary(B.RUNNERS[m](etab, ul, "93")) for m in ("esstools", "duckdb", "pandas")}
        dep = {m: B._summary(B.RUNNERS[m](etab, ul, "13")) for m in ("esstools_dep", "duckdb_dep")}
    assert france["esstools"]["establishments"] > 0 and dep["esstools_dep"]["establishments"] > 0
    assert france["esstools"] == france["duckdb"] == france["pandas"]
    assert dep["esstools_dep"] == dep["duckdb_dep"]
    assert B.agreement({**{m: france[m] for m in france}, **dep}) == {"dep": True, "france": True}
