"""Groups: gaps within groups, between members and others, and participation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.agents.groups import MEMBER
from edusim.metrics.registry import metric

if TYPE_CHECKING:
    from edusim.model import EduModel


def _group_rows(model: EduModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    groups = model.groups
    members = groups.role == MEMBER
    return groups.school[members], groups.group[members], groups.core_of_rows()[members]


@metric(
    "within_group_gap",
    "pupil SD per year",
    "lower is better",
    "teaching-quality gap between group cores and their members",
    "mean over active groups of (core quality - mean quality of its members); NaN without groups",
)
def _within_group_gap(model: EduModel) -> float:
    member, group, core = _group_rows(model)
    if member.size == 0:
        return float("nan")
    quality = model.school_table.teaching_quality
    counts = np.bincount(group)
    per_group = np.bincount(group, weights=quality[core] - quality[member]) / np.maximum(counts, 1)
    return float(per_group[counts > 0].mean())


@metric(
    "member_nonmember_gap",
    "pupil SD per year",
    "information",
    "teaching quality of group members relative to schools in no group",
    "mean quality of member (non-core) schools minus mean quality of open schools in no group; NaN if either set is empty",
)
def _member_nonmember_gap(model: EduModel) -> float:
    member, _, _ = _group_rows(model)
    quality = model.school_table.teaching_quality
    outside = model.school_table.active.copy()  # schools not open are in no comparison
    outside[model.groups.school] = False
    if member.size == 0 or not outside.any():
        return float("nan")
    return float(quality[np.unique(member)].mean() - quality[outside].mean())


@metric(
    "group_participation_share",
    "share of schools",
    "information",
    "share of schools in at least one active group (core or member)",
    "schools with a membership row over all open schools (closed, merged or not yet opened schools are in no group and not counted)",
)
def _group_participation(model: EduModel) -> float:
    return float(np.unique(model.groups.school).size / max(model.school_table.active.sum(), 1))
