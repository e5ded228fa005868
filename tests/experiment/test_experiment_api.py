"""`edusim.compare`: failures are never returned as if the comparison had worked."""

from __future__ import annotations

from pathlib import Path

import pytest

import edusim
from edusim.experiment import ExperimentFailedError, ReplicationsFailedWarning
from edusim.experiment.plan import replicate_seed
from edusim.experiment.task import FAIL_SEEDS_VARIABLE

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo.yaml"
VARIANTS = {"as-is": {}, "slow": {"housing.adjust_speed": 0.05}}


def compare(**options):
    return edusim.compare(
        DEMO, VARIANTS, years=1, seed=3, metrics=["quality_sd"], workers=1, **options
    )


def test_compare_raises_when_every_replication_failed(monkeypatch):
    seeds = [replicate_seed(3, k) for k in range(2)]
    monkeypatch.setenv(FAIL_SEEDS_VARIABLE, ",".join(map(str, seeds)))
    with pytest.raises(ExperimentFailedError) as raised:
        compare(replications=2)
    message = str(raised.value)
    assert message.startswith("all 4 runs of experiment 'compare' failed")
    assert "RuntimeError: failure injected" in message
    assert message.endswith("pass out= to keep their tracebacks")  # the folder is gone
    assert len(raised.value.failures) == 4 and raised.value.out is None


def test_compare_reports_partial_failures_in_the_table_and_a_warning(monkeypatch, tmp_path):
    monkeypatch.setenv(FAIL_SEEDS_VARIABLE, str(replicate_seed(3, 1)))
    with pytest.warns(ReplicationsFailedWarning, match="2 of 6 runs") as caught:
        summary = compare(replications=3, out=tmp_path)
    assert caught[0].filename == __file__  # points at the caller, not at edusim
    assert str(tmp_path / "summary.md") in str(caught[0].message)
    assert summary.set_index("variant")["failed"].to_dict() == {"as-is": 1, "slow": 1}
    assert summary["n"].tolist() == [2, 2]
    assert summary["mean"].notna().all()


def test_compare_does_not_point_at_its_temporary_folder(monkeypatch):
    monkeypatch.setenv(FAIL_SEEDS_VARIABLE, str(replicate_seed(3, 1)))
    with pytest.warns(ReplicationsFailedWarning, match="2 of 4 runs") as caught:
        compare(replications=2)
    assert "edusim-compare-" not in str(caught[0].message)
