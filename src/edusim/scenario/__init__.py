"""Scenario files: schema, loading with inheritance and overrides, validation errors."""

from edusim.scenario.loader import (
    Problem,
    ScenarioError,
    apply_override,
    load_scenario,
    scenario_to_yaml,
)
from edusim.scenario.schema import MAX_SEED, STAGES, Scenario

__all__ = [
    "MAX_SEED",
    "STAGES",
    "Problem",
    "Scenario",
    "ScenarioError",
    "apply_override",
    "load_scenario",
    "scenario_to_yaml",
]
