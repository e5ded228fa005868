"""Dated policy events: parameter changes and school changes (scenario/lifecycle.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import model_validator

from edusim.scenario.fields import Section, entry
from edusim.scenario.lifecycle import (
    SCHOOL_CHANGES,
    CloseSchool,
    MergeSchools,
    OpenSchool,
    ResizeSchool,
)


class TimelineEvent(Section):
    """A dated event: on `date` the listed parameters take new values and/or one school
    opens, merges into another, closes, expands or shrinks."""

    date: dt.date = entry(
        unit="date",
        description="date of the event (YYYY-MM-DD); it takes effect on the first 1 September on or after it",
    )
    announced: dt.date | None = entry(
        None,
        unit="date",
        description="when the event was announced (YYYY-MM-DD); default `expectations.announcement_lead_months` before it takes effect; rule-aware families read announced enrollment rules",
    )
    label: str = entry("", unit="text", description="what happened, for the event log")
    set: dict[str, Any] = entry(
        {},
        unit="parameter paths and values",
        description="dotted parameter paths and their new values",
    )
    open: OpenSchool | None = entry(None, unit="school", description="a school opens")
    merge: MergeSchools | None = entry(
        None, unit="school pair", description="a school is merged into another"
    )
    close: CloseSchool | None = entry(None, unit="school", description="a school closes")
    expand: ResizeSchool | None = entry(
        None, unit="school", description="a school adds classes per grade"
    )
    shrink: ResizeSchool | None = entry(
        None, unit="school", description="a school removes classes per grade"
    )

    @model_validator(mode="after")
    def _one_change(self) -> TimelineEvent:
        changes = [kind for kind in SCHOOL_CHANGES if getattr(self, kind) is not None]
        if len(changes) > 1:
            raise ValueError(
                f"an event carries at most one school change, got {', '.join(changes)} "
                "(give each its own event)"
            )
        if not changes and not self.set:
            raise ValueError(f"an event needs `set` or one of {', '.join(SCHOOL_CHANGES)}")
        if self.announced is not None and self.announced > self.takes_effect:
            raise ValueError(
                f"announced {self.announced} is after the event takes effect on"
                f" {self.takes_effect} (the first 1 September on or after its date)"
            )
        return self

    @property
    def takes_effect(self) -> dt.date:
        """The 1 September on which the event takes effect (the first on or after `date`)."""
        year = self.date.year + ((self.date.month, self.date.day) > (9, 1))
        return dt.date(year, 9, 1)

    @property
    def school_change(self) -> tuple[str, Any] | None:
        """(kind, spec) of the event's school change, or None."""
        for kind in SCHOOL_CHANGES:
            if getattr(self, kind) is not None:
                return kind, getattr(self, kind)
        return None

    @property
    def summary(self) -> str:
        """What the event changes, in one line (for the plan): `key=value` pairs, then the
        school change."""
        parts = [", ".join(f"{k}={v!r}" for k, v in self.set.items())] if self.set else []
        change = self.school_change
        if change is not None:
            kind, spec = change
            if kind == "open":
                parts.append(f"open {spec.name} ({spec.stage}, {spec.district})")
            elif kind == "merge":
                parts.append(f"merge {spec.school} into {spec.into}")
            elif kind == "close":
                parts.append(f"close {spec.school}")
            else:
                parts.append(f"{kind} {spec.school} by {spec.classes} classes per grade")
        return "; ".join(parts)
