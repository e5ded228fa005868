"""Registered metrics at the edges a whole city rarely reaches: ties in the ranks, a city
with no rural family or no famous group, money spent but the gap unchanged, a staff flow
not recorded this year. Each value is worked out by hand on a model-shaped object with
only the fields the metric reads. Written for the mutants of `metrics/` that survived
`tools/mutation.py` (docs/testing.md)."""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from edusim.metrics import METRICS, Metric, metric, school_backbone_share
from edusim.metrics import money as money_metrics
from edusim.metrics.sorting import _rank_correlation, _tied_ranks

DIRECTIONS = {"lower is better", "higher is better", "information"}


class _Table(SimpleNamespace):
    def __len__(self) -> int:
        return self.stage.size


def test_every_registry_entry_carries_its_own_name_and_a_direction():
    for name, entry in METRICS.items():
        assert entry.name == name
        assert entry.direction in DIRECTIONS, name
        assert entry.unit and entry.description and entry.formula, name


def test_the_decorator_registers_the_same_entry_as_register():
    def compute(model):
        return 1.0

    try:
        assert metric("probe_metric", "ratio", "information", "a probe", "1")(compute) is compute
        assert METRICS["probe_metric"] == Metric(
            "probe_metric", "ratio", "information", "a probe", "1", compute
        )
        with pytest.raises(ValueError, match="registered twice"):
            metric("probe_metric", "ratio", "information", "a probe", "1")(compute)
    finally:
        METRICS.pop("probe_metric", None)


def test_tied_values_share_their_mean_rank():
    # sorted: 1 (rank 0), 2 (rank 1), 3 and 3 (ranks 2 and 3: both 2.5)
    assert _tied_ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [2.5, 0.0, 2.5, 1.0]
    assert _tied_ranks(np.array([5.0, 4.0])).tolist() == [1.0, 0.0]
    # NaNs tie with each other (np.unique's rule), also when nothing else ties
    nan = float("nan")
    assert _tied_ranks(np.array([nan, 1.0, nan])).tolist() == [1.5, 0.0, 1.5]
    values = np.random.default_rng(2).normal(size=500).round(1)  # some tied, some not
    for sample in (values, np.unique(values)):
        order = np.argsort(sample, kind="stable")
        _, inverse = np.unique(sample, return_inverse=True)
        ranks = np.empty(sample.size)
        ranks[order] = np.arange(sample.size, dtype=float)
        expected = (np.bincount(inverse, ranks) / np.bincount(inverse))[inverse]
        assert _tied_ranks(sample).tobytes() == expected.tobytes()


def test_a_rank_correlation_needs_two_values_and_spread_in_both():
    assert math.isnan(_rank_correlation(np.array([1.0]), np.array([2.0])))
    assert math.isnan(_rank_correlation(np.array([1.0, 2.0]), np.array([3.0, 3.0])))
    assert _rank_correlation(np.array([0.0, 1.0, 2.0]), np.array([2.0, 1.0, 0.0])) == -1.0


def test_income_quality_link_with_ties_and_without_enough_pupils():
    # Stage 0 only: four pupils at schools 0, 0, 1, 1 (quality 0.1, 0.3: ranks 0, 1), incomes
    # 1, 1, 2, 3 (tied ranks 0.5, 0.5, 2, 3). corr((0.5, 0.5, 2, 3), (0, 0, 1, 1)):
    # deviations (-1, -1, 0.5, 1.5) and (-0.5, -0.5, 0.5, 0.5): products 0.5 + 0.5 + 0.25 +
    # 0.75 = 2, over sqrt(4.5 * 1): 0.9428
    table = _Table(stage=np.array([0, 0]), teaching_quality=np.array([0.1, 0.3]))
    families = SimpleNamespace(
        uid=np.arange(4),
        school=np.array([0, 0, 1, 1]),
        income_cny=np.array([1.0, 1.0, 2.0, 3.0]),
    )
    model = SimpleNamespace(families=families, school_table=table)
    got = METRICS["income_quality_rank_corr"].compute(model)
    assert math.isclose(got, 2 / math.sqrt(4.5))
    families.school = np.array([0, -1, -1, -1])  # one pupil: no stage to correlate
    assert math.isnan(METRICS["income_quality_rank_corr"].compute(model))


