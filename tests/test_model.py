"""EduModel: construction, the yearly invariants, teacher flows, reproducibility, Mesa."""

from __future__ import annotations

import inspect

import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edusim.agents.school import School
from edusim.metrics import METRICS
from edusim.model import EduModel
from edusim.processes.aggregate import school_counts
from edusim.scenario.loader import ScenarioError, load_scenario
from edusim.world.staff import staff_needed
from edusim.world.synthesis import stage_of_grade


def check_invariants(model: EduModel) -> None:
    """Placement and capacity invariants of the current state."""
    families, table = model.families, model.school_table
    n = len(table)
    # every pupil is enrolled in exactly one school (one index per row), of the right stage:
    # grades 1-6 in a primary school (stage 0), 7-9 in a junior school (stage 1)
    assert families.school.dtype.kind == "i"
    assert ((families.school >= 0) & (families.school < n)).all()
    assert families.grade.min() >= 1 and families.grade.max() <= 9
    np.testing.assert_array_equal(table.stage[families.school], stage_of_grade(families.grade))
    # ... of the district the family lives in
    np.testing.assert_array_equal(table.district[families.school], families.district)
    np.testing.assert_array_equal(families.district, model.geography.cell_district[families.cell])
    assert np.unique(families.uid).size == len(families)
    # no school above its hard capacity, and per grade none above its entry capacity
    np.testing.assert_array_equal(table.enrollment, school_counts(families.school, n))
    assert (table.enrollment <= table.capacity).all()
    for grade in range(1, 10):
        counts = school_counts(families.school[families.grade == grade], n)
        assert (counts <= table.entry_capacity).all(), f"grade {grade} over entry capacity"
    # housing premiums are never negative
    assert (table.premium_share >= 0).all()
    assert (table.premium_share <= model.params.housing.max_premium_share).all()


def check_staff_flows(model: EduModel, initial_teachers: int) -> None:
    """Teachers are conserved: in post after = before - retired - quit + hired, year to year."""
    in_post = initial_teachers
    for year in sorted(model.staff_flows):
        flows = model.staff_flows[year]
        assert flows["in_post_before"] == in_post
        assert min(flows["retired"], flows["quit"], flows["hired"]) >= 0
        assert flows["in_post_after"] == (
            flows["in_post_before"] - flows["retired"] - flows["quit"] + flows["hired"]
        )
        in_post = flows["in_post_after"]
    assert len(model.teachers) == in_post
    assert np.unique(model.teachers.uid).size == len(model.teachers)


# -- construction ---------------------------------------------------------------------------


def test_a_model_from_a_path_a_scenario_or_a_mapping(demo_path, small_scenario):
    from_path = EduModel(demo_path, seed=4, years=2)
    from_scenario = EduModel(load_scenario(demo_path), seed=4, years=2)
    assert from_path.resolved_scenario == from_scenario.resolved_scenario
    np.testing.assert_array_equal(from_path.families.cell, from_scenario.families.cell)
    small = EduModel(small_scenario)
    assert small.scenario.name == "small"
    assert small.seed == small_scenario["seed"]  # the scenario's seed when none is given
    with pytest.raises(ScenarioError):
        EduModel({"years": 2})


def test_keyword_parameters_override_the_scenario(demo_path):
    model = EduModel(
        demo_path,
        seed=1,
        years=2,
        learning__peer_effect=0.2,
        overrides={"housing.adjust_speed": 0.5},
    )
    assert model.scenario.learning.peer_effect == 0.2
    assert model.scenario.housing.adjust_speed == 0.5
    assert model.scenario.years == 2
    with pytest.raises(ScenarioError):
        EduModel(demo_path, seed=1, learning__no_such=1)


def test_schools_are_mesa_agents_viewing_the_school_table(demo_path):
    model = EduModel(demo_path, seed=3, years=1)
    assert len(model.schools) == len(model.school_table) == len(model.agents) == 63
    school = model.schools[5]
    assert isinstance(school, School) and school.model is model
    assert school.name == model.school_table.name[5]
    assert school.stage in ("primary", "junior")
    assert school.enrollment == model.school_table.enrollment[5]
    np.testing.assert_array_equal(school.teacher_rows(), np.flatnonzero(model.teachers.school == 5))
    assert school.name in repr(school)


def test_city_counts_match_the_scenario(demo_path):
    model = EduModel(demo_path, seed=3)
    counts = model.city_counts()
    for district in model.scenario.city.districts:
        entry = counts[district.name]
        assert entry["primary_schools"] == district.schools.primary
        assert entry["junior_pupils"] == district.pupils.junior
        assert entry["primary_pupils"] == district.pupils.primary
    assert sum(c["primary_teachers"] + c["junior_teachers"] for c in counts.values()) == len(
        model.teachers
    )


