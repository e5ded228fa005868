"""Rule-aware expectations: which intakes read an announced change of the enrollment rules
or the formation of groups that share their core's name, and how a family blends a
rule's forecast with what it learned from outcomes.

The forecast itself is a placement of the year's entrants from their present addresses
under the rule in force (phases/intake.py, `Intake._read_rules`), turned into the expected
reputation of each (ladder class, catchment) by `family_choice.access_reputation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np

from edusim.scenario.expectations import ExpectationParams
from edusim.scenario.groups import GroupParams
from edusim.scenario.policy_dates import school_year_of_date
from edusim.scenario.timeline import TimelineEvent

RULE_PREFIX = "enrollment."
"""Parameters whose change is a change of the enrollment rules families read."""


def months_before(date: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    index = date.year * 12 + date.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last_day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(date.day, last_day))


def announcement_date(event: TimelineEvent, params: ExpectationParams) -> dt.date:
    """When the event was announced: its own date, or the default lead before it takes effect."""
    if event.announced is not None:
        return event.announced
    return months_before(event.takes_effect, params.announcement_lead_months)


def changes_rules(event: TimelineEvent) -> bool:
    """Whether the event changes an enrollment setting."""
    return any(key.startswith(RULE_PREFIX) for key in event.set)


def rule_news_years(events: Iterable[TimelineEvent], params: ExpectationParams) -> set[int]:
    """School years at whose intake entering families read a change of the enrollment rules
    that takes effect then: announced at least `decision_lead_months` before that intake.
    Empty for adaptive families, who read no rule."""
    if params.model == "adaptive":
        return set()
    years = set()
    for event in events:
        if not changes_rules(event):
            continue
        effect = event.takes_effect
        if announcement_date(event, params) <= months_before(effect, params.decision_lead_months):
            years.add(effect.year)
    return years


def group_news_years(groups: GroupParams, params: ExpectationParams) -> set[int]:
    """School years at whose intake entering families read the formation of groups whose
    kind shares the core's name with its members (`brand_sharing` > 0): a formation is
    public before it takes effect (a group has no `announced:` date of its own, so it is
    announced `announcement_lead_months` before), and the members' reputations it sets
    are what a rule-aware family expects there, not last year's. Empty for adaptive
    families and when the default lead falls after the address's cut-off."""
    if params.model == "adaptive" or params.announcement_lead_months < params.decision_lead_months:
        return set()
    return {
        school_year_of_date(spec.formed)
        for spec in (*groups.rules, *groups.explicit)
        if groups.kinds[spec.kind].brand_sharing > 0
    }


def forecast_weight(params: ExpectationParams) -> float:
    """Weight of a rule's forecast in the expectation after the rule's news."""
    return {"adaptive": 0.0, "rule_aware": 1.0, "mixed": params.rule_aware_weight}[params.model]


def read_rule(learned: np.ndarray, forecast: np.ndarray, params: ExpectationParams) -> np.ndarray:
    """The expectation after families read a new rule: the forecast blended with what they
    had learned from outcomes."""
    weight = forecast_weight(params)
    return weight * forecast + (1.0 - weight) * learned
