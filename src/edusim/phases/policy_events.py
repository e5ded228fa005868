"""Policy phase: the scenario's dated events take effect at the start of a school year."""

from __future__ import annotations

from edusim.phases.base import Phase
from edusim.scenario.loader import apply_override, validate_mapping
from edusim.scenario.schema import TimelineEvent


def school_year_of_effect(event: TimelineEvent) -> int:
    """Events take effect at the first school-year start (1 September) on or after their date."""
    date = event.date
    return date.year if (date.month, date.day) <= (9, 1) else date.year + 1


class PolicyEvents(Phase):
    """Fires the timeline: replaces the parameters in force (`model.params`)."""

    name = "policy"
    month_day = (9, 1)
    description = "dated policy events take effect; parameters in force are updated"

    def step(self, year: int) -> None:
        model = self.model
        for event in model.scenario.timeline:
            if school_year_of_effect(event) != year:
                continue
            data = model.params.model_dump(mode="python")
            for dotted, value in event.set.items():
                apply_override(data, dotted, value)
            model.params = validate_mapping(data, f"timeline event '{event.label}'")
            model.log_event(
                year,
                "policy",
                event.label or "parameters changed",
                {
                    "date": event.date.isoformat(),
                    "set": {k: v for k, v in event.set.items()},
                },
            )
