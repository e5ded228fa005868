"""The calendar: phases in a pinned order every year, dated events under the policy phase."""

from __future__ import annotations

import datetime as dt

import pytest

from edusim.calendar import build_plan, phase_date, plan_table
from edusim.model import EduModel
from edusim.phases import PHASE_ORDER
from edusim.phases.policy_events import school_year_of_date
from edusim.scenario.loader import ScenarioError, load_scenario, skipped_after_run

PHASES = ["policy", "staffing", "enrollment", "school_year", "evaluation", "record"]

TIMELINE = [
    {"date": "2020-09-01", "label": "late", "set": {"learning.noise_sd": 0.2}},
    {"date": "2019-05-01", "label": "spring", "set": {"learning.peer_effect": 0.1}},
    {"date": "2019-09-01", "label": "autumn", "set": {"housing.adjust_speed": 0.3}},
]


@pytest.fixture(scope="module")
def scenario(demo_path):
    return load_scenario(demo_path, {"years": 3, "timeline": TIMELINE})


def test_phase_order_is_pinned():
    assert [phase.name for phase in PHASE_ORDER] == PHASES


def test_phase_dates():
    assert phase_date(2018, (9, 1)) == dt.date(2018, 9, 1)
    assert phase_date(2018, (12, 31)) == dt.date(2018, 12, 31)
    assert phase_date(2018, (7, 1)) == dt.date(2019, 7, 1)
    assert phase_date(2018, (1, 1)) == dt.date(2019, 1, 1)


def test_school_year_of_date():
    assert school_year_of_date(dt.date(2019, 9, 1)) == 2019
    assert school_year_of_date(dt.date(2019, 5, 1)) == 2019
    assert school_year_of_date(dt.date(2019, 9, 2)) == 2020
    assert school_year_of_date(dt.date(2019, 1, 1)) == 2019


def test_every_year_runs_exactly_the_phases_in_order(demo_path):
    plan = build_plan(load_scenario(demo_path, {"years": 4}))
    assert [row.kind for row in plan] == ["phase"] * 24
    for index, year in enumerate(range(2018, 2022)):
        rows = plan[6 * index : 6 * index + 6]
        assert [row.phase for row in rows] == PHASES
        assert [row.school_year for row in rows] == [year] * 6
        assert [row.order for row in rows] == list(range(6))
        assert rows[0].date == dt.date(year, 9, 1)
        assert rows[-1].date == dt.date(year + 1, 7, 15)
    dates = [row.date for row in plan]
    assert dates == sorted(dates)


def test_events_come_right_after_the_policy_phase_of_their_year(scenario):
    plan = build_plan(scenario)
    for year in (2018, 2019, 2020):
        rows = [row for row in plan if row.school_year == year]
        assert [r.phase for r in rows if r.kind == "phase"] == PHASES
        assert [r.order for r in rows] == list(range(len(rows)))
        events = [r for r in rows if r.kind == "event"]
        assert [r.order for r in events] == list(range(1, 1 + len(events)))
        assert all(r.phase == "policy" and r.date == rows[0].date for r in events)
    labels = [(r.school_year, r.label.split(" ")[0]) for r in plan if r.kind == "event"]
    # in timeline order within a year: spring (May 2019) and autumn (1 Sep 2019) in 2019
    assert labels == [(2019, "spring"), (2019, "autumn"), (2020, "late")]
    spring = next(r for r in plan if r.label.startswith("spring"))
    assert "2019-05-01" in spring.label and "learning.peer_effect=0.1" in spring.label


def test_plan_table_has_the_plan_rows(scenario):
    table = plan_table(scenario)
    assert list(table.columns) == ["school_year", "date", "order", "kind", "phase", "label"]
    assert len(table) == 3 * 6 + 3
    assert (table["kind"] == "event").sum() == 3


def test_the_calendar_walks_the_plan_and_events_change_the_parameters(scenario):
    model = EduModel(scenario, seed=2)
    initial = model.params
    model.step()  # school year 2018: no event
    assert model.params == initial
    model.step()  # 2019: spring and autumn
    assert model.params.learning.peer_effect == 0.1
    assert model.params.housing.adjust_speed == 0.3
    assert model.params.learning.noise_sd == initial.learning.noise_sd
    model.step()  # 2020: late
    assert model.params.learning.noise_sd == 0.2
    assert model.params.learning.peer_effect == 0.1  # earlier changes persist
    assert model.resolved_scenario == scenario  # the scenario itself never changes
    executed = [(row.school_year, row.phase) for row in model.calendar.executed]
    planned = [(r.school_year, r.phase) for r in build_plan(scenario) if r.kind == "phase"]
    assert executed == planned
    assert model.calendar.env.now == (dt.date(2021, 7, 15) - dt.date(2018, 9, 1)).days
    events = model.tables()["events"]
    policy = events[events["kind"] == "policy"]
    assert policy[["year", "label"]].values.tolist() == [
        [2019, "spring"],
        [2019, "autumn"],
        [2020, "late"],
    ]


@pytest.mark.parametrize(
    "date",
    [
        "2018-08-31",
        "2018-09-01",
        "2018-09-02",
        "2019-03-01",
        "2019-09-01",
        "2019-09-02",
        "2020-03-01",
        "2020-09-01",
    ],
)
def test_a_valid_event_always_takes_effect(demo_path, date):
    """Validation and the calendar agree: an event the loader accepts and does not list as
    skipped appears once in the plan and changes the parameters; one dated before the run
    is refused with its path; one taking effect after the run's end (school year 2019 is
    the last) is skipped: listed, absent from the plan, never applied."""
    timeline = [{"date": date, "label": "e", "set": {"learning.peer_effect": 0.2}}]
    day = dt.date.fromisoformat(date)
    try:
        scenario = load_scenario(demo_path, {"years": 2, "timeline": timeline})
    except ScenarioError as error:
        assert [p.path for p in error.problems] == ["timeline[0].date"]
        assert day < dt.date(2018, 9, 1)  # refused only when dated before the run starts
        return
    events = [row for row in build_plan(scenario) if row.kind == "event"]
    model = EduModel(scenario, seed=1).run()
    if skipped_after_run(scenario):
        assert school_year_of_date(day) > 2019
        assert events == [] and model.params.learning.peer_effect != 0.2
        return
    assert len(events) == 1
    assert model.params.learning.peer_effect == 0.2
