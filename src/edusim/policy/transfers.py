"""Voluntary transfers of experienced teachers toward schools of higher standing.

Effective teachers move toward higher-achieving, more advantaged schools (Hanushek, Kain
& Rivkin 2004, J. Human Resources 39(2): 6.5% of Texas teachers change school within
their district each year; Feng & Sass 2018, Education Finance and Policy 13(3): the most
effective movers go to schools whose teachers are in the top quartile). In China the
same flow runs through selective transfer (选调 / 考调): reputable urban schools fill
their vacancies with experienced teachers from weaker and rural schools of the county,
chosen by interview, test lesson and record, and the schools left behind hire
graduates. Transfers stay within a district and stage: a move across districts needs a
change of post (编制) between two employers and is rare.

The rule: within each area (the open public schools of one district and stage), the
schools are taken in order of standing (reputation), highest first. Each fills its
vacancies from the area's applicants teaching at schools of strictly lower standing,
those who look most effective first (effectiveness observed with noise), taking only an
applicant who looks better than the graduate it would otherwise hire. A mover's post at
its old school is then open, so a school lower down has its own vacancies plus those its
movers left when its turn comes: the chain of vacancies runs down the ladder and ends at
the least reputable schools, which hire graduates for what is left (phases/staffing.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit


def transfer_applicants(
    eligible: np.ndarray, apply_uniform: np.ndarray, apply_share: float
) -> np.ndarray:
    """Mask of teachers who apply for a transfer this year: eligible ones whose own draw
    (`apply_uniform`, one per teacher) falls under `apply_share`."""
    return eligible & (apply_uniform < apply_share)


def transfer_eligible(
    years_at_school: np.ndarray,
    at_home: np.ndarray,
    school_employed: np.ndarray,
    in_area: np.ndarray,
    min_years_at_school: float,
) -> np.ndarray:
    """Mask of teachers who may apply: employed by their school (not the district's
    reservoir, not a rehired retiree), teaching at it (not on a posting), at an open
    public school (`in_area`), and there for at least `min_years_at_school` (a new
    teacher serves out a minimum term at the first school; a teacher back from a posting
    or just transferred starts a new term)."""
    return school_employed & at_home & in_area & (years_at_school >= min_years_at_school)


def transfer_destinations(
    applicant_school: np.ndarray,
    observed: np.ndarray,
    open_posts: np.ndarray,
    standing: np.ndarray,
    area: np.ndarray,
    floor: np.ndarray,
    senior: np.ndarray | None = None,
    free_senior: np.ndarray | None = None,
) -> np.ndarray:
    """School each applicant moves to (-1: stays), arrays aligned with the applicants.

    `applicant_school` is the school each applicant teaches at and `observed` its
    effectiveness as the receiving schools see it; per school, `open_posts` are its
    vacancies after this year's exits, `standing` its reputation, `area` its district and
    stage code (-1: outside, neither sends nor receives) and `floor` the least observed
    effectiveness it accepts (what it expects of a graduate hire). Within each area the
    schools choose in order of standing, highest first (ties: lower index first): each
    takes, up to its open posts, the applicants from schools of strictly lower standing,
    best observed first (ties: earlier applicant first), above its floor; every move
    opens a post at the mover's old school, which it fills in its own turn.

    A title is a post (岗位): an applicant with a senior title (`senior`, per applicant)
    moves only into a school with a free senior post (`free_senior`, per school), which
    it then holds, and frees one at its old school; a school skips the senior applicants
    beyond its free senior posts and takes the next ones. Without them titles are not
    looked at.

    The chain is sequential (a school's vacancies depend on whom the schools above it
    took), so it runs in a compiled kernel: one stable sort of the schools by area and
    standing and of the applicants by area and observed effectiveness, then each school
    scans its area's applicants from the best down, stopping at its floor or when its
    posts are filled (at most schools x applicants of one area, never of the city).
    """
    applicant_school = np.asarray(applicant_school, dtype=np.int64)
    observed = np.asarray(observed, dtype=np.float64)
    standing = np.asarray(standing, dtype=np.float64)
    area = np.asarray(area, dtype=np.int64)
    floor = np.asarray(floor, dtype=np.float64)
    open_now = np.asarray(open_posts, dtype=np.int64).copy()
    if applicant_school.size == 0:
        return np.full(0, -1, dtype=np.int64)
    if senior is None or free_senior is None:
        senior = np.zeros(applicant_school.size, dtype=np.bool_)
        senior_open = np.zeros(open_now.size, dtype=np.int64)
    else:
        senior = np.asarray(senior, dtype=np.bool_)
        senior_open = np.asarray(free_senior, dtype=np.int64).copy()
    applicant_area = area[applicant_school]
    # schools by area, highest standing first (ties: lower index first); applicants by
    # area, best observed first (ties: earlier applicant first); outside areas (-1) last
    school_order = np.lexsort((-standing, np.where(area >= 0, area, np.iinfo(np.int64).max)))
    applicant_order = np.lexsort(
        (-observed, np.where(applicant_area >= 0, applicant_area, np.iinfo(np.int64).max))
    )
    return _chain(
        school_order,
        applicant_order,
        applicant_school,
        applicant_area,
        observed,
        senior,
        area,
        standing,
        floor,
        open_now,
        senior_open,
    )


@njit(cache=True)
def _chain(
    school_order,
    applicant_order,
    applicant_school,
    applicant_area,
    observed,
    senior,
    area,
    standing,
    floor,
    open_now,
    senior_open,
):  # pragma: no cover - compiled
    destination = np.full(applicant_school.size, -1, dtype=np.int64)
    free = np.ones(applicant_school.size, dtype=np.bool_)
    n_applicants = applicant_order.size
    start = 0  # first applicant (in applicant_order) of the current area
    for k in range(school_order.size):
        school = school_order[k]
        code = area[school]
        if code < 0:
            break  # the schools outside every area come last
        while start < n_applicants and applicant_area[applicant_order[start]] < code:
            start += 1  # (applicants outside every area, -1, come last and are passed too)
        if open_now[school] <= 0:
            continue
        seniors_seen = 0
        senior_posts = senior_open[school]  # free senior posts at the start of its turn
        j = start
        while j < n_applicants and open_now[school] > 0:
            a = applicant_order[j]
            j += 1
            if applicant_area[a] != code:
                break
            if observed[a] <= floor[school]:
                break  # the rest look no better
            home = applicant_school[a]
            if not free[a] or standing[home] >= standing[school]:
                continue
            if senior[a]:
                seniors_seen += 1
                if seniors_seen > senior_posts:
                    continue  # past the school's free senior posts
                senior_open[school] -= 1
                senior_open[home] += 1
            destination[a] = school
            free[a] = False
            open_now[school] -= 1
            open_now[home] += 1
    return destination
