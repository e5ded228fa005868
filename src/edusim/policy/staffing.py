"""Staffing rules: who leaves the teaching force and how many posts are filled."""

from __future__ import annotations

import numpy as np

from edusim.scenario.schema import TeacherParams
from edusim.world.staff import retirement_age


def attrition_rate(district_kind: np.ndarray, params: TeacherParams) -> np.ndarray:
    """Yearly quit rate by district kind (urban, suburban = midpoint, rural)."""
    rates = np.array(
        [
            params.attrition_urban,
            0.5 * (params.attrition_urban + params.attrition_rural),
            params.attrition_rural,
        ]
    )
    return rates[district_kind]


def leaving(
    age: np.ndarray,
    female: np.ndarray,
    district_kind: np.ndarray,
    exit_uniform: np.ndarray,
    params: TeacherParams,
    quit_factor: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of teachers who retire (statutory age reached) and who quit (attrition draw;
    the rate times `quit_factor`, e.g. the response to performance pay, policy/pay.py)."""
    retiring = age >= retirement_age(female, params)
    rate = np.minimum(1.0, attrition_rate(district_kind, params) * quit_factor)
    quitting = ~retiring & (exit_uniform < rate)
    return retiring, quitting


def vacancies(staff_needed: np.ndarray, staff_in_post: np.ndarray) -> np.ndarray:
    """Posts to fill per school; overstaffed schools keep their teachers (no lay-offs)."""
    return np.maximum(0, staff_needed - staff_in_post)


def group_hiring_reputation(
    reputation: np.ndarray, member: np.ndarray, core: np.ndarray
) -> np.ndarray:
    """Reputation each school recruits under when groups hire as one employer (Sanming
    四(二)1: "人员统一招聘使用"): a member of such a group recruits under the better of its
    own name and its core's (the group's posts are advertised by the group, so graduates
    weigh the core's name); `member` and `core` are the membership rows of those groups."""
    hiring = reputation.astype(float).copy()
    np.maximum.at(hiring, member, reputation[core])
    return hiring


# --- People a core shares with its members, within the member's gap to it --------------
#
# A group's people channels (unified hiring under the core's name, postings from the core
# with members' teachers sent back, walking teachers, joint research) carry the core's
# teaching toward its weaker members: help flows from a stronger core toward it. So what
# they add in a year to a member's teachers never carries them past the core's teachers:
# each channel acts on what is left of the member's gap to its core when it acts (the
# gap the earlier channels of the year left, with the core's level after what it has sent),
# as the group's transfers do (policy/group_effects.py). Levels are the mean effectiveness
# of the teachers teaching at a school, each counted by its share of teaching time there.


def gap_to_core(
    level: np.ndarray, member: np.ndarray, core: np.ndarray, n_schools: int
) -> np.ndarray:
    """Per school, what is left of its teachers' gap to its core's: the largest
    `level[core] - level[member]` over its membership rows (`member`, `core`), 0 where
    it is at or above every core it has, and for schools that are no member."""
    gap = np.zeros(n_schools)
    np.maximum.at(gap, member, np.maximum(0.0, level[core] - level[member]))
    return gap


def hiring_uplift_within_gap(
    uplift: np.ndarray, hires: np.ndarray, staff: np.ndarray, gap: np.ndarray
) -> np.ndarray:
    """Effectiveness each hire of a school may gain from recruiting under its core's name
    (unified hiring, `group_hiring_reputation`), per school: the `uplift` it would gain,
    cut so that the school's `hires` together raise the mean of its `staff` teachers (hires
    included, as drawn under its own name) by at most `gap`, what is left of its gap to
    its core (`gap_to_core`); 0 where it hires nobody or has no gap."""
    allowed = np.zeros(uplift.size)
    np.divide(gap * staff, hires, out=allowed, where=hires > 0)
    return np.where(hires > 0, np.clip(uplift, 0.0, allowed), 0.0)


def _level(total: float, weight: float) -> float:
    """A school's teaching level, `total / weight`; -inf for a school with no teaching
    time (it stands below any other, and a core without any has nothing to send)."""
    return total / weight if weight > 0 else -np.inf


def moves_within_gap(
    core_total: float,
    core_weight: float,
    member_total: np.ndarray,
    member_weight: np.ndarray,
    host: np.ndarray,
    sent: np.ndarray,
    sent_weight: np.ndarray,
    returned: np.ndarray,
    returned_weight: np.ndarray,
) -> np.ndarray:
    """Which of a core's proposed moves of teachers to its members are made (mask).

    Move `i` sends a core teacher of effectiveness `sent[i]` for `sent_weight[i]` of its
    teaching time (1 for a posting, the walking share for a walking teacher) to member
    `host[i]` (a position into `member_total`), which sends back a teacher of
    effectiveness `returned[i]` for `returned_weight[i]` (0 where nobody is sent back).
    A school's level is its teaching-time-weighted mean effectiveness (`total / weight`,
    the core's `core_total / core_weight`). Moves are taken in the order proposed (the
    strongest teachers first), and a move is made only if its host is still below the
    core and, once it and the moves made before it are counted, no member that has
    received a move stands above the core (whose level falls by what it sends); moves
    that would carry a member past it are skipped and the next ones tried."""
    member_total = np.asarray(member_total, dtype=float).copy()
    member_weight = np.asarray(member_weight, dtype=float).copy()
    sent_weight = np.broadcast_to(np.asarray(sent_weight, dtype=float), host.shape)
    returned_weight = np.broadcast_to(np.asarray(returned_weight, dtype=float), host.shape)
    returned = np.where(returned_weight > 0, returned, 0.0)
    made = np.zeros(host.size, dtype=bool)
    # the levels of the members that have received a move (-inf for the others): only the
    # host's changes with a move, so a move is judged against the highest of them
    received = np.full(member_total.size, -np.inf)
    for i, member in enumerate(host):
        if _level(member_total[member], member_weight[member]) >= _level(core_total, core_weight):
            continue
        into = sent[i] * sent_weight[i] - returned[i] * returned_weight[i]
        moved = sent_weight[i] - returned_weight[i]
        core_after = core_total - into, core_weight - moved
        if core_after[1] <= 0:
            continue
        host_after = member_total[member] + into, member_weight[member] + moved
        before = received[member]
        received[member] = _level(*host_after)
        if received.max() > core_after[0] / core_after[1]:
            received[member] = before
            continue
        made[i] = True
        member_total[member], member_weight[member] = host_after
        core_total, core_weight = core_after
    return made
