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
    from edusim.scenario.province_loader import is_province_file

    if is_province_file(args.scenario):
        return describe_province(args)

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
    model.release()  # only read from here on: out of Mesa's registry of agent ids
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


def describe_province(args: argparse.Namespace) -> int:
    """A province file: its settings as resolved and one line per city (its shard's seed,
    years, districts, pupils and schools as the run will simulate them, and the source of
    its counts), without building any city."""
    import yaml

    from edusim.cli.common import BadArgumentError
    from edusim.province.shards import shard_seed
    from edusim.scenario.province_loader import load_province

    for name, flag in (("overrides", "--set"), ("counterfactual", "--counterfactual")):
        if getattr(args, name, None):
            raise BadArgumentError(
                f"{flag} applies only to a single-city scenario, not to the province file "
                f"{args.scenario} (set a city's keys with its `set:` in the file)"
            )
    if args.plan:
        raise BadArgumentError(
            f"--plan describes one city's year; {args.scenario} is a province file: "
            "describe a city's own scenario file instead"
        )
    province = load_province(Path(args.scenario), seed=args.seed)
    spec = province.spec.model_dump(mode="json", exclude={"cities"})
    print(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100).rstrip())
    print(f"# {len(province.cities)} cities, each its own shard (docs/scale.md)")
    print(
        f"{'city':<14}{'seed':>21}{'years':>6}{'districts':>10}{'P pupils':>10}{'J pupils':>10}"
        f"{'P schools':>10}{'J schools':>10}  source"
    )
    for city, scenario in zip(province.spec.cities, province.cities, strict=True):
        districts = scenario.city.districts
        pupils = [
            sum(getattr(d.pupils, stage) for d in districts) for stage in ("primary", "junior")
        ]
        schools = [
            sum(getattr(d.schools, stage) for d in districts) for stage in ("primary", "junior")
        ]
        origin = city.extends if city.generated is None else "generated"
        print(
            f"{city.name:<14}{shard_seed(province.spec.seed, city.name):>21}{scenario.years:>6}"
            f"{len(districts):>10}{pupils[0]:>10}{pupils[1]:>10}{schools[0]:>10}{schools[1]:>10}"
            f"  {origin}; {city.source}"
        )
    return EXIT_OK


COMMAND = Command(
    name="describe",
    help="print the resolved scenario and the city it builds",
    description="Print the resolved scenario and the counts of schools, teachers and "
    "pupils by district and stage; with --plan, the yearly schedule instead. For a province "
    "file (top-level `cities:`): its settings and one line per city (seed, years, "
    "districts, pupils, schools, source), without building the cities.",
    add_arguments=add_arguments,
    execute=execute,
)
