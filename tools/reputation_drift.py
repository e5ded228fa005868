"""Why the spread of reputations moves under unchanged catchment rules: a diagnostic.

    python tools/reputation_drift.py scenarios/hangzhou.yaml --seeds 1 2 3 --years 13
    python tools/reputation_drift.py scenarios/demo.yaml --arm no_groups --set rotation.district_rotation=false

Runs the scenario in one of the check's arms (validation/patterns.py) and prints, per year
and stage, over open public schools: the spread (SD) of reputation, of mean achievement,
of teaching quality; the spread of mean achievement over all open schools (private ones
too) and the private schools' mean distance from the stage mean in that spread; then, per
seed, the relative change of the top tenth's premium (CNY per flat and share of price)
from the 2nd to the 12th year, as `top_premium_holds_cny` measures it from the metrics.
Not a test.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import yaml

from edusim.metrics.registry import compute_all
from edusim.model import EduModel
from edusim.scenario.loader import load_scenario
from edusim.validation.arms import catchment_arm, no_groups_arm, zones_arm

ARMS = {"catchment": catchment_arm, "no_groups": no_groups_arm, "zones": zones_arm}


def _spreads(model: EduModel, year: int) -> list[dict]:
    table = model.school_table
    rows = []
    for stage in (0, 1):
        open_ = table.active & (table.stage == stage)
        public = open_ & ~table.private
        private = open_ & table.private
        everyone = table.mean_achievement[open_]
        rows.append(
            {
                "year": year,
                "stage": stage,
                "reputation_sd": table.reputation[public].std(),
                "achievement_sd": table.mean_achievement[public].std(),
                "quality_sd": table.teaching_quality[public].std(),
                "achievement_sd_all": everyone.std(),
                "private_distance": (
                    (table.mean_achievement[private].mean() - everyone.mean()) / everyone.std()
                    if private.any()
                    else np.nan
                ),
            }
        )
    return rows


def run(path: str, seed: int, years: int, arm: str, extra: dict) -> tuple[pd.DataFrame, dict]:
    scenario = load_scenario(path)
    model = EduModel(path, seed=seed, years=years, overrides={**ARMS[arm](scenario), **extra})
    rows, top = _spreads(model, 0), {"cny": [], "share": []}
    for year in range(1, years + 1):
        model.step()
        rows += _spreads(model, year)
        metrics = compute_all(model)
        top["cny"].append(metrics["premium_top_decile_cny"])
        top["share"].append(metrics["premium_top_decile_share"])
    last = min(11, years - 1)
    change = {key: (v[last] - v[1]) / v[1] if years > 2 else np.nan for key, v in top.items()}
    return pd.DataFrame(rows).assign(seed=seed), change


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--years", type=int, default=13)
    parser.add_argument("--arm", choices=sorted(ARMS), default="catchment")
    parser.add_argument("--set", nargs="*", default=[], help="key=value overrides (YAML values)")
    args = parser.parse_args()
    extra = {key: yaml.safe_load(value) for key, value in (s.split("=", 1) for s in args.set)}
    frames, changes = [], []
    for seed in args.seeds:
        frame, change = run(args.scenario, seed, args.years, args.arm, extra)
        frames.append(frame)
        changes.append(change)
        print(f"seed {seed}: top tenth 2nd -> 12th year: CNY {change['cny']:+.3f}, "
              f"share {change['share']:+.3f}", flush=True)  # fmt: skip
    means = pd.concat(frames).groupby(["stage", "year"]).mean().drop(columns="seed")
    with pd.option_context("display.width", 160):
        print(means.round(3).to_string())
    print(f"mean over seeds: CNY {np.mean([c['cny'] for c in changes]):+.3f}, "
          f"share {np.mean([c['share'] for c in changes]):+.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
