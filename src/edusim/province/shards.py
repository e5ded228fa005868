"""One city of a province as an independent task (a shard), and what its worker returns.

`run_shard` is what every executor calls (this process, a spawned process, a Dask
worker). It never raises: a failing city comes back with its traceback, so one bad city
cannot sink the others. It returns the city's tables (the client writes them, so workers
need no shared file system) with what the shard cost: CPU seconds of the worker process
(user + system) and the worker's peak resident memory so far.
"""

from __future__ import annotations

import resource
import sys
import time
import traceback
from dataclasses import dataclass

from edusim.randomness import Streams
from edusim.results import RunResult
from edusim.scenario.schema import MAX_SEED, Scenario

SHARD_PURPOSE = "province.city"
"""The stream purpose a city's seed is drawn from (with the city's name appended)."""


def shard_seed(province_seed: int, city: str) -> int:
    """The seed of `city`'s shard: one draw of the province's seeded stream for that city's
    name, so it depends on the province seed and the name only (not on the city's position
    in the file or on which worker runs it)."""
    generator = Streams(province_seed).generator(f"{SHARD_PURPOSE}.{city}")
    return int(generator.integers(0, MAX_SEED, endpoint=True))


@dataclass(frozen=True)
class ShardTask:
    """One city: its resolved scenario, its seed and the client's model-code hash."""

    city: str
    scenario: Scenario
    seed: int
    model_hash: str | None = None


@dataclass(frozen=True)
class ShardOutcome:
    """A finished city's tables and costs, or its error."""

    city: str
    seed: int
    result: RunResult | None
    error: str | None
    cpu_seconds: float
    wall_seconds: float
    peak_rss_mib: float

    @property
    def ok(self) -> bool:
        """Whether the city ran to its end."""
        return self.error is None


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def run_shard(task: ShardTask) -> ShardOutcome:
    """Simulate one city; return its tables, or the traceback of its failure."""
    from edusim.experiment.task import CodeMismatchError, code_mismatch, release_memory
    from edusim.provenance import model_hash
    from edusim.results import run_scenario

    started, cpu = time.perf_counter(), _cpu_seconds()
    result, error = None, None
    try:
        mismatch = code_mismatch(task.model_hash, model_hash())
        if mismatch is not None:
            raise CodeMismatchError(mismatch)
        result = run_scenario(task.scenario, task.seed)
    except Exception:
        error = traceback.format_exc()
    cpu = _cpu_seconds() - cpu
    wall = time.perf_counter() - started
    peak = peak_rss_mib()
    release_memory()
    return ShardOutcome(task.city, task.seed, result, error, cpu, wall, peak)


def lost_shard(task: ShardTask, error: BaseException) -> ShardOutcome:
    """The outcome of a city whose worker died or could not be reached."""
    text = "".join(traceback.format_exception(error))
    return ShardOutcome(task.city, task.seed, None, text, 0.0, 0.0, 0.0)
