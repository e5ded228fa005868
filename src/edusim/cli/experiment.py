"""`edusim experiment`: run or resume an experiment file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from edusim.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    RESUME_HINT,
    Command,
    positive,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("experiment", help="experiment YAML file")
    parser.add_argument("--reps", type=positive, help="paired replications (default: the file's)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=positive,
        help="local worker processes (default: every core; 1 runs in this process)",
    )
    where.add_argument(
        "--dask", metavar="ADDR", help="Dask scheduler address, e.g. tcp://host:8786"
    )
    parser.add_argument(
        "--dask-wait",
        type=positive,
        default=60,
        metavar="SECONDS",
        help="with --dask: exit 2 if no worker has joined after this long (default: 60)",
    )
    parser.add_argument(
        "--out", type=Path, help="output folder (default: results/experiments/<name>)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or table")


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from edusim.experiment import DaskUnavailableError
    from edusim.experiment.runner import execute_experiment

    try:
        result = execute_experiment(
            Path(args.experiment),
            replications=args.reps,
            workers=args.workers,
            dask=args.dask,
            dask_wait=args.dask_wait,
            out=args.out,
            progress=not args.quiet,
        )
    except DaskUnavailableError as error:
        print(f"edusim: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(RESUME_HINT, file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        print((result.out / "summary.md").read_text(encoding="utf-8"))
    print(
        f"results written to {result.out}: {result.ran} runs done now, {result.reused} "
        f"reused, {len(result.failures)} failed ({result.wall_seconds:.1f} s)"
    )
    for failure in result.failures.itertuples(index=False):
        print(
            f"edusim: replication {failure.replicate} of '{failure.variant}' (seed "
            f"{failure.seed}) failed: {failure.error}; traceback in manifest.jsonl",
            file=sys.stderr,
        )
    return EXIT_OK if result.ok else EXIT_FAILED


COMMAND = Command(
    name="experiment",
    help="run (or resume) an experiment file: paired replications, designs, summaries",
    description="Run the design of an experiment file (compare, grid, lhs, morris or "
    "sobol) with paired replications, store each finished run at once, and write "
    "summary.csv and summary.md. Rerunning the same command resumes. Exit 1 if any "
    "replication failed. See experiments/README.md.",
    add_arguments=add_arguments,
    execute=execute,
)
