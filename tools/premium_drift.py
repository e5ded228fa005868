"""Decompose the drift of the top catchments' premium under unchanged catchment rules.

Runs a scenario in the check's `catchment` arm (validation/patterns.py) and records, at
every reported intake and stage, what the housing market cleared on: per school the
premium, the flats offered, the sellers' reservation, the buyers and their incomes, the
marginal (lowest winning) bid and its parts: the value of access the bidders compute
(worth x reputation gap over their present address), the home premium owners carry, the
holding cost. It prints, per year, the top tenth of catchments (the metric's set, by
premium share) and what moved. A diagnostic, not a test:

    python tools/premium_drift.py scenarios/demo.yaml --seeds 1 2 3 --years 13

`--decompose` also splits the top tenth's premium share P / F into the premium in years
of its buyers' income (P / Y) and their income over the flat's base price (Y / F): how
much of a place's level comes from what its buyers bid out of their incomes, how much
from what flats cost against those incomes (docs/diagnoses/premium-level.md). `--price-scale k`
multiplies every district's base house price by k (the city, families and seed are
otherwise the same), to test how the premium share answers to the price level.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import edusim.phases.housing_market as market
import edusim.phases.intake as intake
from edusim.model import EduModel
from edusim.scenario.loader import load_scenario
from edusim.scenario.schema import Scenario
from edusim.validation.arms import catchment_arm

RECORDS: list[dict] = []
CONTEXT: dict = {}


def _wrap_moves(original):
    def housing_moves(model, year, stage, entrants, stock, new_flats=None):
        CONTEXT.update(model=model, year=year, stage=stage, stock=stock, entrants=entrants)
        return original(model, year, stage, entrants, stock, new_flats)

    return housing_moves


def _wrap_clear(original):
    def clear_market(bidders, cost, rent_cost, offered_sale, offered_rent, reservation,
                     flat_price, unit=None):  # fmt: skip
        clearing = original(
            bidders, cost, rent_cost, offered_sale, offered_rent, reservation, flat_price, unit
        )
        model, stage = CONTEXT["model"], CONTEXT["stage"]
        table = model.school_table
        n = len(table)
        buy = clearing.tenure == 0
        bought = (clearing.target >= 0) & buy
        target = clearing.target[bought]
        # a bidder's valuation of each candidate: bid = p_home + (V - T) / u
        held = np.where(bidders.owner, table.premium_share[np.maximum(bidders.home, 0)], 0.0)
        income = model.families.income_cny  # not aligned with bidders; incomes via worth
        k = bidders.candidates
        valid = (
            (k >= 0)
            & np.isfinite(bidders.value_buy)
            & (bidders.value_buy > bidders.fixed_buy[:, None])
        )
        wanting = np.bincount(k[valid], minlength=n)
        value_sum = np.bincount(k[valid], bidders.value_buy[valid], minlength=n)
        limit_sum = np.bincount(target, bidders.limit[bought], minlength=n)
        multiple = model.params.families.affordability_income_multiple
        # the buyers' incomes: a bidder's limit is `multiple` x its income
        income_sum = limit_sum / multiple if multiple > 0 else np.full(n, np.nan)
        n_buy = np.bincount(target, minlength=n)
        owner_buy = np.bincount(target, bidders.owner[bought].astype(float), minlength=n)
        value_of_buyer = np.zeros(bought.sum())
        rows = np.flatnonzero(bought)
        for j, i in enumerate(rows):
            at = np.flatnonzero(k[i] == clearing.target[i])
            value_of_buyer[j] = bidders.value_buy[i, at[0]] if at.size else np.nan
        val_buy_sum = np.bincount(target, np.nan_to_num(value_of_buyer), minlength=n)
        val_buy_min = np.full(n, np.nan)
        for c in np.unique(target):
            val_buy_min[c] = value_of_buyer[target == c].min()
        home_prem = np.bincount(
            target, (held * flat_price[np.maximum(bidders.home, 0)])[bought], minlength=n
        )
        access = model.access_reputation[stage]
        in_stage = (table.stage == stage) & ~table.private & table.active
        rep = table.reputation
        RECORDS.append(
            pd.DataFrame(
                dict(
                    year=CONTEXT["year"],
                    stage=stage,
                    school=np.arange(n),
                    in_stage=in_stage,
                    district=table.district,
                    premium_cny=clearing.premium_cny,
                    flat_price=flat_price,
                    stock=CONTEXT["stock"],
                    offered=offered_sale,
                    reservation=reservation,
                    wanting=wanting,
                    mean_value_wanting=value_sum / np.maximum(wanting, 1),
                    buyers=n_buy,
                    owner_buyers=owner_buy,
                    mean_limit_buyers=limit_sum / np.maximum(n_buy, 1),
                    mean_income_buyers=income_sum / np.maximum(n_buy, 1),
                    mean_value_buyers=val_buy_sum / np.maximum(n_buy, 1),
                    min_value_buyers=val_buy_min,
                    mean_home_premium_buyers=home_prem / np.maximum(n_buy, 1),
                    reputation=rep,
                    access_owner=access[0],
                    rep_sd_stage=rep[in_stage].std(),
                    rep_top_stage=np.sort(rep[in_stage])[-max(1, in_stage.sum() // 10) :].mean(),
                    used=model.dwelling_used_share(stage),
                    cost=cost,
                    n_bidders=bidders.candidates.shape[0],
                    mean_income_entrants=income[CONTEXT["entrants"]].mean(),
                )
            )
        )
        return clearing

    return clear_market


def scaled_districts(scenario: Scenario, price_scale: float) -> list[dict]:
    """The scenario's districts as override entries, each base house price times
    `price_scale` and nothing else changed."""
    return [
        {
            **district.model_dump(exclude_unset=True),
            "house_price_cny_per_m2": district.house_price_cny_per_m2 * price_scale,
        }
        for district in scenario.city.districts
    ]


def run(
    path: str, seed: int, years: int, extra: dict | None = None, price_scale: float = 1.0
) -> pd.DataFrame:
    RECORDS.clear()
    scenario = load_scenario(path)
    overrides = {**catchment_arm(scenario), **(extra or {})}
    if price_scale != 1.0:
        overrides["city.districts"] = scaled_districts(scenario, price_scale)
    model = EduModel(path, seed=seed, years=years, overrides=overrides)
    for _ in range(years):
        model.step()
    frame = pd.concat(RECORDS, ignore_index=True)
    frame["seed"] = seed
    return frame[frame.year >= scenario.start_year]


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """Per year, the top tenth of catchments over both stages (the metric's set)."""
    rows = []
    for (seed, year), g in frame.groupby(["seed", "year"]):
        g = g[g.in_stage].copy()
        g["share"] = g.premium_cny / g.flat_price
        top = g.nlargest(max(1, len(g) // 10), "share")
        rows.append(
            dict(
                seed=seed, year=year,
                top_share=top.share.mean(),
                top_cny=top.premium_cny.mean() / 1e3,
                top_flat=top.flat_price.mean() / 1e6,
                offered=top.offered.mean(),
                reservation_share=(top.reservation / top.flat_price).mean(),
                wanting=top.wanting.mean(),
                buyers=top.buyers.mean(),
                owners=(top.owner_buyers / top.buyers.clip(lower=1)).mean(),
                V_wanting=top.mean_value_wanting.mean() / 1e3,
                V_buyers=top.mean_value_buyers.mean() / 1e3,
                Vmin_buyers=top.min_value_buyers.mean() / 1e3,
                home_prem=top.mean_home_premium_buyers.mean() / 1e3,
                rep=top.reputation.mean(),
                access=top.access_owner.mean(),
                rep_sd=g.groupby("stage").rep_sd_stage.first().mean(),
                median_share=g.share.median(),
                used=top.used.mean(),
                stock=top.stock.mean(),
                cost=top.cost.mean(),
            )
        )  # fmt: skip
    return pd.DataFrame(rows)


def decompose(frame: pd.DataFrame) -> pd.DataFrame:
    """Per seed and year, the top tenth of catchments (the metric's set: in-stage
    catchments with the largest premium share, over both stages) and the two parts of
    its premium share P / F: the premium in years of its buyers' mean income (P / Y) and
    that income over the flat's base price (Y / F). Catchments of the set that sold to
    no school buyer have no buyers' income and count in the share only."""
    rows = []
    for (seed, year), g in frame[frame.in_stage].groupby(["seed", "year"]):
        share = g.premium_cny / g.flat_price
        top = g.loc[share.nlargest(max(1, len(g) // 10)).index]
        sold = top[top.buyers > 0]
        income = sold.mean_income_buyers
        rows.append(
            dict(
                seed=seed,
                year=year,
                top_share=(top.premium_cny / top.flat_price).mean(),
                premium_income_years=(sold.premium_cny / income).mean(),
                income_to_flat=(income / sold.flat_price).mean(),
                flat_price_to_income=(sold.flat_price / income).mean(),
                junior_share=(top.stage == 1).mean(),
            )
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--years", type=int, default=13)
    parser.add_argument("--out", default=None, help="CSV of the per-school records")
    parser.add_argument("--set", nargs="*", default=[], help="extra overrides, path=value")
    parser.add_argument("--decompose", action="store_true", help="P/F = (P/Y) x (Y/F)")
    parser.add_argument(
        "--price-scale", type=float, default=1.0, help="multiply district house prices"
    )
    args = parser.parse_args()
    market.clear_market = _wrap_clear(market.clear_market)
    intake.housing_moves = _wrap_moves(intake.housing_moves)
    extra = {key: float(value) for key, value in (item.split("=", 1) for item in args.set)}
    frames = [run(args.scenario, seed, args.years, extra, args.price_scale) for seed in args.seeds]
    frame = pd.concat(frames, ignore_index=True)
    if args.out:
        frame.to_csv(args.out, index=False)
    summary = summarise(frame)
    pd.set_option("display.width", 250, "display.max_columns", 40)
    print(summary.round(3).to_string(index=False))
    print("\nmean over seeds:")
    print(summary.drop(columns="seed").groupby("year").mean().round(3).to_string())
    if args.decompose:
        parts = decompose(frame)
        print("\ntop tenth's premium share = (P / Y buyers) x (Y buyers / F), mean over years:")
        print(parts.drop(columns="year").groupby("seed").mean().round(3).to_string())
        print(parts.drop(columns=["seed", "year"]).mean().round(3).to_string())


if __name__ == "__main__":
    main()
