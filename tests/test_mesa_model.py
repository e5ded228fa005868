"""EduModel as a normal Mesa 3 model: keyword parameters Mesa's tools accept, Mesa's
seeding (`seed=None` fresh, `rng=`), School agents that mirror the arrays, agent
reporters (the schools' rows from the table's columns where Mesa's would be the same:
`EduModel.agent_columns`), and `mesa.batch_run` iterations that differ."""

from __future__ import annotations

import inspect

import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.agents.school import school_columns
from edusim.mesa_adapter import AgentRows, SchoolYearCollector
from edusim.model import SCHOOL_REPORTERS, EduModel
from edusim.scenario.loader import load_scenario

ALLIANCE = [
    {
        "name": "G",
        "kind": "alliance",
        "formed": "2018-09-01",
        "stage": "primary",
        "target_share": 0.6,
    }
]


pytestmark = pytest.mark.usefixtures("release_unfinished_models")


def test_every_parameter_has_a_default_or_is_mesas_kwargs():
    """SolaraViz refuses a model whose __init__ has a parameter without a default that is
    not `self`/`kwargs` ("Missing required model parameter")."""
    for name, parameter in inspect.signature(EduModel.__init__).parameters.items():
        if name == "self":
            continue
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            assert name == "kwargs"
        else:
            assert parameter.default is not inspect.Parameter.empty, name
    assert {"seed", "rng", "scenario", "years"} <= set(inspect.signature(EduModel).parameters)


def test_rng_seeds_like_seed_and_both_at_once_are_refused():
    by_rng = EduModel("demo", rng=5, years=1)
    by_seed = EduModel("demo", seed=5, years=1)
    assert by_rng.seed == by_seed.seed == 5
    np.testing.assert_array_equal(
        by_rng.school_table.teaching_quality, by_seed.school_table.teaching_quality
    )
    from_generator = EduModel("demo", rng=np.random.default_rng(3), years=1)
    again = EduModel("demo", rng=np.random.default_rng(3), years=1)
    assert from_generator.seed == again.seed
    with pytest.raises(ValueError, match="either seed or rng"):
        EduModel("demo", seed=5, rng=5, years=1)


def test_seed_none_draws_a_fresh_seed_recorded_in_the_tables():
    first, second = (EduModel("demo", seed=None, years=1) for _ in range(2))
    assert first.seed != second.seed
    assert (first.tables()["metrics"]["seed"] == first.seed).all()
    # without a seed the scenario file's seed is used, so equal calls give equal runs
    assert EduModel("demo", years=1).seed == load_scenario("demo").seed


@pytest.fixture(scope="module")
def grouped() -> EduModel:
    model = EduModel("demo", seed=4, years=2, overrides={"groups.rules": ALLIANCE})
    model.run()
    return model


def test_school_agents_mirror_the_arrays(grouped):
    table = grouped.school_table
    group_id, group_kind, group_role = grouped.groups.headline(len(table))
    schools = list(grouped.agents)
    assert len(schools) == len(table)
    assert any(s.group_role == "core" for s in schools)
    assert any(s.group_role is None for s in schools)
    for school in schools:
        i = school.index
        assert school.pos == (table.x_km[i], table.y_km[i])
        assert school.district == grouped.geography.district_names[table.district[i]]
        assert school.stage == ("primary", "junior")[table.stage[i]]
        assert school.capacity == table.capacity[i]
        assert school.group_id == (None if group_id[i] < 0 else group_id[i])
        assert school.group_kind == (group_kind[i] or None)
        assert school.group_role == (None, "core", "member")[group_role[i]]
        assert {m["group_id"] for m in school.memberships} == set(
            grouped.groups.group[grouped.groups.school == i]
        )
    with pytest.raises(AttributeError):
        schools[0].pos = (0.0, 0.0)


def test_agents_follow_a_change_of_the_arrays(grouped):
    school = next(iter(grouped.agents))
    before = school.capacity
    grouped.school_table.classes_per_grade[school.index] += 1
    try:
        assert school.capacity > before
    finally:
        grouped.school_table.classes_per_grade[school.index] -= 1


