"""Taking a place's reform apart: the arms, the arithmetic, the command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edusim.cli import main
from edusim.experiment.decompose import (
    COUNTERFACTUAL,
    REFORM,
    decomposition_arms,
    decomposition_table,
)
from edusim.scenario.counterfactual import counterfactual_of
from edusim.scenario.loader import editable_dump, load_scenario

PLACES = ("chongming", "dalian", "hangzhou", "ninghe", "sanming")


@pytest.mark.parametrize("place", PLACES)
def test_the_counterfactual_arm_is_the_counterfactual_and_each_arm_removes_one_part(place):
    scenario = load_scenario(f"scenarios/{place}.yaml")
    arms = decomposition_arms(scenario)
    assert arms[REFORM] == {}
    counterfactual = editable_dump(counterfactual_of(scenario))
    for key, value in arms[COUNTERFACTUAL].items():
        assert counterfactual[key] == value
    expected_keys = {
        "without_groups": {"groups", "enrollment", "timeline"},
        "without_rotation": {"rotation", "timeline"},
        "without_money": {"funding", "timeline"},
        "without_evaluation": {"evaluation", "timeline"},
        "without_enrollment": {"enrollment", "timeline"},
    }
    for arm, changes in arms.items():
        if arm.startswith("without_"):
            assert changes and set(changes) <= expected_keys[arm], (arm, sorted(changes))
    assert "without_groups" in arms  # every place's reform has groups


def test_removing_the_enrollment_changes_keeps_the_national_rules():
    """Hangzhou keeps 公民同招 (a national rule) in its counterfactual; leaving out the
    reform's enrollment changes must keep it too. It is Hangzhou's only dated enrollment
    change, so leaving the reform's enrollment out changes nothing and gets no arm."""
    scenario = load_scenario("scenarios/hangzhou.yaml")
    assert any(e["label"] == "公民同招" for e in editable_dump(scenario)["timeline"])
    assert "without_enrollment" not in decomposition_arms(scenario)


def test_school_changes_stay_in_every_arm_and_lose_only_their_group_without_groups():
    """Ninghe's mergers and Chongming's openings are no component's: no arm may drop them
    (before, every arm dropped them as events with nothing left to set); without groups an
    opening opens without its entrusting group."""
    ninghe = decomposition_arms(load_scenario("scenarios/ninghe.yaml"))
    assert set(ninghe) == {REFORM, COUNTERFACTUAL, "without_groups", "without_rotation",
                           "without_evaluation"}  # fmt: skip
    chongming = load_scenario("scenarios/chongming.yaml")
    arms = decomposition_arms(chongming)
    openings = arms["without_groups"]["timeline"]
    opened = [e["open"] for e in openings if e.get("open")]
    assert len(opened) == 2 and all(o["entrusted_to"] == "" for o in opened)
    for arm in ("without_rotation", "without_money"):
        timeline = arms[arm].get("timeline", editable_dump(chongming)["timeline"])
        assert [e["open"]["entrusted_to"] for e in timeline if e.get("open")] == [
            "Downtown-P01",
            "Downtown-P02",
        ]


def test_without_rotation_stops_every_policy_move_of_teachers():
    arms = decomposition_arms(load_scenario("scenarios/sanming.yaml"))
    rotation = arms["without_rotation"]["rotation"]
    assert rotation["group_rotation"] is False and rotation["district_rotation"] is False
    assert rotation["reservoir_share"] == 0.0


def test_effects_total_components_and_interaction_by_hand():
    # two replicates; metric m: reform 10 / 12, counterfactual 4 / 5,
    # without groups 7 / 8, without money 9 / 10
    values = {
        REFORM: (10.0, 12.0),
        COUNTERFACTUAL: (4.0, 5.0),
        "without_groups": (7.0, 8.0),
        "without_money": (9.0, 10.0),
    }
    final = pd.DataFrame(
        [
            {"variant": arm, "replicate": r, "metric": "m", "value": v[r]}
            for arm, v in values.items()
            for r in (0, 1)
        ]
    )
    table = decomposition_table(final, ("m",)).set_index("effect")
    # total 6 / 7, groups 3 / 4, money 1 / 2, interaction 2 / 1
    assert table.loc["total", "mean"] == pytest.approx(6.5)
    assert table.loc["groups", "mean"] == pytest.approx(3.5)
    assert table.loc["money", "mean"] == pytest.approx(1.5)
    assert table.loc["interaction", "mean"] == pytest.approx(1.5)
    assert table.loc["total", "reform_mean"] == pytest.approx(11.0)
    assert (table["pairs"] == 2).all()
    assert np.isfinite(table.loc["interaction", "low"])


def test_the_decompose_command_writes_its_tables_and_resumes(tmp_path):
    out = tmp_path / "decompose"
    args = ["decompose", "scenarios/chongming.yaml", "--reps", "2", "--years", "2"]
    args += ["--workers", "1", "--out", str(out), "--quiet"]
    assert main(args) == 0
    table = pd.read_csv(out / "decomposition.csv")
    assert {"total", "groups", "interaction"} <= set(table["effect"])
    text = (out / "decomposition.md").read_text(encoding="utf-8")
    assert "| famous_group_participation_share |" in text
    finished = (out / "manifest.jsonl").read_text(encoding="utf-8").count('"ok"')
    assert main(args) == 0  # nothing reruns
    assert (out / "manifest.jsonl").read_text(encoding="utf-8").count('"ok"') == finished