def test_urban_rural_gap_needs_both_kinds_of_district():
    families = SimpleNamespace(district=np.array([0, 1]), achievement=np.array([1.0, 0.25]))
    rural = SimpleNamespace(
        families=families, geography=SimpleNamespace(district_kind=np.array([0, 2]))
    )
    assert METRICS["urban_rural_gap"].compute(rural) == 0.75
    suburban = SimpleNamespace(
        families=families, geography=SimpleNamespace(district_kind=np.array([0, 1]))
    )
    with warnings.catch_warnings():  # NaN by the rule, not by a mean of nothing
        warnings.simplefilter("error")
        assert math.isnan(METRICS["urban_rural_gap"].compute(suburban))


def test_no_famous_group_means_no_cross_level_group():
    table = _Table(
        stage=np.array([0, 1]), active=np.array([True, True]), private=np.array([False, False])
    )
    groups = SimpleNamespace(kind_of_rows=lambda: np.array([], dtype=np.int64))
    model = SimpleNamespace(school_table=table, groups=groups)
    assert METRICS["cross_level_group_share"].compute(model) == 0.0


def test_cost_per_gap_counts_any_money_and_no_unnarrowed_gap(monkeypatch):
    # half a yuan spent, gap narrowed from 0.4 to 0.3: 0.5 / 0.1 = 5 yuan per SD
    monkeypatch.setattr(money_metrics, "quality_quartile_gap", lambda model: 0.3)
    model = SimpleNamespace(money={2020: {"spent_cny": 0.5}}, initial_quality_gap=0.4)
    assert math.isclose(METRICS["cost_per_gap_reduction_cny"].compute(model), 5.0)
    model.initial_quality_gap = 0.3  # money spent, gap unchanged: no cost per narrowing
    assert math.isnan(METRICS["cost_per_gap_reduction_cny"].compute(model))


def test_a_flow_not_recorded_this_year_counts_zero_and_a_year_without_flows_is_nan():
    model = SimpleNamespace(current_school_year=2020, staff_flows={2020: {"retired": 3}})
    assert METRICS["senior_promotions"].compute(model) == 0.0
    model.staff_flows = {}
    assert math.isnan(METRICS["senior_promotions"].compute(model))


def test_school_backbone_share_by_hand():
    # school 0: tiers 0 and 1 (one backbone of two); school 1: tier 2 (all backbone)
    teachers = SimpleNamespace(tier=np.array([0, 1, 2]), school=np.array([0, 0, 1]))
    model = SimpleNamespace(teachers=teachers, school_table=_Table(stage=np.zeros(2)))
    assert school_backbone_share(model).tolist() == [0.5, 1.0]


def test_families_tied_at_the_bottom_quartile_income_count_as_low_income():
    # incomes 1, 1, 1, 1, 5, 5, 5, 5: the 25th percentile is 1, so the four at 1 are the
    # low-income families. They all attend school 0 and the others school 1 (one district,
    # one stage): dissimilarity 0.5 * (|1 - 0| + |0 - 1|) = 1.
    families = SimpleNamespace(
        school=np.array([0, 0, 0, 0, 1, 1, 1, 1]),
        income_cny=np.array([1.0, 1.0, 1.0, 1.0, 5.0, 5.0, 5.0, 5.0]),
    )
    table = _Table(stage=np.array([0, 0]), district=np.array([0, 0]))
    model = SimpleNamespace(families=families, school_table=table)
    assert METRICS["ses_dissimilarity"].compute(model) == 1.0


def test_the_top_decile_premium_is_the_mean_of_the_top_tenth(monkeypatch):
    from edusim.metrics import housing as housing_metrics

    # twenty catchments with premiums 0..19: the top tenth is 18 and 19 (mean 18.5); of
    # five catchments, the top one
    monkeypatch.setattr(housing_metrics, "_catchment_premiums", lambda model: np.arange(20.0))
    assert METRICS["premium_top_decile_cny"].compute(SimpleNamespace()) == 18.5
    monkeypatch.setattr(housing_metrics, "_catchment_premiums", lambda model: np.arange(5.0))
    assert METRICS["premium_top_decile_cny"].compute(SimpleNamespace()) == 4.0


