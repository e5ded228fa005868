"""When dated policy takes effect: the school year of a date, and dated items that fall
after a shortened run."""

from __future__ import annotations

import datetime as dt

from edusim.scenario.problems import Problem
from edusim.scenario.schema import Scenario


def school_year_of_date(date: dt.date) -> int:
    """Dated policy takes effect at the first school-year start (1 September) on or after it."""
    return date.year if (date.month, date.day) <= (9, 1) else date.year + 1


def takes_effect_in_run(date: dt.date, start_year: int, end_year: int) -> bool:
    """Whether a dated policy takes effect in one of the school years [start_year, end_year)."""
    return start_year <= school_year_of_date(date) < end_year


def skipped_after_run(scenario: Scenario) -> list[Problem]:
    """Dated items (timeline events, explicit groups, group rules) that would take effect
    after the run's last school year. A shortened run skips them (the CLI says so, one
    line each); items dated before the start are errors (`consistency_problems`)."""
    start, end = scenario.start_year, scenario.start_year + scenario.years
    groups = scenario.groups
    dated = [
        (f"timeline[{i}].date", e.date, f"event '{e.label}'" if e.label else "event")
        for i, e in enumerate(scenario.timeline)
    ]
    dated += [
        (f"groups.explicit[{i}].formed", g.formed, f"group '{g.name}'")
        for i, g in enumerate(groups.explicit)
    ]
    dated += [
        (f"groups.rules[{i}].formed", r.formed, f"rule '{r.name}'")
        for i, r in enumerate(groups.rules)
    ]
    return [
        Problem(
            path,
            f"{date} takes effect in school year {school_year_of_date(date)}, after the run "
            f"({start}-{end - 1}): {item} skipped",
        )
        for path, date, item in dated
        if school_year_of_date(date) >= end
    ]
