"""`edusim decompose`: the effect of each component of a place's reform."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from edusim.cli.common import EXIT_INTERRUPTED, EXIT_OK, RESUME_HINT, Command, add_paired_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="scenario YAML file with a reform")
    add_paired_arguments(parser, reps=10, years=None, out="results/decompose/<scenario name>")


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from edusim.experiment.decompose import run_decomposition

    try:
        folder, _ = run_decomposition(
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
        print((folder / "decomposition.md").read_text(encoding="utf-8"))
    print(f"decomposition written to {folder / 'decomposition.md'}")
    return EXIT_OK


COMMAND = Command(
    name="decompose",
    help="take a place's reform apart: the paired effect of each component",
    description="Run the reform, its counterfactual and the reform without each of its "
    "components (groups, rotation, money, evaluation, enrollment rules) over paired seeds "
    "through the experiment runner, and write decomposition.md and decomposition.csv: the "
    "total effect (reform - counterfactual), each component's leave-one-out effect "
    "(reform - the reform without it, the others staying) and their interaction (total - "
    "the sum of the components), with 95% intervals. A component that acts only through "
    "groups (rotation from cores to members, bundled evaluation, group-wide enrollment) "
    "is nested in them: where every other component needs groups, the groups column "
    "equals the total. Rerunning resumes.",
    add_arguments=add_arguments,
    execute=execute,
)
