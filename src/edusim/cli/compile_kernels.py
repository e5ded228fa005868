"""`edusim compile`: compile edusim's numba kernels once, ahead of the first run; and the
check `edusim run` makes to say, in one line, when a run will compile them itself.

The yearly passes are numba kernels compiled with `cache=True`: the first run compiles
them (about 25 CPU-s on this project's 2-core test machine) and writes numba's cache
(an index `*.nbi` and data `*.nbc` per kernel, beside the module in `__pycache__`, or
under `NUMBA_CACHE_DIR` when it is set, or in the user's cache when the package folder
is read-only); later runs load them in well under a second. `edusim compile` runs the
tiny demo city once per assignment mechanism, so a user, or a cluster image at install,
pays the compilation before any real run."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from edusim.cli.common import EXIT_OK, Command

KERNEL_MODULES: tuple[str, ...] = (
    "edusim.randomness",
    "edusim.agents.population",
    "edusim.grouped",
    "edusim.metrics.passes",
    "edusim.phases.private_intake",
    "edusim.phases.travel",
    "edusim.policy.enrollment",
    "edusim.policy.mechanisms.deferred_acceptance",
    "edusim.policy.mechanisms.parallel",
    "edusim.policy.mechanisms.serial_dictatorship",
    "edusim.policy.mechanisms.top_trading_cycles",
    "edusim.policy.transfers",
    "edusim.processes.aggregate",
    "edusim.processes.family_choice",
    "edusim.processes.housing",
    "edusim.processes.housing_rounds",
    "edusim.processes.learning",
    "edusim.world.households",
)
"""Every module holding an `@njit(cache=True)` kernel (tests/test_compile_command.py
checks this against the source)."""

EVERY_RUN: tuple[str, ...] = (
    "edusim.randomness._uniform_of_ids",
    "edusim.agents.population._compact",
    "edusim.processes.aggregate._counts",
    "edusim.processes.learning._school_year_achievement",
)
"""Kernels that every run compiles whatever its rules (per-agent draws, the population's
compaction, per-school counts, learning): the marker of a cold cache. The other kernels
depend on the rules in force (a mechanism, private schools, the housing market), so a
warm cache may lack some of them and a run compiles those few itself, in seconds."""

COMPILE_SECONDS = 25
"""CPU seconds a cold first run of Hangzhou spent compiling (45.8 CPU-s against 21.4 on
the warm cache, measured on this project's 2-core machine, docs/scale.md): the note's
estimate."""

COLD_NOTE = (
    f"edusim: compiling edusim's numba kernels once (about {COMPILE_SECONDS} CPU-s); later "
    "runs reuse them (`edusim compile` does this ahead of time)"
)

MECHANISMS_TO_COMPILE: tuple[str, ...] = (
    "deferred_acceptance",
    "immediate_acceptance",
    "parallel",
    "serial_dictatorship",
    "top_trading_cycles",
)
"""The assignment mechanisms the warm-up runs the demo city under, one run each (each has
its own kernel)."""


def cached_kernels() -> dict[str, object]:
    """Every cached numba kernel of `KERNEL_MODULES`, by qualified name (imports them)."""
    import importlib

    from numba.core.dispatcher import Dispatcher

    kernels = {}
    for name in KERNEL_MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            cached = isinstance(value, Dispatcher) and type(value._cache).__name__ != "NullCache"
            if cached and value.__module__ == name:
                kernels[f"{name}.{attribute}"] = value
    return kernels


def is_cached(kernel: object) -> bool:
    """Whether numba's cache holds at least one compiled version of `kernel` that it would
    load: the index exists, was written by this numba and matches the source file as it
    is now (numba's own test, `IndexDataCacheFile._load_index`: one small file read)."""
    return bool(kernel._cache._cache_file._load_index())


def cold_kernels(names: Sequence[str] | None = None) -> list[str]:
    """The kernels among `names` (default: every cached kernel) with nothing cached."""
    kernels = cached_kernels()
    return [name for name in (names or kernels) if not is_cached(kernels[name])]


def note_if_cold() -> bool:
    """Print `COLD_NOTE` on stderr if the kernels every run uses are not cached (not under
    `-q`); whether it did."""
    import logging

    from edusim.log import LOGGER

    if LOGGER.isEnabledFor(logging.WARNING) and cold_kernels(EVERY_RUN):
        print(COLD_NOTE, file=sys.stderr, flush=True)
        return True
    return False


def warm_up(years: int = 1) -> list[str]:
    """Run the demo city for `years` once per assignment mechanism (the same mechanism for
    public and private places), so that numba compiles and caches every kernel those runs
    use; the kernels still without a cached version afterwards (those no run calls, such
    as a kernel only the reference paths of the tests use)."""
    from edusim.results import run_scenario
    from edusim.scenario.loader import load_scenario

    for mechanism in MECHANISMS_TO_COMPILE:
        scenario = load_scenario(
            "demo",
            {
                "years": years,
                "enrollment.mechanism": mechanism,
                "enrollment.private_mechanism": mechanism,
            },
        )
        run_scenario(scenario)
    return cold_kernels()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        action="store_true",
        help="only list the kernels with nothing cached (exit 1 if those every run uses are "
        "among them), compile nothing",
    )


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    total = len(cached_kernels())
    if args.check:
        cold = cold_kernels()
        for name in cold:
            print(name)
        print(f"{total - len(cold)} of {total} kernels cached")
        return 1 if set(cold) & set(EVERY_RUN) else EXIT_OK
    started = time.process_time()
    print("edusim: compiling edusim's numba kernels on the demo city...", file=sys.stderr)
    cold = warm_up()
    seconds = time.process_time() - started
    print(f"{total - len(cold)} of {total} kernels compiled and cached ({seconds:.1f} CPU-s)")
    if cold:
        print(f"not compiled, as no run of the demo city calls them: {', '.join(cold)}")
    return 1 if set(cold) & set(EVERY_RUN) else EXIT_OK


COMMAND = Command(
    name="compile",
    help="compile and cache the numba kernels once (at install, or before a first run)",
    description="Compile edusim's numba kernels on the tiny demo city and cache them, so "
    "that the first real run does not spend half a minute compiling. `--check` lists the "
    "kernels not cached (exit 1 if the cache is cold).",
    add_arguments=add_arguments,
    execute=execute,
)
