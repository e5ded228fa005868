"""`edusim schema`: the JSON Schema of scenario files, for editors' YAML support."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from edusim.cli.common import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    parser.add_argument(
        "--province",
        action="store_true",
        help="the schema of province files (top-level `cities:`, docs/scale.md) instead",
    )


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    return _write_schema(args.out, args.province)


def _write_schema(out: Path | None, province: bool = False) -> int:
    from edusim.scenario.json_schema import province_json_schema, scenario_json_schema

    schema = province_json_schema() if province else scenario_json_schema()
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
        return 0
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(out)
    print(f"JSON Schema of {'province' if province else 'scenario'} files written to {out}")
    return 0


COMMAND = Command(
    name="schema",
    help="write the JSON Schema of scenario files (for editors' YAML support)",
    description="Write the JSON Schema (draft 2020-12) of scenario files, `extends` "
    "included, to standard output or --out; with --province, that of province files "
    "(several cities, docs/scale.md). See the README for VS Code and PyCharm.",
    add_arguments=add_arguments,
    execute=execute,
)
