"""Deferred acceptance: capacities, stability (brute force) and known small cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.policy.mechanisms import deferred_acceptance
from edusim.policy.mechanisms.stability import blocking_pairs


def test_textbook_case():
    # three applicants, two schools of one place each; all prefer school 0
    preferences = np.array([[0, 1], [0, 1], [0, 1]])
    priority = np.array([[0.2, 0.9], [0.8, 0.1], [0.5, 0.5]])
    assigned = deferred_acceptance(preferences, priority, np.array([1, 1]))
    # school 0 keeps its top priority (applicant 1); school 1 then takes applicant 0 (0.9 > 0.5)
    assert assigned.tolist() == [1, 0, -1]


def test_rejected_holder_moves_down_its_list():
    preferences = np.array([[0, 1, -1], [0, -1, -1]])
    priority = np.array([[0.1, 0.5, 0.0], [0.9, 0.0, 0.0]])
    assert deferred_acceptance(preferences, priority, np.array([1, 1])).tolist() == [1, 0]


@st.composite
def markets(draw):
    n_applicants = draw(st.integers(1, 12))
    n_schools = draw(st.integers(1, 5))
    width = draw(st.integers(1, n_schools))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    preferences = np.full((n_applicants, width), -1)
    for applicant in range(n_applicants):
        length = rng.integers(1, width + 1)
        preferences[applicant, :length] = rng.permutation(n_schools)[:length]
    priority = rng.random((n_applicants, width))
    capacity = rng.integers(0, 4, n_schools)
    return preferences, priority, capacity


@settings(max_examples=200, deadline=None)
@given(markets())
def test_matching_is_stable_and_respects_capacity(market):
    preferences, priority, capacity = market
    assigned = deferred_acceptance(preferences, priority, capacity)
    placed = assigned >= 0
    assert (np.bincount(assigned[placed], minlength=capacity.size) <= capacity).all()
    for applicant in np.flatnonzero(placed):
        assert assigned[applicant] in preferences[applicant]
    assert blocking_pairs(preferences, priority, capacity, assigned) == []


def test_the_matching_does_not_depend_on_the_order_applicants_are_listed_in():
    """With strict priorities, deferred acceptance gives the one applicant-optimal stable
    matching (Gale and Shapley 1962), so listing the applicants in another order must give
    each the same school; a first-come-first-served rule or a heap that loses track of
    its lowest holder would not."""
    rng = np.random.default_rng(0)
    preferences = np.array([rng.permutation(50)[:8] for _ in range(2000)])
    priority = rng.random(preferences.shape)
    capacity = rng.integers(15, 45, 50)  # about 1,500 places for 2,000 applicants
    inputs = (preferences.copy(), priority.copy(), capacity.copy())
    assigned = deferred_acceptance(preferences, priority, capacity)
    for name, before, after in zip(
        ("preferences", "priority", "capacity"),
        inputs,
        (preferences, priority, capacity),
        strict=True,
    ):
        assert (before == after).all(), f"{name} was modified"
    assert (assigned >= 0).sum() > 1000 and (assigned < 0).any()  # places run short
    for order in (rng.permutation(2000), np.arange(2000)[::-1]):
        shuffled = deferred_acceptance(preferences[order], priority[order], capacity)
        assert (shuffled == assigned[order]).all()
