"""The documented patterns a scenario is checked against (`edusim check`).

Each pattern says what the sources observe, which arm of the check shows it, what is
measured per seed (a statistic of the tidy metrics table), and the band the model's
estimate must lie in, with the band's source. Levels are judged by their mean over
seeds; directions (an effect with a sign) by their whole 95% interval, so that a
direction holds only when the seeds agree on it.

The arms a pattern reads (`catchment`, `zones`, `no_groups`, `unreformed`) are built in
validation/arms.py. The patterns of a place left alone (the top premiums holding, the
private share stable) read the `unreformed` arm where the scenario has a standing reform
(`unreformed`): a place's own groups and rotation in the catchment arm are a policy
acting throughout the run, which the sources did not watch.

Whether the city starts in equilibrium is judged in the arm in which no policy takes
effect (`quiet_arm`): the catchment arm keeps the scenario's groups, and groups formed
during the run share their cores' names (`brand_transfer`), which families learn from
the next intakes, so its later intakes carry the groups' effect on moving (docs/ODD.md §5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from edusim.validation.arms import ZONE_SWITCH_YEAR


class Series:
    """Tidy metrics of the check's runs, read as seeds x years per (arm, metric)."""

    def __init__(self, metrics: pd.DataFrame) -> None:
        self._frames = {
            key: frame.pivot(index="replicate", columns="year", values="value").sort_index()
            for key, frame in metrics.groupby(["variant", "metric"])
        }

    def get(self, arm: str, metric: str) -> pd.DataFrame:
        """replicates x years of `metric` in `arm` (KeyError if the arm did not run)."""
        return self._frames[(arm, metric)]

    @property
    def arms(self) -> set[str]:
        """The arms that ran."""
        return {arm for arm, _ in self._frames}

    def intakes(self, arm: str) -> pd.DataFrame:
        """movers_share over the intake years only (it is NaN before the first intake)."""
        movers = self.get(arm, "movers_share")
        return movers.loc[:, movers.notna().any()]


def _intake_years(series: Series, arm: str) -> list[int]:
    return list(series.intakes(arm).columns)


def _mean_from_second_intake(metric: str) -> Callable[[Series], np.ndarray]:
    def statistic(series: Series) -> np.ndarray:
        years = _intake_years(series, "catchment")[1:]
        return series.get("catchment", metric)[years].mean(axis=1).to_numpy()

    return statistic


def _top_premium_change(metric: str) -> Callable[[Series], np.ndarray]:
    """Relative change of the top tenth's premium (`metric`: as a share of the price or in
    CNY) from the 2nd to the 12th intake (or the last, in a shorter run)."""

    def statistic(series: Series) -> np.ndarray:
        arm = unreformed(series)
        years = _intake_years(series, arm)
        top = series.get(arm, metric)
        start, end = top[years[1]], top[years[min(11, len(years) - 1)]]
        return ((end - start) / start).to_numpy()

    return statistic


def _premium_momentum(series: Series) -> np.ndarray:
    """Mean over the intakes from the third on of `premium_change_autocorr` (leaving out
    the second's, whose earlier change is the one from the burn-in's premiums), catchment
    arm, per seed (years without enough catchments above 2% are skipped)."""
    years = _intake_years(series, "catchment")[2:]
    return series.get("catchment", "premium_change_autocorr")[years].mean(axis=1).to_numpy()


def _sorting_at_first_intake(series: Series) -> np.ndarray:
    first = _intake_years(series, "catchment")[0]
    return series.get("catchment", "income_quality_rank_corr")[first].to_numpy()


def _sorting_growth(series: Series) -> np.ndarray:
    years = _intake_years(series, "catchment")
    corr = series.get("catchment", "income_quality_rank_corr")
    return (corr[years[-1]] - corr[years[0]]).to_numpy()


def unreformed(series: Series) -> str:
    """The arm without the place's standing reform: `unreformed` when it ran (the
    scenario's counterfactual takes groups, rotation or other policies away), else
    `catchment`. The sources of the patterns that read it watched places without such
    reforms (Beijing 2013-16, Zhejiang's private share)."""
    return "unreformed" if "unreformed" in series.arms else "catchment"


def quiet_arm(series: Series) -> str:
    """The arm in which no policy takes effect during the run: `no_groups` when it ran
    (the scenario forms groups, at the start or later), else `catchment`."""
    return "no_groups" if "no_groups" in series.arms else "catchment"