def test_high_quality_share_of_a_one_pupil_city():
    table = _Table(stage=np.array([0, 0]), teaching_quality=np.array([1.0, 0.0]))
    table.enrollment = np.array([1, 0])
    model = SimpleNamespace(school_table=table, quality_threshold=0.5)
    assert METRICS["high_quality_share"].compute(model) == 1.0


def test_premium_gini_without_any_catchment_is_nan(monkeypatch):
    from edusim.metrics import housing as housing_metrics

    monkeypatch.setattr(housing_metrics, "catchment_premium_cny", lambda model: np.zeros(2))
    table = _Table(
        stage=np.array([0, 1]), active=np.array([False, False]), private=np.array([False, False])
    )
    assert math.isnan(METRICS["premium_gini"].compute(SimpleNamespace(school_table=table)))


def test_principal_gap_counts_the_schools_tied_at_the_quartiles(monkeypatch):
    from edusim.metrics import leaders as leader_metrics

    # four primary schools, mean achievement 0, 0, 1, 1 (the quartiles are 0 and 1
    # themselves), principals' quality 1, 3, 5, 7: mean(5, 7) - mean(1, 3) = 4
    monkeypatch.setattr(
        leader_metrics, "_principal_quality", lambda model: np.array([1.0, 3.0, 5.0, 7.0])
    )
    table = _Table(
        stage=np.zeros(4, dtype=int),
        mean_achievement=np.array([0.0, 0.0, 1.0, 1.0]),
        enrollment=np.full(4, 10),
        private=np.zeros(4, dtype=bool),
    )
    assert METRICS["principal_quartile_gap"].compute(SimpleNamespace(school_table=table)) == 4.0


# Written for the survivors of the fresh sample of seed 23 (docs/testing.md).


def test_the_pupil_sample_takes_the_ids_that_are_multiples_of_k():
    # ten enrolled pupils, ids 0-9, at most 5 in the sample: k = ceil(10 / 5) = 2, so the
    # pupils with ids 0, 2, 4, 6, 8; with pupil 4 not enrolled and at most 4, k =
    # ceil(9 / 4) = 3: ids 0, 3, 6, 9
    from edusim.metrics.sorting import sample_of_pupils

    uid = np.arange(10)
    placed = np.ones(10, dtype=bool)
    assert np.flatnonzero(sample_of_pupils(uid, placed, cap=5)).tolist() == [0, 2, 4, 6, 8]
    placed[4] = False
    assert np.flatnonzero(sample_of_pupils(uid, placed, cap=4)).tolist() == [0, 3, 6, 9]
    assert sample_of_pupils(uid, placed, cap=9).tolist() == placed.tolist()  # all of them


def test_a_rank_correlation_with_a_spread_of_exactly_one():
    # ranks 0, 1, 2, 3 against tied ranks 0.5, 0.5, 2.5, 2.5 (standard deviation exactly
    # 1): centred -1.5, -0.5, 0.5, 1.5 and -1, -1, 1, 1; covariance 1, deviations
    # sqrt(1.25) and 1, so r = 1 / sqrt(1.25) = 2 / sqrt(5)
    x, y = np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.5, 0.5, 2.5, 2.5])
    assert y.std() == 1.0
    assert _rank_correlation(x, y) == pytest.approx(2 / math.sqrt(5), rel=1e-12)


def test_a_share_of_nothing_is_missing_without_dividing_by_zero():
    import warnings

    from edusim.metrics.groups import _share

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0 / 0 is computed
        assert math.isnan(_share(np.array([True, False]), np.zeros(2, dtype=bool)))
    assert _share(np.array([True, False, True]), np.array([True, True, False])) == 0.5


def test_the_member_gap_is_missing_without_groups():
    from edusim.metrics.groups import _member_nonmember_gap

    none = np.empty(0, dtype=np.int64)
    groups = SimpleNamespace(school=none, group=none, role=none, core_of_rows=lambda: none)
    table = _Table(
        stage=np.zeros(3, dtype=np.int8),
        active=np.ones(3, dtype=bool),
        teaching_quality=np.array([0.1, 0.2, 0.3]),
    )
    assert math.isnan(_member_nonmember_gap(SimpleNamespace(groups=groups, school_table=table)))


# Written for the survivors of the fresh sample of seed 29 (docs/testing.md).


