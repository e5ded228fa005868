"""Ctrl-C that lands inside a compiled kernel (`experiment/interrupts.py`): numba's
dispatcher then returns with the KeyboardInterrupt pending and Python raises SystemError
caused by it. Such an error is an interruption, not a failure: the command line exits
130 saying so, and the experiment runner does not store it as the run's failure."""

from __future__ import annotations

import pytest

import edusim.results
from edusim.cli import main
from edusim.experiment.interrupts import user_interrupt
from edusim.experiment.task import Task, run_task
from edusim.scenario.loader import load_scenario


def _kernel_interrupted() -> SystemError:
    """What Python raises when a C call returns a result with a KeyboardInterrupt set."""
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise SystemError("CPUDispatcher(...) returned a result with an exception set") from (
                interrupt
            )
    except SystemError as error:
        return error


def test_the_interrupt_behind_an_error_is_found_through_causes_and_contexts():
    wrapped = _kernel_interrupted()
    assert isinstance(user_interrupt(wrapped), KeyboardInterrupt)
    assert user_interrupt(wrapped) is wrapped.__cause__
    plain = KeyboardInterrupt()
    assert user_interrupt(plain) is plain
    try:  # an error raised while handling a Ctrl-C carries it as its context
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise OSError("cleanup failed")  # noqa: B904 - the implicit context is the point
    except OSError as error:
        assert isinstance(user_interrupt(error), KeyboardInterrupt)
    assert user_interrupt(ValueError("a real failure")) is None
    looped = RuntimeError("a")  # a cycle of contexts ends the search
    other = RuntimeError("b")
    looped.__context__, other.__context__ = other, looped
    assert user_interrupt(looped) is None


def _interrupted_run(*args, **kwargs):
    raise _kernel_interrupted()


def test_the_command_line_says_interrupted_and_exits_130(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(edusim.results, "run_scenario", _interrupted_run)
    out = tmp_path / "run"
    status = main(["run", "scenarios/demo.yaml", "--years", "1", "--out", str(out), "--quiet"])
    assert status == 130
    assert "interrupted; no results were written" in capsys.readouterr().err
    assert not (out / "manifest.json").exists()


def test_the_experiment_runner_passes_the_interrupt_on_instead_of_storing_a_failure(
    monkeypatch,
):
    monkeypatch.setattr(edusim.results, "run_scenario", _interrupted_run)
    scenario = load_scenario("scenarios/demo.yaml", {"years": 1})
    with pytest.raises(KeyboardInterrupt):
        run_task(Task("k", scenario, 1))


def test_a_real_failure_is_still_the_run_s_failure(monkeypatch):
    def fails(*args, **kwargs):
        raise ValueError("a real failure")

    monkeypatch.setattr(edusim.results, "run_scenario", fails)
    outcome = run_task(Task("k", load_scenario("scenarios/demo.yaml", {"years": 1}), 1))
    assert not outcome.ok and "ValueError: a real failure" in outcome.error
