"""`edusim scenarios`: the scenarios that ship with edusim, usable by name."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from edusim.cli.common import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No arguments."""


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    return _list_scenarios()


def _list_scenarios() -> int:
    from edusim.scenario.library import describe_shipped, scenario_folder

    shipped = describe_shipped()
    if not shipped:
        print("edusim: this installation ships no scenarios", file=sys.stderr)
        return 1
    width = max(map(len, shipped))
    for name, description in shipped.items():
        short = description if len(description) <= 90 else description[:89] + "…"
        print(f"{name:<{width}}  {short}".rstrip())
    print(f"\n(files in {scenario_folder()})")
    return 0


COMMAND = Command(
    name="scenarios",
    help="list the scenarios that ship with edusim (usable by name: edusim run demo)",
    description="List the shipped scenarios with their descriptions. Any command that "
    "takes a scenario file also takes one of these names.",
    add_arguments=add_arguments,
    execute=execute,
)