# -- the run --------------------------------------------------------------------------------


def test_a_run_lasts_its_years_and_records_each(demo_run):
    assert not demo_run.running
    assert demo_run.steps == 4
    tables = demo_run.tables()
    assert set(tables) == {"metrics", "schools", "memberships", "events", "balance", "city"}
    for frame in tables.values():
        assert list(frame.columns[:3]) == ["scenario", "replicate", "seed"]
        assert (frame["seed"] == 11).all() and (frame["scenario"] == "demo").all()
    schools = tables["schools"]
    assert sorted(schools["year"].unique()) == list(range(2018, 2023))
    assert (schools.groupby("year").size() == len(demo_run.school_table)).all()
    assert (schools["enrollment"] <= schools["capacity"]).all()
    events = tables["events"]
    assert events.iloc[0]["label"] == "city built"


def test_invariants_hold_every_year_of_the_demo(demo_path):
    model = EduModel(demo_path, seed=6, years=4)
    teachers = len(model.teachers)
    check_invariants(model)
    while model.running:
        model.step()
        check_invariants(model)
    check_staff_flows(model, teachers)
    assert sorted(model.staff_flows) == [2018, 2019, 2020, 2021]


def test_teacher_flows_are_conserved_in_the_demo_run(demo_run):
    first = demo_run.staff_flows[min(demo_run.staff_flows)]["in_post_before"]
    check_staff_flows(demo_run, first)
    metrics = demo_run.tables()["metrics"]
    last = metrics[(metrics.metric == "teachers") & (metrics.year == metrics.year.max())]
    assert last["value"].item() == len(demo_run.teachers)
    flows = pd.DataFrame(demo_run.staff_flows).T
    assert flows["retired"].sum() > 0 and flows["quit"].sum() > 0 and flows["hired"].sum() > 0


def test_staffing_fills_every_post_under_the_standard(demo_path):
    model = EduModel(demo_path, seed=8, years=2)
    model.step()
    policy, staffing = model.phases[0], model.phases[1]
    policy.step(2019)
    staffing.step(2019)
    table = model.school_table
    in_post = school_counts(model.teachers.home_school, len(table))
    assert (in_post >= staff_needed(table.enrollment, model.pupil_teacher_ratio())).all()


