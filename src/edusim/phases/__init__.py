"""The phases of a school year, in calendar order (see edusim.calendar). Each phase is the one place that mutates model state
while it runs; the rules it applies are pure functions in `policy/` and `processes/`."""

from edusim.phases.base import Phase
from edusim.phases.evaluation import Evaluation
from edusim.phases.intake import Intake
from edusim.phases.policy_events import PolicyEvents
from edusim.phases.record import Record
from edusim.phases.school_year import SchoolYear
from edusim.phases.staffing import Staffing

__all__ = ["Evaluation", "Intake", "Phase", "PolicyEvents", "Record", "SchoolYear", "Staffing"]

PHASE_ORDER: tuple[type[Phase], ...] = (
    PolicyEvents,
    Staffing,
    Intake,
    SchoolYear,
    Evaluation,
    Record,
)
"""The yearly phases in the order they run; `edusim describe --plan` prints this order."""
