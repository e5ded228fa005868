"""The plan file of `edusim plan`: the decision a district takes and what it wants.

Read like a scenario (safe YAML, unknown keys refused, every problem at its YAML path;
`PlanError` is a `ScenarioError`, so the CLI exits 2 with one sentence per problem):

    name: ninghe-2023
    cores:   {stage: [primary], districts: [Lutai], quality_quantile: [0.5, 1.0]}
    members: {stage: [primary], quality_quantile: [0.0, 0.5]}
    kinds: [horizontal]
    max_members: 10
    radius_km: 30
    same_district: false
    same_island: true
    keep: rules
    groups: {min: 1, max: 2}
    formed: 2023-09-01
    budget: {money_cny_per_year: equal, teachers_per_year: equal, tolerance: 0.1}
    objectives:
      - {metric: quality_quartile_gap, weight: 1}
      - {metric: premium_top_decile_share, weight: 0.5}
    multi_objective: false

Which schools a filter admits is decided on the city the scenario builds (see
`planning.facts`): a school passes when it matches every key given (lists: any of them).
`schools` names schools explicitly and is added to what the other keys admit (with no
other key, only the named schools pass).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from edusim.scenario.fields import Section
from edusim.scenario.groups import GroupKind, OwnerLevel
from edusim.scenario.loader import Problem, ScenarioError, read_mapping, validation_problems
from edusim.scenario.schema import Scenario

REFERENCE = "docs/planning.md"


class PlanError(ScenarioError):
    """A plan file that cannot be used; carries every problem found (exit 2)."""

    def __str__(self) -> str:
        lines = [f"invalid plan {self.source}:"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


class SchoolFilter(Section):
    """Which public schools may take a role: every key given must match."""

    stage: tuple[Literal["primary", "junior"], ...] = Field(
        default=(), description="stages admitted (empty: both)"
    )
    districts: tuple[str, ...] = Field(default=(), description="districts admitted (empty: all)")
    quality_quantile: tuple[float, float] = Field(
        default=(0.0, 1.0),
        description="[low, high] quantile of year-0 teaching quality among the public schools "
        "of the school's own district and stage (0 the weakest, 1 the strongest)",
    )
    owner: tuple[OwnerLevel, ...] = Field(default=(), description="owner levels (empty: any)")
    rural: bool | None = Field(
        default=None, description="true: rural schools only; false: urban only; null: both"
    )
    schools: tuple[str, ...] = Field(
        default=(), description="schools named explicitly (added to what the filter admits)"
    )

    @field_validator("quality_quantile")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not 0.0 <= low <= high <= 1.0:
            raise ValueError(f"must be [low, high] with 0 <= low <= high <= 1, got [{low}, {high}]")
        return value

    @property
    def named_only(self) -> bool:
        """Only the named schools pass (no other key was given)."""
        given = self.model_fields_set - {"schools"}
        return bool(self.schools) and not given


class GroupCount(Section):
    """How many groups the layout has."""

    min: int = Field(default=1, ge=1, description="fewest groups (fewer: the layout is rejected)")
    max: int = Field(default=10, ge=1, le=200, description="most groups (more: the smallest go)")

    @model_validator(mode="after")
    def _ordered(self) -> GroupCount:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


Limit = float | str | None


class Budget(Section):
    """What the layout may cost: reform grants and teachers posted inside groups. A
    number is a limit; `own` is no more than the scenario's own layout spends or posts in
    a run of the same length on the same seed; `equal` is the same as the own layout
    within `tolerance` (the comparison at equal money and teachers)."""

    money_cny_per_year: Limit = Field(
        default=None,
        description="reform grants per year: a number (at most; checked before any run at "
        "the scenario's grant rates), 'own' (at most the own layout's money_spent_cny, mean "
        "over the years, checked after each run), 'equal' (within `tolerance` of it, both "
        "ways) or null (no limit)",
    )
    teachers_per_year: Limit = Field(
        default=None,
        description="teachers posted inside groups per year, mean over the run's years "
        "(metric rotations_group), checked after each run: a number (at most), 'own' (at "
        "most the own layout's), 'equal' (within `tolerance` of it) or null",
    )
    tolerance: float = Field(
        default=0.10,
        ge=0,
        le=1,
        description="relative difference from the own layout that 'equal' accepts, both "
        "ways (assumption: 10%; a layout of whole groups cannot match a count of teachers "
        "exactly)",
    )

    teachers_slack: float = Field(
        default=1.0,
        ge=0,
        le=50,
        description="teachers per year that 'equal' accepts beside the relative tolerance "
        "(the larger applies; assumption: one posting a year, since postings are whole "
        "teachers and a district posts a few a year)",
    )

    repair: bool = Field(
        default=True,
        description="move each sampled layout toward the money and teacher budget by their "
        "estimate before it is run (planning/repair.py); false: only the runs judge it, "
        "and the sampler learns from how far each missed",
    )

    @field_validator("money_cny_per_year", "teachers_per_year")
    @classmethod
    def _number_or_own(cls, value: float | str | None) -> float | str | None:
        if isinstance(value, str) and value not in ("own", "equal"):
            raise ValueError(f"must be a number >= 0, 'own', 'equal' or null, got '{value}'")
        if isinstance(value, float) and value < 0:
            raise ValueError(f"must be greater than or equal to 0, got {value}")
        return value


class Objective(Section):
    """One outcome the district wants: a registered metric, its direction and weight."""

    metric: str = Field(min_length=1, description="a registered metric (docs/metrics.md)")
    direction: Literal["minimize", "maximize"] | None = Field(
        default=None, description="default: the metric's own direction in the registry"
    )
    weight: float = Field(default=1.0, gt=0, description="weight in the weighted objective")
    years: int = Field(
        default=1, ge=1, le=50, description="the metric is averaged over the last `years` years"
    )


class PlanSpec(Section):
    """A whole plan file."""

    name: str = Field(default="", description="short name of the plan")
    description: str = Field(default="", description="what the district is deciding")
    cores: SchoolFilter = Field(description="which schools may lead a group")
    members: SchoolFilter = Field(description="which schools may join a group")
    kinds: tuple[GroupKind, ...] = Field(
        default=("tight",), min_length=1, description="group kinds a group may be"
    )
    max_members: int = Field(default=10, ge=1, le=50, description="most members per group")
    radius_km: float | None = Field(
        default=None, gt=0, description="most travel km from core to member (null: no limit)"
    )
    same_stage: bool = Field(default=True, description="members of their core's stage")
    same_district: bool = Field(default=True, description="members in their core's district")
    same_island: bool = Field(default=False, description="members on their core's island")
    groups: GroupCount = Field(default_factory=GroupCount, description="number of groups")
    formed: dt.date | None = Field(
        default=None, description="date the groups form (default: 1 September of the first year)"
    )
    term_years: int = Field(default=6, ge=1, le=50, description="term of the groups (years)")
    keep: Literal["none", "rules", "all"] = Field(
        default="none",
        description="the scenario's own groups kept beside the proposal: none (the proposal "
        "replaces them), rules (its groups formed by rule stay, its explicit groups go) or all",
    )
    budget: Budget = Field(default_factory=Budget, description="money and teacher limits")
    objectives: list[Objective] = Field(min_length=1, description="what the layout is for")
    multi_objective: bool = Field(
        default=False, description="search a Pareto front instead of the weighted sum"
    )

    @field_validator("kinds")
    @classmethod
    def _distinct(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(kinds)) != len(kinds):
            raise ValueError("lists a kind twice")
        return kinds


@dataclass(frozen=True)
class Plan:
    """A validated plan and where it was read from."""

    spec: PlanSpec
    source: str


def _cross_problems(
    spec: PlanSpec, scenario: Scenario | None, metrics: Mapping[str, str] | None
) -> list[Problem]:
    problems: list[Problem] = []
    if metrics is not None:
        labels: set[str] = set()
        for index, objective in enumerate(spec.objectives):
            where = f"objectives[{index}]"
            if objective.metric not in metrics:
                problems.append(
                    Problem(
                        f"{where}.metric",
                        f"unknown metric '{objective.metric}'; see docs/metrics.md for the names",
                    )
                )
            elif objective.direction is None and metrics[objective.metric] == "information":
                problems.append(
                    Problem(
                        f"{where}.direction",
                        f"metric '{objective.metric}' has no better direction; "
                        "say minimize or maximize",
                    )
                )
            if objective.metric in labels:
                problems.append(Problem(f"{where}.metric", "listed twice"))
            labels.add(objective.metric)
    if spec.multi_objective and len(spec.objectives) < 2:
        problems.append(
            Problem("multi_objective", "needs at least two objectives (one: use the weighted sum)")
        )
    if scenario is not None:
        districts = {d.name for d in scenario.city.districts}
        for role in ("cores", "members"):
            for index, name in enumerate(getattr(spec, role).districts):
                if name not in districts:
                    problems.append(
                        Problem(
                            f"{role}.districts[{index}]",
                            f"'{name}' is not a district of scenario '{scenario.name}' "
                            f"({', '.join(sorted(districts))})",
                        )
                    )
        if spec.formed is not None:
            first = dt.date(scenario.start_year, 9, 1)
            last = dt.date(scenario.start_year + scenario.years - 1, 9, 1)
            if not first <= spec.formed <= last:
                problems.append(
                    Problem(
                        "formed",
                        f"{spec.formed} is outside the school years scenario '{scenario.name}' "
                        f"simulates ({first} to {last})",
                    )
                )
        for index, objective in enumerate(spec.objectives):
            if objective.years > scenario.years:
                problems.append(
                    Problem(
                        f"objectives[{index}].years",
                        f"{objective.years} is more than the {scenario.years} years simulated",
                    )
                )
    return problems


def load_plan(
    source: str | Path | Mapping[str, Any],
    scenario: Scenario | None = None,
    metrics: Mapping[str, str] | None = None,
) -> Plan:
    """Read and validate a plan file (or mapping). With `scenario`, districts and dates
    are checked against it; with `metrics` (name -> direction, passed in because the
    planning schema knows no model), objectives against the registry. Raises PlanError."""
    if isinstance(source, Mapping):
        data, label = dict(source), "plan mapping"
    else:
        label = str(source)
        try:
            data = read_mapping(Path(source))
        except ScenarioError as error:
            raise PlanError(label, error.problems) from None
    try:
        spec = PlanSpec.model_validate(data)
    except ValidationError as error:
        raise PlanError(label, validation_problems(error, reference=REFERENCE)) from None
    problems = _cross_problems(spec, scenario, metrics)
    if problems:
        raise PlanError(label, problems)
    return Plan(spec, label)


def school_problems(spec: PlanSpec, names: Collection[str]) -> list[Problem]:
    """Schools named in the filters that the city does not have."""
    problems = []
    for role in ("cores", "members"):
        for index, name in enumerate(getattr(spec, role).schools):
            if name not in names:
                problems.append(
                    Problem(f"{role}.schools[{index}]", f"no public school is called '{name}'")
                )
    return problems
