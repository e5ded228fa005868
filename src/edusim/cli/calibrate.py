"""`edusim calibrate SCENARIO TARGETS --params P:LO:HI ...`: fit parameters to a city's
observations. Bad input (scenario, targets, ranges, folder) exits 2 with the problem at
its YAML path; Optuna missing exits 2 with the install line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from edusim.cli.common import EXIT_OK, Command, add_search_arguments, positive, run_search


def _range(text: str):
    from edusim.experiment.calibrate import parse_range

    try:
        return parse_range(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


DESCRIPTION = (
    "Search the named parameters so the scenario meets the targets file's "
    "observations: each trial runs paired replications through the experiment runner; "
    "writes trials.csv, fit.csv, profile.csv, best.yaml (extends the scenario) and "
    "summary.md. Rerunning the same command resumes. Needs pip install "
    "'edusim[calibrate]'. See docs/calibration.md."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="scenario YAML file")
    parser.add_argument("targets", help="targets YAML file (docs/calibration.md)")
    parser.add_argument(
        "--params",
        nargs="+",
        required=True,
        type=_range,
        metavar="PATH:LO:HI",
        help="parameters to search, e.g. housing.adjust_speed:0.05:0.5",
    )
    parser.add_argument("--trials", type=positive, default=40, help="trials (default 40)")
    parser.add_argument(
        "--reps", type=positive, default=4, help="paired replications per trial (default 4)"
    )
    add_search_arguments(parser, "trials", "calibrations")


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Run the calibration; ScenarioError and OutputFolderError reach cli.main (exit 2)."""
    from edusim.experiment.calibrate import calibrate

    result, code = run_search(
        lambda: calibrate(
            Path(args.scenario),
            Path(args.targets),
            args.params,
            trials=args.trials,
            replications=args.reps,
            batch=args.batch,
            seed=args.seed,
            workers=args.workers,
            dask=args.dask,
            dask_wait=args.dask_wait,
            out=args.out,
            progress=not args.quiet,
        )
    )
    if code != EXIT_OK:
        return code
    if not args.quiet:
        print((result.out / "summary.md").read_text(encoding="utf-8"))
    print(
        f"calibration written to {result.out}: best loss {result.best_loss:.4g}, "
        f"{result.ran} runs done now, {result.reused} reused ({result.wall_seconds:.1f} s)"
    )
    return EXIT_OK


COMMAND = Command(
    name="calibrate",
    help="fit parameters of a scenario to a city's observations (Optuna)",
    description=DESCRIPTION,
    add_arguments=add_arguments,
    execute=execute,
)
