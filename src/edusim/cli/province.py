"""`edusim run PROVINCE.yaml`: a province file (top-level `cities:`) runs each city as a
shard on local processes (`--workers`) or a Dask cluster (`--dask`), see docs/scale.md.
Called by cli/run.py; imports the simulator only when it runs."""

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
    BadArgumentError,
    command_line,
)

SINGLE_CITY_ONLY: tuple[tuple[str, str], ...] = (
    ("overrides", "--set (set a city's keys with its `set:` in the province file)"),
    ("counterfactual", "--counterfactual"),
)
PROVINCE_ONLY: tuple[tuple[str, str], ...] = (
    ("dask", "--dask"),
    ("scale", "--scale"),
)
"""Besides these, --workers: a province file's worker processes, or for a single city
the counterfactual's side by side with the reform (so only with --counterfactual)."""


def add_province_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments only a province file takes."""
    from edusim.cli.common import positive

    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=positive,
        help="province files: local worker processes, one city each at a time "
        "(default: every core; 1 runs in this process); with --counterfactual: 2 runs "
        "the counterfactual in a second process beside the reform (the default on two or "
        "more cores; more memory), 1 runs them one after the other",
    )
    where.add_argument("--dask", metavar="ADDR", help="province files: Dask scheduler address")
    parser.add_argument(
        "--dask-wait",
        type=positive,
        default=60,
        metavar="SECONDS",
        help="with --dask: wait this long for the scheduler and a first worker (default 60)",
    )
    parser.add_argument(
        "--scale",
        type=float,
        help="province files: multiply every district's pupils and schools (e.g. 0.1 for a "
        "quick or benchmark run; the results are then not the province's)",
    )


def check_arguments(args: argparse.Namespace, province: bool) -> None:
    """Refuse arguments that do not apply to this kind of file, before any work."""
    wrong = PROVINCE_ONLY if not province else SINGLE_CITY_ONLY
    for name, flag in wrong:
        if getattr(args, name, None):
            kind = "a single-city scenario" if province else "a province file (with `cities:`)"
            raise BadArgumentError(f"{flag} applies only to {kind}, not to {args.scenario}")
    if not province and args.workers and not args.counterfactual:
        raise BadArgumentError(
            f"--workers applies to a province file (with `cities:`) or, with "
            f"--counterfactual, to a single-city scenario, not to {args.scenario} alone"
        )


def execute_province(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Run a province file: every city, then the province table."""
    from edusim.experiment import DaskUnavailableError
    from edusim.province import run_province
    from edusim.province.run import SUMMARY_METRICS, ProvinceShardsFailed
    from edusim.results import default_run_dir, markdown_table
    from edusim.scenario.province_loader import load_province

    check_arguments(args, province=True)
    province = load_province(
        Path(args.scenario), scale=args.scale or 1.0, seed=args.seed, years=args.years
    )
    out_dir = args.out or default_run_dir(Path("results"), province.name, province.spec.seed)
    say = None if args.quiet else (lambda text: print(text, file=sys.stderr))
    try:
        run = run_province(
            province,
            out_dir,
            workers=args.workers,
            dask=args.dask,
            dask_wait=float(args.dask_wait),
            fmt=args.format,
            command=command_line(argv),
            say=say,
        )
    except DaskUnavailableError as error:
        print(f"edusim: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ProvinceShardsFailed as error:
        print(f"edusim: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(
            f"edusim: interrupted; the finished cities are kept in {out_dir}: rerun with "
            f"--out {out_dir} to resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if not args.quiet:
        final = run.table[run.table["year"] == run.table["year"].max()]
        shown = final[final["metric"].isin(SUMMARY_METRICS)]
        print(markdown_table(shown[["metric", "aggregate", "value", "range", "sd_between"]]))
        print()
    print(f"province results written to {run.path} ({len(run.shards)} cities)")
    if args.report and not args.quiet:
        print(f"a city's report: edusim report {run.path / 'cities' / '<city>'}")
    return EXIT_OK
