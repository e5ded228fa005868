"""Command line: `edusim run | validate | describe | experiment | report`. Thin: it parses,
calls the library, prints, and turns every expected failure into a one-line message and an
exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from edusim import __version__, cli_explore, cli_scenarios
from edusim.log import LOGGER, configure_cli_logging
from edusim.scenario.loader import (
    ScenarioError,
    load_scenario,
    scenario_to_yaml,
    skipped_after_run,
)
from edusim.scenario.schema import MAX_SEED, Scenario

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class BadArgumentError(Exception):
    """A command-line value refused before any work (exit 2)."""


def _add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario",
        help="scenario YAML file (may use 'extends:') or the name of a shipped scenario "
        "(edusim scenarios lists them)",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter, e.g. --set learning.peer_effect=0.05 or "
        "--set 'city.districts[Xihu].towns=12' (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edusim",
        description="Agent-based simulator of group-based schooling reform (集团化办学).",
    )
    parser.add_argument("--version", action="version", version=f"edusim {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more diagnostics on stderr (-v: info, -vv: debug and tracebacks)",
    )
    parser.add_argument("-q", dest="less", action="count", default=0, help="errors only on stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="simulate a scenario and write its results",
        description="Simulate a scenario year by year and write tidy results "
        "(metrics, schools, events, resolved scenario, manifest, summary).",
    )
    _add_scenario_arguments(run)
    run.add_argument("--years", type=int, help="school years to simulate (default: scenario's)")
    run.add_argument("--seed", type=int, help="root seed (default: scenario's)")
    run.add_argument(
        "--out",
        type=Path,
        help="run directory to create (default: results/<scenario>/<time>-seed<seed>)",
    )
    run.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default="parquet",
        help="table format (default: parquet)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar or headline table")
    run.add_argument(
        "--no-report",
        dest="report",
        action="store_false",
        help="do not write the report (figures/, tables/, report.md, report.html); "
        "`edusim report DIR` writes it later",
    )
    run.add_argument(
        "--counterfactual",
        action="store_true",
        help="also run the place without its reform (the scenario's `counterfactual:`) with "
        "the same seed; write it to counterfactual/ and the paired differences to `effect`",
    )

    validate = commands.add_parser(
        "validate",
        help="check a scenario file and list every problem",
        description="Check a scenario file; print each problem with its YAML path. Exit 2 if invalid.",
    )
    _add_scenario_arguments(validate)

    describe = commands.add_parser(
        "describe",
        help="print the resolved scenario and the city it builds",
        description="Print the resolved scenario and the counts of schools, teachers and "
        "pupils by district and stage; with --plan, the yearly schedule instead.",
    )
    _add_scenario_arguments(describe)
    describe.add_argument(
        "--plan",
        action="store_true",
        help="print the ordered phases and dated events, year by year",
    )
    describe.add_argument("--seed", type=int, help="root seed for the city (default: scenario's)")
    describe.add_argument(
        "--counterfactual",
        action="store_true",
        help="describe the scenario's counterfactual (the place without its reform) instead",
    )

    experiment = commands.add_parser(
        "experiment",
        help="run (or resume) an experiment file: paired replications, designs, summaries",
        description="Run the design of an experiment file (compare, grid, lhs, morris or "
        "sobol) with paired replications, store each finished run at once, and write "
        "summary.csv and summary.md. Rerunning the same command resumes. Exit 1 if any "
        "replication failed. See experiments/README.md.",
    )
    experiment.add_argument("experiment", help="experiment YAML file")
    experiment.add_argument(
        "--reps", type=_positive, help="paired replications (default: the file's)"
    )
    where = experiment.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_positive,
        help="local worker processes (default: every core; 1 runs in this process)",
    )
    where.add_argument(
        "--dask", metavar="ADDR", help="Dask scheduler address, e.g. tcp://host:8786"
    )
    experiment.add_argument(
        "--dask-wait",
        type=_positive,
        default=60,
        metavar="SECONDS",
        help="with --dask: exit 2 if no worker has joined after this long (default: 60)",
    )
    experiment.add_argument(
        "--out", type=Path, help="output folder (default: results/experiments/<name>)"
    )
    experiment.add_argument("--quiet", action="store_true", help="no progress bar or table")

    report = commands.add_parser(
        "report",
        help="write figures, tables and a report for a run or an experiment",
        description="Write figures (PNG at 300 dpi, PDF, SVG, each with its data as CSV and "
        "a caption), tables (CSV and LaTeX booktabs), report.md and a self-contained "
        "report.html into a run directory or an experiment folder. Exit 2 if the folder is "
        "not one, or if --lang zh finds no CJK font.",
    )
    report.add_argument("results", type=Path, help="run directory or experiment folder")
    report.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="labels and captions in English or Chinese (zh needs: pip install "
        "'edusim[zh]'); zh files get a -zh suffix",
    )
    report.add_argument(
        "--year",
        type=int,
        help="a run's year on the map, and the school year ending then for teacher flows "
        "(default: the last year; flows: the school year with the most postings)",
    )
    report.add_argument(
        "--formats",
        type=_formats,
        default=("png", "pdf", "svg"),
        metavar="LIST",
        help="figure formats, comma-separated (default: png,pdf,svg)",
    )
    report.add_argument(
        "--workers", type=_positive, default=2, help="processes rendering figures (default 2)"
    )
    cli_scenarios.add_parsers(commands)
    cli_explore.add_parsers(commands)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _formats(text: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [fmt for fmt in formats if fmt not in ("png", "pdf", "svg")]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"expected some of png,pdf,svg, got '{text}'")
    return formats


def _command_line(argv: Sequence[str]) -> list[str]:
    return ["edusim", *argv]


def check_seed(seed: int | None) -> None:
    """Refuse a --seed the result tables cannot store, before the simulation runs."""
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise BadArgumentError(
            f"--seed must be an integer from 0 to {MAX_SEED} (2^63 - 1, the largest seed the "
            f"result tables store), got {seed}"
        )


def _overrides(args: argparse.Namespace) -> list[str]:
    """`--set` pairs plus --seed and --years, so all are validated like the file itself."""
    check_seed(getattr(args, "seed", None))
    pairs = list(args.overrides)
    for name in ("seed", "years"):
        value = getattr(args, name, None)
        if value is not None:
            pairs.append(f"{name}={value}")
    return pairs


def _warn_skipped(scenario: Scenario) -> None:
    """One line on stderr per dated item after the run's end: skipped, not an error."""
    for problem in skipped_after_run(scenario):
        LOGGER.warning("%s", problem)


