"""Calibration: recovery of a known parameter, resume after a kill, workers-independence,
the folder's files, and refusals of bad input.

The city is the tests' small one (two districts, 2 years, ~0.2 s a run); the synthetic
truth is `families.quality_taste_mean = 0.5`, observed as the mean of four runs with
seeds the calibration never uses, with their replicate SD as the uncertainty.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

pytest.importorskip("optuna")

from edusim.cli import main
from edusim.experiment import executor
from edusim.experiment.calibrate import CalibrationError, calibrate, parse_range
from edusim.results import run_scenario
from edusim.scenario.loader import load_scenario

TRUTH = 0.5
PARAMETER = "families.quality_taste_mean"
TARGET_METRICS = ("movers_share", "premium_top_decile_share")
TRUTH_SEEDS = (101, 102, 103, 104)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, small_city: dict) -> tuple[Path, Path]:
    """The small city (2 years) and targets the model itself produced at the truth."""
    folder = tmp_path_factory.mktemp("calibration-inputs")
    scenario_path = folder / "small.yaml"
    scenario_path.write_text(yaml.safe_dump({**small_city, "years": 2}), encoding="utf-8")
    truth = load_scenario(scenario_path, {PARAMETER: TRUTH})
    values: dict[str, list[float]] = {name: [] for name in TARGET_METRICS}
    for seed in TRUTH_SEEDS:
        metrics = run_scenario(truth, seed).tables["metrics"]
        final = metrics[metrics["year"] == 2020].set_index("metric")["value"]
        for name in TARGET_METRICS:
            values[name].append(float(final[name]))
    targets = {
        "name": "synthetic",
        "targets": [
            {
                "metric": name,
                "year": 2020,
                "observed": float(np.mean(series)),
                "sd": float(np.std(series, ddof=1)),
                "source": f"the model at {PARAMETER} = {TRUTH}, seeds {TRUTH_SEEDS}",
            }
            for name, series in values.items()
        ],
    }
    targets_path = folder / "targets.yaml"
    targets_path.write_text(yaml.safe_dump(targets, sort_keys=False), encoding="utf-8")
    return scenario_path, targets_path


SMALL_RUN = {"trials": 8, "replications": 2, "batch": 4, "seed": 3}


def _small(inputs, out: Path, **changes):
    scenario, targets = inputs
    settings = {**SMALL_RUN, **changes}
    return calibrate(scenario, targets, [f"{PARAMETER}:0.1:0.9"], out=out, **settings)


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory: pytest.TempPathFactory):
    """8 trials in 2 batches, run in this process without interruption."""
    return _small(inputs, tmp_path_factory.mktemp("reference") / "cal", workers=1)


def test_recovers_the_known_parameter(inputs, tmp_path: Path):
    scenario, targets = inputs
    result = calibrate(
        scenario,
        targets,
        [f"{PARAMETER}:0.1:0.9"],
        trials=16,
        replications=3,
        batch=4,
        seed=11,
        startup=8,
        workers=1,
        out=tmp_path / "cal",
    )
    profile = result.profile.set_index("parameter").loc[PARAMETER]
    assert profile["good_low"] <= TRUTH <= profile["good_high"], result.profile
    assert profile["share_of_range"] < 0.6, result.profile  # the targets narrow it
    assert abs(result.best[PARAMETER] - TRUTH) < 0.2, result.best
    assert (result.fit["z"].abs() < 2).all(), result.fit


def test_folder_holds_tables_and_a_best_scenario_that_extends_the_input(reference, inputs):
    out = reference.out
    for name in ("trials.csv", "fit.csv", "profile.csv", "best.yaml", "summary.md"):
        assert (out / name).is_file(), name
    trials = pd.read_csv(out / "trials.csv")
    assert list(trials["trial"]) == list(range(8))
    assert list(trials["batch"]) == [0] * 4 + [1] * 4
    assert (trials["state"] == "COMPLETE").all()
    text = (out / "best.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Calibrated from 'small'")
    parent = yaml.safe_load(text)["extends"]
    assert not Path(parent).is_absolute()
    assert (out / parent).resolve() == inputs[0].resolve()
    best = load_scenario(out / "best.yaml")
    assert best.families.quality_taste_mean == pytest.approx(reference.best[PARAMETER])
    assert best.years == 2 and best.name == "small-calibrated"
    fit = pd.read_csv(out / "fit.csv")
    assert list(fit["target"]) == [f"{name} 2020" for name in TARGET_METRICS]
    assert (fit["band_low"] <= fit["model_mean"]).all()
    assert (fit["model_mean"] <= fit["band_high"]).all()


def test_two_workers_give_the_same_trials_table(reference, inputs, tmp_path: Path):
    parallel = _small(inputs, tmp_path / "cal", workers=2)
    expected = (reference.out / "trials.csv").read_bytes()
    assert (parallel.out / "trials.csv").read_bytes() == expected


def test_resumes_after_a_kill_with_the_same_trials(reference, inputs, tmp_path, monkeypatch):
    calls = {"count": 0}
    real = executor.run_task

    def killed_after_eleven_runs(task):
        calls["count"] += 1
        if calls["count"] > 11:  # batch 0 (8 runs) done, batch 1 asked and partly run
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(executor, "run_task", killed_after_eleven_runs)
    with pytest.raises(KeyboardInterrupt):
        _small(inputs, tmp_path / "cal", workers=1)
    assert not (tmp_path / "cal" / "trials.csv").exists()  # nothing that looks finished
    monkeypatch.setattr(executor, "run_task", real)
    resumed = _small(inputs, tmp_path / "cal", workers=1)
    assert resumed.reused == 11 and resumed.ran == 5
    expected = (reference.out / "trials.csv").read_bytes()
    assert (resumed.out / "trials.csv").read_bytes() == expected


def test_more_trials_continue_the_same_search(reference, inputs, tmp_path: Path):
    first = _small(inputs, tmp_path / "cal", workers=1, trials=4)
    longer = _small(inputs, first.out, workers=1, trials=8)
    assert longer.reused == 8
    expected = (reference.out / "trials.csv").read_bytes()
    assert (longer.out / "trials.csv").read_bytes() == expected


def test_other_settings_in_the_same_folder_are_refused(reference, inputs):
    with pytest.raises(CalibrationError, match="replications 2, not 3"):
        _small(inputs, reference.out, workers=1, replications=3)


def test_bad_ranges_are_refused_before_any_run(inputs, tmp_path: Path):
    scenario, targets = inputs
    with pytest.raises(CalibrationError) as caught:
        calibrate(scenario, targets, ["families.quality_taste_mea:0:1"], out=tmp_path / "c")
    assert "--params families.quality_taste_mea:" in str(caught.value)
    with pytest.raises(CalibrationError, match=r"--params families\.quality_taste_mean"):
        calibrate(scenario, targets, ["families.quality_taste_mean:-5:1"], out=tmp_path / "c")
    assert not (tmp_path / "c").exists()
    with pytest.raises(ValueError, match="PATH:LOW:HIGH"):
        parse_range("families.quality_taste_mean")


def test_cli_bad_targets_exit_2_with_the_yaml_path(inputs, tmp_path: Path, capsys):
    scenario, _ = inputs
    bad = tmp_path / "targets.yaml"
    bad.write_text(
        "targets:\n  - metric: movers_share\n    year: 2020\n    observed: 0.2\n"
        "    sd: 0.02\n    interval: [0.1, 0.3]\n    source: x\n",
        encoding="utf-8",
    )
    code = main(["calibrate", str(scenario), str(bad), "--params", f"{PARAMETER}:0.1:0.9"])
    error = capsys.readouterr().err
    assert code == 2
    assert "targets[0]: give exactly one of 'sd' or 'interval'" in error
    assert "Traceback" not in error
    assert not (Path("results") / "calibrations" / "small").exists()


def test_report_of_a_calibration_folder_draws_its_figures(reference):
    from edusim.report import build_report

    report = build_report(reference.out, formats=("png",))
    assert sorted(entry.name for entry in report.figures) == [
        "calibration_fit",
        "calibration_pairs",
        "calibration_traces",
    ]
    assert report.html.is_file() and "Fit per target" in report.markdown.read_text("utf-8")


def test_an_edited_targets_file_is_not_resumed(inputs, tmp_path: Path):
    scenario, targets = inputs
    copy = tmp_path / "targets.yaml"
    copy.write_text(targets.read_text(encoding="utf-8"), encoding="utf-8")
    ranges = [f"{PARAMETER}:0.1:0.9"]
    settings = {"trials": 1, "replications": 1, "batch": 1, "workers": 1}
    calibrate(scenario, copy, ranges, out=tmp_path / "cal", **settings)
    data = yaml.safe_load(copy.read_text(encoding="utf-8"))
    data["targets"][0]["observed"] *= 2
    copy.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CalibrationError, match="the targets file differs"):
        calibrate(scenario, copy, ranges, out=tmp_path / "cal", **settings)


def test_every_trial_failing_is_an_error_that_says_why(inputs, tmp_path: Path, monkeypatch):
    from edusim.experiment.calibrate import CalibrationFailedError
    from edusim.experiment.plan import replicate_seed
    from edusim.experiment.task import FAIL_SEEDS_VARIABLE

    monkeypatch.setenv(FAIL_SEEDS_VARIABLE, str(replicate_seed(3, 0)))
    with pytest.raises(CalibrationFailedError, match="failure injected"):
        _small(inputs, tmp_path / "cal", workers=1, trials=2, replications=1, batch=2)
    assert not (tmp_path / "cal" / "best.yaml").exists()
    import optuna

    study = optuna.load_study(
        study_name="edusim-calibration",
        storage=optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(tmp_path / "cal" / "optuna.journal"))
        ),
    )
    assert [trial.state.name for trial in study.trials] == ["FAIL", "FAIL"]  # both recorded
