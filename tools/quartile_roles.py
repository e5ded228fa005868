"""Who fills the top and bottom quality quartiles in the final year, with and without a
place's reform, and how much of the change in the quality-quartile gap comes from each
kind of school (core, member, non-member; urban or rural).

    nice -n 10 python tools/quartile_roles.py sanming [--seeds 1 2] [--years 20]
        [--set key=value ...]

(`sanming` may also be a path to a scenario file ending in .yaml, e.g. a variant that
extends the place's file.)

For each seed the script runs the place as its file sets it ("reform", with any `--set`
overrides) and its counterfactual (scenario/counterfactual.py, the same seed and
replicate, so the same city and random streams). Roles are the reform's final-year
headline roles (schools.parquet's group_role), applied to the same school rows in both
runs, so a member is compared with the same school left alone.

The quartile gap of a stage is the mean quality of the schools at or above the 75th
percentile minus those at or below the 25th (metrics/common.py `quartile_gap`), averaged
over the two stages weighted by their schools. Writing it as
`sum_s q_s * (t_s / T - b_s / B)` (t_s, b_s: in the top, bottom quartile; T, B: their
sizes), each school's contribution is `q_s * (t_s / T - b_s / B)`; summed over a role they
give the role's share of the gap in each run, and the difference between the runs is the
role's share of the reform's effect on the gap. The contributions depend on the
quartile cut-offs of the whole city, so a role's share mixes its own quality change with
the re-sorting it causes (a member rising into the top quartile pushes someone else out).
A second split, "holding the ranks", is given: the gap the reform's quality would have
with the counterfactual's top and bottom sets, and the gap the counterfactual's quality
would have with the reform's sets.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("core", "member", "none")


def parse_value(text: str) -> object:
    """A `--set` value as YAML reads it (numbers, booleans, lists)."""
    import yaml

    return yaml.safe_load(text)


def final_schools(scenario: object, seed: int, years: int, overrides: dict) -> pd.DataFrame:
    """Final-year open public schools: stage, quality, rural flag, headline group role."""
    from edusim.agents.groups import ROLE_NAMES
    from edusim.metrics.common import open_public
    from edusim.model import EduModel

    model = EduModel(scenario, seed, years=years, overrides=overrides)
    try:
        model.run()
        table = model.school_table
        n = len(table)
        frame = pd.DataFrame(
            {
                "stage": table.stage,
                "quality": table.teaching_quality,
                "rural": table.rural,
                "role": np.where(
                    ROLE_NAMES[model.groups.headline(n)[2]] == "",
                    "none",
                    ROLE_NAMES[model.groups.headline(n)[2]],
                ).astype(str),
                "open_public": open_public(model),
            }
        )
        return frame
    finally:
        model.release()


def weights(quality: np.ndarray) -> np.ndarray:
    """Each school's weight in the quartile gap: 1/T in the top quartile, -1/B in the
    bottom one, 0 between (metrics/common.py `quartile_gap`)."""
    low, high = np.quantile(quality, [0.25, 0.75])
    top, bottom = quality >= high, quality <= low
    return top / top.sum() - bottom / bottom.sum()


def contributions(frame: pd.DataFrame, quality: np.ndarray, by: np.ndarray) -> np.ndarray:
    """Per school `q_s * w_s` within its stage, each stage weighted by its share of the
    open public schools (`by_stage`); `by` gives the weights' quality (the ranks)."""
    out = np.zeros(len(frame))
    total = len(frame)
    for stage in (0, 1):
        rows = np.flatnonzero(frame["stage"].to_numpy() == stage)
        if rows.size:
            out[rows] = quality[rows] * weights(by[rows]) * rows.size / total
    return out


def side_means(frame: pd.DataFrame, quality: np.ndarray) -> tuple[float, float]:
    """Mean quality of the top and of the bottom quartile, each stage weighted by its
    schools as `by_stage` does (their difference is the quartile gap)."""
    tops, bottoms, sizes = [], [], []
    for stage in (0, 1):
        q = quality[frame["stage"].to_numpy() == stage]
        if q.size:
            low, high = np.quantile(q, [0.25, 0.75])
            tops.append(q[q >= high].mean())
            bottoms.append(q[q <= low].mean())
            sizes.append(q.size)
    return float(np.average(tops, weights=sizes)), float(np.average(bottoms, weights=sizes))


