"""`edusim run`: simulate a scenario, write its results and (unless --no-report) its report."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from edusim.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Command,
    add_scenario_arguments,
    command_line,
    overrides,
    warn_skipped,
)
from edusim.cli.province import add_province_arguments, check_arguments, execute_province


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_arguments(parser)
    parser.add_argument("--years", type=int, help="school years to simulate (default: scenario's)")
    parser.add_argument("--seed", type=int, help="root seed (default: scenario's)")
    parser.add_argument(
        "--out",
        type=Path,
        help="run directory to create (default: results/<scenario>/<time>-seed<seed>)",
    )
    parser.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default="parquet",
        help="table format (default: parquet)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or headline table")
    parser.add_argument(
        "--no-report",
        dest="report",
        action="store_false",
        help="do not write the report (figures/, tables/, report.md, report.html); "
        "`edusim report DIR` writes it later",
    )
    parser.add_argument(
        "--counterfactual",
        action="store_true",
        help="also run the place without its reform (the scenario's `counterfactual:`) with "
        "the same seed; write it to counterfactual/ and the paired differences to `effect`",
    )
    add_province_arguments(parser)


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from edusim.cli.compile_kernels import note_if_cold
    from edusim.counterfactual import effect_headline, effect_table
    from edusim.output_dir import claim_output
    from edusim.results import (
        default_run_dir,
        markdown_table,
        run_scenario,
        run_with_counterfactual,
        write_run,
    )
    from edusim.scenario.counterfactual import counterfactual_of
    from edusim.scenario.loader import load_scenario
    from edusim.scenario.province_loader import is_province_file

    if is_province_file(args.scenario):
        return execute_province(args, argv)
    check_arguments(args, province=False)
    scenario = load_scenario(Path(args.scenario), overrides(args))  # fail fast, before any work
    warn_skipped(scenario)
    if args.counterfactual:
        counterfactual_of(scenario)  # an invalid counterfactual fails before any work, too
    out_dir = args.out or default_run_dir(Path("results"), scenario.name, scenario.seed)
    with claim_output(out_dir, "run", scenario.name):  # locked and writable before any work
        note_if_cold()  # a first run compiles the kernels: say so before the wait
        started = time.perf_counter()
        if args.counterfactual:  # side by side unless --workers 1
            result, paired = run_with_counterfactual(
                scenario, progress=not args.quiet, side_by_side=args.workers != 1
            )
        else:
            result, paired = run_scenario(scenario, progress=not args.quiet), None
        seconds = time.perf_counter() - started
        path = write_run(result, out_dir, args.format, command_line(argv), counterfactual=paired)
    if not args.quiet:
        print(markdown_table(result.headline()))
        print()
        if paired is not None:
            effect = effect_table(result.tables["metrics"], paired.tables["metrics"])
            print(
                f"Effect of the reform in {int(effect['year'].max())}: reform - counterfactual "
                f"('{paired.scenario.name}', seed {paired.seed})"
            )
            print(markdown_table(effect_headline(effect)))
            print()
    print(f"results written to {path} ({seconds:.1f} s)")
    return report_after_run(path) if args.report else EXIT_OK


def report_after_run(path: Path) -> int:
    """The run's report; a failure here keeps the results and says how to retry."""
    from edusim.report import build_report

    try:
        report = build_report(path, workers=2)
    except KeyboardInterrupt:
        print(
            f"edusim: interrupted while writing the report; the run is complete in {path} but "
            f"its report was not written; write it with `edusim report {path}`",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except Exception as error:
        from edusim.log import LOGGER

        LOGGER.debug("traceback of the report's failure", exc_info=True)  # shown with -vv
        print(
            f"edusim: the results are written but the report failed: {type(error).__name__}: "
            f"{error}; retry with `edusim report {path}`",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"report written to {report.html} ({report.seconds:.1f} s)")
    return EXIT_OK


COMMAND = Command(
    name="run",
    help="simulate a scenario and write its results",
    description="Simulate a scenario year by year and write tidy results "
    "(metrics, schools, events, resolved scenario, manifest, summary).",
    add_arguments=add_arguments,
    execute=execute,
)
