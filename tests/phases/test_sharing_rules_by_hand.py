"""What groups share besides teachers, by hand (phases/sharing.py): shared facilities,
shared courses (with the lesson time pupils lose on the road) and shared after-school
services, each a worked number on the small city with the schools' quality, facility
stock and travel set by hand; and the seats of experimental classes at a named group's
core.

Written after the phases' fresh mutation sample of seed 27 (docs/testing.md), which
was taken before any of these tests existed."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.phases.sharing import experimental_seats, kind_column, sharing_gain

SEED = 3
CORE, P02, ISLES_P01 = 0, 1, 6  # Core-P01 (the core), Core-P02, Isles-P01 (members)
ALL_ON = {
    "groups.kinds.alliance.shared_facilities": 0.5,
    "groups.kinds.alliance.shared_courses": 0.3,
    "groups.kinds.alliance.shared_after_school": 0.4,
    "groups.kinds.alliance.transition_years": 1,
    "sharing.course_travel_share": 0.5,
}


def _group(small_scenario, monkeypatch, **overrides) -> tuple[EduModel, np.ndarray]:
    """Named alliance G (core Core-P01, members Core-P02 and Isles-P01) formed in 2018,
    after the first year; the three campuses' teaching quality 0.5, 0.2, 0.1; places 540,
    270 and 540, under 300 small (`small_school_pupils`), with Isles-P01 rural, so
    facility stocks 1.0, 0.8 (small), 0.7 (rural);
    travel from the core 5 km to Core-P02 and 50 km to Isles-P01."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "G", "kind": "alliance", "core": "Core-P01",
             "members": ["Core-P02", "Isles-P01"], "formed": "2018-09-01"}
        ]
    }  # fmt: skip
    overrides = {"sharing.small_school_pupils": 300, **overrides}
    model = EduModel(small_scenario, seed=SEED, years=3, overrides=overrides)
    model.step()
    table = model.school_table
    table.classes_per_grade[[CORE, P02, ISLES_P01]] = [2, 1, 2]
    table.class_size[[CORE, P02, ISLES_P01]] = 45
    assert table.capacity[[CORE, P02, ISLES_P01]].tolist() == [540, 270, 540]
    table.rural[[CORE, P02, ISLES_P01]] = [False, False, True]
    travel = np.full((len(table), len(table)), 10.0)
    np.fill_diagonal(travel, 0.0)
    travel[CORE, P02] = travel[P02, CORE] = 5.0
    travel[CORE, ISLES_P01] = travel[ISLES_P01, CORE] = 50.0
    monkeypatch.setattr(model, "school_travel_km", lambda: travel)
    quality = np.zeros(len(table))
    quality[[CORE, P02, ISLES_P01]] = [0.5, 0.2, 0.1]
    return model, quality


def test_each_sharing_channel_adds_its_worked_share_of_the_gap(small_scenario, monkeypatch):
    """Defaults: facility effect 0.03, 20 lesson hours a week, 3 lesson hours a trip,
    25 km/h, 0.04 SD a weekly hour lost, 10 after-school hours of weight 0.25.

    Facilities (`phi` 0.5, best stock in G 1.0): Core-P02 0.03 x 0.5 x (1 - 0.8) =
    0.003, Isles-P01 0.03 x 0.5 x (1 - 0.7) = 0.0045, the core 0.

    Courses in G's first year: share 0.3 x integration (2018 - 2018 + 1) / (1 + 1) =
    0.15; half of them at the core's campus (`course_travel_share` 0.5), so 0.5 x 0.15 x
    20 = 1.5 hours a week travelled for, costing 1.5 / 3 x 2 x 5 / 25 = 0.2 hours for
    Core-P02 and min(1.5, 1.5 / 3 x 2 x 50 / 25 = 2) = 1.5 for Isles-P01. The gap is
    taken after the facilities (0.5 - 0.203 = 0.297; 0.5 - 0.1045 = 0.3955):
    Core-P02 0.15 x 0.5 x 0.297 + (0.15 x 0.5 x 0.297 - 0.04 x 0.2) = 0.036550;
    Isles-P01 0.15 x 0.5 x 0.3955 + max(0, 0.0296625 - 0.06) = 0.0296625.

    After-school (share 0.4, against the quality before any sharing): 0.25 x 10 / 20 x
    0.4 x gap = 0.015 (gap 0.3) and 0.02 (gap 0.4)."""
    model, quality = _group(small_scenario, monkeypatch, **ALL_ON)
    gain = sharing_gain(model, 2018, quality)
    expected = np.zeros(quality.size)
    expected[P02] = 0.003 + 0.036550 + 0.015
    expected[ISLES_P01] = 0.0045 + 0.0296625 + 0.02
    np.testing.assert_allclose(gain, expected, rtol=0, atol=1e-12)


