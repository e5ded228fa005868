"""`edusim validate`: check a scenario file and list every problem."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from edusim.cli.common import (
    EXIT_OK,
    BadArgumentError,
    Command,
    add_scenario_arguments,
    warn_skipped,
)


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from edusim.scenario.loader import load_scenario
    from edusim.scenario.province_loader import is_province_file, load_province

    if is_province_file(args.scenario):  # a province: every city
        if args.overrides:
            raise BadArgumentError("--set applies only to a single-city scenario")
        province = load_province(Path(args.scenario))
        pupils = sum(
            d.pupils.primary + d.pupils.junior for c in province.cities for d in c.city.districts
        )
        print(
            f"{args.scenario}: valid province '{province.name}' ({len(province.cities)} "
            f"cities, {pupils:,} pupils)"
        )
        return EXIT_OK
    scenario = load_scenario(Path(args.scenario), args.overrides)
    warn_skipped(scenario)
    print(
        f"{args.scenario}: valid scenario '{scenario.name}' "
        f"({len(scenario.city.districts)} districts, {scenario.years} years from {scenario.start_year})"
    )
    return EXIT_OK


COMMAND = Command(
    name="validate",
    help="check a scenario file and list every problem",
    description="Check a scenario file; print each problem with its YAML path. Exit 2 if invalid.",
    add_arguments=add_scenario_arguments,
    execute=execute,
)
