"""Rules about school leaders: what a principal and deputies add to a school, how year-0
management splits into the principal's part and the school's, who is appointed, who
rotates where, how principals are judged.

A school's management (pupil SD per year, part of its teaching quality) is

    management = institution + q_principal + deputy_weight * D * (mean q of its deputies)

where q is a leader's effect as principal (0 for an average one), D the deputies a school
holds posts for (`leaders.deputies_per_school`), and `institution` is what
stays with the school when leaders change (groups do not write into it: the practice a
core shares with its members is a yearly term of their teaching quality,
`policy/group_effects.shared_management`). In year 0 the
drawn management M of a school (schools.management_sd and the prestige slope) is split so
that it is unchanged: the principal's q = s * M + sd * sqrt(s (1 - s)) * z, with s
`leaders.principal_share` and z a standard normal draw, which gives q a share s of M's
spread and a part independent of the rest; the deputies are drawn as appointments; the
institution is the remainder. A new appointment at a school of prestige p has
q = s * slope * p + sqrt(s) * sd * z: the year-0 distribution of q given p (stronger
leaders at prestigious schools, an assumption the year-0 management already makes).
"""

from __future__ import annotations

import numpy as np

from edusim.grouped import rank_within

PRINCIPAL, DEPUTY = 0, 1


def initial_principal_quality(
    management: np.ndarray, share: float, management_sd: float, z: np.ndarray
) -> np.ndarray:
    """Year-0 principals' effect from their schools' drawn management (module docstring)."""
    return share * management + management_sd * np.sqrt(share * (1.0 - share)) * z


def appointed_quality(
    prestige: np.ndarray, share: float, prestige_slope: float, management_sd: float, z: np.ndarray
) -> np.ndarray:
    """Effect of leaders appointed to schools of `prestige` (module docstring)."""
    return share * prestige_slope * prestige + np.sqrt(share) * management_sd * z


def school_leadership(
    n_schools: int,
    school: np.ndarray,
    role: np.ndarray,
    quality: np.ndarray,
    deputy_weight: float,
    deputies_per_school: int,
) -> np.ndarray:
    """Per school, its principal's effect plus `deputy_weight * deputies_per_school` times
    the mean effect of the deputies serving there (posted deputies count where they serve):
    the team's quality, not its size, so a posted deputy adds by being better than the
    host's own deputies, and a school with surplus deputies gains nothing from their
    number (0 for a school without deputies)."""
    principal = role == PRINCIPAL
    result = np.bincount(school[principal], weights=quality[principal], minlength=n_schools)
    deputy = ~principal
    count = np.bincount(school[deputy], minlength=n_schools)
    total = np.bincount(school[deputy], weights=quality[deputy], minlength=n_schools)
    mean = np.divide(total, count, out=np.zeros(n_schools), where=count > 0)
    return result + deputy_weight * deputies_per_school * mean


def rotated_schools(
    area: np.ndarray, school_strength: np.ndarray, judged: np.ndarray, school: np.ndarray
) -> np.ndarray:
    """New school of each rotating principal (`school`: their schools, one principal
    each): within each area (district and stage), the schools they leave are dealt out
    again, the best-judged principal to the weakest school (national rule: principals
    toward weak schools). A principal dealt its own school stays."""
    new = school.copy()
    if school.size == 0:
        return new
    unit = area[school]
    by_principal = rank_within(unit, judged)  # 0 = best judged
    by_weakness = rank_within(unit, -school_strength[school])  # 0 = weakest school
    order = np.lexsort((by_weakness, unit))  # schools of each area, weakest first
    start = np.searchsorted(unit[order], unit)
    new = school[order[start + by_principal]]
    return new


def principal_year_score(
    school_score: np.ndarray,
    school: np.ndarray,
    is_core: np.ndarray,
    member_mean_score: np.ndarray,
    member_weight: float,
) -> np.ndarray:
    """A principal's score this year: the own school's evaluation score, and for the
    principal of a group's core (1 - w) of it plus w times its members' mean score, w the
    member weight principals act on (`evaluation.member_weight_in_force`: the same weight
    that shapes whom they send, policy/rotation.principal_ranking)."""
    own = school_score[school]
    core = is_core[school]
    return np.where(
        core, (1.0 - member_weight) * own + member_weight * member_mean_score[school], own
    )


def judged_update(judged: np.ndarray, years: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Running mean of the yearly scores at the current school."""
    return (judged * years + score) / (years + 1.0)


def not_reappointed(
    judged: np.ndarray, stage: np.ndarray, term_ends: np.ndarray, share: float
) -> np.ndarray:
    """Principals ending a term (mask `term_ends`) who are not reappointed: in each stage,
    the `share` of them judged lowest (rounded down)."""
    out = np.zeros(judged.size, dtype=bool)
    if share <= 0 or not term_ends.any():
        return out
    counts = np.bincount(stage[term_ends], minlength=2)
    quota = np.floor(share * counts + 1e-9).astype(np.int64)
    rank = rank_within(stage, np.where(term_ends, -judged, -np.inf))
    return term_ends & (rank < quota[stage])


def posting_quota(
    member: np.ndarray,
    posted_now: np.ndarray,
    per_member: int,
    executive: np.ndarray | None = None,
) -> np.ndarray:
    """Deputies each member (`member`: member schools) still lacks: `per_member` minus
    those posted there now, minus one where the member's principal is an executive
    principal from its core (`executive`, per school): the leaders a core keeps at a
    member number `per_member` in all, and the executive principal is the school-level
    one of them (Sanming 四(一)3: "总校至少派出校级、中层领导各1名"). Never below 0."""
    owed = per_member - posted_now[member]
    if executive is not None:
        owed = owed - executive[member].astype(np.int64)
    return np.maximum(0, owed)
