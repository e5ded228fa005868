"""What belonging to a group does, as pure functions over membership rows.

Membership rows are arrays (school, core, kind parameters per row). Each mechanism uses
the strongest of a school's memberships rather than their sum, so belonging to two loose
groups never transfers more than belonging to the tighter one.

Two sorts of channel, composed differently (docs/ODD.md 7.8):

- Transfers toward the core (a member learning what its core does): the management
  practice it shares (`shared_management`), joint research with its teachers
  (`core_learning_gain`), its lessons and courses (`online_lift`) and its name
  (`brand_transfer`). Each closes a share of what is left of the member's gap to its
  core on its own component (`toward_core`): nothing where the member is at or above its
  core on that component, never past it. Where two act on the same gap they act one
  after the other, so their shares compose on the remaining gap (`composed_share`: two
  halves close three quarters, not all of it).
- Resources added (grants, and leaders the core sends, who count where they serve): not
  capped at the core, so they can lift a member past it.

The people channels that carry the core's teachers to a member (hiring under the core's
name, postings with members' teachers sent back, walking teachers, then learning from the
core's teachers: joint research and colleagues posted in) share one cap on what is left
of the member's teachers' gap to the core's teachers, each acting on what the earlier
ones of the year left (policy/staffing.py: `gap_to_core`, `hiring_uplift_within_gap`,
`moves_within_gap`; processes/teacher_growth.group_learning_within_gap for the last).
"""

from __future__ import annotations

import numpy as np

from edusim.processes.aggregate import school_mean, school_quantile


def toward_core(own: np.ndarray, core_level: np.ndarray, share: np.ndarray) -> np.ndarray:
    """What a transfer adds to a member, per row: `share` of the gap between its core's
    level and its own, 0 where it is at or above its core (so never past it)."""
    return share * np.maximum(0.0, core_level - own)


def composed_share(*shares: np.ndarray | float) -> np.ndarray:
    """Share of one gap closed by transfers acting on it one after the other, each on
    what the previous ones left: `1 - prod(1 - s_i)` (0.5 and 0.5 close 0.75)."""
    left = np.ones(np.broadcast(*shares).shape) if shares else np.ones(())
    for share in shares:
        left = left * (1.0 - np.asarray(share, dtype=float))
    return 1.0 - left


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
        toward_core(management[member], management[core], share), member, management.size
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
    """Teaching quality added to members by shared online lessons and courses: `share`
    of what is left of the gap to the core's teaching quality (0 at or above it)."""
    return strongest_per_school(
        toward_core(quality[member], quality[core], share), member, quality.size
    )


def quality_with_groups(
    own_quality: np.ndarray,
    management: np.ndarray,
    member: np.ndarray,
    core: np.ndarray,
    adopted: np.ndarray,
    lift: np.ndarray,
    resources: np.ndarray,
) -> np.ndarray:
    """Teaching quality of every school after its groups' transfers and its resources.

    `own_quality` is what the school's own teachers and management give (mean
    effectiveness + management, less any merger dip); `management` this year's total
    management of every school (institution + leaders), on which the core's practice is
    shared. In order: the shared management (`adopted` share of the management gap), then
    the shared lessons (`lift` share of what is then left of the quality gap), so the two
    compose on the remaining gap (`composed_share`) and neither carries a member past its
    core; then `resources` (what grants buy, pupil SD per year), added whatever the core's
    level, since money is not learned from the core."""
    shared = own_quality + shared_management(management, member, core, adopted)
    lifted = shared + online_lift(shared, member, core, lift)
    return lifted + resources


def brand_transfer(
    reputation: np.ndarray, core: int, members: np.ndarray, sharing: float, dilution: float
) -> np.ndarray:
    """Reputation right after a group forms: members borrow the core's name at once, and
    the core's own name is diluted by every member that shares it."""
    updated = reputation.copy()
    updated[members] += toward_core(reputation[members], reputation[core], sharing)
    updated[core] -= dilution * members.size
    return updated


def core_learning_gain(
    effectiveness: np.ndarray,
    teacher_school: np.ndarray,
    member: np.ndarray,
    core: np.ndarray,
    rate: np.ndarray,
    strong_quantile: float,
    n_schools: int,
    level: np.ndarray | None = None,
) -> np.ndarray:
    """Effectiveness each teacher of a member gains this year from joint research with
    its core (the general school's teacher development centre, joint lesson study;
    Sanming 四(一)4): a share `rate` of its gap to the core's strong teachers (the
    `strong_quantile` of effectiveness over the teachers teaching at the core), the
    strongest of its school's memberships (rows `member`, `core`, `rate`).

    It is a transfer toward the core's level of teaching, so it never carries a member
    past its core on that component: the member's mean gain is at most what is left of
    the gap between the core's mean effectiveness and its own (the teachers' gains scaled
    down together when they would exceed it), and a member whose teachers are already as
    effective as its core's, on average, learns nothing from it. A core learns from its
    own strong colleagues like any school (`teacher_growth.learned_gain`), not from the
    group. Until 2026-11 every campus, cores included, closed `rate` of its gap to the
    group's strong teachers (mostly the core's own): cores' teachers learned at twice the
    within-school rate from their own colleagues (Sanming seed 3, 20 years: +0.026 to the
    cores' and +0.030 to the members' mean effectiveness), and members whose teachers had
    passed their cores' kept learning.

    `level` is each school's teachers' level the gap is measured on (default: the mean
    effectiveness of those teaching there; the model passes it weighted by teaching time,
    so walking teachers count where they teach): it is the last of the year's people
    channels, so it closes only what unified hiring, postings and walking teachers left
    of the gap (policy/staffing.py)."""
    gain = np.zeros(effectiveness.size)
    if member.size == 0:
        return gain
    strong = school_quantile(effectiveness, teacher_school, n_schools, strong_quantile)
    if level is None:
        level = school_mean(effectiveness, teacher_school, n_schools)
    room = np.maximum(0.0, level[core] - level[member])
    order = np.argsort(teacher_school, kind="stable")
    sorted_school = teacher_school[order]
    starts = np.searchsorted(sorted_school, member, side="left")
    counts = np.searchsorted(sorted_school, member, side="right") - starts
    pair_row = np.repeat(np.arange(member.size), counts)
    offsets = np.arange(pair_row.size) - np.repeat(np.cumsum(counts) - counts, counts)
    pair_teacher = order[np.repeat(starts, counts) + offsets]
    pair_gain = rate[pair_row] * np.maximum(
        0.0, strong[core[pair_row]] - effectiveness[pair_teacher]
    )
    mean_gain = np.bincount(pair_row, weights=pair_gain, minlength=member.size) / np.maximum(
        counts, 1
    )
    scale = np.ones(member.size)
    np.divide(room, mean_gain, out=scale, where=mean_gain > room)
    np.maximum.at(gain, pair_teacher, pair_gain * scale[pair_row])
    return gain
