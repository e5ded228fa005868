"""`edusim plan SCENARIO PLAN.yaml`: search which schools to group, under the plan's
constraints and budgets, for its objectives. Bad input (scenario, plan file, folder)
exits 2 with the problem at its YAML path; Optuna missing exits 2 with the install line.
(Not `edusim experiment`'s plan of arms and seeds: see docs/planning.md.)"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from edusim.cli.common import EXIT_OK, Command, add_search_arguments, positive, run_search

DESCRIPTION = (
    "Propose a layout of school groups: layouts allowed by the plan file are screened "
    "with short runs (Optuna TPE in deterministic batches), the best are re-run for the "
    "full years on paired replications with the scenario's own layout, all on one city "
    "(the scenario's world_seed, else the first replicate's seed). Writes best.yaml "
    "(extends the scenario), comparison.csv (paired 95% CIs), stability.csv, map and "
    "summary.md. Rerunning the same command resumes. Needs pip install "
    "'edusim[calibrate]'. See docs/planning.md."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="scenario YAML file")
    parser.add_argument("plan", help="plan YAML file (docs/planning.md)")
    parser.add_argument("--trials", type=positive, default=30, help="layouts screened (default 30)")
    parser.add_argument(
        "--reps",
        type=positive,
        default=4,
        help="paired replications of the re-evaluation (default 4)",
    )
    parser.add_argument(
        "--years", type=positive, help="years of the re-evaluation (default: the scenario's)"
    )
    parser.add_argument(
        "--screen-years", type=positive, default=2, help="years of a screening run (default 2)"
    )
    parser.add_argument(
        "--screen-reps",
        type=positive,
        default=1,
        help="paired replications of a screening run (default 1; more damp the winner's curse)",
    )
    parser.add_argument(
        "--top", type=positive, default=3, help="screened layouts re-evaluated (default 3)"
    )
    add_search_arguments(parser, "layouts", "plans")


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Run the search; ScenarioError and OutputFolderError reach cli.main (exit 2)."""
    from edusim.planning.reevaluation import PlanFailedError
    from edusim.planning.search import plan_layouts

    result, code = run_search(
        lambda: plan_layouts(
            Path(args.scenario),
            Path(args.plan),
            trials=args.trials,
            replications=args.reps,
            years=args.years,
            screen_years=args.screen_years,
            screen_replications=args.screen_reps,
            top=args.top,
            batch=args.batch,
            seed=args.seed,
            workers=args.workers,
            dask=args.dask,
            dask_wait=args.dask_wait,
            out=args.out,
            progress=not args.quiet,
        ),
        failures=(PlanFailedError,),
    )
    if code != EXIT_OK:
        return code
    if not args.quiet:
        print((result.out / "summary.md").read_text(encoding="utf-8"))
    print(
        f"plan written to {result.out}: {result.ran} runs done now, {result.reused} reused "
        f"({result.wall_seconds:.1f} s)"
    )
    return EXIT_OK


COMMAND = Command(
    name="plan",
    help="propose which schools to group for a district's objectives (Optuna)",
    description=DESCRIPTION,
    add_arguments=add_arguments,
    execute=execute,
)