def cmd_validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(Path(args.scenario), args.overrides)
    _warn_skipped(scenario)
    print(
        f"{args.scenario}: valid scenario '{scenario.name}' "
        f"({len(scenario.city.districts)} districts, {scenario.years} years from {scenario.start_year})"
    )
    return EXIT_OK


def cmd_describe(args: argparse.Namespace) -> int:
    from edusim.calendar import plan_table

    scenario = load_scenario(Path(args.scenario), _overrides(args))
    _warn_skipped(scenario)
    if args.counterfactual:
        from edusim.scenario.counterfactual import counterfactual_of

        scenario = counterfactual_of(scenario)
    if args.plan:
        plan = plan_table(scenario)
        for row in plan.itertuples(index=False):
            print(
                f"{row.school_year}  {row.date.isoformat()}  {row.order:>2}  "
                f"{row.kind:<5}  {row.phase:<11}  {row.label}"
            )
        return EXIT_OK
    from edusim.model import EduModel

    print(scenario_to_yaml(scenario))
    model = EduModel(scenario)
    print(
        f"# city built with seed {model.seed}: {len(model.school_table)} schools, "
        f"{len(model.teachers)} teachers, {len(model.families)} pupils"
    )
    print(
        f"{'district':<20}{'kind':<10}{'P schools':>10}{'P pupils':>10}{'P teachers':>11}"
        f"{'J schools':>10}{'J pupils':>10}{'J teachers':>11}"
    )
    for (name, counts), district in zip(
        model.city_counts().items(), scenario.city.districts, strict=True
    ):
        print(
            f"{name:<20}{district.kind:<10}{counts['primary_schools']:>10}{counts['primary_pupils']:>10}"
            f"{counts['primary_teachers']:>11}{counts['junior_schools']:>10}"
            f"{counts['junior_pupils']:>10}{counts['junior_teachers']:>11}"
        )
    return EXIT_OK


