"""docs/coverage.md: every item of the five documents with its status, generated from
docs/coverage.yaml by tools/update_coverage.py, naming only settings that exist."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def coverage():
    spec = importlib.util.spec_from_file_location(
        "coverage_tool", ROOT / "tools" / "update_coverage.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_setting_named_exists_in_the_schema_or_the_metric_registry(coverage):
    assert coverage.problems(coverage.load()) == []


def test_the_page_is_generated_from_the_current_data(coverage):
    text = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
    assert text == coverage.markdown(coverage.load()), "run python tools/update_coverage.py"


def test_every_place_lists_every_item_of_its_document(coverage):
    data = coverage.load()
    counts = {place["name"]: len(place["items"]) for place in data["places"]}
    # the audit's items per document (SEED-COVERAGE.md at bdbb03a)
    assert counts == {"dalian": 34, "hangzhou": 37, "ninghe": 38, "chongming": 44, "sanming": 41}
    for place in data["places"]:
        assert (ROOT / place["scenario"]).exists()


def test_a_renamed_or_removed_setting_is_reported(coverage):
    data = copy.deepcopy(coverage.load())
    item = data["places"][0]["items"][0]
    item["settings"] = [*item["settings"], "rotation.no_such_key", "metric:no_such_metric"]
    found = coverage.problems(data)
    assert any("rotation.no_such_key" in p for p in found)
    assert any("metric:no_such_metric" in p for p in found)
    item["settings"], item["status"] = [], "represented"
    assert any("names no setting" in p for p in coverage.problems(data))