@st.composite
def small_cities(draw) -> dict:
    districts = []
    for index in range(draw(st.integers(1, 3))):
        towns = draw(st.integers(1, 5))
        districts.append(
            {
                "name": f"D{index}",
                "kind": draw(st.sampled_from(["urban", "suburban", "rural"])),
                "area_km2": draw(st.floats(2.0, 600.0)),
                "towns": towns,
                "islands": draw(st.integers(0, min(towns, 2))),
                "schools": {
                    "primary": draw(st.integers(2, 8)),
                    "junior": draw(st.integers(1, 4)),
                },
                "pupils": {
                    "primary": draw(st.integers(60, 2400)),
                    "junior": draw(st.integers(30, 1200)),
                },
                "income_level": draw(st.floats(0.5, 1.5)),
                "house_price_cny_per_m2": draw(st.floats(8000, 60000)),
            }
        )
    return {
        "name": "prop",
        "years": 3,
        "city": {"districts": districts},
        "families": {"cohort_growth": draw(st.floats(-0.2, 0.2))},
        "schools": {"capacity_slack": draw(st.floats(0.0, 0.5))},
        "teachers": {
            "attrition_urban": draw(st.floats(0, 0.3)),
            "attrition_rural": draw(st.floats(0, 0.3)),
        },
        "enrollment": {"rule": draw(st.sampled_from(["catchment", "zones", "choice"]))},
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(city=small_cities(), seed=st.integers(0, 2**32))
def test_invariants_hold_in_any_small_city(city, seed):
    model = EduModel(city, seed=seed)
    teachers = len(model.teachers)
    check_invariants(model)
    while model.running:
        model.step()
        check_invariants(model)
    check_staff_flows(model, teachers)


# -- reproducibility and common random numbers ----------------------------------------------


def test_same_seed_same_tables_other_seed_other_tables(demo_path):
    a = EduModel(demo_path, seed=5, years=2).run().tables()
    b = EduModel(demo_path, seed=5, years=2).run().tables()
    c = EduModel(demo_path, seed=6, years=2).run().tables()
    for name in ("metrics", "schools", "events"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["metrics"]["value"].equals(c["metrics"]["value"])
    assert not a["schools"]["quality"].equals(c["schools"]["quality"])


def test_a_policy_parameter_leaves_the_city_and_the_arrivals_unchanged(demo_path):
    base = EduModel(demo_path, seed=3, years=1)
    policy = EduModel(demo_path, seed=3, years=1, learning__peer_effect=0.2)
    for name in ("uid", "cell", "income_cny", "school", "achievement"):
        np.testing.assert_array_equal(getattr(base.families, name), getattr(policy.families, name))
    np.testing.assert_array_equal(base.teachers.innate, policy.teachers.innate)
    base.run()
    policy.run()
    new = base.families.grade == 1
    np.testing.assert_array_equal(base.families.uid[new], policy.families.uid[new])
    np.testing.assert_array_equal(base.families.income_cny[new], policy.families.income_cny[new])
    # but learning differs
    assert not np.array_equal(base.families.achievement, policy.families.achievement)


# -- Mesa -----------------------------------------------------------------------------------


def test_datacollector_reports_the_registered_metrics(demo_run):
    collected = demo_run.datacollector.get_model_vars_dataframe()
    assert list(collected.columns) == ["year", *METRICS]
    metrics = demo_run.tables()["metrics"]
    wide = metrics.pivot(index="year", columns="metric", values="value")[list(METRICS)]
    # Mesa rows are school years: row k is the state after year k + 1 (the city as built
    # is only in the tables), so mesa.batch_run's last row is the final year
    assert list(collected["year"]) == list(wide.index[1:])
    np.testing.assert_allclose(
        collected[list(METRICS)].to_numpy(), wide.iloc[1:].to_numpy(), equal_nan=True
    )


def test_mesa_batch_run_sweeps_seeds(demo_path):
    parameters = {"scenario": str(demo_path), "years": 2}
    seeds: dict = {"rng": [1, 2]}  # Mesa >= 3.4 seeds each run through batch_run's rng
    if "rng" not in inspect.signature(mesa.batch_run).parameters:  # Mesa 3.3: a parameter
        parameters["seed"], seeds = [1, 2], {}
    rows = mesa.batch_run(
        EduModel,
        parameters=parameters,
        data_collection_period=1,
        display_progress=False,
        **seeds,
    )
    # with agent reporters batch_run gives a row per school; the model's values repeat
    everything = pd.DataFrame(rows)
    assert everything.groupby(["seed", "Step"])["AgentID"].nunique().max() > 1
    frame = everything.drop_duplicates(["seed", "Step"])
    assert set(METRICS) <= set(frame.columns)
    assert sorted(frame["seed"].unique()) == [1, 2]
    for seed, runs in frame.groupby("seed"):
        assert runs["RunId"].nunique() == 1
        reference = EduModel(demo_path, seed=seed, years=2).run().tables()["metrics"]
        # rows are labelled by the school years done before them, on every Mesa version
        assert sorted(runs["Step"].unique()) == [0, 1]
        assert list(runs.sort_values("Step")["year"]) == [2019, 2020]  # the final year too
        for row in runs.itertuples():
            year = row.year
            expected = reference[reference.year == year].set_index("metric")["value"]
            for name in ("teachers", "pupils", "quality_sd", "mean_achievement"):
                assert getattr(row, name) == pytest.approx(expected[name])
    by_seed = frame[frame.Step == frame.Step.max()].set_index("seed")
    assert by_seed.loc[1, "quality_sd"] != by_seed.loc[2, "quality_sd"]


@pytest.mark.parametrize("seed", [-1, 2**63, 2**64, True])
def test_a_seed_the_tables_cannot_store_is_refused_before_the_city_is_built(demo_path, seed):
    """The Python API checks the seed as the scenario file and --seed are checked."""
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 9223372036854775807"):
        EduModel(demo_path, seed=seed, years=1)


def test_school_travel_gives_the_matrix_entries_asked_for_and_follows_the_sites(small_scenario):
    """`school_travel_km` computes only the pairs indexed (no schools x schools matrix in
    the year), each the number the full matrix holds, and reads the sites at each call."""
    model = EduModel(small_scenario)
    travel = model.school_travel_km()
    table = model.school_table
    full = model.geography.travel_km(
        table.cell[:, None],
        table.x_km[None, :],
        table.y_km[None, :],
        model.geography.cell_island[table.cell][None, :],
    )
    schools = len(table)
    assert travel.shape == (schools, schools)
    rows, cols = np.array([0, schools - 1, 2]), np.array([1, 0, schools - 1, 3])
    assert np.array_equal(travel[np.ix_(rows, cols)], full[np.ix_(rows, cols)])
    assert np.array_equal(travel[2, cols], full[2, cols])
    assert np.array_equal(travel[np.arange(schools)[:, None], np.arange(schools)], full)
    with pytest.raises(TypeError):
        travel[0]  # a whole row is asked for explicitly, never by accident
    table.x_km = table.x_km + 1.0  # a site array replaced: the next call sees it
    assert not np.array_equal(travel[np.ix_(rows, cols)], full[np.ix_(rows, cols)])
