"""The small cities and the helpers the pattern tests share.

`ISLAND_COUNTY` stands for Chongming (digest, "Numbers by place"): a rural county on three
islands with 18 towns and many small schools (about a third of its compulsory schools
under 200 pupils, as the digest reports 35%), next to an urban district that holds the
famous schools of cross-district groups. Travel between the islands pays the scenario's
`city.island_crossing_km` (default 25 km-equivalent). The numbers of schools and pupils
are smaller than Chongming's, to keep the tests fast; prices and incomes are illustrative.
The demo city (`scenarios/demo.yaml`) serves the patterns that need several urban
districts with famous schools and a housing market.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from edusim.agents.groups import MEMBER
from edusim.model import EduModel

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo.yaml"

SEEDS: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
"""The fixed seed set of every pattern test (common random numbers within a seed)."""

ISLAND_COUNTY: dict[str, Any] = {
    "name": "island-county",
    "seed": 1,
    "start_year": 2018,
    "years": 10,
    # the urban district stands for Shanghai's central districts and their many famous
    # schools: a quarter of its schools are famous (two primary schools)
    "schools": {"famous_share_urban": 0.25},
    # Chongming's own grants (seed 003, 二6: CNY 100,000 per branch campus, 600,000 per
    # cross-district group, 150,000 per zone a year; no cap here): the schema pays none
    # unless a scenario sets them, and the county's patterns are Chongming's
    "funding": {
        "branch_campus_cny": 100000.0,
        "cross_district_group_cny": 600000.0,
        "zone_cny": 150000.0,
    },
    "city": {
        "districts": [
            {
                "name": "City",
                "kind": "urban",
                "area_km2": 40,
                "towns": 4,
                "schools": {"primary": 8, "junior": 5},
                "pupils": {"primary": 6000, "junior": 2700},
                "income_level": 1.3,
                "house_price_cny_per_m2": 60000,
            },
            {
                "name": "Isles",
                "kind": "rural",
                "area_km2": 1185,
                "towns": 18,
                "islands": 3,
                "schools": {"primary": 30, "junior": 20},
                "pupils": {"primary": 9000, "junior": 5000},
                "income_level": 0.7,
                "house_price_cny_per_m2": 20000,
            },
        ]
    },
}


def island_county() -> dict[str, Any]:
    """A fresh copy of `ISLAND_COUNTY`."""
    return copy.deepcopy(ISLAND_COUNTY)


def simulate(scenario: Any, seed: int, years: int, **overrides: Any) -> EduModel:
    """Run `scenario` (path or mapping) for `years` with dotted-path `overrides`."""
    return EduModel(scenario, seed=seed, years=years, overrides=overrides).run()


def panel(model: EduModel, column: str) -> pd.DataFrame:
    """One column of the schools table as school x year."""
    return model.tables()["schools"].pivot(index="school", columns="year", values=column)


def metric_by_year(model: EduModel, name: str) -> pd.Series:
    """One metric by observed year."""
    metrics = model.tables()["metrics"]
    return metrics[metrics.metric == name].set_index("year")["value"].sort_index()


def core_member_pairs(model: EduModel) -> list[tuple[int, int]]:
    """(core, member) school indices of every group that formed."""
    groups = model.groups
    members = groups.role == MEMBER
    return [
        (int(groups.groups[group].core), int(school))
        for school, group in zip(groups.school[members], groups.group[members], strict=True)
    ]


def member_schools(model: EduModel) -> np.ndarray:
    """Indices of the schools that joined a group as members."""
    return np.unique(model.groups.school[model.groups.role == MEMBER])


def in_county_rule(kind: str, stage: str, groups: int) -> dict[str, Any]:
    """Chongming's in-district groups: each of the county's strongest schools of `stage`
    takes one or two nearby small schools (digest: 'one quality school merged with 1-2
    nearby small schools'), `groups` of them, formed in the first school year."""
    return {
        "name": f"{kind}-{stage}",
        "kind": kind,
        "formed": "2018-09-01",
        "stage": stage,
        "districts": ["Isles"],
        "member_pool": ["small"],
        "max_members": 2,
        "max_cores": groups,
    }
