"""Voluntary transfers toward schools of higher standing (policy/transfers.py), by hand:
who may apply, who applies, who moves where along the chain of vacancies, ties, no move
across areas (district and stage) or to a school of equal or lower standing, the
receiving school's floor; and, as a property, that moves conserve teachers, never put a
school above its posts and always go up within the area."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from edusim.policy.transfers import (
    transfer_applicants,
    transfer_destinations,
    transfer_eligible,
)

NO_FLOOR = np.full(8, -np.inf)


def test_eligible_teachers_are_school_employed_at_home_in_an_open_public_school_long_enough():
    years = np.array([3.0, 2.9, 5.0, 5.0, 5.0, 10.0])
    at_home = np.array([True, True, False, True, True, True])  # the third is on a posting
    school_employed = np.array([True, True, True, False, True, True])  # the fourth: reservoir
    in_area = np.array([True, True, True, True, False, True])  # the fifth: a private school
    eligible = transfer_eligible(years, at_home, school_employed, in_area, 3.0)
    assert eligible.tolist() == [True, False, False, False, False, True]


def test_an_eligible_teacher_applies_when_its_own_draw_is_under_the_share():
    eligible = np.array([True, True, True, False])
    draw = np.array([0.064, 0.065, 0.5, 0.0])
    assert transfer_applicants(eligible, draw, 0.065).tolist() == [True, False, False, False]
    assert not transfer_applicants(eligible, draw, 0.0).any()  # the switch: share 0


def test_the_chain_runs_down_the_ladder_and_ends_at_the_least_reputable_school():
    """Schools A (standing 2), B (1), C (0) of one area; only A has a vacancy. A takes the
    best-looking applicant from below it (b1 of B, 0.30 over c1's 0.20); B's post that b1
    left is then open and B takes c1; C's post c1 left is open too, but nobody stands
    below C, so c2 stays and C hires a graduate."""
    school = np.array([1, 2, 2])  # b1, c1, c2
    observed = np.array([0.30, 0.20, 0.10])
    destination = transfer_destinations(
        school,
        observed,
        open_posts=np.array([1, 0, 0]),
        standing=np.array([2.0, 1.0, 0.0]),
        area=np.array([0, 0, 0]),
        floor=NO_FLOOR[:3],
    )
    assert destination.tolist() == [0, 1, -1]


def test_the_receiving_school_takes_the_best_looking_applicants_from_anywhere_below_it():
    """A (standing 2) has two vacancies: it takes c1 (0.5) and b1 (0.4) over b2 (0.1),
    whatever school below it they come from; B then refills b1's post with c2 (0.2); a
    teacher of A itself never applies to A."""
    school = np.array([1, 1, 2, 2, 0])  # b1, b2, c1, c2, a1
    observed = np.array([0.4, 0.1, 0.5, 0.2, 0.9])
    destination = transfer_destinations(
        school,
        observed,
        open_posts=np.array([2, 0, 0]),
        standing=np.array([2.0, 1.0, 0.0]),
        area=np.array([0, 0, 0]),
        floor=NO_FLOOR[:3],
    )
    assert destination.tolist() == [0, -1, 0, 1, -1]


def test_nobody_moves_to_a_school_of_equal_or_lower_standing():
    """A and B stand equal, C below them: A's vacancy takes c1, not b1 from its equal; C's
    vacancy takes nobody (everyone else is above it)."""
    school = np.array([1, 2])  # b1 (the better), c1
    destination = transfer_destinations(
        school,
        np.array([0.9, 0.1]),
        open_posts=np.array([1, 0, 1]),
        standing=np.array([1.0, 1.0, 0.0]),
        area=np.array([0, 0, 0]),
        floor=NO_FLOOR[:3],
    )
    assert destination.tolist() == [-1, 0]


def test_ties_go_to_the_earlier_applicant_and_the_lower_school_index():
    """Two schools of equal standing above C each have a vacancy; two applicants of C
    look equally good: the school with the lower index chooses first and takes the
    earlier applicant."""
    destination = transfer_destinations(
        np.array([2, 2]),
        np.array([0.3, 0.3]),
        open_posts=np.array([1, 1, 0]),
        standing=np.array([1.0, 1.0, 0.0]),
        area=np.array([0, 0, 0]),
        floor=NO_FLOOR[:3],
    )
    assert destination.tolist() == [0, 1]


def test_nobody_moves_across_districts_or_stages_or_out_of_a_private_school():
    """Schools 0-1 are one area (district and stage), 2-3 another, 4 is private (area -1).
    Only school 0 has a vacancy: the applicants of area 1 and of the private school, all
    of lower standing and better looking, stay; the one of school 1 moves."""
    destination = transfer_destinations(
        np.array([2, 3, 4, 1]),
        np.array([0.9, 0.8, 0.7, 0.1]),
        open_posts=np.array([1, 0, 0, 0, 0]),
        standing=np.array([3.0, 0.0, -1.0, -2.0, -3.0]),
        area=np.array([0, 0, 1, 1, -1]),
        floor=NO_FLOOR[:5],
    )
    assert destination.tolist() == [-1, -1, -1, 0]


def test_a_school_takes_only_applicants_who_look_better_than_a_graduate_hire():
    """A's floor is 0.25: of B's applicants only the one seen at 0.3 moves; A's second
    vacancy is left to a graduate."""
    destination = transfer_destinations(
        np.array([1, 1]),
        np.array([0.3, 0.2]),
        open_posts=np.array([2, 0]),
        standing=np.array([1.0, 0.0]),
        area=np.array([0, 0]),
        floor=np.array([0.25, 0.0]),
    )
    assert destination.tolist() == [0, -1]


def test_a_senior_title_moves_only_into_a_free_senior_post_and_frees_one_behind_it():
    """A title is a post. A (standing 2) has two vacancies and one free senior post; of
    B's applicants the two best hold senior titles: A takes the first of them and, its
    senior post now held, skips the second for the ordinary applicant below. B (standing
    1) has a vacancy and no free senior post of its own, but the senior teacher it lost
    to A left one: it takes C's senior applicant."""
    destination = transfer_destinations(
        np.array([1, 1, 1, 2]),
        np.array([0.9, 0.8, 0.1, 0.5]),
        open_posts=np.array([2, 0, 0]),
        standing=np.array([2.0, 1.0, 0.0]),
        area=np.array([0, 0, 0]),
        floor=NO_FLOOR[:3],
        senior=np.array([True, True, False, True]),
        free_senior=np.array([1, 0, 0]),
    )
    assert destination.tolist() == [0, -1, 0, 1]


def test_a_school_with_two_free_senior_posts_takes_two_senior_applicants():
    """A (standing 1) has three vacancies and two free senior posts; B's three applicants
    all hold senior titles: A takes the two best and skips the third (its senior posts
    are now held), so one vacancy stays open for the graduates."""
    destination = transfer_destinations(
        np.array([1, 1, 1]),
        np.array([0.9, 0.8, 0.7]),
        open_posts=np.array([3, 0]),
        standing=np.array([1.0, 0.0]),
        area=np.array([0, 0]),
        floor=NO_FLOOR[:2],
        senior=np.array([True, True, True]),
        free_senior=np.array([2, 0]),
    )
    assert destination.tolist() == [0, 0, -1]


def test_no_applicants_no_moves():
    destination = transfer_destinations(
        np.array([], dtype=np.int64),
        np.array([]),
        open_posts=np.array([3]),
        standing=np.array([0.0]),
        area=np.array([0]),
        floor=np.array([0.0]),
    )
    assert destination.size == 0
    assert destination.dtype == np.int64  # school indices, as with applicants


@st.composite
def _ladders(draw):
    n_schools = draw(st.integers(1, 8))
    area = np.array(draw(st.lists(st.integers(-1, 2), min_size=n_schools, max_size=n_schools)))
    standing = np.array(
        draw(st.lists(st.integers(-3, 3), min_size=n_schools, max_size=n_schools)), dtype=float
    )
    staff = np.array(draw(st.lists(st.integers(0, 5), min_size=n_schools, max_size=n_schools)))
    open_posts = np.array(draw(st.lists(st.integers(0, 3), min_size=n_schools, max_size=n_schools)))
    floor = np.array(
        draw(st.lists(st.sampled_from([-np.inf, 0.0, 0.5]), min_size=n_schools, max_size=n_schools))
    )
    # each teacher of a school applies or not
    teacher_school = np.repeat(np.arange(n_schools), staff)
    applies = np.array(
        draw(st.lists(st.booleans(), min_size=teacher_school.size, max_size=teacher_school.size)),
        dtype=bool,
    )
    observed = (
        np.array(
            draw(
                st.lists(
                    st.integers(-4, 4), min_size=teacher_school.size, max_size=teacher_school.size
                )
            ),
            dtype=float,
        )
        / 4
    )
    senior = np.array(
        draw(st.lists(st.booleans(), min_size=teacher_school.size, max_size=teacher_school.size)),
        dtype=bool,
    )
    free_senior = np.array(
        draw(st.lists(st.integers(0, 2), min_size=n_schools, max_size=n_schools))
    )
    return (
        teacher_school, applies, observed, open_posts, standing, area, floor, staff,
        senior, free_senior,
    )  # fmt: skip


@given(_ladders())
def test_moves_conserve_teachers_respect_posts_and_go_up_within_the_area(ladder):
    (
        teacher_school, applies, observed, open_posts, standing, area, floor, staff,
        senior, free_senior,
    ) = ladder  # fmt: skip
    destination = transfer_destinations(
        teacher_school[applies],
        observed[applies],
        open_posts,
        standing,
        area,
        floor,
        senior=senior[applies],
        free_senior=free_senior,
    )
    after = teacher_school.copy()
    moved = np.flatnonzero(applies)[destination >= 0]
    after[moved] = destination[destination >= 0]
    n = staff.size
    # every teacher is still somewhere: the staff only change place
    assert after.size == teacher_school.size
    assert np.bincount(after, minlength=n).sum() == staff.sum()
    # no school ends above its posts: none gains more than its open posts
    gained = np.bincount(after, minlength=n) - staff
    assert (gained <= open_posts).all()
    # movers go strictly up, within their area, above the receiver's floor
    origin, target = teacher_school[moved], after[moved]
    assert (area[origin] >= 0).all()
    assert (area[origin] == area[target]).all()
    assert (standing[target] > standing[origin]).all()
    assert (observed[moved] > floor[target]).all()
    # no school gains more senior titles than it had free senior posts
    seniors = np.bincount(after[senior], minlength=n) - np.bincount(
        teacher_school[senior], minlength=n
    )
    assert (seniors <= free_senior).all()
    # a school that ends with open posts had nobody acceptable left below it (no
    # ordinary applicant; no senior one while it had a free senior post)
    left_open = open_posts - gained
    senior_left = free_senior - seniors
    stayed = np.flatnonzero(applies)[destination < 0]
    for school in np.flatnonzero(left_open > 0):
        could = (
            (area[teacher_school[stayed]] == area[school])
            & (area[school] >= 0)
            & (standing[teacher_school[stayed]] < standing[school])
            & (observed[stayed] > floor[school])
            & (~senior[stayed] | (senior_left[school] > 0))
        )
        assert not could.any()


def _destinations_by_school(
    applicant_school, observed, open_posts, standing, area, floor, senior, free_senior
):
    """The rule written school by school in plain numpy, as it was before the kernel: the
    reference the compiled chain must match move for move."""
    destination = np.full(applicant_school.size, -1, dtype=np.int64)
    open_now = open_posts.astype(np.int64).copy()
    senior_open = free_senior.astype(np.int64).copy()
    applicant_area = area[applicant_school]
    for code in np.unique(applicant_area[applicant_area >= 0]):
        schools = np.flatnonzero(area == code)
        schools = schools[np.argsort(-standing[schools], kind="stable")]
        applicants = np.flatnonzero(applicant_area == code)
        applicants = applicants[np.argsort(-observed[applicants], kind="stable")]
        free = np.ones(applicants.size, dtype=bool)
        for school in schools:
            if open_now[school] <= 0:
                continue
            acceptable = np.flatnonzero(
                free
                & (standing[applicant_school[applicants]] < standing[school])
                & (observed[applicants] > floor[school])
            )
            titled = senior[applicants[acceptable]]
            within_titles = np.cumsum(titled) <= senior_open[school]
            chosen = acceptable[~titled | within_titles][: open_now[school]]
            movers = applicants[chosen]
            destination[movers] = school
            free[chosen] = False
            open_now[school] -= chosen.size
            np.add.at(open_now, applicant_school[movers], 1)
            senior_open[school] -= senior[movers].sum()
            np.add.at(senior_open, applicant_school[movers[senior[movers]]], 1)
    return destination


@given(_ladders())
def test_the_compiled_chain_moves_whom_the_school_by_school_rule_moves(ladder):
    (
        teacher_school, applies, observed, open_posts, standing, area, floor, _staff,
        senior, free_senior,
    ) = ladder  # fmt: skip
    args = (teacher_school[applies], observed[applies], open_posts, standing, area, floor)
    compiled = transfer_destinations(*args, senior=senior[applies], free_senior=free_senior)
    reference = _destinations_by_school(*args, senior[applies], free_senior)
    assert compiled.tolist() == reference.tolist()
