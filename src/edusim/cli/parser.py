"""The argument parser, built from the table of commands.

A new command is a module in this package with a `COMMAND` (see `common.Command`) added
to `COMMANDS`; its `add_arguments` runs for every `--help`, so it imports nothing heavy."""

from __future__ import annotations

import argparse

from edusim.cli import (
    calibrate,
    check,
    compile_kernels,
    decompose,
    describe,
    experiment,
    explore,
    plan,
    report,
    run,
    scenarios,
    schema,
    serve,
    validate,
)
from edusim.cli.common import Command

COMMANDS: tuple[Command, ...] = (
    run.COMMAND,
    validate.COMMAND,
    describe.COMMAND,
    experiment.COMMAND,
    check.COMMAND,
    decompose.COMMAND,
    calibrate.COMMAND,
    plan.COMMAND,
    report.COMMAND,
    scenarios.COMMAND,
    schema.COMMAND,
    compile_kernels.COMMAND,
    explore.COMMAND,
    serve.COMMAND,
)
"""Every `edusim COMMAND`, in the order `--help` lists them."""


class _VersionAction(argparse.Action):
    """`--version`, reading the installed version only when asked (importlib.metadata is
    not free, and `--help` does not need it)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from edusim import __version__

        print(f"edusim {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The `edusim` parser: one sub-parser per entry of `COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="edusim",
        description="Agent-based simulator of group-based schooling reform (集团化办学).",
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more diagnostics on stderr (-v: info, -vv: debug and tracebacks)",
    )
    parser.add_argument("-q", dest="less", action="count", default=0, help="errors only on stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help, description=command.description)
        command.add_arguments(sub)
        sub.set_defaults(execute=command.execute)
    return parser
