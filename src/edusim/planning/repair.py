"""Move a decoded layout toward the plan's money and teacher budget before it is run.

`layout.decode` gives a layout that keeps every structural constraint (roles, reach,
members per group, number of groups, a money number at the grant rates). Budgets
judged on runs (`own`, `equal`, a teacher number) it cannot see; a layout sampled blind
misses them more often than not (Chongming under `equal`: 0 of 40). This step uses the
estimate of `planning.estimate` (the grant rules year by year under the cap, the posting
rule at each core) and changes the layout one step at a time, greedily, until the
estimate is inside the budget:

- drop a member from a group (a group left empty goes, while `groups.min` allows;
  in the tie order the largest group's farthest member first);
- add a candidate member that is in no group to a group whose core it can reach and
  that has room (nearest core first in the tie order);
- move a group's members to another candidate core in no group (those members that can
  reach it; the swap of a core);
- open a new group: a candidate core in no group with its nearest candidate member in no
  group, beside the others while `groups.max` allows, or in place of one group;
- change a group's kind to another the plan allows.

Each step takes the move that brings the estimate closest to the budget (the sum, over
money and teachers, of the distance outside the target band relative to the target;
ties broken by the order of the moves above, then by names: no randomness), and stops
when the estimate is inside or no move brings it closer. Under a binding yearly cap,
dropping one member changes nothing paid (the cap scales the requests down), so a move
that leaves the distance as it is but cuts the requests the cap would cut counts as
closer too (the second term of `_progress`). The target band of `equal` is
half the plan's tolerance (and half the teachers' slack) around the own layout's
simulated figure, so that an estimate off by up to half the tolerance still lands the
run inside it; the own layout's simulated figure is its full runs' mean on the screening
seeds (the same figure the screening judges against). Every move keeps each structural
constraint, so the repaired layout still passes `layout.violations` (a property test
holds it to that); the run is still what decides feasibility.

Why greedy moves and not a penalty: the sampler (TPE) would learn the budget's shape
from infeasible trials only slowly (Chongming: none of 40 inside), while a district's
staff would do exactly this: take a school out of a group, or add one, until the money
fits. Why the estimate and not a run: a screening run costs about half a CPU-second, an
estimate microseconds, and the greedy search needs hundreds of them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from edusim.planning.budget import MONEY_METRIC
from edusim.planning.estimate import (
    Background,
    Estimator,
    Requests,
    combine,
    combine_requests,
    layout_requests,
    school_year_of,
)
from edusim.planning.facts import CityFacts
from edusim.planning.layout import Encoding, Group, Layout, layout_cost, static_money_limit
from edusim.planning.objectives import TEACHERS_METRIC
from edusim.planning.spec import PlanSpec
from edusim.scenario.funding import FundingParams

MARGIN = 0.5
"""Share of the tolerance (and of the teachers' slack) the repair aims inside (assumption:
leaves half the tolerance for the estimate's error)."""


@dataclass(frozen=True)
class Band:
    """The target of one cost, per year (mean over the run's years): low..high."""

    low: float
    high: float
    reference: float

    def distance(self, value: float) -> float:
        """How far `value` is outside the band, relative to the reference (0 inside)."""
        gap = max(self.low - value, value - self.high, 0.0)
        return gap / max(abs(self.reference), 1.0)


def bands(spec: PlanSpec, own: Mapping[str, float], margin: float = MARGIN) -> dict[str, Band]:
    """The repair's target band on each cost the plan limits after runs (metric -> band);
    `own` holds the own layout's simulated money and teachers per year."""
    budget = spec.budget
    out = {}
    for metric, limit in (
        (MONEY_METRIC, budget.money_cny_per_year),
        (TEACHERS_METRIC, budget.teachers_per_year),
    ):
        if limit is None or (metric == MONEY_METRIC and limit not in ("own", "equal")):
            continue
        reference = own[metric]
        if limit == "equal":
            slack = budget.teachers_slack if metric == TEACHERS_METRIC else 0.0
            width = margin * max(budget.tolerance * abs(reference), slack)
            out[metric] = Band(reference - width, reference + width, reference)
        else:
            bound = reference if limit == "own" else float(limit)
            out[metric] = Band(-math.inf, bound, bound)
    return out


@dataclass
class _State:
    """A layout under repair as its groups (core -> group) and their requests."""

    groups: dict[str, Group]
    requests: dict[str, Requests]

    def layout(self) -> Layout:
        return tuple(self.groups[core] for core in sorted(self.groups))


def _moved(mapping: Mapping[str, Any], core: str, group: Group | None, value: Any) -> dict:
    """A copy of a core -> value mapping after a move: the group led by `core` becomes
    `group` (which another core may lead) or goes (None)."""
    out = {key: item for key, item in mapping.items() if key != core}
    if group is not None:
        out[group.core] = value
    return out


class Repairer:
    """The repair of one plan on one city (built once per search)."""

    def __init__(
        self,
        spec: PlanSpec,
        encoding: Encoding,
        facts: CityFacts,
        funding: FundingParams,
        est: Estimator,
        back: Background,
        own: Mapping[str, float],
    ):
        self.spec, self.encoding, self.facts, self.funding = spec, encoding, facts, funding
        self.est, self.back, self.own = est, back, dict(own)
        self.bands = bands(spec, own)
        own_rule = float(back.own.teachers.mean())
        simulated = float(own.get(TEACHERS_METRIC, 0.0))
        # the own layout's simulated over estimated postings: the rolled posting rule's
        # count is scaled by it (volunteers short; teachers' growth, exits and hires,
        # which the roll on the year-0 teachers does not follow)
        self.teacher_scale = (
            min(max(simulated / own_rule, 0.1), 10.0) if own_rule > 0 and simulated > 0 else 1.0
        )
        self.first = school_year_of(spec.formed) if spec.formed is not None else int(est.years[0])
        self.limit = static_money_limit(spec)
        self.cores = encoding.kind_cores()
        index = {name: i for i, name in enumerate(facts.names)}
        self.km = {
            (core, member): float(facts.travel_km[index[core], index[member]])
            for member, cores in encoding.options.items()
            for core in cores
        }

    @property
    def active(self) -> bool:
        """Whether the plan has a budget the repair aims at."""
        return bool(self.bands) and self.spec.budget.repair

    def figures(self, requests: Mapping[str, Requests]) -> dict[str, float]:
        """Estimated money and teachers per year (means over the run's years)."""
        estimate = combine(self.est, self.back, requests.values())
        return {
            MONEY_METRIC: float(estimate.money.mean()),
            TEACHERS_METRIC: self.own[TEACHERS_METRIC]
            + self.teacher_scale * float(estimate.teachers_change.mean()),
        }

    def distance(self, requests: Mapping[str, Requests]) -> float:
        """How far the estimate is outside the budget (0: inside)."""
        figures = self.figures(requests)
        return sum(band.distance(figures[m]) for m, band in self.bands.items())

    def _progress(self, requests: Mapping[str, Requests]) -> tuple[float, float]:
        """(distance outside the budget, requests the cap cuts when the money is over
        it): under a binding cap dropping a member changes nothing paid, so the first
        alone would stall on a plateau; the second ranks the moves that bring the
        requests down to the cap, after which the paid money falls."""
        distance = self.distance(requests)
        band = self.bands.get(MONEY_METRIC)
        if band is None or self.figures(requests)[MONEY_METRIC] <= band.high:
            return distance, 0.0
        total = combine_requests(self.est, self.back, requests.values())
        cut = np.maximum(total.capped - self.est.cap, 0.0).mean()
        return distance, float(cut) / max(abs(band.reference), 1.0)

    def _request(self, group: Group) -> Requests:
        return self.est.group(group, self.first, self.spec.term_years)

    def _moves(self, state: _State) -> list[tuple[str, Group | None]]:
        """Every allowed change as (core, its new group or None to drop it)."""
        spec, moves = self.spec, []
        in_groups = {m for g in state.groups.values() for m in g.members} | set(state.groups)
        leaving = sorted(  # the largest group's farthest member first
            ((core, member) for core, g in state.groups.items() for member in g.members),
            key=lambda pair: (
                -len(state.groups[pair[0]].members),
                -self.km.get(pair, 0.0),
                pair,
            ),
        )
        for core, member in leaving:
            group = state.groups[core]
            rest = tuple(m for m in group.members if m != member)
            if rest:
                moves.append((core, Group(core, group.kind, rest)))
            elif len(state.groups) > spec.groups.min:
                moves.append((core, None))
        for member in sorted(self.encoding.options):
            if member in in_groups:
                continue
            for core in self.encoding.options[member]:  # nearest first
                group = state.groups.get(core)
                if group is not None and len(group.members) < spec.max_members:
                    members = tuple(sorted((*group.members, member)))
                    moves.append((core, Group(core, group.kind, members)))
        for core in sorted(state.groups):  # another core leads the group's members
            group = state.groups[core]
            for other in self.cores:
                if other in in_groups:
                    continue
                movable = tuple(m for m in group.members if other in self.encoding.options[m])
                if movable:
                    moves.append((core, Group(other, group.kind, movable)))
        free = [m for m in sorted(self.encoding.options) if m not in in_groups]
        for other in self.cores:  # a new group: a free core and its nearest free member
            if other in in_groups:
                continue
            reach = [m for m in free if other in self.encoding.options[m]]
            if not reach:
                continue
            first = min(reach, key=lambda m: (self.km[(other, m)], m))
            new = Group(other, spec.kinds[0], (first,))
            if len(state.groups) < spec.groups.max:
                moves.append(("", new))
            for core in sorted(state.groups):  # ... in place of a group
                moves.append((core, new))
        for core in sorted(state.groups):
            group = state.groups[core]
            for kind in spec.kinds:
                if kind != group.kind:
                    moves.append((core, Group(core, kind, group.members)))
        return moves

    def _affordable(self, state: _State, core: str, group: Group | None) -> bool:
        if self.limit is None:
            return True
        groups = _moved(state.groups, core, group, group)
        return layout_cost(tuple(groups.values()), self.facts, self.funding) <= self.limit

    def repair(self, layout: Layout) -> tuple[Layout, int]:
        """The layout moved into the budget's estimate (or as close as single moves get),
        and the number of moves made."""
        if not self.active or not layout:
            return layout, 0
        state = _State({g.core: g for g in layout}, {g.core: self._request(g) for g in layout})
        current = self._progress(state.requests)
        moves_made = 0
        for _ in range(4 * (len(self.encoding.options) + 1)):
            if current[0] <= 0:
                break
            best: tuple[float, int] | None = None
            best_move = None
            for order, (core, group) in enumerate(self._moves(state)):
                request = None if group is None else self._request(group)
                requests = _moved(state.requests, core, group, request)
                score = self._progress(requests)
                closer = score[0] < current[0] - 1e-12 or (
                    score[0] <= current[0] + 1e-12 and score[1] < current[1] - 1e-12
                )
                better = closer and (best is None or (score, order) < best)
                if better and self._affordable(state, core, group):
                    best, best_move = (score, order), (core, group, requests)
            if best_move is None:
                break
            core, group, requests = best_move
            state.groups = _moved(state.groups, core, group, group)
            state.requests = requests
            current = best[0]
            moves_made += 1
        return state.layout(), moves_made

    def estimated(self, layout: Layout) -> dict[str, float]:
        """A layout's estimated money and teachers per year."""
        return self.figures(layout_requests(self.est, layout, self.spec))

    def yearly(self, layout: Layout) -> dict[str, np.ndarray]:
        """A layout's estimated money and teachers each year of the run."""
        estimate = combine(
            self.est, self.back, layout_requests(self.est, layout, self.spec).values()
        )
        return {
            MONEY_METRIC: estimate.money,
            TEACHERS_METRIC: self.teacher_scale * estimate.teachers_change,
        }
