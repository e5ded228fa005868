"""Pupil achievement: persistence, teaching, peers, background; teaching quality."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes.learning import (
    entry_achievement,
    initial_achievement,
    school_year_achievement,
    school_year_achievement_reference,
    teaching_quality,
    yearly_achievement,
)
from edusim.randomness import Streams
from edusim.scenario.schema import LearningParams


def test_teaching_quality_is_mean_effectiveness_plus_management():
    effectiveness = np.array([0.1, 0.3, -0.2, 0.5])
    school = np.array([0, 0, 1, -1])
    management = np.array([0.05, -0.05, 0.01])
    np.testing.assert_allclose(
        teaching_quality(effectiveness, school, management), [0.25, -0.25, 0.01]
    )


def test_yearly_achievement_by_hand():
    params = LearningParams(
        persistence=0.8,
        school_persistence=0.4,
        teaching_weight=1.0,
        peer_effect=0.1,
        ses_effect=0.05,
        noise_sd=0.5,
    )
    new, gain = yearly_achievement(
        np.array([1.0, -1.0]),
        np.array([0.5, 0.0]),
        np.array([0.2, 0.0]),
        np.array([0.5, -1.0]),
        np.array([1.0, 2.0]),
        np.array([0.0, 1.0]),
        params,
    )
    # gain: 0.4*0.5 + 0.2 = 0.4 ; 0
    # rest: 0.8*(1 - 0.5) + 0.1*0.5 + 0.05*1 + 0 = 0.5 ; -0.8 - 0.1 + 0.1 + 0.5 = -0.3
    np.testing.assert_allclose(gain, [0.4, 0.0])
    np.testing.assert_allclose(new, [0.9, -0.3])


@settings(max_examples=50, deadline=None)
@given(
    school_persistence=st.floats(0, 1),
    persistence=st.floats(0, 1),
    quality=st.floats(0.01, 0.5),
    years=st.integers(1, 12),
)
def test_a_school_gain_fades_at_its_own_rate(school_persistence, persistence, quality, years):
    """One year of better teaching, then none: the pupil's lead over a twin taught at the
    reference quality is quality x school_persistence**k k years on, whatever the
    persistence of the rest."""
    params = LearningParams(
        persistence=persistence,
        school_persistence=school_persistence,
        peer_effect=0.0,
        ses_effect=0.0,
        noise_sd=0.0,
    )
    achievement, gain = np.zeros(2), np.zeros(2)
    achievement, gain = yearly_achievement(
        achievement, gain, np.array([quality, 0.0]), np.zeros(2), np.zeros(2), np.zeros(2), params
    )
    for _ in range(years):
        achievement, gain = yearly_achievement(
            achievement, gain, np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), params
        )
    lead = achievement[0] - achievement[1]
    assert lead == pytest.approx(quality * school_persistence**years, abs=1e-12)
    assert gain[0] == pytest.approx(lead, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 1), st.integers(1, 9), st.integers(0, 2**32 - 1))
def test_equal_rates_reproduce_the_single_stock_rule(persistence, years, seed):
    """With school_persistence = persistence the two stocks follow the old rule
    a' = persistence * a + teaching_weight * gap + peer + ses + noise."""
    rng = np.random.default_rng(seed)
    params = LearningParams(persistence=persistence, school_persistence=persistence)
    n = 20
    achievement = old = rng.normal(size=n)
    gain = np.zeros(n)
    ses = rng.normal(size=n)
    for _ in range(years):
        quality, peer, shocks = rng.normal(0, 0.2, n), rng.normal(0, 0.3, n), rng.normal(size=n)
        achievement, gain = yearly_achievement(
            achievement, gain, quality, peer, ses, shocks, params
        )
        old = (
            params.persistence * old
            + params.teaching_weight * quality
            + params.peer_effect * peer
            + params.ses_effect * ses
            + params.noise_sd * shocks
        )
    np.testing.assert_allclose(achievement, old, atol=1e-12)


def test_with_no_school_effect_the_school_stock_stays_zero():
    params = LearningParams()
    _, gain = yearly_achievement(
        np.array([0.7, -0.2]),
        np.zeros(2),
        np.zeros(2),
        np.array([0.1, -0.1]),
        np.array([1.0, -1.0]),
        np.array([0.3, 0.2]),
        params,
    )
    np.testing.assert_array_equal(gain, 0.0)


