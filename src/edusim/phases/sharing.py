"""What groups share besides teachers and management, added to the year's teaching quality
by the school-year phase: shared courses at the core (policy/shared_courses.py) and shared
facilities (processes/facilities.py), after-school services run with the core
(policy/shared_courses.py). All are off (0) unless a kind's `shared_courses`,
`shared_facilities` or `shared_after_school` is set, and then nothing here is computed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.agents.groups import MEMBER
from edusim.policy.group_effects import integration_share
from edusim.policy.shared_courses import (
    after_school_gain,
    shared_course_gain,
    travel_hours_lost,
)
from edusim.processes.facilities import facility_stock, shared_facility_gain
from edusim.scenario.groups import GroupKindParams

if TYPE_CHECKING:
    from edusim.model import EduModel


def kind_column(kinds: dict[str, GroupKindParams], row_kind: np.ndarray, name: str) -> np.ndarray:
    """A kind parameter per membership row (one lookup per distinct kind). A name that is
    no parameter of a group kind is refused, with or without groups (a misspelt name
    would otherwise read as 0 in a run without groups and fail only in one with them)."""
    if name not in GroupKindParams.model_fields:
        raise ValueError(f"kind_column: {name!r} is not a parameter of a group kind")
    if row_kind.size == 0:
        return np.zeros(0)
    names, inverse = np.unique(row_kind.astype(str), return_inverse=True)
    values = np.array([float(getattr(kinds[k], name)) for k in names])
    return values[inverse]


def sharing_gain(model: EduModel, year: int, quality: np.ndarray) -> np.ndarray:
    """Teaching quality each school gains this year from shared facilities (every campus),
    then from shared courses and shared after-school services (members), given the year's
    quality before them (after-school services are judged against the quality before
    any sharing: the core's staff run them, not its facilities)."""
    gain = np.zeros(quality.size)
    groups = model.groups
    if groups.school.size == 0:
        return gain
    kinds = model.params.groups.kinds
    if not any(
        k.shared_courses > 0 or k.shared_facilities > 0 or k.shared_after_school > 0
        for k in kinds.values()
    ):
        return gain
    sharing = model.params.sharing
    row_kind = groups.kind_of_rows()
    facilities = kind_column(kinds, row_kind, "shared_facilities")
    if (facilities > 0).any():
        table = model.school_table
        stock = facility_stock(
            table.rural,
            table.capacity,
            sharing.facilities_rural_gap,
            sharing.facilities_small_gap,
            sharing.small_school_pupils,
        )
        gain += shared_facility_gain(
            stock,
            groups.school,
            groups.group,
            facilities,
            len(groups.groups),
            sharing.facility_effect,
        )
    members = groups.role == MEMBER
    courses = kind_column(kinds, row_kind, "shared_courses")[members]
    if (courses > 0).any():
        school, core = groups.school[members], groups.core_of_rows()[members]
        share = courses * integration_share(
            groups.joined_year[members],
            year,
            kind_column(kinds, row_kind, "transition_years")[members],
        )
        hours = travel_hours_lost(
            share,
            model.school_travel_km()[core, school],
            sharing.weekly_lesson_hours,
            sharing.hours_per_course_trip,
            sharing.course_travel_share,
            sharing.travel_speed_kmh,
        )
        gain += shared_course_gain(
            quality + gain,
            school,
            core,
            share,
            sharing.course_travel_share,
            hours,
            sharing.instruction_hour_effect,
        )
    after_school = kind_column(kinds, row_kind, "shared_after_school")[members]
    if (after_school > 0).any():
        school, core = groups.school[members], groups.core_of_rows()[members]
        gain += after_school_gain(
            quality,
            school,
            core,
            after_school,
            sharing.after_school_hours / sharing.weekly_lesson_hours,
            sharing.after_school_learning_weight,
        )
    return gain


def experimental_seats(model: EduModel) -> np.ndarray | None:
    """Seats per junior grade in each school's experimental classes (classes x class
    size, at the cores of explicit groups with `experimental_classes`, while the group
    is active), or None when no group has any (policy/tracking.py)."""
    wanted = {g.name: g.experimental_classes for g in model.params.groups.explicit}
    if not any(wanted.values()):
        return None
    table = model.school_table
    classes = np.zeros(len(table), dtype=np.int64)
    for group in model.groups.groups:
        if group.active and wanted.get(group.name, 0) > 0:
            classes[group.core] = max(classes[group.core], wanted[group.name])
    if not classes.any():
        return None
    return classes * table.class_size
