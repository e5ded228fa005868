"""Results in one call: load_run and load_experiment give tidy DataFrames."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import edusim
from edusim.cli import main
from edusim.loading import ResultsFolderError, overrides_from_command
from edusim.metrics import METRICS
from edusim.results import run_scenario, write_run

RULE = {
    "name": "G",
    "kind": "alliance",
    "formed": "2018-09-01",
    "stage": "primary",
    "target_share": 0.6,
}


@pytest.fixture(scope="module")
def grouped_run(demo_path, tmp_path_factory):
    """Two years of the demo city with a primary-school alliance (cores, members, and
    schools in no group), written as a run directory."""
    folder = tmp_path_factory.mktemp("loading") / "grouped"
    overrides = {"groups.rules": [RULE], "learning.peer_effect": 0.05}
    write_run(run_scenario(demo_path, 4, years=2, overrides=overrides), folder)
    return folder


def test_load_run_orders_categoricals_naturally(grouped_run):
    run = edusim.load_run(grouped_run)
    schools = run.schools
    assert list(schools["stage"].cat.categories) == ["primary", "junior"]
    assert schools["stage"].cat.ordered
    assert schools.sort_values("stage")["stage"].iloc[0] == "primary"
    assert list(schools["owner"].cat.categories) == ["city", "district", "county"]
    assert list(schools["district"].cat.categories) == [
        "Old Town",
        *list(schools["district"].cat.categories)[1:],
    ]
    assert list(run.metrics["metric"].cat.categories)[: len(METRICS)] == list(METRICS)
    assert list(run.memberships["role"].cat.categories) == ["core", "member"]


def test_load_run_gives_nulls_for_absent_groups(grouped_run):
    schools = edusim.load_run(grouped_run).schools
    stored = pd.read_parquet(grouped_run / "schools.parquet")
    alone = stored["group_id"] == -1
    assert alone.any() and (~alone).any()  # both kinds of school are present
    assert schools.loc[alone, "group_id"].isna().all()
    assert schools.loc[alone, "group_kind"].isna().all()
    assert schools.loc[alone, "group_role"].isna().all()
    assert schools.loc[~alone, "group_id"].notna().all()
    assert set(schools.loc[~alone, "group_role"]) <= {"core", "member"}
    assert schools["group_id"].dtype == "Int64"
    assert "" not in set(schools["group_kind"].dropna())


def test_load_run_expands_event_detail_into_typed_columns(grouped_run):
    events = edusim.load_run(grouped_run).events
    assert "detail" not in events
    detail = [c for c in events if c.startswith("detail.")]
    assert detail
    built = events[events["label"] == "city built"].iloc[0]
    assert built["detail.Old Town.primary_schools"] > 0
    assert pd.api.types.is_integer_dtype(events["detail.Old Town.primary_schools"])
    # keys of other kinds of event are NA on the city-built row
    other = [c for c in detail if not c.startswith(("detail.Old Town", "detail.New Port"))]
    assert other and built[other].isna().any()


def test_load_run_carries_a_run_id_and_the_runs_overrides(grouped_run):
    run = edusim.load_run(grouped_run)
    for name, frame in run.tables.items():
        assert (frame["run_id"] == "grouped").all(), name
    (row,) = run.runs.to_dict("records")
    assert row["run_id"] == "grouped" and row["seed"] == 4
    assert row["learning.peer_effect"] == 0.05
    assert row["years"] == 2


def test_two_cli_runs_with_different_settings_stay_apart(demo_path, tmp_path):
    for name, value in (("a", 0.01), ("b", 0.09)):
        argv = ["run", str(demo_path), "--years", "1", "--quiet", "--no-report"]
        argv += ["--set", f"learning.peer_effect={value}", "--out", str(tmp_path / name)]
        assert main(argv) == 0
    runs = [edusim.load_run(tmp_path / name) for name in "ab"]
    both = pd.concat([run.metrics for run in runs])
    assert both.groupby("run_id", observed=True).size().to_dict() == {
        "a": len(runs[0].metrics),
        "b": len(runs[1].metrics),
    }
    overrides = pd.concat([run.runs for run in runs]).set_index("run_id")
    assert overrides["learning.peer_effect"].to_dict() == {"a": 0.01, "b": 0.09}
    assert overrides["years"].to_dict() == {"a": 1, "b": 1}


def test_overrides_are_read_back_from_a_recorded_command():
    command = ["edusim", "run", "x.yaml", "--set", "a.b=0.5", "--set=c=[1, 2]", "--seed", "9"]
    assert overrides_from_command(command) == {"a.b": 0.5, "c": [1, 2], "seed": 9}


def test_load_experiment_gives_runs_with_their_overrides(serial_run_folder):
    loaded = edusim.load_experiment(serial_run_folder)
    runs = loaded.runs
    assert len(runs) == 9 and runs["run_id"].is_unique
    assert list(runs["variant"].cat.categories) == ["baseline", "slow-housing", "choosy"]
    by_variant = runs.drop_duplicates("variant").set_index("variant")
    assert pd.isna(by_variant.at["baseline", "housing.adjust_speed"])
    assert by_variant.at["slow-housing", "housing.adjust_speed"] == 0.05
    assert by_variant.at["choosy", "families.quality_taste_mean"] == 0.8
    assert set(runs["status"]) == {"ok"}
    metrics = loaded.metrics
    assert set(metrics["run_id"]) == set(runs["run_id"])
    assert metrics["metric"].cat.ordered
    assert list(metrics["variant"].cat.categories) == ["baseline", "slow-housing", "choosy"]
    assert loaded.summary is not None and len(loaded.summary)


def test_a_folder_that_is_not_results_is_refused(tmp_path):
    with pytest.raises(ResultsFolderError, match=r"no manifest\.json"):
        edusim.load_run(tmp_path)
    with pytest.raises(ResultsFolderError, match="not a finished experiment folder"):
        edusim.load_experiment(tmp_path)


@pytest.fixture(scope="module")
def serial_run_folder(tmp_path_factory):
    from edusim.experiment import run_experiment

    spec = {
        "name": "tiny",
        "scenario": "demo",
        "years": 1,
        "replications": 3,
        "seed": 5,
        "metrics": ["quality_sd", "ses_gap"],
        "variants": {
            "baseline": {},
            "slow-housing": {"set": {"housing.adjust_speed": 0.05}},
            "choosy": {"set": {"families.quality_taste_mean": 0.8}},
        },
        "design": {"kind": "compare", "baseline": "baseline"},
    }
    out = tmp_path_factory.mktemp("experiment")
    run_experiment(spec, workers=1, out=out)
    return out


def test_json_detail_of_stored_events_is_what_was_expanded(grouped_run):
    stored = pd.read_parquet(grouped_run / "events.parquet")
    first = json.loads(stored["detail"].iloc[0])
    events = edusim.load_run(grouped_run).events
    assert events["detail.Old Town.primary_schools"].iloc[0] == first["Old Town"]["primary_schools"]