def test_agent_and_model_rows_are_labelled_alike_by_school_years_done(grouped):
    """Row k of the model values and of every school is the state after school year k + 1
    (on Mesa 3.3 to 3.5, whose collectors key rows by steps or by time)."""
    agents = grouped.datacollector.get_agent_vars_dataframe()
    values = grouped.datacollector.get_model_vars_dataframe()
    assert set(SCHOOL_REPORTERS) <= set(agents.columns)
    assert len(agents) == 2 * len(grouped.school_table)
    assert sorted(agents.index.get_level_values("Step").unique()) == [0, 1]
    assert list(values["year"]) == [2019, 2020]
    schools = grouped.tables()["schools"]
    for step, year in enumerate(values["year"]):
        rows = agents.xs(step, level="Step")
        of_year = schools[schools.year == year]
        assert sorted(rows["teaching_quality"]) == sorted(of_year["quality"])
        assert sorted(rows["enrollment"]) == sorted(of_year["enrollment"])
    steps = getattr(grouped.datacollector, "_collection_steps", None)  # Mesa >= 3.4
    assert steps is None or list(steps) == [0, 1]


def test_the_schools_rows_are_columns_and_give_mesas_frame(grouped):
    """The model's collector keeps each year's school rows as `AgentRows`; the frame it
    gives is the one Mesa builds from the schools' reporters read now (the last year)."""
    collector = grouped.datacollector
    assert all(isinstance(rows, AgentRows) for rows in collector._agent_records.values())
    frame = collector.get_agent_vars_dataframe()
    last = frame.xs(grouped.steps - 1, level="Step")
    plain = mesa.DataCollector(agent_reporters=SCHOOL_REPORTERS)
    plain.collect(grouped)
    read_now = plain.get_agent_vars_dataframe().xs(grouped.steps, level="Step")
    assert last.index.equals(read_now.index)
    for column in SCHOOL_REPORTERS:
        pd.testing.assert_series_equal(last[column], read_now[column])  # NaN where NaN
    assert np.array_equal(frame.index.get_level_values("Step").unique(), range(grouped.steps))


@pytest.mark.parametrize("period", [-1, 1])
def test_batch_run_gives_a_row_per_school_for_three_different_iterations(period):
    """`iterations=3`: three fresh seeds (seed=None on Mesa 3.3; Mesa >= 3.4 passes
    seed=None itself), each with one row per school at the final year, whose values are
    the same state as the model's values in that row."""
    rows = mesa.batch_run(
        EduModel,
        {"scenario": "demo", "years": 2, "seed": None},
        iterations=3,
        data_collection_period=period,
        max_steps=5,
        number_processes=1,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)
    schools = EduModel("demo", years=1).school_table
    final = frame[frame["year"] == 2020]
    assert final.groupby("iteration")["AgentID"].nunique().tolist() == [len(schools)] * 3
    assert final.groupby("iteration")["Step"].unique().map(list).tolist() == [[1]] * 3
    if period == 1:  # every simulated year, each with its schools
        assert sorted(frame.groupby(["Step", "year"]).size().index) == [(0, 2019), (1, 2020)]
    per_run = final.groupby("iteration")[["quality_sd", "ses_gap", "seed"]].first()
    assert len(per_run.drop_duplicates(["quality_sd", "ses_gap"])) == 3
    assert per_run["seed"].isna().all()  # the seed=None batch_run passed: fresh seeds
    # the model's values and the schools' rows of a step are one state: pupils enrolled
    # is the sum of the schools' enrolment (of that year, not the year before)
    for _, run in frame.groupby(["iteration", "Step"]):
        assert run["pupils"].iloc[0] == run["enrollment"].sum()


# -- the schools' rows from columns --------------------------------------------------------

COLUMNS = (*SCHOOL_REPORTERS.values(), "famous", "entry_capacity")


@pytest.fixture(scope="module")
def sanming() -> EduModel:
    """Groups of several kinds (Sanming's 集团, 联盟 and 共同体), rural schools, a county."""
    model = EduModel("sanming", seed=3, years=2)
    model.run()
    return model


def _typed(rows) -> list[tuple]:
    return [tuple((type(value), value) for value in row) for row in rows]


def _mesa_rows(collector: mesa.DataCollector, model: EduModel) -> list[tuple]:
    return list(mesa.DataCollector._record_agents(collector, model))


@pytest.mark.parametrize("city", ["grouped", "sanming"])
def test_the_rows_from_columns_are_mesas_rows(city, request):
    model = request.getfixturevalue(city)
    collector = model.datacollector
    assert model.agent_columns(list(SCHOOL_REPORTERS.values())) is not None
    assert collector._columns_agree is True  # checked at the first collection: columns used
    rows = list(collector._record_agents(model))
    assert len(rows) == len(model.school_table)
    assert _typed(rows) == _typed(_mesa_rows(collector, model))
    assert any(row[-1] == "core" for row in rows) and any(row[-1] is None for row in rows)


@given(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6))
@settings(max_examples=25, deadline=None)
def test_each_column_is_what_the_agents_properties_return(grouped, attributes):
    columns = school_columns(grouped, attributes)
    expected = [[getattr(agent, name) for agent in grouped.schools] for name in attributes]
    assert [[(type(v), v) for v in column] for column in columns] == [
        [(type(v), v) for v in column] for column in expected
    ]


