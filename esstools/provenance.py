"""Provenance as a value: where data come from and whether they are real or synthetic.

A :class:`Provenance` says what a dataset, a table or a result rests on: its ``kind``
(``"real"``, ``"demo"`` — synthetic demonstration data — or ``"mixed"``) and its
``sources`` (human-readable descriptions, French). It is carried **explicitly** from
the data access (:mod:`esstools.sources`) to the estimators, the result objects, the
JSON headlines (:mod:`esstools.results`) and the report index: there is no default
that could turn demo data into real data. Provenances are combined with
:func:`combine` (real + demo = mixed).

``DEMO_LABEL`` is the exact French mark required on every table, chart and printed
line built on synthetic demonstration data; :func:`mark_figure` stamps charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal, Mapping, Union

DEMO_LABEL = "données de démonstration — synthétiques"
REAL_LABEL = "données réelles"
MIXED_LABEL = "données réelles et " + DEMO_LABEL

DataKind = Literal["real", "demo", "mixed"]
KINDS: tuple[str, ...] = ("real", "demo", "mixed")


@dataclass(frozen=True)
class Provenance:
    """What data rest on: ``kind`` (real / demo / mixed) and their ``sources`` (French descriptions).

    >>> Provenance.demo("Panel synthétique esstools").is_demo
    True
    >>> combine(Provenance.real("SIRENE"), Provenance.demo("synth")).kind
    'mixed'
    """

    kind: DataKind
    sources: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown data kind {self.kind!r}; expected one of {', '.join(KINDS)}.")
        if isinstance(self.sources, str):
            object.__setattr__(self, "sources", (self.sources,))
        object.__setattr__(self, "sources", tuple(dict.fromkeys(str(s) for s in self.sources if s)))

    @classmethod
    def real(cls, *sources: str) -> "Provenance":
        return cls("real", sources)

    @classmethod
    def demo(cls, *sources: str) -> "Provenance":
        return cls("demo", sources)

    @property
    def is_demo(self) -> bool:
        """True when any part rests on synthetic data (demo or mixed): outputs must carry the mark."""
        return self.kind != "real"

    @property
    def label_fr(self) -> str:
        """French label of the kind ("données réelles", the demo mark, or both)."""
        return {"real": REAL_LABEL, "demo": DEMO_LABEL, "mixed": MIXED_LABEL}[self.kind]

    @property
    def mark_fr(self) -> str:
        """The mark to print beside a number ("" for real data)."""
        if self.kind == "demo":
            return DEMO_LABEL
        if self.kind == "mixed":
            return "en partie " + DEMO_LABEL
        return ""

    @property
    def source_fr(self) -> str:
        """Sources joined for a source line."""
        return " ; ".join(self.sources)

    def with_source(self, *sources: str) -> "Provenance":
        """Same kind, more sources."""
        return Provenance(self.kind, self.sources + tuple(sources))

    def to_dict(self) -> dict:
        return {"data_kind": self.kind, "sources": list(self.sources)}

    @classmethod
    def from_dict(cls, data: Mapping) -> "Provenance":
        """Inverse of :meth:`to_dict`; a missing or unknown kind is an error, never "real"."""
        kind = data.get("data_kind")
        if kind not in KINDS:
            raise ValueError(f"Results carry no valid 'data_kind' (got {kind!r}); expected one of {', '.join(KINDS)}.")
        sources = data.get("sources")
        if sources is None:
            sources = [data["source"]] if data.get("source") else []
        return cls(kind, tuple(sources))

    def __str__(self) -> str:
        return self.label_fr + (f" — {self.source_fr}" if self.sources else "")


ProvenanceLike = Union[Provenance, str]


def as_provenance(value: ProvenanceLike) -> Provenance:
    """A Provenance from a Provenance or a kind string ("real"/"demo"/"mixed"); anything else is an error."""
    if isinstance(value, Provenance):
        return value
    if isinstance(value, str) and value in KINDS:
        return Provenance(value)  # type: ignore[arg-type]
    raise TypeError(
        f"Expected a Provenance (or 'real'/'demo'/'mixed'), got {value!r}: say where the data come from, "
        "e.g. Provenance.real('export URSSAF 2024') or Provenance.demo('série synthétique')."
    )


def combine(*items: ProvenanceLike | Iterable[ProvenanceLike]) -> Provenance:
    """Combine provenances: all real → real, all demo → demo, otherwise mixed; sources are merged in order."""
    flat: list[Provenance] = []
    for item in items:
        if isinstance(item, (Provenance, str)):
            flat.append(as_provenance(item))
        else:
            flat.extend(as_provenance(i) for i in item)
    if not flat:
        raise ValueError("combine() needs at least one provenance.")
    kinds = {p.kind for p in flat}
    kind = kinds.pop() if len(kinds) == 1 else "mixed"
    return Provenance(kind, tuple(s for p in flat for s in p.sources))


def label_for(kind: ProvenanceLike) -> str:
    """French label of a data kind or provenance."""
    return as_provenance(kind).label_fr


def mark_axes(ax, provenance: ProvenanceLike) -> None:
    """Stamp a matplotlib Axes with the demo mark (no-op for real data).

    The mark is written in red across the top of the plotting area so it survives
    cropping and export; mixed provenance gets "en partie …".
    """
    prov = as_provenance(provenance)
    if not prov.is_demo:
        return
    ax.text(
        0.5, 0.98, prov.mark_fr.upper(), transform=ax.transAxes, ha="center", va="top", fontsize=9,
        color="#b00020", alpha=0.85, fontweight="bold",
        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="#b00020", alpha=0.7), zorder=10,
    )


def mark_figure(fig, provenance: ProvenanceLike) -> None:
    """Stamp every Axes of a matplotlib Figure (no-op for real data)."""
    prov = as_provenance(provenance)
    if not prov.is_demo:
        return
    for ax in fig.axes:
        mark_axes(ax, prov)


def style_table(df, kind: ProvenanceLike, source: str | None = None, precision: int = 1):
    """Legacy Styler (index kept, pandas' own uuid): use :func:`esstools.display.styled_table` in new code."""
    prov = as_provenance(kind)
    caption = ("⚠ " + prov.mark_fr) if prov.is_demo else ""
    if source:
        caption = (caption + " · " if caption else "") + f"Source : {source}"
    styler = df.style.format(precision=precision, thousands="\u202f", decimal=",", na_rep="—")
    if caption:
        styler = styler.set_caption(caption).set_table_styles(
            [{"selector": "caption", "props": "caption-side: bottom; font-size: 0.85em; color: "
              + ("#b00020;" if prov.is_demo else "#555;")}]
        )
    return styler
