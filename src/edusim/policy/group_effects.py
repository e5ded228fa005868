"""What belonging to a group does, as pure functions over membership rows.

Membership rows are arrays (school, core, kind parameters per row). Each mechanism uses
the strongest of a school's memberships rather than their sum, so belonging to two loose
groups never transfers more than belonging to the tighter one.
"""

from __future__ import annotations

import numpy as np

from edusim.processes.aggregate import school_quantile


def strongest_per_school(values: np.ndarray, schools: np.ndarray, n_schools: int) -> np.ndarray:
    """Largest value per school over its membership rows (0 where none)."""
    result = np.zeros(n_schools)
    np.maximum.at(result, schools, np.maximum(values, 0.0))
    return result


def adopted_share(joined_year: np.ndarray, year: int, rate: np.ndarray) -> np.ndarray:
    """Share of its core's management practice a member has taken up, per membership row:
    `1 - (1 - rate)^n` after n completed school years in the group (0 in its first year,
    `rate` in its second), so each year closes `rate` of what is left (the kind's
    `management_transfer`)."""
    completed = np.maximum(year - joined_year, 0)
    return 1.0 - (1.0 - rate) ** completed


def shared_management(
    management: np.ndarray, member: np.ndarray, core: np.ndarray, share: np.ndarray
) -> np.ndarray:
    """Management a member gains this year from the practice its core shares (the tight
    kind's unified management, 六统一): `share` (`adopted_share`) of the gap between the
    core's management and its own, 0 where the member is at or above its core.

    Both sides are this year's total management (institution + leaders), so the gain
    follows the leaders: a member whose own principal is weak gains the core's practice
    in its place, and one that receives an executive principal from its core has less
    left to take up. It never carries a member past its core, and it is not written into
    the member's institution: until 2026-11 it was (each July, `rate` of the total gap),
    which counted leaders twice (a member kept what it had absorbed for its weak
    principal when a strong one was posted from the core) and carried Sanming's members
    past their cores."""
    return strongest_per_school(
        share * (management[core] - management[member]), member, management.size
    )


def transition_loss(
    member: np.ndarray,
    joined_year: np.ndarray,
    year: int,
    cost: np.ndarray,
    years: np.ndarray,
    n_schools: int,
) -> np.ndarray:
    """Management lost per school while recently merged campuses reorganise."""
    recent = (year - joined_year >= 0) & (year - joined_year < years)
    loss = np.zeros(n_schools)
    np.add.at(loss, member[recent], cost[recent])
    return loss


def integration_share(joined_year: np.ndarray, year: int, years: np.ndarray) -> np.ndarray:
    """Share of the group's shared lessons and courses a campus has taken up, per row.

    Adopting the core's courses, lesson plans and tests is part of the reorganisation that
    follows a merger, so a campus takes them up step by step over its transition years
    (a third a year when the transition lasts two years) and in full from then on; a kind
    without a transition shares them in full from its first year."""
    elapsed = year - joined_year + 1.0  # school years in the group, this one included
    return np.clip(elapsed / (years + 1.0), 0.0, 1.0)


def online_lift(
    quality: np.ndarray, member: np.ndarray, core: np.ndarray, share: np.ndarray
) -> np.ndarray:
    """Teaching quality added to members by shared online lessons and courses."""
    return strongest_per_school(share * (quality[core] - quality[member]), member, quality.size)


def brand_transfer(
    reputation: np.ndarray, core: int, members: np.ndarray, sharing: float, dilution: float
) -> np.ndarray:
    """Reputation right after a group forms: members borrow the core's name at once, and
    the core's own name is diluted by every member that shares it."""
    updated = reputation.copy()
    updated[members] += sharing * np.maximum(0.0, reputation[core] - reputation[members])
    updated[core] -= dilution * members.size
    return updated


def group_learning_gain(
    effectiveness: np.ndarray,
    teacher_school: np.ndarray,
    row_school: np.ndarray,
    row_group: np.ndarray,
    row_rate: np.ndarray,
    n_groups: int,
    strong_quantile: float,
) -> np.ndarray:
    """Effectiveness each teacher gains from joint research in its school's groups: a share
    `rate` of the gap to the group's strong teachers (the quantile of effectiveness over
    the teachers of every campus listed in the rows; pass core and member rows)."""
    gain = np.zeros(effectiveness.size)
    if row_school.size == 0 or n_groups == 0:
        return gain
    order = np.argsort(teacher_school, kind="stable")
    sorted_school = teacher_school[order]
    starts = np.searchsorted(sorted_school, row_school, side="left")
    ends = np.searchsorted(sorted_school, row_school, side="right")
    counts = ends - starts
    pair_row = np.repeat(np.arange(row_school.size), counts)
    offsets = np.arange(pair_row.size) - np.repeat(np.cumsum(counts) - counts, counts)
    pair_teacher = order[np.repeat(starts, counts) + offsets]
    pair_group = row_group[pair_row]
    strong = school_quantile(effectiveness[pair_teacher], pair_group, n_groups, strong_quantile)
    pair_gain = row_rate[pair_row] * np.maximum(
        0.0, strong[pair_group] - effectiveness[pair_teacher]
    )
    np.maximum.at(gain, pair_teacher, pair_gain)
    return gain
