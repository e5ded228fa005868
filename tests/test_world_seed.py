"""`world_seed`: the city as built comes from its own seed when a scenario sets one, so
replicates that differ in their run seed run on one city; unset, the run's seed builds
the city as before."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from edusim.cli import EXIT_BAD_INPUT, main
from edusim.model import EduModel
from edusim.scenario.loader import ScenarioError, load_scenario


def _built(scenario: dict[str, Any], seed: int) -> dict[str, Any]:
    """The city as built by a model (year 0, nothing simulated): every school column,
    every teacher and family column, and the year-0 tables."""
    model = EduModel(load_scenario({**scenario, "years": 2}), seed)
    try:
        table = model.school_table
        return {
            "schools": {name: np.array(getattr(table, name)) for name in vars(table)},
            "teachers": _columns(model.teachers),
            "families": _columns(model.families),
            "tables": {name: frame.drop(columns="seed") for name, frame in _tables(model)},
            "world_seed": model.world_seed,
        }
    finally:
        model.release()


def _columns(population: Any) -> dict[str, np.ndarray]:
    return {name: getattr(population, name).copy() for name in ("uid", *population.fields)}


def _tables(model: EduModel) -> list[tuple[str, pd.DataFrame]]:
    tables = model.tables()
    return [(name, tables[name]) for name in ("schools", "city", "metrics")]


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    for part in ("schools", "teachers", "families"):
        if a[part].keys() != b[part].keys():
            return False
        for name, values in a[part].items():
            other = b[part][name]
            numeric = values.dtype.kind in "fc"
            if values.shape != other.shape or not np.array_equal(values, other, equal_nan=numeric):
                return False
    return all(a["tables"][name].equals(b["tables"][name]) for name in a["tables"])


def _run(scenario: dict[str, Any], seed: int) -> dict[str, pd.DataFrame]:
    model = EduModel(load_scenario({**scenario, "years": 2}), seed).run()
    try:
        return {name: frame.drop(columns="seed") for name, frame in model.tables().items()}
    finally:
        model.release()


def test_one_world_seed_builds_one_city_whatever_the_run_seed(small_city):
    fixed = {**small_city, "world_seed": 5}
    first, second = _built(fixed, 11), _built(fixed, 12)
    assert first["world_seed"] == second["world_seed"] == 5
    assert _same(first, second)
    # ... while the school years' draws follow the run seed: the runs differ
    runs = _run(fixed, 11), _run(fixed, 12)
    assert not runs[0]["metrics"].equals(runs[1]["metrics"])
    # and another world seed is another city
    assert not _same(first, _built({**small_city, "world_seed": 6}, 11))


def test_without_a_world_seed_the_run_seed_builds_the_city_as_before(small_city):
    plain = _built(small_city, 11)
    assert plain["world_seed"] == 11
    assert not _same(plain, _built(small_city, 12))  # each run seed its own city
    # a world seed equal to the run seed is the default, run included, table for table
    same = {**small_city, "world_seed": 11}
    assert _same(plain, _built(same, 11))
    runs = _run(small_city, 11), _run(same, 11)
    assert runs[0].keys() == runs[1].keys()
    for name in runs[0]:
        pd.testing.assert_frame_equal(runs[0][name], runs[1][name], check_exact=True)


@pytest.mark.parametrize("value", [-1, 2**63, "seven", 1.5, True])
def test_a_bad_world_seed_is_refused_at_its_key(small_city, value):
    with pytest.raises(ScenarioError, match="world_seed"):
        load_scenario({**small_city, "world_seed": value})


def test_a_bad_world_seed_exits_2_naming_the_key_and_writes_nothing(demo_path, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        ["run", str(demo_path), "--years", "1", "--set", "world_seed=-3", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert "world_seed" in err and "Traceback" not in err
    assert not out.exists()