def test_two_tied_values_share_their_mean_rank():
    # the shortest input that can tie: 3 and 3 share ranks 0 and 1 (both 0.5)
    assert _tied_ranks(np.array([3.0, 3.0])).tolist() == [0.5, 0.5]
    assert _tied_ranks(np.array([float("nan")] * 2)).tolist() == [0.5, 0.5]


def test_the_mean_distance_of_a_single_entrant_is_its_own():
    # one entrant who travelled 2.5 km (the junior intake had nobody): 2.5 / 1
    model = SimpleNamespace(
        intake={
            0: {"entrants": 1, "distance_km_sum": 2.5},
            1: {"entrants": 0, "distance_km_sum": 0.0},
        }
    )
    assert METRICS["mean_distance_km"].compute(model) == 2.5


def test_dissimilarity_with_a_single_pupil_who_is_not_low_income():
    # incomes 1, 1, 1, 5: the 25th percentile is 1, so three low-income pupils and one
    # other. School 0 has two low-income pupils and the other one, school 1 the third
    # low-income pupil (one district, one stage): shares 2/3, 1/3 against 1, 0, so
    # 0.5 * (|2/3 - 1| + |1/3 - 0|) = 1/3
    families = SimpleNamespace(
        school=np.array([0, 0, 0, 1]), income_cny=np.array([1.0, 1.0, 5.0, 1.0])
    )
    table = _Table(stage=np.array([0, 0]), district=np.array([0, 0]))
    model = SimpleNamespace(families=families, school_table=table)
    assert METRICS["ses_dissimilarity"].compute(model) == pytest.approx(1 / 3, rel=1e-12)


def test_the_member_gap_of_a_group_with_a_single_member():
    # core 0 with member 1 (quality 0.3); schools 2 and 3 (0.1, 0.2) are in no group:
    # 0.3 - 0.15
    from edusim.agents.groups import GroupTable
    from edusim.metrics.groups import _member_nonmember_gap

    groups = GroupTable()
    groups.form("G1", "tight", 0, np.array([1]), 2019, 3, True)
    table = _Table(
        stage=np.zeros(4, dtype=np.int8),
        active=np.ones(4, dtype=bool),
        teaching_quality=np.array([0.5, 0.3, 0.1, 0.2]),
    )
    gap = _member_nonmember_gap(SimpleNamespace(groups=groups, school_table=table))
    assert gap == pytest.approx(0.15, rel=1e-12)


def test_a_leader_count_not_in_the_years_record_counts_zero():
    # the year's record holds rotations only: no deputy posted, no executive appointed
    model = SimpleNamespace(current_school_year=2020, leader_stats={2020: {"rotated": 2}})
    assert METRICS["leader_postings"].compute(model) == 0.0
    assert METRICS["principal_rotations"].compute(model) == 2.0


# Written for the survivors of the fresh sample of seed 30 (docs/testing.md).


def test_dissimilarity_when_every_family_has_the_same_income_is_nan():
    # every income at the 25th percentile: all four pupils are low-income, no district has
    # other pupils to compare them with
    families = SimpleNamespace(school=np.array([0, 0, 1, 1]), income_cny=np.full(4, 3.0))
    table = _Table(stage=np.array([0, 0]), district=np.array([0, 0]))
    model = SimpleNamespace(families=families, school_table=table)
    assert math.isnan(METRICS["ses_dissimilarity"].compute(model))


def test_a_group_whose_members_all_left_counts_in_no_within_group_mean():
    # G1 (core 0) loses its only member, school 1, which closes; G2 (core 2, quality 0.4)
    # keeps member 3 (0.1): the mean over groups with members is 0.4 - 0.1 = 0.3
    from edusim.agents.groups import GroupTable

    groups = GroupTable()
    groups.form("G1", "tight", 0, np.array([1]), 2019, 3, True)
    groups.form("G2", "tight", 2, np.array([3]), 2019, 3, True)
    groups.leave(1)
    table = _Table(
        stage=np.zeros(4, dtype=np.int8), teaching_quality=np.array([0.5, 0.3, 0.4, 0.1])
    )
    gap = METRICS["within_group_gap"].compute(SimpleNamespace(groups=groups, school_table=table))
    assert gap == pytest.approx(0.3, rel=1e-12)


