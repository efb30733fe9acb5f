"""The Seine-Saint-Denis ESS roadmap 2024-2028 as data, and its indicators.

Source: Département de la Seine-Saint-Denis, *Une économie sociale et solidaire
forte pour construire un territoire résilient — Feuille de route 2024-2028*
(3 enjeux, 13 objectifs stratégiques, 44 actions in its synthesis tables), and
the Département's ESS page on the RTES site (updated 16/09/2025).

- :func:`load_roadmap` reads ``data/roadmap/roadmap.yml`` into a :class:`Roadmap`
  (a tree of :class:`Challenge` → :class:`Objective` → :class:`Action`, plus flat
  DataFrames ``challenges``, ``objectives``, ``actions`` and ``nodes``).
- :func:`load_indicators` reads ``data/roadmap/indicators.csv`` (plus any
  evaluator files given in ``extra_paths``) and validates every row, raising
  :class:`esstools.errors.SchemaError` naming the file, row, column and value.

Identifiers: ``E1`` (challenge 1), ``E1.O2`` (objective 2 of challenge 1),
``E1.O2.A4`` (action 4 of that objective); ``FDR`` is the root node used for
territorial context figures that evidence no single objective.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
import yaml

from . import paths
from .errors import InputFileError, SchemaError

__all__ = [
    "ALLOWED_UNITS",
    "INDICATOR_COLUMNS",
    "KINDS",
    "QUALIFIERS",
    "SOURCE_DOCUMENTS",
    "TARGET_DIRECTIONS",
    "UNIT_LABELS_FR",
    "YEAR_RANGE",
    "Action",
    "Challenge",
    "Objective",
    "Roadmap",
    "default_indicators_path",
    "default_roadmap_path",
    "load_indicators",
    "load_roadmap",
    "normalise_quote",
    "iter_seed_checks",
    "seed_path",
    "source_title_fr",
    "unit_label_fr",
]

#: Columns of ``indicators.csv`` (and of the evaluator template), in order.
INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "node_id",
    "series",
    "label",
    "year",
    "value",
    "unit",
    "qualifier",
    "kind",
    "target_value",
    "target_direction",
    "source_document",
    "source_section",
    "quote",
    "note",
)
#: Columns that may be left out of a file (filled with empty values).
OPTIONAL_COLUMNS: tuple[str, ...] = ("quote", "note", "source_section")

#: Allowed units (machine codes) and their French display labels.
UNIT_LABELS_FR: dict[str, str] = {
    "EUR": "€",
    "EUR_per_month": "€ par mois",
    "hours": "heures",
    "FTE": "ETP",
    "persons": "personnes",
    "structures": "structures",
    "establishments": "établissements",
    "jobs": "emplois",
    "projects": "projets",
    "positions": "postes",
    "count": "nombre",
    "percent": "%",
    "m2": "m²",
    "ha": "ha",
    "months": "mois",
    "rank": "rang",
}
ALLOWED_UNITS: tuple[str, ...] = tuple(UNIT_LABELS_FR)

#: ``exact`` = figure stated as such; ``lower_bound`` = "plus de", "+ de";
#: ``approx`` = "près de", "une centaine", "≈".
QUALIFIERS: tuple[str, ...] = ("exact", "lower_bound", "approx")
#: ``observed`` = a measured value; ``target`` = a quantified goal (needs
#: ``target_value`` and ``>=``/``<=``); ``commitment`` = an undertaking
#: (``>=``, ``<=`` with ``target_value``, or ``stable`` with optional level).
KINDS: tuple[str, ...] = ("observed", "target", "commitment")
TARGET_DIRECTIONS: tuple[str, ...] = (">=", "<=", "stable")
YEAR_RANGE: tuple[int, int] = (2000, 2035)

#: Short keys used in the ``source_document`` column for the seed documents.
SOURCE_DOCUMENTS: dict[str, dict[str, str]] = {
    "FDR-ESS-93-2024-2028": {
        "title_fr": "Département de la Seine-Saint-Denis, « Une économie sociale et solidaire forte "
        "pour construire un territoire résilient — Feuille de route 2024-2028 »",
        "seed_file": "001_3332735f9cc53fc7.txt",
    },
    "RTES-CD93-2025": {
        "title_fr": "RTES, page « Conseil départemental de Seine-Saint-Denis » "
        "(panorama, budget et programme ESS ; mise à jour du 16/09/2025)",
        "seed_file": "000_3cb8f6133bf1055b.txt",
    },
}

_ID_CHALLENGE = re.compile(r"^E(\d+)$")
_ID_OBJECTIVE = re.compile(r"^E(\d+)\.O(\d+)$")
_ID_ACTION = re.compile(r"^E(\d+)\.O(\d+)\.A(\d+)$")
_INDICATOR_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_SERIES = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def default_roadmap_path() -> Path:
    """``data/roadmap/roadmap.yml``."""
    return paths.data_dir() / "roadmap" / "roadmap.yml"


def default_indicators_path() -> Path:
    """``data/roadmap/indicators.csv``."""
    return paths.data_dir() / "roadmap" / "indicators.csv"


def seed_path(source_document: str) -> Path | None:
    """Path of the seed text of a known ``source_document`` key (None if unknown).

    Seeds live in ``<repo parent>/shared/seeds`` (read-only, not shipped).
    """
    info = SOURCE_DOCUMENTS.get(source_document)
    if info is None:
        return None
    return Path(paths.REPO_ROOT).parent / "shared" / "seeds" / info["seed_file"]


_MARKUP = re.compile(r"</?(?:sup|sub|b|i|em|strong|p|li|ol|ul)(?:\s[^>]*)?>|\*\*|__")


def normalise_quote(text: str) -> str:
    """Normalise a passage for verbatim comparison with its source.

    Removes markdown emphasis (``**``) and simple HTML tags (``<sup>`` …) while
    keeping their content, and collapses every run of whitespace (including
    non-breaking spaces) into one space. Letters and punctuation are untouched.
    """
    return " ".join(_MARKUP.sub("", str(text)).split())


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Action:
    """One action of the roadmap (``E1.O2.A4``)."""

    id: str
    number: int
    title: str
    objective_id: str
    challenge_id: str
    detail: str | None = None
    detail_ref: str | None = None
    leads: tuple[str, ...] = ()
    leads_quote: str | None = None
    services: tuple[str, ...] = ()
    services_quote: str | None = None


@dataclass(frozen=True)
class Objective:
    """One strategic objective (``E1.O2``) and its actions."""

    id: str
    number: int
    keyword: str
    title: str
    challenge_id: str
    long_title: str | None = None
    actions: tuple[Action, ...] = ()
    services: tuple[str, ...] = ()
    services_quote: str | None = None


@dataclass(frozen=True)
class Challenge:
    """One challenge ("enjeu", ``E1``) and its objectives."""

    id: str
    number: int
    keyword: str
    title: str
    long_title: str | None = None
    site_label: str | None = None
    objectives: tuple[Objective, ...] = ()


@dataclass(frozen=True)
class Roadmap:
    """The roadmap tree plus flat tables.

    Attributes: ``tree`` (tuple of :class:`Challenge`), ``challenges``,
    ``objectives``, ``actions`` (DataFrames with ids, titles, leads and parent
    ids), ``nodes`` (every node incl. the root ``FDR``: ``node_id``, ``level``,
    ``parent_id``, ``title``), ``services`` (code → French name),
    ``document`` (metadata) and ``path``.
    """

    tree: tuple[Challenge, ...]
    root_id: str
    root_title: str
    services: dict[str, str]
    document: dict
    path: Path | None
    challenges: pd.DataFrame = field(repr=False)
    objectives: pd.DataFrame = field(repr=False)
    actions: pd.DataFrame = field(repr=False)
    nodes: pd.DataFrame = field(repr=False)

    @property
    def node_ids(self) -> set[str]:
        """Every valid node id (root, challenges, objectives, actions)."""
        return set(self.nodes["node_id"])

    def iter_actions(self) -> Iterator[Action]:
        for ch in self.tree:
            for ob in ch.objectives:
                yield from ob.actions

    def node(self, node_id: str) -> Challenge | Objective | Action | None:
        """The tree node with id ``node_id`` (None for the root or unknown ids)."""
        for ch in self.tree:
            if ch.id == node_id:
                return ch
            for ob in ch.objectives:
                if ob.id == node_id:
                    return ob
                for ac in ob.actions:
                    if ac.id == node_id:
                        return ac
        return None

    def summary_fr(self) -> str:
        """One-line French summary counted from the data."""
        return (
            f"{len(self.challenges)} enjeux, {len(self.objectives)} objectifs stratégiques, "
            f"{len(self.actions)} actions"
        )

    def __repr__(self) -> str:
        lines = [f"Roadmap({self.summary_fr()})"]
        for ch in self.tree:
            lines.append(f"  {ch.id} {ch.title}")
            for ob in ch.objectives:
                lines.append(f"    {ob.id} {ob.keyword} — {len(ob.actions)} actions")
        return "\n".join(lines)


def _yaml_error(path, message: str) -> SchemaError:
    return SchemaError(f"File '{path}': {message}", path=str(path))


def _as_tuple(value, path, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _yaml_error(path, f"{where}: '{key}' must be a list of service codes, got {value!r}.")
    return tuple(value)


def _require(d: dict, key: str, path, where: str) -> str:
    value = d.get(key) if isinstance(d, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise _yaml_error(path, f"{where}: missing or empty '{key}' (got {value!r}).")
    return value.strip()


def load_roadmap(path: str | Path | None = None) -> Roadmap:
    """Read the roadmap YAML (default ``data/roadmap/roadmap.yml``).

    Checks that ids are unique, well-formed and consistent with their position
    (the 4th action of objective ``E1.O2`` must be ``E1.O2.A4``) and that every
    service named as lead is declared; raises :class:`SchemaError` otherwise.
    """
    path = Path(path) if path is not None else default_roadmap_path()
    if not path.exists():
        raise InputFileError(f"Roadmap file '{path}' does not exist.")
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise InputFileError(f"Roadmap file '{path}' is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("challenges"), list):
        raise _yaml_error(path, "expected a mapping with a 'challenges' list at top level.")

    services = data.get("services") or {}
    if not isinstance(services, dict):
        raise _yaml_error(path, "'services' must map service codes to French names.")
    root = data.get("root") or {}
    root_id = str(root.get("id", "FDR"))
    root_title = str(root.get("title", "Feuille de route"))

    seen: set[str] = {root_id}

    def check_id(node_id: str, pattern: re.Pattern, expected: str, where: str) -> None:
        if not pattern.match(node_id) or node_id != expected:
            raise _yaml_error(
                path, f"{where}: identifier {node_id!r} is malformed or out of order; expected {expected!r}."
            )
        if node_id in seen:
            raise _yaml_error(path, f"{where}: duplicate identifier {node_id!r}.")
        seen.add(node_id)

    def check_services(codes: tuple[str, ...], where: str) -> None:
        unknown = [c for c in codes if c not in services]
        if unknown:
            raise _yaml_error(
                path,
                f"{where}: unknown service code(s) {unknown!r}; declared services are "
                + ", ".join(repr(s) for s in services)
                + ".",
            )

    tree: list[Challenge] = []
    rows_c, rows_o, rows_a = [], [], []
    for ci, ch in enumerate(data["challenges"], start=1):
        where_c = f"challenge #{ci}"
        cid = _require(ch, "id", path, where_c)
        check_id(cid, _ID_CHALLENGE, f"E{ci}", where_c)
        objectives: list[Objective] = []
        obs = ch.get("objectives")
        if not isinstance(obs, list) or not obs:
            raise _yaml_error(path, f"challenge {cid}: 'objectives' must be a non-empty list.")
        for oi, ob in enumerate(obs, start=1):
            where_o = f"challenge {cid}, objective #{oi}"
            oid = _require(ob, "id", path, where_o)
            check_id(oid, _ID_OBJECTIVE, f"{cid}.O{oi}", where_o)
            acts = ob.get("actions")
            if not isinstance(acts, list) or not acts:
                raise _yaml_error(path, f"objective {oid}: 'actions' must be a non-empty list.")
            actions: list[Action] = []
            for ai, ac in enumerate(acts, start=1):
                where_a = f"objective {oid}, action #{ai}"
                aid = _require(ac, "id", path, where_a)
                check_id(aid, _ID_ACTION, f"{oid}.A{ai}", where_a)
                leads = _as_tuple(ac.get("leads"), path, f"action {aid}", "leads")
                servs = _as_tuple(ac.get("services"), path, f"action {aid}", "services")
                check_services(leads + servs, f"action {aid}")
                action = Action(
                    id=aid,
                    number=ai,
                    title=_require(ac, "title", path, f"action {aid}"),
                    objective_id=oid,
                    challenge_id=cid,
                    detail=ac.get("detail"),
                    detail_ref=ac.get("detail_ref"),
                    leads=leads,
                    leads_quote=ac.get("leads_quote"),
                    services=servs,
                    services_quote=ac.get("services_quote"),
                )
                actions.append(action)
                rows_a.append(
                    {
                        "action_id": aid,
                        "objective_id": oid,
                        "challenge_id": cid,
                        "number": ai,
                        "title": action.title,
                        "detail": action.detail,
                        "leads": ", ".join(leads),
                        "services": ", ".join(servs),
                    }
                )
            o_servs = _as_tuple(ob.get("services"), path, f"objective {oid}", "services")
            check_services(o_servs, f"objective {oid}")
            objective = Objective(
                id=oid,
                number=oi,
                keyword=_require(ob, "keyword", path, f"objective {oid}"),
                title=_require(ob, "title", path, f"objective {oid}"),
                challenge_id=cid,
                long_title=ob.get("long_title"),
                actions=tuple(actions),
                services=o_servs,
                services_quote=ob.get("services_quote"),
            )
            objectives.append(objective)
            rows_o.append(
                {
                    "objective_id": oid,
                    "challenge_id": cid,
                    "number": oi,
                    "keyword": objective.keyword,
                    "title": objective.title,
                    "long_title": objective.long_title,
                    "n_actions": len(actions),
                    "services": ", ".join(o_servs),
                }
            )
        challenge = Challenge(
            id=cid,
            number=ci,
            keyword=str(ch.get("keyword", "")),
            title=_require(ch, "title", path, f"challenge {cid}"),
            long_title=ch.get("long_title"),
            site_label=ch.get("site_label"),
            objectives=tuple(objectives),
        )
        tree.append(challenge)
        rows_c.append(
            {
                "challenge_id": cid,
                "number": ci,
                "keyword": challenge.keyword,
                "title": challenge.title,
                "long_title": challenge.long_title,
                "n_objectives": len(objectives),
                "n_actions": sum(len(o.actions) for o in objectives),
            }
        )

    challenges = pd.DataFrame(rows_c)
    objectives_df = pd.DataFrame(rows_o)
    actions_df = pd.DataFrame(rows_a)
    nodes = pd.concat(
        [
            pd.DataFrame([{"node_id": root_id, "level": "root", "parent_id": None, "title": root_title}]),
            pd.DataFrame(
                {"node_id": challenges["challenge_id"], "level": "challenge", "parent_id": root_id,
                 "title": challenges["title"]}
            ),
            pd.DataFrame(
                {"node_id": objectives_df["objective_id"], "level": "objective",
                 "parent_id": objectives_df["challenge_id"], "title": objectives_df["title"]}
            ),
            pd.DataFrame(
                {"node_id": actions_df["action_id"], "level": "action",
                 "parent_id": actions_df["objective_id"], "title": actions_df["title"]}
            ),
        ],
        ignore_index=True,
    )
    return Roadmap(
        tree=tuple(tree),
        root_id=root_id,
        root_title=root_title,
        services=dict(services),
        document=dict(data.get("document") or {}),
        path=path,
        challenges=challenges,
        objectives=objectives_df,
        actions=actions_df,
        nodes=nodes,
    )


# --------------------------------------------------------------------- indicators


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (spreadsheet row number, cells) of a CSV, skipping ``#`` comment rows.

    Row numbers count records as a spreadsheet does: header = row 1.
    """
    if not path.exists():
        raise InputFileError(f"Indicators file '{path}' does not exist.")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            records = list(csv.reader(fh))
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"Indicators file '{path}' is not UTF-8 encoded ({exc}); save it as 'CSV UTF-8'."
        ) from exc
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(records, start=1):
        if not cells or all(not c.strip() for c in cells):
            continue
        if cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            continue
        rows.append((number, cells))
    if header is None:
        raise InputFileError(f"Indicators file '{path}' is empty (no header row).")
    return header, rows


