"""Rules about school leaders (policy/leadership.py), one test per rule."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.phases.leadership import _dealt
from edusim.policy.leadership import (
    appointed_quality,
    initial_principal_quality,
    judged_update,
    not_reappointed,
    posting_quota,
    principal_year_score,
    rotated_schools,
    school_leadership,
)


def test_a_school_gets_its_principal_and_a_share_of_its_deputies_mean():
    # weight 0.25, two deputy posts a school: school 0: principal 0.04, deputies 0.08 and
    # -0.02 (mean 0.03) -> 0.04 + 0.5 x 0.03; school 1: principal -0.01, a deputy posted
    # there from school 0 (0.1) and its own (0.0), mean 0.05 -> -0.01 + 0.025; school 2:
    # no leader, 0; school 3: a principal 0.02 and three deputies of 0.06 (a surplus adds
    # nothing by its number) -> 0.02 + 0.03
    school = np.array([0, 0, 0, 1, 1, 1, 3, 3, 3, 3])
    role = np.array([0, 1, 1, 0, 1, 1, 0, 1, 1, 1])
    quality = np.array([0.04, 0.08, -0.02, -0.01, 0.1, 0.0, 0.02, 0.06, 0.06, 0.06])
    got = school_leadership(4, school, role, quality, 0.25, 2)
    assert got == pytest.approx([0.055, 0.015, 0.0, 0.05])


def test_year_zero_split_gives_the_principal_its_share_of_management():
    rng = np.random.default_rng(3)
    management = 0.06 * rng.standard_normal(200_000)
    z = rng.standard_normal(200_000)
    q = initial_principal_quality(management, 0.7, 0.06, z)
    rest = management - q
    # q takes the share s of management's variance and the rest is uncorrelated with it
    assert q.var() / management.var() == pytest.approx(0.7, abs=0.01)
    assert abs(np.corrcoef(q, rest)[0, 1]) < 0.01
    # an appointment has the same spread given prestige (prestige 0 here)
    new = appointed_quality(np.zeros(z.size), 0.7, 0.06, 0.06, z)
    assert new.var() == pytest.approx(q.var(), rel=0.02)


def test_rotation_deals_the_best_judged_principal_to_the_weakest_school():
    # area 0: schools 0 (strong), 1 (weak), 2 (middle); area 1: schools 3, 4
    area = np.array([0, 0, 0, 1, 1])
    strength = np.array([0.3, -0.2, 0.1, 0.5, 0.0])
    school = np.array([0, 1, 2, 3, 4])  # one principal per school
    judged = np.array([2.0, -1.0, 0.5, -0.3, 0.7])
    new = rotated_schools(area, strength, judged, school)
    # area 0: best judged (from 0) to weakest (1), next (from 2) to middle (2), worst to 0
    assert new.tolist() == [1, 0, 2, 3, 4]
    # a permutation of the schools within each area: no school gets two principals
    assert sorted(new.tolist()) == [0, 1, 2, 3, 4]
    assert (area[new] == area[school]).all()


def test_a_core_principal_is_judged_on_members_by_the_member_weight():
    score = np.array([1.0, -1.0, 0.0])
    is_core = np.array([True, False, False])
    member_mean = np.array([-0.5, 0.0, 0.0])
    got = principal_year_score(score, np.array([0, 1, 2]), is_core, member_mean, 0.6)
    assert got == pytest.approx([0.4 * 1.0 + 0.6 * -0.5, -1.0, 0.0])
    assert judged_update(np.array([1.0]), np.array([3.0]), np.array([-1.0])) == pytest.approx([0.5])


def test_the_lowest_judged_at_a_term_end_are_not_reappointed():
    judged = np.array([0.5, -2.0, -1.0, 0.0, -3.0, 1.0])
    stage = np.array([0, 0, 0, 0, 1, 1])
    term_ends = np.array([True, True, True, True, False, True])
    # stage 0: four end a term, a quarter -> one, the lowest (-2.0); stage 1: one ends, 0
    assert not_reappointed(judged, stage, term_ends, 0.25).tolist() == [
        False,
        True,
        False,
        False,
        False,
        False,
    ]
    assert not not_reappointed(judged, stage, term_ends, 0.0).any()


def test_postings_are_dealt_to_members_that_lack_deputies_weakest_first():
    members = np.array([7, 4, 9])  # weakest first
    hosts = _dealt(members, np.array([2, 0, 1]))
    assert hosts.tolist() == [7, 9, 7]


def test_an_executive_principal_from_the_core_is_one_of_the_leaders_a_member_is_owed():
    """Sanming 四(一)3: a core sends a school-level leader and a middle manager to each
    member (2 in all); where the member's principal is an executive principal from the
    core, that is the school-level one, so one deputy is owed, not two."""
    members = np.array([0, 1, 2])
    posted_now = np.array([0, 0, 1])
    executive = np.array([True, False, True])
    assert posting_quota(members, posted_now, 2, executive).tolist() == [1, 2, 0]
    assert posting_quota(members, posted_now, 1, executive).tolist() == [0, 1, 0]
    assert posting_quota(members, posted_now, 2).tolist() == [2, 2, 1]
