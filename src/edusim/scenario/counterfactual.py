"""The counterfactual of a scenario: the same city, families and seed without the reform.

A place's reform is judged against the place without it (common random numbers: both
runs build the same city from the same seed and draw the same random streams). What
"without the reform" means is written in the scenario's `counterfactual:` section; every
scenario has one, by default:

- no school groups (no explicit groups, no formation rules; the group kinds' strengths
  go back to the schema defaults), so no rotation either, since teachers rotate only
  from a group's core to its members; the rotation settings go back to the defaults;
- no bundled evaluation of principals (`evaluation` back to the defaults); leaders'
  policies (principals' rotation, executive principals, extra leader posts, principals
  not reappointed) back to the defaults, their effect, numbers and terms kept;
- no rural studios and no special-grade teachers' rural support money (the other grants
  are paid per group, campus or zone and so stop with the groups);
- group-wide enrollment (`group`, in `enrollment.rule` or `enrollment.by_area`) becomes
  catchment enrollment, since there is no group to enrol as one unit;
- dated timeline events are dropped (`drop_timeline`), except those whose labels are
  listed in `keep_events` (national rules that are not the place's reform, or schools the
  city builds anyway); a kept school opening opens the school without its group
  (`entrusted_to` and `join_group` are cleared: there are no groups);
- then `set` changes any further parameter, like a timeline event's `set`.

The city, the seed, the start year and the run length never change, so the paired
difference reform - counterfactual measures the reform alone.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from edusim.scenario.fields import Section, entry, param

if TYPE_CHECKING:
    from edusim.scenario.loader import Problem
    from edusim.scenario.schema import Scenario

SUFFIX = "-counterfactual"
"""Appended to a scenario's name for its counterfactual."""

DEFAULT_DESCRIPTION = "no school groups (so no rotation), reform grants or dated policy events"
"""The default counterfactual in a few words (the module docstring has the whole rule)."""

FIXED_KEYS: tuple[str, ...] = (
    "name",
    "seed",
    "start_year",
    "years",
    "city",
    "timeline",
    "counterfactual",
)
"""Top-level keys `counterfactual.set` may not change: the pair must share city and seed."""


def is_fixed(dotted: str) -> bool:
    """Whether a dotted parameter path lies under one of the `FIXED_KEYS`."""
    return dotted.split(".")[0].split("[")[0] in FIXED_KEYS


class CounterfactualParams(Section):
    """What the place would be without its reform (see the module docstring)."""

    description: str = entry(
        DEFAULT_DESCRIPTION,
        unit="text",
        description="what 'without the reform' means for this place (written with the results)",
    )
    drop_timeline: bool = param(
        True,
        unit="yes/no",
        source="assumption (a place's dated events are the steps of its reform)",
        description="drop the dated timeline events, except those listed in `keep_events`",
    )
    keep_events: tuple[str, ...] = entry(
        (),
        unit="event labels",
        description="labels of timeline events that are not part of the reform and stay in the counterfactual",
    )
    set: dict[str, Any] = entry(
        {},
        unit="parameter paths and values",
        description="further dotted parameter paths and their values in the counterfactual (city, seed, start_year, years and timeline are fixed)",
    )
    of: str = entry(
        "",
        unit="name",
        description="set by edusim in a counterfactual: the scenario it is the counterfactual of (empty in a reform scenario)",
    )


def counterfactual_data(scenario: Scenario) -> dict[str, Any]:
    """The counterfactual as plain data, before `set` and before validation."""
    from edusim.scenario.funding import FundingParams
    from edusim.scenario.groups import GroupParams
    from edusim.scenario.leaders import LEADER_POLICIES, LeaderParams
    from edusim.scenario.loader import editable_dump
    from edusim.scenario.rotation import EvaluationParams, RotationParams

    spec: CounterfactualParams = scenario.counterfactual
    data = editable_dump(scenario)
    data["name"] = f"{scenario.name}{SUFFIX}"
    data["description"] = spec.description
    data["groups"] = GroupParams().model_dump(mode="json")
    data["rotation"] = RotationParams().model_dump(mode="json")
    data["evaluation"] = EvaluationParams().model_dump(mode="json")
    leader_defaults = LeaderParams()
    for key in LEADER_POLICIES:
        data["leaders"][key] = getattr(leader_defaults, key)
    defaults = FundingParams()
    for key in ("rural_studios", "special_teacher_support_cny"):
        data["funding"][key] = getattr(defaults, key)
    enrollment = data["enrollment"]
    if enrollment["rule"] == "group":
        enrollment["rule"] = "catchment"
    for scope in enrollment["by_area"]:
        if scope["rule"] == "group":
            scope["rule"] = "catchment"
    if spec.drop_timeline:
        data["timeline"] = [e for e in data["timeline"] if e["label"] in spec.keep_events]
    for event in data["timeline"]:  # a kept opening builds the school, but no group exists
        if event.get("open"):
            event["open"] = {**event["open"], "entrusted_to": "", "join_group": ""}
    data["counterfactual"] = {"description": spec.description, "of": scenario.name}
    return data


def counterfactual_problems(scenario: Scenario) -> list[Problem]:
    """Problems of a scenario's `counterfactual:` section, each with its YAML path.

    Each `set` entry is tried on its own (so an error names its key), then all together;
    a scenario that is itself a counterfactual (`of` set) is not checked again.
    """
    from edusim.scenario.loader import Problem, ScenarioError, override_problems

    spec: CounterfactualParams = scenario.counterfactual
    if spec.of:
        return []
    problems = []
    labels = {event.label for event in scenario.timeline}
    for position, label in enumerate(spec.keep_events):
        if label not in labels:
            problems.append(
                Problem(
                    f"counterfactual.keep_events[{position}]",
                    f"no timeline event is labelled '{label}'",
                )
            )
    base = counterfactual_data(scenario)
    for dotted, value in spec.set.items():
        where = f"counterfactual.set['{dotted}']"
        if is_fixed(dotted):
            problems.append(Problem(where, "this key is fixed: reform and counterfactual share it"))
            continue
        problems += override_problems(copy.deepcopy(base), dotted, value, where)
    if problems:
        return problems
    try:
        counterfactual_of(scenario)
    except ScenarioError as error:
        problems += [
            Problem("counterfactual", f"in the counterfactual, {p}") for p in error.problems
        ]
    return problems


def counterfactual_of(scenario: Scenario) -> Scenario:
    """The reform-free Scenario of `scenario` (pure; same city, seed, start and length).

    Raises ScenarioError if the result is not a valid scenario.
    """
    from edusim.scenario.loader import (
        Problem,
        ScenarioError,
        apply_override,
        validate_mapping,
    )

    spec: CounterfactualParams = scenario.counterfactual
    label = f"counterfactual of '{scenario.name}'"
    if spec.of:
        raise ScenarioError(
            label, [Problem("counterfactual.of", f"already the counterfactual of '{spec.of}'")]
        )
    data = counterfactual_data(scenario)
    problems = []
    for dotted, value in spec.set.items():
        if is_fixed(dotted):
            problems.append(Problem(f"counterfactual.set['{dotted}']", "this key is fixed"))
            continue
        try:
            apply_override(data, dotted, value)
        except KeyError as error:
            problems.append(
                Problem(f"counterfactual.set['{dotted}']", f"no such parameter ({error.args[0]})")
            )
    if problems:
        raise ScenarioError(label, problems)
    return validate_mapping(data, label)