def decompose(reform: pd.DataFrame, counterfactual: pd.DataFrame) -> dict[str, float]:
    """The gap in both runs, each role's share of it and of the change, and where each
    role stands (shares of the role in the top and bottom quartiles, mean quality)."""
    keep = reform["open_public"].to_numpy() & counterfactual["open_public"].to_numpy()
    r, c = reform[keep].reset_index(drop=True), counterfactual[keep].reset_index(drop=True)
    qr, qc = r["quality"].to_numpy(), c["quality"].to_numpy()
    part_r, part_c = contributions(r, qr, qr), contributions(c, qc, qc)
    sides: dict[str, float] = {}
    for run, frame, q in (("reform", r, qr), ("cf", c, qc)):
        out_top, out_bottom = side_means(frame, q)
        sides[f"top_mean_{run}"], sides[f"bottom_mean_{run}"] = out_top, out_bottom
    label = np.where(r["rural"], "rural", "urban")
    role = r["role"].to_numpy()
    out: dict[str, float] = {
        "gap_reform": float(part_r.sum()),
        "gap_counterfactual": float(part_c.sum()),
        "gap_reform_q_cf_ranks": float(contributions(c, qr, qc).sum()),
        "gap_cf_q_reform_ranks": float(contributions(r, qc, qr).sum()),
    }
    out.update(sides)
    for name in ROLES:
        for where in ("urban", "rural"):
            chosen = (role == name) & (label == where)
            key = f"{name}_{where}"
            out[f"n:{key}"] = float(chosen.sum())
            out[f"effect:{key}"] = float(part_r[chosen].sum() - part_c[chosen].sum())
            if chosen.any():
                out[f"q_reform:{key}"] = float(qr[chosen].mean())
                out[f"q_cf:{key}"] = float(qc[chosen].mean())
                for run, frame, q in (("reform", r, qr), ("cf", c, qc)):
                    top = np.zeros(len(frame), bool)
                    bottom = np.zeros(len(frame), bool)
                    for stage in (0, 1):
                        rows = frame["stage"].to_numpy() == stage
                        if not rows.any():
                            continue
                        low, high = np.quantile(q[rows], [0.25, 0.75])
                        top |= rows & (q >= high)
                        bottom |= rows & (q <= low)
                    out[f"top_{run}:{key}"] = float(top[chosen].mean())
                    out[f"bottom_{run}:{key}"] = float(bottom[chosen].mean())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("place")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", type=Path, help="also write the per-seed rows (CSV) here")
    args = parser.parse_args(argv)
    from edusim.scenario.counterfactual import counterfactual_of
    from edusim.scenario.loader import load_scenario

    path = (
        Path(args.place)
        if args.place.endswith(".yaml")
        else ROOT / "scenarios" / f"{args.place}.yaml"
    )
    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = parse_value(value)
    reform_scenario = load_scenario(path, overrides or None)
    cf_scenario = counterfactual_of(reform_scenario)
    rows = []
    for seed in args.seeds:
        started = time.process_time()
        reform = final_schools(reform_scenario, seed, args.years, {})
        counterfactual = final_schools(cf_scenario, seed, args.years, {})
        rows.append({"seed": seed, **decompose(reform, counterfactual)})
        print(f"seed {seed}: {time.process_time() - started:.0f} CPU-s", file=sys.stderr)
    table = pd.DataFrame(rows)
    if args.out:
        table.to_csv(args.out, index=False)
    mean = table.drop(columns="seed").mean()
    print(f"{args.place}, seeds {args.seeds}, {args.years} years, overrides {overrides}")
    print(
        f"quality-quartile gap: reform {mean['gap_reform']:.4f}, counterfactual "
        f"{mean['gap_counterfactual']:.4f}, effect {mean['gap_reform'] - mean['gap_counterfactual']:.4f}"
    )
    print(
        f"reform's quality on the counterfactual's ranks {mean['gap_reform_q_cf_ranks']:.4f}; "
        f"counterfactual's quality on the reform's ranks {mean['gap_cf_q_reform_ranks']:.4f}"
    )
    print(
        f"top quartile's mean quality: reform {mean['top_mean_reform']:.4f}, counterfactual "
        f"{mean['top_mean_cf']:.4f}; bottom quartile's: reform {mean['bottom_mean_reform']:.4f}, "
        f"counterfactual {mean['bottom_mean_cf']:.4f}"
    )
    print(
        "| schools | n | q reform | q cf | top reform | top cf | bottom reform | bottom cf | share of effect |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in ROLES:
        for where in ("urban", "rural"):
            key = f"{name}_{where}"
            if f"q_reform:{key}" not in mean:
                continue
            print(
                f"| {key} | {mean[f'n:{key}']:.0f} | {mean[f'q_reform:{key}']:.3f} | "
                f"{mean[f'q_cf:{key}']:.3f} | {mean[f'top_reform:{key}']:.2f} | "
                f"{mean[f'top_cf:{key}']:.2f} | {mean[f'bottom_reform:{key}']:.2f} | "
                f"{mean[f'bottom_cf:{key}']:.2f} | {mean[f'effect:{key}']:+.4f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