def cmd_run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from edusim.counterfactual import effect_headline, effect_table
    from edusim.output_dir import claim_output
    from edusim.results import (
        default_run_dir,
        markdown_table,
        run_counterfactual,
        run_scenario,
        write_run,
    )
    from edusim.scenario.counterfactual import counterfactual_of

    scenario = load_scenario(Path(args.scenario), _overrides(args))  # fail fast, before any work
    _warn_skipped(scenario)
    if args.counterfactual:
        counterfactual_of(scenario)  # an invalid counterfactual fails before any work, too
    out_dir = args.out or default_run_dir(Path("results"), scenario.name, scenario.seed)
    with claim_output(out_dir, "run", scenario.name):  # locked and writable before any work
        result = run_scenario(scenario, progress=not args.quiet)
        paired = (
            run_counterfactual(result, progress=not args.quiet) if args.counterfactual else None
        )
        path = write_run(result, out_dir, args.format, _command_line(argv), counterfactual=paired)
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
    seconds = result.wall_seconds + (paired.wall_seconds if paired is not None else 0.0)
    print(f"results written to {path} ({seconds:.1f} s)")
    return _report_after_run(path) if args.report else EXIT_OK


def _report_after_run(path: Path) -> int:
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
        LOGGER.debug("traceback of the report's failure", exc_info=True)
        print(
            f"edusim: the results are written but the report failed: {type(error).__name__}: "
            f"{error}; retry with `edusim report {path}`",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"report written to {report.html} ({report.seconds:.1f} s)")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from edusim.plots import FontMissingError
    from edusim.report import ReportInputError, build_report

    try:
        report = build_report(
            args.results,
            lang=args.lang,
            year=args.year,
            formats=args.formats,
            workers=args.workers,
        )
    except (ReportInputError, FontMissingError) as error:
        print(f"edusim: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for name, reason in report.skipped.items():
        print(f"  not drawn: {name} ({reason})")
    print(
        f"report written to {report.html} and {report.markdown.name}: "
        f"{len(report.figures)} figures ({report.seconds:.1f} s)"
    )
    return EXIT_OK


def cmd_experiment(args: argparse.Namespace) -> int:
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
        print(
            "edusim: interrupted; finished replications are kept, rerun the same command to resume",
            file=sys.stderr,
        )
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `edusim` console script."""
    from edusim.output_dir import OutputFolderError

    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    configure_cli_logging(args.verbose - args.less)
    try:
        check_seed(getattr(args, "seed", None))  # before the slow imports of a run
        if args.command == "validate":
            return cmd_validate(args)
        if args.command == "describe":
            return cmd_describe(args)
        if args.command == "experiment":
            return cmd_experiment(args)
        if args.command == "report":
            return cmd_report(args)
        if args.command in cli_scenarios.COMMANDS:
            return cli_scenarios.run(args)
        if args.command in cli_explore.COMMANDS:
            return cli_explore.run(args)
        return cmd_run(args, argv)
    except ScenarioError as error:
        print(f"edusim: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OutputFolderError, BadArgumentError) as error:
        print(f"edusim: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("edusim: interrupted; no results were written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # an unexpected failure: say what, keep the traceback opt-in
        LOGGER.debug("traceback of the failure", exc_info=True)
        print(
            f"edusim: failed: {type(error).__name__}: {error} (run with -vv to see the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
