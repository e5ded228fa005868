"""Public satisfaction with schooling (教育满意度): what an entering family would answer
about the place it was given, built from what the model already knows of it.

The measure follows the structure of the national education satisfaction survey of the
China National Institute of Education Sciences (中国教育科学研究院, 全国教育满意度调查,
basic-education rounds 2015 and 2017; 课题组 (崔保师, 曾天山 et al.), 基础教育服务对象
满意度实证研究, 教育研究 2019(3):80-89): a customer-satisfaction (ACSI-style) model in
which parents' expectations, perceived quality and perceived fairness (教育期望, 教育质量
感知, 教育公平感知) each raise overall satisfaction, reported as an index on 0-100. A
provincial survey of 323,000 parents (张墨涵, 季诚钧, 田京, 浙江社会科学 2019(3)) finds
the degree to which the parents' expectations were met (期望达成度) the main driver; CGSS
studies find within-area inequality ("不患贫而患不均"; 周均旭, 王艺璇 2021) and where a
family stands locally (李翔 et al. 2017, CGSS 2013) shape the answers. Parents' surveys in
cities (Pearl River Delta, ordered logit) add the assignment itself (catchments, distance).

Five components, each a score in [0, 1], for every family entering a public school:

- expectation met (期望达成): reputation of the school it was placed in minus what it
  expected its address to give (`access_reputation` of its class and catchment, held
  before this intake), 0.5 + gap / 2, clipped (a 1 SD shortfall gives 0);
- perceived quality (质量感知): 0.5 + reputation / 2, clipped (reputation is a within-stage
  z-score, so the stage's typical school scores 0.5);
- perceived fairness (公平感知): 1 - shortfall, clipped, where shortfall is how far (SD of
  reputation) its school is below the mean of the open public schools of its district
  and stage (families at or above the mean see no unfairness against them);
- access (入学): half for being placed at its first choice, half for a school at least as
  reputed as its catchment school;
- cost (获得的代价): 1 - (what it paid for access over the stage, in years of its income),
  clipped: a mover's premium as the housing market charges it (a buyer's holding cost
  per yuan, a tenant's rent share), and its travel at the distance cost families rank
  schools by.

The index is 100 x the weighted sum (`WEIGHTS`); a family counts as satisfied at
`SATISFIED_AT` or above. The survey reports its indices on 0-100 but publishes no path
coefficients usable here, so the weights, the scales and the threshold are ASSUMPTIONS
(stated in docs/metrics.md and docs/ODD.md): expectation met weighs most (the Zhejiang
finding), then quality and fairness (the survey's two perception blocks), then the
assignment and its cost.
"""

from __future__ import annotations

import numpy as np

COMPONENTS = ("expectation", "quality", "fairness", "access", "cost")
"""The components of the index, in the column order of `satisfaction_components`."""

WEIGHTS = np.array([0.30, 0.25, 0.20, 0.15, 0.10])
"""Weights of the components (sum 1): assumption (see the module docstring)."""

SATISFIED_AT = 60.0
"""Index at or above which a family counts as satisfied: assumption (the survey's indices
are on 0-100; 60 is the pass mark of Chinese scoring and the index of a family that got
what it expected at a typical school, paid nothing and faced no shortfall is 72.5)."""

COST_FULL_INCOME_YEARS = 1.0
"""What a family pays for access (over the stage) at which its cost score is 0: one year
of its income (assumption)."""


def half_scale(values: np.ndarray) -> np.ndarray:
    """0.5 + values / 2, clipped to [0, 1]: a score from a difference in SD of reputation
    (0 at -1 SD, 1 at +1 SD)."""
    return np.clip(0.5 + 0.5 * np.asarray(values, dtype=float), 0.0, 1.0)


def access_cost_income_years(
    moved: np.ndarray,
    owner: np.ndarray,
    premium_cny: np.ndarray,
    buyer_cost_per_yuan: float,
    tenant_cost_per_yuan: float,
    km: np.ndarray,
    km_cost_income_years: float,
    income_cny: np.ndarray,
) -> np.ndarray:
    """What each entrant paid for its place over the stage, in years of its income: a
    family that moved for the school pays its catchment's premium at the buyer's or the
    tenant's cost per yuan of premium (the housing market's own costs); every family pays
    its travel (`km_cost_income_years` per km, the distance cost of school rankings)."""
    per_yuan = np.where(owner, buyer_cost_per_yuan, tenant_cost_per_yuan)
    housing = np.where(moved, premium_cny * per_yuan, 0.0) / np.maximum(income_cny, 1.0)
    return housing + km_cost_income_years * km


