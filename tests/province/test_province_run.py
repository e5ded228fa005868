"""A province run: same tables for any number of workers, seeds by city name, finished
cities kept and resumed after a kill, nothing that looks complete before the end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import edusim.province.run as province_run
from edusim.cli import main
from edusim.output_dir import OutputFolderError
from edusim.province import run_province, shard_seed
from edusim.scenario.province_loader import load_province

TOY = Path(__file__).resolve().parents[1] / "data" / "province-toy.yaml"


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*.parquet"))
    }


@pytest.fixture(scope="module")
def province():
    return load_province(TOY)


@pytest.fixture(scope="module")
def one_worker(province, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("one") / "run"
    run_province(province, out, workers=1)
    return out


def test_shard_seeds_come_from_the_province_seed_and_the_city_name():
    assert shard_seed(11, "Alpha") == shard_seed(11, "Alpha")
    assert shard_seed(11, "Alpha") != shard_seed(11, "Beta")
    assert shard_seed(11, "Alpha") != shard_seed(12, "Alpha")


def test_the_folder_holds_each_city_and_the_province_table(one_worker, province):
    manifest = json.loads((one_worker / "manifest.json").read_text(encoding="utf-8"))
    assert [s["city"] for s in manifest["shards"]] == ["Alpha", "Beta"]
    assert [s["seed"] for s in manifest["shards"]] == [
        shard_seed(11, "Alpha"),
        shard_seed(11, "Beta"),
    ]
    for city in ("Alpha", "Beta"):
        city_manifest = json.loads((one_worker / "cities" / city / "manifest.json").read_text())
        assert city_manifest["seed"] == shard_seed(11, city)
    table = pd.read_parquet(one_worker / "province.parquet")
    pupils = table[(table["metric"] == "pupils") & (table["year"] == 2018)]["value"].item()
    by_city = sum(
        pd.read_parquet(one_worker / "cities" / c / "metrics.parquet")
        .query("metric == 'pupils' and year == 2018")["value"]
        .item()
        for c in ("Alpha", "Beta")
    )
    assert pupils == by_city


def test_two_workers_write_byte_identical_tables(one_worker, province, tmp_path):
    out = tmp_path / "two"
    run_province(province, out, workers=2)
    assert _files(out) == _files(one_worker)
    assert len(_files(out)) == 1 + 2 * 6


def test_a_finished_province_is_not_overwritten(one_worker, province):
    before = _files(one_worker)
    with pytest.raises(OutputFolderError, match="finished province"):
        run_province(province, one_worker, workers=1)
    assert _files(one_worker) == before


def test_a_killed_run_keeps_its_finished_city_and_resumes(
    one_worker, province, tmp_path, monkeypatch
):
    out = tmp_path / "killed"
    real = province_run.run_shard

    def killed_at_beta(task):
        if task.city == "Beta":
            raise KeyboardInterrupt  # the run dies while Beta is simulated
        return real(task)

    monkeypatch.setattr(province_run, "run_shard", killed_at_beta)
    with pytest.raises(KeyboardInterrupt):
        run_province(province, out, workers=1)
    assert (out / "cities" / "Alpha" / "manifest.json").is_file()
    assert not (out / "cities" / "Beta").exists()
    assert not (out / "manifest.json").exists() and not (out / "province.parquet").exists()
    alpha_written = (out / "cities" / "Alpha" / "metrics.parquet").stat().st_mtime_ns
    # a shard killed while its folder was written: a marker and a dead writer's staging
    beta = out / "cities" / "Beta"
    (beta / ".run.partial-999999999").mkdir(parents=True)
    (beta / ".edusim-run").write_text('{"kind": "run", "name": "Beta"}\n')

    monkeypatch.setattr(province_run, "run_shard", real)
    resumed = run_province(province, out, workers=1)
    assert [s["resumed"] for s in resumed.shards] == [True, False]
    assert (out / "cities" / "Alpha" / "metrics.parquet").stat().st_mtime_ns == alpha_written
    assert _files(out) == _files(one_worker)
    assert not (beta / ".run.partial-999999999").exists()


def test_a_city_folder_of_another_seed_is_refused(one_worker, province, tmp_path):
    out = tmp_path / "other"
    run_province(province, out, workers=1)
    (out / "manifest.json").unlink()  # unfinished province, but the cities are there
    changed = load_province(TOY, seed=12)
    with pytest.raises(OutputFolderError, match="another scenario or seed"):
        run_province(changed, out, workers=1)


def test_cli_refuses_a_bad_province_file_with_its_yaml_path(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    text = TOY.read_text(encoding="utf-8").replace("junior: 700", "junior: many")
    bad.write_text(text.replace("template: demo", "template: demo"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(bad), "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert str(bad) in error and "cities[1].generated.pupils.junior" in error
    assert "Traceback" not in error and not out.exists()


def test_cli_refuses_arguments_of_the_other_kind_of_file(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(TOY), "--set", "seed=3", "--out", str(out), "--quiet"]) == 2
    assert "--set" in capsys.readouterr().err and not out.exists()
    assert main(["run", "demo", "--workers", "2", "--out", str(out), "--quiet"]) == 2
    assert "province file" in capsys.readouterr().err and not out.exists()


def test_cli_says_which_dask_scheduler_did_not_answer(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["run", str(TOY), "--dask", "tcp://127.0.0.1:9", "--dask-wait", "1", "--out", str(out)]
    assert main([*argv, "--quiet"]) == 2
    error = capsys.readouterr().err
    assert "no Dask scheduler answered at tcp://127.0.0.1:9" in error
    assert not (out / "manifest.json").exists()


def test_validate_checks_every_city_of_a_province(tmp_path, capsys):
    assert main(["validate", str(TOY)]) == 0
    assert "valid province 'toy-province' (2 cities, 5,700 pupils)" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(TOY.read_text(encoding="utf-8").replace("area_km2: 900", "area_km2: -1"))
    assert main(["validate", str(bad)]) == 2
    assert "cities[1].generated.area_km2" in capsys.readouterr().err
