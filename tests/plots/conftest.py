"""The stored result sets (tests/data/report, made by tests/data/make_report_fixtures.py)
read once per session; figures render with the Agg backend and never reach pyplot."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from edusim.report.sources import ExperimentSource, RunSource, load_results

matplotlib.use("Agg")

REPORT_DATA = Path(__file__).resolve().parents[1] / "data" / "report"


@pytest.fixture(scope="session")
def run_source() -> RunSource:
    source = load_results(REPORT_DATA / "run")
    assert isinstance(source, RunSource)
    return source


@pytest.fixture(scope="session")
def compare_source() -> ExperimentSource:
    source = load_results(REPORT_DATA / "compare")
    assert isinstance(source, ExperimentSource)
    return source


@pytest.fixture(scope="session")
def morris_source() -> ExperimentSource:
    source = load_results(REPORT_DATA / "morris")
    assert isinstance(source, ExperimentSource)
    return source
