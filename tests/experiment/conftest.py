"""A tiny comparison on the demo city (2 years, 3 variants, 3 replicates) and its serial run."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from edusim.experiment import ExperimentResult, run_experiment

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo.yaml"

TINY = {
    "name": "tiny",
    "scenario": str(DEMO),
    "years": 2,
    "replications": 3,
    "seed": 5,
    "metrics": ["quality_sd", "ses_gap", "movers_share", "premium_mean_cny"],
    "variants": {
        "baseline": {},
        "slow-housing": {"set": {"housing.adjust_speed": 0.05}},
        "choosy": {"set": {"families.quality_taste_mean": 0.8}},
    },
    "design": {"kind": "compare", "baseline": "baseline"},
}


@pytest.fixture
def tiny() -> dict:
    """The tiny comparison as a mapping (a fresh copy)."""
    return copy.deepcopy(TINY)


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    """The tiny comparison written as an experiment file."""
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def serial_run(tmp_path_factory: pytest.TempPathFactory) -> ExperimentResult:
    """The tiny comparison run in this process: the reference for every executor."""
    return run_experiment(TINY, workers=1, out=tmp_path_factory.mktemp("serial"))
