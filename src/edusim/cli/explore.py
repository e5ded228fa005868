"""`edusim explore [SCENARIO]`: serve the SolaraViz page (edusim.explore) in a browser.

The scenario is checked first (exit 2 with the usual message), and a missing `solara` is
a one-line hint to install the `[explore]` extra (exit 2)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence

from edusim.cli.common import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario", nargs="?", default="demo", help="scenario name or file (default: demo)"
    )
    parser.add_argument("--years", type=int, help="school years (default: scenario's)")
    parser.add_argument("--seed", type=int, help="root seed (default: scenario's)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Check the scenario, then run solara's server until interrupted."""
    from edusim.scenario.loader import load_scenario

    overrides = [f"years={args.years}"] if args.years is not None else []
    load_scenario(args.scenario, overrides)  # a bad scenario fails here, before the server
    if importlib.util.find_spec("solara") is None:
        print("edusim: explore needs solara: pip install 'edusim[explore]'", file=sys.stderr)
        return 2
    environment = dict(os.environ, EDUSIM_EXPLORE_SCENARIO=str(args.scenario))
    if args.years is not None:
        environment["EDUSIM_EXPLORE_YEARS"] = str(args.years)
    if args.seed is not None:
        environment["EDUSIM_EXPLORE_SEED"] = str(args.seed)
    command = [sys.executable, "-m", "solara", "run", "edusim.explore.app"]
    command += ["--host", args.host, "--port", str(args.port), "--production", "--no-open"]
    command += ["--no-check-version"]  # offline: solara would ask PyPI for its latest version
    print(f"edusim explore: serving {args.scenario} at http://{args.host}:{args.port}/", flush=True)
    os.execve(sys.executable, command, environment)  # this process becomes the server
    return 0  # not reached


COMMAND = Command(
    name="explore",
    help="explore a scenario in the browser (map, charts, sliders; needs edusim[explore])",
    description="Serve an interactive page (Mesa's SolaraViz): the city map with schools "
    "coloured by quality, catchments shaded by premium and group links, live metric "
    "charts, sliders for main policy settings, and a year-by-year stepper.",
    add_arguments=add_arguments,
    execute=execute,
)
