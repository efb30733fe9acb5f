"""Result objects of the impact estimators (statsmodels/linearmodels style).

:class:`ImpactResult` holds the coefficients, their covariance (clustered by
SIAE unless stated), the number of observations/units/clusters, and the French
labels of the terms and of the question each coefficient answers. It offers
read-only ``params``, ``std_errors``, ``tstats``, ``pvalues``,
``conf_int(level)``, ``nobs``, a French ``summary()`` (also its ``repr`` and
HTML form) and a tidy ``to_frame()``. :func:`compare` lines results up side by
side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..provenance import DEMO_LABEL

__all__ = ["ImpactResult", "compare", "fmt_fr", "fmt_pvalue", "decimals_for"]


def fmt_fr(x: float | None, digits: int = 1, signed: bool = False) -> str:
    """French number format: decimal comma, narrow no-break space (U+202F) between thousands,
    minus sign U+2212 ("—" for missing): ``fmt_fr(20247.9, 0) == "20\u202f248"``, ``fmt_fr(1.846, 2) == "1,85"``.

    Very small numbers that would round to zero with ``digits`` decimals but are not zero are
    written in scientific form (``"−1,7 × 10⁻⁸"``).
    """
    if x is None or not np.isfinite(float(x)):
        return "—"
    x = float(x)
    if x != 0 and round(abs(x), digits) == 0 and abs(x) < 1e-4:
        exp = int(np.floor(np.log10(abs(x))))
        mant = x / 10 ** exp
        sup = str(exp).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
        return f"{fmt_fr(mant, 1, signed)} × 10{sup}"
    s = f"{x:+,.{digits}f}" if signed else f"{x:,.{digits}f}"
    s = s.replace(",", "\u202f").replace(".", ",")
    if s.lstrip("+-").strip("0,\u202f") == "":  # "-0,00" -> "0,00"
        s = s.lstrip("+-")
    return s.replace("-", "\u2212")


def fmt_pvalue(p: float | None) -> str:
    """p-value in French: three decimals, "< 0,001" below."""
    if p is None or not np.isfinite(float(p)):
        return "—"
    return "< 0,001" if p < 0.001 else fmt_fr(p, 3)


def decimals_for(se: float, significant: int = 2, max_decimals: int = 6) -> int:
    """Decimals that show ``significant`` significant digits of a standard error (0 for SE >= 10)."""
    if se is None or not np.isfinite(se) or se <= 0:
        return 2
    return int(min(max(0, significant - 1 - int(np.floor(np.log10(se)))), max_decimals))


@dataclass(frozen=True)
class ImpactResult:
    """Coefficients of one estimator with clustered standard errors and French labels.

    ``df_dist`` is the degrees of freedom of the t distribution used for
    p-values and intervals (None = standard normal).
    """

    estimator: str
    outcome: str
    params: pd.Series
    cov: pd.DataFrame
    nobs: int
    n_units: int
    n_periods: int
    n_clusters: int
    df_dist: int | None = None
    cov_type: str = "clustered"
    labels: dict = field(default_factory=dict)
    questions: dict = field(default_factory=dict)
    notes: tuple = ()
    data_kind: str = "real"
    extra: dict = field(default_factory=dict)
    title_fr: str = ""
    term_df: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ stats
    @property
    def std_errors(self) -> pd.Series:
        """Standard errors (square roots of the covariance diagonal)."""
        return pd.Series(np.sqrt(np.maximum(np.diag(self.cov.to_numpy()), 0.0)), index=self.params.index, name="std_error")

    @property
    def tstats(self) -> pd.Series:
        """Coefficient / standard error."""
        return (self.params / self.std_errors).rename("tstat")

    def _dfs(self) -> list:
        """Degrees of freedom of each term (``term_df`` overrides ``df_dist``; None = normal)."""
        return [self.term_df.get(t, self.df_dist) for t in self.params.index]

    def _crit(self, level: float) -> np.ndarray:
        q = 0.5 + level / 2
        return np.array([stats.norm.ppf(q) if d is None else stats.t.ppf(q, d) for d in self._dfs()])

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values (t with ``df_dist`` degrees of freedom, or normal)."""
        t = np.abs(self.tstats.to_numpy())
        p = np.array([2 * (stats.norm.sf(v) if d is None else stats.t.sf(v, d)) for v, d in zip(t, self._dfs())])
        return pd.Series(p, index=self.params.index, name="pvalue")

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals with columns ``lower`` and ``upper``."""
        c = self._crit(level)
        se = self.std_errors
        return pd.DataFrame({"lower": self.params - c * se, "upper": self.params + c * se})

    def wald_test(self, terms: Sequence[str]) -> dict:
        """Joint test that ``terms`` are all zero: F = W/q with (q, df_dist) df (chi² if normal)."""
        terms = list(terms)
        b = self.params[terms].to_numpy()
        v = self.cov.loc[terms, terms].to_numpy()
        w = float(b @ np.linalg.pinv(v) @ b)
        q = len(terms)
        if self.df_dist is None:
            return {"stat": w, "df": q, "pvalue": float(stats.chi2.sf(w, q)), "test": "chi2"}
        f = w / q
        return {"stat": f, "df": (q, self.df_dist), "pvalue": float(stats.f.sf(f, q, self.df_dist)), "test": "F"}

    # ----------------------------------------------------------------- output
    def to_frame(self, level: float = 0.95) -> pd.DataFrame:
        """Tidy table: term, estimate, std_error, ci_lower, ci_upper, pvalue, label_fr, question_fr."""
        ci = self.conf_int(level)
        return pd.DataFrame(
            {
                "term": self.params.index,
                "estimate": self.params.to_numpy(),
                "std_error": self.std_errors.to_numpy(),
                "ci_lower": ci["lower"].to_numpy(),
                "ci_upper": ci["upper"].to_numpy(),
                "pvalue": self.pvalues.to_numpy(),
                "label_fr": [self.labels.get(t, t) for t in self.params.index],
                "question_fr": [self.questions.get(t, "") for t in self.params.index],
            }
        )

    def table_fr(self, level: float = 0.95, digits: int = 3) -> pd.DataFrame:
        """Reader-facing French table (rounded), indexed by the French term labels."""
        f = self.to_frame(level)
        out = pd.DataFrame(
            {
                "coefficient": f["estimate"],
                "erreur type": f["std_error"],
                f"IC {int(level * 100)} % bas": f["ci_lower"],
                f"IC {int(level * 100)} % haut": f["ci_upper"],
                "p-valeur": f["pvalue"],
            }
        ).round(digits)
        out.index = pd.Index(f["label_fr"], name="terme")
        return out

    def table_display(self, level: float = 0.95) -> pd.DataFrame:
        """Reader-facing French table of strings: each row rounded to two significant digits of its
        standard error (decimal comma, thin-space thousands), p-values to three decimals."""
        f = self.to_frame(level)
        pct = int(level * 100)
        rows = []
        for _, r in f.iterrows():
            d = decimals_for(r["std_error"])
            rows.append({"coefficient": fmt_fr(r["estimate"], d), "erreur type": fmt_fr(r["std_error"], d),
                         f"IC {pct} % bas": fmt_fr(r["ci_lower"], d), f"IC {pct} % haut": fmt_fr(r["ci_upper"], d),
                         "p-valeur": fmt_pvalue(r["pvalue"])})
        return pd.DataFrame(rows, index=pd.Index(f["label_fr"].to_list(), name="terme"))

    def summary(self, level: float = 0.95, digits: int = 3) -> str:
        """French text summary (title, sample sizes, table, notes)."""
        head = self.title_fr or f"{self.estimator} — {self.outcome}"
        se_txt = {
            "clustered": f"erreurs types groupées par SIAE ({self.n_clusters} groupes)",
            "robust": "erreurs types robustes (HC1)",
            "unadjusted": "erreurs types classiques",
            "influence": f"erreurs types par fonction d'influence, groupées par SIAE ({self.n_clusters} unités)",
        }.get(self.cov_type, self.cov_type)
        lines = [head, f"Variable expliquée : {self.outcome} · N = {self.nobs} observations, "
                 f"{self.n_units} unités, {self.n_periods} périodes · {se_txt}"]
        if self.data_kind == "demo":
            lines.append("⚠ " + DEMO_LABEL)
        with pd.option_context("display.width", 160, "display.max_columns", 20):
            lines.append(self.table_fr(level, digits).to_string())
        for term, q in self.questions.items():
            if term in self.params.index and q:
                lines.append(f"· {self.labels.get(term, term)} : {q}")
        lines.extend(f"Note : {n}" for n in self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = self.title_fr or f"{self.estimator} — {self.outcome}"
        cap = f"<p><b>{head}</b><br>N = {self.nobs}, {self.n_units} unités, {self.n_periods} périodes</p>"
        if self.data_kind == "demo":
            cap += f'<p style="color:#b00020"><b>⚠ {DEMO_LABEL}</b></p>'
        return cap + self.table_fr().to_html()


def compare(results: dict[str, ImpactResult] | Sequence[ImpactResult], terms: Sequence[str] | None = None,
            level: float = 0.95, digits: int | None = None) -> pd.DataFrame:
    """Side-by-side table: one column per result, "coef (se) [CI]" for each term, in French format
    ("20\u202f248 (3\u202f965) [12\u202f399 ; 28\u202f097]"). ``digits=None`` rounds each cell to two
    significant digits of its standard error; an integer fixes the number of decimals."""
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
            lab = res.labels.get(t, t)
            d = decimals_for(se[t]) if digits is None else int(digits)
            col[lab] = (f"{fmt_fr(res.params[t], d)} ({fmt_fr(se[t], d)}) "
                        f"[{fmt_fr(ci.loc[t, 'lower'], d)} ; {fmt_fr(ci.loc[t, 'upper'], d)}]")
        col["N"] = fmt_fr(res.nobs, 0)
        cols[name] = pd.Series(col)
    out = pd.DataFrame(cols).fillna("")
    # "N" last, whatever the order in which the terms appeared
    return out.loc[[i for i in out.index if i != "N"] + ["N"]]


def make_result(estimator: str, outcome: str, names: Sequence[str], params: np.ndarray, cov: np.ndarray,
                **kwargs: Any) -> ImpactResult:
    """Build an :class:`ImpactResult` from arrays (internal helper)."""
    names = list(names)
    return ImpactResult(
        estimator=estimator,
        outcome=outcome,
        params=pd.Series(np.asarray(params, dtype=float), index=names, name="estimate"),
        cov=pd.DataFrame(np.asarray(cov, dtype=float), index=names, columns=names),
        **kwargs,
    )
