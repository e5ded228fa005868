"""Copies of the stored result sets (tests/data/report) that a test may write a report
into, and reports built once per session for the tests that only read them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest

from edusim.report import Report, build_report

matplotlib.use("Agg")

REPORT_DATA = Path(__file__).resolve().parents[1] / "data" / "report"


@pytest.fixture
def results_copy(tmp_path: Path) -> Callable[[str], Path]:
    """copy('run' | 'compare' | 'morris') -> a fresh copy under tmp_path."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(REPORT_DATA / name, target)
        return target

    return copy


def _built(factory: pytest.TempPathFactory, name: str) -> Report:
    target = factory.mktemp("reports") / name
    shutil.copytree(REPORT_DATA / name, target)
    return build_report(target, workers=2)


@pytest.fixture(scope="session")
def run_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _built(tmp_path_factory, "run")


@pytest.fixture(scope="session")
def compare_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _built(tmp_path_factory, "compare")


@pytest.fixture(scope="session")
def morris_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _built(tmp_path_factory, "morris")