def _parse_number(text: str) -> float | None:
    """Float of ``text`` ('' → None); raises ValueError for anything else."""
    text = text.strip()
    if text == "":
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _fail(path, column, rows, values, expected):
    raise SchemaError(path=str(path), column=column, rows=rows, values=values, expected=expected)


def _parse_file(path: Path, node_ids: set[str]) -> pd.DataFrame:
    header, rows = _read_rows(path)
    missing = [c for c in INDICATOR_COLUMNS if c not in header and c not in OPTIONAL_COLUMNS]
    if missing and len(header) == 1 and ";" in header[0]:
        raise SchemaError(
            f"File '{path}': the header row is separated by semicolons ({header[0][:60]!r}...); "
            "expected a comma-separated file (in Excel: save as 'CSV UTF-8 (délimité par des virgules)').",
            path=str(path),
            expected="comma-separated columns",
        )
    if missing:
        raise SchemaError(
            f"File '{path}': missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"expected the columns {', '.join(INDICATOR_COLUMNS)} (see data/roadmap/indicators_template.csv).",
            path=str(path),
            column=missing[0],
            expected="the columns of data/roadmap/indicators_template.csv",
        )
    records = []
    for number, cells in rows:
        if len(cells) > len(header):
            extra = cells[len(header):]
            if any(c.strip() for c in extra):
                _fail(path, None, [number], extra,
                      f"at most {len(header)} cells per row (a comma inside a text must be quoted)")
        cells = cells + [""] * (len(header) - len(cells))
        rec = {h: cells[i].strip() for i, h in enumerate(header) if h}
        rec = {c: rec.get(c, "") for c in INDICATOR_COLUMNS}
        rec["row"] = number
        records.append(rec)

    def bad(column, predicate, expected):
        offenders = [(r["row"], r[column]) for r in records if predicate(r)]
        if offenders:
            _fail(path, column, [o[0] for o in offenders], [o[1] for o in offenders], expected)

    bad("indicator_id", lambda r: not _INDICATOR_ID.match(r["indicator_id"]),
        "a non-empty identifier made of letters, digits and _ . : - (e.g. 'IND-001')")
    bad("node_id", lambda r: r["node_id"] not in node_ids,
        "an existing roadmap node id such as 'E1', 'E1.O2' or 'E1.O2.A4' (see data/roadmap/roadmap.yml), or 'FDR'")
    bad("series", lambda r: not _SERIES.match(r["series"]),
        "a series key in lower-case letters, digits and underscores (e.g. 'insertion_hours_financed')")
    bad("label", lambda r: not r["label"], "a non-empty French label")

    def bad_year(r):
        try:
            y = int(r["year"])
        except ValueError:
            return True
        return not (YEAR_RANGE[0] <= y <= YEAR_RANGE[1])

    bad("year", bad_year, f"a whole year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    bad("unit", lambda r: r["unit"] not in ALLOWED_UNITS, "one of " + ", ".join(ALLOWED_UNITS))
    bad("qualifier", lambda r: r["qualifier"] not in QUALIFIERS, "one of " + ", ".join(QUALIFIERS))
    bad("kind", lambda r: r["kind"] not in KINDS, "one of " + ", ".join(KINDS))

    def not_number(column):
        def pred(r):
            try:
                _parse_number(r[column])
            except ValueError:
                return True
            return False
        return pred

    num_expected = "a number written with a dot as decimal separator and no thousands separator (e.g. 2500000 or 2.5)"
    bad("value", not_number("value"), num_expected)
    bad("target_value", not_number("target_value"), num_expected)
    bad("target_direction", lambda r: r["target_direction"] not in ("",) + TARGET_DIRECTIONS,
        "empty or one of " + ", ".join(TARGET_DIRECTIONS))
    # Consistency between kind, value and target fields.
    bad("value", lambda r: r["kind"] == "observed" and r["value"] == "",
        "a number for an observed value (kind 'observed')")
    bad("value", lambda r: r["kind"] != "observed" and r["value"] != "",
        "an empty cell for a target or commitment (put the level in 'target_value')")
    bad("target_value", lambda r: r["kind"] == "observed" and r["target_value"] != "",
        "an empty cell for an observed value (targets go on their own row with kind 'target' or 'commitment')")
    bad("target_direction", lambda r: r["kind"] == "observed" and r["target_direction"] != "",
        "an empty cell for an observed value")
    bad("target_direction", lambda r: r["kind"] == "target" and r["target_direction"] not in (">=", "<="),
        "'>=' or '<=' for a target (use kind 'commitment' for 'stable')")
    bad("target_direction", lambda r: r["kind"] == "commitment" and r["target_direction"] == "",
        "one of " + ", ".join(TARGET_DIRECTIONS) + " for a commitment")
    bad("target_value",
        lambda r: r["kind"] in ("target", "commitment") and r["target_direction"] in (">=", "<=")
        and r["target_value"] == "",
        "a number: the level the target or commitment must reach")
    bad("source_document", lambda r: not r["source_document"],
        "a non-empty source (document title or key such as 'FDR-ESS-93-2024-2028')")

    df = pd.DataFrame(records, columns=list(INDICATOR_COLUMNS) + ["row"])
    df["year"] = df["year"].astype(int).astype("Int64")
    for col in ("value", "target_value"):
        df[col] = pd.to_numeric(df[col].replace("", None), errors="raise").astype("float64")
    df["source_file"] = path.name
    df["source_path"] = str(path)
    return df


def load_indicators(
    path: str | Path | None = None,
    roadmap: Roadmap | None = None,
    extra_paths: Iterable[str | Path] = (),
) -> pd.DataFrame:
    """Read and validate the indicators table (default ``data/roadmap/indicators.csv``).

    ``extra_paths`` are further CSV files with the same columns (an evaluator's
    new yearly values, see ``data/roadmap/README.md``); rows are appended in the
    order given. Rows whose first cell starts with ``#`` are comments.

    Checks (each failure raises :class:`SchemaError` naming the file, the
    spreadsheet row — header = row 1 —, the column and the value): required
    columns; unique ``indicator_id`` across all files; ``node_id`` an existing
    roadmap node; ``year`` in 2000..2035; ``unit`` in :data:`ALLOWED_UNITS`;
    numeric ``value``/``target_value``; ``qualifier``/``kind`` allowed; target
    fields consistent with ``kind``; one node and one unit per ``series``; two
    rows of a series for the same year and kind must agree.

    Returns one row per indicator with the columns of :data:`INDICATOR_COLUMNS`
    (``year`` Int64, ``value``/``target_value`` float, NaN when empty) plus
    ``row``, ``source_file`` and ``source_path``.
    """
    roadmap = roadmap if roadmap is not None else load_roadmap()
    node_ids = roadmap.node_ids
    files = [Path(path) if path is not None else default_indicators_path()]
    if isinstance(extra_paths, (str, Path)):
        extra_paths = [extra_paths]
    files += [Path(p) for p in extra_paths]
    frames = [_parse_file(f, node_ids) for f in files]
    df = pd.concat(frames, ignore_index=True)

    # Unique ids across files.
    dup = df[df.duplicated("indicator_id", keep="first")]
    if not dup.empty:
        first = dup.iloc[0]
        original = df[df["indicator_id"] == first["indicator_id"]].iloc[0]
        raise SchemaError(
            f"File '{first['source_path']}', column 'indicator_id': duplicate identifier "
            f"{first['indicator_id']!r} at row {first['row']} (already used at row {original['row']} "
            f"of '{original['source_file']}'); expected a unique identifier per row.",
            path=first["source_path"],
            column="indicator_id",
            rows=[int(first["row"])],
            values=[first["indicator_id"]],
            expected="a unique identifier per row",
        )

    # One node and one unit per series.
    for column in ("node_id", "unit"):
        n = df.groupby("series")[column].nunique()
        for series in n[n > 1].index:
            sub = df[df["series"] == series]
            ref = sub.iloc[0][column]
            off = sub[sub[column] != ref].iloc[0]
            raise SchemaError(
                f"File '{off['source_path']}', column '{column}': row {off['row']} gives "
                f"{off[column]!r} for series {series!r}, which row {sub.iloc[0]['row']} of "
                f"'{sub.iloc[0]['source_file']}' attaches to {ref!r}; expected one {column} per series.",
                path=off["source_path"],
                column=column,
                rows=[int(off["row"])],
                values=[off[column]],
                expected=f"one {column} per series",
            )

    # Rows of a series for the same year and kind must agree.
    key = ["series", "kind", "year"]
    obs = df.assign(_v=df["value"].fillna(df["target_value"]))
    for (series, kind, year), sub in obs.groupby(key, sort=False):
        if len(sub) > 1 and sub["_v"].nunique(dropna=False) > 1:
            off = sub.iloc[1]
            raise SchemaError(
                f"File '{off['source_path']}', column 'value': row {off['row']} gives {off['_v']!r} for "
                f"series {series!r} ({kind}, {year}) but row {sub.iloc[0]['row']} of "
                f"'{sub.iloc[0]['source_file']}' gives {sub.iloc[0]['_v']!r}; expected one value per "
                "series, kind and year (two sources must agree).",
                path=off["source_path"],
                column="value",
                rows=[int(off["row"])],
                values=[off["_v"]],
                expected="one value per series, kind and year",
            )

    for col in INDICATOR_COLUMNS:
        if col not in ("year", "value", "target_value"):
            df[col] = df[col].astype("str")
    df["row"] = df["row"].astype("int64")
    return df


def unit_label_fr(unit: str) -> str:
    """French display label of a unit code (the code itself if unknown)."""
    return UNIT_LABELS_FR.get(unit, unit)


def source_title_fr(source_document: str) -> str:
    """French title of a ``source_document`` key (the value itself if not a known key)."""
    info = SOURCE_DOCUMENTS.get(source_document)
    return info["title_fr"] if info else source_document


def iter_seed_checks(indicators: pd.DataFrame) -> Iterator[tuple[str, Path | None, bool | None]]:
    """For each indicator: (id, seed path or None, quote found in seed? or None if not checkable)."""
    cache: dict[Path, str] = {}
    for rec in indicators.itertuples(index=False):
        seed = seed_path(rec.source_document)
        if seed is None or not rec.quote or not seed.exists():
            yield rec.indicator_id, seed, None
            continue
        if seed not in cache:
            cache[seed] = normalise_quote(seed.read_text(encoding="utf-8"))
        yield rec.indicator_id, seed, normalise_quote(rec.quote) in cache[seed]
