"""The command line parses its arguments before importing the simulator: `--help`,
`--version` and argument errors import neither the model nor its heavy libraries."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from edusim.cli import COMMANDS, build_parser

HEAVY = ("edusim.model", "edusim.scenario", "mesa", "pandas", "scipy", "matplotlib", "numba")

PROBE = """
import json, sys
from edusim.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    code = done.code
heavy = sorted(name for name in sys.modules if name.split(".")[0] in {heavy_roots}
               or name.startswith(("edusim.model", "edusim.scenario")))
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def _imports_after(argv: list[str]) -> dict:
    """Run `edusim ARGV` in a fresh interpreter; its exit code and the heavy modules loaded."""
    roots = {name for name in HEAVY if "." not in name}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy_roots=sorted(roots)), *argv],
        capture_output=True,
        text=True,
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["run", "--help"],
        ["report", "--help"],
        ["serve", "--help"],
        ["run"],  # missing scenario: an argument error
        ["report", "x", "--formats", "gif"],
        ["frobnicate"],
    ],
)
def test_help_and_argument_errors_import_nothing_heavy(argv):
    seen = _imports_after(argv)
    assert seen["code"] == (0 if argv[-1] in ("--help", "--version") else 2)
    assert seen["heavy"] == []


def test_every_command_in_the_table_has_a_sub_parser():
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(subparsers.choices) == [command.name for command in COMMANDS]
    for command in COMMANDS:
        assert subparsers.choices[command.name].get_default("execute") is command.execute
