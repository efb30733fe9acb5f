"""The Seine-Saint-Denis ESS roadmap 2024-2028 as data: challenges → objectives → actions.

Source: Département de la Seine-Saint-Denis, *Une économie sociale et solidaire
forte pour construire un territoire résilient — Feuille de route 2024-2028*
(3 enjeux, 13 objectifs stratégiques, 44 actions in its synthesis tables), and
the Département's ESS page on the RTES site (updated 16/09/2025).

:func:`load_roadmap` reads ``data/roadmap/roadmap.yml`` into a :class:`Roadmap`
(a tree of :class:`Challenge` → :class:`Objective` → :class:`Action`, plus flat
DataFrames ``challenges``, ``objectives``, ``actions`` and ``nodes``).

Identifiers: ``E1`` (challenge 1), ``E1.O2`` (objective 2 of challenge 1),
``E1.O2.A4`` (action 4 of that objective); ``FDR`` is the root node used for
territorial context figures that evidence no single objective.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd
import yaml

from .. import paths
from ..errors import InputFileError, SchemaError

__all__ = [
    "SOURCE_DOCUMENTS",
    "Action",
    "Challenge",
    "Objective",
    "Roadmap",
    "default_roadmap_path",
    "load_roadmap",
    "normalise_quote",
    "seed_path",
    "source_title_fr",
]

#: Short keys used in the ``source_document`` column for the seed documents.
SOURCE_DOCUMENTS: dict[str, dict[str, str]] = {
    "FDR-ESS-93-2024-2028": {
        "title_fr": "Département de la Seine-Saint-Denis, « Une économie sociale et solidaire forte "
        "pour construire un territoire résilient — Feuille de route 2024-2028 »",
        "short_fr": "Feuille de route ESS 2024-2028 (Département de la Seine-Saint-Denis, 2024)",
        "seed_file": "001_3332735f9cc53fc7.txt",
    },
    "RTES-CD93-2025": {
        "title_fr": "RTES, page « Conseil départemental de Seine-Saint-Denis » "
        "(panorama, budget et programme ESS ; mise à jour du 16/09/2025)",
        "short_fr": "page ESS du Département sur le site du RTES (mise à jour du 16/09/2025)",
        "seed_file": "000_3cb8f6133bf1055b.txt",
    },
}

_ID_CHALLENGE = re.compile(r"^E(\d+)$")
_ID_OBJECTIVE = re.compile(r"^E(\d+)\.O(\d+)$")
_ID_ACTION = re.compile(r"^E(\d+)\.O(\d+)\.A(\d+)$")


def default_roadmap_path() -> Path:
    """``data/roadmap/roadmap.yml``."""
    return paths.data_dir() / "roadmap" / "roadmap.yml"


def seed_path(source_document: str) -> Path | None:
    """Path of the seed text of a known ``source_document`` key (None if unknown).

    Seeds live in ``../shared/seeds`` beside the repository (or ``$ESSTOOLS_SHARED_DIR/seeds``);
    they are read in place, never copied or shipped.
    """
    info = SOURCE_DOCUMENTS.get(source_document)
    if info is None:
        return None
    shared = Path(os.environ.get("ESSTOOLS_SHARED_DIR", Path(paths.REPO_ROOT).parent / "shared"))
    return shared / "seeds" / info["seed_file"]


def source_title_fr(source_document: str, short: bool = False) -> str:
    """French title (or ``short`` title) of a ``source_document`` key (the value itself if unknown)."""
    info = SOURCE_DOCUMENTS.get(source_document)
    if info is None:
        return source_document
    return info["short_fr"] if short else info["title_fr"]


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

    @property
    def start_year(self) -> int:
        """First year of the roadmap period (``document.period`` in the YAML; 2024 for the 2024-2028 roadmap)."""
        period = self.document.get("period")
        if not isinstance(period, (list, tuple)) or not period or not isinstance(period[0], int):
            raise SchemaError(f"File '{self.path}': 'document.period' must be [first_year, last_year], got {period!r}.",
                              path=None if self.path is None else str(self.path))
        return int(period[0])

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
