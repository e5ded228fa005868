"""Province files: cities from place files or generated from totals, every problem with
its YAML path in the province file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edusim.scenario.loader import ScenarioError, load_scenario
from edusim.scenario.province import GeneratedCity, generated_districts, split_total
from edusim.scenario.province_loader import is_province_file, load_province

ROOT = Path(__file__).resolve().parents[2]
TOY = ROOT / "tests" / "data" / "province-toy.yaml"
ZHEJIANG = ROOT / "scenarios" / "zhejiang.yaml"


def _totals(scenario):
    districts = scenario.city.districts
    return (
        sum(d.pupils.primary for d in districts),
        sum(d.pupils.junior for d in districts),
        sum(d.schools.primary for d in districts),
        sum(d.schools.junior for d in districts),
    )


def test_split_total_is_exact_and_proportional():
    assert split_total(10, [1.0, 1.0, 0.5]) == [4, 4, 2]
    assert split_total(7, [1.0, 1.0, 1.0]) == [3, 2, 2]
    assert sum(split_total(1_234_567, [1.0, 0.6, 0.6, 1.0])) == 1_234_567
    assert split_total(2, [1.0, 1.0, 1.0], minimum=1) == [1, 1, 0]  # too few for the minimum
    assert split_total(5, [10.0, 0.01], minimum=1) == [4, 1]


def test_a_generated_city_keeps_its_totals_and_gives_counties_smaller_schools():
    spec = GeneratedCity.model_validate(
        {
            "districts": {"urban": 2, "suburban": 1, "rural": 3},
            "pupils": {"primary": 100_000, "junior": 41_000},
            "schools": {"primary": 90, "junior": 46},
            "area_km2": 5000,
        }
    )
    districts = generated_districts("X", spec)
    assert [d["kind"] for d in districts] == ["urban"] * 2 + ["suburban"] + ["rural"] * 3
    assert sum(d["pupils"]["primary"] for d in districts) == 100_000
    assert sum(d["schools"]["junior"] for d in districts) == 46
    assert sum(d["area_km2"] for d in districts) == pytest.approx(5000, abs=0.5)
    urban, rural = districts[0], districts[-1]
    assert (
        rural["pupils"]["primary"] / rural["schools"]["primary"]
        < urban["pupils"]["primary"] / urban["schools"]["primary"]
    )


def test_the_toy_province_loads_two_cities_with_their_totals_and_overrides():
    province = load_province(TOY)
    assert [c.name for c in province.cities] == ["Alpha", "Beta"]
    assert _totals(province.cities[0]) == (2400, 1100, 6, 4)
    assert _totals(province.cities[1]) == (1500, 700, 5, 3)
    assert all(c.years == 2 for c in province.cities)
    assert province.cities[1].learning.peer_effect == 0.05
    assert province.cities[0].learning.peer_effect != 0.05
    demo = load_scenario("demo")
    assert province.cities[0].groups == demo.groups  # the template's policy


def test_scale_multiplies_pupils_and_schools_and_keeps_a_school():
    small = load_province(TOY, scale=0.1)
    primary, junior, schools_p, schools_j = _totals(small.cities[0])
    assert primary == pytest.approx(240, abs=3) and junior == pytest.approx(110, abs=3)
    assert schools_p >= 3 and schools_j >= 3  # one school per district and stage at least


def test_zhejiang_lists_eleven_cities_with_hangzhou_as_its_place_file():
    assert is_province_file(ZHEJIANG) and not is_province_file(ROOT / "scenarios" / "demo.yaml")
    province = load_province(ZHEJIANG)
    names = [c.name for c in province.cities]
    assert len(names) == 11 and names[0] == "Hangzhou"
    hangzhou = load_scenario(ROOT / "scenarios" / "hangzhou.yaml")
    assert _totals(province.cities[0]) == _totals(hangzhou)
    assert province.cities[0].groups == hangzhou.groups
    jinhua = province.cities[names.index("Jinhua")]
    assert _totals(jinhua) == (481_000, 192_700, 395, 190)  # Jinhua 2022 bulletin


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _toy(**changes) -> dict:
    data = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    data["template"] = str(ROOT / "scenarios" / "demo.yaml")
    data.update(changes)
    return data


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_province(path)
    assert caught.value.source == str(path)
    return [str(problem) for problem in caught.value.problems]


def test_a_bad_count_is_reported_at_its_yaml_path(tmp_path):
    data = _toy()
    data["cities"][1]["generated"]["pupils"]["junior"] = -3
    assert any(
        p.startswith("cities[1].generated.pupils.junior:")
        for p in _problems(_write(tmp_path, data))
    )


def test_unknown_keys_duplicate_names_and_missing_files_are_refused(tmp_path):
    data = _toy()
    data["cities"][0]["pupils"] = 3
    assert any(
        p.startswith("cities[0].pupils: unknown key") for p in _problems(_write(tmp_path, data))
    )
    data = _toy()
    data["cities"][1]["name"] = "alpha"
    assert any("appears twice" in p for p in _problems(_write(tmp_path, data)))
    data = _toy()
    data["cities"][0]["extends"] = "nowhere.yaml"
    assert any(
        p.startswith("cities[0]") and "not found" in p for p in _problems(_write(tmp_path, data))
    )


def test_a_city_that_breaks_the_scenario_schema_names_the_city(tmp_path):
    data = _toy()
    data["cities"][1]["set"] = {"learning.peer_effect": "lots"}
    found = _problems(_write(tmp_path, data))
    assert any(p.startswith("cities[1].learning.peer_effect:") for p in found), found
