"""School changes of the timeline, fired by the policy phase on 1 September before
staffing and enrollment: a school opens, merges into another, closes, expands or shrinks.

What each does (scenario/lifecycle.py; rows and the redraw rule: world/lifecycle.py):
- open: the row becomes active with its classes; its reputation starts at the mean of
  the open public schools of its stage in its district (assumption: the public has no
  results yet), its premium at 0 (the housing market sets it at the intake), its
  planned first intake counts as its enrollment so the staffing phase hires its teachers
  by the staffing standard; it may join a group or be entrusted to a school at once.
  It admits its first grade at this year's intake and fills one grade a year.
- merge: every pupil and teacher of the absorbed school moves to the absorbing one
  (older siblings' school too); with `keep_campus` its classes stay as the absorbing
  school's and its site as a campus; the absorbed school leaves its groups (a group it
  led dissolves).
- close: every pupil moves to the catchment school of their address on the redrawn map
  (the district's 统筹安排; private pupils too); teachers follow their pupils in
  proportion; the school leaves its groups.
- expand / shrink: classes per grade change (a shrink never below what the largest grade
  fills, nor below one class).
Receiving schools add the classes their largest grade needs, so no grade exceeds its
places. After an opening, merger or closure every catchment and feeder link is redrawn,
and the used dwellings and the dwelling stock follow the new catchments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from edusim.phases.housing_market import dwelling_stock
from edusim.processes.aggregate import school_counts
from edusim.scenario.lifecycle import OpenSchool
from edusim.world.lifecycle import (
    feeder_links,
    feeder_pairs,
    moved_with_cells,
    opening_rows,
    redrawn_catchments,
)
from edusim.world.schools import FIRST_GRADE

if TYPE_CHECKING:
    from edusim.model import EduModel
    from edusim.phases.policy_events import PolicyEvents

LAST_GRADE = 9
ENTRUSTED_TERM_YEARS = 6
"""Term of the group an opening forms with the school it is entrusted to, renewed at its
end (as an explicit group's default term: digest, Ninghe)."""


def apply_school_change(phase: PolicyEvents, year: int, kind: str, spec: Any) -> dict[str, Any]:
    """Apply one school change of the timeline; returns what happened, for the event log."""
    model = phase.model
    index = {str(name): row for row, name in enumerate(model.school_table.name)}
    if kind == "open":
        detail = _open(phase, year, spec, index)
    elif kind == "merge":
        detail = _merge(model, year, index[spec.school], index[spec.into], spec.keep_campus)
    elif kind == "close":
        detail = _close(model, year, index[spec.school])
    else:
        detail = _resize(
            model, index[spec.school], spec.classes if kind == "expand" else -spec.classes
        )
    model.school_table.enrollment = school_counts(model.families.school, len(model.school_table))
    if kind == "open":  # staffing hires for the planned first intake (see module doc)
        rows = [index[name] for name, _ in opening_rows(spec)]
        model.school_table.enrollment[rows] = model.school_table.entry_capacity[rows]
    return detail


def _open(phase: PolicyEvents, year: int, spec: OpenSchool, index: dict[str, int]) -> dict:
    model = phase.model
    table = model.school_table
    rows = [index[name] for name, _ in opening_rows(spec)]
    for row in rows:
        peers = (
            table.active
            & ~table.private
            & (table.stage == table.stage[row])
            & (table.district == table.district[row])
        )
        table.active[row] = True
        table.opened_year[row] = year
        table.classes_per_grade[row] = spec.classes_per_grade
        table.reputation[row] = float(table.reputation[peers].mean()) if peers.any() else 0.0
        table.premium_share[row] = 0.0
    _redraw(model)
    if spec.entrusted_to:  # one school, one trusteeship: a nine-year school's two sections
        phase.form_group(  # are members of one entrusted group
            year,
            f"{spec.entrusted_to}-entrusted-{spec.name}",
            "entrusted",
            index[spec.entrusted_to],
            np.asarray(rows, dtype=np.int64),
            ENTRUSTED_TERM_YEARS,
            True,
        )
    for row in rows:
        if spec.join_group:
            phase.join_group(year, spec.join_group, row)
        for stage in (0, 1):  # what the new catchment gives: its reputation, for every class
            model.access_reputation[stage][:, row] = table.reputation[row]
    return {
        "school": spec.name,
        "rows": [str(table.name[r]) for r in rows],
        "stage": spec.stage,
        "district": spec.district,
        "town": int(table.town[rows[0]]),
        "x_km": round(float(table.x_km[rows[0]]), 3),
        "y_km": round(float(table.y_km[rows[0]]), 3),
        "classes_per_grade": spec.classes_per_grade,
    }


def _merge(model: EduModel, year: int, absorbed: int, into: int, keep_campus: bool) -> dict:
    table, families, teachers = model.school_table, model.families, model.teachers
    pupils = int((families.school == absorbed).sum())
    moved_teachers = int((teachers.home_school == absorbed).sum())
    families.school[families.school == absorbed] = into
    families.sibling_school[families.sibling_school == absorbed] = into
    teachers.home_school[teachers.home_school == absorbed] = into
    arriving = teachers.school == absorbed
    teachers.school[arriving] = into
    teachers.years_at_school[arriving] = 0.0
    if keep_campus:
        table.classes_per_grade[into] += table.classes_per_grade[absorbed]
        cells, owners = model.campuses
        owners = np.where(owners == absorbed, into, owners)
        model.campuses = (np.append(cells, table.cell[absorbed]), np.append(owners, into))
    model.merged_into[absorbed] = into
    _retire_row(model, year, absorbed)
    _redraw(model)
    _seat_every_grade(model, np.array([into]))
    return {
        "school": str(table.name[absorbed]),
        "into": str(table.name[into]),
        "keep_campus": keep_campus,
        "pupils": pupils,
        "teachers": moved_teachers,
    }


def _close(model: EduModel, year: int, school: int) -> dict:
    table, families, teachers = model.school_table, model.families, model.teachers
    _retire_row(model, year, school)
    _redraw(model)
    pupils = np.flatnonzero(families.school == school)
    stage = np.where(families.grade[pupils] >= FIRST_GRADE[1], 1, 0)
    receiving = model.catchments.cell_school[stage, families.cell[pupils]]
    if (receiving < 0).any():  # validation refuses closing a district's last school
        raise RuntimeError(f"closing {table.name[school]} leaves pupils without a school")
    families.school[pupils] = receiving
    families.sibling_school[families.sibling_school == school] = -1
    received = np.bincount(receiving, minlength=len(table))
    staff = np.flatnonzero(teachers.home_school == school)
    staff = staff[np.argsort(teachers.uid[staff], kind="stable")]
    destination = _in_proportion(received, staff.size)
    teachers.home_school[staff] = destination
    at_home = teachers.school[staff] == school
    teachers.school[staff[at_home]] = destination[at_home]
    visiting = np.flatnonzero(teachers.school == school)  # posted in: back home
    teachers.school[visiting] = teachers.home_school[visiting]
    teachers.posting_end[visiting] = -1
    teachers.posting_kind[visiting] = 0
    teachers.years_at_school[staff] = 0.0
    teachers.years_at_school[visiting] = 0.0
    _seat_every_grade(model, np.flatnonzero(received))
    return {
        "school": str(table.name[school]),
        "pupils": int(pupils.size),
        "teachers": int(staff.size),
        "receiving": {str(table.name[r]): int(received[r]) for r in np.flatnonzero(received)},
    }


def _resize(model: EduModel, school: int, change: int) -> dict:
    table = model.school_table
    before = int(table.classes_per_grade[school])
    table.classes_per_grade[school] = max(before + change, 1)
    _seat_every_grade(model, np.array([school]))
    return {
        "school": str(table.name[school]),
        "classes_before": before,
        "classes_after": int(table.classes_per_grade[school]),
    }


def _retire_row(model: EduModel, year: int, school: int) -> None:
    """A school that closes or is merged: no places, no catchment, no premium, no group."""
    table = model.school_table
    table.active[school] = False
    table.closed_year[school] = year
    table.classes_per_grade[school] = 0
    table.premium_share[school] = 0.0
    model.groups.leave(school)


def _seat_every_grade(model: EduModel, schools: np.ndarray) -> None:
    """Classes added where a grade outgrew its places (a receiving school's 扩班)."""
    table, families = model.school_table, model.families
    placed = families.school >= 0
    key = families.school[placed].astype(np.int64) * (LAST_GRADE + 1) + families.grade[placed]
    counts = np.bincount(key, minlength=len(table) * (LAST_GRADE + 1))
    largest = counts.reshape(len(table), LAST_GRADE + 1).max(axis=1)
    needed = np.ceil(largest / table.class_size).astype(np.int64)
    table.classes_per_grade[schools] = np.maximum(table.classes_per_grade[schools], needed[schools])


def _in_proportion(weights: np.ndarray, count: int) -> np.ndarray:
    """`count` items spread over the rows with weight, in proportion (largest remainders);
    the row of each item, rows in ascending order."""
    if count == 0:
        return np.empty(0, dtype=np.int64)
    exact = weights / weights.sum() * count
    whole = np.floor(exact).astype(np.int64)
    short = count - int(whole.sum())
    whole[np.argsort(-(exact - whole), kind="stable")[:short]] += 1
    return np.repeat(np.arange(weights.size), whole)


def _redraw(model: EduModel) -> None:
    """Catchments, feeder links, used dwellings and the dwelling stock after a change."""
    from edusim.phases.intake import Intake

    table, geo = model.school_table, model.geography
    old = model.catchments.cell_school
    model.catchments = redrawn_catchments(geo, table, model.campuses)
    new = model.catchments.cell_school
    for stage, history in model.intake_history.items():
        model.intake_history[stage] = [
            moved_with_cells(np.asarray(h, float), old[stage], new[stage], geo.cell_weight)
            for h in history
        ]
    pairs = {
        primary: _absorbing(model.merged_into, junior)
        for primary, junior in feeder_pairs(model.resolved_scenario, table).items()
    }
    table.feeds = feeder_links(table, geo, model.resolved_scenario.feeders.rule, pairs)
    for phase in model.phases:
        if isinstance(phase, Intake):
            phase.stock = dwelling_stock(model)


def _absorbing(merged_into: dict[int, int], school: int) -> int:
    """The school that now holds `school` after mergers (itself if never merged)."""
    while school in merged_into:
        school = merged_into[school]
    return school
