"""Every mechanism of the menu: a small case solved by hand, and properties on random
small markets checked by brute force (capacity, one school each, no waste, stability
of deferred acceptance, strategy-proofness of DA, TTC and serial dictatorship,
Pareto-efficiency of TTC, Boston manipulable).

The hand case (three applicants 1, 2, 3 and schools a, b, c of one place each; the
standard example that separates the mechanisms, as in Abdulkadiroğlu and Sönmez 2003):

    preferences   1: b a c    2: a b c    3: a b c
    priorities    a: 1 > 3 > 2    b: 2 > 1 > 3    c: 3 > 1 > 2

* DA: 1->b, 2->a, 3->a; a keeps 3, rejects 2; 2->b, b keeps 2, rejects 1; 1->a, a keeps
  1, rejects 3; 3->b rejected; 3->c.  Result 1a 2b 3c (stable).
* Boston: round 1: b admits 1; a admits 3 over 2. Round 2: 2->b full. Round 3: 2->c.
  Result 1b 2c 3a. Applicant 2 ranking b first would get b (b ranks 2 above 1): Boston is
  manipulable.
* TTC: 1->b->2->a->1 is a cycle: 1 gets b, 2 gets a; then 3->c->3. Result 1b 2a 3c: both 1
  and 2 better than under DA, but 3 has justified envy at a (a ranks 3 above 2).
* Parallel with bands of 2: band 1 is DA on the first two choices: 1a 2b final, 3
  unplaced; band 2: 3->c. Same as DA here; bands of 1 are Boston.
* Serial dictatorship in the order 3, 1, 2: 3 takes a, 1 takes b, 2 takes c.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.policy.mechanisms import (
    MECHANISMS,
    assign,
    deferred_acceptance,
    immediate_acceptance,
    parallel_mechanism,
    serial_dictatorship,
    top_trading_cycles,
)
from edusim.policy.mechanisms.manipulation import misreport_gainers
from edusim.policy.mechanisms.stability import blocked_applicants, blocking_pairs
from edusim.scenario.enrollment import Mechanism as SchemaMechanism

A, B, C = 0, 1, 2
LISTS = np.array([[B, A, C], [A, B, C], [A, B, C]])
# SCORE[i, s]: priority of applicant i at school s (a: 1>3>2, b: 2>1>3, c: 3>1>2)
SCORE = np.array([[3, 2, 2], [1, 3, 1], [2, 1, 3]], dtype=float)
PRIORITY = np.take_along_axis(SCORE, LISTS, axis=1)
ONE_EACH = np.array([1, 1, 1])


def test_the_schema_offers_every_mechanism_of_the_menu():
    assert SchemaMechanism.__args__ == MECHANISMS


def test_hand_case_deferred_acceptance():
    assigned = deferred_acceptance(LISTS, PRIORITY, ONE_EACH)
    assert assigned.tolist() == [A, B, C]
    assert blocking_pairs(LISTS, PRIORITY, ONE_EACH, assigned) == []


def test_hand_case_boston_and_its_manipulation():
    assert immediate_acceptance(LISTS, PRIORITY, ONE_EACH).tolist() == [B, C, A]
    lie = LISTS.copy()
    lie[1] = [B, A, C]
    lie_priority = np.take_along_axis(SCORE, lie, axis=1)
    assert immediate_acceptance(lie, lie_priority, ONE_EACH)[1] == B  # better than c
    run = immediate_acceptance
    gains = misreport_gainers(run, LISTS, PRIORITY, ONE_EACH, np.arange(3))
    assert gains.tolist() == [False, True, False]
    assert not misreport_gainers(deferred_acceptance, LISTS, PRIORITY, ONE_EACH, np.arange(3)).any()


def test_hand_case_top_trading_cycles():
    assigned = top_trading_cycles(LISTS, PRIORITY, ONE_EACH)
    assert assigned.tolist() == [B, A, C]
    assert blocking_pairs(LISTS, PRIORITY, ONE_EACH, assigned) == [(2, A)]
    assert blocked_applicants(LISTS, PRIORITY, ONE_EACH, assigned).tolist() == [False, False, True]


def test_hand_case_parallel_and_serial_dictatorship():
    assert parallel_mechanism(LISTS, PRIORITY, ONE_EACH, 2).tolist() == [A, B, C]
    assert parallel_mechanism(LISTS, PRIORITY, ONE_EACH, 1).tolist() == [B, C, A]
    order = np.array([2.0, 1.0, 3.0])  # applicant 3 first, then 1, then 2
    assert serial_dictatorship(LISTS, order, ONE_EACH).tolist() == [B, C, A]


def test_the_second_band_of_two_is_deferred_acceptance_over_its_two_choices():
    """Five applicants 1-5 and four schools a, b, c, d of one place each, bands of two.

        lists         1: a b c d   2: b a c d   3: a b c d   4: a b d c   5: d a b c
        priorities    a: 1 first   b: 2 first   c: 4 > 3   d: 5 first

    Band 1 (choices 1-2): 1 gets a, 2 b, 5 d, for good; 3 and 4 are turned away by a and b.
    Band 2 (choices 3-4), deferred acceptance over both: 3 is held by c; 4 is turned away
    by d (full), proposes to c and bumps 3 (c ranks 4 above 3); 3 is turned away by d.
    Result 1a 2b 3 unplaced 4c 5d, as under deferred acceptance over the whole list.
    Were each choice of band 2 its own band (Boston from there), c would admit 3 for good
    at the third choice and 4 would find c full at the fourth. Written for seed 36's
    `_banded_acceptance_40` (docs/testing.md), which stepped the bands one choice apart."""
    a, b, c, d = 0, 1, 2, 3
    lists = np.array([[a, b, c, d], [b, a, c, d], [a, b, c, d], [a, b, d, c], [d, a, b, c]])
    score = np.array(  # score[i, s]: applicant i's priority at school s
        [[5, 4, 1, 1], [4, 5, 1, 1], [3, 3, 2, 2], [2, 2, 3, 3], [1, 1, 1, 5]], dtype=float
    )
    priority = np.take_along_axis(score, lists, axis=1)
    one_each = np.ones(4, dtype=np.int64)
    assert parallel_mechanism(lists, priority, one_each, 2).tolist() == [a, b, -1, c, d]
    assert deferred_acceptance(lists, priority, one_each).tolist() == [a, b, -1, c, d]
    assert immediate_acceptance(lists, priority, one_each).tolist() == [a, b, c, -1, d]


# -- random small markets ------------------------------------------------------------------
@st.composite
def markets(draw):
    """Complete priorities (applicants x schools) and lists of distinct schools."""
    n_applicants = draw(st.integers(1, 6))
    n_schools = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    score = rng.random((n_applicants, n_schools))
    lists = np.full((n_applicants, n_schools), -1)
    for applicant in range(n_applicants):
        length = rng.integers(1, n_schools + 1)
        lists[applicant, :length] = rng.permutation(n_schools)[:length]
    capacity = rng.integers(0, 3, n_schools)
    return lists, score, capacity


def priorities(lists: np.ndarray, score: np.ndarray) -> np.ndarray:
    return np.where(lists >= 0, np.take_along_axis(score, np.maximum(lists, 0), axis=1), 0.0)


def run(mechanism: str, lists, score, capacity, band_size=2):
    return assign(
        mechanism,
        lists,
        priorities(lists, score),
        capacity,
        band_size=band_size,
        order=score[:, 0],
    )


def rank(lists: np.ndarray, applicant: int, school: int) -> int:
    """Position of `school` on the applicant's true list (worse than any when not on it)."""
    found = np.flatnonzero(lists[applicant] == school)
    return int(found[0]) if school >= 0 and found.size else lists.shape[1]


