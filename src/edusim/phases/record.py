"""Record phase: the year's metrics and school table are appended to the results."""

from __future__ import annotations

from edusim.phases.base import Phase


class Record(Phase):
    """Computes every registered metric and snapshots the school table."""

    name = "record"
    month_day = (7, 15)
    description = "metrics computed from the registry; school table recorded"

    def step(self, year: int) -> None:
        self.model.record(observed_year=year + 1)