def _momentum_city(before: list[float]) -> SimpleNamespace:
    # four open public catchments; premium shares after this intake 0.625, 0.5, 0.75, 0.5
    table = _Table(
        stage=np.zeros(4, dtype=np.int8),
        active=np.ones(4, dtype=bool),
        private=np.zeros(4, dtype=bool),
        premium_share=np.array([0.625, 0.5, 0.75, 0.5]),
    )
    return SimpleNamespace(
        school_table=table,
        premium_before_intake=np.array(before),
        premium_change=np.array([0.125, 0.25, 0.375, 0.5]),
    )


def test_premium_momentum_needs_three_catchments_above_the_floor():
    # catchments 0-2 were above 2% before this intake (catchment 3 at 1% is left out):
    # this change 0.125, 0, 0.25 (centred 0, -0.125, 0.125) against the change before
    # 0.125, 0.25, 0.375 (centred -0.125, 0, 0.125): covariance 0.125^2 over
    # sqrt(2 x 0.125^2) squared, r = 1/2
    city = _momentum_city([0.5, 0.5, 0.5, 0.01])
    assert METRICS["premium_change_autocorr"].compute(city) == pytest.approx(0.5, rel=1e-12)
    # with catchment 2 below the floor too only two are left: no correlation
    city = _momentum_city([0.5, 0.5, 0.01, 0.01])
    assert math.isnan(METRICS["premium_change_autocorr"].compute(city))


def test_a_rank_correlation_whose_first_ranks_have_a_spread_of_exactly_one():
    # the seed-23 case with the arguments swapped: r is symmetric, 2 / sqrt(5)
    x, y = np.array([0.5, 0.5, 2.5, 2.5]), np.array([0.0, 1.0, 2.0, 3.0])
    assert x.std() == 1.0
    assert _rank_correlation(x, y) == pytest.approx(2 / math.sqrt(5), rel=1e-12)


# Written for the survivors of the fresh sample of seed 33 (docs/testing.md).


def test_a_school_exactly_at_the_quality_threshold_counts_as_high_quality():
    # "at or above" the threshold: schools of quality 0.5 and 0.25 (the threshold itself)
    # hold 10 + 30 of the 100 pupils; the school at 0.1 does not count
    table = _Table(stage=np.zeros(3, dtype=np.int8), teaching_quality=np.array([0.5, 0.25, 0.1]))
    table.enrollment = np.array([10, 30, 60])
    model = SimpleNamespace(school_table=table, quality_threshold=0.25)
    assert METRICS["high_quality_share"].compute(model) == pytest.approx(0.4, rel=1e-12)


def test_the_top_decile_premium_share_is_the_mean_of_the_top_tenth(monkeypatch):
    from edusim.metrics import housing as housing_metrics

    # twenty catchments with premium shares 0.00..0.19: the top tenth is 0.18 and 0.19
    shares = np.arange(20.0) / 100
    monkeypatch.setattr(housing_metrics, "_premium_shares", lambda model: shares)
    value = METRICS["premium_top_decile_share"].compute(SimpleNamespace())
    assert value == pytest.approx(0.185, rel=1e-12)


def test_oversubscription_of_the_top_tenth_of_twenty_schools():
    # twenty open schools, twelve primary and eight junior, with 3 entry places each and
    # 3 i first-choice applications at school i: ratios 0..19, the top tenth 18 and 19
    table = _Table(stage=np.repeat([0, 1], [12, 8]), active=np.ones(20, dtype=bool))
    applications, places = np.arange(20) * 3, np.full(20, 3)
    intake = {
        stage: {
            "in_stage": table.stage == stage,
            "applications": applications,
            "entry_places": places,
        }
        for stage in (0, 1)
    }
    model = SimpleNamespace(school_table=table, intake=intake)
    assert METRICS["oversubscription_top"].compute(model) == 18.5


def test_the_built_share_of_a_city_that_had_a_single_dwelling():
    # one dwelling stood before and one was built: the stock doubled, a share of 1
    model = SimpleNamespace(dwellings=np.array([1.0, 1.0]), dwellings_built=np.array([0.0, 1.0]))
    assert METRICS["dwellings_built_share"].compute(model) == 1.0


