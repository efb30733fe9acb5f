"""Normalise the time series given to the trend models (annual or quarterly).

Accepted input: a :class:`pandas.Series` of strictly positive levels (employees)
indexed by integer years (annual), by a :class:`pandas.PeriodIndex` of annual or
quarterly periods, by a :class:`pandas.DatetimeIndex` (annual or quarterly
spacing) or by labels such as ``"2021Q3"`` / ``"2021-T3"``. Models work on the
logarithm of the levels, with time measured in decimal years (``2021.5`` =
2021 Q3), so that slopes are annual log-growth rates whatever the frequency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError, SchemaError

FREQUENCIES = ("A", "Q")
_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[QT](\d)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SeriesData:
    """A validated, regularly spaced series of positive levels."""

    values: np.ndarray  # levels (float), strictly positive
    time: np.ndarray  # decimal years, e.g. 2013.0 or 2013.25
    freq: str  # "A" or "Q"
    name: str

    @property
    def nobs(self) -> int:
        return len(self.values)

    @property
    def periods_per_year(self) -> int:
        return 1 if self.freq == "A" else 4

    @property
    def log_values(self) -> np.ndarray:
        return np.log(self.values)

    @property
    def labels(self) -> list:
        return [period_label(t, self.freq) for t in self.time]

    @property
    def index(self) -> pd.Index:
        """Index used by every output series: int years (A) or quarterly PeriodIndex (Q)."""
        return make_index(self.time, self.freq)

    def to_series(self) -> pd.Series:
        return pd.Series(self.values, index=self.index, name=self.name)

    def head(self, n: int) -> "SeriesData":
        """The first ``n`` observations (used by rolling-origin backtests)."""
        return SeriesData(self.values[:n].copy(), self.time[:n].copy(), self.freq, self.name)

    def future_time(self, steps: int) -> np.ndarray:
        step = 1.0 / self.periods_per_year
        return self.time[-1] + step * np.arange(1, steps + 1)

    def steps_to(self, until) -> int:
        """Number of periods from the last observation to ``until`` (a year -> its last period)."""
        target = _parse_until(until, self.freq)
        steps = int(round((target - self.time[-1]) * self.periods_per_year))
        if steps < 1:
            raise ParameterError(
                f"Forecast horizon {until!r} is not after the last observation of series "
                f"'{self.name}' ({period_label(self.time[-1], self.freq)}); choose a later period."
            )
        return steps


def period_label(t: float, freq: str) -> str:
    """Display label of a decimal-year time point: '2021' or '2021T3' (French quarter)."""
    if freq == "A":
        return str(int(round(t)))
    year = int(np.floor(t + 1e-9))
    quarter = int(round((t - year) * 4)) + 1
    return f"{year}T{quarter}"


def make_index(time: np.ndarray, freq: str) -> pd.Index:
    if freq == "A":
        return pd.Index([int(round(t)) for t in time], name="year")
    years = np.floor(np.asarray(time) + 1e-9).astype(int)
    quarters = np.rint((np.asarray(time) - years) * 4).astype(int) + 1
    return pd.PeriodIndex([pd.Period(year=int(y), quarter=int(q), freq="Q") for y, q in zip(years, quarters)],
                          name="period")


def _parse_until(until, freq: str) -> float:
    if isinstance(until, (int, np.integer)):
        return float(until) + (0.75 if freq == "Q" else 0.0)
    if isinstance(until, pd.Period):
        return float(until.year) + ((until.quarter - 1) / 4 if freq == "Q" else 0.0)
    if isinstance(until, str):
        m = _QUARTER_RE.match(until)
        if m and freq == "Q":
            return int(m.group(1)) + (int(m.group(2)) - 1) / 4
        if until.strip().isdigit():
            return _parse_until(int(until), freq)
    raise ParameterError(
        f"Invalid forecast horizon {until!r}; expected a year (e.g. 2028) or, for quarterly series, "
        f"a quarter such as '2028Q4'."
    )


def _time_from_index(index: pd.Index, name: str) -> tuple[np.ndarray, str]:
    if isinstance(index, pd.PeriodIndex):
        freqstr = index.freqstr.upper()
        if freqstr.startswith("Q"):
            return np.array([p.year + (p.quarter - 1) / 4 for p in index], dtype=float), "Q"
        if freqstr.startswith(("A", "Y")):
            return np.array([p.year for p in index], dtype=float), "A"
        raise ParameterError(
            f"Series '{name}' has periods of frequency {index.freqstr!r}; expected annual or quarterly periods."
        )
    if isinstance(index, pd.DatetimeIndex):
        months = np.asarray(index.month)
        years = np.asarray(index.year, dtype=float)
        if len(set(months.tolist())) == 1 and (len(index) < 2 or np.all(np.diff(years) >= 1)):
            return years, "A"
        return years + ((months - 1) // 3) / 4, "Q"
    if pd.api.types.is_integer_dtype(index) or pd.api.types.is_float_dtype(index):
        vals = np.asarray(index, dtype=float)
        if not np.all(np.isfinite(vals)) or np.any(vals != np.round(vals)):
            raise ParameterError(f"Series '{name}' has non-integer years in its index; expected integer years.")
        return vals, "A"
    labels = [str(x).strip() for x in index]
    if labels and all(lab.isdigit() for lab in labels):
        return np.array([float(lab) for lab in labels]), "A"
    out = []
    for lab in labels:
        m = _QUARTER_RE.match(lab)
        if not (m and 1 <= int(m.group(2)) <= 4):
            _bad_labels([lab], name)
        out.append(int(m.group(1)) + (int(m.group(2)) - 1) / 4)
    return np.array(out, dtype=float), "Q"


def _bad_labels(labels, name):
    raise ParameterError(
        f"Series '{name}' has index label(s) {labels[:5]!r} that are neither years nor quarters; "
        f"expected integer years (2013) or quarters ('2013Q1', '2013-T1')."
    )


def as_series_data(series, name: str | None = None, min_obs: int = 5) -> SeriesData:
    """Validate ``series`` and return a :class:`SeriesData` (sorted by time).

    Raises :class:`~esstools.errors.ParameterError` for an unusable index or too
    few observations, and :class:`~esstools.errors.SchemaError` naming the
    period and value for missing, non-positive or duplicated observations.
    """
    if isinstance(series, SeriesData):
        data = series
    else:
        if not isinstance(series, pd.Series):
            raise ParameterError(
                f"Expected a pandas Series of employment levels indexed by year or quarter; got "
                f"{type(series).__name__}."
            )
        label = name or (str(series.name) if series.name is not None else "série")
        time, freq = _time_from_index(series.index, label)
        values = pd.to_numeric(pd.Series(np.asarray(series, dtype=object)), errors="coerce").to_numpy(dtype=float)
        order = np.argsort(time, kind="stable")
        time, values = time[order], values[order]
        labels = [period_label(t, freq) for t in time]
        dup = [lab for i, lab in enumerate(labels) if i and abs(time[i] - time[i - 1]) < 1e-9]
        if dup:
            raise SchemaError(
                f"Series '{label}' has duplicated period(s) {', '.join(dup[:5])}; expected one value per period.",
                column=label, values=dup,
            )
        bad = [i for i, v in enumerate(values) if not np.isfinite(v) or v <= 0]
        if bad:
            raise SchemaError(
                f"Series '{label}': missing or non-positive value(s) at period(s) "
                + ", ".join(f"{labels[i]} ({_show(series.iloc[order[i]])})" for i in bad[:5])
                + "; expected strictly positive levels (the trend models work on logarithms).",
                column=label, values=[labels[i] for i in bad],
            )
        data = SeriesData(values, time, freq, label)
    if data.nobs < min_obs:
        raise ParameterError(
            f"Series '{data.name}' has {data.nobs} observation(s); this model needs at least {min_obs}."
        )
    steps = np.diff(data.time) * data.periods_per_year
    gaps = np.where(np.abs(steps - 1) > 1e-6)[0]
    if len(gaps):
        where = ", ".join(f"{data.labels[i]}→{data.labels[i + 1]}" for i in gaps[:5])
        raise SchemaError(
            f"Series '{data.name}' is not regularly spaced (gap(s) {where}); expected consecutive "
            f"{'years' if data.freq == 'A' else 'quarters'} without missing periods.",
            column=data.name, values=[data.labels[i + 1] for i in gaps],
        )
    return data


def _show(value) -> str:
    """Plain repr of a cell value for messages (no numpy type names)."""
    if hasattr(value, "item"):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    return repr(value)
