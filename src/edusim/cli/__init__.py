"""Command line: `edusim run | validate | describe | experiment | check | decompose |
report`. Thin: it parses, calls the library, prints, and turns every expected failure into
a one-line message and an exit code.

Arguments are parsed before anything of the simulator is imported: each command imports
the model, pandas, Mesa or matplotlib inside its `execute`, so `--help` and argument errors
are immediate. One module per command (`run.py`, `report.py`, ...); `parser.COMMANDS` is
the table of them. The package itself imports none of them: the console script first
offers a command to a resident server (`forward`, `edusim serve`) and imports the parser
only to run it here; the names below are looked up on first use."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import import_module

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

_EXPORTS = {
    "COMMANDS": "edusim.cli.parser",
    "build_parser": "edusim.cli.parser",
    "EXIT_BAD_INPUT": "edusim.cli.common",
    "EXIT_FAILED": "edusim.cli.common",
    "EXIT_INTERRUPTED": "edusim.cli.common",
    "EXIT_OK": "edusim.cli.common",
    "BadArgumentError": "edusim.cli.common",
    "check_seed": "edusim.cli.common",
}


def __getattr__(name: str) -> object:
    """The parser and the exit codes on first use: a command sent to a resident server
    (`forward`) imports neither the parser nor the command modules."""
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'edusim.cli' has no attribute {name!r}")


def _is_bad_input(error: Exception) -> bool:
    """A refused scenario, output folder or argument value (exit 2). The classes are looked
    up only now, so parsing arguments imports neither the scenario schema nor the writer."""
    from edusim.cli.common import BadArgumentError
    from edusim.output_dir import OutputFolderError
    from edusim.scenario.loader import ScenarioError

    return isinstance(error, ScenarioError | OutputFolderError | BadArgumentError)


EXIT_READER_GONE = 141
"""Exit status when the output's reader went away (`edusim scenarios | head`): what a
shell reports for a program ended by SIGPIPE (128 + 13)."""


def _interrupted() -> int:
    """Ctrl-C: say that nothing was written and give the interrupted exit status."""
    from edusim.cli.common import EXIT_INTERRUPTED

    print("edusim: interrupted; no results were written", file=sys.stderr)
    return EXIT_INTERRUPTED


def _reader_gone() -> int:
    """The reader of standard output closed it: stop quietly, as `cat` or `ls` do, with
    stdout pointed at /dev/null so that Python's final flush raises nothing more."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_READER_GONE


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `edusim` console script. Called without `argv` (as the console
    script), a command other than `serve` is first offered to this environment's resident
    server (`edusim serve`, see `forward`), which parses and runs it; with `argv`, or with
    no server, it is parsed and run here."""
    if argv is None:
        argv = sys.argv[1:]
        from edusim.cli.forward import forward, forwardable

        offered = forwardable(argv)
        if offered is not None:
            status = forward(argv, announce=offered == "announce")
            if status is not None:
                return status
    from edusim.cli.common import EXIT_BAD_INPUT, EXIT_FAILED, check_seed
    from edusim.cli.parser import build_parser
    from edusim.log import LOGGER, configure_cli_logging

    argv = list(argv)
    args = build_parser().parse_args(argv)
    configure_cli_logging(args.verbose - args.less)
    try:
        check_seed(getattr(args, "seed", None))  # before the slow imports of a run
        return args.execute(args, argv)
    except KeyboardInterrupt:
        return _interrupted()
    except BrokenPipeError:
        return _reader_gone()
    except Exception as error:
        from edusim.experiment.interrupts import user_interrupt

        if user_interrupt(error) is not None:  # Ctrl-C inside a compiled kernel
            return _interrupted()
        if _is_bad_input(error):
            print(f"edusim: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        LOGGER.debug("traceback of the failure", exc_info=True)  # shown with -vv
        print(
            f"edusim: failed: {type(error).__name__}: {error} (run with -vv to see the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED
