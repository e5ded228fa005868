"""The metrics' compiled one-pass selections (`edusim.metrics.passes`) against their numpy
definitions: the same values in the same order (so numpy's mean of them is the same
float), the same counts; with NaN keys, empty selections and schools of -1."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.metrics import passes


def _same(got, expected) -> None:
    assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes()


@pytest.mark.parametrize("seed", range(5))
def test_split_by_cuts_is_the_two_boolean_selections(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 2000))
    values, key = rng.normal(size=n), rng.lognormal(10, 1, n).round(-3)  # ties at the cuts
    key[rng.random(n) < 0.05] = np.nan
    low, high = np.nanquantile(key, [0.25, 0.75]) if n else (0.0, 1.0)
    for got, expected in zip(
        passes.split_by_cuts(values, key, low, high),
        passes.split_by_cuts_reference(values, key, low, high),
        strict=True,
    ):
        _same(got, expected)
        if got.size:
            assert got.mean() == expected.mean()
    # a cut no row reaches: both selections empty, as numpy's
    bottom, top = passes.split_by_cuts(values, key, -np.inf, np.inf)
    assert bottom.size == 0 and top.size == 0


@pytest.mark.parametrize("seed", range(5))
def test_split_by_kind_is_the_gather_and_two_selections(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 2000))
    values = rng.normal(size=n)
    area = rng.integers(0, 6, n).astype(np.int16)
    kind_of_area = rng.integers(0, 3, 6)
    for first, second in ((0, 2), (1, 0), (2, 5), (1, 1)):  # kind 5: none; (1, 1): first wins
        for got, expected in zip(
            passes.split_by_kind(values, area, kind_of_area, first, second),
            passes.split_by_kind_reference(values, area, kind_of_area, first, second),
            strict=True,
        ):
            _same(got, expected)


@pytest.mark.parametrize("seed", range(5))
def test_counts_below_cut_is_the_bincount(seed):
    rng = np.random.default_rng(seed)
    n, n_schools = int(rng.integers(0, 3000)), int(rng.integers(1, 40))
    school = rng.integers(-1, n_schools, n)  # -1: not placed
    key = rng.lognormal(10, 1, n).round(-3)
    cut = float(np.quantile(key, 0.25)) if n else 0.0
    got = passes.counts_below_cut(school, key, cut, n_schools)
    expected = passes.counts_below_cut_reference(school, key, cut, n_schools)
    assert got.tolist() == expected.tolist()
    assert got.sum() == (school >= 0).sum()


def test_the_selections_are_floats_whatever_the_values_type():
    # whole numbers of kind 0 (areas 0, 2) and kind 1 (area 1): floats out, in their order,
    # from the pass and from its reference alike (written for seed 29's survivors)
    values = np.array([4, 7, 1, 9, 2], dtype=np.int64)
    area = np.array([0, 1, 2, 1, 0])
    kind_of_area = np.array([0, 1, 0])
    for split in (passes.split_by_kind, passes.split_by_kind_reference):
        one, other = split(values, area, kind_of_area, 0, 1)
        _same(one, np.array([4.0, 1.0, 2.0]))
        _same(other, np.array([7.0, 9.0]))


def test_the_cut_selections_are_floats_whatever_the_values_type():
    # keys 1..5, cuts 2 and 4: rows 0, 1 below, rows 3, 4 above (seed 30's survivors)
    values = np.array([10, 20, 30, 40, 50], dtype=np.int64)
    key = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    for split in (passes.split_by_cuts, passes.split_by_cuts_reference):
        below, above = split(values, key, 2.0, 4.0)
        _same(below, np.array([10.0, 20.0]))
        _same(above, np.array([40.0, 50.0]))


def test_counts_below_cut_has_both_entries_of_a_school_without_rows():
    # schools 0-2: school 0 has one row above the cut and one below, school 1 one below,
    # school 2 none (its two entries are still there, at 0); the unplaced row is ignored
    school = np.array([0, 0, 1, -1])
    key = np.array([5.0, 1.0, 2.0, 1.0])
    for count in (passes.counts_below_cut, passes.counts_below_cut_reference):
        assert count(school, key, 2.0, 3).tolist() == [1, 1, 0, 1, 0, 0]


@pytest.mark.parametrize("seed", range(5))
def test_grade_moments_add_in_row_order_as_the_bincounts(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 3000))
    grade = rng.integers(0, 11, n)  # grades outside the range (0, 10) are passed over
    area = rng.integers(0, 6, n).astype(np.int16)
    kind_of_area = rng.integers(0, 3, 6)
    x, y = rng.normal(size=n), rng.normal(size=n)
    grades = range(7, 10)
    got = passes.grade_moments(grade, area, kind_of_area, x, y, grades)
    expected = passes.grade_moments_reference(grade, area, kind_of_area, x, y, grades)
    for a, b in zip(got, expected, strict=True):
        _same(a, b)
    by_kind, by_grade = got
    assert by_kind.shape == (3, int(kind_of_area.max()) + 1, 3) and by_grade.shape == (3, 6)
    for g, level in enumerate(grades):  # the counts and sums, against plain selections
        rows = grade == level
        assert by_grade[g, 0] == rows.sum() == by_kind[g, :, 0].sum()
        assert by_grade[g, 5] == pytest.approx((x[rows] * y[rows]).sum(), abs=1e-9)
        urban = rows & (kind_of_area[area] == 0)
        assert by_kind[g, 0, 1] == pytest.approx(y[urban].sum(), abs=1e-9)
