"""What every command shares: exit codes, the command record, scenario arguments, checks
of argument values. Light on purpose: `edusim --help` imports this and nothing of the
simulator (the scenario schema is imported only by a command that reads a scenario)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from edusim.scenario.schema import Scenario

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class BadArgumentError(Exception):
    """A command-line value refused before any work (exit 2)."""


@dataclass(frozen=True)
class Command:
    """One `edusim COMMAND`: its help, its arguments, and what it does.

    `add_arguments` only declares arguments (it must import nothing heavy, since every
    command's arguments are declared for `--help`); `execute(args, argv)` does the work and
    imports what it needs, returning the exit code."""

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    execute: Callable[[argparse.Namespace, Sequence[str]], int]


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    """The scenario file and its `--set` overrides (run, validate, describe)."""
    parser.add_argument(
        "scenario",
        help="scenario YAML file (may use 'extends:') or the name of a shipped scenario "
        "(edusim scenarios lists them)",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter, e.g. --set learning.peer_effect=0.05 or "
        "--set 'city.districts[Xihu].towns=12' (repeatable)",
    )


def positive(text: str) -> int:
    """An argument type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def command_line(argv: Sequence[str]) -> list[str]:
    """The command as typed, stored in a run's manifest."""
    return ["edusim", *argv]


def check_seed(seed: int | None) -> None:
    """Refuse a --seed the result tables cannot store, before the simulation runs."""
    if seed is None:
        return
    from edusim.scenario.schema import MAX_SEED

    if not 0 <= seed <= MAX_SEED:
        raise BadArgumentError(
            f"--seed must be an integer from 0 to {MAX_SEED} (2^63 - 1, the largest seed the "
            f"result tables store), got {seed}"
        )


def overrides(args: argparse.Namespace) -> list[str]:
    """`--set` pairs plus --seed and --years, so all are validated like the file itself."""
    check_seed(getattr(args, "seed", None))
    pairs = list(args.overrides)
    for name in ("seed", "years"):
        value = getattr(args, name, None)
        if value is not None:
            pairs.append(f"{name}={value}")
    return pairs


def warn_skipped(scenario: Scenario) -> None:
    """One line on stderr per dated item after the run's end: skipped, not an error."""
    from edusim.log import LOGGER
    from edusim.scenario.loader import skipped_after_run

    for problem in skipped_after_run(scenario):
        LOGGER.warning("%s", problem)


RESUME_HINT = (
    "edusim: interrupted; finished replications are kept, rerun the same command to resume"
)
"""What a command built on the experiment runner says when it is interrupted."""


def run_search(
    search: Callable[[], Any], failures: tuple[type[Exception], ...] = ()
) -> tuple[Any, int]:
    """Run a batched Optuna search (`edusim calibrate`, `edusim plan`) and return (its
    result, EXIT_OK); Optuna or Dask missing, or one of the search's own `failures`,
    print the message and give (None, EXIT_BAD_INPUT); an interrupt prints RESUME_HINT
    and gives (None, EXIT_INTERRUPTED). ScenarioError and OutputFolderError pass on to
    cli.main (exit 2 with the YAML path)."""
    from edusim.experiment import DaskUnavailableError
    from edusim.experiment.batched_search import OptunaMissingError

    try:
        return search(), EXIT_OK
    except (OptunaMissingError, DaskUnavailableError, *failures) as error:
        print(f"edusim: {error}", file=sys.stderr)
        return None, EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(RESUME_HINT, file=sys.stderr)
        return None, EXIT_INTERRUPTED


def add_paired_arguments(
    parser: argparse.ArgumentParser, reps: int, years: int | None, out: str
) -> None:
    """Replications, years, root seed, workers, output folder and --quiet, for the commands
    that run paired replications of one scenario through the experiment runner."""
    parser.add_argument(
        "--reps", type=positive, default=reps, help=f"paired replications (default: {reps})"
    )
    default_years = "the scenario's" if years is None else str(years)
    parser.add_argument(
        "--years", type=positive, default=years, help=f"school years (default: {default_years})"
    )
    parser.add_argument("--seed", type=int, default=1, help="root seed (default: 1)")
    parser.add_argument(
        "--workers",
        type=positive,
        help="local worker processes (default: every core; 1 runs in this process)",
    )
    parser.add_argument("--out", type=Path, help=f"output folder (default: {out})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or table")


def add_search_arguments(parser: argparse.ArgumentParser, proposed: str, out_folder: str) -> None:
    """The arguments every batched Optuna search shares (`edusim calibrate`, `edusim plan`):
    the batch of `proposed` things per round, the seed, where the runs go and the output
    folder (default `results/<out_folder>/<scenario>`)."""
    parser.add_argument(
        "--batch",
        type=positive,
        default=8,
        help=f"{proposed} proposed at once (default 8); part of the result, unlike --workers",
    )
    parser.add_argument("--seed", type=int, default=1, help="sampler and replicate seed")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=positive, help="local worker processes (default: every core)"
    )
    where.add_argument("--dask", metavar="ADDR", help="Dask scheduler address")
    parser.add_argument(
        "--dask-wait", type=positive, default=60, metavar="SECONDS", help="with --dask"
    )
    parser.add_argument(
        "--out", type=Path, help=f"output folder (default: results/{out_folder}/<scenario>)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress or summary")
