"""`edusim check`: the documented patterns on a scenario over paired seeds."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from edusim.cli.common import EXIT_INTERRUPTED, EXIT_OK, RESUME_HINT, Command, add_paired_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="scenario YAML file")
    add_paired_arguments(parser, reps=10, years=13, out="results/check/<scenario name>")


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from edusim.validation.check import run_check

    try:
        result = run_check(
            args.scenario,
            replications=args.reps,
            years=args.years,
            seed=args.seed,
            out=args.out,
            workers=args.workers,
            progress=not args.quiet,
        )
    except KeyboardInterrupt:
        print(RESUME_HINT, file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        print((result.out / "validation.md").read_text(encoding="utf-8"))
    print(
        f"validation written to {result.out / 'validation.md'}: {result.held} of "
        f"{result.judged} judged patterns hold"
    )
    return EXIT_OK


COMMAND = Command(
    name="check",
    help="check a scenario against the documented patterns over paired seeds",
    description="Run the arms of the documented patterns (premium levels and trend, wealth "
    "sorting, movers, private share, zones, groups, between-school variance, the urban-rural "
    "gap, the income gradient) on the scenario over paired seeds through the experiment "
    "runner, and write validation.md and validation.csv: each pattern's source, what is "
    "measured, the model's mean with its 95% interval, the band and whether it holds. "
    "Rerunning resumes. See docs/validation.md.",
    add_arguments=add_arguments,
    execute=execute,
)
