"""What a report accepts: tables that match the manifest, readable tables, years the run
has; what a killed report left behind is cleaned."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from edusim.cli import EXIT_BAD_INPUT, main
from edusim.report import ReportInputError, build_report, load_results


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def test_a_table_swapped_in_from_another_run_is_refused(results_copy, tmp_path, capsys):
    folder = results_copy("run")
    other = pd.read_parquet(folder / "metrics.parquet")
    other["value"] = other["value"] * 2  # another run's numbers, same shape
    other.to_parquet(folder / "metrics.parquet", index=False)
    with pytest.raises(ReportInputError, match=r"metrics\.parquet does not match its checksum"):
        load_results(folder)
    assert main(["report", str(folder)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("edusim: ") and "metrics.parquet" in err and "Traceback" not in err
    assert not (folder / "report.html").exists()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_an_unreadable_table_is_exit_2_and_a_sentence(results_copy, record_tables, capsys, damage):
    folder = results_copy("run")
    table = folder / "schools.parquet"
    data = table.read_bytes()
    table.write_bytes({"truncated": data[: len(data) // 2], "garbage": b"\x00junk" * 50,
                       "empty": b""}[damage])  # fmt: skip
    assert main(["report", str(folder)]) == EXIT_BAD_INPUT  # checksum first
    assert "schools.parquet does not match its checksum" in capsys.readouterr().err
    record_tables(folder)  # even with a manifest that agrees, the table cannot be read
    assert main(["report", str(folder)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "schools.parquet cannot be read as a table" in err
    assert "ArrowInvalid" not in err.split("(")[0] and "Traceback" not in err


def test_a_table_not_in_the_manifest_or_missing_from_the_folder_is_refused(results_copy):
    folder = results_copy("run")
    shutil.copy(folder / "metrics.parquet", folder / "metrics.csv")
    with pytest.raises(ReportInputError, match=r"metrics\.csv is not listed in manifest\.json"):
        load_results(folder)
    (folder / "metrics.csv").unlink()
    (folder / "events.parquet").unlink()
    with pytest.raises(ReportInputError, match=r"events\.parquet is missing"):
        load_results(folder)


def test_an_experiment_table_from_another_experiment_is_refused(results_copy, capsys):
    compare, morris = results_copy("compare"), results_copy("morris")
    shutil.copy(morris / "metrics.parquet", compare / "metrics.parquet")
    with pytest.raises(ReportInputError, match=r"metrics\.parquet does not match manifest\.jsonl"):
        load_results(compare)
    (morris / "metrics.parquet").write_bytes(b"PAR1 torn")
    assert main(["report", str(morris)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "metrics.parquet cannot be read as a table" in err and "Traceback" not in err


def test_a_year_the_run_does_not_have_is_refused_naming_its_years(results_copy, capsys):
    folder = results_copy("run")
    assert main(["report", str(folder), "--year", "1990"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "--year 1990 is not a year of this run; expected one of 2018-2021" in err
    assert not (folder / "figures").exists()


def test_a_killed_reports_staging_folder_is_removed_by_the_next_report(results_copy):
    folder = results_copy("compare")
    dead = folder / f".report.partial-{_dead_pid()}"
    (dead / "figures").mkdir(parents=True)
    live = folder / f".report-zh.partial-{os.getppid()}"  # a live process
    live.mkdir()
    build_report(folder, formats=("svg",))
    assert not dead.exists() and live.is_dir()


def test_the_convergence_caption_says_what_its_band_is(run_report):
    caption = next(e.caption for e in run_report.figures if e.name == "group_convergence")
    assert "band: 10th-90th percentile across schools" in caption
    assert "no band is shown" not in caption
    assert "not uncertainty across replications" in caption
    manifest = json.loads((run_report.folder / "manifest.json").read_text())
    assert f"seed {manifest['seed']}" in caption