def test_shared_courses_are_taken_up_over_the_transition_and_then_in_full(
    small_scenario, monkeypatch
):
    """Courses alone, pupils always travelling (`course_travel_share` 1). In 2018 (first
    year of G, one transition year) the share is 0.3 x 1/2 = 0.15: 3 hours a week
    travelled for; Core-P02 loses 3 / 3 x 2 x 5 / 25 = 0.4 of them and gains
    0.15 x 0.3 - 0.04 x 0.4 = 0.029; Isles-P01 loses all 3 (100 km a trip take 4 hours)
    and 0.15 x 0.4 - 0.12 < 0 gains nothing. In 2019 the share is the full 0.3: 6 hours,
    Core-P02 loses 0.8 and gains 0.3 x 0.3 - 0.032 = 0.058, Isles-P01 loses 6 and
    gains nothing."""
    courses = {
        "groups.kinds.alliance.shared_courses": 0.3,
        "groups.kinds.alliance.transition_years": 1,
    }
    model, quality = _group(small_scenario, monkeypatch, **courses)
    for year, core_p02 in ((2018, 0.029), (2019, 0.058)):
        gain = sharing_gain(model, year, quality)
        expected = np.zeros(quality.size)
        expected[P02] = core_p02
        np.testing.assert_allclose(gain, expected, rtol=0, atol=1e-12)


def test_a_school_in_two_sharing_groups_gains_by_the_better_one(small_scenario, monkeypatch):
    """Core-P02 is also a member of a second alliance H around Core-P03 (quality 0.35,
    travel 5 km): after-school services alone (share 0.4) give 0.25 x 10 / 20 x 0.4 x gap
    = 0.05 x gap per group, 0.05 x 0.3 = 0.015 through G and 0.05 x 0.15 = 0.0075
    through H; the better one counts, not their sum (Isles-P01: 0.05 x 0.4 = 0.02)."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "G", "kind": "alliance", "core": "Core-P01",
             "members": ["Core-P02", "Isles-P01"], "formed": "2018-09-01"},
            {"name": "H", "kind": "alliance", "core": "Core-P03",
             "members": ["Core-P02"], "formed": "2018-09-01"},
        ]
    }  # fmt: skip
    model = EduModel(
        small_scenario,
        seed=SEED,
        years=2,
        overrides={"groups.kinds.alliance.shared_after_school": 0.4},
    )
    model.step()
    quality = np.zeros(len(model.school_table))
    quality[[CORE, P02, 2, ISLES_P01]] = [0.5, 0.2, 0.35, 0.1]
    gain = sharing_gain(model, 2018, quality)
    assert gain[P02] == pytest.approx(0.015, abs=1e-12)
    assert gain[ISLES_P01] == pytest.approx(0.02, abs=1e-12)
    assert gain[[CORE, 2]].tolist() == [0.0, 0.0]


def test_without_any_kind_sharing_nothing_is_gained(small_scenario, monkeypatch):
    """Group G with no sharing parameter set: every school gains exactly 0."""
    model, quality = _group(small_scenario, monkeypatch)
    assert not sharing_gain(model, 2018, quality).any()


def test_kind_column_reads_each_rows_kind(small_city):
    """One value per membership row, from that row's kind."""
    from edusim.scenario.groups import DEFAULT_KINDS

    rows = np.array(["tight", "alliance", "tight", "horizontal"])
    np.testing.assert_array_equal(
        kind_column(DEFAULT_KINDS, rows, "transition_years"), [2.0, 0.0, 2.0, 1.0]
    )
    assert kind_column(DEFAULT_KINDS, np.array([], dtype=str), "shared_courses").size == 0


def test_experimental_classes_seat_classes_times_class_size_at_the_core_while_active(
    small_scenario,
):
    """A named junior group J (core Core-J01, member Core-J02) with 2 experimental
    classes: Core-J01 has 2 x its class size seats a grade, every other school 0; before
    J forms (2018: formed 2019) there are none (None); a group without them gives None."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "J", "kind": "tight", "core": "Core-J01", "members": ["Core-J02"],
             "formed": "2019-09-01", "experimental_classes": 2},
        ]
    }  # fmt: skip
    model = EduModel(small_scenario, seed=SEED, years=3)
    model.step()
    assert experimental_seats(model) is None  # J is not formed yet
    model.step()
    table = model.school_table
    j01 = int(np.flatnonzero(table.name == "Core-J01")[0])
    seats = experimental_seats(model)
    expected = np.zeros(len(table), dtype=np.int64)
    expected[j01] = 2 * table.class_size[j01]
    np.testing.assert_array_equal(seats, expected)
    assert table.class_size[j01] > 0
    small_scenario["groups"]["explicit"][0]["experimental_classes"] = 0
    plain = EduModel(small_scenario, seed=SEED, years=3)
    assert experimental_seats(plain) is None
