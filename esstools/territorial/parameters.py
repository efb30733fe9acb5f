"""Parameters of the territorial comparison, validated before any work (:func:`check_parameters`).

Any département of the COG vintage (101 in 2026, Corsica 2A/2B, the five overseas départements
971-976). Levels: ``auto`` (EPT in 92/93/94, arrondissements municipaux in Paris, EPCI elsewhere),
``ept``, ``epci``, ``arrondissement`` (Paris, Lyon and Marseille split into their
arrondissements municipaux, the other communes unchanged), ``commune``, ``departement``.
References: ``region`` (the département's own region), ``france``, ``peers`` (a peer group of
départements chosen by :data:`PEER_RULE_FR`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ParameterError, check_choice

LEVELS = ("auto", "ept", "epci", "arrondissement", "commune", "departement")
REFERENCES = ("region", "france", "peers")
#: Legacy spellings of the references (``"FR"``; a region code = the département's own region).
REFERENCE_ALIASES = {"FR": "france", "fr": "france", "region": "region", "france": "france", "peers": "peers"}
LEVEL_LABELS = {"ept": "EPT", "epci": "EPCI", "arrondissement": "commune ou arrondissement",
                "commune": "commune", "departement": "département"}
#: Table headers of the unit column for each level.
LEVEL_HEADERS = {"ept": "EPT", "epci": "EPCI", "arrondissement": "Commune ou arrondissement",
                 "commune": "Commune", "departement": "Département"}
#: Départements whose chief town is split into arrondissements municipaux (Paris, Lyon, Marseille).
PLM_DEPARTEMENTS = ("75", "69", "13")
N_PEERS = 5
#: Population threshold of the urbanisation proxy used by the peer rule (inhabitants).
URBAN_THRESHOLD = 10_000
PEER_RULE_FR = (
    f"Règle des départements pairs : les {N_PEERS} départements les plus proches du département étudié "
    "selon deux critères centrés-réduits sur les 101 départements — le logarithme de la population municipale "
    f"et la part de la population vivant dans une commune de plus de {URBAN_THRESHOLD // 1000}\u202f000 habitants "
    "(indicateur d'urbanisation, à défaut de superficie dans le référentiel) — distance euclidienne."
)


@dataclass(frozen=True)
class Parameters:
    """Validated parameters (field names kept from the first version of the notebook)."""

    departement: str
    level: str
    reference: str
    year: int
    source: str
    cog: int
    data_kind: str  # "demo" or "real"
    departement_name: str
    region: str
    etab_path: str | None = None
    ul_path: str | None = None
    region_name: str = ""
    requested_level: str = "auto"
    peers: tuple[str, ...] = field(default=())
    contours: str | None = None
    missing: tuple = field(default=())  # esstools.sources.fetched.Missing items (source="fetched")

    @property
    def reference_code(self) -> str:
        """Code of the reference territory: the region code, ``"FR"`` or ``"pairs"``."""
        return {"region": self.region, "france": "FR"}.get(self.reference, "pairs")

    @property
    def reference_label(self) -> str:
        """French name of the reference: the region's name, "France", "départements pairs"."""
        return {"region": self.region_name, "france": "France"}.get(self.reference, "départements pairs")

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


def default_level(departement: str, cog: int) -> str:
    """``auto`` level: EPT where the département has EPT, arrondissements for Paris, else EPCI."""
    from .. import territory

    if departement == "75":
        return "arrondissement"
    com = territory.communes(cog, departement)
    return "ept" if com["ept"].notna().any() else "epci"


def peer_departements(departement: str, cog: int, n: int = N_PEERS) -> tuple[str, ...]:
    """The ``n`` départements nearest to ``departement`` by :data:`PEER_RULE_FR` (closest first)."""
    from .. import territory

    com = territory.communes(cog)
    pop = com.groupby("departement")["population"].sum().astype("float64")
    urban = com[com["population"] >= URBAN_THRESHOLD].groupby("departement")["population"].sum()
    share = (urban.reindex(pop.index).fillna(0.0) / pop).astype("float64")
    x = np.column_stack([np.log(pop.to_numpy()), share.to_numpy()])
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    codes = list(pop.index)
    i = codes.index(departement)
    dist = np.sqrt(((z - z[i]) ** 2).sum(axis=1))
    order = [codes[j] for j in np.lexsort((np.arange(len(codes)), dist)) if codes[j] != departement]
    return tuple(order[:n])


