"""Invariants of enrollment over random small cities and every rule: each pupil has exactly
one school of its stage in its district, and no school admits more than its places."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edusim.model import EduModel

RULES = ("catchment", "zones", "group", "choice", "achievement")
MECHANISMS = (
    "deferred_acceptance",
    "immediate_acceptance",
    "parallel",
    "serial_dictatorship",
    "top_trading_cycles",
)


@st.composite
def small_cities(draw) -> dict:
    districts = []
    for index in range(draw(st.integers(1, 3))):
        primary = draw(st.integers(1, 6))
        junior = draw(st.integers(1, 4))
        districts.append(
            {
                "name": f"D{index}",
                "kind": draw(st.sampled_from(["urban", "suburban", "rural"])),
                "area_km2": draw(st.floats(5, 300)),
                "towns": 2,
                "schools": {"primary": primary, "junior": junior},
                "pupils": {
                    "primary": draw(st.integers(60, 1500)),
                    "junior": draw(st.integers(30, 800)),
                },
                "private_schools": {
                    "primary": draw(st.integers(0, primary - 1)),
                    "junior": draw(st.integers(0, junior - 1)),
                },
            }
        )
    return {
        "name": "random",
        "seed": draw(st.integers(0, 10_000)),
        "start_year": 2018,
        "years": 3,
        "city": {"districts": districts},
        "families": {"cohort_growth": draw(st.floats(-0.05, 0.1))},
        "enrollment": {
            "rule": draw(st.sampled_from(RULES)),
            "mechanism": draw(st.sampled_from(MECHANISMS)),
            "private_mechanism": draw(st.sampled_from(MECHANISMS)),
            "tie_breaking": draw(st.sampled_from(["single", "multiple"])),
            "strategy": draw(st.sampled_from(["sincere", "cutoffs"])),
            "misreport_sample": draw(st.sampled_from([0, 3])),
            "reserved_share": draw(st.sampled_from([0.0, 0.5])),
            "private_admission": draw(st.sampled_from(["test", "lottery"])),
            "dwelling_rule_years": draw(st.sampled_from([0, 6])),
        },
        "groups": {
            "rules": [
                {
                    "name": "G",
                    "kind": draw(st.sampled_from(["tight", "alliance"])),
                    "formed": "2018-09-01",
                    "stage": "primary",
                    "target_share": 0.5,
                }
            ]
        },
    }


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cities())
def test_every_pupil_has_one_school_and_capacity_holds(city):
    model = EduModel(city)
    while model.running:
        model.step()
        families, table = model.families, model.school_table
        assert (families.school >= 0).all()
        stage = (families.grade >= 7).astype(int)
        assert (table.stage[families.school] == stage).all()
        assert (table.district[families.school] == families.district).all()
        for grade in range(1, 10):
            counts = np.bincount(families.school[families.grade == grade], minlength=len(table))
            assert (counts <= table.entry_capacity).all()
