"""Groups: gaps within groups, between members and others, and participation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.agents.groups import MEMBER
from edusim.metrics.registry import register

if TYPE_CHECKING:
    from edusim.model import EduModel


def _group_rows(model: EduModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    groups = model.groups
    members = groups.role == MEMBER
    return groups.school[members], groups.group[members], groups.core_of_rows()[members]


def _within_group_gap(model: EduModel) -> float:
    member, group, core = _group_rows(model)
    if member.size == 0:
        return float("nan")
    quality = model.school_table.teaching_quality
    counts = np.bincount(group)
    per_group = np.bincount(group, weights=quality[core] - quality[member]) / np.maximum(counts, 1)
    return float(per_group[counts > 0].mean())


register(
    _within_group_gap,
    "within_group_gap",
    "pupil SD per year",
    "lower is better",
    "teaching-quality gap between group cores and their members",
    "mean over active groups of (core quality - mean quality of its members); NaN without groups",
)


def _member_nonmember_gap(model: EduModel) -> float:
    member, _, _ = _group_rows(model)
    quality = model.school_table.teaching_quality
    outside = model.school_table.active.copy()  # schools not open are in no comparison
    outside[model.groups.school] = False
    if member.size == 0 or not outside.any():
        return float("nan")
    return float(quality[np.unique(member)].mean() - quality[outside].mean())


register(
    _member_nonmember_gap,
    "member_nonmember_gap",
    "pupil SD per year",
    "information",
    "teaching quality of group members relative to schools in no group",
    "mean quality of member (non-core) schools minus mean quality of open schools in no group; NaN if either set is empty",
)


def _group_participation(model: EduModel) -> float:
    return float(np.unique(model.groups.school).size / max(model.school_table.active.sum(), 1))


register(
    _group_participation,
    "group_participation_share",
    "share of schools",
    "information",
    "share of schools in at least one active group of any kind (core or member; zones and communities too)",
    "schools with a membership row over all open schools, private ones included (closed, merged or not yet opened schools are in no group and not counted); the documents' targets are famous_group_participation_share, cross_level_group_share and rural_community_coverage",
)


FAMOUS_SCHOOL_KINDS: tuple[str, ...] = (
    "tight",
    "entrusted",
    "horizontal",
    "alliance",
    "vertical",
    "university",
)
"""Kinds that are famous-school groups (名校集团); school zones (学区) and urban-rural
communities (互助共同体) are counted apart, as Hangzhou's document counts its targets."""


def _open_public(model: EduModel) -> np.ndarray:
    table = model.school_table
    return table.active & ~table.private


def _schools_in(model: EduModel, rows: np.ndarray) -> np.ndarray:
    """Mask of schools with at least one of the membership `rows` (cores included)."""
    mask = np.zeros(len(model.school_table), dtype=bool)
    mask[model.groups.school[rows]] = True
    return mask


def _share(part: np.ndarray, base: np.ndarray) -> float:
    return float((part & base).sum() / base.sum()) if base.any() else float("nan")


def _famous_participation(model: EduModel) -> float:
    rows = np.isin(model.groups.kind_of_rows(), FAMOUS_SCHOOL_KINDS)
    return _share(_schools_in(model, rows), _open_public(model))


register(
    _famous_participation,
    "famous_group_participation_share",
    "share of schools",
    "information",
    "share of public schools taking part in a famous-school group (core or member), as Hangzhou's 60% target counts",
    "open public schools that are core or member of an active group of a famous-school kind (every kind except zone and community) over all open public schools (seed 001 目标任务: 参与名校集团化办学的中小学比例; private schools are in no group in the model); NaN without open public schools",
)


def _cross_level(model: EduModel) -> float:
    groups, table = model.groups, model.school_table
    famous = np.isin(groups.kind_of_rows(), FAMOUS_SCHOOL_KINDS)
    if not famous.any():
        return _share(np.zeros(len(table), dtype=bool), _open_public(model))
    group = groups.group[famous]
    owner = table.owner[groups.school[famous]].astype(np.int64)
    district = table.district[groups.school[famous]].astype(np.int64)
    spans = np.zeros(int(group.max()) + 1, dtype=bool)
    for column in (owner, district):
        low = np.full(spans.size, np.iinfo(np.int64).max)
        high = np.full(spans.size, np.iinfo(np.int64).min)
        np.minimum.at(low, group, column)
        np.maximum.at(high, group, column)
        spans |= low < high
    rows = np.flatnonzero(famous)[spans[group]]
    return _share(_schools_in(model, rows), _open_public(model))


register(
    _cross_level,
    "cross_level_group_share",
    "share of schools",
    "information",
    "share of public schools in a cross-level or cross-region famous-school group, as Hangzhou's 25% target counts",
    "open public schools that are core or member of an active famous-school-kind group whose schools have more than one owner level (跨层级: city-, district- or county-owned) or lie in more than one district (跨区域), over all open public schools (seed 001 目标任务); a cross-stage group within one owner level and district does not count; NaN without open public schools",
)


def _rural_coverage(model: EduModel) -> float:
    rows = model.groups.kind_of_rows() == "community"
    return _share(_schools_in(model, rows), _open_public(model) & model.school_table.rural)


register(
    _rural_coverage,
    "rural_community_coverage",
    "share of rural schools",
    "information",
    "share of rural public schools in an urban-rural community, as Hangzhou's 98% target counts",
    "open public schools that are rural by their own status (village schools of suburban districts included; scenario school_status) and core or member of an active community-kind group, over all open public rural schools (seed 001 目标任务: 农村义务教育阶段学校参与城乡学校互助共同体的比例); NaN without open public rural schools",
)
