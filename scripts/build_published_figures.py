"""Build ``data/reference/published_figures.csv`` (owner: published-figures module).

Inputs (no network), all data files read through ``read_table`` + ``Schema``:

1. ``scripts/published_figures/seed_rows.csv`` — every figure stated by the five source
   documents in ``shared/seeds/`` (000-004), typed by hand from a reading of each document, each
   with the verbatim French ``quote`` that states it. The build checks that every quote is found
   (whitespace-normalised) in its seed file.
2. ``shared/data/published_figures_extra.csv`` mapped by
   :func:`esstools.published.map_shared_extra`, then completed with
   ``scripts/published_figures/extra_sources.csv`` (producer and publication year of each source
   document) and corrected by ``scripts/published_figures/extra_audit.csv`` (one line per
   correction: key, column, value, reason; the reason is added to the row's ``notes``).

``counts``, ``share_of`` and ``scope`` come from the indicator vocabulary
(``data/reference/published_indicators.csv``). Ids renamed by an audit are listed in
``data/reference/published_figures_renamed.csv`` (checked here).

Usage::

    .venv/bin/python scripts/build_published_figures.py [--shared ../shared] [--output FILE]

The output is sorted deterministically, validated and written atomically.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

import pandas as pd

from esstools import paths
from esstools.atomic import atomic_path
from esstools.loaders.schema import Column, Schema
from esstools.published import (COLUMNS, DEFINITION_COLUMNS, LEVELS, TABLE_SCHEMA, figure_id_base, map_shared_extra,
                                normalise_text, read_checked, renamed, table_path, validate_table, with_definitions)

INPUTS = Path(__file__).resolve().parent / "published_figures"
SEED_ROWS = INPUTS / "seed_rows.csv"
EXTRA_SOURCES = INPUTS / "extra_sources.csv"
EXTRA_AUDIT = INPUTS / "extra_audit.csv"

SEED_SCHEMA = Schema("published seed rows", [c for c in TABLE_SCHEMA.columns if c.name not in DEFINITION_COLUMNS],
                     unique=("figure_id",))
SOURCES_SCHEMA = Schema("shared source documents", [
    Column("source_document", "str"), Column("producer", "str"),
    Column("publication_year", "year", nullable=True, min=1990, max=2030)], unique=("source_document",))
#: Columns an audit line may correct (never ``value``: a published number is never changed).
AUDITABLE = ("indicator", "year", "year_basis", "publication_year", "producer", "unit")
AUDIT_SCHEMA = Schema("shared rows audit", [
    Column("key", "str"), Column("column", "category", choices=AUDITABLE), Column("value", "str", nullable=True),
    Column("reason", "str")], unique=("key", "column"))
LEVEL_RANK = {lv: i for i, lv in enumerate(LEVELS)}


def _text(df: pd.DataFrame) -> pd.DataFrame:
    """All columns as text ("" for blank), years without decimals, values as written by repr()."""
    out = df.copy()
    for c in out.columns:
        if c == "value":
            out[c] = [repr(float(v)) if not float(v).is_integer() else str(int(v)) for v in out[c]]
        else:
            out[c] = ["" if pd.isna(v) else str(v) for v in out[c]]
    return out


def seed_frame(seed_dir: Path | None) -> pd.DataFrame:
    """The seed rows as text; checks every quote in its seed file when ``seed_dir`` exists."""
    df = _text(read_checked(SEED_ROWS, SEED_SCHEMA))
    if seed_dir is not None and seed_dir.is_dir():
        texts = {f.name[:3]: normalise_text(f.read_text(encoding="utf-8")) for f in sorted(seed_dir.glob("*.txt"))}
        missing = [f"{r.figure_id}: {r.quote!r}" for r in df.itertuples()
                   if normalise_text(r.quote) not in texts[r.origin[-3:]]]
        if missing:
            raise SystemExit("Quotes not found verbatim in their seed:\n" + "\n".join(missing))
    return df


def _audited_id(r: pd.Series, old_indicator: str, old_year: str, retired: set[str]) -> str:
    """Id of a row whose indicator or data year an audit changed: the old id with the new indicator
    (or, when the year changed, the id rule again); a digest suffix when that id was retired."""
    terr = figure_id_base(r["territory_level"], r["territory_code"], "", "", "").removesuffix("__nd")
    old_prefix = f"{terr}_{old_indicator}_"
    if r["year"] == old_year and r["figure_id"].startswith(old_prefix):
        new = f"{terr}_{r['indicator']}_" + r["figure_id"][len(old_prefix):]
    else:
        new = figure_id_base(r["territory_level"], r["territory_code"], r["indicator"], r["year"],
                             r["publication_year"])
    if new in retired:
        digest = hashlib.sha1("|".join([r["source_document"], r["value"], r["definition"], r["unit"]])
                              .encode("utf-8")).hexdigest()[:6]
        new = f"{new}_{digest}"
    return new


def extra_frame(shared_file: Path, retired: set[str] = frozenset()) -> pd.DataFrame:
    """The shared rows mapped, completed per source document and corrected by the audit file;
    ``retired``: ids of renamed rows, never given to another row."""
    extra = map_shared_extra(shared_file).set_index("figure_id", drop=False)
    src = read_checked(EXTRA_SOURCES, SOURCES_SCHEMA).set_index("source_document")
    unknown = sorted(set(extra["source_document"]) - set(src.index))
    if unknown:
        raise SystemExit(f"{EXTRA_SOURCES}: no producer/publication year for source(s) {unknown[:3]}")
    extra["producer"] = extra["source_document"].map(src["producer"])
    pub = extra["source_document"].map(src["publication_year"]).map(lambda v: "" if pd.isna(v) else str(int(v)))
    clash = (extra["publication_year"] != "") & (pub != "") & (extra["publication_year"] != pub)
    if clash.any():
        raise SystemExit(f"{EXTRA_SOURCES}: publication year differs from the shared file for {list(extra.index[clash])}")
    extra["publication_year"] = extra["publication_year"].where(extra["publication_year"] != "", pub)
    audit = read_checked(EXTRA_AUDIT, AUDIT_SCHEMA)
    missing = sorted(set(audit["key"]) - set(extra.index))
    if missing:
        raise SystemExit(f"{EXTRA_AUDIT}: unknown key(s) {missing[:5]}")
    before = extra[["indicator", "year"]].copy()
    for a in audit.itertuples():
        extra.at[a.key, a.column] = a.value
        note = extra.at[a.key, "notes"]
        reason = "Audit: " + a.reason
        if reason not in note:
            extra.at[a.key, "notes"] = (note + " " if note else "") + reason
    for key in extra.index[(extra[["indicator", "year"]] != before).any(axis=1)]:
        extra.at[key, "figure_id"] = _audited_id(extra.loc[key], before.loc[key, "indicator"], before.loc[key, "year"], retired)
    extra = extra.reset_index(drop=True)
    dup = extra["figure_id"].duplicated(keep=False)
    if dup.any():
        raise SystemExit(f"Duplicate ids among the shared rows after the audit: {sorted(set(extra.loc[dup, 'figure_id']))}")
    return extra


def build(shared_dir: Path) -> pd.DataFrame:
    seeds = seed_frame(shared_dir / "seeds")
    retired = set(renamed())
    extra = extra_frame(shared_dir / "data" / "published_figures_extra.csv", retired)
    clash = extra["figure_id"].isin(seeds["figure_id"])
    extra.loc[clash, "figure_id"] = extra.loc[clash, "figure_id"] + "_x"
    out = with_definitions(pd.concat([seeds, extra], ignore_index=True))[list(COLUMNS)].fillna("")
    out["_lv"] = out["territory_level"].map(LEVEL_RANK)
    out = out.sort_values(["_lv", "territory_code", "indicator", "year", "period_start", "publication_year",
                           "figure_id"], kind="mergesort").drop(columns="_lv").reset_index(drop=True)
    ids = set(out["figure_id"])
    for old, new in renamed().items():
        if old in ids or new not in ids:
            raise SystemExit(f"published_figures_renamed.csv: {old!r} -> {new!r} does not match the built table")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("ESSTOOLS_SHARED_DIR", paths.REPO_ROOT.parent / "shared"))
    ap.add_argument("--shared", type=Path, default=default,
                    help="directory holding seeds/ and data/ (default: $ESSTOOLS_SHARED_DIR or ../shared)")
    ap.add_argument("--output", type=Path, default=None, help="output CSV (default: the committed table)")
    args = ap.parse_args(argv)
    df = build(args.shared)
    target = args.output or table_path()
    with atomic_path(target) as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
        validate_table(tmp)
    print(f"Wrote {len(df)} rows to {target}")
    print(df["origin"].value_counts().sort_index().to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
