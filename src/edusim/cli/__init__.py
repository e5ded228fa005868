"""Command line: `edusim run | validate | describe | experiment | check | decompose |
report`. Thin: it parses, calls the library, prints, and turns every expected failure into
a one-line message and an exit code.

Arguments are parsed before anything of the simulator is imported: each command imports
the model, pandas, Mesa or matplotlib inside its `execute`, so `--help` and argument errors
are immediate. One module per command (`run.py`, `report.py`, ...); `parser.COMMANDS` is
the table of them."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from edusim.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    BadArgumentError,
    check_seed,
)
from edusim.cli.parser import COMMANDS, build_parser
from edusim.log import LOGGER, configure_cli_logging

__all__ = [
    "COMMANDS",
    "EXIT_BAD_INPUT",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "BadArgumentError",
    "build_parser",
    "check_seed",
    "main",
]


def _is_bad_input(error: Exception) -> bool:
    """A refused scenario, output folder or argument value (exit 2). The classes are looked
    up only now, so parsing arguments imports neither the scenario schema nor the writer."""
    from edusim.output_dir import OutputFolderError
    from edusim.scenario.loader import ScenarioError

    return isinstance(error, ScenarioError | OutputFolderError | BadArgumentError)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `edusim` console script. Called without `argv` (as the console
    script), a command other than `serve` runs in this environment's resident server when
    one is running (`edusim serve`, see `forward`); with `argv`, always here."""
    from_console = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if from_console and args.command != "serve":
        from edusim.cli.forward import forward

        status = forward(argv, announce=args.verbose > args.less)
        if status is not None:
            return status
    configure_cli_logging(args.verbose - args.less)
    try:
        check_seed(getattr(args, "seed", None))  # before the slow imports of a run
        return args.execute(args, argv)
    except KeyboardInterrupt:
        print("edusim: interrupted; no results were written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if _is_bad_input(error):
            print(f"edusim: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        LOGGER.debug("traceback of the failure", exc_info=True)  # shown with -vv
        print(
            f"edusim: failed: {type(error).__name__}: {error} (run with -vv to see the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED
