"""Result objects of the impact estimators (statsmodels/linearmodels style).

:class:`ImpactResult` holds the coefficients, their covariance (clustered by SIAE unless stated),
the number of observations/units/clusters, the :class:`~esstools.provenance.Provenance` of the data
(required: no default can turn demo data into real), the French labels of the terms and of the
question each coefficient answers, and — for coefficients resting on fewer than 30 clusters — wild
cluster bootstrap inference (:mod:`esstools.impact.bootstrap`). It offers ``params``,
``std_errors``, ``tvalues`` (alias ``tstats``), ``pvalues``, ``conf_int(level)``, ``wald_test``,
``pretrend_test()`` (the one pre-trend API: joint test that every pre-award event-time term is 0),
a French ``summary()`` and HTML display (:class:`esstools.display.SummaryMixin`) and a tidy
``to_frame()``. :func:`compare` lines results up side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..display import SummaryMixin, fmt_number, fmt_pvalue
from ..provenance import Provenance, as_provenance

__all__ = ["ImpactResult", "WaldTest", "compare", "decimals_for", "make_result"]


def decimals_for(se: float, significant: int = 2, max_decimals: int = 6) -> int:
    """Decimals that show ``significant`` significant digits of a standard error (0 for SE >= 10)."""
    if se is None or not np.isfinite(se) or se <= 0:
        return 2
    return int(min(max(0, significant - 1 - int(np.floor(np.log10(se)))), max_decimals))


@dataclass(frozen=True, repr=False)
class WaldTest(SummaryMixin):
    """Joint test that ``terms`` are all zero: ``stat`` (F or chi²), ``df``, ``pvalue``."""

    stat: float
    df: Any
    pvalue: float
    test: str
    terms: tuple = ()

    def summary(self) -> str:
        if not self.terms:
            return "Test joint : aucun terme à tester"
        name = "F" if self.test == "F" else "chi²"
        return f"{name} = {fmt_number(self.stat, 2)}, p = {fmt_number(self.pvalue, 2)} ({len(self.terms)} termes)"

    def __getitem__(self, key):  # dict-style access kept for callers of the former dict
        return getattr(self, key)


@dataclass(frozen=True, repr=False, eq=False)
class ImpactResult(SummaryMixin):
    """Coefficients of one estimator with clustered standard errors, provenance and French labels.

    ``df_dist`` is the degrees of freedom of the t distribution used for p-values and intervals
    (None = standard normal); ``term_df`` overrides it per term. ``wild``: wild cluster bootstrap
    table (index = terms; ``ci_lower``, ``ci_upper``, ``pvalue``, ``weights``, ``reps``,
    ``clusters``) for the terms resting on few clusters, else None.
    """

    estimator: str
    outcome: str
    params: pd.Series
    cov: pd.DataFrame
    nobs: int
    n_units: int
    n_periods: int
    n_clusters: int
    provenance: Provenance
    df_dist: int | None = None
    cov_type: str = "clustered"
    labels: dict = field(default_factory=dict)
    questions: dict = field(default_factory=dict)
    notes: tuple = ()
    extra: dict = field(default_factory=dict)
    title_fr: str = ""
    term_df: dict = field(default_factory=dict)
    wild: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "provenance", as_provenance(self.provenance))

    # ------------------------------------------------------------------ stats
    @property
    def std_errors(self) -> pd.Series:
        """Standard errors (square roots of the covariance diagonal)."""
        return pd.Series(np.sqrt(np.maximum(np.diag(self.cov.to_numpy()), 0.0)), index=self.params.index, name="std_error")

    @property
    def tvalues(self) -> pd.Series:
        """Coefficient / standard error (statsmodels' name)."""
        return (self.params / self.std_errors).rename("tvalue")

    @property
    def tstats(self) -> pd.Series:
        """Alias of :attr:`tvalues` (linearmodels' name)."""
        return self.tvalues

    def _dfs(self) -> list:
        return [self.term_df.get(t, self.df_dist) for t in self.params.index]

    def _crit(self, level: float) -> np.ndarray:
        q = 0.5 + level / 2
        return np.array([stats.norm.ppf(q) if d is None else stats.t.ppf(q, d) for d in self._dfs()])

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values (t with ``df_dist`` degrees of freedom, or normal)."""
        t = np.abs(self.tvalues.to_numpy())
        p = np.array([2 * (stats.norm.sf(v) if d is None else stats.t.sf(v, d)) for v, d in zip(t, self._dfs())])
        return pd.Series(p, index=self.params.index, name="pvalue")

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Analytic confidence intervals with columns ``lower`` and ``upper``."""
        c = self._crit(level)
        se = self.std_errors
        return pd.DataFrame({"lower": self.params - c * se, "upper": self.params + c * se})

    def wald_test(self, terms: Sequence[str]) -> WaldTest:
        """Joint test that ``terms`` are all zero: F = W/q with (q, df_dist) df (chi² if normal)."""
        terms = list(terms)
        if not terms:
            return WaldTest(np.nan, 0, np.nan, "F" if self.df_dist is not None else "chi2", ())
        b = self.params[terms].to_numpy()
        v = self.cov.loc[terms, terms].to_numpy()
        w = float(b @ np.linalg.pinv(v) @ b)
        q = len(terms)
        if self.df_dist is None:
            return WaldTest(w, q, float(stats.chi2.sf(w, q)), "chi2", tuple(terms))
        return WaldTest(w / q, (q, self.df_dist), float(stats.f.sf(w / q, q, self.df_dist)), "F", tuple(terms))

    def pretrend_test(self) -> WaldTest:
        """Joint test that every pre-award term (event time < 0 in ``extra["event_times"]``) is zero."""
        ets = self.extra.get("event_times", {})
        return self.wald_test([t for t, e in ets.items() if e < 0 and t in self.params.index])

    # ----------------------------------------------------------------- output
    def to_frame(self, level: float = 0.95) -> pd.DataFrame:
        """Tidy table: term, estimate, std_error, ci_lower, ci_upper, pvalue, label_fr, question_fr (+ wild_*)."""
        ci = self.conf_int(level)
        out = pd.DataFrame({
            "term": self.params.index, "estimate": self.params.to_numpy(), "std_error": self.std_errors.to_numpy(),
            "ci_lower": ci["lower"].to_numpy(), "ci_upper": ci["upper"].to_numpy(), "pvalue": self.pvalues.to_numpy(),
            "label_fr": [self.labels.get(t, t) for t in self.params.index],
            "question_fr": [self.questions.get(t, "") for t in self.params.index],
        })
        if self.wild is not None:
            w = self.wild.reindex(self.params.index)
            for col in ("ci_lower", "ci_upper", "pvalue"):
                out["wild_" + col] = w[col].to_numpy()
        return out

    def table_display(self, level: float = 0.95) -> pd.DataFrame:
        """French table of strings, each row rounded to two significant digits of its standard error;
        with wild-bootstrap columns when some terms rest on few clusters."""
        f = self.to_frame(level)
        pct = int(level * 100)
        rows = []
        for _, r in f.iterrows():
            d = decimals_for(r["std_error"])
            row = {"terme": r["label_fr"], "coefficient": fmt_number(r["estimate"], d),
                   "erreur type": fmt_number(r["std_error"], d),
                   f"IC {pct} %": f"[{fmt_number(r['ci_lower'], d)} ; {fmt_number(r['ci_upper'], d)}]",
                   "p-valeur": fmt_pvalue(r["pvalue"])}
            if self.wild is not None:
                ok = np.isfinite(r["wild_ci_lower"])
                row[f"IC {pct} % (bootstrap sauvage)"] = (
                    f"[{fmt_number(r['wild_ci_lower'], d)} ; {fmt_number(r['wild_ci_upper'], d)}]" if ok else "—")
                row["p (bootstrap sauvage)"] = fmt_pvalue(r["wild_pvalue"]) if ok else "—"
            rows.append(row)
        return pd.DataFrame(rows)

    def summary_frame(self) -> pd.DataFrame:
        return self.table_display()

    def summary(self, level: float = 0.95) -> str:
        """French text summary (title, sample sizes, demo mark, table, questions, notes)."""
        head = self.title_fr or f"{self.estimator} — {self.outcome}"
        se_txt = {
            "clustered": f"erreurs types groupées par SIAE ({self.n_clusters} groupes)",
            "robust": "erreurs types robustes (HC1)",
            "unadjusted": "erreurs types classiques",
            "influence": f"erreurs types par fonction d'influence, groupées par SIAE ({self.n_clusters} unités)",
        }.get(self.cov_type, self.cov_type)
        lines = [head, f"Variable expliquée : {self.outcome} · N = {self.nobs} observations, "
                 f"{self.n_units} unités, {self.n_periods} périodes · {se_txt}"]
        if self.provenance.is_demo:
            lines.append("⚠ " + self.provenance.mark_fr)
        with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60):
            lines.append(self.table_display(level).to_string(index=False))
        for term, q in self.questions.items():
            if term in self.params.index and q:
                lines.append(f"· {self.labels.get(term, term)} : {q}")
        lines.extend(f"Note : {n}" for n in self.notes)
        return "\n".join(lines)


