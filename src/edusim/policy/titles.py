"""Teacher posts (编制) and senior titles (职称) per school, and the title review.

A school's posts are the staffing standard's count for its enrollment, raised by
`core_extra_posts_share` while it is the core of a group (Hangzhou: extra posts for
cores) and moved across districts by `teachers.post_transfers` (Hangzhou H18). Vacancies
are counted against posts; nobody is laid off, so a school whose
enrollment falls holds surplus teachers (Chongming: overstaffed in total).

Senior titles are capped per school: `senior_title_share` of its posts (plus
`core_extra_senior_share` for cores, Hangzhou). Each year, after exits and hires, the
free senior posts of a school go to its own ordinary-title teachers with enough
experience, strongest first, two-school experience counting as `promotion_priority_sd`
of effectiveness under promotion priority (Sanming). Teachers of urban schools may be
required to have served at another school first (`senior_title_service_years`, the
national title reform's rural-service condition). Titles are kept for life and move with
the teacher; a title is separate from the effectiveness tier (a teacher can be a
backbone teacher without a senior title and the reverse).
"""

from __future__ import annotations

import numpy as np

from edusim.grouped import rank_within

ORDINARY, SENIOR = 0, 1


def posts(standard: np.ndarray, is_core: np.ndarray, core_extra_share: float) -> np.ndarray:
    """Teacher posts of each school: the standard's count, raised for group cores."""
    return np.rint(standard * (1.0 + core_extra_share * is_core)).astype(np.int64)


def moved_posts(
    school_posts: np.ndarray,
    giving: np.ndarray,
    receiving: np.ndarray,
    share: float,
) -> np.ndarray:
    """Posts after `share` of the giving schools' posts (masks of schools) move to the
    receiving schools: the count moved, rounded, is taken from each giving school and given
    to each receiving school in proportion to its posts (largest remainders first), so the
    total is unchanged; nothing moves if either side has no posts."""
    result = school_posts.copy()
    moved = int(np.rint(share * school_posts[giving].sum()))
    if moved == 0 or school_posts[receiving].sum() == 0:
        return result
    result[giving] -= _apportioned(school_posts[giving], moved)
    result[receiving] += _apportioned(school_posts[receiving], moved)
    return result


def _apportioned(weights: np.ndarray, total: int) -> np.ndarray:
    """`total` split in proportion to `weights` (largest remainders first)."""
    exact = total * weights / weights.sum()
    share = np.floor(exact).astype(np.int64)
    share[np.argsort(-(exact - share), kind="stable")[: total - share.sum()]] += 1
    return share


def senior_quota(
    school_posts: np.ndarray, is_core: np.ndarray, share: float, core_extra_share: float
) -> np.ndarray:
    """Senior-title posts of each school: a share of its posts, rounded down."""
    return np.floor(school_posts * (share + core_extra_share * is_core) + 1e-9).astype(np.int64)


def title_candidates(
    title: np.ndarray,
    experience: np.ndarray,
    served_years: np.ndarray,
    home_rural: np.ndarray,
    min_experience: float,
    service_years: float,
) -> np.ndarray:
    """Teachers who may be promoted this year: ordinary title, enough experience and,
    for teachers of urban schools, the required years at another school."""
    served = home_rural | (served_years >= service_years)
    return (title == ORDINARY) & (experience >= min_experience) & served


def promoted(
    school: np.ndarray,
    key: np.ndarray,
    candidate: np.ndarray,
    free_posts: np.ndarray,
) -> np.ndarray:
    """Mask of the candidates promoted: at each school (`school`, the teachers' home
    schools), the `free_posts[school]` candidates with the highest `key`."""
    ranks = rank_within(school, np.where(candidate, key, -np.inf))
    return candidate & (ranks < free_posts[school])


def free_senior_posts(
    quota: np.ndarray, home_school: np.ndarray, holds_senior: np.ndarray
) -> np.ndarray:
    """Senior posts of each school not held by one of its teachers (never below 0: a
    school over its quota keeps its titles but promotes nobody)."""
    held = np.bincount(home_school[holds_senior], minlength=quota.size)
    return np.maximum(0, quota - held)
