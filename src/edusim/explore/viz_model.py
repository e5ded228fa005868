"""The Mesa model SolaraViz drives for `edusim explore`: an EduModel inside a model of its
own, with the page's settings as its only parameters and a DataCollector that starts
with the city as built.

Why not EduModel itself: Mesa 3.5 gave `mesa.Model` a `scenario` of its own (a
`mesa.experimental.scenarios.Scenario`); its SolaraViz checks that `model.scenario` is
one and, on Reset, passes a new one as the `scenario=` keyword to any model that takes
`scenario` or `**kwargs`. EduModel's `scenario` is edusim's, so Mesa 3.5's page stops with
"Expected model.scenario to be a subclass instance of mesa.experimental.scenarios.Scenario".
`ExploreModel` has only explicit keyword parameters (the shipped scenario or file, years,
seed and the policy sliders, none called `scenario`), so Mesa 3.3 to 3.5 re-create it from
the sliders alike.

Why its own DataCollector: EduModel's rows are school years (row k is the state after
year k + 1, the layout `mesa.batch_run` reports), so after the first step a chart had one
point and drew no line. Here row 0 is the city as built and row k the city after k
school years, each with its `year` as in `metrics.parquet`.
"""

from __future__ import annotations

from typing import Any

import mesa

from edusim.metrics import METRICS
from edusim.model import SCENARIO_SEED, EduModel

POLICY_SLIDERS: dict[str, dict[str, Any]] = {
    "learning__peer_effect": {
        "label": "peer effect (SD per SD)",
        "min": 0.0,
        "max": 0.1,
        "step": 0.005,
    },
    "families__quality_taste_mean": {
        "label": "families' taste for quality",
        "min": 0.0,
        "max": 1.0,
        "step": 0.05,
    },
    "housing__adjust_speed": {
        "label": "premium adjustment speed",
        "min": 0.02,
        "max": 1.0,
        "step": 0.02,
    },
    "rotation__share_of_eligible": {
        "label": "share of eligible teachers rotated",
        "min": 0.0,
        "max": 0.5,
        "step": 0.05,
    },
}
"""Sliders (keyword arguments of ExploreModel and EduModel, `__` for a dot); ranges are
within the schema's bounds, chosen for exploration (assumption)."""


def _metric_reporter(name: str):
    def report(model: ExploreModel) -> float:
        return model.city.latest_metrics[name]

    report.__name__ = f"report_{name}"
    return report


def _observed_year(model: ExploreModel) -> int:
    """The year a row describes, as in the result tables: the start year for the city as
    built, then the year after each school year."""
    return model.city.scenario.start_year + model.city.steps


class ExploreModel(mesa.Model):
    """An EduModel driven year by year by SolaraViz (see the module docstring).

    `city` is a shipped scenario's name or a scenario file; `years` overrides the run
    length; `seed=None` keeps the scenario's seed (so Reset rebuilds the same city); each
    slider (POLICY_SLIDERS) left at None keeps the scenario's value. The EduModel is
    `model.city`.
    """

    def __init__(
        self,
        city: str = "demo",
        years: int | None = None,
        seed: int | None = None,
        learning__peer_effect: float | None = None,
        families__quality_taste_mean: float | None = None,
        housing__adjust_speed: float | None = None,
        rotation__share_of_eligible: float | None = None,
    ):
        sliders = {
            "learning__peer_effect": learning__peer_effect,
            "families__quality_taste_mean": families__quality_taste_mean,
            "housing__adjust_speed": housing__adjust_speed,
            "rotation__share_of_eligible": rotation__share_of_eligible,
        }
        settings = {name: value for name, value in sliders.items() if value is not None}
        edu = EduModel(city, SCENARIO_SEED if seed is None else seed, years=years, **settings)
        # School agents are all made when the city is built; releasing it now keeps a page
        # that is Reset many times from holding every old city in Mesa 3.3's id registry
        edu.release()
        super().__init__(rng=edu.seed)
        self.city = edu
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "year": _observed_year,
                **{name: _metric_reporter(name) for name in METRICS},
            }
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        """One school year of the city, then a row of the charts."""
        self.city.step()
        self.running = self.city.running
        self.datacollector.collect(self)

    def slider_defaults(self) -> dict[str, float]:
        """The scenario's value of each slider's parameter (its dotted path)."""
        values = {}
        for name in POLICY_SLIDERS:
            section, key = name.split("__")
            values[name] = getattr(getattr(self.city.scenario, section), key)
        return values
