"""`edusim report`: figures, tables and a report for a run or an experiment."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from edusim.cli.common import EXIT_BAD_INPUT, EXIT_OK, Command, positive

FIGURE_FORMATS = ("png", "pdf", "svg")


def figure_formats(text: str) -> tuple[str, ...]:
    """An argument type: a comma-separated list of figure formats, duplicates dropped."""
    formats = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [fmt for fmt in formats if fmt not in FIGURE_FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"expected some of png,pdf,svg, got '{text}'")
    return formats


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", type=Path, help="run directory or experiment folder")
    parser.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="labels and captions in English or Chinese (zh needs: pip install "
        "'edusim[zh]'); zh files get a -zh suffix",
    )
    parser.add_argument(
        "--year",
        type=int,
        help="a run's year on the map, and the school year ending then for teacher flows "
        "(default: the last year; flows: the school year with the most postings)",
    )
    parser.add_argument(
        "--formats",
        type=figure_formats,
        metavar="LIST",
        help="figure formats, comma-separated, of png, pdf and svg (default: png; "
        "--formats png,pdf,svg adds the vector files for print and editing)",
    )
    parser.add_argument(
        "--workers", type=positive, default=2, help="processes rendering figures (default 2)"
    )


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
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


COMMAND = Command(
    name="report",
    help="write figures, tables and a report for a run or an experiment",
    description="Write figures (PNG at 300 dpi, and PDF and SVG with --formats, each with "
    "its data as CSV and a caption), tables (CSV and LaTeX booktabs), report.md and a self-contained "
    "report.html into a run directory or an experiment folder. Exit 2 if the folder is "
    "not one, or if --lang zh finds no CJK font.",
    add_arguments=add_arguments,
    execute=execute,
)
