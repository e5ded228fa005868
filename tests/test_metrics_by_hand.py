"""Every metric of the registry on a small hand-built two-stage city, against a value
worked out by hand (the arithmetic is in the comments). A metric added to the registry
without a hand-computed value here fails `test_every_registered_metric_has_a_hand_value`.

The city: two districts (0 urban at 50,000 CNY/m2, 1 rural at 10,000 CNY/m2), seven
schools, all open:

    school          0     1     2     3     4     5     6
    stage           P     P     P     P     J     J     J (private)
    district        0     0     1     1     0     1     1
    rural school    no    no    yes   no    no    yes   yes  (school 3: a town school of
                                                            the rural county)
    owner           city  dist  dist  cnty  dist  cnty  dist
    quality        0.1   0.3   0.0   0.2   0.5   0.1   0.9
    achievement    0.2   0.6  -0.4   0.0   0.5   0.1   1.0
    enrollment      10    20    30    40    50    30    20
    premium share  0.10  0.00  0.20  0.05  0.02  0.00  0.30
    entry places    10    10    10    10    10    10    15

Twelve teachers (experience 0, so effectiveness = innate + learned):

    teacher         0     1     2     3     4     5     6     7     8     9    10    11
    school          0     0     2     2     2     5     5     6     4     3     3     1
    tier            1     0     1     2     0     0     3     1     0     1     1     0
    effectiveness  0.2   0.0  -0.1   0.2  -0.1   0.0   0.2   0.5   0.3   0.1   0.3   0.5
    rotated years   1     0     0     2     0     0    0.5    0     1     0     0     0
    employer        S     S     S     S     S     S     D     S     S     S     D     S
    title           sen   -     -     sen   -     sen   -     sen   -     sen   -     sen
    specialist      -     -     yes   -     -     -     -     yes   -     -     -     -
    (half of every school's lessons are in scarce subjects: scarce_subject_share 0.5)

Twelve families with incomes 1..12 (the bottom quartile, income <= 3.75, is 1-3; the top,
income >= 9.25, is 10-12), the twelve teachers above (two held by the district's
reservoir, D), two groups (core 0 with members 1 and 2; core 4 with member 5), a year-2020
rotation record, two years of grants (with results funds) and one intake. Ten of the
families are in the junior grades 7-9, with standardised log incomes of -1, 0 or 1 (for the
junior-grade gradients; `two_stage_city` lists them).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from edusim.agents.families import Families
from edusim.agents.groups import GroupTable
from edusim.agents.leaders import Leaders
from edusim.agents.teachers import Teachers
from edusim.metrics import METRICS, SCALE_MEAN, SCALE_SD
from edusim.model import EduModel

YEAR = 2020


def _population(kind, **columns):
    n = len(next(iter(columns.values())))
    values = {name: np.zeros(n, dtype=dtype) for name, dtype in kind.fields.items()}
    values.update({name: np.asarray(column) for name, column in columns.items()})
    population = kind()
    population.add(n, **values)
    return population


class _Table(SimpleNamespace):
    """School columns with the length the metrics ask of a school table."""

    def __len__(self) -> int:
        return self.stage.size


def two_stage_city() -> SimpleNamespace:
    """The city of the module docstring as a model-shaped object."""
    table = _Table(
        stage=np.array([0, 0, 0, 0, 1, 1, 1]),
        private=np.array([False] * 6 + [True]),
        district=np.array([0, 0, 1, 1, 0, 1, 1]),
        rural=np.array([False, False, True, False, False, True, True]),
        owner=np.array([0, 1, 1, 2, 1, 2, 1]),
        teaching_quality=np.array([0.1, 0.3, 0.0, 0.2, 0.5, 0.1, 0.9]),
        mean_achievement=np.array([0.2, 0.6, -0.4, 0.0, 0.5, 0.1, 1.0]),
        enrollment=np.array([10, 20, 30, 40, 50, 30, 20]),
        premium_share=np.array([0.10, 0.0, 0.20, 0.05, 0.02, 0.0, 0.30]),
        entry_capacity=np.array([10, 10, 10, 10, 10, 10, 15]),
        active=np.ones(7, dtype=bool),
    )
    groups = GroupTable()
    groups.form("G1", "tight", 0, np.array([1, 2]), 2019, 3, True)
    groups.form("G2", "alliance", 4, np.array([5]), 2019, 3, True)
    in_stage = [table.stage == stage for stage in (0, 1)]
    city = SimpleNamespace(
        school_table=table,
        params=SimpleNamespace(
            learning=SimpleNamespace(annual_growth_sd=0.4),
            housing=SimpleNamespace(flat_size_m2=100.0),
            teachers=SimpleNamespace(
                experience_gain=0.15, experience_scale_years=5.0, scarce_subject_share=0.5
            ),
        ),
        geography=SimpleNamespace(
            district_kind=np.array([0, 2]),
            district_price_cny_per_m2=np.array([50_000.0, 10_000.0]),
        ),
        families=_population(
            Families,
            income_cny=np.arange(1.0, 13.0),
            school=np.array([0, 0, 2, 0, 1, 1, 1, 2, 3, 4, 6, -1]),
            district=np.array([0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1]),
            achievement=np.array([-1.0, -0.5, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]),
            grade=np.array([7, 7, 7, 8, 8, 9, 9, 8, 9, 9, 1, 1]),
            ses_z=np.array([-1.0, 0.0, 1.0, 1.0, 0.0, 1.0, -1.0, -1.0, 1.0, -1.0, 0.0, 0.0]),
        ),
        teachers=_population(
            Teachers,
            school=np.array([0, 0, 2, 2, 2, 5, 5, 6, 4, 3, 3, 1]),
            tier=np.array([1, 0, 1, 2, 0, 0, 3, 1, 0, 1, 1, 0]),
            innate=np.array([0.2, 0.0, -0.1, 0.1, -0.1, 0.0, 0.2, 0.5, 0.3, 0.1, 0.3, 0.5]),
            learned=np.array([0.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
            rotated_years=np.array([1.0, 0, 0, 2.0, 0, 0, 0.5, 0, 1.0, 0, 0, 0]),
            employer=np.array([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]),
            posting_kind=np.array([0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0]),
            pool_end=np.array([-1, -1, -1, -1, -1, -1, YEAR, -1, -1, -1, YEAR + 1, -1]),
            title=np.array([1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]),
            specialist=np.array([0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0], dtype=bool),
        ),
        # principals of schools 0-6 (qualities below), a deputy of school 4 posted to 5
        leaders=_population(
            Leaders,
            school=np.array([0, 1, 2, 3, 4, 5, 6, 5]),
            home_school=np.array([0, 1, 2, 3, 4, 5, 6, 4]),
            role=np.array([0, 0, 0, 0, 0, 0, 0, 1]),
            quality=np.array([0.05, 0.02, -0.04, 0.01, 0.06, -0.02, 0.10, 0.2]),
            posting_kind=np.array([0, 0, 0, 0, 0, 0, 0, 1]),
        ),
        leader_stats={YEAR: {"posted": 2, "executive": 1, "rotated": 3, "retired": 4}},
        groups=groups,
        # four residential cells; 20 and 30 dwellings were just built in cells 1 and 3
        dwellings=np.array([100.0, 200.0, 50.0, 150.0]),
        dwellings_built=np.array([0.0, 20.0, 0.0, 30.0]),
        # premiums before this intake, and the change of the intake before (school 5's
        # 0.5 is left out: its premium was 1% before)
        premium_before_intake=np.array([0.08, 0.0, 0.25, 0.03, 0.03, 0.01, 0.30]),
        premium_change=np.array([0.01, 0.0, -0.04, 0.03, 0.0, 0.5, 0.0]),
        quality_threshold=0.25,
        initial_quality_gap=0.5,
        current_school_year=YEAR,
        rotation_stats={
            YEAR: {
                "posted": 8,
                "backbone": 6,
                "young": 2,
                "volunteers": 3,
                "asked": 12,
                "group": 5,
                "district": 2,
                "reservoir": 1,
                "reservoir_size": 2,
                "walking": 3,
                "walk_travel_cny": 1500.0,
            }
        },
        staff_flows={YEAR: {"promoted_senior": 3, "surplus": 4}},
        latest_balance=pd.DataFrame({"within_standard": [True, False, True, True]}),
        money={
            2019: {"spent_cny": 1.0e6, "results_fund_cny": 0.0},
            YEAR: {"spent_cny": 5.0e5, "results_fund_cny": 1.2e5},
        },
        intake={
            0: {
                "in_stage": in_stage[0],
                "applications": np.array([30, 10, 5, 20, 0, 0, 0]),
                "entry_places": np.array([10, 10, 10, 0, 0, 0, 0]),
                "entrants": 40,
                "private_entrants": 0,
                "private_applicants": 0,
                "movers": 4,
                "renters": 1,
                "out_of_catchment": 10,
                "first_choice_met": 30,
                "top3_met": 35,
                "matched": 30,
                "blocked": 3,
                "misreport_checked": 5,
                "misreport_gainers": 1,
                "distance_km_sum": 60.0,
                # four public entrants' satisfaction as the intake recorded it (index and
                # components are read, not recomputed, by the metrics)
                "satisfaction": {
                    "index": np.array([80.0, 50.0, 60.0, 70.0]),
                    "components": np.array(
                        [
                            [1.0, 0.5, 1.0, 1.0, 0.8],
                            [0.0, 0.5, 0.5, 0.5, 1.0],
                            [0.5, 0.5, 1.0, 0.0, 0.6],
                            [0.5, 1.0, 1.0, 1.0, 1.0],
                        ]
                    ),
                    "income_cny": np.array([2.0, 5.0, 10.0, 3.0]),
                    "district": np.array([0, 0, 1, 1]),
                    "school": np.array([0, 1, 2, 3]),
                    "home": np.array([0, 0, 2, 3]),
                },
            },
            1: {
                "in_stage": in_stage[1] & ~table.private,
                "applications": np.array([0, 0, 0, 0, 12, 6, 0]),
                "entry_places": np.array([0, 0, 0, 0, 10, 12, 0]),
                "entrants": 10,
                "private_entrants": 10,
                "private_applicants": 30,
                "movers": 2,
                "renters": 2,
                "out_of_catchment": 5,
                "first_choice_met": 10,
                "top3_met": 10,
                "matched": 10,
                "blocked": 1,
                "misreport_checked": 5,
                "misreport_gainers": 0,
                "distance_km_sum": 40.0,
                "satisfaction": {
                    "index": np.array([40.0, 90.0]),
                    "components": np.array([[0.2] * 5, [0.9] * 5]),
                    "income_cny": np.array([12.0, 1.0]),
                    "district": np.array([0, 1]),
                    "school": np.array([4, 5]),
                    "home": np.array([4, 4]),
                },
            },
        },
        # mean index of each catchment's entrants before the first school year (NaN: none)
        satisfaction_baseline={
            0: np.array([70.0, np.nan, 55.0, np.nan, np.nan, np.nan, np.nan]),
            1: np.array([np.nan, np.nan, np.nan, np.nan, 60.0, np.nan, np.nan]),
        },
    )
    # the model's own rule (innate + learned + experience return; experience is 0 here)
    city.teacher_effectiveness = lambda: EduModel.teacher_effectiveness(city)
    return city


def _pooled(stage_values: list[list[float]], statistic) -> float:
    """By the metric's rule: a statistic per stage, weighted by the stage's schools."""
    return sum(len(v) * statistic(np.array(v)) for v in stage_values) / sum(
        len(v) for v in stage_values
    )


# public open schools: primary 0-3, junior 4-5 (6 is private)
Q = [[0.1, 0.3, 0.0, 0.2], [0.5, 0.1]]
A = [[0.2, 0.6, -0.4, 0.0], [0.5, 0.1]]
years = [[1 + q / 0.4 for q in stage] for stage in Q]
scores = [[SCALE_MEAN + SCALE_SD * a for a in stage] for stage in A]

HAND_VALUES: dict[str, float] = {
    # satisfaction: six public entrants, indices 80 50 60 70 (primary) and 40 90 (junior)
    "satisfaction_index": 390.0 / 6,
    "satisfied_share": 4 / 6,  # 80, 60, 70, 90 reach 60
    # incomes 2 5 10 3 12 1: bottom quarter (<= 3.75) 2, 3, 1 -> 80 70 90; top (>= 9.25)
    # 10, 12 -> 60 40
    "satisfaction_low_income": 80.0,
    "satisfaction_high_income": 50.0,
    # district 0 is urban (80 50 40), district 1 a rural county (60 70 90)
    "satisfaction_urban": 170.0 / 3,
    "satisfaction_rural": 220.0 / 3,
    "satisfaction_lowest_district": 170.0 / 3,
    # school means 80 50 60 70 40 90: schools 1 and 4 below 60, of six with entrants
    "unsatisfied_schools_share": 2 / 6,
    # against the catchments' baselines: 80 - 70, 50 - 70, 60 - 55 (primary; catchment 3
    # had none), 40 - 60, 90 - 60 (junior): (10 - 20 + 5 - 20 + 30) / 5
    "sense_of_gain": 1.0,
    # component columns averaged over the six entrants
    "satisfaction_expectation": (1.0 + 0.0 + 0.5 + 0.5 + 0.2 + 0.9) / 6,
    "satisfaction_quality": (0.5 + 0.5 + 0.5 + 1.0 + 0.2 + 0.9) / 6,
    "satisfaction_fairness": (1.0 + 0.5 + 1.0 + 1.0 + 0.2 + 0.9) / 6,
    "satisfaction_access": (1.0 + 0.5 + 0.0 + 1.0 + 0.2 + 0.9) / 6,
    "satisfaction_cost": (0.8 + 1.0 + 0.6 + 1.0 + 0.2 + 0.9) / 6,
    # primary pupils: school 0 holds -1.0 -0.5 0.1 (mean -1.4/3), school 1 0.2 0.3 0.4 (0.3),
    # school 2 0.0 0.5 (0.25), school 3 0.6; stage mean 0.6/9 = 1/15;
    # total SS = 2.16 - 9/225 = 2.12; between SS = 3 (1.4/3)^2 + 3 x 0.09 + 2 x 0.0625 + 0.36
    # - 9/225 = 1.96/3 + 0.715; junior: one pupil in each of schools 4 and 6, so all of the
    # variance is between schools (share 1); weighted by pupils (9 and 2)
    "between_school_share": (9 * ((1.96 / 3 + 0.715) / 2.12) + 2 * 1.0) / 11,
    # primary pupils (income 1-9) at schools 0 0 2 0 1 1 1 2 3; the schools' quality ranks
    # (0.1 0.3 0.0 0.2) are 1 3 0 2, so quality ranks by income rank 0-8 are
    # 1 1 0 1 3 3 3 0 2 (mean 14/9): sum of (x - 4) y = 9, sum (x - 4)^2 = 60,
    # sum (y - mean)^2 = 34 - 196/9 = 110/9, r = 9 / sqrt(60 x 110/9) = 27 / sqrt(6600);
    # junior pupils (income 10, 11) at schools 4 and 6, quality ranks 1 and 2 of 0-2: r = 1;
    # weighted by pupils (9 and 2)
    "income_quality_rank_corr": (9 * 27 / math.sqrt(6600) + 2 * 1.0) / 11,
    # primary quality: mean 0.15, variance (0.0025 + 0.0225 + 0.0225 + 0.0025) / 4 = 0.0125;
    # junior: mean 0.3, variance 0.04; pooled (4 x 0.0125 + 2 x 0.04) / 6 = 0.13 / 6
    "quality_sd": math.sqrt(0.13 / 6),
    # learning-years primary 1.25 1.75 1.0 1.5 (mean 1.375, SD sqrt(0.0125) / 0.4);
    # junior 2.25 1.25 (mean 1.75, SD 0.5)
    "quality_cv": (4 * (math.sqrt(0.0125) / 0.4 / 1.375) + 2 * (0.5 / 1.75)) / 6,
    # achievement primary mean 0.1, variance (0.01 + 0.25 + 0.25 + 0.01) / 4 = 0.13;
    # junior mean 0.3, variance 0.04; pooled (0.52 + 0.08) / 6 = 0.1
    "achievement_sd": math.sqrt(0.1),
    # scale scores primary 520 560 460 500 (mean 510, SD 100 sqrt(0.13)), junior 550 510
    # (mean 530, SD 20)
    "achievement_cv": (4 * (100 * math.sqrt(0.13) / 510) + 2 * (20 / 530)) / 6,
    # primary quality sorted 0 0.1 0.2 0.3: quartiles 0.075 and 0.225, so 0.3 - 0.0;
    # junior 0.1 0.5: quartiles 0.2 and 0.4, so 0.5 - 0.1; (4 x 0.3 + 2 x 0.4) / 6
    "quality_quartile_gap": 2.0 / 6,
    # primary achievement sorted -0.4 0 0.2 0.6: quartiles -0.1 and 0.3: 0.6 - (-0.4) = 1;
    # junior 0.1 0.5: 0.4; (4 x 1 + 2 x 0.4) / 6
    "achievement_quartile_gap": 4.8 / 6,
    # families in district 0 (urban): incomes 1 2 4 5 6 7 10, achievement sum 0.2;
    # district 1 (rural): incomes 3 8 9 11 12, sum 2.9
    "urban_rural_gap": 0.2 / 7 - 2.9 / 5,
    # top quartile (incomes 10-12) 0.7 0.8 1.0; bottom (1-3) -1 -0.5 0
    "ses_gap": 2.5 / 3 - (-1.5 / 3),
    # junior grades (the SDs divide by n): grade 7 urban -1, -0.5 (mean -0.75, SD 0.25),
    # rural 0: -3; grade 8 urban 0.1, 0.2 (0.15, SD 0.05), rural 0.5: -7; grade 9 urban
    # 0.3, 0.4, 0.7 (mean 1.4 / 3, variance 0.26 / 9), rural 0.6: (1.4 - 1.8) / sqrt(0.26);
    # weights 3, 3, 4 pupils
    "urban_rural_gap_junior": (3 * -3 + 3 * -7 + 4 * (-0.4 / math.sqrt(0.26))) / 10,
    # grade 7: income z -1, 0, 1 against -1, -0.5, 0 (a line: 1); grade 8: 1, 0, -1 against
    # 0.1, 0.2, 0.5 (covariance -0.4 / 3, variances 2 / 3 and 0.26 / 9); grade 9: 1, -1,
    # 1, -1 against 0.3, 0.4, 0.6, 0.7 (covariance -0.05, variances 1 and 0.025)
    "income_achievement_corr": (
        3 * 1.0 + 3 * (-0.4 / 3) / math.sqrt(2 / 3 * 0.26 / 9) + 4 * (-0.05 / math.sqrt(0.025))
    )
    / 10,
    # quality >= 0.25 at schools 1, 4, 6: (20 + 50 + 20) / 200 pupils
    "high_quality_share": 90 / 200,
    # movers 4 + 2 over entrants 40 + 10 public and 0 + 10 private
    "movers_share": 6 / 60,
    "renters_share": 3 / 60,
    # private school 6 holds 20 of 200 pupils
    "private_share": 20 / 200,
    # 30 applicants for the private school's 15 entry places
    "private_applicants_per_place": 30 / 15,
    # premiums (share x price x 100 m2) of the public schools: 500,000 0 200,000 50,000
    # 100,000 0 (the private school's 300,000 is not a catchment)
    "premium_mean_cny": 850_000 / 6,
    # a tenth of six catchments is one: the dearest
    "premium_top_decile_cny": 500_000.0,
    # shares of the public catchments sorted 0 0 0.02 0.05 0.10 0.20 (the private
    # school's 0.30 is no catchment): the median of six is (0.02 + 0.05) / 2
    "premium_median_share": (0.02 + 0.05) / 2,
    # a tenth of six catchments is one: the largest share, school 2's (not school 0, whose
    # premium in CNY is the largest)
    "premium_top_decile_share": 0.20,
    # public catchments above 2% before the intake: 0 (0.08), 2 (0.25), 3, 4 (0.03); this
    # intake's changes 0.02 -0.05 0.02 -0.01 (deviations 0.025 -0.045 0.025 -0.005), the
    # changes before 0.01 -0.04 0.03 0 (mean 0): sum of products 0.0028, sums of squares
    # 0.0033 and 0.0026
    "premium_change_autocorr": 0.0028 / math.sqrt(0.0033 * 0.0026),
    # built 20 + 30 = 50; the stock before them 500 - 50 = 450
    "dwellings_built_share": 50 / 450,
    # first choices / places (at least one): 3, 1, 0.5, 20 / 1 (no places), 1.2, 0.5;
    # the top tenth of six ratios is the largest
    "oversubscription_top": 20.0,
    # weakest quarter within stage: primary cut-off -0.1 (school 2), junior cut-off 0.2
    # (school 5); backbone teachers (tier >= 1) at open public schools: 6 (teacher 7 is
    # at the private school, as in backbone_in_rural_share), of whom 3 at schools 2 and 5
    "backbone_in_weak_share": 3 / 6,
    # group 1: core 0.1, members 0.3 and 0.0 -> (-0.2 + 0.1) / 2 = -0.05; group 2: core
    # 0.5, member 0.1 -> 0.4; mean over the groups
    # backbone teachers (tier >= 1) at open public schools: 0, 2, 3, 6, 9, 10 (teacher 7
    # is at the private school); at rural schools (2 and 5, by the school's own status):
    # 2, 3, 6; school 3 is in the rural county but not rural
    "backbone_in_rural_share": 3 / 6,
    # open public rural schools with pupils: 2 (30 pupils; teachers 2, 3, 4, one of them a
    # specialist: covers 1 / (0.5 x 3) = 2/3, so 1/3 uncovered) and 5 (30 pupils; teachers
    # 5 and 6, no specialist: all uncovered); pupil-weighted (1/3 + 1) / 2
    "scarce_lessons_uncovered_rural": 2 / 3,
    # school means of teacher effectiveness: primary 0.1 (school 0), 0.5 (1), 0.0 (2:
    # (-0.1 + 0.2 - 0.1) / 3), 0.2 (3); sorted 0 0.1 0.2 0.5, quartiles 0.075 and 0.275,
    # so 0.5 - 0.0; junior 0.3 (4), 0.1 (5) (the private 6 is left out): quartiles 0.15
    # and 0.25, so 0.3 - 0.1; (4 x 0.5 + 2 x 0.2) / 6
    "teacher_quartile_gap": 2.4 / 6,
    # teachers at open public schools by the school's own status: urban (schools 0, 1,
    # 3, 4) 0.2 0.0 0.5 0.1 0.3 0.3, sum 1.4 over 6; rural (2, 5) -0.1 0.2 -0.1 0.0 0.2,
    # sum 0.2 over 5 (the private rural school's teacher 7 is left out)
    "teacher_urban_rural_gap": 1.4 / 6 - 0.2 / 5,
    # teachers with rotated years: 0 (tier 1), 3 (tier 2), 6 (tier 3), 8 (tier 0)
    "rotated_tier_mean": (1 + 2 + 3 + 0) / 4,
    "within_group_gap": (-0.05 + 0.4) / 2,
    # members 1, 2, 5: (0.3 + 0.0 + 0.1) / 3; in no group: schools 3 and 6, (0.2 + 0.9) / 2
    "member_nonmember_gap": 0.4 / 3 - 1.1 / 2,
    # schools 0, 1, 2, 4, 5 of 7 are in a group
    "group_participation_share": 5 / 7,
    # open public schools 0-5; G1 (tight) and G2 (alliance) are both famous-school kinds:
    # schools 0, 1, 2, 4, 5
    "famous_group_participation_share": 5 / 6,
    # G1 spans owners (0 city, 1 district) and districts (school 2 is in district 1); G2
    # spans districts (4 in 0, 5 in 1) and owners (1, 2): the same five schools
    "cross_level_group_share": 5 / 6,
    # rural public schools 2 and 5; no community group
    "rural_community_coverage": 0.0,
    "rotations": 8.0,
    # principals at open public schools, by mean achievement: primary 0.2 0.6 -0.4 0.0
    # (quartiles -0.1 and 0.3): top school 1 (0.02), bottom school 2 (-0.04), 0.06;
    # junior 0.5 0.1 (quartiles 0.2, 0.4): school 4 (0.06) minus 5 (-0.02), 0.08; the
    # private school 6 and the posted deputy do not count; weights 4 and 2 schools
    "principal_quartile_gap": (4 * 0.06 + 2 * 0.08) / 6,
    # urban open public schools 0, 1, 3, 4 (0.05 0.02 0.01 0.06) minus rural 2, 5 (-0.04,
    # -0.02)
    "principal_urban_rural_gap": 0.14 / 4 - (-0.06 / 2),
    # the year's record: 2 deputies posted and 1 executive principal; 3 principals rotated
    "leader_postings": 3.0,
    "principal_rotations": 3.0,
    # the year's 8 postings by kind: 5 group, 2 district, 1 reservoir
    "rotations_group": 5.0,
    "rotations_district": 2.0,
    # district-employed teachers after staffing, from the year's record (teachers 6, 10):
    # a head count; only one of them (6) was deployed this year
    "reservoir_size": 2.0,
    "rotations_reservoir": 1.0,
    # part-time teaching at a second school, from the year's record
    "walk_teachers": 3.0,
    "walk_teaching_travel_cny": 1500.0,
    # senior titles at open public schools: teachers 0 (school 0), 3 (2), 5 (5), 9 (3),
    # 11 (1); teacher 7 is at the private school. Rural schools 2 and 5 hold 3 and 5, and
    # they are also the weakest quarter (as in backbone_in_weak_share)
    "senior_title_in_rural_share": 2 / 5,
    "senior_title_in_weak_share": 2 / 5,
    # the year's title review, from the staffing record
    "senior_promotions": 3.0,
    "surplus_teachers": 4.0,
    "rotation_backbone_share": 6 / 8,
    "rotation_young_share": 2 / 8,
    "volunteer_share": 3 / 12,
    "balanced_share": 3 / 4,
    "money_spent_cny": 5.0e5,
    # results funds paid in 2020 (2019 paid none); part of the 500,000 spent
    "results_fund_cny": 1.2e5,
    # 1.5 million paid so far; the quartile gap narrowed from 0.5 to 2/6
    "cost_per_gap_reduction_cny": 1.5e6 / (0.5 - 2.0 / 6),
    "out_of_catchment_share": 15 / 50,
    "first_choice_share": 40 / 50,
    "mean_distance_km": 100.0 / 50,
    # primary premiums 0 50 200 500 (thousand): sum of |differences| over ordered pairs
    # 2 x 1650, over 2 n^2 mean = 2 x 16 x 187.5: 0.55; junior 0 100: 0.5;
    # (4 x 0.55 + 2 x 0.5) / 6
    "premium_gini": (4 * 0.55 + 2 * 0.5) / 6,
    # district 0 primary (schools 0, 1): low-income pupils 2 and 0 of 2, others 1 and 3 of
    # 4 -> 0.5 (|1 - 0.25| + |0 - 0.75|) = 0.75, 6 pupils; district 1 primary (2, 3): low
    # 1 and 0 of 1, others 1 and 1 of 2 -> 0.5, 3 pupils; the junior areas have no
    # low-income pupil and do not count
    "ses_dissimilarity": (6 * 0.75 + 3 * 0.5) / 9,
    # 35 + 10 of the 50 public entrants in one of their first three schools
    "top3_share": 45 / 50,
    # 3 + 1 of the 30 + 10 placed by a mechanism are in a blocking pair
    "blocking_pair_share": 4 / 40,
    # 1 + 0 of the 5 + 5 sampled would gain by misreporting
    "misreport_gain_share": 1 / 10,
    # district 0 primary (schools 0, 1): school 0 holds -1.0 -0.5 0.1 (mean -1.4/3),
    # school 1 holds 0.2 0.3 0.4 (mean 0.3), area mean -1/12: between 3 (-1.4/3 + 1/12)^2
    # + 3 (0.3 + 1/12)^2 over the total sum of squares around -1/12; district 1 primary
    # (schools 2, 3): 0.0 0.5 (mean 0.25) and 0.6, area mean 1.1/3; the junior areas have
    # one pupil each and are skipped; weights 6 and 3 pupils
    "achievement_segregation": (
        6
        * (3 * (-1.4 / 3 + 1 / 12) ** 2 + 3 * (0.3 + 1 / 12) ** 2)
        / sum((v + 1 / 12) ** 2 for v in (-1.0, -0.5, 0.1, 0.2, 0.3, 0.4))
        + 3
        * (2 * (0.25 - 1.1 / 3) ** 2 + (0.6 - 1.1 / 3) ** 2)
        / sum((v - 1.1 / 3) ** 2 for v in (0.0, 0.5, 0.6))
    )
    / 9,
    "pupils": 11.0,
    "teachers": 12.0,
    # twelve families' achievement sums to 3.1
    "mean_achievement": 3.1 / 12,
}


@pytest.mark.parametrize("name", sorted(METRICS))
def test_every_registered_metric_has_a_hand_value(name):
    assert name in HAND_VALUES, f"give metric '{name}' a hand-computed value in this file"
    value = float(METRICS[name].compute(two_stage_city()))
    assert value == pytest.approx(HAND_VALUES[name], rel=1e-12, abs=1e-12)


def test_one_recording_gives_every_hand_value_and_joins_the_shared_inputs_once(monkeypatch):
    """`registry.compute_all`, as a year's recording calls it: every metric at its hand
    value, and what several metrics read (the income quartiles, the joined entrants) made
    once for the recording, as its docstring says, then dropped. (The name leaves out
    "compute_all": the mutation run's filter skips the tests so named, which run the
    demo city.)"""
    from edusim.metrics import common, registry, satisfaction

    made = {"quartiles": 0, "entrants": 0}

    def counted(function, key):
        def wrapper(*args, **kwargs):
            made[key] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(common, "exact_quantiles", counted(common.exact_quantiles, "quartiles"))
    monkeypatch.setattr(
        satisfaction, "joined_records", counted(satisfaction.joined_records, "entrants")
    )
    city = two_stage_city()
    values = registry.compute_all(city)
    assert list(values) == list(METRICS)
    for name, value in values.items():
        assert value == pytest.approx(HAND_VALUES[name], rel=1e-12, abs=1e-12), name
    assert made == {"quartiles": 1, "entrants": 1}
    assert city.metric_memo is None


def test_no_hand_value_is_left_without_a_metric():
    assert sorted(set(HAND_VALUES) - set(METRICS)) == []


def test_the_hand_derivations_agree_with_the_pooling_rule():
    """The stage-pooled figures above, recomputed from the tables in the docstring."""
    assert HAND_VALUES["quality_sd"] == pytest.approx(math.sqrt(_pooled(Q, np.var)))
    assert HAND_VALUES["achievement_sd"] == pytest.approx(math.sqrt(_pooled(A, np.var)))
    cv = lambda v: v.std() / v.mean()  # noqa: E731
    assert HAND_VALUES["quality_cv"] == pytest.approx(_pooled(years, cv))
    assert HAND_VALUES["achievement_cv"] == pytest.approx(_pooled(scores, cv))


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("rotations", lambda city: city.rotation_stats.clear()),
        ("rotations_group", lambda city: city.rotation_stats.clear()),
        ("reservoir_size", lambda city: city.rotation_stats.clear()),
        ("rotations_reservoir", lambda city: city.rotation_stats.clear()),
        ("walk_teachers", lambda city: city.rotation_stats.clear()),
        ("leader_postings", lambda city: city.leader_stats.clear()),
        ("principal_rotations", lambda city: city.leader_stats.clear()),
        ("principal_urban_rural_gap", lambda city: city.school_table.rural.fill(False)),
        ("senior_promotions", lambda city: city.staff_flows.clear()),
        ("surplus_teachers", lambda city: city.staff_flows.clear()),
        ("senior_title_in_rural_share", lambda city: city.teachers.title.fill(0)),
        ("senior_title_in_weak_share", lambda city: city.teachers.title.fill(0)),
        ("backbone_in_weak_share", lambda city: city.teachers.tier.fill(0)),
        ("results_fund_cny", lambda city: city.money.pop(YEAR)),
        ("rotated_tier_mean", lambda city: city.teachers.rotated_years.fill(0.0)),
        ("backbone_in_rural_share", lambda city: city.teachers.tier.fill(0)),
        (
            "scarce_lessons_uncovered_rural",
            lambda city: setattr(city.params.teachers, "scarce_subject_share", 0.0),
        ),
        ("scarce_lessons_uncovered_rural", lambda city: city.school_table.rural.fill(False)),
        ("teacher_urban_rural_gap", lambda city: city.school_table.rural.fill(False)),
        ("teacher_quartile_gap", lambda city: city.school_table.enrollment.fill(0)),
        ("volunteer_share", lambda city: city.rotation_stats[YEAR].update(asked=0)),
        ("money_spent_cny", lambda city: city.money.pop(YEAR)),
        ("cost_per_gap_reduction_cny", lambda city: setattr(city, "initial_quality_gap", 0.3)),
        ("cost_per_gap_reduction_cny", lambda city: city.money.clear()),
        ("mean_distance_km", lambda city: city.intake.clear()),
        ("top3_share", lambda city: city.intake.clear()),
        ("blocking_pair_share", lambda city: [s.update(matched=0) for s in city.intake.values()]),
        ("blocking_pair_share", lambda city: city.intake.clear()),
        ("misreport_gain_share", lambda city: city.intake.clear()),
        (
            "misreport_gain_share",
            lambda city: [s.update(misreport_checked=0) for s in city.intake.values()],
        ),
        ("achievement_segregation", lambda city: city.families.achievement.fill(0.0)),
        ("oversubscription_top", lambda city: city.intake.clear()),
        ("satisfaction_index", lambda city: city.intake.clear()),
        ("satisfied_share", lambda city: city.intake.clear()),
        ("satisfaction_cost", lambda city: city.intake.clear()),
        ("unsatisfied_schools_share", lambda city: city.intake.clear()),
        ("sense_of_gain", lambda city: city.satisfaction_baseline.clear()),
        ("satisfaction_rural", lambda city: city.geography.district_kind.fill(0)),
        ("satisfaction_urban", lambda city: city.intake.clear()),
        ("satisfaction_rural", lambda city: city.intake.clear()),
        (
            "satisfaction_low_income",
            lambda city: [s["satisfaction"]["income_cny"].fill(6.0) for s in city.intake.values()],
        ),
        ("premium_change_autocorr", lambda city: city.premium_change.fill(0.0)),
        (
            "premium_change_autocorr",
            lambda city: setattr(city, "premium_before_intake", np.zeros(7)),
        ),
        ("within_group_gap", lambda city: setattr(city, "groups", GroupTable())),
        # no junior pupils; no rural junior pupils; no spread of income in any junior grade
        ("urban_rural_gap_junior", lambda city: city.families.grade.fill(1)),
        ("urban_rural_gap_junior", lambda city: city.families.district.fill(0)),
        ("income_achievement_corr", lambda city: city.families.grade.fill(1)),
        ("income_achievement_corr", lambda city: city.families.ses_z.fill(0.5)),
        (
            "balanced_share",
            lambda city: setattr(city, "latest_balance", pd.DataFrame({"within_standard": []})),
        ),
    ],
)
def test_undefined_metrics_are_nan(name, change):
    city = two_stage_city()
    change(city)
    assert math.isnan(METRICS[name].compute(city))


def with_a_closed_school(city: SimpleNamespace) -> SimpleNamespace:
    """The hand city with an eighth school, public primary in district 0, that has closed
    (or not opened yet): no pupils, teachers, places or group, but stale values in every
    column (the school table keeps a closed school's row; world/lifecycle.py)."""
    table = city.school_table
    stale = {
        "stage": 0,
        "private": False,
        "district": 0,
        "rural": True,
        "owner": 0,
        "teaching_quality": 5.0,
        "mean_achievement": 5.0,
        "enrollment": 0,
        "premium_share": 0.9,
        "entry_capacity": 0,
        "active": False,
    }
    for column, value in stale.items():
        setattr(table, column, np.append(getattr(table, column), value))
    city.premium_before_intake = np.append(city.premium_before_intake, 0.5)
    city.premium_change = np.append(city.premium_change, 0.4)
    for stats in city.intake.values():
        stats["in_stage"] = np.append(stats["in_stage"], True)  # as the intake wrote it
        stats["applications"] = np.append(stats["applications"], 0)
        stats["entry_places"] = np.append(stats["entry_places"], 0)
    return city


@pytest.mark.parametrize("name", sorted(METRICS))
def test_a_closed_school_changes_no_metric(name):
    value = float(METRICS[name].compute(with_a_closed_school(two_stage_city())))
    assert value == pytest.approx(HAND_VALUES[name], rel=1e-12, abs=1e-12, nan_ok=True)


def test_teacher_quartile_gap_leaves_out_a_school_without_teachers():
    """School 1's only teacher (11, effectiveness 0.5) moves to school 0: school 1 keeps
    its pupils but has no teacher, so it has no mean. Primary school means 0.2333 (school
    0: (0.2 + 0.0 + 0.5) / 3), 0.0 (2), 0.2 (3): quartiles 0.1 and 0.2167, so 0.2333 -
    0.0; junior as before 0.2; (3 x 0.7 / 3 + 2 x 0.2) / 5. Counting school 1 as 0 would
    give primary 0.2333 - 0.0 over four schools, (4 x 0.2333 + 2 x 0.2) / 6."""
    city = two_stage_city()
    city.teachers.school[11] = 0
    value = METRICS["teacher_quartile_gap"].compute(city)
    assert value == pytest.approx((3 * (0.7 / 3) + 2 * 0.2) / 5, rel=1e-12)


def test_the_two_backbone_shares_count_the_same_teachers():
    """Every school marked both rural and weak: both shares are then the same fraction of
    the same denominator (backbone teachers at open public schools)."""
    city = two_stage_city()
    city.school_table.rural[:] = True
    city.school_table.mean_achievement[:] = 0.0  # every school at the 25th percentile
    rural = METRICS["backbone_in_rural_share"].compute(city)
    weak = METRICS["backbone_in_weak_share"].compute(city)
    assert rural == weak == 1.0


def _recounted(change) -> dict[str, float]:
    city = two_stage_city()
    change(city)
    return {
        name: float(METRICS[name].compute(city))
        for name in (
            "famous_group_participation_share",
            "cross_level_group_share",
            "rural_community_coverage",
        )
    }


def test_the_documents_targets_count_by_kind_owner_and_rural_status():
    """Hangzhou's three targets on variants of the hand city: a community counts for the
    98% and not for the 60% or 25%; a group inside one owner level and one district
    counts for the 60% only."""

    def community(city):
        groups = GroupTable()
        groups.form("G1", "tight", 0, np.array([1]), 2019, 3, True)  # city + district, d0
        groups.form("C1", "community", 4, np.array([5]), 2019, 3, True)
        city.groups = groups

    # famous: 0, 1 of 6; cross-level: G1 spans owners (city 0, district 1): 0, 1;
    # rural coverage: school 5 of rural 2 and 5
    assert _recounted(community) == pytest.approx(
        {
            "famous_group_participation_share": 2 / 6,
            "cross_level_group_share": 2 / 6,
            "rural_community_coverage": 1 / 2,
        }
    )

    def same_owner_and_district(city):
        groups = GroupTable()
        groups.form("G1", "vertical", 4, np.array([1]), 2019, 3, True)  # both district, d0
        city.groups = groups

    assert _recounted(same_owner_and_district) == pytest.approx(
        {
            "famous_group_participation_share": 2 / 6,
            "cross_level_group_share": 0.0,
            "rural_community_coverage": 0.0,
        }
    )
