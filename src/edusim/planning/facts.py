"""What the planner knows of the city before it runs anything: the public schools of the
city the scenario builds (sites, stage, district, island, owner level, rural status,
year-0 teaching quality and teaching strength, teachers eligible to be posted), their
teachers at year 0 (what the posting rule and its cap on a member's gap to its core read
teacher by teacher, planning/estimate.py) and the travel km between them (water
crossings included, as the model's own `school_travel_km`).

Layouts name schools, as a scenario's explicit groups do, so the planner plans on one
city: it sets the scenario's `world_seed` (its first replicate seed unless the scenario
sets one), and every replicate runs on the city read here (docs/planning.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from edusim.planning.spec import SchoolFilter
from edusim.processes.aggregate import school_mean
from edusim.scenario.loader import load_scenario
from edusim.scenario.schema import Scenario


@dataclass(frozen=True)
class CityFacts:
    """Public open schools (one row each, in the model's school order) and travel km."""

    schools: (
        pd.DataFrame
    )  # name, stage, district, island, owner, rural, quality, quantile, x_km, y_km,
    # eligible_teachers (at home with the years at school the posting rule asks, year 0),
    # strength (mean effectiveness of the school's teachers at year 0: the posting rule
    # sends teachers only to members weaker than their core by it, phases/rotation.py)
    travel_km: np.ndarray  # schools x schools
    tables: dict[str, pd.DataFrame]  # the year-0 `schools` and `city` tables, for the map
    teachers: pd.DataFrame  # one row per teacher teaching at a row of `schools`, year 0:
    # school (its row in `schools`), effectiveness, tier, age, years_at_school, available
    # (a post of its own school and not posted: phases/rotation.py may post it once it
    # has the years at school the rule asks)

    @property
    def names(self) -> list[str]:
        """School names in row order."""
        return self.schools["name"].tolist()


def quality_quantile(quality: np.ndarray, district: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """Each school's position among the schools of its district and stage by quality:
    0 the weakest, 1 the strongest (0.5 for a school alone in its district and stage)."""
    frame = pd.DataFrame({"q": quality, "d": district, "s": stage})
    rank = frame.groupby(["d", "s"])["q"].rank(method="average").to_numpy()
    count = frame.groupby(["d", "s"])["q"].transform("size").to_numpy()
    return np.where(count > 1, (rank - 1) / np.maximum(count - 1, 1), 0.5)


def one_city(scenario: Scenario, first_seed: int) -> Scenario:
    """The scenario with its `world_seed` set: the scenario's own, else the first
    replicate's seed. A layout names schools, and a school's name means one school only
    on one city, so every run of a plan search (screening, re-evaluation, the own
    layout) runs on the city this seed builds; replicates differ in the school years'
    draws (docs/planning.md)."""
    if scenario.world_seed is not None:
        return scenario
    return load_scenario(scenario, {"world_seed": first_seed})


def city_facts(scenario: Scenario, seed: int) -> CityFacts:
    """Build the scenario's city (year 0, nothing simulated) and read it: the city of
    its `world_seed`, else of `seed`."""
    from edusim.model import EduModel

    model = EduModel(scenario, seed)
    try:
        table = model.school_table
        public = np.flatnonzero(table.active & ~table.private)
        geo = model.geography
        stage = np.where(table.stage[public] == 0, "primary", "junior")
        district = np.array(geo.district_names)[table.district[public]]
        quality = table.teaching_quality[public].astype(float)
        schools = pd.DataFrame(
            {
                "name": table.name[public].astype(str),
                "stage": stage,
                "district": district,
                "island": geo.cell_island[table.cell[public]].astype(int),
                "owner": np.array(["city", "district", "county"])[table.owner[public]],
                "rural": table.rural[public].astype(bool),
                "quality": quality,
                "quantile": quality_quantile(quality, district, stage),
                "x_km": table.x_km[public].astype(float),
                "y_km": table.y_km[public].astype(float),
            }
        )
        teachers = model.teachers
        rotation = scenario.rotation
        at_home = (teachers.school == teachers.home_school) & (teachers.posting_end < 0)
        long_enough = teachers.years_at_school >= rotation.eligible_years_at_school
        eligible = np.bincount(teachers.school[at_home & long_enough], minlength=len(table)).astype(
            float
        )
        schools["eligible_teachers"] = eligible[public]
        strength = school_mean(model.teacher_effectiveness(), teachers.school, len(table))
        schools["strength"] = strength[public].astype(float)
        staff = _teachers_at(model, public)
        travel = np.array(model.school_travel_km()[np.ix_(public, public)], dtype=float)
        tables = model.tables()
        kept = {"schools": tables["schools"], "city": tables["city"]}
    finally:
        model.release()
    return CityFacts(schools, travel, kept, staff)


def _teachers_at(model: Any, public: np.ndarray) -> pd.DataFrame:
    """The year-0 teachers teaching at the schools `public` (model school indices), with
    their school as a position into `public`."""
    teachers = model.teachers
    row_of = np.full(len(model.school_table), -1, dtype=np.int64)
    row_of[public] = np.arange(public.size)
    at = row_of[teachers.school] >= 0
    available = (
        (teachers.school == teachers.home_school)
        & (teachers.posting_end < 0)
        & (teachers.employer == 0)
    )
    return pd.DataFrame(
        {
            "school": row_of[teachers.school[at]],
            "effectiveness": model.teacher_effectiveness()[at],
            "tier": teachers.tier[at].astype(np.int64),
            "age": teachers.age[at].astype(float),
            "years_at_school": teachers.years_at_school[at].astype(float),
            "available": available[at],
        }
    )


def admitted(facts: CityFacts, rule: SchoolFilter) -> np.ndarray:
    """Mask of the schools a filter admits."""
    schools = facts.schools
    named = schools["name"].isin(rule.schools).to_numpy()
    if rule.named_only:
        return named
    mask = np.ones(len(schools), dtype=bool)
    if rule.stage:
        mask &= schools["stage"].isin(rule.stage).to_numpy()
    if rule.districts:
        mask &= schools["district"].isin(rule.districts).to_numpy()
    low, high = rule.quality_quantile
    quantile = schools["quantile"].to_numpy()
    mask &= (quantile >= low - 1e-9) & (quantile <= high + 1e-9)
    if rule.owner:
        mask &= schools["owner"].isin(rule.owner).to_numpy()
    if rule.rural is not None:
        mask &= schools["rural"].to_numpy() == rule.rural
    return mask | named
