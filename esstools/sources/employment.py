"""ESS employment series (URSSAF export format) for any département, demo or real, with provenance.

Demo: :mod:`esstools.synth.employment` writes a synthetic export for every département, région and
France in the URSSAF export layout into the demo cache (:func:`~esstools.sources.base.demo_dir`),
which is read back through :func:`esstools.loaders.urssaf.load_ess_employment` like a real file.
Real: the path of a URSSAF export (CSV ``;``, XLSX…), any territory it contains, or ``"fetched"``: the
export downloaded by ``esstools fetch urssaf-ess-departements`` (absent: ``missing`` is set, no demo).

:func:`employment_series` returns the département's series, its reference (its own région, or
France), the series by ESS family (for the shift-share) and the published figures that concern
them, with the notes a reader needs (calibration of the demo, frequency given by the source).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import territory
from ..errors import ParameterError, check_choice
from ..loaders.urssaf import load_ess_employment
from ..provenance import Provenance
from . import fetched as fetched_mod
from .base import Sourced, demo_dir, perturb

URSSAF_SOURCE = "urssaf-ess-departements"

MEASURES = ["establishments", "employees", "payroll_eur"]
REFERENCES = ("region", "FR")
FAMILIES = ("association", "cooperative", "mutuelle", "fondation")
LEVEL_FR = {"departement": "département", "region": "région", "france": "France"}


def _demo_provenance() -> Provenance:
    from ..synth import employment as demo

    return Provenance.demo(
        "série de démonstration synthétique esstools (esstools.synth.employment, graine "
        f"{demo.DEFAULT_SEED}) au format de l'export URSSAF, calibrée sur des chiffres publiés "
        "(data/employment/published_points.csv)")


@lru_cache(maxsize=8)
def _demo_table(directory: str, territories: tuple | None) -> tuple[Path, pd.DataFrame]:
    """The demo export (all territories, or only ``territories``: (level, code) pairs) written in the demo
    cache and read back through the loader (once per process)."""
    from ..synth import employment as demo

    name = demo.DEMO_FILENAME
    if territories is not None:
        name = name.replace(".csv", "--" + "-".join(f"{lv[0]}{code}" for lv, code in territories) + ".csv")
    path = demo.write_demo_employment(Path(directory) / name, territories=territories)
    return path, load_ess_employment(path)


def employment_table(source: str = "demo", territories: list[tuple[str, str]] | None = None) -> Sourced:
    """The URSSAF-format employment table (loader output schema) and its provenance.

    ``source``: ``"demo"``, ``"fetched"`` (the cached export; ``data`` None and ``missing`` set when
    absent) or the path of a real URSSAF export (CSV ``;`` or XLSX). ``territories``:
    for the demo, write and read only these (level, code) pairs (the export of the whole of France has
    15 000 rows; a notebook needs a département, its région and France).
    """
    if source == "demo":
        key = (str(demo_dir("employment")), tuple(territories) if territories else None)
        path, table = _demo_table(*key)
        if not path.exists():  # the cache was cleared since: write it again
            _demo_table.cache_clear()
            path, table = _demo_table(*key)
        table = table.copy()
        prov = _demo_provenance()
    elif source == fetched_mod.FETCHED:
        path = fetched_mod.cached(URSSAF_SOURCE)
        if path is None:
            return Sourced(None, Provenance.real(), missing=(missing_series(),))
        prov = fetched_mod.provenance(URSSAF_SOURCE, path)
        table = fetched_mod.read(URSSAF_SOURCE, path, load_ess_employment)
    else:
        path = Path(source)
        prov = Provenance.real(f"export URSSAF « {path.name} » (effectifs salariés moyens, ESS)")
        table = load_ess_employment(path)
    return Sourced(perturb(table, columns=MEASURES), prov, files=(path,))


def missing_series() -> "fetched_mod.Missing":
    """The missing URSSAF series (no ESS employment series by département without it)."""
    return fetched_mod.missing("séries URSSAF de l'emploi salarié de l'ESS par département, famille et année",
                               URSSAF_SOURCE)


def _rows(table: pd.DataFrame, level: str, code: str, family: str) -> pd.DataFrame:
    return table[(table["territory_level"] == level) & (table["territory_code"].astype(str) == str(code))
                 & (table["ess_family"] == family)]


def frequencies(table: pd.DataFrame, level: str, code: str, family: str = "ensemble") -> tuple[str, ...]:
    """Frequencies the source gives for a territory: ("A",), ("Q",) or ("A", "Q")."""
    sub = _rows(table, level, code, family)
    out = []
    if sub["quarter"].isna().any():
        out.append("A")
    if sub["quarter"].notna().any():
        out.append("Q")
    return tuple(out)


def territory_series(table: pd.DataFrame, level: str, code: str, family: str = "ensemble",
                     measure: str = "employees", frequency: str = "A") -> pd.Series:
    """One measure of one territory (level and code: "93" is both a département and a région) as a series.

    Annual: indexed by int years (the annual rows, or the mean of complete years of quarters when the
    source gives only quarters). Quarterly: a quarterly PeriodIndex, only if the source gives quarters
    (never interpolated from annual values).
    """
    check_choice("frequency", frequency, ["A", "Q"])
    check_choice("measure", measure, MEASURES)
    sub = _rows(table, level, code, family)
    name = f"{LEVEL_FR.get(level, level)} {code}"
    if sub.empty:
        have = sorted(table.loc[table["territory_level"] == level, "territory_code"].astype(str).unique())
        raise ParameterError(
            f"The source has no {family!r} rows for {LEVEL_FR.get(level, level)} {code!r}; "
            f"{LEVEL_FR.get(level, level)} codes present: {', '.join(have[:30]) or 'none'}."
        )
    annual, quarterly = sub[sub["quarter"].isna()], sub[sub["quarter"].notna()]
    if frequency == "Q":
        if quarterly.empty:
            raise ParameterError(
                f"The source gives only annual values for {name}; quarterly values are not interpolated "
                f"from annual ones: use frequency='A'."
            )
        q = quarterly.sort_values(["year", "quarter"])
        idx = pd.PeriodIndex([pd.Period(year=int(y), quarter=int(k), freq="Q") for y, k in zip(q["year"], q["quarter"])],
                             name="période")
        return pd.Series(q[measure].to_numpy(dtype=float), index=idx, name=name)
    if annual.empty:
        g = quarterly.groupby("year")
        complete = g["quarter"].nunique() == 4
        agg = (g[measure].sum() if measure == "payroll_eur" else g[measure].mean())[complete]
        return pd.Series(agg.to_numpy(dtype=float), index=pd.Index(agg.index.astype(int), name="année"), name=name)
    a = annual.sort_values("year")
    return pd.Series(a[measure].to_numpy(dtype=float), index=pd.Index(a["year"].astype(int), name="année"), name=name)


@dataclass
class EmploymentData:
    """The series of a département and its reference, with labels (French) and the published points."""

    departement: str
    departement_name: str
    reference_level: str  # "region" or "france"
    reference_code: str
    reference_name: str
    frequency: str
    series: pd.Series
    reference: pd.Series
    families: pd.DataFrame | None  # annual employees by family (columns), département
    reference_families: pd.DataFrame | None
    source_frequencies: tuple[str, ...]
    published: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def label(self) -> str:
        return f"{self.departement_name} ({self.departement})"

    @property
    def reference_label(self) -> str:
        return self.reference_name if self.reference_level == "france" else f"{self.reference_name} (région {self.reference_code})"


def resolve_reference(departement: str, reference: str = "region") -> tuple[str, str, str, str | None]:
    """(level, code, French name, note) of the reference of ``departement``.

    ``reference``: "region" (the département's own région; its code is accepted too) or "FR". A région
    with a single département (overseas) cannot be a reference for it: France is used, with a note.
    """
    dep = territory.lookup(departement, level="departement")
    region = dep.parents.get("region")
    ref = str(reference)
    if ref == region:
        ref = "region"
    check_choice("reference", ref, REFERENCES)
    if ref == "FR":
        return "france", "FR", "France", None
    reg = territory.lookup(region, level="region")
    n_deps = int((territory.departements()["parent"] == region).sum())
    if n_deps < 2:
        return "france", "FR", "France", (f"La région {reg.name} ne compte qu'un département : la référence "
                                          f"est la France.")
    return "region", region, reg.name, None


def _family_table(table, level, code) -> pd.DataFrame | None:
    try:
        cols = {f: territory_series(table, level, code, f, frequency="A") for f in FAMILIES}
    except ParameterError:
        return None
    return pd.DataFrame(cols)


def published_points(table: pd.DataFrame, provenance: Provenance, codes: list[tuple[str, str]]) -> pd.DataFrame:
    """Published points of ``data/employment/published_points.csv`` about the territories ``codes``
    ((level, code) pairs), with their value recomputed on the table and their role for this series.

    Role: on demo data a point the demo is calibrated on can confirm nothing — "calibré sur";
    on real data a published point is compared (definitions may differ, see ``note``).
    """
    from ..synth import employment as demo

    pts = demo.calibration_points()
    rows = []
    for _, p in pts.iterrows():
        if (p["territory_level"], p["territory_code"]) not in codes or not p["check"] or not p["year"]:
            continue
        try:
            got = demo.recompute_point(table, p)
        except (KeyError, ValueError, IndexError):
            got = float("nan")
        if provenance.is_demo:
            role = {"calibration exacte": "calibré sur (reproduit par construction)",
                    "ordre de grandeur": "calibré sur (ordre de grandeur, autre définition)",
                    "hypothèse": "hypothèse de la démo"}.get(p["role"], p["role"])
        else:
            role = "comparaison (définitions à vérifier)"
        rows.append({"territoire": f"{LEVEL_FR[p['territory_level']]} {p['territory_code']}",
                     "chiffre publié": p["label_fr"], "valeur publiée": float(p["value"]), "unité": p["unit"],
                     "valeur de la série": got, "rôle": role, "source": p["source"], "figure_id": p["figure_id"]})
    return pd.DataFrame(rows)


def published_only(departement: str, reference: str = "region") -> Sourced:
    """Published points (``data/employment/published_points.csv``) about ``departement`` and its reference,
    without any series (what notebook 02 can still state when the URSSAF series is missing). Real."""
    from ..synth import employment as demo

    dep = territory.lookup(str(departement), level="departement")
    level, code, name, _ = resolve_reference(dep.code, reference)
    pts = demo.calibration_points()
    keep = pts[[(lv, c) in {("departement", dep.code), (level, code)} and bool(y)
                for lv, c, y in zip(pts["territory_level"], pts["territory_code"], pts["year"])]]
    table = pd.DataFrame({"territoire": [f"{LEVEL_FR[lv]} {c}" for lv, c in zip(keep["territory_level"],
                                                                                keep["territory_code"])],
                          "chiffre publié": keep["label_fr"].to_numpy(), "année": keep["year"].to_numpy(),
                          "source": keep["source"].to_numpy(), "note": keep["note"].fillna("").to_numpy()})
    label = {"departement": f"{dep.name} ({dep.code})", "reference": name if level == "france" else f"{name} (région {code})"}
    return Sourced((table.reset_index(drop=True), label),
                   Provenance.real("chiffres publiés recensés par esstools (data/employment/published_points.csv)"))


def employment_series(departement: str, reference: str = "region", source: str = "demo", frequency: str = "A",
                      start_year: int | None = None, end_year: int | None = None) -> Sourced:
    """The employment data of notebook 02 for ``departement`` (any of the 101), with provenance and notes
    (``data`` None and ``missing`` set when ``source="fetched"`` and the export is not in the cache)."""
    check_choice("frequency", frequency, ["A", "Q"])
    dep = territory.lookup(str(departement), level="departement")
    level, code, name, ref_note = resolve_reference(dep.code, reference)
    data = employment_table(source, territories=[("departement", dep.code), (level, code)])
    if data.missing:
        return data
    table = data.data
    notes = []
    if dep.code == "976" and not data.provenance.is_demo:
        notes.append("Mayotte n'est pas couverte par les séries URSSAF (régime général).")
    series = territory_series(table, "departement", dep.code, frequency=frequency)
    ref_series = territory_series(table, level, code, frequency=frequency)

    def cut(s):
        years = s.index.year if isinstance(s.index, pd.PeriodIndex) else np.asarray(s.index)
        keep = np.ones(len(s), dtype=bool)
        if start_year is not None:
            keep &= years >= int(start_year)
        if end_year is not None:
            keep &= years <= int(end_year)
        return s[keep]

    series, ref_series = cut(series), cut(ref_series)
    freqs = frequencies(table, "departement", dep.code)
    given = {("A",): "annuelle", ("Q",): "trimestrielle", ("A", "Q"): "annuelle et trimestrielle"}[freqs]
    notes.append(f"Fréquence fournie par la source : {given} ; analyse {'annuelle' if frequency == 'A' else 'trimestrielle'}"
                 + (" (moyennes annuelles des trimestres)" if frequency == "A" and freqs == ("Q",) else "") + ".")
    if ref_note:
        notes.append(ref_note)
    if data.provenance.is_demo:
        from ..synth import employment as demo

        notes.extend(demo.calibration_notes(dep.code))
    out = EmploymentData(
        departement=dep.code, departement_name=dep.name, reference_level=level, reference_code=code,
        reference_name=name, frequency=frequency, series=series, reference=ref_series,
        families=_family_table(table, "departement", dep.code), reference_families=_family_table(table, level, code),
        source_frequencies=freqs,
        published=published_points(table, data.provenance, [("departement", dep.code), (level, code)]),
    )
    return Sourced(out, data.provenance, files=data.files, notes=tuple(notes))
