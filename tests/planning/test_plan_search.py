"""The search: on a city small enough to enumerate every layout, the planner finds the
best; a killed search resumes with identical trials; the folder holds what it promises."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from edusim.experiment import executor
from edusim.experiment.plan import replicate_seed
from edusim.planning.facts import city_facts, one_city
from edusim.planning.layout import decode, encode, layout_text, scenario_overrides
from edusim.planning.objectives import Objectives, metric_directions
from edusim.planning.search import plan_layouts
from edusim.planning.spec import load_plan
from edusim.results import run_scenario
from edusim.scenario.loader import load_scenario

PLAN = {
    "cores": {"schools": ["Core-P01", "Core-P02"]},
    "members": {"schools": ["Core-P03", "Core-P04"]},
    "kinds": ["tight"],
    "max_members": 2,
    "groups": {"min": 1, "max": 2},
    "objectives": [{"metric": "quality_quartile_gap"}],
}
"""Two possible cores and two possible members: 3 x 3 points, 8 layouts with a group."""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, small_city: dict) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("plan-inputs")
    scenario = folder / "small.yaml"
    # without voluntary transfers: with them two of the 8 layouts tie for the best on
    # this city's quartile gap (-0.0574 each, model of 2026-11-28, branch mobility), and
    # the test needs a unique best; the search does not depend on the staffing rules
    teachers = {"transfer_apply_share": 0.0}
    scenario.write_text(
        yaml.safe_dump({**small_city, "years": 2, "teachers": teachers}), encoding="utf-8"
    )
    plan = folder / "plan.yaml"
    plan.write_text(yaml.safe_dump(PLAN, sort_keys=False), encoding="utf-8")
    return scenario, plan


def _search(inputs, out: Path, **changes):
    options = {
        # enough trials that the sampler visits all 8 layouts: with 16 it visited 7 and
        # missed the best, 0.0012 ahead of the next (model of 2026-11-28, new dwellings)
        "trials": 40,
        "replications": 1,
        "screen_years": 2,
        "top": 2,
        "batch": 8,
        "seed": 1,
        "workers": 1,
        **changes,
    }
    return plan_layouts(inputs[0], inputs[1], out=out, **options)


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory: pytest.TempPathFactory):
    return _search(inputs, tmp_path_factory.mktemp("plan") / "out")


def test_finds_the_best_layout_known_by_enumeration(reference, inputs):
    scenario = load_scenario(inputs[0])
    plan = load_plan(inputs[1], scenario, metric_directions())
    seed = replicate_seed(1, 0)
    facts = city_facts(scenario, seed)
    encoding = encode(plan.spec, facts)
    objectives = Objectives.of(plan, metric_directions())
    final = scenario.start_year + scenario.years

    def values(run_scenario_of):
        metrics = run_scenario(run_scenario_of, seed).tables["metrics"]
        return objectives.values(metrics, final)

    own = values(scenario)
    existing = scenario.model_dump(mode="json")["groups"]
    choices = encoding.choices()
    scores = {}
    for combination in itertools.product(*choices.values()):
        point = dict(zip(choices, combination, strict=True))
        layout, reason = decode(point, encoding, plan.spec, facts, scenario.funding)
        if reason or layout_text(layout) in scores:
            continue
        layout_scenario = load_scenario(
            scenario, scenario_overrides(layout, plan.spec, existing, scenario.start_year)
        )
        scores[layout_text(layout)] = objectives.score(values(layout_scenario), own)
    assert len(scores) == 8
    ranked = sorted(scores.items(), key=lambda item: item[1])
    assert ranked[0][1] < ranked[1][1]  # a unique best, so "finds it" means something
    assert layout_text(reference.best) == ranked[0][0]
    screened = reference.layouts.set_index("layout")["score"]
    for text, score in scores.items():  # the planner's screening measured the same numbers
        if text in screened.index:
            assert screened[text].min() == pytest.approx(score, abs=1e-12)


def test_the_folder_holds_every_output_and_best_yaml_extends_the_input(reference, inputs):
    out = reference.out
    for name in (
        "layouts.csv",
        "evaluation.csv",
        "ranking.csv",
        "comparison.csv",
        "stability.csv",
        "best.yaml",
        "map.png",
        "summary.md",
        "facts/schools.parquet",
    ):
        assert (out / name).is_file(), name
    best = load_scenario(out / "best.yaml")
    assert yaml.safe_load((out / "best.yaml").read_text(encoding="utf-8"))["extends"].endswith(
        "small.yaml"
    )
    assert [(g.core, g.members) for g in best.groups.explicit] == [
        (g.core, g.members) for g in reference.best
    ]
    # every run was on one city, the first replicate's, and best.yaml names it
    assert best.world_seed == replicate_seed(1, 0)
    settings = yaml.safe_load((out / "planning.yaml").read_text(encoding="utf-8"))
    assert settings["world_seed"] == best.world_seed
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert f"Every run is on one city: world seed {best.world_seed}, from the first" in summary
    comparison = pd.read_csv(out / "comparison.csv")
    assert comparison["metric"].tolist() == [
        "quality_quartile_gap",
        "money_cny_per_year",
        "teachers_per_year",
    ]
    stability = pd.read_csv(out / "stability.csv")
    assert (
        stability[["screened_top_share", "reevaluated_share", "seed_best_share"]]
        .le(1)
        .all(axis=None)
    )


def test_resumes_after_a_kill_with_identical_trials(reference, inputs, tmp_path, monkeypatch):
    calls = {"count": 0}
    real = executor.run_task

    def killed_after_six_runs(task):
        calls["count"] += 1
        if calls["count"] > 6:  # the own layout and 5 of the first batch's layouts
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(executor, "run_task", killed_after_six_runs)
    with pytest.raises(KeyboardInterrupt):
        _search(inputs, tmp_path / "out")
    assert not (tmp_path / "out" / "layouts.csv").exists()  # nothing that looks finished
    monkeypatch.setattr(executor, "run_task", real)
    resumed = _search(inputs, tmp_path / "out")
    assert resumed.ran == reference.ran - 6  # the six finished runs are not run again
    for name in ("layouts.csv", "ranking.csv", "comparison.csv", "stability.csv", "best.yaml"):
        assert (resumed.out / name).read_bytes() == (reference.out / name).read_bytes(), name


def test_other_settings_in_the_same_folder_are_refused(reference, inputs):
    from edusim.planning.spec import PlanError

    with pytest.raises(PlanError, match="seed"):
        _search(inputs, reference.out, seed=2)


def test_every_proposed_layout_is_feasible(reference, inputs):
    scenario = load_scenario(inputs[0])
    plan = load_plan(inputs[1], scenario, metric_directions())
    facts = city_facts(scenario, replicate_seed(1, 0))
    from edusim.planning.layout import layout_from_json, violations

    feasible = reference.layouts[reference.layouts["state"] == "COMPLETE"]
    assert len(feasible) > 0
    for text in np.unique(feasible["layout_json"]):
        assert violations(layout_from_json(text), plan.spec, facts, scenario.funding) == []


def test_a_multi_objective_plan_draws_its_pareto_front(inputs, tmp_path: Path):
    plan = {
        **PLAN,
        "objectives": [
            {"metric": "quality_quartile_gap"},
            {"metric": "premium_top_decile_share"},
        ],
        "multi_objective": True,
    }
    plan_path = tmp_path / "multi.yaml"
    plan_path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    result = plan_layouts(
        inputs[0],
        plan_path,
        trials=4,
        replications=2,
        years=1,
        screen_years=1,
        screen_replications=2,
        top=2,
        batch=4,
        workers=1,
        out=tmp_path / "out",
    )
    assert (result.out / "pareto.png").is_file() and (result.out / "map.png").is_file()
    assert len(result.comparison) == 4  # two objectives, money, teachers
    assert result.comparison["replicates"].eq(2).all()
    # screening on 2 paired replications: the re-evaluation (same years, same 2 seeds)
    # reuses every screening run of the layouts it re-evaluates
    assert "on 2 replication(s)" in (result.out / "summary.md").read_text(encoding="utf-8")
    assert result.reused >= 4


def test_a_plan_no_layout_can_meet_exits_2_and_writes_nothing_final(inputs, tmp_path, capsys):
    from edusim.cli import main

    plan = tmp_path / "impossible.yaml"
    plan.write_text(yaml.safe_dump({**PLAN, "groups": {"min": 3, "max": 3}}), encoding="utf-8")
    out = tmp_path / "out"
    options = ["--trials", "3", "--workers", "1", "--out", str(out), "--quiet"]
    code = main(["plan", str(inputs[0]), str(plan), *options])
    err = capsys.readouterr().err
    assert code == 2
    assert "no screened layout" in err and "fewer than groups.min 3" in err
    assert not (out / "best.yaml").exists() and not (out / "summary.md").exists()


def test_a_plan_runs_every_replicate_on_one_city(inputs):
    scenario = load_scenario(inputs[0])
    assert scenario.world_seed is None
    fixed = one_city(scenario, replicate_seed(1, 0))
    assert fixed.world_seed == replicate_seed(1, 0)
    assert one_city(load_scenario(scenario, {"world_seed": 9}), 5).world_seed == 9  # kept
    # the facts the planner reads are the city of every replicate
    first = city_facts(fixed, replicate_seed(1, 0)).schools
    pd.testing.assert_frame_equal(first, city_facts(fixed, replicate_seed(1, 1)).schools)
