"""Scenario files: schema, loading with inheritance and overrides, validation errors."""

from edusim.scenario.loader import (
    Problem,
    ScenarioError,
    apply_override,
    load_scenario,
    scenario_to_yaml,
)
from edusim.scenario.schema import STAGES, Scenario

__all__ = [
    "STAGES",
    "Problem",
    "Scenario",
    "ScenarioError",
    "apply_override",
    "load_scenario",
    "scenario_to_yaml",
]
