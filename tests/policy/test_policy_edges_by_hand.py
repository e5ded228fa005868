"""Policy rules at the edges where a small change of the code changes the answer (school
0, a group numbered 0, a draw equal to the share, a score of the wrong length), each
worked out by hand. Written for mutants of `policy/` that survived `tools/mutation.py`
(docs/testing.md)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from edusim.policy.enrollment import STANDING_CLASS_WIDTH, resident_standing
from edusim.policy.funding import weakest_rural_schools
from edusim.policy.group_formation import SchoolView, eligible_members
from edusim.policy.leadership import posting_quota
from edusim.policy.mechanisms import deferred_acceptance, immediate_acceptance
from edusim.policy.mechanisms.inputs import UNMATCHED, checked, truncated
from edusim.policy.mechanisms.manipulation import misreport_gainers
from edusim.policy.mechanisms.parallel import parallel_mechanism
from edusim.policy.mechanisms.serial_dictatorship import serial_dictatorship
from edusim.policy.mechanisms.stability import blocked_applicants
from edusim.policy.pay import school_reward_pay
from edusim.policy.retirees import returning_retirees
from edusim.scenario.enrollment import EnrollmentParams


def test_posting_quota_is_what_each_member_still_lacks_never_negative():
    # members 0 and 2 with 1 and 3 deputies posted, 2 wanted: 1 still lacking, and none
    # (not -1) where there are already more than enough
    got = posting_quota(np.array([0, 2]), np.array([1, 0, 3]), per_member=2)
    assert got.tolist() == [1, 0]


def test_schools_of_a_group_are_paid_by_the_group_mean_score():
    # group 0 holds schools 0 and 1 (scores 1 and 3: mean 2); school 2 is in no group
    pay = school_reward_pay(np.array([1.0, 3.0, 5.0]), 100.0, np.array([0, 0, -1]))
    assert pay.tolist() == [200.0, 200.0, 500.0]
    assert school_reward_pay(np.array([1.0, 3.0]), 100.0, None).tolist() == [100.0, 300.0]


def test_a_retiree_returns_only_when_its_draw_is_below_the_share():
    retiring, top = np.ones(3, dtype=bool), np.full(3, 3)
    draws = np.array([0.0, 0.49, 0.5])
    assert not returning_retirees(retiring, top, draws, share=0.0).any()  # no encouragement
    assert returning_retirees(retiring, top, draws, share=0.5).tolist() == [True, True, False]


def test_truncated_lists_keep_the_first_choices_and_leave_the_input_alone():
    lists = [[2, 0, 1], [1, 2, -1]]
    got = truncated(lists, 1)
    assert got.dtype == np.int64
    assert got.tolist() == [[2, UNMATCHED, UNMATCHED], [1, UNMATCHED, UNMATCHED]]
    original = np.array(lists)
    truncated(original, 2)
    assert original.tolist() == lists
    # school indices come back as integers whatever the input's type
    assert truncated(np.array([[2.0, 1.0]]), 1).dtype == np.int64


def test_serial_dictatorship_refuses_a_score_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"^score must have one value per applicant$"):
        serial_dictatorship(np.array([[0], [0]]), np.array([1.0]), np.array([1]))


def test_who_gains_by_ranking_school_0_first_under_immediate_acceptance():
    # Two schools with one place each. A lists 1 then 0; B lists 1 (and outranks A there);
    # C lists 0 (A outranks C there). Truthful immediate acceptance: B takes 1 and C takes
    # 0 in round 1, A is left out. Listing 0 first, A takes it in round 1: A gains, and the
    # school it gains is school 0. Deferred acceptance is strategy-proof: nobody gains.
    preferences = np.array([[1, 0], [1, -1], [0, -1]])
    priority = np.array([[0.1, 0.9], [0.5, 0.0], [0.5, 0.0]])
    capacity = np.array([1, 1])
    sampled = np.arange(3)
    truthful = immediate_acceptance(preferences, priority, capacity)
    assert truthful.tolist() == [-1, 1, 0]
    gains = misreport_gainers(immediate_acceptance, preferences, priority, capacity, sampled)
    assert gains.tolist() == [True, False, False]
    no_gains = misreport_gainers(deferred_acceptance, preferences, priority, capacity, sampled)
    assert not no_gains.any()


def test_parallel_mechanism_refuses_a_band_below_one():
    with pytest.raises(ValueError, match=r"^band_size must be at least 1$"):
        parallel_mechanism(np.array([[0]]), np.array([[1.0]]), np.array([1]), band_size=0)


def test_an_equal_priority_does_not_block():
    # One place at school 0, held by A (priority 0.5 there). B lists 0 and is unplaced: with
    # an equal priority B has no claim on the place; with a higher one it blocks.
    preferences, capacity, assigned = np.array([[0], [0]]), np.array([1]), np.array([0, -1])
    tie = blocked_applicants(preferences, np.array([[0.5], [0.5]]), capacity, assigned)
    assert tie.tolist() == [False, False]
    higher = blocked_applicants(preferences, np.array([[0.5], [0.6]]), capacity, assigned)
    assert higher.tolist() == [False, True]


def test_studios_go_to_the_weakest_rural_schools_the_first_listed_among_equals():
    # 60 rural schools alternating quality 1, 0 (all the odd ones equally weakest) and one
    # urban school at -1: the five weakest rural schools are the first five odd ones
    quality = np.append(np.tile([1.0, 0.0], 30), -1.0)
    rural = np.append(np.ones(60, dtype=bool), False)
    assert weakest_rural_schools(quality, rural, 5).tolist() == [1, 3, 5, 7, 9]


def test_residence_years_never_lift_a_family_into_the_class_above():
    # an owner without local hukou resident 500 years ranks below a local owner resident 0
    # years; among equals, longer residence ranks first (whole years)
    params = EnrollmentParams()
    standing = resident_standing(
        np.array([False, True, False]),
        np.array([True, True, True]),
        np.array([500.0, 0.0, 3.7]),
        params,
    )
    assert standing[0] < standing[1]
    assert standing[0] - standing[2] == STANDING_CLASS_WIDTH - 1 - 3


def _schools(**columns) -> SchoolView:
    n = len(columns["enrollment"])
    base = dict(
        stage=np.zeros(n, dtype=int),
        district=np.zeros(n, dtype=int),
        district_kind=np.zeros(n, dtype=int),
        quality=np.zeros(n),
        travel_km=np.zeros((n, n)),
    )
    return SchoolView(**{**base, **columns})


def test_member_pool_criteria_each_admit_their_own_schools_and_add_up():
    # in scope: schools 0-3 (enrollment 100-400, median 250); school 4 is out of scope.
    # "small": 0 and 1. "rural_school": the schools' own status (2 and 4), not the county's
    # kind (all urban here). Both: the union 0, 1, 2.
    schools = _schools(
        enrollment=np.array([100, 200, 300, 400, 50]),
        rural=np.array([False, False, True, False, True]),
    )
    in_scope = np.array([True, True, True, True, False])

    def pool(*criteria):
        return eligible_members(SimpleNamespace(member_pool=criteria), schools, in_scope).tolist()

    assert pool("small") == [True, True, False, False, False]
    assert pool("rural_school") == [False, False, True, False, False]
    assert pool("small", "rural_school") == [True, True, True, False, False]
    assert pool("rural_school", "small") == [True, True, True, False, False]
    # without the schools' own status, "rural_school" falls back to the rural county
    county = _schools(enrollment=np.array([100, 200]), district_kind=np.array([2, 0]))
    both = np.array([True, True])
    rule = SimpleNamespace(member_pool=("rural_school",))
    assert eligible_members(rule, county, both).tolist() == [True, False]


def test_lists_and_priorities_of_different_shapes_are_refused():
    with pytest.raises(
        ValueError, match=r"^preferences and priority must be applicants x K of the same shape$"
    ):
        checked(np.array([[0, 1]]), np.array([[1.0]]), np.array([1, 1]))


# Written for the survivors of the fresh sample of seed 23 (docs/testing.md).


def test_the_rural_criterion_adds_the_rural_countys_schools_to_the_others():
    # in scope 0-3, enrollment 100-400 (median 250: "small" is 0 and 1), schools 2 and 3
    # in a rural county (district kind 2): "rural" admits 2 and 3, and with "small" the
    # union of both, whichever is listed first
    schools = _schools(
        enrollment=np.array([100, 200, 300, 400]), district_kind=np.array([0, 0, 2, 2])
    )
    in_scope = np.ones(4, dtype=bool)

    def pool(*criteria):
        return eligible_members(SimpleNamespace(member_pool=criteria), schools, in_scope).tolist()

    assert pool("rural") == [False, False, True, True]
    assert pool("small", "rural") == [True, True, True, True]
    assert pool("rural", "small") == [True, True, True, True]


def test_without_feeder_links_no_primary_feeds_a_core():
    # a vertical rule whose members must feed the core, on schools with no feeder links
    # (feeds None): no primary feeds any junior school, so no group forms
    import datetime as dt

    from edusim.policy.group_formation import form_by_rule
    from edusim.scenario.groups import GroupRule

    position = np.arange(6, dtype=float)
    view = SchoolView(
        stage=np.array([1, 1, 0, 0, 0, 0]),
        district=np.zeros(6, dtype=np.int16),
        district_kind=np.zeros(6, dtype=np.int8),
        quality=np.array([0.9, 0.5, 0.0, 0.0, 0.0, 0.0]),
        enrollment=np.full(6, 500),
        travel_km=np.abs(position[:, None] - position[None, :]),
    )
    rule = GroupRule(name="V", kind="tight", formed=dt.date(2019, 9, 1), stage="junior",
                     member_stage="primary", member_pool=("any",), members_feed_core=True)  # fmt: skip
    groups, _ = form_by_rule(rule, view, np.array([0]), np.zeros(6, dtype=bool))
    assert groups == []


def test_a_lone_deputy_counts_as_the_mean_of_the_deputies():
    # school 0: principal 0.1, one deputy 0.4; school 1: principal 0.2, deputies 0.1 and
    # 0.3 (mean 0.2); weight 0.5 x 2 deputies a school: 0.1 + 0.4 = 0.5 and 0.2 + 0.2
    from edusim.agents.leaders import DEPUTY, PRINCIPAL
    from edusim.policy.leadership import school_leadership

    got = school_leadership(
        2,
        np.array([0, 0, 1, 1, 1]),
        np.array([PRINCIPAL, DEPUTY, PRINCIPAL, DEPUTY, DEPUTY]),
        np.array([0.1, 0.4, 0.2, 0.1, 0.3]),
        0.5,
        2,
    )
    np.testing.assert_allclose(got, [0.5, 0.4])


def test_a_preference_one_beyond_the_last_school_is_refused():
    # two schools (0 and 1): a list naming school 2 is refused, with the documented message
    with pytest.raises(
        ValueError, match=r"^a preference names a school beyond the capacity array$"
    ):
        checked(np.array([[2, 0]]), np.zeros((1, 2)), np.array([1, 1]))
    checked(np.array([[1, 0]]), np.zeros((1, 2)), np.array([1, 1]))  # school 1 is fine


def test_serial_dictatorship_breaks_equal_scores_in_the_order_given():
    # 30 applicants with scores 0, 1, 2, 0, 1, 2, ... all want school 0, which has 15 places:
    # the ten with score 2 choose first, then the first five with score 1 in the order
    # given (applicants 1, 4, 7, 10, 13)
    score = np.arange(30) % 3
    placed = serial_dictatorship(np.zeros((30, 1), dtype=np.int64), score, np.array([15]))
    expected = set(range(2, 30, 3)) | {1, 4, 7, 10, 13}
    assert set(np.flatnonzero(placed == 0).tolist()) == expected


def test_choosing_among_no_candidates_gives_an_empty_mask():
    from edusim.policy.rotation import choose_by_unit

    chosen = choose_by_unit(
        np.empty(0, dtype=np.int64), np.empty(0), np.empty(0, dtype=bool), np.array([2, 1]), 0.2
    )
    assert chosen.dtype == bool and chosen.size == 0
    assert np.arange(0)[chosen].size == 0


def test_a_single_post_is_moved():
    # the giving school's 10 posts x share 0.1 = 1 post: it moves to the receiving school
    from edusim.policy.titles import moved_posts

    got = moved_posts(np.array([10, 10]), np.array([True, False]), np.array([False, True]), 0.1)
    assert got.tolist() == [9, 11]


# Written for the survivors of the fresh sample of seed 37 (docs/testing.md).


def test_a_school_of_one_place_that_filled_has_a_cut_off():
    # school 0 (one place) admitted applicant 0 at 0.7, school 1 (one place) applicant 1 at
    # 0.9; school 2 has no place and nobody: both filled schools have their cut-off, the
    # empty one none
    from edusim.policy.admission import cutoffs

    lists = np.array([[0, 1], [1, 0]])
    priority = np.array([[0.7, 0.2], [0.9, 0.4]])
    found = cutoffs(lists, priority, np.array([1, 1, 0]), np.array([0, 1]))
    assert found.tolist() == [0.7, 0.9, -np.inf]


def test_a_school_whose_cut_off_equals_the_expected_priority_stays_on_the_list():
    # last year's lowest admitted priority at school 0 was 0.5: a family expecting exactly
    # 0.5 there would have been admitted, so it keeps school 0 (and its last, school 1)
    from edusim.policy.admission import skip_out_of_reach

    lists, priority = np.array([[0, 1]]), np.array([[0.5, 0.2]])
    kept, _ = skip_out_of_reach(lists, priority, priority.copy(), np.array([0.5, 0.0]))
    assert kept.tolist() == [[0, 1]]
    below, _ = skip_out_of_reach(lists, priority, priority - 0.01, np.array([0.5, 0.0]))
    assert below.tolist() == [[1, -1]]


def test_a_city_without_schools_has_no_senders_or_receivers():
    from edusim.policy.district_rotation import senders_and_receivers

    none = np.empty(0, dtype=np.int64)
    senders, receivers = senders_and_receivers(np.empty(0), np.empty(0, dtype=bool), none)
    assert senders.size == 0 and receivers.size == 0


def test_candidates_of_equal_utility_keep_the_order_they_are_listed_in():
    # twenty candidates (schools 0-19, listed in that order) of utility 2, 1 or 0: best
    # first, and among equals in the listed order (numpy's default sort reorders ties in a
    # row this long)
    from edusim.policy.enrollment import ranked_lists

    utility = np.array([1, 1, 2, 0, 2, 2, 0, 1, 2, 1, 0, 2, 2, 2, 0, 0, 2, 0, 1, 0], dtype=float)
    ranked = ranked_lists(np.arange(20)[None, :], utility[None, :], 20)
    assert ranked[0].tolist() == [2, 4, 5, 8, 11, 12, 13, 16, 0, 1, 7, 9, 18,
                                  3, 6, 10, 14, 15, 17, 19]  # fmt: skip


def test_with_feeder_priority_a_sibling_ranks_above_an_applicant_with_none():
    # one school, four applicants: a resident (level 4), a fed pupil (2), a sibling (1),
    # none of these (0); standings 0, no distance priority, lotteries 0.1-0.4
    from edusim.policy.enrollment import PRIORITY_LEVEL, applicant_priority

    column = np.array([[1], [0], [0], [0]], dtype=bool)
    got = applicant_priority(
        resident=column,
        standing=np.zeros(4),
        sibling=np.array([[0], [0], [1], [0]], dtype=bool),
        km=np.zeros((4, 1)),
        lottery=np.array([0.1, 0.2, 0.3, 0.4]),
        distance_priority=False,
        feeder=np.array([[0], [1], [0], [0]], dtype=bool),
    )
    level = PRIORITY_LEVEL
    assert got[:, 0].tolist() == [4 * level + 0.1, 2 * level + 0.2, level + 0.3, 0.4]


def test_the_parallel_mechanism_named_without_a_band_has_bands_of_one_choice():
    # schools 0 and 1 of one place; A and B list 0 then 1, C lists only 1; school 0
    # prefers B, school 1 prefers A to C. Bands of one choice (Boston): B gets 0, C gets 1
    # in the first round and A is left over; a band of both choices is deferred
    # acceptance: A, refused at 0, bumps C at 1
    from edusim.policy.mechanisms import assign

    lists = np.array([[0, 1], [0, 1], [1, -1]])
    priority = np.array([[0.2, 0.9], [0.8, 0.1], [0.5, 0.0]])
    capacity = np.array([1, 1])
    assert assign("parallel", lists, priority, capacity).tolist() == [-1, 0, 1]
    assert immediate_acceptance(lists, priority, capacity).tolist() == [-1, 0, 1]
    assert assign("parallel", lists, priority, capacity, band_size=2).tolist() == [1, 0, -1]


def test_checked_lists_are_int64_whatever_integer_type_they_came_in():
    # the docstring's contract: the kernels are given int64 lists
    lists, _, _ = checked(np.array([[1, 0]], dtype=np.int32), np.zeros((1, 2)), np.array([1, 1]))
    assert lists.dtype == np.int64 and lists.tolist() == [[1, 0]]


def test_serial_dictatorship_ranks_unsigned_and_yes_no_scores_by_their_value():
    # one place at school 0, wanted by both applicants: the higher score chooses first,
    # whether the scores are unsigned counts (0 and 3) or a yes/no flag
    lists = np.zeros((2, 1), dtype=np.int64)
    one_place = np.array([1])
    counts = np.array([0, 3], dtype=np.uint8)
    assert serial_dictatorship(lists, counts, one_place).tolist() == [-1, 0]
    flags = np.array([False, True])
    assert serial_dictatorship(lists, flags, one_place).tolist() == [-1, 0]


def test_of_two_retirees_and_two_hosts_the_stronger_goes_to_the_weaker_school():
    # primary retirees 0 (0.1) and 1 (0.4); rural primary hosts 0 (strength 0.3) and 1
    # (0.1): retiree 1 goes to school 1, retiree 0 to school 0
    from edusim.policy.retirees import rural_hosts

    hosts = rural_hosts(
        np.array([0, 0]),
        np.array([0.1, 0.4]),
        np.array([True, True]),
        np.array([0, 0]),
        np.array([0.3, 0.1]),
    )
    assert hosts.tolist() == [0, 1]
