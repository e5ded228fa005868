"""Check that a change of code leaves a run's tables byte for byte as they were.

Runs a fixed set of scenarios (`edusim run ... --no-report --quiet`, one at a time, each in
its own process under the current `PYTHONPATH`) into a folder, then compares every table
(`*.parquet`, `*.csv`) with the same run in a reference folder by its bytes. A speed-up
that is meant to change nothing must leave every table identical; manifests and summaries
hold times and are not compared.

    python tools/same_tables.py run /tmp/before          # on the code before the change
    python tools/same_tables.py run /tmp/after           # on the code after it
    python tools/same_tables.py compare /tmp/before /tmp/after

Exit status of `compare`: 0 when every table of every run is identical, 1 otherwise (each
differing or missing table is printed).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

#: (name of the run, scenario, years, seed): the cities a speed-up must leave as they were.
RUNS: tuple[tuple[str, str, int, int], ...] = (
    ("demo", "scenarios/demo.yaml", 8, 2),
    ("sanming", "scenarios/sanming.yaml", 5, 2),
    ("dalian", "scenarios/dalian.yaml", 4, 2),
    ("hangzhou", "scenarios/hangzhou.yaml", 3, 2),
)
TABLE_SUFFIXES = (".parquet", ".csv")


def run_all(out: Path, only: list[str] | None = None) -> None:
    """Run every scenario of `RUNS` (or those named in `only`) into `out/<name>`."""
    out.mkdir(parents=True, exist_ok=True)
    for name, scenario, years, seed in RUNS:
        if only and name not in only:
            continue
        command = [
            sys.executable,
            "-m",
            "edusim",
            "run",
            scenario,
            "--years",
            str(years),
            "--seed",
            str(seed),
            "--no-report",
            "--quiet",
            "--out",
            str(out / name),
        ]
        print(" ".join(command[2:]), flush=True)
        subprocess.run(command, check=True)


def table_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every table under `folder`, keyed by its path relative to it."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.suffix in TABLE_SUFFIXES
    }


def compare(before: Path, after: Path) -> int:
    """Print every table that differs or is missing; the number of them."""
    old, new = table_digests(before), table_digests(after)
    differing = 0
    for table in sorted(set(old) | set(new)):
        if old.get(table) != new.get(table):
            differing += 1
            state = "missing" if table not in old or table not in new else "differs"
            print(f"{state}: {table}")
    print(f"{len(old)} tables before, {len(new)} after, {differing} differing or missing")
    return differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    runner = commands.add_parser("run", help="run the scenarios into a folder")
    runner.add_argument("out", type=Path)
    runner.add_argument("--only", nargs="+", help="names of the runs to make (default: all)")
    comparer = commands.add_parser("compare", help="compare two folders' tables")
    comparer.add_argument("before", type=Path)
    comparer.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        run_all(args.out, args.only)
        return 0
    return 1 if compare(args.before, args.after) else 0


if __name__ == "__main__":
    sys.exit(main())
