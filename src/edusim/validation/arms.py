"""The arms of a check (`edusim check`), built from the scenario itself.

`catchment` keeps the scenario's city, people and groups but drops its timeline and
applies single-school catchments throughout (the "unchanged rules" the housing sources
describe); `zones` switches that arm to multi-school zones at the start of its third
school year; `no_groups` removes every group from the catchment arm (only when the
scenario has groups). The patterns (validation/patterns.py) say which arms they read.
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


def has_groups(scenario: Scenario) -> bool:
    """Whether the scenario forms any group (explicitly or by rule)."""
    return bool(scenario.groups.rules or scenario.groups.explicit)


ARMS: dict[str, tuple[Callable[[Scenario], dict[str, Any]], Callable[[Scenario], bool]]] = {
    "catchment": (catchment_arm, lambda scenario: True),
    "zones": (zones_arm, lambda scenario: True),
    "no_groups": (no_groups_arm, has_groups),
}
