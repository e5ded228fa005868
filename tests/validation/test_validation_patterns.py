"""The check's patterns on hand-made metric tables: each statistic, and how a pattern is
judged (mean vs interval, not applicable)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from edusim.scenario.counterfactual import counterfactual_of
from edusim.scenario.loader import load_scenario
from edusim.validation.arms import catchment_arm, reform_removed, unreformed_arm, zones_arm
from edusim.validation.check import arm_overrides, check_experiment, judge, verdicts
from edusim.validation.patterns import PATTERNS, Series

START = 2018
YEARS = list(range(START, START + 14))  # as built, then 13 intakes


def _frame(values: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """Tidy rows from {(arm, metric): replicates x years}."""
    rows = []
    for (arm, metric), table in values.items():
        for replicate, year in itertools.product(range(table.shape[0]), range(table.shape[1])):
            rows.append((arm, replicate, YEARS[year], metric, table[replicate, year]))
    return pd.DataFrame(rows, columns=["variant", "replicate", "year", "metric", "value"])


def _movers(reps: int, first: float = 0.1) -> np.ndarray:
    movers = np.full((reps, len(YEARS)), 0.1)
    movers[:, 0] = np.nan  # no intake as built
    movers[:, 1] = first
    return movers


def _by_name(name: str):
    return next(pattern for pattern in PATTERNS if pattern.name == name)


def test_the_top_premium_trend_compares_the_second_with_the_twelfth_intake():
    top = np.tile(np.linspace(0.2, 0.07, len(YEARS)), (3, 1))
    series = Series(
        _frame(
            {
                ("catchment", "movers_share"): _movers(3),
                ("catchment", "premium_top_decile_share"): top,
            }
        )
    )
    expected = (top[0, 12] - top[0, 2]) / top[0, 2]  # intakes 2 and 12 are years 2 and 12
    assert _by_name("top_premium_holds").statistic(series) == pytest.approx([expected] * 3)


def test_the_top_premium_trend_in_cny_reads_the_cny_metric_not_the_share():
    share = np.tile(np.linspace(0.1, 0.15, len(YEARS)), (2, 1))  # the share rises by half
    cny = np.tile(np.linspace(300_000.0, 240_000.0, len(YEARS)), (2, 1))  # CNY falls
    series = Series(
        _frame(
            {
                ("catchment", "movers_share"): _movers(2),
                ("catchment", "premium_top_decile_share"): share,
                ("catchment", "premium_top_decile_cny"): cny,
            }
        )
    )
    expected = (cny[0, 12] - cny[0, 2]) / cny[0, 2]
    assert expected < -0.1
    assert _by_name("top_premium_holds_cny").statistic(series) == pytest.approx([expected] * 2)
    assert _by_name("top_premium_holds").statistic(series)[0] > 0


def test_momentum_is_the_mean_autocorrelation_from_the_third_intake():
    corr = np.full((2, len(YEARS)), np.nan)  # nan as built and at the first two intakes
    corr[:, 2] = 0.9  # the second intake has a change before it only from the burn-in
    corr[0, 3:] = 0.2
    corr[1, 3:] = np.linspace(-0.1, 0.3, len(YEARS) - 3)
    corr[1, 5] = np.nan  # a year without enough catchments above 2% is skipped
    series = Series(
        _frame(
            {
                ("catchment", "movers_share"): _movers(2),
                ("catchment", "premium_change_autocorr"): corr,
            }
        )
    )
    years = [3, 4, *range(6, len(YEARS))]
    expected = [0.2, float(np.mean(corr[1, years]))]
    assert _by_name("premium_momentum").statistic(series) == pytest.approx(expected)


def test_levels_are_means_over_the_intakes_from_the_second():
    top = np.zeros((2, len(YEARS)))
    top[:, 1] = 1.0  # the first intake is left out
    top[:, 2:] = [[0.1], [0.12]]
    series = Series(
        _frame(
            {
                ("catchment", "movers_share"): _movers(2),
                ("catchment", "premium_top_decile_share"): top,
            }
        )
    )
    assert _by_name("top_premium_level").statistic(series) == pytest.approx([0.1, 0.12])


def test_a_rush_at_the_first_intake_is_its_excess_over_the_next_five():
    movers = np.vstack([_movers(1, first=0.1), _movers(1, first=0.3)])
    movers[0, 2:7] = [0.08, 0.09, 0.10, 0.11, 0.12]  # mean 0.10; later intakes are left out
    movers[0, 7:] = 0.5
    series = Series(_frame({("catchment", "movers_share"): movers}))
    assert _by_name("no_first_intake_rush").statistic(series) == pytest.approx([0.0, 0.2])
    assert _judged("no_first_intake_rush", [0.01, -0.005, 0.0])["verdict"] == "holds"
    assert _judged("no_first_intake_rush", [0.03, 0.05, 0.04])["verdict"] == "does not hold"


def test_the_rush_is_judged_where_no_group_forms():
    # groups formed in the first years lower the catchment arm's later intakes (their
    # members borrow the cores' names), so the arm without groups judges the start
    grouped = _movers(2, first=0.15)
    grouped[:, 2:] = 0.13
    alone = _movers(2, first=0.14)
    alone[:, 2:] = 0.14
    both = Series(
        _frame({("catchment", "movers_share"): grouped, ("no_groups", "movers_share"): alone})
    )
    assert both.arms == {"catchment", "no_groups"}
    assert _by_name("no_first_intake_rush").statistic(both) == pytest.approx([0.0, 0.0])
    # a scenario without groups has no such arm: its catchment arm is the quiet one
    only = Series(_frame({("catchment", "movers_share"): grouped}))
    assert _by_name("no_first_intake_rush").statistic(only) == pytest.approx([0.02, 0.02])


def test_paired_effects_subtract_seed_by_seed():
    catchment = np.tile([[0.10], [0.20]], (1, len(YEARS)))
    zones = catchment - np.array([[0.01], [0.03]])
    series = Series(
        _frame(
            {
                ("catchment", "premium_top_decile_share"): catchment,
                ("zones", "premium_top_decile_share"): zones,
            }
        )
    )
    assert _by_name("zones_lower_top_premium").statistic(series) == pytest.approx([-0.01, -0.03])


def test_zone_premiums_settle_compares_means_of_three_years():
    """The last three years' mean against the mean of the three before, seed by seed: a
    single year's jump at the end moves it by a third of what it would move a ratio of
    two single years."""
    zones = np.full((2, len(YEARS)), 0.08)
    zones[0, -6:] = [0.06, 0.07, 0.08, 0.07, 0.08, 0.09]  # 0.07 -> 0.08
    zones[1, -6:] = [0.10, 0.10, 0.10, 0.10, 0.10, 0.13]  # 0.10 -> 0.11
    series = Series(
        _frame(
            {
                ("zones", "movers_share"): _movers(2),
                ("zones", "premium_top_decile_share"): zones,
            }
        )
    )
    assert _by_name("zone_premiums_settle").statistic(series) == pytest.approx(
        [0.08 / 0.07 - 1, 0.11 / 0.10 - 1]
    )


def _judged(name: str, values: list[float], arms=("catchment", "zones", "no_groups"), intakes=13):
    pattern = _by_name(name)
    fake = type("Fixed", (), {})()
    row = judge(
        pattern.__class__(**{**pattern.__dict__, "statistic": lambda series: np.array(values)}),
        fake,
        set(arms),
        intakes,
    )
    return row


def test_a_level_is_judged_by_its_mean_and_a_direction_by_its_whole_interval():
    assert _judged("top_premium_level", [0.04, 0.12])["verdict"] == "holds"  # mean 0.08
    assert _judged("top_premium_level", [0.14, 0.18])["verdict"] == "does not hold"
    # a negative mean whose interval crosses zero is not a direction shown
    assert _judged("zones_lower_top_premium", [-0.05, 0.01, -0.02])["verdict"] == "does not hold"
    assert _judged("zones_lower_top_premium", [-0.05, -0.04, -0.06])["verdict"] == "holds"


def test_patterns_without_their_arm_or_enough_intakes_are_not_applicable():
    row = _judged("groups_narrow_quality_gap", [-0.1, -0.2], arms=("catchment", "zones"))
    assert row["verdict"] == "not applicable" and "no_groups" in row["why"]
    row = _judged("no_first_intake_rush", [1.0, 1.0], intakes=4)
    assert row["verdict"] == "not applicable" and "needs 6 intakes" in row["why"]
    row = _judged("urban_rural_gap_level", [float("nan")] * 3)
    assert row["verdict"] == "not applicable"


def test_the_arms_follow_the_scenario():
    demo = load_scenario("scenarios/demo.yaml")
    assert set(arm_overrides(demo)) == {"catchment", "zones"}  # the demo city has no groups
    chongming = load_scenario("scenarios/chongming.yaml")
    assert set(arm_overrides(chongming)) == {"catchment", "zones", "no_groups", "unreformed"}
    switch = zones_arm(demo)["timeline"][0]
    assert switch["date"] == f"{demo.start_year + 1}-09-01"
    assert catchment_arm(demo)["timeline"] == []


def test_the_unreformed_arm_takes_away_what_the_counterfactual_takes_away():
    """Hangzhou's standing reform (groups, district and principal rotation, bundled
    evaluation, rural studios, ...) is gone from the unreformed arm as from its
    counterfactual, the catchment arm's settings stand, and a scenario whose
    counterfactual changes nothing else has no such arm."""
    hangzhou = load_scenario("scenarios/hangzhou.yaml")
    counterfactual = counterfactual_of(hangzhou)
    unreformed = load_scenario(hangzhou, overrides=unreformed_arm(hangzhou))
    for section in ("groups", "rotation", "evaluation", "leaders", "funding"):
        assert getattr(unreformed, section) == getattr(counterfactual, section), section
    assert hangzhou.rotation.district_rotation and not unreformed.rotation.district_rotation
    assert unreformed.timeline == () and unreformed.enrollment.rule == "catchment"
    assert unreformed.city == hangzhou.city and unreformed.learning == hangzhou.learning
    demo = load_scenario("scenarios/demo.yaml")
    assert reform_removed(demo) == {} and "unreformed" not in arm_overrides(demo)
    # the counterfactual's own `set` is taken too, after the derived changes
    changed = load_scenario(
        "scenarios/demo.yaml", overrides={"counterfactual.set": {"learning.peer_effect": 0.01}}
    )
    assert reform_removed(changed) == {"learning.peer_effect": 0.01}


def test_the_patterns_of_a_place_left_alone_read_the_unreformed_arm_where_it_ran():
    top = next(p for p in PATTERNS if p.name == "top_premium_holds")
    private = next(p for p in PATTERNS if p.name == "private_share_stable")
    tables = {(arm, "movers_share"): _movers(2) for arm in ("catchment", "unreformed")}
    tables[("catchment", "premium_top_decile_share")] = np.full((2, len(YEARS)), 0.10)
    tables[("unreformed", "premium_top_decile_share")] = np.linspace(0.10, 0.20, len(YEARS))[
        None, :
    ].repeat(2, axis=0)
    tables[("catchment", "private_share")] = np.full((2, len(YEARS)), 0.05)
    tables[("unreformed", "private_share")] = np.linspace(0.05, 0.10, len(YEARS))[None, :].repeat(
        2, axis=0
    )
    series = Series(_frame(tables))
    assert (top.statistic(series) > 0).all() and (private.statistic(series) == 2.0).all()
    alone = Series(_frame({key: value for key, value in tables.items() if key[0] == "catchment"}))
    assert (top.statistic(alone) == 0).all() and (private.statistic(alone) == 1.0).all()


@pytest.mark.parametrize("place", ["chongming", "dalian", "hangzhou", "ninghe", "sanming"])
def test_every_arm_of_a_shipped_place_is_a_valid_scenario(place):
    """Places keep national events through the counterfactual (`keep_events`, e.g.
    Hangzhou's 公民同招); the arms drop the timeline, so they must drop that list too, or
    `edusim check scenarios/hangzhou.yaml` stops at loading (it did until 2026-11-28)."""
    scenario = load_scenario(f"scenarios/{place}.yaml")
    for arm, overrides in arm_overrides(scenario).items():
        armed = load_scenario(scenario, overrides=overrides)
        assert armed.timeline == () or arm == "zones", arm


def test_every_pattern_gets_a_row_of_the_verdict_table():
    metrics = check_experiment(
        Path("scenarios/demo.yaml"), load_scenario("scenarios/demo.yaml"), 2, 13, 1
    )["metrics"]
    rng = np.random.default_rng(1)
    tables = {("catchment", name): rng.uniform(0.01, 0.2, (2, len(YEARS))) for name in metrics}
    tables[("catchment", "movers_share")] = _movers(2)
    tables[("zones", "premium_top_decile_share")] = rng.uniform(0.01, 0.2, (2, len(YEARS)))
    table = verdicts(_frame(tables))
    assert list(table["pattern"]) == [pattern.name for pattern in PATTERNS]
    assert set(table["verdict"]) <= {"holds", "does not hold", "not applicable"}
    assert table.set_index("pattern").loc["groups_narrow_quality_gap", "verdict"] == (
        "not applicable"
    )
    assert (table["verdict"] != "not applicable").sum() == len(PATTERNS) - 1


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda pattern: pattern.name)
def test_each_statistic_reads_only_the_metrics_its_pattern_declares(pattern):
    """The check keeps only the declared metrics, so a statistic reading another one
    would fail on a real check: given exactly its metrics (in every arm) it runs."""
    rng = np.random.default_rng(0)
    values = {}
    for arm in ("catchment", "zones", "no_groups"):
        for metric in pattern.metrics:
            table = 0.1 + 0.01 * rng.random((3, len(YEARS)))
            values[(arm, metric)] = _movers(3) if metric == "movers_share" else table
    result = pattern.statistic(Series(_frame(values)))
    assert np.isfinite(result).all() and len(result) == 3
