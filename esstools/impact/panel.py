"""Assembly of the SIAE x year panel from the loaders' outputs, with a match report.

Inputs are DataFrames in the loader output schemas (CONTRIBUTING.md, "Data
contracts"): the SIAE directory (``siret``, ``siren``, ``kind``,
``commune_code``...), the clause-hours extract (``siret``, ``year``,
``insertion_hours``...), the DECP aggregate by SIRET and year
(``reserved_market_eur``, ``social_clause_contracts``, ``contracts``,
``amount_eur``) and financial ratios (``siren``, ``year``, ``revenue_eur``);
optionally subsidies (``siren`` or ``siret``, ``year``, ``subsidies_eur``) and
insertion FTE (``siren`` or ``siret``, ``year``, ``insertion_fte``).

Keys and joins:

- the panel unit is the legal unit (SIREN), because revenue is published per
  SIREN; hours and contract euros of several SIRETs of one SIREN are summed
  (counted in the report);
- clause hours must concern SIAE of the directory: an unknown SIRET is an
  error unless ``unknown_siret="report"`` (then left out and counted);
- the DECP aggregate covers every contract holder: non-SIAE holders are left
  out and counted; financial ratios likewise for non-SIAE SIREN;
- a SIAE-year absent from the clause extract or the DECP has 0 hours / 0 €
  (counted in the report); a SIAE-year without published accounts keeps a
  missing revenue (never imputed);
- first award year = first panel year with reserved-market euros > 0; SIAE
  already awarded in the first year (left-censored) are flagged.

:func:`assemble` returns an :class:`Assembly` (``panel``, ``match_report``,
``notes``, ``provenance``); files are read by :func:`esstools.sources.siae.siae_inputs`, whose
result :func:`assemble_sourced` assembles.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from ..display import SummaryMixin, fmt_number
from ..errors import ParameterError, SchemaError, check_choice
from ..errors import format_schema_message
from ..provenance import Provenance, ProvenanceLike, as_provenance
from ..vocabulary import INCLUSION_KIND_NAMES, SIAE_KINDS

IAE_KINDS = SIAE_KINDS
#: French labels of the SIAE kinds, e.g. "Atelier et chantier d'insertion (ACI)" (:mod:`esstools.vocabulary`).
KIND_LABELS_FR = {k: f"{INCLUSION_KIND_NAMES[k]} ({k})" for k in SIAE_KINDS}

PANEL_COLUMNS = [
    "siren", "year", "kind", "commune_code", "n_siret", "revenue_eur", "log_revenue", "revenue_excl_reserved_eur",
    "insertion_hours", "hours_k", "beneficiaries", "reserved_market_eur", "reserved_100keur",
    "social_clause_contracts", "contracts", "public_amount_eur", "first_award_year", "event_time", "treated",
    "left_censored",
]


@dataclass(frozen=True, repr=False, eq=False)
class Assembly(SummaryMixin):
    """Assembled panel, per-source match report (French headers), notes and the data's provenance.

    The provenance belongs to the Assembly, not to the DataFrame: a merged, filtered or copied panel
    keeps it when put back with :meth:`with_panel`. Estimators accept an Assembly directly.
    """

    panel: pd.DataFrame
    match_report: pd.DataFrame
    provenance: Provenance
    notes: tuple = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "provenance", as_provenance(self.provenance))
        object.__setattr__(self, "notes", tuple(self.notes))

    @property
    def data_kind(self) -> str:
        return self.provenance.kind

    def with_panel(self, panel: pd.DataFrame) -> "Assembly":
        """Same provenance and report, another panel (e.g. a filtered or merged copy)."""
        return replace(self, panel=panel)

    title_fr = "Panel SIAE × année"

    def summary(self) -> str:
        p = self.panel
        lines = [f"{self.title_fr} : {p['siren'].nunique()} SIAE × {p['year'].nunique()} années = "
                 f"{fmt_number(len(p), 0)} SIAE-années"]
        if self.provenance.is_demo:
            lines.append("⚠ " + self.provenance.mark_fr)
        lines += [f"· {n}" for n in self.notes]
        return "\n".join(lines)

    def summary_frame(self) -> pd.DataFrame:
        return self.match_report


def panel_and_provenance(data, provenance: ProvenanceLike | None = None) -> tuple[pd.DataFrame, Provenance]:
    """(panel, provenance) from an :class:`Assembly`, or from a DataFrame and an explicit provenance."""
    if isinstance(data, Assembly):
        if provenance is not None and as_provenance(provenance).kind != data.provenance.kind:
            raise ParameterError(f"provenance={provenance!r} contradicts the Assembly's ({data.provenance.kind}).")
        return data.panel, data.provenance
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"Expected an Assembly or a DataFrame, got {type(data).__name__}.")
    if provenance is None:
        raise TypeError("A panel DataFrame needs provenance= (e.g. Provenance.real('...') or 'demo'): esstools never "
                        "assumes data are real. Pass the Assembly to keep its provenance.")
    return data, as_provenance(provenance)


def _name(df: pd.DataFrame, default: str) -> str:
    return str(df.attrs.get("path", default))


def _require(df: pd.DataFrame, cols, source: str) -> None:
    miss = [c for c in cols if c not in df.columns]
    if miss:
        raise SchemaError(f"{source}: missing column(s) {', '.join(map(repr, miss))}; expected at least "
                          f"{', '.join(map(repr, cols))} (see CONTRIBUTING.md, data contracts).")


def _rows(mask: pd.Series) -> list[int]:
    """1-based data-row numbers (header = row 1) of the True entries of a boolean Series."""
    pos = np.flatnonzero(np.asarray(mask))
    return [int(p) + 2 for p in pos]


def _check_ids(df: pd.DataFrame, col: str, width: int, source: str) -> pd.Series:
    s = df[col].astype("string")
    bad = ~s.fillna("").str.fullmatch(r"\d{%d}" % width)
    if bad.any():
        raise SchemaError(path=source, column=col, rows=_rows(bad), values=list(df.loc[bad.to_numpy(), col].head(5)),
                          expected=f"a {width}-digit code as a string (leading zeros kept)")
    return s.astype(str)


def _check_nonneg(df: pd.DataFrame, col: str, source: str, allow_na: bool = False) -> pd.Series:
    v = pd.to_numeric(df[col], errors="coerce")
    bad = (v < 0) | (v.isna() & (not allow_na)) | (df[col].notna() & v.isna())
    if bad.any():
        raise SchemaError(path=source, column=col, rows=_rows(bad), values=list(df.loc[bad.to_numpy(), col].head(5)),
                          expected="a non-negative number")
    return v.astype(float)


def _check_years(df: pd.DataFrame, source: str) -> pd.Series:
    v = pd.to_numeric(df["year"], errors="coerce")
    bad = v.isna() | (v != np.floor(v)) | (v < 1990) | (v > 2100)
    if bad.any():
        raise SchemaError(path=source, column="year", rows=_rows(bad), values=list(df.loc[bad.to_numpy(), "year"].head(5)),
                          expected="an integer year between 1990 and 2100")
    return v.astype(int)


def _check_unique(df: pd.DataFrame, keys: list[str], source: str) -> None:
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        vals = [tuple(r) for r in df.loc[dup.to_numpy(), keys].drop_duplicates().head(5).itertuples(index=False)]
        raise SchemaError(
            format_schema_message(source, ", ".join(keys), _rows(dup), vals, "one row per " + " and ".join(keys))
            .replace("invalid value(s)", "duplicated key(s)"),
            path=source, column=", ".join(keys), rows=_rows(dup), values=vals,
        )


def _parse_years(years, observed: pd.Series) -> list[int]:
    if years is None:
        if observed.empty:
            raise ParameterError("No years: give 'years' (e.g. '2016-2025') or non-empty financial ratios.")
        return list(range(int(observed.min()), int(observed.max()) + 1))
    if isinstance(years, str):
        try:
            a, b = (int(x) for x in years.split("-"))
        except ValueError as exc:
            raise ParameterError(f"Invalid years {years!r}; expected 'YYYY-YYYY', e.g. '2016-2025'.") from exc
        return list(range(a, b + 1))
    return sorted(int(y) for y in years)


def _optional(df: pd.DataFrame | None, value: str, siret_to_siren: dict, source: str, known_sirens: set) -> tuple[pd.DataFrame | None, dict]:
    """Normalise an optional (siren|siret, year, value) table to SIREN-year sums."""
    if df is None:
        return None, {}
    _require(df, ["year", value], source)
    if "siren" in df.columns:
        key = _check_ids(df, "siren", 9, source)
    elif "siret" in df.columns:
        key = _check_ids(df, "siret", 14, source).map(siret_to_siren)
        key = key.where(key.notna(), df["siret"].astype(str).str[:9])
    else:
        raise SchemaError(f"{source}: needs a 'siren' or 'siret' column.")
    out = pd.DataFrame({"siren": key.to_numpy(), "year": _check_years(df, source).to_numpy(),
                        value: _check_nonneg(df, value, source).to_numpy()})
    known = out["siren"].isin(known_sirens)
    stats = {"rows": len(out), "outside": int((~known).sum()), "found": out.loc[known, "siren"].nunique()}
    return out[known].groupby(["siren", "year"], as_index=False)[value].sum(), stats


def assemble(
    directory: pd.DataFrame,
    clause_hours: pd.DataFrame,
    decp: pd.DataFrame,
    financials: pd.DataFrame,
    *,
    provenance: ProvenanceLike,
    years=None,
    subsidies: pd.DataFrame | None = None,
    insertion_fte: pd.DataFrame | None = None,
    kinds=IAE_KINDS,
    departement: str | None = None,
    unknown_siret: Literal["error", "report"] = "error",
) -> Assembly:
    """Build the SIAE (SIREN) x year panel and its match report; inputs are never modified.

    ``provenance``: where the inputs come from (required; see :mod:`esstools.sources.siae`).
    ``decp``: the DECP aggregate by SIRET and year, or the awards of
    :func:`esstools.loaders.decp.load_decp` (aggregated here with
    :func:`~esstools.loaders.decp.aggregate_by_siret_year`). ``kinds``: SIAE kinds kept from the directory (others left out and
    counted); ``departement``: keep only the directory rows of that
    département (counted); ``years``: 'YYYY-YYYY' or a list (default: years of
    the financial ratios).
    """
    check_choice("unknown_siret", unknown_siret, ["error", "report"])
    prov = as_provenance(provenance)
    if "holder_siret" in decp.columns:
        from ..loaders.decp import aggregate_by_siret_year

        path = decp.attrs.get("path")
        decp = aggregate_by_siret_year(decp)
        if path:
            decp.attrs["path"] = path
    src_dir, src_cl = _name(directory, "SIAE directory"), _name(clause_hours, "clause-hours extract")
    src_dp, src_fin = _name(decp, "DECP aggregate"), _name(financials, "financial ratios")
    _require(directory, ["siret", "siren", "kind"], src_dir)
    _require(clause_hours, ["siret", "year", "insertion_hours"], src_cl)
    _require(decp, ["siret", "year", "reserved_market_eur"], src_dp)
    _require(financials, ["siren", "year", "revenue_eur"], src_fin)
    notes: list[str] = []

    # --- directory
    d = directory.copy()
    d["siret"] = _check_ids(d, "siret", 14, src_dir)
    d["siren"] = _check_ids(d, "siren", 9, src_dir)
    _check_unique(d, ["siret", "kind"], src_dir)  # one SIRET may hold several conventions (e.g. ACI and AI)
    bad_prefix = d["siret"].str[:9] != d["siren"]
    if bad_prefix.any():
        raise SchemaError(path=src_dir, column="siret", rows=_rows(bad_prefix),
                          values=list(d.loc[bad_prefix, "siret"].head(5)), expected="a SIRET starting with its SIREN")
    n_dir = len(d)
    if departement is not None and "departement" in d.columns:
        keep = d["departement"].astype(str) == str(departement)
        if (~keep).any():
            notes.append(f"{int((~keep).sum())} établissement(s) de l'annuaire hors du département {departement} écarté(s).")
        d = d[keep]
    kinds = list(kinds)
    other_kind = ~d["kind"].isin(kinds)
    if other_kind.any():
        notes.append(f"{int(other_kind.sum())} établissement(s) d'un autre type ("
                     + ", ".join(sorted(d.loc[other_kind, 'kind'].astype(str).unique())) + ") écarté(s).")
        d = d[~other_kind]
    if d.empty:
        raise ParameterError("No SIAE left in the directory after filtering on département and kinds "
                             f"(département={departement!r}, kinds={kinds!r}).")
    n_multi_conv = int(d["siret"].duplicated().sum())
    if n_multi_conv:
        notes.append(f"{n_multi_conv} conventionnement(s) supplémentaire(s) sur un même SIRET (plusieurs types) : "
                     "le type le plus fréquent du SIREN est retenu.")
    siret_to_siren = dict(zip(d["siret"], d["siren"]))
    per_siren = d.groupby("siren").agg(kind=("kind", lambda s: s.value_counts().index[0]),
                                       n_kinds=("kind", "nunique"), n_siret=("siret", "nunique"),
                                       commune_code=("commune_code", "first") if "commune_code" in d.columns else ("siret", "first"))
    if "commune_code" not in d.columns:
        per_siren["commune_code"] = pd.NA
    multi_kind = int((per_siren["n_kinds"] > 1).sum())
    if multi_kind:
        notes.append(f"{multi_kind} SIREN porte(nt) plusieurs types de SIAE : le type le plus fréquent est retenu.")
    multi_siret = int((per_siren["n_siret"] > 1).sum())
    if multi_siret:
        notes.append(f"{multi_siret} SIREN ont plusieurs établissements (SIRET) : heures et montants sont additionnés.")
    sirens = set(per_siren.index)

    # --- financials
    f = pd.DataFrame({"siren": _check_ids(financials, "siren", 9, src_fin).to_numpy(),
                      "year": _check_years(financials, src_fin).to_numpy()})
    rev = pd.to_numeric(financials["revenue_eur"], errors="coerce")
    bad = (rev < 0) | (financials["revenue_eur"].notna() & rev.isna())
    if bad.any():
        raise SchemaError(path=src_fin, column="revenue_eur", rows=_rows(bad),
                          values=list(financials.loc[bad.to_numpy(), "revenue_eur"].head(5)),
                          expected="a non-negative revenue in euros (missing allowed)")
    f["revenue_eur"] = rev.to_numpy(dtype=float)
    _check_unique(f, ["siren", "year"], src_fin)
    yrs = _parse_years(years, f["year"])
    f_known = f["siren"].isin(sirens)
    f_in = f[f_known & f["year"].isin(yrs)]

    # --- clause hours
    c = pd.DataFrame({"siret": _check_ids(clause_hours, "siret", 14, src_cl).to_numpy(),
                      "year": _check_years(clause_hours, src_cl).to_numpy(),
                      "insertion_hours": _check_nonneg(clause_hours, "insertion_hours", src_cl).to_numpy()})
    c["beneficiaries"] = (_check_nonneg(clause_hours, "beneficiaries", src_cl, allow_na=True).fillna(0).to_numpy()
                          if "beneficiaries" in clause_hours.columns else 0.0)
    c_unknown = ~c["siret"].isin(siret_to_siren.keys())
    if c_unknown.any() and unknown_siret == "error":
        vals = list(dict.fromkeys(c.loc[c_unknown, "siret"]))
        raise SchemaError(
            f"File '{src_cl}', column 'siret': {len(vals)} SIRET not found in the SIAE directory at row(s) "
            + ", ".join(map(str, _rows(c_unknown)[:5])) + (" (and more)" if c_unknown.sum() > 5 else "")
            + "; got " + ", ".join(map(repr, vals[:5]))
            + "; expected SIRET of the directory (pass unknown_siret='report' to leave them out and count them).",
            path=src_cl, column="siret", rows=_rows(c_unknown), values=vals)
    c["siren"] = c["siret"].map(siret_to_siren)
    c_in = c[~c_unknown & c["year"].isin(yrs)]
    c_agg = c_in.groupby(["siren", "year"], as_index=False)[["insertion_hours", "beneficiaries"]].sum()

    # --- DECP aggregate
    p = pd.DataFrame({"siret": _check_ids(decp, "siret", 14, src_dp).to_numpy(),
                      "year": _check_years(decp, src_dp).to_numpy(),
                      "reserved_market_eur": _check_nonneg(decp, "reserved_market_eur", src_dp).to_numpy()})
    for col, out in [("social_clause_contracts", "social_clause_contracts"), ("contracts", "contracts"), ("amount_eur", "public_amount_eur")]:
        p[out] = _check_nonneg(decp, col, src_dp, allow_na=True).fillna(0).to_numpy() if col in decp.columns else 0.0
    _check_unique(p, ["siret", "year"], src_dp)
    p_known = p["siret"].isin(siret_to_siren.keys())
    p["siren"] = p["siret"].map(siret_to_siren)
    p_in = p[p_known & p["year"].isin(yrs)]
    p_agg = p_in.groupby(["siren", "year"], as_index=False)[
        ["reserved_market_eur", "social_clause_contracts", "contracts", "public_amount_eur"]].sum()

    sub, sub_stats = _optional(subsidies, "subsidies_eur", siret_to_siren, _name(subsidies, "subsidies") if subsidies is not None else "", sirens)
    fte, fte_stats = _optional(insertion_fte, "insertion_fte", siret_to_siren, _name(insertion_fte, "insertion FTE") if insertion_fte is not None else "", sirens)

    # --- panel skeleton: every SIAE x every year
    grid = pd.MultiIndex.from_product([sorted(sirens), yrs], names=["siren", "year"]).to_frame(index=False)
    panel = grid.merge(per_siren[["kind", "commune_code", "n_siret"]].reset_index(), on="siren", how="left")
    panel = panel.merge(f_in, on=["siren", "year"], how="left")
    panel = panel.merge(c_agg, on=["siren", "year"], how="left")
    panel = panel.merge(p_agg, on=["siren", "year"], how="left")
    n_hours_filled = int(panel["insertion_hours"].isna().sum())
    n_decp_filled = int(panel["reserved_market_eur"].isna().sum())
    for col in ["insertion_hours", "beneficiaries", "reserved_market_eur", "social_clause_contracts", "contracts", "public_amount_eur"]:
        panel[col] = panel[col].fillna(0.0).astype(float)
    if sub is not None:
        panel = panel.merge(sub, on=["siren", "year"], how="left")
        panel["subsidies_eur"] = panel["subsidies_eur"].fillna(0.0)
    if fte is not None:
        panel = panel.merge(fte, on=["siren", "year"], how="left")
    panel["revenue_eur"] = panel["revenue_eur"].astype(float)
    with np.errstate(divide="ignore"):
        panel["log_revenue"] = np.where(panel["revenue_eur"] > 0, np.log(panel["revenue_eur"].where(panel["revenue_eur"] > 0)), np.nan)
    panel["revenue_excl_reserved_eur"] = panel["revenue_eur"] - panel["reserved_market_eur"]
    neg_excl = int((panel["revenue_excl_reserved_eur"] < 0).sum())
    if neg_excl:
        notes.append(f"{neg_excl} SIAE-année(s) où les marchés réservés notifiés dépassent le chiffre d'affaires "
                     "(décalage entre notification et exécution) : chiffre d'affaires hors marchés négatif conservé.")
    panel["hours_k"] = panel["insertion_hours"] / 1000.0
    panel["reserved_100keur"] = panel["reserved_market_eur"] / 100_000.0
    first = panel[panel["reserved_market_eur"] > 0].groupby("siren")["year"].min()
    panel["first_award_year"] = panel["siren"].map(first).astype("Int64")
    panel["event_time"] = (panel["year"] - panel["first_award_year"]).astype("Int64")
    panel["treated"] = (panel["event_time"].fillna(-1) >= 0).astype(float)
    panel["left_censored"] = panel["first_award_year"].eq(yrs[0]).fillna(False).astype(bool)
    n_left = int(panel.loc[panel["left_censored"], "siren"].nunique())
    if n_left:
        notes.append(f"{n_left} SIAE ont déjà un marché réservé la première année ({yrs[0]}) : date de première "
                     "attribution inconnue (exclues des estimateurs par cohorte).")
    cols = [c for c in PANEL_COLUMNS if c in panel.columns] + [c for c in ("subsidies_eur", "insertion_fte") if c in panel.columns]
    panel = panel[cols].sort_values(["siren", "year"]).reset_index(drop=True)
    if prov.kind == "mixed":
        notes.append("Mélange de données réelles et synthétiques : les résultats portent la marque de démonstration.")

    n_siae = len(sirens)
    n_cells = len(panel)

    def row(source, rows_in, siae_found, outside, cells, remark):
        return {"source": source, "lignes lues": rows_in, "SIAE trouvées": siae_found, "SIAE de l'annuaire": n_siae,
                "taux de correspondance (%)": round(100.0 * siae_found / n_siae, 1),
                "lignes hors SIAE écartées": outside, "SIAE-années renseignées": cells,
                "SIAE-années du panel": n_cells, "remarque": remark}

    rep = [
        row("Annuaire des SIAE", n_dir, n_siae, n_dir - len(d), n_cells, f"{multi_siret} SIREN multi-établissements"),
        row("Comptes (chiffre d'affaires)", len(f), f_in["siren"].nunique(), int((~f_known).sum()),
            int(panel["revenue_eur"].notna().sum()), f"{int(panel['revenue_eur'].isna().sum())} SIAE-années sans comptes (non imputées)"),
        row("Heures d'insertion (clauses)", len(c), c_in["siren"].nunique(), int(c_unknown.sum()), n_cells - n_hours_filled,
            f"{n_hours_filled} SIAE-années absentes = 0 heure"),
        row("Marchés publics (DECP)", len(p), p_in["siren"].nunique(), int((~p_known).sum()), n_cells - n_decp_filled,
            f"{n_decp_filled} SIAE-années absentes = 0 € ; {int(first.size)} SIAE avec un marché réservé"),
    ]
    if sub is not None:
        rep.append(row("Subventions", sub_stats["rows"], sub_stats["found"], sub_stats["outside"],
                       int(len(sub)), "SIAE-années absentes = 0 €"))
    if fte is not None:
        rep.append(row("ETP en insertion", fte_stats["rows"], fte_stats["found"], fte_stats["outside"],
                       int(panel["insertion_fte"].notna().sum()), "non imputés"))
    return Assembly(panel=panel, match_report=pd.DataFrame(rep), provenance=prov, notes=tuple(notes))


def assemble_sourced(sourced, **kwargs) -> Assembly:
    """:func:`assemble` of a :func:`esstools.sources.siae.siae_inputs` result (its frames and provenance)."""
    notes = tuple(sourced.notes)
    asm = assemble(**sourced.data.frames(), provenance=sourced.provenance, **kwargs)
    return replace(asm, notes=notes + asm.notes)


def cohort_summary(panel) -> pd.DataFrame:
    """Number of SIAE by first reserved-market award year (French headers); ``panel``: DataFrame or Assembly."""
    panel = panel.panel if isinstance(panel, Assembly) else panel
    g = panel.drop_duplicates("siren")
    out = g["first_award_year"].astype("Float64").fillna(0).astype(int).value_counts().sort_index()
    out.index = ["jamais" if i == 0 else str(i) for i in out.index]
    return out.rename_axis("première attribution").rename("SIAE").to_frame()
