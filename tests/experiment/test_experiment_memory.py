"""A worker's memory stays flat over many runs: nothing keeps a finished model alive
(Mesa 3.3's class-level `Agent._ids` counter is keyed by model)."""

from __future__ import annotations

import gc
import weakref

import mesa
import psutil
import pytest

from edusim.experiment.task import Task, run_task
from edusim.model import EduModel
from edusim.results import run_scenario
from edusim.scenario.loader import load_scenario

MIB = 1024 * 1024


def one_district(small_city: dict) -> dict:
    """The shared small city cut to its urban district: six schools, 1,800 pupils."""
    city = dict(small_city, years=2)
    city["city"] = {"districts": small_city["city"]["districts"][:1]}
    return city


def live_models() -> int:
    gc.collect()
    return sum(isinstance(thing, EduModel) for thing in gc.get_objects())


def test_a_finished_model_is_freed(small_city, monkeypatch):
    built: list[weakref.ref] = []
    original = EduModel.__init__

    def remember(self, *args, **kwargs):
        original(self, *args, **kwargs)
        built.append(weakref.ref(self))

    monkeypatch.setattr(EduModel, "__init__", remember)
    result = run_scenario(one_district(small_city), 3)
    assert not result.tables["metrics"].empty
    gc.collect()
    assert len(built) == 1 and built[0]() is None
    assert not any(isinstance(key, EduModel) for key in mesa.Agent._ids)


def test_a_model_that_failed_mid_run_is_freed(small_city, monkeypatch):
    built: list[weakref.ref] = []
    original = EduModel.__init__

    def remember(self, *args, **kwargs):
        original(self, *args, **kwargs)
        built.append(weakref.ref(self))

    def broken_year(self) -> None:
        raise RuntimeError("a year that fails")

    monkeypatch.setattr(EduModel, "__init__", remember)
    monkeypatch.setattr(EduModel, "step", broken_year)
    with pytest.raises(RuntimeError, match="a year that fails"):
        run_scenario(one_district(small_city), 3)
    gc.collect()
    assert len(built) == 1 and built[0]() is None


def test_a_worker_does_not_grow_with_the_runs_it_has_done(small_city):
    """Run as the pool's workers do (`run_task`); memory is compared by count of runs,
    not by time. Before the fix each run of this city kept about 0.3 MiB."""
    scenario = load_scenario(one_district(small_city))
    process = psutil.Process()

    def runs(seeds: range) -> int:
        for seed in seeds:
            assert run_task(Task(f"memory-{seed}", scenario, seed)).ok
        gc.collect()
        return process.memory_info().rss

    warmed = runs(range(10))  # caches, compiled kernels, the allocator's pools
    after = runs(range(10, 50))
    assert after - warmed < 6 * MIB, f"grew {(after - warmed) / MIB:.1f} MiB in 40 runs"
    assert live_models() == 0


@pytest.mark.parametrize("fails", [False, True])
def test_a_task_frees_its_model_before_it_returns(small_city, monkeypatch, fails):
    """A model is a reference cycle; `run_task` collects it at once instead of leaving it
    to the cyclic collector (switched off here, so nothing else could free it)."""
    built: list[weakref.ref] = []
    original = EduModel.__init__

    def remember(self, *args, **kwargs):
        original(self, *args, **kwargs)
        built.append(weakref.ref(self))

    def broken_year(self) -> None:
        raise RuntimeError("a year that fails")

    monkeypatch.setattr(EduModel, "__init__", remember)
    if fails:
        monkeypatch.setattr(EduModel, "step", broken_year)
    scenario = load_scenario(one_district(small_city))
    gc.disable()
    try:
        outcome = run_task(Task("freed", scenario, 3))
        alive = [ref() is not None for ref in built]
    finally:
        gc.enable()
    assert outcome.ok is not fails
    assert alive == [False]
