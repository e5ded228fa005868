"""Copies of the stored result sets (tests/data/report) that a test may write a report
into, and reports built once per session for the tests that only read them."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest

from edusim.report import Report, build_report

matplotlib.use("Agg")

REPORT_DATA = Path(__file__).resolve().parents[1] / "data" / "report"


def _record_tables(folder: Path) -> None:
    """List the run tables now in `folder` in its manifest.json with their checksums, as
    write_run does, for tests that build a run folder by changing a stored one."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"] = {
        path.stem: {
            "file": path.name,
            "rows": 0,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
        for path in sorted(folder.iterdir())
        if path.suffix in (".parquet", ".csv")
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


@pytest.fixture
def record_tables() -> Callable[[Path], None]:
    """record_tables(folder): list the run tables now in `folder` in its manifest.json."""
    return _record_tables


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
    return build_report(target, workers=2, formats=("png", "pdf", "svg"))


@pytest.fixture(scope="session")
def run_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _built(tmp_path_factory, "run")


@pytest.fixture(scope="session")
def compare_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _built(tmp_path_factory, "compare")


@pytest.fixture(scope="session")
def morris_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _built(tmp_path_factory, "morris")