def test_an_intake_record_without_the_mechanisms_counts_adds_nothing():
    # a hand-made junior record without the mechanism's counts (the model's placement
    # writes them always, 0 where no mechanism ran): the shares are the primary's, 1 / 4
    # blocked and 1 / 2 gainers
    model = SimpleNamespace(
        intake={
            0: {"matched": 4, "blocked": 1, "misreport_checked": 2, "misreport_gainers": 1},
            1: {"entrants": 3},
        }
    )
    assert METRICS["blocking_pair_share"].compute(model) == 0.25
    assert METRICS["misreport_gain_share"].compute(model) == 0.5


def test_a_posting_kind_not_in_the_years_record_counts_zero():
    # the year's record holds group postings only: no district posting, no reservoir
    model = SimpleNamespace(current_school_year=2020, rotation_stats={2020: {"group": 2}})
    assert METRICS["rotations_group"].compute(model) == 2.0
    assert METRICS["rotations_district"].compute(model) == 0.0
    assert METRICS["reservoir_size"].compute(model) == 0.0


# Written for the survivors of the fresh sample of seed 34 (docs/testing.md).


def test_participation_when_the_city_has_a_single_open_school():
    # G1's member, school 1, closes and leaves; the core, school 0, keeps its row and is
    # the only open school: 1 of 1 open schools is in a group
    from edusim.agents.groups import GroupTable

    groups = GroupTable()
    groups.form("G1", "tight", 0, np.array([1]), 2019, 3, True)
    groups.leave(1)
    table = _Table(stage=np.zeros(2, dtype=np.int8), active=np.array([True, False]))
    model = SimpleNamespace(groups=groups, school_table=table)
    assert METRICS["group_participation_share"].compute(model) == 1.0


def test_an_intake_without_public_entrants_leaves_satisfaction_missing_without_empty_means():
    # both stages recorded an intake but every entrant went private: no index to average,
    # so every satisfaction metric is NaN, and none takes a mean of nothing (numpy's
    # RuntimeWarning for an empty mean is made an error here)
    import warnings

    from edusim.metrics import satisfaction

    nobody = {
        "index": np.empty(0),
        "components": np.empty((0, len(satisfaction.COMPONENTS))),
        "income_cny": np.empty(0),
        "district": np.empty(0, dtype=np.int64),
        "school": np.empty(0, dtype=np.int64),
        "home": np.empty(0, dtype=np.int64),
    }
    model = SimpleNamespace(
        intake={0: {"satisfaction": nobody}, 1: {"satisfaction": nobody}},
        families=SimpleNamespace(income_cny=np.array([1.0, 2.0, 3.0, 4.0])),
        geography=SimpleNamespace(district_kind=np.array([0, 2])),
        school_table=_Table(stage=np.array([0, 1])),
        satisfaction_baseline={0: np.array([60.0, np.nan]), 1: np.array([np.nan, 70.0])},
    )
    names = [
        name for name, entry in METRICS.items() if entry.compute.__module__ == satisfaction.__name__
    ]
    assert len(names) == 14  # the index, its five components and eight shares and gaps
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for name in names:
            assert math.isnan(METRICS[name].compute(model)), name


# Written for the survivors of the fresh sample of seed 35 (docs/testing.md).


def test_oversubscription_counts_only_the_open_schools_of_the_stage():
    # ten primary schools (0-9) and ten junior (10-19), 3 entry places each. Each stage's
    # record lists every school, as the intake writes it: first-choice applications only
    # at its own stage's schools. Primary i (0-8) has 3 i applications (ratio i); primary 9
    # has closed (no applications, not open); junior 10 + j has 6 j (ratio 2 j). Counted:
    # 9 + 10 = 19 ratios, the top tenth max(1, 19 // 10) = 1 of them: 18. Counting the
    # closed school too would give 20 ratios and the top two, (18 + 16) / 2; counting
    # every open school in both records, 39 ratios and the top three.
    stage = np.repeat([0, 1], 10)
    active = np.ones(20, dtype=bool)
    active[9] = False
    table = _Table(stage=stage, active=active)
    places = np.full(20, 3)
    primary = np.where(stage == 0, 3 * np.arange(20), 0)
    primary[9] = 0
    junior = np.where(stage == 1, 6 * (np.arange(20) - 10), 0)
    intake = {
        0: {"in_stage": stage == 0, "applications": primary, "entry_places": places},
        1: {"in_stage": stage == 1, "applications": junior, "entry_places": places},
    }
    model = SimpleNamespace(school_table=table, intake=intake)
    assert METRICS["oversubscription_top"].compute(model) == 18.0
