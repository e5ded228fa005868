"""Experiment files: validation with YAML paths, exit 2 from the CLI, the shipped files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edusim.cli import main
from edusim.experiment import ExperimentError, load_experiment
from edusim.experiment.plan import build_plan

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def problems(spec: dict) -> list[str]:
    with pytest.raises(ExperimentError) as caught:
        build_plan(load_experiment(spec))
    return [str(problem) for problem in caught.value.problems]


def test_unknown_keys_and_bad_values_are_located(tiny):
    tiny["variants"]["choosy"]["sett"] = {}
    tiny["replications"] = 0
    tiny["metrics"] = ["quality_sd", "happiness"]
    found = problems(tiny)
    assert any(p.startswith("variants.choosy.sett: unknown key") for p in found)
    assert any(
        p.startswith("replications: Input should be greater than or equal to 1") for p in found
    )
    assert any(p.startswith("metrics: unknown metrics ['happiness']") for p in found)


def test_design_problems_name_the_design_key(tiny):
    del tiny["variants"]
    tiny["design"] = {"kind": "sobol", "samples": 6, "parameters": {"learning.peer_effect": [1, 0]}}
    found = problems(tiny)
    assert any(p.startswith("design.samples: samples must be a power of 2") for p in found)
    assert any(p.startswith("design.parameters: range of 'learning.peer_effect'") for p in found)
    tiny["design"] = {"samples": 4}
    assert problems(tiny) == ["design: needs 'kind:', one of compare, grid, lhs, morris, sobol"]


def test_variants_belong_to_comparisons(tiny):
    tiny["design"] = {"kind": "compare", "baseline": "nobody"}
    assert problems(tiny)[0].startswith("design.baseline: 'nobody' is not a variant")
    tiny["design"] = {"kind": "grid", "parameters": {"learning.peer_effect": [0.0, 0.1]}}
    assert problems(tiny)[0].startswith("variants: only compare designs use variants")


def test_overrides_are_checked_against_the_scenario(tiny):
    tiny["variants"]["choosy"]["set"] = {"families.quality_taste_mea": 0.8}
    assert problems(tiny)[0].startswith("variants.choosy.set: families.quality_taste_mea")
    del tiny["variants"]
    tiny["design"] = {"kind": "lhs", "samples": 3, "parameters": {"learning.peer_effect": [-1, 1]}}
    assert problems(tiny)[0].startswith("design.parameters['learning.peer_effect']: ")


def test_cli_reports_invalid_experiment_with_exit_2(tmp_path, tiny, capsys):
    tiny["scenario"] = "missing.yaml"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(tiny), encoding="utf-8")
    assert main(["experiment", str(path), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"edusim: invalid experiment {path}:")
    assert "scenario: " in error and "Traceback" not in error


@pytest.mark.parametrize("name", sorted(p.name for p in EXPERIMENTS.glob("*.yaml")))
def test_shipped_experiments_are_valid(name):
    plan = build_plan(load_experiment(EXPERIMENTS / name))
    assert plan.task_count == len(plan.tasks)  # no two arms resolve to the same runs


def test_sanming_estimates_change_one_setting_per_arm():
    # the experiment copies Sanming's group rules to vary the counties' coverage: each arm
    # must differ from the file's reform only in the setting it names, so the copies
    # cannot drift from scenarios/sanming.yaml unnoticed
    plan = build_plan(load_experiment(EXPERIMENTS / "sanming-estimates.yaml"))
    reform = plan.arms["reform"]

    def rules(scenario):
        return [rule.model_dump() for rule in scenario.groups.rules]

    def without_rules(scenario):
        data = scenario.model_dump()
        data["groups"].pop("rules")
        return data

    county = {"county-primary", "county-junior"}
    for arm, share in (("county-two-thirds", 0.67), ("county-all", 1.0)):
        variant = plan.arms[arm]
        assert without_rules(variant) == without_rules(reform)
        for mine, theirs in zip(rules(variant), rules(reform), strict=True):
            if mine["name"] in county:
                assert mine["target_share"] == share and theirs["target_share"] == 0.33
                mine["target_share"] = theirs["target_share"]
            assert mine == theirs
    none = plan.arms["county-none"]
    assert rules(none) == [r for r in rules(reform) if r["name"] not in county]
    assert without_rules(none) == without_rules(reform)
    kinds = plan.arms["shared-management-off"].groups.kinds
    assert kinds["tight"].management_transfer == 0.0
    assert reform.groups.kinds["tight"].management_transfer == 0.25
    assert plan.arms["no-executive-principals"].leaders.executive_share == 0.0
    assert reform.leaders.executive_share == 1.0
