"""`edusim report` on a province run folder: a table of cities, the province's metrics
and the gaps between cities, figures; a folder changed after the run is refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from edusim.cli import main
from edusim.province import run_province
from edusim.report import build_report
from edusim.report.province import SHOWN_METRICS, is_province
from edusim.scenario.province_loader import load_province

TOY = Path(__file__).resolve().parents[1] / "data" / "province-toy.yaml"


@pytest.fixture(scope="module")
def province_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("province-report") / "run"
    run_province(load_province(TOY), out, workers=1)
    return out


@pytest.fixture(scope="module")
def report(province_run):
    return build_report(province_run, workers=1)


def test_a_province_folder_is_recognised(province_run, tmp_path):
    assert is_province(province_run)
    assert not is_province(province_run / "cities" / "Alpha")  # a city is a run
    assert not is_province(tmp_path)


def test_city_table_holds_each_citys_own_values(report, province_run):
    cities = pd.read_csv(province_run / "tables" / "cities.csv")
    assert list(cities["city"]) == ["Alpha", "Beta"]
    assert list(cities["pupils"]) == [3500, 2200]
    for city in ("Alpha", "Beta"):
        metrics = pd.read_parquet(province_run / "cities" / city / "metrics.parquet")
        final = metrics[metrics["year"] == metrics["year"].max()].set_index("metric")["value"]
        row = cities.set_index("city").loc[city]
        for metric in SHOWN_METRICS:
            if pd.notna(final.get(metric)):
                assert row[metric] == pytest.approx(final[metric], rel=1e-9)


def test_province_table_and_gaps_come_from_the_province_table(report, province_run):
    shown = pd.read_csv(province_run / "tables" / "province.csv")
    table = pd.read_parquet(province_run / "province.parquet")
    final = table[table["year"] == table["year"].max()].set_index("metric")
    assert set(shown["metric"]) <= set(SHOWN_METRICS) and len(shown) >= 4
    for row in shown.itertuples(index=False):
        assert row.value == pytest.approx(final.loc[row.metric, "value"], rel=1e-9)
        assert row.range == pytest.approx(final.loc[row.metric, "range"], rel=1e-9)
        # the CSV holds 10 significant digits, so each figure is off by up to half a unit
        # in its tenth digit: the difference of two may be off by about 1e-9 of the larger
        digits = 1e-9 * max(abs(row.max), abs(row.min), 1.0)
        assert row.max - row.min == pytest.approx(row.range, abs=2 * digits)


def test_figures_and_documents_are_written(report, province_run):
    names = [entry.name for entry in report.figures]
    assert names == ["province_cities", "province_over_years"]
    for entry in report.figures:
        png = next(p for p in entry.files if p.suffix == ".png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    drawn = pd.read_csv(province_run / "figures" / "province_cities.csv")
    assert set(drawn["city"]) == {"Alpha", "Beta"}
    markdown = (province_run / "report.md").read_text(encoding="utf-8")
    assert "# Province report: toy-province" in markdown and "| Alpha |" in markdown
    assert "<h2>Cities in" in (province_run / "report.html").read_text(encoding="utf-8")


def test_a_changed_city_table_is_refused_with_exit_2(province_run, tmp_path, capsys):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(province_run, copy)
    metrics = copy / "cities" / "Beta" / "metrics.parquet"
    frame = pd.read_parquet(metrics)
    frame.loc[0, "value"] = 123.0
    frame.to_parquet(metrics)
    assert main(["report", str(copy)]) == 2
    error = capsys.readouterr().err
    assert "cities/Beta/metrics.parquet" in error and "does not match manifest.json" in error
