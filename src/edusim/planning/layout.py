"""Layouts of groups, their encoding for the optimiser, repair and the constraints.

Encoding (one categorical choice per candidate member, docs/planning.md):

- `member:<school>`: 'none' or the name of a feasible core for that school: a candidate
  core that is not the school itself, within `radius_km` of it, in its district when
  `same_district`, on its island when `same_island`. Cores are not chosen separately:
  the cores of a layout are the schools some member points to, so every sampled point
  is a set of groups and no "core without members" can arise.
- `kind:<core>`: the group's kind, when the plan allows more than one.

A sampled point is then repaired into a layout that satisfies every constraint, in this
order (each step a rule a district would apply, none random): a school that leads a
group joins no other; a core keeps its `max_members` nearest members; when there are
more than `groups.max` groups, the largest stay (ties: the stronger core); while the
layout's yearly grants exceed the money budget, the smallest group goes. A layout with
fewer than `groups.min` groups is rejected (the trial is recorded as infeasible and
nothing is simulated). `violations` checks a layout against the plan from scratch, so
tests can hold every proposal to the constraints whatever the repair does.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from edusim.planning.facts import CityFacts, admitted
from edusim.planning.spec import PlanSpec
from edusim.scenario.funding import FundingParams

NONE = "none"
BRANCH_KINDS = ("tight", "entrusted")
"""Kinds whose member campuses draw the branch-campus grant (phases/policy_events.py)."""


@dataclass(frozen=True)
class Group:
    """One proposed group: its core, kind and members (sorted by name)."""

    core: str
    kind: str
    members: tuple[str, ...]


Layout = tuple[Group, ...]
"""Groups sorted by core name: equal layouts compare equal."""


@dataclass(frozen=True)
class Encoding:
    """The search space of a plan on a city: candidate roles and feasible pairings."""

    cores: np.ndarray  # facts rows that may lead
    members: np.ndarray  # facts rows that may join
    options: dict[str, tuple[str, ...]]  # member name -> feasible core names, nearest first
    kinds: tuple[str, ...]

    def kind_cores(self) -> list[str]:
        """Cores that some member can choose (each has a kind choice if kinds > 1)."""
        return sorted({core for cores in self.options.values() for core in cores})

    def choices(self) -> dict[str, tuple[str, ...]]:
        """Parameter name -> its categorical choices (the optimiser's space)."""
        space = {f"member:{m}": (NONE, *cores) for m, cores in sorted(self.options.items())}
        if len(self.kinds) > 1:
            space.update({f"kind:{c}": self.kinds for c in self.kind_cores()})
        return space

    @property
    def size(self) -> int:
        """Number of distinct encoded points (product of the choices' sizes)."""
        return int(np.prod([len(c) for c in self.choices().values()], dtype=float))


def feasible_pairs(spec: PlanSpec, facts: CityFacts) -> np.ndarray:
    """Mask [core row, member row] of pairings the plan's geography allows (roles aside)."""
    schools = facts.schools
    n = len(schools)
    ok = ~np.eye(n, dtype=bool)
    if spec.same_stage:
        stage = schools["stage"].to_numpy()
        ok &= stage[:, None] == stage[None, :]
    if spec.same_district:
        district = schools["district"].to_numpy()
        ok &= district[:, None] == district[None, :]
    if spec.same_island:
        island = schools["island"].to_numpy()
        ok &= island[:, None] == island[None, :]
    if spec.radius_km is not None:
        ok &= facts.travel_km <= spec.radius_km
    return ok


def encode(spec: PlanSpec, facts: CityFacts) -> Encoding:
    """The encoding of a plan on a city."""
    cores = np.flatnonzero(admitted(facts, spec.cores))
    members = np.flatnonzero(admitted(facts, spec.members))
    names = np.array(facts.names)
    ok = feasible_pairs(spec, facts)
    options = {}
    for m in members:
        feasible = cores[ok[cores, m]]
        if feasible.size:
            order = np.lexsort((names[feasible], facts.travel_km[feasible, m]))
            options[str(names[m])] = tuple(str(c) for c in names[feasible[order]])
    return Encoding(cores, members, options, tuple(spec.kinds))


def layout_cost(layout: Layout, facts: CityFacts, funding: FundingParams) -> float:
    """Reform grants per year the layout draws at the scenario's rates: the branch-campus
    grant per member of a tight or entrusted group within one district, the trusteeship
    grant instead per group that spans districts, the zone reward per zone (as
    phases/policy_events.py pays them, before the yearly cap; special-teacher support,
    which depends on the teachers in post, is not counted)."""
    district = dict(zip(facts.schools["name"], facts.schools["district"], strict=True))
    total = 0.0
    for group in layout:
        spans = len({district[s] for s in (group.core, *group.members)}) > 1
        if group.kind in BRANCH_KINDS and not spans:
            total += funding.branch_campus_cny * len(group.members)
        if spans:
            total += funding.cross_district_group_cny
        if group.kind == "zone":
            total += funding.zone_cny
    return total


def static_money_limit(spec: PlanSpec) -> float | None:
    """The money budget known before any run (a number), or None ('own', 'equal' or no
    limit: known only from the own layout's run)."""
    limit = spec.budget.money_cny_per_year
    return None if limit is None or isinstance(limit, str) else float(limit)


def _priority(group: Group, quality: Mapping[str, float]) -> tuple[Any, ...]:
    """Larger groups first, then the stronger core, then the name (deterministic)."""
    return (-len(group.members), -quality[group.core], group.core)


def decode(
    params: Mapping[str, Any],
    encoding: Encoding,
    spec: PlanSpec,
    facts: CityFacts,
    funding: FundingParams,
) -> tuple[Layout, str]:
    """The repaired layout of a sampled point, and '' or why it is rejected."""
    assigned = {m: str(params.get(f"member:{m}", NONE)) for m in encoding.options}
    assigned = {m: c for m, c in assigned.items() if c != NONE and c in encoding.options[m]}
    leading = set(assigned.values())
    assigned = {m: c for m, c in assigned.items() if m not in leading}
    index = {name: i for i, name in enumerate(facts.names)}
    quality = dict(zip(facts.schools["name"], facts.schools["quality"], strict=True))
    by_core: dict[str, list[str]] = {}
    for member, core in assigned.items():
        by_core.setdefault(core, []).append(member)
    groups = []
    for core, members in by_core.items():
        km = facts.travel_km[index[core]]
        nearest = sorted(members, key=lambda m: (km[index[m]], m))[: spec.max_members]
        kind = str(params.get(f"kind:{core}", spec.kinds[0]))
        if kind not in spec.kinds:
            kind = spec.kinds[0]
        groups.append(Group(core, kind, tuple(sorted(nearest))))
    groups.sort(key=lambda g: _priority(g, quality))
    groups = groups[: spec.groups.max]
    limit = static_money_limit(spec)
    while limit is not None and groups and layout_cost(tuple(groups), facts, funding) > limit:
        groups.pop()  # the smallest (last by priority)
    layout = tuple(sorted(groups, key=lambda g: g.core))
    if len(layout) < spec.groups.min:
        return layout, (
            f"{len(layout)} groups after repair, fewer than groups.min {spec.groups.min}"
        )
    return layout, ""


def violations(
    layout: Layout, spec: PlanSpec, facts: CityFacts, funding: FundingParams
) -> list[str]:
    """Every way `layout` breaks the plan (empty: it satisfies every constraint)."""
    index = {name: i for i, name in enumerate(facts.names)}
    may_lead = admitted(facts, spec.cores)
    may_join = admitted(facts, spec.members)
    ok = feasible_pairs(spec, facts)
    found = []
    seen: dict[str, str] = {}
    if not spec.groups.min <= len(layout) <= spec.groups.max:
        found.append(f"{len(layout)} groups, outside [{spec.groups.min}, {spec.groups.max}]")
    for group in layout:
        if group.core not in index:
            found.append(f"{group.core} is not a public school of the city")
            continue
        if not may_lead[index[group.core]]:
            found.append(f"{group.core} may not lead a group")
        if group.kind not in spec.kinds:
            found.append(f"{group.core}'s group is of kind {group.kind}, not allowed")
        if not 1 <= len(group.members) <= spec.max_members:
            found.append(f"{group.core} has {len(group.members)} members")
        for school in (group.core, *group.members):
            if school in seen:
                found.append(f"{school} is in two groups ({seen[school]} and {group.core})")
            seen[school] = group.core
        for member in group.members:
            if member not in index or not may_join[index[member]]:
                found.append(f"{member} may not join a group")
            elif not ok[index[group.core], index[member]]:
                found.append(f"{member} is out of {group.core}'s reach")
    limit = static_money_limit(spec)
    if limit is not None and layout_cost(layout, facts, funding) > limit:
        found.append(f"grants {layout_cost(layout, facts, funding):.0f} CNY over the budget")
    return found


def formed_date(spec: PlanSpec, start_year: int) -> dt.date:
    """When the proposed groups form: the plan's date or the first school year."""
    return spec.formed if spec.formed is not None else dt.date(start_year, 9, 1)


def group_name(group: Group) -> str:
    """The proposed group's name in the scenario file."""
    return f"plan-{group.core}"


def explicit_groups(layout: Layout, spec: PlanSpec, start_year: int) -> list[dict[str, Any]]:
    """The layout as the scenario's `groups.explicit` entries."""
    formed = formed_date(spec, start_year).isoformat()
    return [
        {
            "name": group_name(group),
            "kind": group.kind,
            "core": group.core,
            "members": list(group.members),
            "formed": formed,
            "term_years": spec.term_years,
        }
        for group in layout
    ]


def scenario_overrides(
    layout: Layout, spec: PlanSpec, existing: Mapping[str, Any], start_year: int
) -> dict[str, Any]:
    """Dotted overrides that put the layout into a scenario (`existing` is the scenario's
    own `groups` block as data: kept beside the proposal, or replaced)."""
    proposed = explicit_groups(layout, spec, start_year)
    if spec.keep == "all":
        return {"groups.explicit": [*existing.get("explicit", []), *proposed]}
    if spec.keep == "rules":
        return {"groups.explicit": proposed}
    return {"groups.explicit": proposed, "groups.rules": []}


def pairings(layout: Layout) -> list[str]:
    """'core -> member' for every membership of the layout."""
    return [f"{g.core} -> {m}" for g in layout for m in g.members]


def layout_text(layout: Layout) -> str:
    """A compact, stable text of a layout (one group per ';')."""
    return "; ".join(f"{g.core} [{g.kind}]: {', '.join(g.members)}" for g in layout)


def layout_json(layout: Layout) -> str:
    """A layout as JSON (stored in the tables; `layout_from_json` reads it back)."""
    return json.dumps(
        [{"core": g.core, "kind": g.kind, "members": list(g.members)} for g in layout],
        ensure_ascii=False,
    )


def layout_from_json(text: str) -> Layout:
    """The layout stored by `layout_json`."""
    return tuple(
        Group(item["core"], item["kind"], tuple(item["members"])) for item in json.loads(text)
    )
