"""The documentation cannot drift from the code: generated files and checked tables."""

from __future__ import annotations

import re
from pathlib import Path

from edusim.calendar import schedule_markdown
from edusim.metric_info import METRIC_INFO
from edusim.metrics import METRICS, metric_info_json, metrics_markdown
from edusim.scenario.document import base_yaml, parameter_rows, parameters_markdown
from edusim.scenario.groups import DEFAULT_KINDS

ROOT = Path(__file__).resolve().parents[1]

DOCS = ROOT / "docs"


def test_odd_schedule_is_the_code_schedule():
    odd = (DOCS / "ODD.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- schedule:begin -->\n(.*?)\n<!-- schedule:end -->", odd, re.S)
    assert block is not None, "docs/ODD.md lost its schedule markers"
    assert block.group(1).strip() == schedule_markdown()


def test_generated_files_are_up_to_date():
    assert (ROOT / "scenarios" / "base.yaml").read_text(encoding="utf-8") == base_yaml()
    assert (DOCS / "parameters.md").read_text(encoding="utf-8") == parameters_markdown()
    assert (DOCS / "metrics.md").read_text(encoding="utf-8") == metrics_markdown()
    info = ROOT / "src" / "edusim" / "metric_info.json"
    assert info.read_text(encoding="utf-8") == metric_info_json()


def test_the_static_metric_info_is_the_registry():
    """Figures and reports read `edusim.metric_info` instead of the registry: the same
    metrics in the same order with the same words, so the copy cannot drift."""
    assert list(METRIC_INFO) == list(METRICS)
    for name, entry in METRICS.items():
        info = METRIC_INFO[name]
        assert (info.name, info.unit, info.direction, info.description, info.formula) == (
            entry.name, entry.unit, entry.direction, entry.description, entry.formula,
        )  # fmt: skip


def test_every_parameter_has_a_unit_a_source_and_a_description():
    missing = [
        row["path"]
        for row in parameter_rows()
        if not (row["unit"] and row["source"] and row["description"])
    ]
    assert missing == []


def test_every_metric_is_documented_with_unit_and_formula():
    for entry in METRICS.values():
        assert entry.unit and entry.description and entry.formula, entry.name
        assert entry.direction in ("lower is better", "higher is better", "information")


def test_odd_table_of_group_kinds_matches_the_defaults():
    odd = (DOCS / "ODD.md").read_text(encoding="utf-8")
    for kind, params in DEFAULT_KINDS.items():
        row = re.search(rf"^\| {kind} \|(.*)\|$", odd, re.M)
        assert row is not None, kind
        cells = [cell.strip() for cell in row.group(1).split("|")]
        numbers = [float(re.match(r"[0-9.]+", cell).group()) for cell in cells[:6]]
        assert numbers == [
            params.management_transfer,
            params.joint_research,
            params.online_lift,
            params.brand_sharing,
            params.brand_dilution,
            params.transition_cost,
        ], kind


def test_readme_names_the_tables_and_datacollector_rows_the_model_gives(demo_run):
    """The README's Python example: every table `model.tables()` returns, and the Mesa
    DataCollector's rows (simulated years only, not the city as built)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if "= model.tables()" in line)
    named = re.findall(r'"(\w+)"', line)
    assert named == list(demo_run.tables())
    mesa_rows = len(demo_run.datacollector.get_model_vars_dataframe())
    years = demo_run.tables()["metrics"]["year"].nunique()
    assert mesa_rows == years - 1
    assert "lacks the city as built" in readme and "`years + 1` years" in readme
