"""The targets file: valid files load; bad ones are refused at their YAML path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edusim.metrics import METRICS
from edusim.scenario.loader import load_scenario
from edusim.scenario.targets import Z95, TargetsError, load_targets

GOOD = {
    "name": "t",
    "targets": [
        {"metric": "private_share", "year": 2020, "observed": 0.1, "sd": 0.02, "source": "a"},
        {
            "metric": "movers_share",
            "years": [2019, 2021],
            "observed": 0.2,
            "interval": [0.1, 0.3],
            "source": "b",
        },
    ],
}


def _with(index: int, **changes) -> dict:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["targets"][index].update(changes)
    for key, value in list(data["targets"][index].items()):
        if value is None:
            del data["targets"][index][key]
    return data


def test_good_file_loads_with_labels_and_uncertainty(tmp_path: Path):
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    targets = load_targets(path, metrics=METRICS)
    first, second = targets.items
    assert first.label == "private_share 2020" and first.uncertainty == 0.02
    assert second.label == "movers_share 2019-2021"
    assert second.uncertainty == pytest.approx(0.2 / (2 * Z95))
    assert targets.last_year == 2021


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        (_with(0, metric="private_shar"), "targets[0].metric", "unknown metric 'private_shar'"),
        (_with(0, sd=None), "targets[0]", "exactly one of 'sd' or 'interval'"),
        (_with(0, year=None), "targets[0]", "exactly one of 'year'"),
        (_with(1, interval=[0.3, 0.1]), "targets[1]", "low < high"),
        (_with(1, observed=0.5), "targets[1]", "outside its interval"),
        (_with(0, sd=-1), "targets[0].sd", "greater than 0"),
        (_with(0, source=""), "targets[0].source", "at least 1 character"),
        (_with(0, colour="red"), "targets[0].colour", "unknown key"),
        (_with(1, name="private_share 2020"), "targets[1].name", "already the label"),
        ({"targets": []}, "targets", "at least 1 item"),
    ],
)
def test_bad_targets_name_the_yaml_path(data: dict, path: str, words: str):
    with pytest.raises(TargetsError) as caught:
        load_targets(data, metrics=METRICS)
    problems = [str(problem) for problem in caught.value.problems]
    assert any(p.startswith(f"{path}:") and words in p for p in problems), problems
    assert str(caught.value).startswith("invalid targets targets mapping:")


def test_years_outside_the_scenario_are_refused(small_city: dict):
    scenario = load_scenario(small_city)  # 2018 + 3 years
    with pytest.raises(TargetsError) as caught:
        load_targets(_with(0, year=2030), scenario)
    assert "targets[0].year: 2030 is outside the years scenario 'small'" in str(caught.value)


def test_unreadable_files_are_targets_errors(tmp_path: Path):
    with pytest.raises(TargetsError, match="file not found"):
        load_targets(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("targets: [\n", encoding="utf-8")
    with pytest.raises(TargetsError, match="not valid YAML"):
        load_targets(bad)


def test_hangzhou_targets_are_valid_and_cited():
    root = Path(__file__).resolve().parents[2]
    scenario = load_scenario(root / "scenarios" / "hangzhou.yaml")
    targets = load_targets(root / "calibration" / "hangzhou-targets.yaml", scenario, METRICS)
    assert len(targets.items) >= 3
    assert all(len(target.source) > 20 for target in targets.items)


def test_the_calibrated_hangzhou_extends_hangzhou_with_the_fitted_values():
    root = Path(__file__).resolve().parents[2]
    calibrated = load_scenario(root / "calibration" / "hangzhou-calibrated.yaml")
    assert calibrated.name == "hangzhou-calibrated"
    assert calibrated.years == load_scenario(root / "scenarios" / "hangzhou.yaml").years
    assert 0.0 <= calibrated.families.quality_taste_mean <= 0.6