def all_reports(n_schools: int):
    """Every ordered list of distinct schools, -1 padded to n_schools."""
    for length in range(n_schools + 1):
        for chosen in itertools.permutations(range(n_schools), length):
            yield list(chosen) + [-1] * (n_schools - length)


@settings(max_examples=150, deadline=None)
@given(markets(), st.sampled_from(MECHANISMS), st.integers(1, 3))
def test_every_mechanism_respects_capacity_lists_and_wastes_no_place(market, mechanism, band):
    lists, score, capacity = market
    assigned = run(mechanism, lists, score, capacity, band)
    placed = assigned >= 0
    assert (np.bincount(assigned[placed], minlength=capacity.size) <= capacity).all()
    for applicant in np.flatnonzero(placed):  # one school, from its own list
        assert assigned[applicant] in lists[applicant]
    used = np.bincount(assigned[placed], minlength=capacity.size)
    for applicant in np.flatnonzero(~placed):  # nobody unplaced beside a free listed place
        listed = lists[applicant][lists[applicant] >= 0]
        assert (used[listed] >= capacity[listed]).all()


@settings(max_examples=150, deadline=None)
@given(markets())
def test_deferred_acceptance_is_stable_and_strategy_proof(market):
    lists, score, capacity = market
    truthful = run("deferred_acceptance", lists, score, capacity)
    assert blocking_pairs(lists, priorities(lists, score), capacity, truthful) == []
    assert_strategy_proof("deferred_acceptance", lists, score, capacity, truthful)