def test_an_attribute_that_is_no_column_is_read_from_the_agents(grouped):
    assert school_columns(grouped, ["reputation", "memberships"]) is None
    collector = mesa.DataCollector(
        agent_reporters={"reputation": "reputation", "memberships": "memberships"}
    )
    with_memberships = list(collector._record_agents(grouped))
    assert with_memberships == _mesa_rows(collector, grouped)


def test_a_reporter_that_is_no_attribute_name_keeps_mesas_path(grouped):
    """A function reporter, or Mesa's [function, arguments]: the collector asks every
    agent, as Mesa does."""
    seen: list[int] = []

    def quality_seen(agent, scale=1.0):
        seen.append(agent.index)
        return scale * agent.teaching_quality

    for reporter in (quality_seen, [quality_seen, [2.0]]):
        seen.clear()
        collector = SchoolYearCollector(agent_reporters={"name": "name", "q": reporter})
        rows = list(collector._record_agents(grouped))
        assert len(seen) == len(grouped.schools)
        assert _typed(rows) == _typed(_mesa_rows(collector, grouped))


def test_other_agents_in_the_model_keep_mesas_path():
    """An agent a user adds (not a school) has its own row: Mesa's path, not the columns."""
    model = EduModel("demo", seed=2, years=1)
    visitor = mesa.Agent(model)
    visitor.name = "visitor"
    assert model.agent_columns(["name"]) is None
    rows = list(model.datacollector._record_agents(model))
    assert len(rows) == len(model.schools) + 1
    assert _typed(rows) == _typed(_mesa_rows(model.datacollector, model))
    visitor.remove()
    assert model.agent_columns(["name"]) is not None
    model.schools[0].remove()  # as many agents as schools again, but not the schools
    visitor = mesa.Agent(model)
    assert model.agent_columns(["name"]) is None
    rows = list(model.datacollector._record_agents(model))
    assert _typed(rows) == _typed(_mesa_rows(model.datacollector, model))


def test_a_mesa_whose_rows_differ_keeps_its_own_path(grouped, monkeypatch):
    """A Mesa version that builds its agent rows otherwise (here: each report doubled in
    a pair) is found out at the first collection and keeps its own rows from then on."""
    plain = mesa.DataCollector._record_agents

    def other_rows(self, model):
        return [(row[0], row[1], *((v, v) for v in row[2:])) for row in plain(self, model)]

    monkeypatch.setattr(mesa.DataCollector, "_record_agents", other_rows)
    collector = SchoolYearCollector(agent_reporters=SCHOOL_REPORTERS)
    first = collector._record_agents(grouped)
    assert collector._columns_agree is False
    for rows in (first, collector._record_agents(grouped)):
        assert _typed(rows) == _typed(other_rows(collector, grouped))


def test_rows_agree_past_the_step_by_value_and_type():
    from edusim.mesa_adapter import _same_rows

    nan = float("nan")
    assert _same_rows([(1, 7, "a", (0.5, nan), None)], [(0, 7, "a", (0.5, nan), None)])
    assert not _same_rows([(1, 7, 1)], [(1, 7, 1.0)])  # an int is not a float
    assert not _same_rows([(1, 7, nan)], [(1, 7, 0.5)])
    assert not _same_rows([(1, 7, (0.5, 1.0))], [(1, 7, (0.5, 2.0))])
    assert not _same_rows([(1, 7, (0.5,))], [(1, 7, (0.5, 1.0))])
    assert not _same_rows([(1, 7)], [(1, 7), (1, 8)])
    assert not _same_rows([{"id": 7}], [(1, 7)])  # rows that are not tuples


def test_a_mesa_that_asks_with_more_arguments_gets_its_own_rows(grouped, monkeypatch):
    """A Mesa version whose collector passes `_record_agents` more than the model is
    answered by Mesa's own method with those arguments, never from the columns."""
    asked = []

    def with_agents(self, model, agents=None):
        asked.append(agents)
        return [(model.steps, agent.unique_id) for agent in agents or model.agents]

    monkeypatch.setattr(mesa.DataCollector, "_record_agents", with_agents)
    collector = SchoolYearCollector(agent_reporters=SCHOOL_REPORTERS)
    some = grouped.schools[:3]
    rows = collector._record_agents(grouped, some)
    assert asked == [some] and [row[1] for row in rows] == [s.unique_id for s in some]
    rows = collector._record_agents(grouped, agents=some[:1])
    assert asked[-1] == some[:1] and [row[1] for row in rows] == [some[0].unique_id]
