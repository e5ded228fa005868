"""`edusim describe`: the resolved scenario and the city it builds, or its yearly plan."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from edusim.cli.common import EXIT_OK, Command, add_scenario_arguments, overrides, warn_skipped


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_arguments(parser)
    parser.add_argument(
        "--plan",
        action="store_true",
        help="print the ordered phases and dated events, year by year",
    )
    parser.add_argument("--seed", type=int, help="root seed for the city (default: scenario's)")
    parser.add_argument(
        "--counterfactual",
        action="store_true",
        help="describe the scenario's counterfactual (the place without its reform) instead",
    )


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from edusim.scenario.loader import load_scenario, scenario_to_yaml

    scenario = load_scenario(Path(args.scenario), overrides(args))
    warn_skipped(scenario)
    if args.counterfactual:
        from edusim.scenario.counterfactual import counterfactual_of

        scenario = counterfactual_of(scenario)
    if args.plan:
        from edusim.calendar import plan_table

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


COMMAND = Command(
    name="describe",
    help="print the resolved scenario and the city it builds",
    description="Print the resolved scenario and the counts of schools, teachers and "
    "pupils by district and stage; with --plan, the yearly schedule instead.",
    add_arguments=add_arguments,
    execute=execute,
)