@settings(max_examples=100, deadline=None)
@given(markets())
def test_serial_dictatorship_is_strategy_proof(market):
    lists, score, capacity = market
    truthful = run("serial_dictatorship", lists, score, capacity)
    assert_strategy_proof("serial_dictatorship", lists, score, capacity, truthful)


@settings(max_examples=100, deadline=None)
@given(markets())
def test_top_trading_cycles_is_strategy_proof_among_complete_lists(market):
    """The textbook case (A&S 2003, Proposition 4): every school ranks every applicant,
    which here means everyone lists every school, truthfully or not."""
    _, score, capacity = market
    rng = np.random.default_rng(int(score.sum() * 1e6) % 2**32)
    lists = np.array([rng.permutation(capacity.size) for _ in range(score.shape[0])])
    truthful = run("top_trading_cycles", lists, score, capacity)
    complete = [r for r in all_reports(capacity.size) if -1 not in r]
    assert_strategy_proof("top_trading_cycles", lists, score, capacity, truthful, complete)


def test_top_trading_cycles_with_schools_ranking_only_applicants_can_be_gamed():
    """Found by the brute-force check: when a school ranks only those who list it, an
    applicant can list a school it does not want to gain priority there and trade it."""
    lists = np.array([[1, 0], [0, -1], [1, -1], [0, -1], [0, -1]])
    score = np.array([[0.52, 0.55], [0.45, 0.55], [0.03, 0.35], [0.02, 0.36], [0.04, 0.77]])
    capacity = np.array([1, 1])
    assert run("top_trading_cycles", lists, score, capacity)[4] == -1
    lie = lists.copy()
    lie[4] = [0, 1]
    assert run("top_trading_cycles", lie, score, capacity)[4] == 0


def assert_strategy_proof(mechanism, lists, score, capacity, truthful, reports=None):
    """No applicant gets a school it truly prefers with any other report (brute force)."""
    reports = list(all_reports(capacity.size)) if reports is None else reports
    for applicant in range(lists.shape[0]):
        for report in reports:
            lie = lists.copy()
            lie[applicant] = report
            got = run(mechanism, lie, score, capacity)[applicant]
            assert rank(lists, applicant, got) >= rank(lists, applicant, truthful[applicant])


@settings(max_examples=150, deadline=None)
@given(markets())
def test_top_trading_cycles_is_pareto_efficient(market):
    """No feasible assignment (each applicant a listed school or none) makes someone
    better off and nobody worse off (brute force over all assignments)."""
    lists, score, capacity = market
    assigned = run("top_trading_cycles", lists, score, capacity)
    now = [rank(lists, a, assigned[a]) for a in range(lists.shape[0])]
    options = [[-1, *[s for s in row if s >= 0]] for row in lists]
    for other in itertools.product(*options):
        other = np.array(other)
        if (np.bincount(other[other >= 0], minlength=capacity.size) > capacity).any():
            continue
        then = [rank(lists, a, other[a]) for a in range(lists.shape[0])]
        assert not (
            all(t <= n for t, n in zip(then, now, strict=True))
            and any(t < n for t, n in zip(then, now, strict=True))
        )


