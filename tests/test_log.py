"""Diagnostics through logging: -q silences warnings, -v adds information, -vv shows the
traceback of an unexpected failure; progress bars come from tqdm.auto."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import edusim.experiment.runner as runner
import edusim.results as results
from edusim.cli import main
from edusim.log import LOGGER, verbosity_level

HANGZHOU = str(Path(__file__).resolve().parents[1] / "scenarios" / "hangzhou.yaml")
SKIPPED = "event '公民同招' skipped"


@pytest.fixture(autouse=True)
def _restore_logger():
    level, propagate, handlers = LOGGER.level, LOGGER.propagate, list(LOGGER.handlers)
    yield
    LOGGER.handlers[:] = handlers
    LOGGER.setLevel(level)
    LOGGER.propagate = propagate


def test_warnings_show_by_default_and_not_with_q(capsys):
    assert main(["validate", HANGZHOU, "--set", "years=2"]) == 0
    assert "edusim: warning: timeline[0].date" in capsys.readouterr().err
    assert main(["-q", "validate", HANGZHOU, "--set", "years=2"]) == 0
    assert SKIPPED not in capsys.readouterr().err


def test_v_reports_the_run_and_vv_the_traceback_of_a_failure(
    demo_path, tmp_path, capsys, monkeypatch
):
    argv = ["run", str(demo_path), "--years", "1", "--quiet", "--no-report"]
    assert main(["-v", *argv, "--out", str(tmp_path / "a")]) == 0
    assert "edusim: demo, seed 7: 1 school years in" in capsys.readouterr().err

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(results, "run_scenario", broken)
    assert main([*argv, "--out", str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err
    assert "failed: RuntimeError: boom (run with -vv" in err and "Traceback" not in err
    assert main(["-vv", *argv, "--out", str(tmp_path / "c")]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_verbosity_levels():
    assert verbosity_level(-3) == logging.ERROR
    assert verbosity_level(0) == logging.WARNING
    assert verbosity_level(1) == logging.INFO
    assert verbosity_level(5) == logging.DEBUG


def test_progress_bars_suit_notebooks():
    import tqdm.auto

    assert results.tqdm is tqdm.auto.tqdm
    assert runner.tqdm is tqdm.auto.tqdm
