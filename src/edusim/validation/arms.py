"""The arms of a check (`edusim check`), built from the scenario itself.

`catchment` keeps the scenario's city, people and groups but drops its timeline and
applies single-school catchments throughout (the "unchanged rules" the housing sources
describe); `zones` switches that arm to multi-school zones at the start of its third
school year; `no_groups` removes every group from the catchment arm (only when the
scenario has groups); `unreformed` takes from the catchment arm the place's standing
reform as its counterfactual does (groups, rotation, leaders' policies, bundled
evaluation, reform grants, the counterfactual's `set`; scenario/counterfactual.py), for
the patterns the sources observed where no such reform ran (only when the counterfactual
changes anything but the timeline). The patterns (validation/patterns.py) say which arms
they read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edusim.scenario.schema import Scenario

ZONE_SWITCH_YEAR = 2
"""The zones arm switches rule at the start of this school year of the run (1 = first)."""


def catchment_arm(scenario: Scenario) -> dict[str, Any]:
    """Overrides: the scenario without its timeline, under single-school catchments (the
    counterfactual's list of events to keep goes too: it names events that are gone)."""
    return {
        "timeline": [],
        "counterfactual.keep_events": [],
        "enrollment.rule": "catchment",
        "enrollment.by_area": [],
    }


def zones_arm(scenario: Scenario) -> dict[str, Any]:
    """The catchment arm, switched to multi-school zones from ZONE_SWITCH_YEAR."""
    switch = {
        "date": f"{scenario.start_year + ZONE_SWITCH_YEAR - 1}-09-01",
        "label": "check: switch to multi-school zones",
        "set": {"enrollment.rule": "zones"},
    }
    return {**catchment_arm(scenario), "timeline": [switch]}


def no_groups_arm(scenario: Scenario) -> dict[str, Any]:
    """The catchment arm without any group."""
    return {**catchment_arm(scenario), "groups.rules": [], "groups.explicit": []}


COUNTERFACTUAL_OWN_KEYS = ("name", "description", "timeline", "counterfactual")
"""Top-level keys the counterfactual changes that are not the reform: names, the timeline
(which every arm sets itself) and the counterfactual's own section."""


def _dotted(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested mapping as dotted parameter paths to its leaves (lists are leaves)."""
    leaves: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            leaves.update(_dotted(value, f"{prefix}{key}."))
        else:
            leaves[f"{prefix}{key}"] = value
    return leaves


def reform_removed(scenario: Scenario) -> dict[str, Any]:
    """Overrides that take away the place's standing reform as its counterfactual does:
    every parameter the counterfactual changes (outside `COUNTERFACTUAL_OWN_KEYS`), at
    its counterfactual value, then the counterfactual's own `set`. Empty when the
    counterfactual changes nothing but the timeline."""
    from edusim.scenario.counterfactual import counterfactual_data
    from edusim.scenario.loader import editable_dump

    before = _dotted(editable_dump(scenario))
    after = _dotted(counterfactual_data(scenario))
    changed = {
        path: value
        for path, value in after.items()
        if path.split(".")[0] not in COUNTERFACTUAL_OWN_KEYS
        and (path not in before or before[path] != value)
    }
    return {**changed, **scenario.counterfactual.set}


def unreformed_arm(scenario: Scenario) -> dict[str, Any]:
    """The catchment arm without the place's standing reform (`reform_removed`); the
    catchment arm's own settings win."""
    return {**reform_removed(scenario), **catchment_arm(scenario)}


def has_standing_reform(scenario: Scenario) -> bool:
    """Whether the counterfactual takes anything away besides the timeline."""
    return bool(reform_removed(scenario))


def has_groups(scenario: Scenario) -> bool:
    """Whether the scenario forms any group (explicitly or by rule)."""
    return bool(scenario.groups.rules or scenario.groups.explicit)


ARMS: dict[str, tuple[Callable[[Scenario], dict[str, Any]], Callable[[Scenario], bool]]] = {
    "catchment": (catchment_arm, lambda scenario: True),
    "zones": (zones_arm, lambda scenario: True),
    "no_groups": (no_groups_arm, has_groups),
    "unreformed": (unreformed_arm, has_standing_reform),
}