def compare(results: dict[str, ImpactResult] | Sequence[ImpactResult], terms: Sequence[str] | None = None,
            level: float = 0.95, digits: int | None = None) -> pd.DataFrame:
    """Side-by-side table: first column "terme", then one column per result with "coef (se) [CI]" in
    French format ("20\u202f248 (3\u202f965) [12\u202f399 ; 28\u202f097]"). ``digits=None`` rounds each cell
    to two significant digits of its standard error; an integer fixes the number of decimals."""
    if not isinstance(results, dict):
        results = {f"{r.estimator} ({r.outcome})": r for r in results}
    cols = {}
    for name, res in results.items():
        ci = res.conf_int(level)
        se = res.std_errors
        col = {}
        for t in res.params.index:
            if terms is not None and t not in terms:
                continue
            d = decimals_for(se[t]) if digits is None else int(digits)
            col[res.labels.get(t, t)] = (f"{fmt_number(res.params[t], d)} ({fmt_number(se[t], d)}) "
                                         f"[{fmt_number(ci.loc[t, 'lower'], d)} ; {fmt_number(ci.loc[t, 'upper'], d)}]")
        col["N"] = fmt_number(res.nobs, 0)
        cols[name] = pd.Series(col)
    out = pd.DataFrame(cols).fillna("")
    out = out.loc[[i for i in out.index if i != "N"] + ["N"]]
    return out.rename_axis("terme").reset_index()


def make_result(estimator: str, outcome: str, names: Sequence[str], params: np.ndarray, cov: np.ndarray,
                **kwargs: Any) -> ImpactResult:
    """Build an :class:`ImpactResult` from arrays (internal helper)."""
    names = list(names)
    return ImpactResult(
        estimator=estimator, outcome=outcome,
        params=pd.Series(np.asarray(params, dtype=float), index=names, name="estimate"),
        cov=pd.DataFrame(np.asarray(cov, dtype=float), index=names, columns=names), **kwargs,
    )