def check_parameters(departement="93", level="auto", reference="region", year=2024, source="demo",
                     cog: int = 2026, contours=None) -> Parameters:
    """Validate the notebook parameters before any work; return them normalised.

    ``departement``: a département code of COG ``cog``; ``level``: one of :data:`LEVELS`;
    ``reference``: one of :data:`REFERENCES` (``"FR"`` and the département's own region code are
    accepted); ``source``: ``"demo"``, ``"fetched"`` (the SIRENE stock files of the ``esstools fetch``
    cache; absent ones are listed in ``missing``, never replaced by the demo) or a directory / pair of
    paths ``"<etab>;<ul>"`` of real SIRENE stock files; ``contours``: None, a GeoJSON file or a directory
    of contour files (with ``"fetched"`` and no ``contours``: the cached commune and département outlines).
    Raises :class:`ParameterError` with the allowed values.
    """
    from .. import territory

    dep = str(departement).strip()
    if dep.isdigit() and len(dep) == 1:  # 1 (an integer from papermill -p) -> "01"
        dep = dep.zfill(2)
    deps = territory.departements(cog)
    if dep not in set(deps["code"]):
        raise ParameterError(
            f"Unknown département {departement!r} (COG {cog}); expected a code such as '92', '93', '2A' or '974'."
        )
    check_choice("level", level, LEVELS)
    row = deps.set_index("code").loc[dep]
    region = str(row["parent"])
    ref = REFERENCE_ALIASES.get(str(reference), "region" if str(reference) == region else None)
    if ref is None:
        raise ParameterError(
            f"Invalid value {reference!r} for 'reference'; allowed values are: 'region' (the département's own "
            f"region, here {region}), 'france' (or 'FR'), 'peers'."
        )
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"Invalid value {year!r} for 'year'; expected a year such as 2024.") from exc
    if not 2000 <= year <= 2030:
        raise ParameterError(f"Invalid value {year!r} for 'year'; expected a year between 2000 and 2030.")
    com = territory.communes(cog, dep)
    resolved = default_level(dep, cog) if level == "auto" else level
    if resolved == "ept" and com["ept"].isna().all():
        raise ParameterError(
            f"Level 'ept' is not available for département {dep!r} ({row['name']}): it has no établissement "
            "public territorial (only 92, 93 and 94 do); use level='auto', 'epci', 'commune' or 'departement'."
        )
    if resolved == "arrondissement" and dep not in PLM_DEPARTEMENTS:
        raise ParameterError(
            f"Level 'arrondissement' is only available for Paris (75), the Rhône (69, Lyon) and the "
            f"Bouches-du-Rhône (13, Marseille), not for {dep!r}; use level='auto', 'epci' or 'commune'."
        )
    etab_path = ul_path = None
    missing: tuple = ()
    if source == "demo":
        kind = "demo"
    elif source == "fetched":
        from ..sources import sirene as sirene_source

        kind = "real"
        found = sirene_source.fetched_paths()
        missing = sirene_source.missing_files(*found)
        etab_path, ul_path = (None, None) if missing else (str(found[0]), str(found[1]))
        if contours in (None, ""):
            contours = fetched_contours()
    else:
        kind = "real"
        etab_path, ul_path = _resolve_source(str(source))
    regions = territory.regions(cog).set_index("code")["name"]
    peers = peer_departements(dep, cog) if ref == "peers" else ()
    return Parameters(dep, resolved, ref, year, str(source), int(cog), kind, str(row["name"]), region,
                      etab_path, ul_path, region_name=str(regions[region]), requested_level=str(level),
                      peers=peers, contours=None if contours in (None, "") else str(contours), missing=missing)


def fetched_contours() -> str | None:
    """The cached commune and département outlines (``esstools fetch communes-geometry departements-geometry``)
    as a ``contours`` value (files joined by ";"), or None when neither is cached."""
    from ..sources import fetched

    found = [fetched.cached(name) for name in ("communes-geometry", "departements-geometry")]
    return ";".join(str(p) for p in found if p is not None) or None


def _resolve_source(source: str) -> tuple[str, str]:
    if ";" in source:
        etab, ul = (s.strip() for s in source.split(";", 1))
    else:
        d = Path(source)
        if not d.is_dir():
            raise ParameterError(
                f"Invalid value {source!r} for 'source'; expected 'demo', a directory holding the SIRENE stock "
                "files (StockEtablissement*, StockUniteLegale*) or '<establishments file>;<legal units file>'."
            )

        def find(prefix):
            hits = sorted(p for p in d.iterdir() if p.name.startswith(prefix) and "Historique" not in p.name)
            if not hits:
                raise ParameterError(f"No file starting with '{prefix}' in source directory '{d}'.")
            return str(hits[0])

        etab, ul = find("StockEtablissement"), find("StockUniteLegale")
    for p in (etab, ul):
        if not Path(p).exists():
            raise ParameterError(f"SIRENE file '{p}' given in 'source' does not exist.")
    return etab, ul
