"""Posts (编制) and senior-title quotas (职称): the pure rules of policy/titles.py."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from edusim.policy.titles import (
    ORDINARY,
    SENIOR,
    free_senior_posts,
    moved_posts,
    posts,
    promoted,
    senior_quota,
    title_candidates,
)


def test_cores_get_extra_posts_and_senior_posts():
    standard = np.array([20, 20, 7])
    is_core = np.array([True, False, True])
    school_posts = posts(standard, is_core, 0.1)
    assert school_posts.tolist() == [22, 20, 8]  # 7 x 1.1 = 7.7 rounds to 8
    # 10% of posts, plus 5% at cores: 22 x 0.15 = 3.3, 20 x 0.1 = 2, 8 x 0.15 = 1.2
    assert senior_quota(school_posts, is_core, 0.10, 0.05).tolist() == [3, 2, 1]


def test_the_strongest_eligible_teachers_of_each_school_fill_its_free_posts():
    school = np.array([0, 0, 0, 1, 1, 1])
    key = np.array([0.1, 0.3, 0.2, 0.5, 0.4, 0.9])
    candidate = np.array([True, True, True, True, True, False])  # teacher 5 not eligible
    free = np.array([2, 1])
    chosen = promoted(school, key, candidate, free)
    assert chosen.tolist() == [False, True, True, True, False, False]


def test_urban_teachers_need_the_service_years_and_rural_teachers_do_not():
    title = np.array([ORDINARY, ORDINARY, ORDINARY, SENIOR, ORDINARY])
    experience = np.array([12.0, 12.0, 12.0, 12.0, 3.0])
    served = np.array([0.0, 1.0, 0.0, 0.0, 2.0])
    rural = np.array([False, False, True, False, False])
    eligible = title_candidates(title, experience, served, rural, 10, 1.0)
    assert eligible.tolist() == [False, True, True, False, False]
    assert title_candidates(title, experience, served, rural, 10, 0.0).tolist() == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_a_school_over_its_quota_keeps_its_titles_and_promotes_nobody():
    home = np.array([0, 0, 0, 1])
    senior = np.array([True, True, True, False])
    assert free_senior_posts(np.array([2, 1]), home, senior).tolist() == [0, 1]


@given(
    st.lists(st.integers(0, 4), min_size=1, max_size=60),
    st.integers(0, 2**31 - 1),
    st.floats(0.0, 0.5),
)
def test_promotion_never_fills_more_senior_posts_than_the_quota(schools, seed, share):
    """Whatever the teachers, after a review every school holds at most its quota of
    senior titles, or as many as it held before if it was already over it."""
    rng = np.random.default_rng(seed)
    home = np.array(schools)
    n_schools = 5
    title = (rng.random(home.size) < 0.3).astype(np.int8)
    experience = rng.uniform(0, 30, home.size)
    quota = senior_quota(
        posts(np.full(n_schools, 12), rng.random(n_schools) < 0.5, 0.2),
        np.zeros(n_schools, bool),
        share,
        0.0,
    )
    held_before = np.bincount(home[title == SENIOR], minlength=n_schools)
    free = free_senior_posts(quota, home, title == SENIOR)
    candidate = title_candidates(
        title, experience, np.zeros(home.size), np.zeros(home.size, bool), 10, 0.0
    )
    rising = promoted(home, rng.normal(size=home.size), candidate, free)
    assert not (rising & (title == SENIOR)).any()
    title = title.copy()
    title[rising] = SENIOR
    held_after = np.bincount(home[title == SENIOR], minlength=n_schools)
    assert (held_after <= np.maximum(quota, held_before)).all()
    # a senior post stays free only where no eligible teacher is left unpromoted
    left = np.bincount(home[candidate & ~rising], minlength=n_schools)
    assert ((held_after >= quota) | (left == 0)).all()


def test_moved_posts_leave_the_total_unchanged_and_move_the_share():
    # giving schools 0, 1 (20 + 30 posts), receiving 3, 4 (10 + 30); school 2 untouched
    school_posts = np.array([20, 30, 7, 10, 30])
    giving = np.array([True, True, False, False, False])
    receiving = np.array([False, False, False, True, True])
    after = moved_posts(school_posts, giving, receiving, 0.1)  # 5 posts move
    assert after.sum() == school_posts.sum()
    assert after.tolist() == [18, 27, 7, 11, 34]  # 2 + 3 taken; 1.25 -> 1, 3.75 -> 4 given
    assert (moved_posts(school_posts, giving, np.zeros(5, bool), 0.1) == school_posts).all()