def _first_intake_excess_movers(series: Series) -> np.ndarray:
    """The first intake's movers' share minus the mean of the next five, seed by seed (a
    paired difference: whether the first of six exchangeable noisy intakes lies within
    the range of the other five holds only 4 times in 6, whatever the model), in the arm
    in which no policy takes effect (`quiet_arm`): a group formed in the first years
    changes what an address is worth, and the later intakes move less for it."""
    movers = series.intakes(quiet_arm(series))
    return (movers.iloc[:, 0] - movers.iloc[:, 1:6].mean(axis=1)).to_numpy()


def _private_share_ratio(series: Series) -> np.ndarray:
    share = series.get(unreformed(series), "private_share")
    return (share.iloc[:, -1] / share.iloc[:, 0]).to_numpy()


def _zones_top_premium_effect(series: Series) -> np.ndarray:
    zones = series.get("zones", "premium_top_decile_share").iloc[:, -1]
    catchment = series.get("catchment", "premium_top_decile_share").iloc[:, -1]
    return (zones - catchment).to_numpy()


def _zones_first_year_effect(series: Series) -> np.ndarray:
    """Paired zones - catchment top-tenth premium share at the intake of the switch."""
    switch = _intake_years(series, "catchment")[ZONE_SWITCH_YEAR - 1]
    zones = series.get("zones", "premium_top_decile_share")[switch]
    catchment = series.get("catchment", "premium_top_decile_share")[switch]
    return (zones - catchment).to_numpy()


def _zone_premiums_settle(series: Series) -> np.ndarray:
    """Relative change of the zones arm's top-tenth premium share from the mean of the three
    years before its last three to the mean of its last three.

    Means of three years, not two single years: a catchment's premium is the price of a few
    dozen flats and a top tenth's moves 10-20% from one year to the next, so the ratio of
    two single years (the statistic until 2026-11-28) swung by about 0.2 from seed to seed
    around a level that had stopped falling (demo, 10 seeds: mean 0.042 on one model and
    0.113 on the next, whose yearly means over the seeds moved by less than 0.002)."""
    top = series.get("zones", "premium_top_decile_share")
    last = top.iloc[:, -3:].mean(axis=1)
    before = top.iloc[:, -6:-3].mean(axis=1)
    return ((last - before) / before).to_numpy()


def _groups_gap_effect(series: Series) -> np.ndarray:
    groups = series.get("catchment", "quality_quartile_gap").iloc[:, -1]
    alone = series.get("no_groups", "quality_quartile_gap").iloc[:, -1]
    return (groups - alone).to_numpy()


def _between_school_share_last(series: Series) -> np.ndarray:
    return series.get("catchment", "between_school_share").iloc[:, -1].to_numpy()


def _urban_rural_gap_as_built(series: Series) -> np.ndarray:
    return series.get("catchment", "urban_rural_gap_junior").iloc[:, 0].to_numpy()


def _income_gradient_last(series: Series) -> np.ndarray:
    return series.get("catchment", "income_achievement_corr").iloc[:, -1].to_numpy()


@dataclass(frozen=True)
class Pattern:
    """One documented pattern and how a check measures it."""

    name: str
    claim: str
    source: str
    measured: str
    unit: str
    statistic: Callable[[Series], np.ndarray]
    low: float | None
    high: float | None
    band_source: str
    judged_by: str  # "mean": the mean over seeds lies in the band; "interval": its 95% CI
    arms: tuple[str, ...]
    metrics: tuple[str, ...]
    """The metrics `statistic` reads (the check asks the runs to keep them)."""
    min_intakes: int = 2

    def band_text(self) -> str:
        """The band as text ("[0.05, 0.15]", "< 0", ">= -0.1")."""
        if self.low is not None and self.high is not None:
            return f"[{self.low:g}, {self.high:g}]"
        if self.low is not None:
            return f">= {self.low:g}"
        return f"<= {self.high:g}"

    def within(self, low: float, high: float) -> bool:
        """Whether [low, high] lies inside the band."""
        return (self.low is None or low >= self.low) and (self.high is None or high <= self.high)


HOUSING_LEVEL_SOURCES = (
    "Zheng, Hu & Wang (2016), JREFE: key-school zones +8.1% (Beijing); Huang, He & Zhu "
    "(2018): municipal key primary +7.5-10.5%; Han, Shen & Zhao (2021), CEQI 1:29-42: "
    "top 59 Beijing primaries about 11% (CALIBRATION-TARGETS, school-district housing)"
)

PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        name="top_premium_level",
        claim="the top tenth of catchments carries a premium of roughly 5-15% of the flat price",
        source=HOUSING_LEVEL_SOURCES,
        measured="`premium_top_decile_share`, mean over the intakes from the second on, catchment arm",
        unit="share of price",
        statistic=_mean_from_second_intake("premium_top_decile_share"),
        low=0.05,
        high=0.15,
        band_source="boundary-discontinuity and matching estimates of the value of the enrolment right (7.5-13%), widened to 5-15%",
        judged_by="mean",
        arms=("catchment",),
        metrics=("movers_share", "premium_top_decile_share"),
    ),
    Pattern(
        name="top_premium_holds",
        claim="under unchanged catchment rules the top premiums do not decline",
        source="Han, Shen & Zhao (2021): the top primaries' premium rose every year 2013-16 (more than 50% in all)",
        measured="relative change of `premium_top_decile_share` from the 2nd to the 12th intake (or the last), the unreformed arm (the catchment arm without the place's standing reform, as its counterfactual; the catchment arm where there is none)",
        unit="relative change",
        statistic=_top_premium_change("premium_top_decile_share"),
        low=-0.10,
        high=None,
        band_source="no decline beyond 10% (the source reports a rise; the model has no rising incomes or prices, so a rise is not required)",
        judged_by="mean",
        arms=("catchment",),
        metrics=("movers_share", "premium_top_decile_share"),
        min_intakes=3,
    ),
    Pattern(
        name="top_premium_holds_cny",
        claim="under unchanged catchment rules the top premiums do not decline, counted in CNY per flat",
        source="Han, Shen & Zhao (2021): the top primaries' premium rose every year 2013-16 (more than 50% in all)",
        measured=(
            "relative change of `premium_top_decile_cny` from the 2nd to the 12th intake (or the"
            " last), the unreformed arm (the catchment arm without the place's standing reform, as its counterfactual; the catchment arm where there is none); beside the share, it shows how much of a change in the share"
            " comes from the top tenth moving between districts of different flat prices"
        ),
        unit="relative change",
        statistic=_top_premium_change("premium_top_decile_cny"),
        low=-0.10,
        high=None,
        band_source="no decline beyond 10%, as the share (the model's prices and incomes do not grow, so the source's rise is not required)",
        judged_by="mean",
        arms=("catchment",),
        metrics=("movers_share", "premium_top_decile_cny"),
        min_intakes=3,
    ),
    Pattern(
        name="premium_momentum",
        claim="a catchment's premium has momentum: a yearly change tends to be followed by one of the same sign, as house prices' are",
        source=(
            "Case & Shiller (1989), AER 79(1):125-137: yearly changes of city house price"
            " indices are positively autocorrelated; Glaeser, Gyourko, Morales & Nathanson"
            " (2014), JUE 81:45-56: strong positive serial correlation of one-year price"
            " changes across US metropolitan areas (momentum, then mean reversion over five years)"
        ),
        measured="`premium_change_autocorr` (correlation over catchments above 2% of the flat price of this intake's premium change and the one before), mean over the intakes from the third on, catchment arm",
        unit="correlation",
        statistic=_premium_momentum,
        low=0.0,
        high=None,
        band_source="the sign the sources find; no level is carried over (their indices average many sales, a catchment's premium is the price of a few dozen)",
        judged_by="interval",
        arms=("catchment",),
        metrics=("movers_share", "premium_change_autocorr"),
        min_intakes=4,
    ),
    Pattern(
        name="ordinary_premium_positive",
        claim="ordinary catchments carry a small positive premium (a quality tier is worth a few percent of price)",
        source="Habitat International 42:155-163 (2014), Hangzhou: +2.0% (primary), +5.4% (junior) per quality level; Zhou (2018), Shanghai: +3.1% per rank",
        measured="`premium_median_share`, mean over the intakes from the second on, catchment arm",
        unit="share of price",
        statistic=_mean_from_second_intake("premium_median_share"),
        low=0.005,
        high=0.06,
        band_source="above half a percent and below the top catchments' level; per-tier hedonic effects of 2-5.4%",
        judged_by="mean",
        arms=("catchment",),
        metrics=("movers_share", "premium_median_share"),
    ),
    Pattern(
        name="wealth_sorts_into_quality",
        claim="richer families' children attend schools of higher teaching quality",
        source="Shanghai Academy of Social Sciences survey (2016): 28.3% of households earning above 201k yuan bought school-district housing, against 6.6-11.3% of the others",
        measured="`income_quality_rank_corr` at the first intake, catchment arm",
        unit="rank correlation",
        statistic=_sorting_at_first_intake,
        low=0.0,
        high=None,
        band_source="direction only (the survey gives purchase rates by income, not a correlation)",
        judged_by="interval",
        arms=("catchment",),
        metrics=("movers_share", "income_quality_rank_corr"),
    ),
    Pattern(
        name="wealth_sorting_grows",
        claim="under catchment rules the sorting of wealth into school quality grows",
        source="issue #14, item 5 (premiums capitalise access, so each cohort buys in by income); Wen, Xiao & Zhang (2017), Cities 66: Hangzhou's zero-choice policy strengthened the school-district effect",
        measured="change of `income_quality_rank_corr` from the first to the last intake, catchment arm",
        unit="change in correlation",
        statistic=_sorting_growth,
        low=0.0,
        high=None,
        band_source="direction only",
        judged_by="interval",
        arms=("catchment",),
        metrics=("movers_share", "income_quality_rank_corr"),
        min_intakes=3,
    ),
    Pattern(
        name="movers_share_level",
        claim="about one family in ten moves (buys or rents) for a school",
        source="Shanghai Academy of Social Sciences survey (2016): 11.1% of residents with a child in compulsory school had bought school-district housing for it",
        measured="`movers_share`, mean over the intakes, catchment arm",
        unit="share of entrants",
        statistic=lambda series: series.intakes("catchment").mean(axis=1).to_numpy(),
        low=0.05,
        high=0.22,
        band_source="within a factor of two of 11.1% (a survey of one city; renters are counted by the model but not by the survey)",
        judged_by="mean",
        arms=("catchment",),
        metrics=("movers_share",),
    ),
    Pattern(
        name="no_first_intake_rush",
        claim="the city starts in equilibrium: the first intake is no rush",
        source="issue #14, item 3 (the city as built is consistent with its initial rule)",
        measured="first intake's `movers_share` minus the mean of the next five intakes, seed by seed, catchment arm without groups (`no_groups`) when the scenario forms any, else catchment arm",
        unit="share of entrants",
        statistic=_first_intake_excess_movers,
        low=-0.02,
        high=0.02,
        band_source="a model regression guard, no published source: within 2 points of entrants (about a tenth of the movers' share, and of the order of its year-to-year spread within a seed)",
        judged_by="mean",
        arms=("catchment",),
        metrics=("movers_share",),
        min_intakes=6,
    ),
    Pattern(
        name="private_share_stable",
        claim="without a policy change the private share stays near its level",
        source="issue #14, item 4; the level: Zhejiang 9.3% (2008) to 6.0% (2023) under changing policy (Dai & Shao 2025)",
        measured="`private_share` in the last year over the first, the unreformed arm (the catchment arm without the place's standing reform, as its counterfactual; the catchment arm where there is none)",
        unit="ratio",
        statistic=_private_share_ratio,
        low=0.8,
        high=1.25,
        band_source="assumption: within 20% of where it started when nothing changes",
        judged_by="mean",
        arms=("catchment",),
        metrics=("movers_share", "private_share"),
    ),
    Pattern(
        name="zones_lower_top_premium",
        claim="multi-school zones lower the top catchments' premium",
        source="digest, national rules: multi-school zoning (多校划片) is meant to relieve school-choice pressure",
        measured="paired difference zones - catchment of `premium_top_decile_share` in the last year",
        unit="share of price",
        statistic=_zones_top_premium_effect,
        low=None,
        high=0.0,
        band_source="direction only (no published size in CALIBRATION-TARGETS)",
        judged_by="interval",
        arms=("zones", "catchment"),
        metrics=("movers_share", "premium_top_decile_share"),
        min_intakes=ZONE_SWITCH_YEAR + 1,
    ),
    Pattern(
        name="announced_switch_acts_at_once",
        claim="an announced switch to multi-school zones lowers the top premiums at the first intake under it, not a year later",
        source=(
            "Beijing Xicheng, 2020: the market reacted to the announcement of 30 April (a rush"
            " of purchases before the 31 July cut-off, press reports); Cui et al., Big Data and"
            " Computing Innovation 6(1): prices fell after the policy (DID)"
        ),
        measured="paired difference zones - catchment of `premium_top_decile_share` at the intake of the switch (announced with the default lead)",
        unit="share of price",
        statistic=_zones_first_year_effect,
        low=None,
        high=0.0,
        band_source="direction only (adaptive expectations give exactly 0)",
        judged_by="interval",
        arms=("zones", "catchment"),
        metrics=("movers_share", "premium_top_decile_share"),
        min_intakes=ZONE_SWITCH_YEAR,
    ),
    Pattern(
        name="zone_premiums_settle",
        claim="after a switch to zones the top premiums settle at the value of the access that remains, instead of falling for ever",
        source="issue #14 (a price settles where buyers and sellers agree)",
        measured="relative change of the zones arm's `premium_top_decile_share` from the mean of the three years before its last three to the mean of its last three",
        unit="relative change",
        statistic=_zone_premiums_settle,
        low=-0.10,
        high=0.10,
        band_source="assumption: within 10% over three years",
        judged_by="mean",
        arms=("zones",),
        metrics=("movers_share", "premium_top_decile_share"),
        # the earlier three years start at least three years after the switch
        min_intakes=ZONE_SWITCH_YEAR + 8,
    ),
    Pattern(
        name="groups_narrow_quality_gap",
        claim="the scenario's groups narrow the gap in teaching quality between schools",
        source="digest (Chongming's groups narrowed the gaps between campuses); Lei & Deng (2025): group schooling raised recipient schools' achievement through teacher quality",
        measured="paired difference with - without groups of `quality_quartile_gap` in the last year",
        unit="pupil SD per year",
        statistic=_groups_gap_effect,
        low=None,
        high=0.0,
        band_source="direction only",
        judged_by="interval",
        arms=("catchment", "no_groups"),
        metrics=("movers_share", "quality_quartile_gap"),
    ),
    Pattern(
        name="between_school_share_level",
        claim="a minority of the variance of achievement lies between schools",
        source="a Chinese city's junior exit exam: intra-class correlation 0.20 (CALIBRATION-TARGETS, baseline; authors not shown on the stored page); PISA: about 40% between schools on the OECD average (OECD 2013, PISA in Focus)",
        measured="`between_school_share` in the last year, catchment arm",
        unit="share of variance",
        statistic=_between_school_share_last,
        low=0.10,
        high=0.40,
        band_source="from half the Chinese city's 0.20 to the OECD average 0.40",
        judged_by="mean",
        arms=("catchment",),
        metrics=("movers_share", "between_school_share"),
        min_intakes=0,
    ),
    Pattern(
        name="urban_rural_gap_level",
        claim="urban pupils lead rural pupils by about 0.4 SD",
        source="Zhao, Ye, Li & Xue (2017), China Economic Review 45: 0.37 SD of the urban pupils' scores (0.41 of the rural), CEPS 2013/14, grades 7 and 9, national",
        measured="`urban_rural_gap_junior` as built (grades 7-9, in the SD of the grade's urban pupils, as the source), catchment arm",
        unit="SD of urban pupils",
        statistic=_urban_rural_gap_as_built,
        low=0.2,
        high=0.6,
        band_source="0.37 SD, widened to [0.2, 0.6] for a different city and test",
        judged_by="mean",
        arms=("catchment",),
        metrics=("movers_share", "urban_rural_gap_junior"),
        min_intakes=0,
    ),
    Pattern(
        name="income_gradient_level",
        claim="family background accounts for about a tenth of the variance of achievement",
        source="Sirin (2005), Review of Educational Research 75(3): meta-analysis of socio-economic status and achievement, mean r about 0.3; OECD (2019), PISA 2018 Results vol. II: socio-economic status explains about 12% of the variance of 15-year-olds' reading (r about 0.35), in B-S-J-Z (China) too (sources §3)",
        measured="`income_achievement_corr` in the last year (grades 7-9), catchment arm",
        unit="correlation",
        statistic=_income_gradient_last,
        low=0.2,
        high=0.4,
        band_source="r of 0.3 and 0.35, widened by about 0.1 below and 0.05 above: the model's measure is family income alone, one part of the composite indices of the sources; `learning.ses_effect` is calibrated to this correlation in the demo city (docs/ODD.md 7.5), so in the demo this is a check of the calibration, elsewhere of its transfer",
        judged_by="mean",
        arms=("catchment",),
        metrics=("movers_share", "income_achievement_corr"),
        min_intakes=0,
    ),
)