def test_entry_achievement_has_unit_variance_and_the_income_gradient():
    params = LearningParams(entry_ses_effect=0.3)
    streams = Streams(1)
    uids = np.arange(200_000)
    ses = streams.normal("ses", None, uids)
    achievement = entry_achievement(ses, streams.normal("shock", None, uids), params)
    assert achievement.std() == pytest.approx(1.0, abs=0.01)
    assert np.corrcoef(ses, achievement)[0, 1] == pytest.approx(0.3, abs=0.01)
    np.testing.assert_allclose(entry_achievement(np.array([2.0]), np.zeros(1), params), [0.6])


@settings(max_examples=50, deadline=None)
@given(
    years=st.integers(0, 9),
    persistence=st.floats(0, 1),
    quality=st.floats(-0.3, 0.3),
    ses=st.floats(-3, 3),
    entry_shock=st.floats(-3, 3),
)
def test_initial_achievement_equals_the_yearly_rule_run_for_the_years_in_school(
    years, persistence, quality, ses, entry_shock
):
    params = LearningParams(persistence=persistence, noise_sd=0.0, peer_effect=0.0)
    expected = entry_achievement(np.array([ses]), np.array([entry_shock]), params)
    expected_gain = np.zeros(1)
    for _ in range(years):
        expected, expected_gain = yearly_achievement(
            expected,
            expected_gain,
            np.array([quality]),
            np.zeros(1),
            np.array([ses]),
            np.zeros(1),
            params,
        )
    initial, gain = initial_achievement(
        np.array([float(years)]),
        np.array([quality]),
        np.array([ses]),
        np.array([entry_shock]),
        np.array([1.7]),  # ignored: noise_sd is 0
        params,
    )
    np.testing.assert_allclose(initial, expected, atol=1e-9)
    np.testing.assert_allclose(gain, expected_gain, atol=1e-9)


@pytest.mark.parametrize("persistence", [0.8, 1.0])
def test_initial_achievement_noise_matches_the_yearly_shocks(persistence):
    params = LearningParams(persistence=persistence, noise_sd=0.35)
    streams = Streams(2)
    n, years = 100_000, 5
    uids = np.arange(n)
    zeros = np.zeros(n)
    entry = streams.normal("entry", None, uids)
    simulated = entry_achievement(zeros, entry, params)
    for year in range(years):
        simulated, _ = yearly_achievement(
            simulated, zeros, zeros, zeros, zeros, streams.normal("shock", year, uids), params
        )
    initial, _ = initial_achievement(
        np.full(n, float(years)), zeros, zeros, entry, streams.normal("history", None, uids), params
    )
    assert initial.std() == pytest.approx(simulated.std(), rel=0.02)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 50), st.integers(0, 2**32 - 1))
def test_compiled_school_year_is_bit_identical_to_the_array_expression(n, seed):
    rng = np.random.default_rng(seed)
    params = LearningParams(
        persistence=rng.uniform(0.5, 1.0),
        school_persistence=rng.uniform(0.0, 1.0),
        teaching_weight=rng.uniform(0, 2),
        peer_effect=rng.uniform(0, 0.5),
        ses_effect=rng.uniform(0, 0.3),
        noise_sd=rng.uniform(0, 0.5),
    )
    args = (
        rng.normal(size=n),
        rng.normal(0, 0.3, size=n),
        rng.integers(-1, 7, n).astype(np.int32),  # -1: the last school, as numpy indexes it
        rng.integers(1, 10, n).astype(np.int8),
        rng.normal(size=7),
        rng.normal(),
        rng.normal(size=7),
        rng.normal(size=10),
        rng.normal(size=n),
        rng.normal(size=n),
        params,
    )
    got, got_gain = school_year_achievement(*args)
    expected, expected_gain = school_year_achievement_reference(*args)
    assert got.tobytes() == expected.tobytes()
    assert got_gain.tobytes() == expected_gain.tobytes()
    # written over the inputs themselves (as the school year does), the same numbers
    achievement, school_gain = args[0].copy(), args[1].copy()
    written = school_year_achievement(
        achievement, school_gain, *args[2:], out=(achievement, school_gain)
    )
    assert written[0] is achievement and written[1] is school_gain
    assert achievement.tobytes() == expected.tobytes()
    assert school_gain.tobytes() == expected_gain.tobytes()
