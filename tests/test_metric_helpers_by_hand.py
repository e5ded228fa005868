"""The shared pieces of the metrics (`edusim.metrics.common`) on inputs small enough to work
out by hand, at the edges where a mutation of the rule changes the answer: ties at a
quartile cut-off, a school with one pupil, an area whose pupils all score alike, no
open school at all. Written for the mutants that survived `tools/mutation.py` on
`metrics/` (docs/testing.md)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from edusim.metrics import common
from edusim.metrics.common import (
    between_school_variance_share,
    by_stage,
    exact_quantiles,
    gini,
    income_quartiles,
    intake_share,
    open_public,
    quartile_gap,
    quartile_gap_by,
)


class _Table(SimpleNamespace):
    def __len__(self) -> int:
        return self.stage.size


def _model(enrollment, stage, private=None, **extra) -> SimpleNamespace:
    enrollment = np.asarray(enrollment)
    private = np.zeros(enrollment.size, dtype=bool) if private is None else np.asarray(private)
    table = _Table(enrollment=enrollment, stage=np.asarray(stage), private=private)
    return SimpleNamespace(school_table=table, **extra)


def test_a_school_with_one_pupil_is_open_and_an_empty_or_private_one_is_not():
    model = _model([1, 0, 5], [0, 0, 1], private=[False, False, True])
    assert open_public(model).tolist() == [True, False, False]


def test_by_stage_weights_each_stage_by_its_open_schools():
    # stage 0: schools 0, 1 (values 1, 3: mean 2); stage 1: school 3 only (value 10); school 2
    # is empty. Weighted by schools: (2 * 2 + 10 * 1) / 3 = 14 / 3.
    model = _model([5, 5, 0, 5], [0, 0, 1, 1])
    got = by_stage(model, np.array([1.0, 3.0, 99.0, 10.0]), np.mean)
    assert math.isclose(got, 14 / 3)


def test_by_stage_with_no_open_public_school_is_nan():
    model = _model([0, 0], [0, 1])
    assert math.isnan(by_stage(model, np.array([1.0, 2.0]), np.mean))


def test_quartile_gaps_include_the_schools_tied_at_the_cut_offs():
    # key 0, 0, 1, 1: the quartiles are 0 and 1 themselves, so the top quarter is every
    # school at 1 and the bottom every school at 0: gap = mean(5, 7) - mean(1, 3) = 4.
    values, key = np.array([1.0, 3.0, 5.0, 7.0]), np.array([0.0, 0.0, 1.0, 1.0])
    assert quartile_gap_by(values, key) == 4.0
    assert quartile_gap(np.array([0.0, 0.0, 1.0, 1.0])) == 1.0
    assert math.isnan(quartile_gap(np.array([])))


def test_income_quartiles_are_computed_once_per_recording_and_match_each_alone():
    # incomes 1..9: the 25% and 75% quantiles are 3 and 7 (linear, index 2 and 6)
    income = np.arange(1.0, 10.0)
    model = SimpleNamespace(families=SimpleNamespace(income_cny=income), metric_memo={})
    assert list(income_quartiles(model)) == [3.0, 7.0]
    model.families.income_cny = income * 2  # within one recording the state is fixed
    assert list(income_quartiles(model)) == [3.0, 7.0]
    model.metric_memo = None  # outside a recording: computed from the state each time
    assert list(income_quartiles(model)) == [6.0, 14.0]
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 1001, 100_003):  # together or alone, the same floats
        key = rng.lognormal(10.0, 1.0, n)
        both = np.quantile(key, [0.25, 0.75])
        assert both[0] == np.quantile(key, 0.25) and both[1] == np.quantile(key, 0.75)
        values = rng.normal(size=n)
        assert quartile_gap_by(values, key, both) == quartile_gap_by(values, key)


def test_exact_quantiles_are_np_quantile_to_the_bit():
    """The bracketed quantiles give np.quantile's floats: continuous values, heavy ties,
    sorted and reverse-sorted input (the sample's bracket then misses and numpy answers),
    the extreme quantiles, and sizes just above the bracket's threshold."""
    rng = np.random.default_rng(11)
    qs = (0.0, 0.25, 0.5, 0.75, 0.9, 1.0)
    size = common.BRACKET_MIN_VALUES
    arrays = [
        rng.lognormal(11.0, 0.6, 1_000_003),
        rng.integers(0, 7, size + 1).astype(float),  # ties at every quantile
        np.round(rng.normal(size=3 * size), 1),
        np.sort(rng.normal(size=size + 5)),
        np.sort(rng.normal(size=size + 5))[::-1],
        np.full(size + 2, 4.25),
        rng.normal(size=100),  # below the threshold: numpy itself
    ]
    for values in arrays:
        got, expected = exact_quantiles(values, qs), np.quantile(values, qs)
        assert got.tobytes() == expected.tobytes()
    with_nan = rng.normal(size=size + 1)
    with_nan[7] = np.nan
    assert np.isnan(exact_quantiles(with_nan, (0.25, 0.75))).all()


def test_each_exact_quantile_asked_alone_is_np_quantile_to_the_bit():
    """One quantile at a time, low ones included: with several, a bracket that misses any
    of them sends the whole call to numpy, so a wrong rank for a low quantile (inside its
    bracket, where values below the bracket are counted) would be hidden by a quartile
    asked with it. Written for seed 35's `exact_quantiles_59` (docs/testing.md)."""
    values = np.random.default_rng(17).lognormal(11.0, 0.6, 100_003)
    for q in (0.0, 0.01, 0.04, 0.25, 0.5, 0.96, 1.0):
        got, expected = exact_quantiles(values, (q,)), np.quantile(values, [q])
        assert got.tobytes() == expected.tobytes(), q


def test_a_bracket_that_misses_falls_back_to_numpy(monkeypatch):
    """A zero-width bracket holds none of the order statistics: the answer is still numpy's."""
    monkeypatch.setattr(common, "BRACKET_HALF_WIDTH", 0.0)
    values = np.random.default_rng(5).normal(size=common.BRACKET_MIN_VALUES * 2)
    got = exact_quantiles(values, (0.25, 0.75))
    assert got.tobytes() == np.quantile(values, [0.25, 0.75]).tobytes()


def test_intake_share_divides_by_the_entrants_even_when_there_is_one():
    model = SimpleNamespace(intake={0: {"entrants": 1, "moved": 1}})
    assert intake_share(model, "moved") == 1.0
    two_years = SimpleNamespace(
        intake={0: {"entrants": 3, "moved": 1}, 1: {"entrants": 1, "moved": 0}}
    )
    assert intake_share(two_years, "moved") == 0.25
    assert math.isnan(intake_share(SimpleNamespace(intake={}), "moved"))


def test_gini_by_hand_and_of_nothing():
    # sorted (0.1, 0.4): (2*1-2-1)*0.1 + (2*2-2-1)*0.4 = 0.3, over 2 * 0.5 -> 0.3 (a total
    # below 1 is still a total)
    assert math.isclose(gini(np.array([0.4, 0.1])), 0.3)
    assert gini(np.zeros(3)) == 0.0
    # all on one of four: (3 * 1) / (4 * 1) = 0.75
    assert math.isclose(gini(np.array([0.0, 0.0, 1.0, 0.0])), 0.75)


def test_an_area_whose_pupils_all_score_alike_is_skipped_not_nan():
    # Area 0 (schools 0, 1): pupils 0, 0 at school 0 and 2, 2 at school 1: total variance
    # sum y^2 - n mean^2 = 8 - 4 = 4, all of it between schools (share 1). Area 1 (school
    # 2): three pupils at 1.0, no variance, so it is skipped (dividing by its zero total
    # would make the whole metric NaN).
    families = SimpleNamespace(
        school=np.array([0, 0, 1, 1, 2, 2, 2, -1]),
        achievement=np.array([0.0, 0.0, 2.0, 2.0, 1.0, 1.0, 1.0, 9.0]),
    )
    model = _model([2, 2, 3], [0, 0, 1], families=families)
    assert between_school_variance_share(model, np.array([0, 0, 1])) == 1.0
    # the same pupils with a spread inside area 1's school: within-school only (share 0)
    # enters weighted by pupils, (4 * 1 + 3 * 0) / 7
    families.achievement = np.array([0.0, 0.0, 2.0, 2.0, 0.0, 1.0, 2.0, 9.0])
    assert math.isclose(between_school_variance_share(model, np.array([0, 0, 1])), 4 / 7)
