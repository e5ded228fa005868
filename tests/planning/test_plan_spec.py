"""The plan file: every problem at its YAML path, exit 2 and one sentence on the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edusim.cli import main
from edusim.planning.objectives import metric_directions
from edusim.planning.spec import PlanError, load_plan
from edusim.scenario.loader import load_scenario

GOOD = {
    "cores": {"stage": ["primary"], "quality_quantile": [0.5, 1.0]},
    "members": {"stage": ["primary"], "quality_quantile": [0.0, 0.5]},
    "objectives": [{"metric": "quality_quartile_gap"}],
}


def _problems(data: dict, scenario=None) -> list[tuple[str, str]]:
    with pytest.raises(PlanError) as caught:
        load_plan(data, scenario, metric_directions())
    return [(p.path, p.message) for p in caught.value.problems]


def test_a_good_plan_loads_with_its_defaults():
    plan = load_plan(GOOD, None, metric_directions())
    assert plan.spec.kinds == ("tight",) and plan.spec.max_members == 10
    assert plan.spec.groups.min == 1 and plan.spec.budget.money_cny_per_year is None


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"max_members": 0}, "max_members", "greater than or equal to 1"),
        ({"radius_km": -3}, "radius_km", "greater than 0"),
        ({"kinds": ["tight", "tight"]}, "kinds", "twice"),
        ({"kinds": ["campus"]}, "kinds[0]", "tight"),
        ({"groups": {"min": 4, "max": 2}}, "groups", "larger than max"),
        ({"budget": {"money_cny_per_year": -1}}, "budget.money_cny_per_year", "greater"),
        (
            {"budget": {"teachers_per_year": "lots"}},
            "budget.teachers_per_year",
            "'own', 'equal' or null",
        ),
        ({"cores": {"quality_quantile": [0.8, 0.2]}}, "cores.quality_quantile", "low <= high"),
        ({"members": {"rural": "maybe"}}, "members.rural", ""),
        ({"budget": {"repair": "maybe"}}, "budget.repair", "valid boolean"),
        ({"objectives": [{"metric": "happiness"}]}, "objectives[0].metric", "unknown metric"),
        ({"objectives": [{"metric": "pupils"}]}, "objectives[0].direction", "minimize or max"),
        ({"objectives": []}, "objectives", ""),
        ({"multi_objective": True}, "multi_objective", "two objectives"),
        ({"radius": 5}, "radius", "unknown key"),
    ],
)
def test_each_bad_key_is_reported_at_its_yaml_path(change, path, words):
    problems = _problems({**GOOD, **change})
    assert any(where == path and words in message for where, message in problems), problems


def test_districts_and_dates_are_checked_against_the_scenario(small_city):
    scenario = load_scenario(small_city)
    bad = {**GOOD, "members": {"districts": ["Nowhere"]}, "formed": "2030-09-01"}
    problems = dict(_problems(bad, scenario))
    assert "not a district" in problems["members.districts[0]"]
    assert "outside the school years" in problems["formed"]


def test_cli_bad_plan_exits_2_with_the_yaml_path_and_no_traceback(
    tmp_path: Path, capsys, small_city
):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump({**small_city, "years": 2}), encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({**GOOD, "max_members": "ten"}), encoding="utf-8")
    code = main(["plan", str(scenario), str(plan), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "max_members" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing written for bad input


@pytest.mark.parametrize("place", ["ninghe", "chongming"])
def test_the_shipped_plans_are_valid_for_their_places(place):
    root = Path(__file__).resolve().parents[2]
    scenario = load_scenario(root / "scenarios" / f"{place}.yaml")
    plan = load_plan(root / "plans" / f"{place}.yaml", scenario, metric_directions())
    assert plan.spec.objectives
