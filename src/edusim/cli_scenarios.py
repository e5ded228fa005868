"""`edusim scenarios` (the shipped scenarios by name) and `edusim schema` (the JSON
Schema of scenario files). Registered by cli.py; kept apart so the main command module
stays thin."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

COMMANDS: tuple[str, ...] = ("scenarios", "schema")


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add the `scenarios` and `schema` subcommands."""
    commands.add_parser(
        "scenarios",
        help="list the scenarios that ship with edusim (usable by name: edusim run demo)",
        description="List the shipped scenarios with their descriptions. Any command "
        "that takes a scenario file also takes one of these names.",
    )
    schema = commands.add_parser(
        "schema",
        help="write the JSON Schema of scenario files (for editors' YAML support)",
        description="Write the JSON Schema (draft 2020-12) of scenario files, `extends` "
        "included, to standard output or --out. See the README for VS Code and PyCharm.",
    )
    schema.add_argument("--out", type=Path, help="file to write (default: standard output)")


def run(args: argparse.Namespace) -> int:
    """Run `scenarios` or `schema`; returns the exit code."""
    if args.command == "scenarios":
        return _list_scenarios()
    return _write_schema(args.out)


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


def _write_schema(out: Path | None) -> int:
    from edusim.scenario.json_schema import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
        return 0
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(out)
    print(f"JSON Schema of scenario files written to {out}")
    return 0
