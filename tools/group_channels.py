"""What each channel of a group contributes: members' and cores' teaching quality with one
channel switched off at a time, against the reform and the place without groups.

    nice -n 10 python tools/group_channels.py sanming [--seeds 3] [--years 8] [--channels ...]

For each seed (paired: every arm builds the same city from the same seed) the script runs
the place as its file sets it ("reform"), the place without any group ("no_groups":
`groups.explicit` and `groups.rules` emptied, everything else as set) and the reform with
one group channel switched off (`CHANNELS`). Members and cores are the schools that are
members or cores in the reform's final year (headline role, schools.parquet), split by
the school's rural flag. It prints, per arm, the mean final-year teaching quality (pupil
SD per year) of members and cores, and the member-core gap (members minus cores: negative
while members stay below their cores), and the city's quartile gaps (quality, teachers'
effectiveness, achievement: top minus bottom quarter of schools), averaged over seeds, as
a markdown table. `--together a b` adds one arm with channels a and b off at once.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
KINDS = (
    "tight",
    "alliance",
    "entrusted",
    "vertical",
    "horizontal",
    "community",
    "zone",
    "university",
)


def _every_kind(name: str, value: float) -> dict[str, float]:
    return {f"groups.kinds.{kind}.{name}": value for kind in KINDS}


CHANNELS: dict[str, dict[str, object]] = {
    "shared_management": _every_kind("management_transfer", 0.0),
    "online_lift": _every_kind("online_lift", 0.0),
    "joint_research": _every_kind("joint_research", 0.0),
    "teacher_postings": {"rotation.group_rotation": False, "rotation.walk_teachers_per_member": 0},
    "leaders_from_cores": {"leaders.executive_share": 0.0, "rotation.leaders_per_member": 0},
    "group_hiring": {"teachers.group_hiring": False},
    "brand": {**_every_kind("brand_sharing", 0.0), **_every_kind("brand_dilution", 0.0)},
    "transition_cost": _every_kind("transition_cost", 0.0),
    "bundled_evaluation": {"evaluation.bundled": False},
}
"""Each channel and the overrides that switch it off (money is not a group channel here:
places pay grants per group only where their file sets an amount; none of Sanming's)."""

NO_GROUPS = {"groups.explicit": [], "groups.rules": []}


def final_state(scenario: Path, seed: int, years: int, overrides: dict) -> pd.DataFrame:
    """Per school at the end of the run: teaching quality and its parts (mean teacher
    effectiveness, management = institution + leaders), headline group role, rural flag."""
    from edusim.agents.groups import ROLE_NAMES
    from edusim.metrics.registry import METRICS
    from edusim.model import EduModel
    from edusim.processes.aggregate import school_mean

    model = EduModel(scenario, seed, years=years, overrides=overrides)
    try:
        model.run()
        table = model.school_table
        n = len(table)
        own_core = np.full(n, -1, dtype=np.int64)
        rows = model.member_rows()
        own_core[rows["school"]] = rows["core"]
        gaps = {name: METRICS[name].compute(model) for name in QUARTILE_GAPS}
        return pd.DataFrame(
            {
                "quality": table.teaching_quality,
                "teachers": school_mean(model.teacher_effectiveness(), model.teachers.school, n),
                "management": table.management,
                "institution": table.institution,
                "leaders": table.management - table.institution,
                "group_role": ROLE_NAMES[model.groups.headline(n)[2]].astype(str),
                "rural": table.rural,
                "own_core": own_core,
                **{f"gap:{name.split('_')[0]}": np.full(n, value) for name, value in gaps.items()},
            }
        )
    finally:
        model.release()


QUARTILE_GAPS = ("quality_quartile_gap", "teacher_quartile_gap", "achievement_quartile_gap")
"""City-wide metrics reported per arm (the same value on every school's row of a run)."""

PARTS = ("quality", "teachers", "management", "institution", "leaders")


def summarise(final: pd.DataFrame, roles: pd.DataFrame) -> dict[str, float]:
    """Mean quality of members and cores (by rural flag), the member-core gap, and the
    parts of quality of members and cores."""
    out: dict[str, float] = {}
    quality = final["quality"]
    for role in ("member", "core"):
        for label, rural in (("urban", False), ("rural", True)):
            chosen = roles.index[(roles["group_role"] == role) & (roles["rural"] == rural)]
            out[f"{role}s_{label}"] = (
                float(quality.loc[chosen].mean()) if len(chosen) else float("nan")
            )
        chosen = roles.index[roles["group_role"] == role]
        out[f"{role}s"] = float(quality.loc[chosen].mean())
    out["member_minus_core"] = out["members"] - out["cores"]
    for role in ("member", "core"):
        chosen = roles.index[roles["group_role"] == role]
        for part in PARTS[1:]:
            out[f"{role[0]}:{part}"] = float(final[part].loc[chosen].mean())
    members = roles.index[(roles["group_role"] == "member") & (roles["own_core"] >= 0)]
    cores = roles["own_core"].loc[members].to_numpy()
    for part in ("quality", "teachers", "management"):
        gap = final[part].loc[members].to_numpy() - final[part].to_numpy()[cores]
        out[f"own:{part}"] = float(gap.mean())
        out[f"above:{part}"] = float((gap > 0).mean())
    for name in QUARTILE_GAPS:
        column = f"gap:{name.split('_')[0]}"
        out[column] = float(final[column].iloc[0])
    return out


def markdown(table: pd.DataFrame) -> str:
    """The table as markdown, three decimals (without the optional `tabulate`)."""
    head = "| arm | " + " | ".join(table.columns) + " |"
    rule = "|---|" + "---:|" * len(table.columns)
    body = [
        f"| {arm} | " + " | ".join(f"{value:.3f}" for value in row) + " |"
        for arm, row in zip(table.index, table.to_numpy(), strict=True)
    ]
    return "\n".join([head, rule, *body])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("place")
    parser.add_argument("--seeds", type=int, nargs="+", default=[3])
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--channels", nargs="*", default=list(CHANNELS))
    parser.add_argument(
        "--together",
        nargs="*",
        default=[],
        help="also one arm with all these channels off at once (e.g. the people channels)",
    )
    parser.add_argument("--out", type=Path, help="also write the table (CSV) here")
    args = parser.parse_args(argv)
    scenario = ROOT / "scenarios" / f"{args.place}.yaml"
    arms = {"reform": {}, "no_groups": NO_GROUPS}
    arms.update({f"off:{name}": CHANNELS[name] for name in args.channels})
    if args.together:
        together: dict[str, object] = {}
        for name in args.together:
            together.update(CHANNELS[name])
        arms["off:" + "+".join(args.together)] = together
    rows = []
    for seed in args.seeds:
        started = time.process_time()
        reform = final_state(scenario, seed, args.years, {})
        roles = reform[["group_role", "rural", "own_core"]]
        for arm, overrides in arms.items():
            final = (
                reform if arm == "reform" else final_state(scenario, seed, args.years, overrides)
            )
            rows.append({"arm": arm, "seed": seed, **summarise(final, roles)})
            print(f"seed {seed} {arm}: {rows[-1]}", file=sys.stderr, flush=True)
        print(f"seed {seed}: {time.process_time() - started:.0f} CPU-s", file=sys.stderr)
    table = (
        pd.DataFrame(rows).groupby("arm", sort=False).mean(numeric_only=True).drop(columns="seed")
    )
    counts = reform["group_role"].value_counts()
    print(
        f"{args.place}, seeds {args.seeds}, {args.years} years; final-year mean teaching quality "
        f"(pupil SD/yr); {counts.get('member', 0)} members, {counts.get('core', 0)} cores\n"
    )
    if args.out:
        table.to_csv(args.out)
    print(markdown(table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
