"""A cheap estimate of what a layout spends and posts, year by year, without running the
model: the scenario's grant rules applied to the groups that exist in each school year,
under the yearly cap, and the posting rule applied to each group's core.

Why: under a budget `equal` (or `own`) a proposal is judged on its run, but a proposal
sampled blind misses the budget more often than not (on Chongming, 0 of 40 screened
layouts: they drew more grants than the yearly cap lets through). The estimate lets the
planner move a layout toward the budget before anything is simulated (`planning.repair`)
and lets the screening judge money and teachers over the run's years, simulated where
the short run has them and estimated after (a screening run of 2 years cannot show what
a layout spends in year 10, when the own layout's groups formed one by one have all
formed).

Money, per school year y (as phases/policy_events.py pays it):

- each group active in y (formed on or before 1 September of y, within its term or
  renewed) requests: `branch_campus_cny` per member campus of a tight or entrusted group
  within one district; `cross_district_group_cny` per group whose schools span
  districts; `zone_cny` per zone (not money when `zone_reward_as_pay`);
- `rural_studios * rural_studio_cny`;
- the grants in `capped_grants` are scaled down to `budget_cap_cny`, the others paid;
- funding parameters the timeline `set`s take effect from their school year.

Groups counted: the layout's, the scenario's explicit groups when the plan keeps them,
its rule groups when kept (at their largest: `max_cores` groups of `max_members` members
in their own district, an upper bound: which schools a rule takes is known only in a
run), and the entrusted groups of schools the timeline opens. Not counted: the special-
grade teacher support (it depends on the teachers in post) and schools that `join_group`
an existing group when they open. On a city whose money comes only from the counted
rules the estimate is exact (tests/planning/test_plan_estimate.py holds it to the
simulated `money_spent_cny` year by year).

Teachers posted inside groups, per school year: the posting rule of phases/rotation.py
rolled over the run's years on the planning city's year-0 teachers of the group's schools
(`group_postings`; every replicate runs on that city, its `world_seed`). Each year the
core posts, to its members weaker than it (mean effectiveness of the teachers teaching
there), max(round(share_of_eligible * eligible teachers at the core),
teachers_per_member * weaker members), chosen by the sending principal's ranking
(policy/rotation.principal_ranking, `choose`, `host_allocation`), the members sending as
many back with `send_back`; eligible teachers are the core's own at home with
`eligible_years_at_school` years there. A posting is made only if it carries no member
past its core (policy/staffing.moves_within_gap, the model's own rule), and it lasts
`posting_years`: while the teachers posted last year are still away the core is weaker
and the member stronger, so a core of few teachers may post its quota one year and
nothing the next (the cap binds after year 0 more often than at it). A teacher back
from a posting starts its years at the core again.

The roll keeps each teacher's year-0 effectiveness (no growth, exits or hires), treats
every eligible teacher as a candidate (the model asks volunteers in groups without staff
redeployment, and fills a `quota_min_tier` quota by tier) and rolls each group alone
(a school in two groups, or a core sending by the district rule too, shares its teachers
in the model). A group with a member the city does not name (a rule group's, known only
in a run, or a school the timeline opens) has no teachers to roll: its core posts the
uncapped count each year, the member counting as weaker. So this count is not a
prediction of the level: it is used as a *difference* from the own layout's estimate,
added to the own layout's simulated postings (`teachers_per_year`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from edusim.planning.facts import CityFacts
from edusim.planning.layout import BRANCH_KINDS, Group, Layout
from edusim.planning.spec import PlanSpec
from edusim.policy.rotation import choose, host_allocation, principal_ranking, sent_back
from edusim.policy.staffing import moves_within_gap
from edusim.scenario.funding import FundingParams
from edusim.scenario.schema import Scenario

ENTRUSTED_TERM_YEARS = 6
"""Term of the entrusted group a timeline opening forms (phases/school_lifecycle.py)."""


def school_year_of(date: dt.date) -> int:
    """The school year in which something dated `date` takes effect (the first 1
    September on or after it)."""
    return date.year + ((date.month, date.day) > (9, 1))


@dataclass(frozen=True)
class Requests:
    """One group's yearly requests: capped money, uncapped money, teachers posted (one
    value per school year of the run)."""

    capped: np.ndarray
    uncapped: np.ndarray
    teachers: np.ndarray


@dataclass(frozen=True)
class PostingRule:
    """The scenario's group posting rule (phases/rotation.py, `rotation` and `evaluation`
    parameters) as `group_postings` rolls it."""

    share: float  # share_of_eligible
    per_member: int  # teachers_per_member
    send_back: bool
    posting_years: int
    eligible_years: float  # eligible_years_at_school
    member_weight: float  # evaluation.member_weight_in_force
    selection: str
    backbone_min: float  # backbone_share_min


@dataclass(frozen=True)
class GroupStaff:
    """The year-0 teachers teaching at a group's schools, one entry each: `school` 0 for
    the core, k for its k-th member."""

    school: np.ndarray
    effectiveness: np.ndarray
    tier: np.ndarray
    age: np.ndarray
    years_at_school: np.ndarray
    available: np.ndarray  # a post of its own school, not posted


def _free_at(free: np.ndarray, home: np.ndarray, school: int) -> np.ndarray:
    """Rows of the teachers of `school` free to be sent this year."""
    return np.flatnonzero(free & (home == school))


def group_postings(
    staff: GroupStaff, members: int, active: np.ndarray, rule: PostingRule
) -> np.ndarray:
    """Teachers a group posts each year of `active` (its mask of the run's years), both
    ways: the posting rule of phases/rotation.py rolled over the years on the year-0
    teachers `staff` of its core and `members` members, each posting made only within
    the member's gap to the core (policy/staffing.moves_within_gap) and lasting
    `posting_years`. Effectiveness stays as at year 0."""
    home = staff.school
    where = home.copy()
    effectiveness, tier = staff.effectiveness, staff.tier
    schools = members + 1
    # the year (0: the run's first) from which each teacher is at home long enough
    ready = np.where(staff.available, rule.eligible_years - staff.years_at_school, np.inf)
    back_at = np.full(home.size, -1)
    posted = np.zeros(active.size)
    hosts_of = np.arange(1, schools)
    for year in range(active.size):
        returning = back_at == year
        where[returning] = home[returning]
        ready[returning] = year + rule.eligible_years
        back_at[returning] = -1
        if not active[year]:
            continue
        weight = np.bincount(where, minlength=schools).astype(float)
        total = np.bincount(where, weights=effectiveness, minlength=schools)
        level = total / np.maximum(weight, 1.0)
        weaker = hosts_of[level[1:] < level[0]]
        free = (where == home) & (ready <= year)
        candidates = np.flatnonzero(free & (home == 0))
        by_share = round(rule.share * candidates.size) if weaker.size else 0
        count = max(by_share, rule.per_member * weaker.size)
        if count == 0 or candidates.size == 0:
            continue
        key = principal_ranking(
            effectiveness[candidates],
            tier[candidates],
            staff.age[candidates] + year,
            rule.member_weight,
            rule.selection,
            weight[0] / max(weight[weaker].mean(), 1.0),
        )
        sent = choose(candidates, key, tier[candidates] >= 1, count, rule.backbone_min)
        if weaker.size == 1:  # what host_allocation deals to a single member
            hosts = np.full(sent.size, weaker[0])
        else:
            hosts = weaker[host_allocation(sent.size, weight[weaker], level[weaker])]
        # year-0 ages: every teacher is one year older each year, so the order is the same
        returned = (
            sent_back(hosts, partial(_free_at, free, home), staff.age, tier)
            if rule.send_back
            else np.full(sent.size, -1, dtype=np.int64)
        )
        back = returned >= 0
        made = moves_within_gap(
            total[0],
            weight[0],
            total[1:],
            weight[1:],
            hosts - 1,
            effectiveness[sent],
            1.0,
            np.where(back, effectiveness[np.maximum(returned, 0)], 0.0),
            back.astype(float),
        )
        moved, to = sent[made], hosts[made]
        came = returned[made & back]
        where[moved], where[came] = to, 0
        back_at[moved], back_at[came] = year + rule.posting_years, year + rule.posting_years
        posted[year] = moved.size + came.size
    return posted


@dataclass(frozen=True)
class Estimator:
    """The scenario's money and posting rules over the run's school years."""

    years: np.ndarray  # school years of the run
    funding: tuple[FundingParams, ...]  # parameters in force each year
    cap: np.ndarray  # yearly cap (inf: none)
    district: Mapping[str, str]  # school -> district
    eligible: Mapping[str, float]  # school -> eligible teachers at year 0
    strength: Mapping[str, float]  # school -> mean effectiveness of its teachers, year 0
    share: float
    per_member: int
    send_back: bool
    rotate: bool
    rule: PostingRule | None = None  # the posting rule the roll applies
    staff: Mapping[str, GroupStaff] = field(default_factory=dict)  # school -> its teachers
    _rolled: dict = field(default_factory=dict, compare=False, repr=False)

    # -- one group ------------------------------------------------------------------
    def active(self, first: int, term: int, renew: bool) -> np.ndarray:
        """Mask of the run's years in which a group formed in `first` exists."""
        after = self.years >= first
        return after if renew else after & (self.years < first + term)

    def requests(
        self,
        kind: str,
        core: str,
        members: Iterable[str],
        first: int,
        term: int = 6,
        renew: bool = True,
        spans: bool | None = None,
    ) -> Requests:
        """What one group asks each year (`spans`: whether its schools span districts;
        None: judged from the schools' districts)."""
        members = tuple(members)
        if spans is None:
            spans = len({self.district.get(s, "") for s in (core, *members)}) > 1
        on = self.active(first, term, renew).astype(float)
        capped, uncapped = np.zeros(self.years.size), np.zeros(self.years.size)
        for k, params in enumerate(self.funding):
            if not on[k]:
                continue
            amounts = {
                "branch_campus": params.branch_campus_cny * len(members)
                if kind in BRANCH_KINDS and not spans
                else 0.0,
                "cross_district_group": params.cross_district_group_cny
                if spans and members
                else 0.0,
                "zone": params.zone_cny
                if kind == "zone" and not params.zone_reward_as_pay
                else 0.0,
            }
            for grant, amount in amounts.items():
                if grant in params.capped_grants:
                    capped[k] += amount
                else:
                    uncapped[k] += amount
        return Requests(capped, uncapped, self.postings(core, members, on > 0))

    def postings(self, core: str, members: tuple[str, ...], active: np.ndarray) -> np.ndarray:
        """Teachers a group posts each year (`active`: its years): rolled on the city's
        teachers (`group_postings`) when the city names its core and every member, else
        the uncapped count in each of its years."""
        if not self.rotate:
            return np.zeros(self.years.size)
        named = (core, *members)
        if self.rule is not None and all(school in self.staff for school in named):
            key = (named, active.tobytes())
            if key not in self._rolled:
                self._rolled[key] = group_postings(
                    _joined([self.staff[school] for school in named]),
                    len(members),
                    active,
                    self.rule,
                )
            return self._rolled[key].copy()
        posts = 0.0
        weaker = self.weaker(core, members)
        if weaker:
            by_share = round(self.share * self.eligible.get(core, 0.0))
            posts = max(by_share, self.per_member * weaker) * (2 if self.send_back else 1)
        return active * posts

    def weaker(self, core: str, members: Iterable[str]) -> int:
        """How many members the posting rule sends teachers to: those weaker than the
        core at year 0 (a name the city does not know counts as weaker)."""
        top = self.strength.get(core, math.inf)
        return sum(self.strength.get(member, -math.inf) < top for member in members)

    def group(self, group: Group, first: int, term: int) -> Requests:
        """A proposed group's requests."""
        return self.requests(group.kind, group.core, group.members, first, term)

    # -- totals ---------------------------------------------------------------------
    def spent(self, capped: np.ndarray, uncapped: np.ndarray) -> np.ndarray:
        """Money paid each year from the requests: the capped part scaled to the cap."""
        return np.minimum(capped, self.cap) + uncapped


def _joined(staff: list[GroupStaff]) -> GroupStaff:
    """The teachers of several schools as one group's, the k-th school's numbered k."""
    return GroupStaff(
        np.concatenate([np.full(s.school.size, k) for k, s in enumerate(staff)]),
        *(
            np.concatenate([getattr(s, name) for s in staff])
            for name in ("effectiveness", "tier", "age", "years_at_school", "available")
        ),
    )


def staff_by_school(facts: CityFacts) -> dict[str, GroupStaff]:
    """School name -> its year-0 teachers (school numbered 0), from the city's facts."""
    teachers = facts.teachers.sort_values("school", kind="stable")
    row = teachers["school"].to_numpy()
    bounds = np.searchsorted(row, np.arange(len(facts.schools) + 1))
    columns = {
        name: teachers[name].to_numpy()
        for name in ("effectiveness", "tier", "age", "years_at_school", "available")
    }
    out = {}
    for k, name in enumerate(facts.names):
        lo, hi = bounds[k], bounds[k + 1]
        if hi > lo:
            out[name] = GroupStaff(
                np.zeros(hi - lo, dtype=np.int64),
                *(columns[c][lo:hi] for c in columns),
            )
    return out


def _by_name(facts: CityFacts, column: str) -> dict[str, float]:
    schools = facts.schools
    return dict(zip(schools["name"], schools[column].astype(float), strict=True))


def estimator(scenario: Scenario, facts: CityFacts) -> Estimator:
    """The estimator of a scenario on its planning city (the city every replicate runs
    on)."""
    years = np.arange(scenario.start_year, scenario.start_year + scenario.years)
    funding = []
    current = scenario.funding
    changes = sorted(
        (school_year_of(event.date), event.set)
        for event in scenario.timeline
        if any(key.startswith("funding.") for key in event.set)
    )
    for year in years:
        for when, values in changes:
            if when == year:
                update = {
                    key.removeprefix("funding."): value
                    for key, value in values.items()
                    if key.startswith("funding.")
                }
                current = FundingParams.model_validate({**current.model_dump(), **update})
        funding.append(current)
    cap = np.array(
        [np.inf if p.budget_cap_cny is None else float(p.budget_cap_cny) for p in funding]
    )
    schools = facts.schools
    rotation = scenario.rotation
    return Estimator(
        years=years,
        funding=tuple(funding),
        cap=cap,
        district=dict(zip(schools["name"], schools["district"], strict=True)),
        eligible=_by_name(facts, "eligible_teachers"),
        strength=_by_name(facts, "strength"),
        share=rotation.share_of_eligible,
        per_member=rotation.teachers_per_member,
        send_back=rotation.send_back,
        rotate=rotation.group_rotation,
        rule=PostingRule(
            share=rotation.share_of_eligible,
            per_member=rotation.teachers_per_member,
            send_back=rotation.send_back,
            posting_years=rotation.posting_years,
            eligible_years=float(rotation.eligible_years_at_school),
            member_weight=scenario.evaluation.member_weight_in_force,
            selection=rotation.selection,
            backbone_min=rotation.backbone_share_min,
        ),
        staff=staff_by_school(facts),
    )


def _rule_requests(est: Estimator, scenario: Scenario, facts: CityFacts) -> list[Requests]:
    """The scenario's rule groups at their largest (cores: the strongest schools of the
    rule's stage and districts)."""
    out = []
    schools = facts.schools
    for rule in scenario.groups.rules:
        pool = schools[schools["stage"] == rule.stage]
        if rule.districts:
            pool = pool[pool["district"].isin(rule.districts)]
        count = rule.max_cores if rule.max_cores is not None else max(len(pool) // 4, 1)
        cores = pool.sort_values("quality", ascending=False)["name"].head(count).tolist()
        for core in cores:
            members = [f"{core}#{k}" for k in range(rule.max_members)]
            out.append(
                est.requests(
                    rule.kind,
                    core,
                    members,
                    school_year_of(rule.formed),
                    rule.term_years,
                    rule.renew,
                    spans=bool(rule.cross_district),
                )
            )
    return out


def _timeline_requests(est: Estimator, scenario: Scenario) -> list[Requests]:
    """Entrusted groups of the schools the timeline opens."""
    out = []
    for event in scenario.timeline:
        opening = event.open
        if opening is None or not opening.entrusted_to:
            continue
        sections = 2 if opening.stage == "nine_year" else 1
        spans = est.district.get(opening.entrusted_to, opening.district) != opening.district
        out.append(
            est.requests(
                "entrusted",
                opening.entrusted_to,
                [f"{opening.name}#{k}" for k in range(sections)],
                school_year_of(event.date),
                ENTRUSTED_TERM_YEARS,
                True,
                spans=spans,
            )
        )
    return out


def _explicit_requests(est: Estimator, scenario: Scenario) -> list[Requests]:
    return [
        est.requests(g.kind, g.core, g.members, school_year_of(g.formed), g.term_years, g.renew)
        for g in scenario.groups.explicit
    ]


@dataclass(frozen=True)
class Background:
    """Requests of the groups beside the proposal, and of the own layout's groups."""

    kept: Requests  # summed: groups the plan keeps + timeline openings
    own: Requests  # summed: the own layout (explicit + rules + timeline)


def _total(items: list[Requests], size: int) -> Requests:
    capped, uncapped, teachers = np.zeros(size), np.zeros(size), np.zeros(size)
    for item in items:
        capped, uncapped, teachers = (
            capped + item.capped,
            uncapped + item.uncapped,
            teachers + item.teachers,
        )
    return Requests(capped, uncapped, teachers)


def background(est: Estimator, scenario: Scenario, spec: PlanSpec, facts: CityFacts) -> Background:
    """What the groups beside the proposal request, and what the own layout requests
    (rule groups: their cores are the planning city's strongest schools)."""
    size = est.years.size
    explicit = _explicit_requests(est, scenario)
    rules = _rule_requests(est, scenario, facts)
    timeline = _timeline_requests(est, scenario)
    kept = list(timeline)
    if spec.keep in ("rules", "all"):
        kept += rules
    if spec.keep == "all":
        kept += explicit
    return Background(_total(kept, size), _total(explicit + rules + timeline, size))


@dataclass(frozen=True)
class Estimate:
    """A layout's estimated yearly money paid and teachers posted (teachers: the layout's
    posting-rule count minus the own layout's; add the own layout's simulated figure)."""

    money: np.ndarray
    teachers_change: np.ndarray


def layout_requests(est: Estimator, layout: Layout, spec: PlanSpec) -> dict[str, Requests]:
    """Core -> its group's requests (the proposal's groups form together)."""
    first = school_year_of(spec.formed) if spec.formed is not None else int(est.years[0])
    return {g.core: est.group(g, first, spec.term_years) for g in layout}


def combine_requests(est: Estimator, back: Background, groups: Iterable[Requests]) -> Requests:
    """The requests of the background plus the given groups, summed."""
    return _total([back.kept, *groups], est.years.size)


def combine(est: Estimator, back: Background, groups: Iterable[Requests]) -> Estimate:
    """The estimate of the background plus the given groups."""
    total = combine_requests(est, back, groups)
    money = est.spent(total.capped, total.uncapped)
    return Estimate(money, total.teachers - back.own.teachers)


def own_money(est: Estimator, back: Background) -> np.ndarray:
    """The own layout's estimated yearly money (to check the estimate against its runs)."""
    return est.spent(back.own.capped, back.own.uncapped)


def estimate(est: Estimator, back: Background, layout: Layout, spec: PlanSpec) -> Estimate:
    """A layout's estimated yearly money and change in teachers posted."""
    return combine(est, back, layout_requests(est, layout, spec).values())
