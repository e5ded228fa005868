"""Decompose the drift of the top catchments' premium under unchanged catchment rules.

Runs a scenario in the check's `catchment` arm (validation/patterns.py) and records, at
every reported intake and stage, what the housing market cleared on: per school the
premium, the flats offered, the sellers' reservation, the buyers and their incomes, the
marginal (lowest winning) bid and its parts: the value of access the bidders compute
(worth x reputation gap over their present address), the home premium owners carry, the
holding cost. It prints, per year, the top tenth of catchments (the metric's set, by
premium share) and what moved. A diagnostic, not a test:

    python tools/premium_drift.py scenarios/demo.yaml --seeds 1 2 3 --years 13
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import edusim.phases.housing_market as market
import edusim.phases.intake as intake
from edusim.model import EduModel
from edusim.scenario.loader import load_scenario
from edusim.validation.patterns import catchment_arm

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


def run(path: str, seed: int, years: int, extra: dict | None = None) -> pd.DataFrame:
    RECORDS.clear()
    scenario = load_scenario(path)
    model = EduModel(
        path, seed=seed, years=years, overrides={**catchment_arm(scenario), **(extra or {})}
    )
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--years", type=int, default=13)
    parser.add_argument("--out", default=None, help="CSV of the per-school records")
    parser.add_argument("--set", nargs="*", default=[], help="extra overrides, path=value")
    args = parser.parse_args()
    market.clear_market = _wrap_clear(market.clear_market)
    intake.housing_moves = _wrap_moves(intake.housing_moves)
    extra = {key: float(value) for key, value in (item.split("=", 1) for item in args.set)}
    frames = [run(args.scenario, seed, args.years, extra) for seed in args.seeds]
    frame = pd.concat(frames, ignore_index=True)
    if args.out:
        frame.to_csv(args.out, index=False)
    summary = summarise(frame)
    pd.set_option("display.width", 250, "display.max_columns", 40)
    print(summary.round(3).to_string(index=False))
    print("\nmean over seeds:")
    print(summary.drop(columns="seed").groupby("year").mean().round(3).to_string())


if __name__ == "__main__":
    main()
