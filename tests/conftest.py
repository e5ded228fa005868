"""Shared fixtures: paths and a small model built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from edusim.model import EduModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DEMO = SCENARIOS / "demo.yaml"


@pytest.fixture(scope="session")
def demo_path() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def demo_run() -> EduModel:
    """The demo scenario run for 4 years (read-only: do not mutate in tests)."""
    return EduModel(DEMO, seed=11, years=4).run()
