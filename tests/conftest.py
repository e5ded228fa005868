"""Shared fixtures: paths, a small model built once per test session, small scenarios."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from edusim.model import EduModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DEMO = SCENARIOS / "demo.yaml"
BASE = SCENARIOS / "base.yaml"

SMALL_SCENARIO: dict[str, Any] = {
    "name": "small",
    "seed": 1,
    "start_year": 2018,
    "years": 3,
    "city": {
        "districts": [
            {
                "name": "Core",
                "kind": "urban",
                "area_km2": 20,
                "towns": 2,
                "schools": {"primary": 4, "junior": 2},
                "pupils": {"primary": 1200, "junior": 600},
                "income_level": 1.2,
                "house_price_cny_per_m2": 50000,
            },
            {
                "name": "Isles",
                "kind": "rural",
                "area_km2": 200,
                "towns": 3,
                "islands": 2,
                "schools": {"primary": 4, "junior": 2},
                "pupils": {"primary": 600, "junior": 300},
                "income_level": 0.7,
                "house_price_cny_per_m2": 10000,
            },
        ]
    },
}
"""A two-district city (one urban, one rural county on two islands) as a plain mapping."""

# Property tests draw the same examples on every run and keep no example database, so a
# failure in CI reproduces on any machine ("ci", the default). `HYPOTHESIS_PROFILE=explore`
# draws new examples each run (still without writing a database into the repository).
# Neither has a deadline: a test must not fail because the shared machine is busy.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Commands the tests start run in their own processes, never in a resident server the
# developer may have running (`edusim serve`); tests/test_cli_serve.py starts its own.
os.environ["EDUSIM_SERVER"] = "off"


@pytest.fixture(scope="session")
def demo_path() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def base_path() -> Path:
    return BASE


@pytest.fixture(scope="session")
def demo_run() -> EduModel:
    """The demo scenario run for 4 years (read-only: do not mutate in tests)."""
    return EduModel(DEMO, seed=11, years=4).run()


@pytest.fixture(scope="session")
def small_city() -> dict[str, Any]:
    """`SMALL_SCENARIO` for module- and session-scoped fixtures (read-only)."""
    return copy.deepcopy(SMALL_SCENARIO)


@pytest.fixture
def small_scenario() -> dict[str, Any]:
    """A fresh copy of `SMALL_SCENARIO` that a test may change."""
    return copy.deepcopy(SMALL_SCENARIO)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write text to a file under tmp_path and return its path (base.yaml is copied beside)."""
    (tmp_path / "base.yaml").write_text(BASE.read_text(encoding="utf-8"), encoding="utf-8")

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def release_unfinished_models():
    """Models a test builds without finishing them (Mesa's own batch_run does not call
    finish) are released afterwards, so they do not stay in Mesa's agent registry."""
    import mesa

    from edusim.model import EduModel

    before = set(getattr(mesa.Agent, "_ids", {}))
    yield
    for key in set(getattr(mesa.Agent, "_ids", {})) - before:
        if isinstance(key, EduModel):
            key.release()
