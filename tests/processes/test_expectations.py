"""Rule-aware expectations: which intakes read an announced rule, and the blend."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from edusim.processes.expectations import (
    announcement_date,
    group_news_years,
    months_before,
    read_rule,
    rule_news_years,
)
from edusim.scenario.expectations import ExpectationParams
from edusim.scenario.groups import GroupParams
from edusim.scenario.timeline import TimelineEvent


def zones_event(date: str, announced: str | None = None, key: str = "enrollment.rule"):
    spec = {"date": date, "set": {key: "zones"}}
    if announced is not None:
        spec["announced"] = announced
    return TimelineEvent(**spec)


def test_months_before_clamps_to_the_end_of_a_shorter_month():
    assert months_before(dt.date(2020, 5, 31), 3) == dt.date(2020, 2, 29)
    assert months_before(dt.date(2021, 5, 31), 3) == dt.date(2021, 2, 28)
    assert months_before(dt.date(2020, 9, 1), 4) == dt.date(2020, 5, 1)
    assert months_before(dt.date(2020, 1, 15), 13) == dt.date(2018, 12, 15)


@given(
    st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.integers(0, 240),
)
def test_months_before_goes_back_exactly_that_many_calendar_months(date, months):
    earlier = months_before(date, months)
    assert (date.year * 12 + date.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier.day <= date.day


def test_the_default_announcement_is_the_lead_before_the_event_takes_effect():
    params = ExpectationParams(announcement_lead_months=4)
    # dated after 1 September: it takes effect the next September
    assert announcement_date(zones_event("2019-10-01"), params) == dt.date(2020, 5, 1)
    assert announcement_date(zones_event("2020-09-01", "2020-04-30"), params) == dt.date(
        2020, 4, 30
    )


def test_families_read_rules_announced_in_time_and_only_enrollment_rules():
    params = ExpectationParams(model="rule_aware", decision_lead_months=1)
    events = [
        zones_event("2020-09-01", announced="2020-04-30"),  # read at the 2020 intake
        zones_event("2022-09-01", announced="2022-08-20"),  # too late for 2022's families
        zones_event("2024-09-01", key="funding.budget_cny"),  # not an enrollment rule
        zones_event("2025-08-01", announced="2025-08-01"),  # on the cut-off day itself: read
    ]
    assert rule_news_years(events, params) == {2020, 2025}
    assert rule_news_years(events, ExpectationParams(model="adaptive")) == set()
    assert rule_news_years(events, ExpectationParams(model="mixed")) == {2020, 2025}


def test_families_read_the_formation_of_groups_that_lend_their_name():
    groups = GroupParams(
        kinds={"alliance": {"brand_sharing": 0.0}},
        explicit=[
            # takes effect on 1 September 2021: read at the 2021 intake
            {"name": "A", "kind": "tight", "core": "x", "members": ["y"], "formed": "2020-10-01"},
            # an alliance shares no name: its members' reputations do not change at once
            {
                "name": "B",
                "kind": "alliance",
                "core": "x",
                "members": ["z"],
                "formed": "2023-09-01",
            },
        ],
        rules=[{"name": "R", "kind": "horizontal", "formed": "2024-09-01", "stage": "primary"}],
    )
    assert groups.kinds["tight"].brand_sharing > 0 and groups.kinds["horizontal"].brand_sharing > 0
    assert group_news_years(groups, ExpectationParams(model="mixed")) == {2021, 2024}
    assert group_news_years(groups, ExpectationParams(model="adaptive")) == set()
    late = ExpectationParams(model="rule_aware", announcement_lead_months=0, decision_lead_months=1)
    assert group_news_years(groups, late) == set()


def test_an_announcement_after_the_event_takes_effect_is_refused():
    with pytest.raises(ValidationError, match="after the event takes effect"):
        zones_event("2020-09-01", announced="2020-09-02")


def test_the_blend_weighs_forecast_and_experience_as_the_model_says():
    learned, forecast = np.array([[1.0, 0.0]]), np.array([[0.0, 2.0]])
    np.testing.assert_allclose(
        read_rule(learned, forecast, ExpectationParams(model="rule_aware")), forecast
    )
    np.testing.assert_allclose(
        read_rule(learned, forecast, ExpectationParams(model="adaptive")), learned
    )
    mixed = ExpectationParams(model="mixed", rule_aware_weight=0.25)
    np.testing.assert_allclose(read_rule(learned, forecast, mixed), [[0.75, 0.5]])