def satisfaction_components(
    placed_reputation: np.ndarray,
    expected_reputation: np.ndarray,
    district_mean_reputation: np.ndarray,
    first_choice_met: np.ndarray,
    at_least_catchment: np.ndarray,
    cost_income_years: np.ndarray,
) -> np.ndarray:
    """(entrants x 5) scores in [0, 1], columns in the order of `COMPONENTS`."""
    shortfall = np.maximum(district_mean_reputation - placed_reputation, 0.0)
    return np.column_stack(
        [
            half_scale(placed_reputation - expected_reputation),
            half_scale(placed_reputation),
            np.clip(1.0 - shortfall, 0.0, 1.0),
            0.5 * np.asarray(first_choice_met, float) + 0.5 * np.asarray(at_least_catchment, float),
            np.clip(1.0 - cost_income_years / COST_FULL_INCOME_YEARS, 0.0, 1.0),
        ]
    )


def satisfaction_index(components: np.ndarray) -> np.ndarray:
    """100 x the weighted sum of the component scores (0-100).

    Summed column by column, not with `components @ WEIGHTS`: a matrix product goes to
    BLAS, whose threads then spin on every core for the rest of the run (Hangzhou, 20
    years: the year loop took 18.5 CPU-s in 14.3 s of wall time with it, 2026-11-28)."""
    total = np.zeros(components.shape[0])
    for column, weight in enumerate(WEIGHTS):
        total += weight * components[:, column]
    return 100.0 * total


def group_means(values: np.ndarray, key: np.ndarray, n_keys: int) -> np.ndarray:
    """Mean of `values` per key 0..n_keys-1 (NaN where a key has none)."""
    counts = np.bincount(key, minlength=n_keys)
    sums = np.bincount(key, weights=values, minlength=n_keys)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


RECORD_KEYS = ("index", "components", "income_cny", "district", "school", "home")
"""The per-entrant arrays of a stage's satisfaction record (phases/satisfaction.py
`entrant_satisfaction`)."""


def joined_records(intake: dict[int, dict]) -> dict[str, np.ndarray] | None:
    """The public entrants of every stage of an intake record in one record (stage 0
    first; `stage` says whose row it is), or None before an intake or with no public
    entrant."""
    records = [
        (stage, stats["satisfaction"])
        for stage, stats in sorted(intake.items())
        if "satisfaction" in stats
    ]
    if not records or sum(r["index"].size for _, r in records) == 0:
        return None
    joined = {key: np.concatenate([r[key] for _, r in records]) for key in RECORD_KEYS}
    joined["stage"] = np.concatenate(
        [np.full(r["index"].size, s, dtype=np.int8) for s, r in records]
    )
    return joined


def join_stage_records(intake: dict[int, dict]) -> dict[str, np.ndarray] | None:
    """`joined_records`, and each stage's record rebound to views of the joined arrays:
    the same values held once. The metrics read the joined record; a copy of it beside
    the stages' records was about 136 MB at eight times Hangzhou's size (docs/scale.md).
    Joined one key at a time, each stage's array of the key let go as soon as its
    values are in the joined one, so only one key is ever held twice."""
    stages = [stage for stage, stats in sorted(intake.items()) if "satisfaction" in stats]
    records = [intake[stage]["satisfaction"] for stage in stages]
    if not records or sum(r["index"].size for r in records) == 0:
        return None
    bounds = np.cumsum([0] + [r["index"].size for r in records])
    joined = {}
    for key in RECORD_KEYS:
        joined[key] = np.concatenate([r[key] for r in records])
        for record, start, end in zip(records, bounds[:-1], bounds[1:], strict=True):
            record[key] = joined[key][start:end]
    joined["stage"] = np.concatenate(
        [np.full(r["index"].size, s, dtype=np.int8) for s, r in zip(stages, records, strict=True)]
    )
    return joined
