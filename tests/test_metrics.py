"""The metrics registry: declared metadata, hand-computed values, consistency with tables."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from edusim.agents.families import Families
from edusim.agents.teachers import Teachers
from edusim.metrics import (
    METRICS,
    catchment_premium_cny,
    compute_all,
    cv,
    learning_years,
    metric,
    quartile_gap,
    quartile_gap_by,
)

DIRECTIONS = {"lower is better", "higher is better", "information"}


def _families(**columns) -> Families:
    n = len(next(iter(columns.values())))
    defaults = {name: np.zeros(n, dtype=dtype) for name, dtype in Families.fields.items()}
    defaults.update(columns)
    families = Families()
    families.add(n, **defaults)
    return families


def _teachers(school) -> Teachers:
    n = len(school)
    columns = {name: np.zeros(n, dtype=dtype) for name, dtype in Teachers.fields.items()}
    columns["school"] = np.asarray(school)
    teachers = Teachers()
    teachers.add(n, **columns)
    return teachers


@pytest.fixture
def fake():
    """A model-shaped object small enough to compute metrics by hand."""
    table = SimpleNamespace(
        teaching_quality=np.array([0.1, 0.2, 0.3, 0.4, 9.9]),
        enrollment=np.array([10, 20, 30, 40, 0]),  # school 4 is open but has no pupils
        mean_achievement=np.array([0.0, 0.0, 0.0, 0.0, 0.0]),
        premium_share=np.array([0.1, 0.0, 0.2, 0.05, 0.0]),
        district=np.array([0, 0, 1, 1, 1]),
        stage=np.array([0, 0, 0, 0, 0]),
        private=np.zeros(5, dtype=bool),
        entry_capacity=np.array([10, 10, 10, 10, 10]),
        active=np.ones(5, dtype=bool),  # every school open (a catchment, maybe no pupils)
    )
    return SimpleNamespace(
        school_table=table,
        params=SimpleNamespace(
            learning=SimpleNamespace(annual_growth_sd=0.4),
            housing=SimpleNamespace(flat_size_m2=100.0),
        ),
        geography=SimpleNamespace(
            district_kind=np.array([0, 2]),
            district_price_cny_per_m2=np.array([50_000.0, 10_000.0]),
        ),
        families=_families(
            district=np.array([0, 0, 1, 1]),
            achievement=np.array([1.0, 0.5, -0.5, 0.0]),
            income_cny=np.array([100.0, 200.0, 300.0, 400.0]),
            school=np.array([0, 1, -1, 2]),
        ),
        teachers=_teachers([0, 0, 3]),
        quality_threshold=0.25,
        intake={},
    )


def _value(name: str, model) -> float:
    return float(METRICS[name].compute(model))


def test_every_metric_declares_unit_direction_description_and_formula():
    assert len(METRICS) >= 15
    for name, entry in METRICS.items():
        assert entry.name == name
        assert entry.unit.strip()
        assert entry.direction in DIRECTIONS
        assert entry.description.strip()
        assert entry.formula.strip()
        assert callable(entry.compute)


def test_a_metric_cannot_be_registered_twice():
    existing = next(iter(METRICS))
    before = dict(METRICS)
    with pytest.raises(ValueError, match="registered twice"):
        metric(existing, "x", "information", "x", "x")(lambda model: 0.0)
    assert before == METRICS


def test_helpers_by_hand():
    # quartiles 2 and 4: mean of {4, 5} minus mean of {1, 2}
    assert quartile_gap(np.array([1.0, 2.0, 3.0, 4.0, 5.0])) == pytest.approx(4.5 - 1.5)
    # three schools: quartiles 1.5 and 2.5, so the top one minus the bottom one
    assert quartile_gap(np.array([1.0, 2.0, 3.0])) == pytest.approx(2.0)
    assert quartile_gap(np.array([7.0])) == 0.0  # one school has no gap
    assert math.isnan(quartile_gap(np.array([])))
    assert cv(np.array([1.0, 3.0])) == pytest.approx(0.5)
    assert math.isnan(cv(np.array([])))
    assert math.isnan(cv(np.array([-1.0, 1.0])))
    assert quartile_gap_by(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1, 2, 3, 4])) == 3.0


def test_quality_metrics_by_hand(fake):
    # open schools: quality 0.1 .. 0.4 (the closed school's 9.9 is ignored)
    assert _value("quality_sd", fake) == pytest.approx(np.std([0.1, 0.2, 0.3, 0.4]))
    assert _value("quality_quartile_gap", fake) == pytest.approx(0.4 - 0.1)
    years = np.array([1.25, 1.5, 1.75, 2.0])  # 1 + quality / 0.4
    np.testing.assert_allclose(learning_years(fake)[:4], years)
    assert _value("quality_cv", fake) == pytest.approx(years.std() / years.mean())
    # schools at or above 0.25: 30 + 40 + 0 of 100 pupils
    assert _value("high_quality_share", fake) == pytest.approx(0.7)


def test_premium_metrics_by_hand(fake):
    np.testing.assert_allclose(
        catchment_premium_cny(fake), [500_000.0, 0.0, 200_000.0, 50_000.0, 0.0]
    )
    assert _value("premium_mean_cny", fake) == pytest.approx(150_000.0)
    assert _value("premium_top_decile_cny", fake) == pytest.approx(500_000.0)


def test_pupil_metrics_by_hand(fake):
    assert _value("pupils", fake) == 3.0
    assert _value("teachers", fake) == 3.0
    assert _value("mean_achievement", fake) == pytest.approx(0.25)
    # urban pupils average 0.75, rural -0.25
    assert _value("urban_rural_gap", fake) == pytest.approx(1.0)
    # achievement rises with income: top quarter 0.0 ... bottom quarter 1.0 -> gap -1.0
    assert _value("ses_gap", fake) == pytest.approx(0.0 - 1.0)


def test_intake_metrics_are_nan_before_the_first_intake_then_shares(fake):
    assert math.isnan(_value("movers_share", fake))
    assert math.isnan(_value("private_applicants_per_place", fake))
    fake.intake = {
        0: {"entrants": 100, "private_entrants": 0, "movers": 5, "renters": 1},
        1: {"entrants": 40, "private_entrants": 10, "movers": 10, "renters": 2},
    }
    assert _value("movers_share", fake) == pytest.approx(0.1)
    assert _value("renters_share", fake) == pytest.approx(0.02)


def test_private_schools_count_in_the_private_share_but_not_in_public_gaps(fake):
    fake.school_table.private = np.array([False, True, False, False, False])
    # public open schools: quality 0.1, 0.3, 0.4; school 1 (20 of 100 pupils) is private
    assert _value("quality_sd", fake) == pytest.approx(np.std([0.1, 0.3, 0.4]))
    assert _value("private_share", fake) == pytest.approx(0.2)
    # catchment premiums of the four public schools: 500,000, 200,000, 50,000 and 0
    assert _value("premium_mean_cny", fake) == pytest.approx(187_500.0)
    fake.intake = {0: {"private_applicants": 25}}
    assert _value("private_applicants_per_place", fake) == pytest.approx(2.5)


def test_compute_all_gives_each_metric_its_own_value_as_recorded(demo_run):
    """Every metric's value under its own name, and the same value the model recorded in
    its metrics table for the last year (so the table is the registry's output)."""
    values = compute_all(demo_run)
    assert list(values) == list(METRICS)
    recorded = demo_run.tables()["metrics"]
    last = recorded[recorded.year == recorded.year.max()].set_index("metric")["value"]
    distinct = 0
    for name, value in values.items():
        assert isinstance(value, float)
        own = float(METRICS[name].compute(demo_run))
        assert value == own or (math.isnan(value) and math.isnan(own)), name
        assert value == pytest.approx(last[name], nan_ok=True, rel=1e-12), name
        distinct += value != values["pupils"]
    assert distinct >= len(values) - 1  # no metric reports another's value


def test_metrics_agree_with_the_schools_table(demo_run):
    tables = demo_run.tables()
    metrics = tables["metrics"].pivot(index="year", columns="metric", values="value")
    schools = tables["schools"]
    by_year = schools.groupby("year")
    np.testing.assert_allclose(metrics["pupils"], by_year["enrollment"].sum())
    np.testing.assert_allclose(metrics["teachers"], by_year["teachers"].sum())
    public = schools[schools.sector == "public"].groupby("year")
    np.testing.assert_allclose(
        metrics["premium_mean_cny"], public["premium_cny"].mean(), rtol=1e-12
    )
    np.testing.assert_allclose(
        metrics["private_share"],
        schools[schools.sector == "private"].groupby("year")["enrollment"].sum()
        / by_year["enrollment"].sum(),
    )
    open_public = schools[(schools.enrollment > 0) & (schools.sector == "public")]
    # within-stage variance, pooled over the stages by their number of schools
    by_stage = open_public.groupby(["year", "stage"])["quality"].agg(["var", "count"])
    by_stage["var"] *= (by_stage["count"] - 1) / by_stage["count"]  # population variance
    pooled = (by_stage["var"] * by_stage["count"]).groupby("year").sum() / by_stage[
        "count"
    ].groupby("year").sum()
    np.testing.assert_allclose(metrics["quality_sd"], np.sqrt(pooled), rtol=1e-9)


def test_metric_values_are_in_range_in_the_demo(demo_run):
    metrics = demo_run.tables()["metrics"].pivot(index="year", columns="metric", values="value")
    first = metrics.index.min()
    assert math.isnan(metrics.loc[first, "movers_share"])  # before the first intake
    later = metrics.loc[metrics.index > first]
    assert later["movers_share"].between(0, 1).all()
    assert metrics["high_quality_share"].between(0, 1).all()
    assert (metrics["premium_top_decile_cny"] >= metrics["premium_mean_cny"]).all()
    for name in ("quality_sd", "achievement_sd", "quality_quartile_gap"):
        assert (metrics[name] >= 0).all()
    # a realistic city: richer pupils and urban pupils ahead every year
    assert (metrics["ses_gap"] > 0).all()
    assert (metrics["urban_rural_gap"] > 0).all()
    for name in ("pupils", "teachers", "quality_sd", "mean_achievement", "premium_mean_cny"):
        assert np.isfinite(metrics[name]).all()


def test_teacher_gaps_by_school_quartile_and_rural_status(fake):
    fake.teachers = _teachers([0, 0, 1, 2, 3, 4])
    effectiveness = np.array([0.1, 0.3, 0.0, 0.5, 0.4, 9.0])  # school 4 is closed
    fake.teacher_effectiveness = lambda: effectiveness
    fake.school_table.rural = np.array([False, False, True, True, False])
    # school means 0.2, 0.0, 0.5, 0.4: top quarter 0.5, bottom quarter 0.0
    assert _value("teacher_quartile_gap", fake) == pytest.approx(0.5)
    # urban teachers (schools 0, 1): 0.1, 0.3, 0.0; rural (2, 3): 0.5, 0.4; school 4 closed
    assert _value("teacher_urban_rural_gap", fake) == pytest.approx(0.4 / 3 - 0.45)
    fake.school_table.rural = np.zeros(5, dtype=bool)
    assert np.isnan(_value("teacher_urban_rural_gap", fake))


def test_rotated_tier_mean_counts_only_teachers_with_two_school_experience(fake):
    fake.teachers = _teachers([0, 1, 2])
    fake.teachers.tier[:] = [0, 2, 3]
    fake.teachers.rotated_years[:] = [2.0, 0.0, 1.0]
    assert _value("rotated_tier_mean", fake) == pytest.approx(1.5)


def test_backbone_in_rural_share_uses_the_schools_own_status(fake):
    fake.teachers = _teachers([0, 1, 2, 3, 4])
    fake.teachers.tier[:] = [1, 0, 2, 1, 3]  # the teacher of closed school 4 does not count
    fake.school_table.rural = np.array([False, True, True, False, True])
    assert _value("backbone_in_rural_share", fake) == pytest.approx(1 / 3)


def test_wealth_sorting_over_a_sample_of_families_agrees_with_all_of_them():
    """Above 50,000 pupils `income_quality_rank_corr` uses the families whose id is a
    multiple of k: on 400,000 pupils it must agree with the exact Spearman correlation
    over all of them, and the sample must be the same families whatever their order."""
    from scipy.stats import spearmanr

    from edusim.metrics.sorting import SAMPLE_PUPILS, sample_of_pupils

    rng = np.random.default_rng(5)
    n, n_schools = 400_000, 200
    quality = rng.normal(0.0, 0.2, n_schools)
    income = rng.lognormal(11.0, 0.6, n)
    # richer families sit in better schools, with noise
    school = np.argsort(np.argsort(np.log(income) + rng.normal(0, 0.8, n))) * n_schools // n
    school = np.argsort(np.argsort(quality))[school]  # school k is the k-th best
    table = SimpleNamespace(stage=np.zeros(n_schools, dtype=int), teaching_quality=quality)
    model = SimpleNamespace(
        families=SimpleNamespace(uid=np.arange(n), school=school, income_cny=income),
        school_table=_Sized(table, n_schools),
    )
    exact = spearmanr(income, quality[school]).statistic
    assert METRICS["income_quality_rank_corr"].compute(model) == pytest.approx(exact, abs=0.01)
    placed = np.ones(n, dtype=bool)
    chosen = sample_of_pupils(np.arange(n), placed)
    assert SAMPLE_PUPILS * 0.9 < chosen.sum() <= SAMPLE_PUPILS
    shuffled = rng.permutation(n)
    assert set(shuffled[sample_of_pupils(shuffled, placed)]) == set(np.flatnonzero(chosen))


class _Sized(SimpleNamespace):
    """A school table namespace with a length."""

    def __init__(self, table: SimpleNamespace, size: int) -> None:
        super().__init__(**vars(table))
        self._size = size

    def __len__(self) -> int:
        return self._size
