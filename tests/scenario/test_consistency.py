"""Values the schema accepts must run: fields checked together, finite numbers, no yes/no
read as a number, seeds the tables can store, and a city that can be laid out in cells."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from edusim.cli import EXIT_BAD_INPUT, main
from edusim.experiment.plan import replicate_seed
from edusim.results import run_scenario, write_run
from edusim.scenario import MAX_SEED
from edusim.scenario.loader import ScenarioError, load_scenario, validate_mapping
from edusim.scenario.schema import TeacherParams
from edusim.world import grid, layout_limits, synthetic_layout
from edusim.world.geography import build_geography
from edusim.world.grid import MAX_GRID_POINTS
from edusim.world.layout_limits import layout_problems


def _problems(error: pytest.ExceptionInfo[ScenarioError]) -> dict[str, str]:
    return {problem.path: problem.message for problem in error.value.problems}


# -- teacher tiers and ages ------------------------------------------------------------


@pytest.mark.parametrize(
    "assignment",
    [
        "teachers.share_backbone=1",
        "teachers.share_backbone=0.96",
        "teachers.share_famous_special=1",
        "teachers.share_municipal_backbone=1",
    ],
)
def test_tier_shares_that_overflow_are_refused_up_front(demo_path, assignment, capsys):
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, [assignment])
    assert "must sum to at most 1" in _problems(error)["teachers"]
    assert main(["validate", str(demo_path), "--set", assignment]) == EXIT_BAD_INPUT
    assert "teachers: share_famous_special + share_municipal_backbone" in capsys.readouterr().err


def test_tier_shares_that_fill_every_teacher_run(demo_path):
    """0.01 + 0.04 + 0.95 is exactly 1 in floating point: allowed, and the run promotes."""
    scenario = load_scenario(demo_path, {"teachers.share_backbone": 0.95, "years": 1})
    metrics = run_scenario(scenario).tables["metrics"]
    assert np.isfinite(metrics.loc[metrics["metric"] == "achievement_sd", "value"]).all()


def test_a_hire_older_than_retirement_is_refused():
    with pytest.raises(ValueError, match=r"hire_age_mean .* must be below the retirement ages"):
        TeacherParams(hire_age_mean=56, retirement_age_female=55)


def test_timeline_events_are_checked_together_in_the_order_they_fire(small_scenario):
    small_scenario["timeline"] = [
        {"date": "2020-03-01", "label": "b", "set": {"teachers.share_municipal_backbone": 0.5}},
        {"date": "2019-03-01", "label": "a", "set": {"teachers.share_backbone": 0.5}},
    ]
    with pytest.raises(ScenarioError) as error:
        validate_mapping(small_scenario, "test")
    problems = _problems(error)
    assert list(problems) == ["timeline[0].set"]  # the later-firing event, listed first
    assert "after the events before it" in problems["timeline[0].set"]
    assert "must sum to at most 1" in problems["timeline[0].set"]


# -- finite numbers, no yes/no as a number ---------------------------------------------


@pytest.mark.parametrize("value", ["inf", ".inf", "-.inf", "1e309", "nan", ".nan", "NaN"])
def test_infinite_and_nan_are_refused_with_a_message_that_says_so(demo_path, value):
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, [f"learning.peer_effect={value}"])
    assert _problems(error)["learning.peer_effect"].startswith("must be a finite number")


def test_infinity_in_a_yaml_file_is_refused(write_yaml, demo_path):
    path = write_yaml(
        "infinite.yaml",
        f"extends: {demo_path}\nlearning:\n  peer_effect: 1.0e+309\ncity:\n  cell_km: .inf\n",
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    problems = _problems(error)
    assert problems["learning.peer_effect"] == "must be a finite number (got inf)"
    assert problems["city.cell_km"] == "must be a finite number (got inf)"


@pytest.mark.parametrize(
    "path", ["learning.peer_effect", "city.districts[0].towns", "funding.budget_cap_cny", "seed"]
)
def test_yes_no_is_not_a_number(demo_path, path):
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, {path: True})
    assert _problems(error)[path] == "expected a number, got the yes/no value true"


def test_yes_no_fields_still_take_yes_no_and_numbers_take_numeric_text(demo_path):
    scenario = load_scenario(
        demo_path,
        ["enrollment.catchment_priority=false", "learning.peer_effect=1e-2", "seed=12"],
    )
    assert scenario.enrollment.catchment_priority is False
    assert scenario.learning.peer_effect == 0.01


# -- seeds -----------------------------------------------------------------------------


def test_the_largest_seed_fits_the_tables(demo_path, tmp_path):
    assert MAX_SEED == 2**63 - 1 == np.iinfo(np.int64).max
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, {"seed": MAX_SEED + 1})
    assert _problems(error)["seed"].startswith(f"must be at most {MAX_SEED} (2^63 - 1)")
    scenario = load_scenario(demo_path, {"seed": MAX_SEED, "years": 1})
    write_run(run_scenario(scenario), tmp_path / "run")
    stored = pd.read_parquet(tmp_path / "run" / "metrics.parquet")
    assert stored["seed"].dtype == np.int64 and set(stored["seed"]) == {MAX_SEED}


@pytest.mark.parametrize("root", [0, 1, MAX_SEED, 2**80])
def test_replicate_seeds_derived_from_any_root_fit_the_tables(root):
    assert all(0 <= replicate_seed(root, k) <= MAX_SEED for k in (0, 1, 99_999))


# -- laying the city out in cells ------------------------------------------------------


def test_a_tiny_district_is_refused_before_anything_is_allocated(demo_path, capsys):
    """Measured in memory, not in seconds: laying out cells for a district of 1e-300 km²
    would ask for an astronomical array, so a refusal after allocating would show as a
    traced peak (or a MemoryError), on any machine however slow."""
    tracemalloc.start()
    for area in (1e-7, 1e-8, 1e-300):
        with pytest.raises(ScenarioError) as error:
            load_scenario(demo_path, {"city.districts[Riverside].area_km2": area})
        message = _problems(error)["city.districts[1].area_km2"]
        assert message.startswith(f"district 'Riverside' ({area:g} km²) ")
        assert "expected at least about 0.004" in message
        assert len(error.value.problems) == 1  # not repeated for the counterfactual
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB allocated before the refusal"
    assignment = "city.districts[Riverside].area_km2=1e-7"
    assert main(["describe", str(demo_path), "--set", assignment]) == EXIT_BAD_INPUT
    assert "Traceback" not in capsys.readouterr().err


def test_too_many_cells_is_refused_at_the_cell_size(demo_path):
    with pytest.raises(ScenarioError) as error:
        load_scenario(
            demo_path, {"city.cell_km": 0.11, "city.districts[Hill County].area_km2": 100_000}
        )
    assert f"more than the limit of {MAX_GRID_POINTS:,}" in _problems(error)["city.cell_km"]


def test_the_shipped_cities_lay_out_within_the_limits(demo_path):
    from edusim.scenario.province_loader import is_province_file, load_province

    for path in sorted(demo_path.parent.glob("*.yaml")):
        if is_province_file(path):  # a province: each of its cities
            for city in load_province(path).cities:
                assert layout_problems(city.city) == [], (path.name, city.name)
        elif path.name != "base.yaml":
            assert layout_problems(load_scenario(path).city) == [], path.name


def test_the_smallest_area_accepted_lays_out_for_any_rotation(demo_path):
    """The check is a guarantee: at the smallest area it accepts, the layout succeeds."""
    city = load_scenario(demo_path).city

    def with_riverside(area: float):
        riverside = city.districts[1].model_copy(update={"area_km2": area})
        districts = (city.districts[0], riverside, *city.districts[2:])
        return city.model_copy(update={"districts": districts}), riverside

    tiny, _ = with_riverside(1e-3)
    assert layout_problems(tiny) != []
    smallest = layout_limits._smallest_fitting_area(tiny, 1)
    assert smallest is not None and 1e-4 < smallest < 1
    small, riverside = with_riverside(smallest)
    assert layout_problems(small) == []
    for seed in range(6):
        geo = build_geography(small, np.random.default_rng(seed))
        assert (geo.cell_district == 1).sum() >= synthetic_layout._district_needed_cells(riverside)


def test_the_layout_never_builds_a_grid_past_the_limit():
    """The guard behind validation: a region that slipped past it raises before allocating
    (here a grid of about 1.2 times the limit over a unit square)."""
    spacing = 1 / math.sqrt(1.2 * MAX_GRID_POINTS)
    assert grid._grid_size((0.0, 1.0, 0.0, 1.0), spacing) > MAX_GRID_POINTS
    with pytest.raises(ValueError, match="would test more than"):
        grid._cells_for(lambda x, y: x > 0, (0.0, 1.0, 0.0, 1.0), spacing**2, 1, 1.0)


def test_every_city_the_check_accepts_lays_out(small_scenario):
    """Random cities with districts from 0.001 to 1,000 km²: when the check accepts one,
    the layout succeeds for every rotation tried (the check is a guarantee, not a guess)."""
    from edusim.scenario.schema import City

    rng = np.random.default_rng(12)
    accepted = refused = 0
    for _ in range(40):
        districts = [
            {
                "name": f"D{k}",
                "kind": str(rng.choice(["urban", "suburban", "rural"])),
                "area_km2": float(10 ** rng.uniform(-3, 3)),
                "towns": int(rng.integers(1, 6)),
                "schools": {"primary": int(rng.integers(1, 12)), "junior": 1},
                "pupils": {"primary": 100, "junior": 50},
            }
            for k in range(int(rng.integers(2, 6)))
        ]
        city = City.model_validate({"cell_km": float(rng.uniform(0.2, 2)), "districts": districts})
        if layout_problems(city):
            refused += 1
            continue
        accepted += 1
        for seed in range(3):
            build_geography(city, np.random.default_rng(seed))
    assert accepted >= 10 and refused >= 3


def test_a_region_that_still_cannot_fit_is_refused_with_its_path(small_scenario):
    """The last line of defence behind the check: no lattice point in a region at any
    spacing tried is a ScenarioError at the district's area, not a crash."""
    scenario = validate_mapping(small_scenario, "test")
    inside_nothing = lambda x, y: np.zeros(x.shape, dtype=bool)  # noqa: E731
    with pytest.raises(ScenarioError) as error:
        grid.district_cells(scenario.city, 1, inside_nothing, (0.0, 1.0, 0.0, 1.0), 1.0, 3)
    assert "too thin a part of its ring" in _problems(error)["city.districts[1].area_km2"]
