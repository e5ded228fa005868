"""The annual calendar: a plan table of phases and dated events, run on a simpy clock.

The plan is data. `build_plan` lists, for every school year, each phase at its date and
each dated policy event under the policy phase that applies it; `Calendar` walks exactly
those rows on a simpy clock counted in days from 1 September of the start year.
`edusim describe SCENARIO --plan` prints the same table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import simpy

from edusim.phases import PHASE_ORDER, Phase
from edusim.phases.policy_events import school_year_of_effect
from edusim.scenario.schema import Scenario


@dataclass(frozen=True)
class PlanRow:
    """One entry of the calendar."""

    school_year: int
    date: dt.date
    order: int
    kind: str  # "phase" or "event"
    phase: str
    label: str


def phase_date(school_year: int, month_day: tuple[int, int]) -> dt.date:
    """Calendar date of a phase: September-December fall in `school_year`, the rest after."""
    month, day = month_day
    return dt.date(school_year if month >= 9 else school_year + 1, month, day)


def build_plan(scenario: Scenario, phases: Sequence[type[Phase]] = PHASE_ORDER) -> list[PlanRow]:
    """Every phase and dated event of the run, in execution order."""
    rows: list[PlanRow] = []
    for school_year in range(scenario.start_year, scenario.start_year + scenario.years):
        order = 0
        for phase in phases:
            date = phase_date(school_year, phase.month_day)
            rows.append(PlanRow(school_year, date, order, "phase", phase.name, phase.description))
            order += 1
            if phase.name != "policy":
                continue
            for event in scenario.timeline:
                if school_year_of_effect(event) == school_year:
                    label = (
                        f"{event.label or 'event'} (dated {event.date.isoformat()}): "
                        f"{event.summary}"
                    )
                    rows.append(PlanRow(school_year, date, order, "event", "policy", label))
                    order += 1
    return rows


def plan_table(scenario: Scenario) -> pd.DataFrame:
    """The plan as a DataFrame (school_year, date, order, kind, phase, label)."""
    return pd.DataFrame([row.__dict__ for row in build_plan(scenario)])


class Calendar:
    """Runs the plan's phase rows one school year at a time on a simpy clock (days)."""

    def __init__(self, scenario: Scenario, phases: Sequence[Phase]):
        self.plan = build_plan(scenario, [type(phase) for phase in phases])
        self.phases = {phase.name: phase for phase in phases}
        self.origin = dt.date(scenario.start_year, 9, 1).toordinal()
        self.env = simpy.Environment()
        self.executed: list[PlanRow] = []

    def run_school_year(self, school_year: int) -> None:
        """Advance the clock through one school year, running its phases in plan order."""
        rows = [row for row in self.plan if row.school_year == school_year and row.kind == "phase"]
        process = self.env.process(self._walk(rows))
        self.env.run(until=process)

    def _walk(self, rows: list[PlanRow]):
        for row in rows:
            wait = row.date.toordinal() - self.origin - self.env.now
            if wait > 0:
                yield self.env.timeout(wait)
            self.phases[row.phase].step(row.school_year)
            self.executed.append(row)


def schedule_markdown(phases: Sequence[type[Phase]] = PHASE_ORDER) -> str:
    """The yearly schedule as a markdown table (docs/ODD.md embeds it; a test compares)."""
    lines = ["| order | phase | date | what happens |", "|---|---|---|---|"]
    for order, phase in enumerate(phases):
        month, day = phase.month_day
        lines.append(f"| {order} | {phase.name} | {month:02d}-{day:02d} | {phase.description} |")
    return "\n".join(lines)
