"""Dated policy events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edusim.scenario.fields import Section, entry


class TimelineEvent(Section):
    """A dated policy event: on `date` the listed parameters take new values."""

    date: dt.date = entry(
        unit="date",
        description="date of the event (YYYY-MM-DD); it takes effect on the first 1 September on or after it",
    )
    label: str = entry("", unit="text", description="what happened, for the event log")
    set: dict[str, Any] = entry(
        unit="parameter paths and values",
        description="dotted parameter paths and their new values",
        min_length=1,
    )
