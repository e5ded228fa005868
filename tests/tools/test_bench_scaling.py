"""The scaled cities of benchmarks/bench_hangzhou.py: dense (counts times the factor, the
same districts) and tiled (the districts repeated side by side, each as it is)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = str(ROOT / "scenarios" / "hangzhou.yaml")


def _names(data: dict) -> list[str]:
    return [district["name"] for district in data["city"]["districts"]]


def test_dense_multiplies_each_districts_counts_in_the_same_districts(bench):
    one = bench.scaled_scenario(SCENARIO, 1.0)
    two = bench.scaled_scenario(SCENARIO, 2.0)
    assert _names(two) == _names(one)
    for a, b in zip(one["city"]["districts"], two["city"]["districts"], strict=True):
        assert b["pupils"] == {stage: 2 * n for stage, n in a["pupils"].items()}
        assert b["area_km2"] == a["area_km2"] and b.get("admin_code") == a.get("admin_code")


def test_tiled_repeats_the_districts_as_they_are_and_names_the_copies_in_lists(bench):
    one = bench.scaled_scenario(SCENARIO, 1.0, "tiled")
    two = bench.scaled_scenario(SCENARIO, 2.0, "tiled")
    names = _names(one)
    assert _names(two) == names + [f"{name} 2" for name in names]
    for district in two["city"]["districts"]:
        assert "admin_code" not in district and "admin_centre" not in district
    first, copy = two["city"]["districts"][0], two["city"]["districts"][len(names)]
    assert {k: v for k, v in copy.items() if k != "name"} == {
        k: v for k, v in first.items() if k != "name"
    }
    # a list of district names (group formation's urban districts) names the copies too
    rules = [rule for rule in two["groups"]["rules"] if rule.get("districts")]
    assert rules
    for rule in rules:
        assert all(f"{name} 2" in rule["districts"] for name in rule["districts"][:1])
        assert len(rule["districts"]) % 2 == 0


def test_a_fraction_tiles_a_last_partial_copy(bench):
    one = bench.scaled_scenario(SCENARIO, 1.0, "tiled")
    half = bench.scaled_scenario(SCENARIO, 1.5, "tiled")
    n = len(one["city"]["districts"])
    assert len(half["city"]["districts"]) == 2 * n
    for a, b in zip(one["city"]["districts"], half["city"]["districts"][n:], strict=True):
        assert b["area_km2"] == a["area_km2"] * 0.5
        assert b["pupils"] == {s: max(1, round(v * 0.5)) for s, v in a["pupils"].items()}
