"""`edusim calibrate SCENARIO TARGETS --params P:LO:HI ...`: the command's parser and body.

Kept apart from cli.py so the command line stays thin; cli.py registers it with
`add_parser` and calls `run`. Bad input (scenario, targets, ranges, folder) exits 2
with the problem at its YAML path; Optuna missing exits 2 with the install line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 2, 130


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _range(text: str):
    from edusim.experiment.calibrate import parse_range

    try:
        return parse_range(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the `calibrate` command to the subcommands of `edusim`."""
    parser = commands.add_parser(
        "calibrate",
        help="fit parameters of a scenario to a city's observations (Optuna)",
        description="Search the named parameters so the scenario meets the targets file's "
        "observations: each trial runs paired replications through the experiment runner; "
        "writes trials.csv, fit.csv, profile.csv, best.yaml (extends the scenario) and "
        "summary.md. Rerunning the same command resumes. Needs pip install "
        "'edusim[calibrate]'. See docs/calibration.md.",
    )
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
    parser.add_argument("--trials", type=_positive, default=40, help="trials (default 40)")
    parser.add_argument(
        "--reps", type=_positive, default=4, help="paired replications per trial (default 4)"
    )
    parser.add_argument(
        "--batch",
        type=_positive,
        default=8,
        help="trials proposed at once (default 8); part of the result, unlike --workers",
    )
    parser.add_argument("--seed", type=int, default=1, help="sampler and replicate seed")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=_positive, help="local worker processes (default: every core)"
    )
    where.add_argument("--dask", metavar="ADDR", help="Dask scheduler address")
    parser.add_argument(
        "--dask-wait", type=_positive, default=60, metavar="SECONDS", help="with --dask"
    )
    parser.add_argument(
        "--out", type=Path, help="output folder (default: results/calibrations/<scenario>)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress or summary")


def run(args: argparse.Namespace) -> int:
    """Run the calibration; ScenarioError and OutputFolderError reach cli.main (exit 2)."""
    from edusim.experiment import DaskUnavailableError
    from edusim.experiment.calibrate import OptunaMissingError, calibrate

    try:
        result = calibrate(
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
    except (OptunaMissingError, DaskUnavailableError) as error:
        print(f"edusim: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(
            "edusim: interrupted; finished runs and trials are kept, rerun the same command "
            "to resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if not args.quiet:
        print((result.out / "summary.md").read_text(encoding="utf-8"))
    print(
        f"calibration written to {result.out}: best loss {result.best_loss:.4g}, "
        f"{result.ran} runs done now, {result.reused} reused ({result.wall_seconds:.1f} s)"
    )
    return EXIT_OK