@settings(max_examples=150, deadline=None)
@given(markets())
def test_parallel_runs_from_boston_to_deferred_acceptance(market):
    lists, score, capacity = market
    width = lists.shape[1]
    assert (
        run("parallel", lists, score, capacity, 1)
        == run("immediate_acceptance", lists, score, capacity)
    ).all()
    assert (
        run("parallel", lists, score, capacity, width)
        == run("deferred_acceptance", lists, score, capacity)
    ).all()


@settings(max_examples=150, deadline=None)
@given(markets())
def test_serial_dictatorship_is_deferred_acceptance_with_one_order(market):
    lists, score, capacity = market
    common = np.repeat(score[:, :1], score.shape[1], axis=1)  # every school ranks by one score
    assert (
        run("serial_dictatorship", lists, score, capacity)
        == run("deferred_acceptance", lists, common, capacity)
    ).all()


@settings(max_examples=150, deadline=None)
@given(markets(), st.sampled_from(MECHANISMS))
def test_blocked_applicants_agree_with_brute_force(market, mechanism):
    lists, score, capacity = market
    priority = priorities(lists, score)
    assigned = run(mechanism, lists, score, capacity)
    pairs = blocking_pairs(lists, priority, capacity, assigned)
    expected = np.zeros(lists.shape[0], dtype=bool)
    expected[[applicant for applicant, _ in pairs]] = True
    assert (blocked_applicants(lists, priority, capacity, assigned) == expected).all()


def naive_top_trading_cycles(lists, priority, capacity):
    """Round by round, as A&S 2003 state it: everyone points, every cycle trades."""
    remaining = capacity.astype(int).copy()
    assigned = np.full(lists.shape[0], -1)
    active = np.ones(lists.shape[0], dtype=bool)
    while True:
        points = {}
        for a in np.flatnonzero(active):
            wanted = [s for s in lists[a] if s >= 0 and remaining[s] > 0]
            if wanted:
                points[a] = wanted[0]
            else:
                active[a] = False
        if not points:
            return assigned
        best = {}
        for a, _ in points.items():
            for position, s in enumerate(lists[a]):
                if (
                    s >= 0
                    and remaining[s] > 0
                    and (s not in best or priority[a, position] > best[s][1])
                ):
                    best[s] = (a, priority[a, position])
        for start in list(points):
            path, node = [], start
            while node not in path and node in points:
                path.append(node)
                node = best[points[node]][0]
            if node in path:
                for a in path[path.index(node) :]:
                    if active[a]:
                        assigned[a] = points[a]
                        remaining[points[a]] -= 1
                        active[a] = False
                break  # pointers change after a trade: point again


def test_top_trading_cycles_matches_the_round_by_round_statement():
    rng = np.random.default_rng(16)
    for _ in range(30):
        n, m, width = 40, 6, 4
        lists = np.array([rng.permutation(m)[:width] for _ in range(n)])
        lists[rng.random((n, width)) < 0.1] = -1
        lists = np.array([np.concatenate([r[r >= 0], r[r < 0]]) for r in lists])
        priority = rng.random((n, width))
        capacity = rng.integers(0, 8, m)
        expected = naive_top_trading_cycles(lists, priority, capacity)
        assert (top_trading_cycles(lists, priority, capacity) == expected).all()


def test_unknown_mechanism_and_missing_order_are_refused():
    with pytest.raises(ValueError, match="unknown mechanism"):
        assign("lottery", LISTS, PRIORITY, ONE_EACH)
    with pytest.raises(ValueError, match="needs an order"):
        assign("serial_dictatorship", LISTS, PRIORITY, ONE_EACH)
