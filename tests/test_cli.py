"""The command line end to end: run, validate, describe; bad input is exit 2, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from edusim import __version__
from edusim.cli import EXIT_BAD_INPUT, EXIT_OK, main
from edusim.metrics import METRICS

PHASES = ["policy", "staffing", "enrollment", "school_year", "evaluation", "record"]
COMMANDS = ["run", "validate", "describe"]

DISTRICT = (
    "city:\n  districts:\n    - name: A\n      kind: urban\n"
    "      schools: {primary: 2, junior: 1}\n      pupils: {primary: 600, junior: 300}\n"
)

# name -> (file content, or a marker for a special file; text stderr must contain)
BAD_FILES: dict[str, tuple[str | None, str]] = {
    "missing": (None, "file not found"),
    "empty": ("", "file is empty"),
    "not_yaml": ("name: [unclosed\n", "not valid YAML at line"),
    "not_mapping": ("- a\n- b\n", "top level is a list"),
    "hostile_tag": (
        "name: x\ncity: !!python/object/apply:os.system ['touch {marker}']\n",
        "unsupported YAML tag",
    ),
    "alias_bomb": (
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
        "aliases",
    ),
    "deep_nesting": ("name: x\ncity: " + "[" * 2_000 + "]" * 2_000 + "\n", "invalid scenario"),
    "unknown_key": (
        "extends: base.yaml\nname: x\nlearning: {peer_efect: 0.1}\n" + DISTRICT,
        "learning.peer_efect: unknown key",
    ),
    "pupils_without_schools": (
        "extends: base.yaml\nname: x\n" + DISTRICT.replace("primary: 2", "primary: 0"),
        "city.districts[0].schools.primary: district has 600 primary pupils but no school",
    ),
    "event_unknown_parameter": (
        "extends: base.yaml\nname: x\nyears: 3\n"
        + DISTRICT
        + "timeline:\n  - date: 2019-09-01\n    set: {learning.no_such: 1}\n",
        "timeline[0].set['learning.no_such']: no such parameter",
    ),
    "event_before_run": (
        "extends: base.yaml\nname: x\nyears: 3\n"
        + DISTRICT
        + "timeline:\n  - date: 2017-09-01\n    set: {learning.peer_effect: 0.1}\n",
        "timeline[0].date: 2017-09-01 is before the run",
    ),
    "directory": ("<dir>", "is a directory"),
    "unreadable": ("<through a file>", "cannot read file"),
}


def _bad_file(tmp_path: Path, case: str) -> tuple[Path, str]:
    content, expected = BAD_FILES[case]
    (tmp_path / "base.yaml").write_text(
        (Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml").read_text()
    )
    path = tmp_path / f"{case}.yaml"
    if content == "<dir>":
        path.mkdir()
    elif content == "<through a file>":  # unreadable whoever runs the tests, root included
        (tmp_path / "plain").write_text("x")
        path = tmp_path / "plain" / f"{case}.yaml"
    elif content is not None:
        path.write_text(content.replace("{marker}", str(tmp_path / "pwned")))
    return path, expected


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "EDUSIM_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "edusim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )


# -- run --------------------------------------------------------------------------------------


def test_run_with_options_writes_csv_results(demo_path, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "run",
            str(demo_path),
            "--years",
            "2",
            "--seed",
            "3",
            "--set",
            "learning.peer_effect=0.05",
            "--set",
            "housing.adjust_speed=0.2",
            "--format",
            "csv",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == EXIT_OK
    assert f"results written to {out}" in capsys.readouterr().out
    names = {p.name for p in out.iterdir()}
    assert {"metrics.csv", "schools.csv", "events.csv", "manifest.json", "summary.md"} <= names
    assert not any(name.endswith(".parquet") for name in names)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["seed"], manifest["years"], manifest["format"]) == (3, 2, "csv")
    assert "--set" in manifest["command"]
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["learning"]["peer_effect"] == 0.05
    assert resolved["housing"]["adjust_speed"] == 0.2
    assert resolved["years"] == 2
    metrics = pd.read_csv(out / "metrics.csv")
    assert sorted(metrics["year"].unique()) == [2018, 2019, 2020]
    assert set(metrics["metric"]) == set(METRICS)
    assert (metrics["seed"] == 3).all()


def test_run_prints_the_headline_unless_quiet(demo_path, tmp_path, capsys):
    assert main(["run", str(demo_path), "--years", "1", "--out", str(tmp_path / "r")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("| metric | unit | direction | 2018 | 2019 | change |")
    for name in ("quality_sd", "pupils", "teachers"):
        assert f"| {name} |" in printed


def test_run_twice_with_one_seed_gives_identical_files(demo_path, tmp_path):
    for name in ("a", "b"):
        args = ["run", str(demo_path), "--years", "2", "--seed", "9", "--quiet"]
        assert main([*args, "--format", "csv", "--out", str(tmp_path / name)]) == 0
    for table in ("metrics", "schools", "events"):
        a = (tmp_path / "a" / f"{table}.csv").read_bytes()
        assert a == (tmp_path / "b" / f"{table}.csv").read_bytes()


def test_run_uses_the_default_results_directory(demo_path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(demo_path), "--years", "1", "--seed", "4", "--quiet"]) == 0
    runs = list((tmp_path / "results" / "demo").iterdir())
    assert len(runs) == 1 and runs[0].name.endswith("-seed4")
    assert (runs[0] / "manifest.json").exists()


@pytest.mark.parametrize(
    "assignment", ["city.districts[0].towns=5", "city.districts[Old Town].towns=5"]
)
def test_run_with_set_into_a_district(demo_path, tmp_path, assignment, capsys):
    out = tmp_path / "out"
    code = main(["run", str(demo_path), "--years", "1", "--set", assignment, "--out", str(out)])
    assert code == EXIT_OK, capsys.readouterr().err
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["city"]["districts"][0]["towns"] == 5


def test_run_refuses_a_non_empty_output_directory(demo_path, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["run", str(demo_path), "--years", "1", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and str(out) in err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "mine"


def test_run_refuses_a_negative_seed_as_bad_input(demo_path, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", str(demo_path), "--years", "1", "--seed", "-1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert "seed" in err and "Traceback" not in err
    assert not out.exists()


PLACES = ("chongming", "dalian", "hangzhou", "ninghe", "sanming")
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize("place", PLACES)
def test_every_place_runs_for_three_years_and_says_what_it_skips(place, tmp_path, capsys):
    """A shortened run skips events, groups and rules dated after its end, one warning line
    each on stderr (Chongming's 2016-2020 events, 2018 groups and 2017 zones with --years
    3)."""
    out = tmp_path / place
    argv = ["run", str(SCENARIOS / f"{place}.yaml"), "--years", "3", "--no-report", "--quiet"]
    code = main([*argv, "--format", "csv", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_OK, err
    metrics = pd.read_csv(out / "metrics.csv")
    assert metrics["year"].nunique() == 4  # the city as built and three school years
    warnings = [line for line in err.splitlines() if line.startswith("edusim: warning:")]
    assert len(warnings) == len(err.splitlines())
    events = pd.read_csv(out / "events.csv")
    formed = events[events["label"] == "formed"]
    assert not formed.empty and (formed["year"] < metrics["year"].min() + 3).all()
    if place == "chongming":
        # the four timeline events (2016 and 2017 openings, the 2020 reservoir and joint
        # training), explicit groups 7-8 (2018) and the five 2017 zone rules
        assert len(warnings) == 11
        assert "groups.rules[4].formed: 2017-09-01" in warnings[-1]
        assert "rule 'zone-hengsha' skipped" in warnings[-1]


def test_validate_and_describe_warn_about_skipped_items_too(capsys):
    path = str(SCENARIOS / "hangzhou.yaml")
    assert main(["validate", path, "--set", "years=2"]) == EXIT_OK
    err = capsys.readouterr().err
    assert err.strip() == (
        "edusim: warning: timeline[0].date: 2020-09-01 takes effect in school year 2020, "
        "after the run (2018-2019): event '公民同招' skipped"
    )
    assert main(["describe", path, "--plan", "--set", "years=2"]) == EXIT_OK
    assert "event '公民同招' skipped" in capsys.readouterr().err


# -- validate and describe ------------------------------------------------------------------


def test_validate_a_good_scenario(demo_path, capsys):
    assert main(["validate", str(demo_path)]) == 0
    out = capsys.readouterr().out
    assert "valid scenario 'demo'" in out
    assert "4 districts" in out and "10 years from 2018" in out
    assert main(["validate", str(demo_path), "--set", "years=3"]) == 0
    assert "3 years from 2018" in capsys.readouterr().out


def test_validate_lists_every_problem_with_its_path(write_yaml, capsys):
    path = write_yaml(
        "bad.yaml",
        "extends: base.yaml\nname: x\nyears: 0\ncolour: red\nlearning: {peer_effect: -1}\n"
        + DISTRICT,
    )
    assert main(["validate", str(path)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0] == f"edusim: invalid scenario {path}:"
    paths = {line.strip().split(":")[0] for line in lines[1:]}
    assert paths == {"years", "colour", "learning.peer_effect"}


def test_validate_reports_a_bad_set_with_its_path(demo_path, capsys):
    assert main(["validate", str(demo_path), "--set", "learning.peer_efect=1"]) == 2
    err = capsys.readouterr().err
    assert "learning.peer_efect: cannot override" in err
    assert main(["validate", str(demo_path), "--set", "learning.peer_effect=-1"]) == 2
    assert "learning.peer_effect: Input should be greater than or equal to 0" in (
        capsys.readouterr().err
    )


def test_describe_prints_the_resolved_scenario_and_the_city(demo_path, capsys):
    assert main(["describe", str(demo_path), "--seed", "5"]) == 0
    out = capsys.readouterr().out
    resolved = yaml.safe_load(out.split("# city built")[0])
    assert resolved["name"] == "demo"
    assert len(resolved["city"]["districts"]) == 4
    assert "# city built with seed 5: 63 schools" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[-4:]}
    assert set(rows) == {"Old", "Riverside", "New", "Hill"}
    riverside = rows["Riverside"]
    assert riverside[1] == "urban"
    assert riverside[2:4] == ["10", "7200"]  # primary schools and pupils


def test_describe_leaves_no_model_in_mesas_registry(demo_path, capsys):
    """The city `describe` builds is released (Mesa 3.3 keeps a dict of agent ids keyed
    by model, which kept it alive for the rest of the process; found when a memory test
    ran after a describe test)."""
    import mesa

    from edusim.model import EduModel

    registry = getattr(mesa.Agent, "_ids", {})
    before = {id(key) for key in registry}  # other tests' models may be there
    assert main(["describe", str(demo_path)]) == 0
    capsys.readouterr()
    left = [key for key in registry if isinstance(key, EduModel) and id(key) not in before]
    assert not left


def test_describe_plan_lists_phases_and_events_in_order(write_yaml, demo_path, capsys):
    assert main(["describe", str(demo_path), "--plan", "--set", "years=2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 12
    assert [line.split()[4] for line in lines] == PHASES * 2
    assert [line.split()[0] for line in lines] == ["2018"] * 6 + ["2019"] * 6
    path = write_yaml(
        "timeline.yaml",
        f"extends: {demo_path}\nyears: 2\ntimeline:\n  - date: 2019-06-01\n"
        "    label: reform\n    set: {learning.peer_effect: 0.1}\n",
    )
    assert main(["describe", str(path), "--plan"]) == 0
    lines = capsys.readouterr().out.splitlines()
    kinds = [(line.split()[0], line.split()[3], line.split()[4]) for line in lines]
    assert kinds[6:8] == [("2019", "phase", "policy"), ("2019", "event", "policy")]
    assert "reform (dated 2019-06-01): learning.peer_effect=0.1" in lines[7]
    assert len(lines) == 13


def test_version_and_usage_errors(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out
    for argv in ([], ["run"], ["frobnicate"], ["run", "x.yaml", "--format", "xlsx"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2


# -- bad scenario files: one message, exit 2, nothing written -------------------------------


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_scenarios_are_one_message_and_exit_2(tmp_path, capsys, command, case):
    path, expected = _bad_file(tmp_path, case)
    out = tmp_path / "out"
    argv = [command, str(path)] + (["--out", str(out), "--quiet"] if command == "run" else [])
    code = main(argv)
    captured = capsys.readouterr()
    assert code == EXIT_BAD_INPUT, captured.err
    assert captured.err.startswith(f"edusim: invalid scenario {path}")
    assert expected in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert not out.exists()
    assert not (tmp_path / "pwned").exists()


def test_a_bad_run_creates_no_results_directory(tmp_path, monkeypatch, capsys):
    path, _ = _bad_file(tmp_path, "pupils_without_schools")
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(path)]) == EXIT_BAD_INPUT
    assert not (tmp_path / "results").exists()
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_set_value_is_exit_2_for_every_command(demo_path, tmp_path, capsys, command):
    out = tmp_path / "out"
    argv = [command, str(demo_path), "--set", "learning.peer_effect=[1"]
    if command == "run":
        argv += ["--out", str(out)]
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "--set learning.peer_effect" in err and "not valid YAML" in err
    assert not out.exists()


# -- the real process: no traceback reaches the user ---------------------------------------


@pytest.mark.parametrize(
    ("command", "case"),
    [
        ("run", "hostile_tag"),
        ("validate", "alias_bomb"),
        ("describe", "deep_nesting"),
    ],
)
def test_no_traceback_from_the_command_line(tmp_path, command, case):
    path, expected = _bad_file(tmp_path, case)
    extra = ["--out", "out"] if command == "run" else []
    finished = _run_cli(command, str(path), *extra, cwd=tmp_path)
    assert finished.returncode == EXIT_BAD_INPUT, finished.stderr
    assert "Traceback" not in finished.stderr
    assert expected in finished.stderr
    assert len(finished.stderr.splitlines()) <= 4
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "results").exists()
    assert not (tmp_path / "pwned").exists()


def test_a_good_run_from_the_command_line(demo_path, tmp_path):
    finished = _run_cli(
        "run", str(demo_path), "--years", "1", "--seed", "2", "--out", "r", cwd=tmp_path
    )
    assert finished.returncode == 0, finished.stderr
    assert "Traceback" not in finished.stderr
    assert (tmp_path / "r" / "metrics.parquet").exists()
    assert "results written to r" in finished.stdout


# -- output folders: own or empty only, locked, safe names, early refusals -------------------

HOLD_CLAIM = (
    "import sys\nfrom edusim.output_dir import claim_output\n"
    "with claim_output(sys.argv[1], sys.argv[2], sys.argv[3], resume=True):\n"
    "    print('holding', flush=True)\n    sys.stdin.read()\n"
)


def _experiment_file(tmp_path: Path, demo_path: Path, name: str = "tiny") -> Path:
    spec = {
        "name": name,
        "scenario": str(demo_path),
        "years": 1,
        "replications": 1,
        "seed": 5,
        "metrics": ["quality_sd"],
        "variants": {"baseline": {}, "peers": {"set": {"learning.peer_effect": 0.05}}},
    }
    path = tmp_path / f"{name.replace('/', '_')}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _forbid_simulation(monkeypatch) -> None:
    import edusim.results

    def refuse(*args, **kwargs):
        raise AssertionError("the simulation ran before the bad argument was refused")

    monkeypatch.setattr(edusim.results, "run_scenario", refuse)


def test_an_experiment_does_not_overwrite_a_run_folder(demo_path, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["run", str(demo_path), "--years", "1", "--out", str(run), "--quiet",
                 "--no-report"]) == EXIT_OK  # fmt: skip
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    experiment = _experiment_file(tmp_path, demo_path)
    assert (
        main(["experiment", str(experiment), "--workers", "1", "--quiet", "--out", str(run)]) == 2
    )
    err = capsys.readouterr().err
    assert f"output folder {run} holds the results of an edusim run" in err
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == before


def test_an_experiment_does_not_overwrite_a_folder_with_a_summary(demo_path, tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "summary.md").write_text("my notes")
    experiment = _experiment_file(tmp_path, demo_path)
    args = ["experiment", str(experiment), "--workers", "1", "--quiet", "--out", str(folder)]
    assert main(args) == EXIT_BAD_INPUT
    assert "already exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["summary.md"]
    assert (folder / "summary.md").read_text() == "my notes"


def test_names_with_slashes_stay_inside_results(demo_path, tmp_path, monkeypatch, capsys):
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    args = ["run", str(demo_path), "--years", "1", "--quiet", "--no-report"]
    assert main([*args, "--set", "name=../../escaped"]) == EXIT_OK
    experiment = _experiment_file(tmp_path, demo_path, "../../escaped-exp")
    assert main(["experiment", str(experiment), "--workers", "1", "--quiet"]) == EXIT_OK
    capsys.readouterr()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["work", experiment.name])
    assert (tmp_path / "work" / "results" / "_.._escaped").is_dir()
    assert (tmp_path / "work" / "results" / "experiments" / "_.._escaped-exp").is_dir()
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["results"]


@pytest.mark.parametrize(("kind", "name"), [("run", "demo"), ("experiment", "tiny")])
def test_a_second_writer_into_a_busy_folder_is_refused_with_the_owner(
    demo_path, tmp_path, monkeypatch, capsys, kind, name
):
    out = tmp_path / "busy"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_CLAIM, str(out), kind, name],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        _forbid_simulation(monkeypatch)
        if kind == "run":
            args = ["run", str(demo_path), "--years", "1"]
        else:
            args = ["experiment", str(_experiment_file(tmp_path, demo_path)), "--workers", "1"]
        code = main([*args, "--out", str(out), "--quiet"])
    finally:
        holder.stdin.close()
        holder.wait()
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert f"in use by edusim {kind} '{name}' (PID {holder.pid} on " in err
    assert "OSError" not in err and "Errno" not in err
    assert not list(out.glob("manifest*"))


def test_a_run_started_while_another_writes_the_folder_exits_2(
    demo_path, tmp_path, monkeypatch, capsys
):
    """A second `edusim run` into the same --out starts while the first is writing its
    tables (the window where a raw OSError used to come from): it is refused, the
    first finishes."""
    import edusim
    import edusim.results

    out = tmp_path / "shared"
    source = str(Path(edusim.__file__).resolve().parents[1])
    command = [sys.executable, "-m", "edusim", "run", str(demo_path), "--years", "1",
               "--out", str(out), "--quiet", "--no-report"]  # fmt: skip
    second: list[subprocess.CompletedProcess] = []
    write_table = edusim.results.write_table

    def write_while_another_starts(frame, path, fmt):
        if not second:
            env = {**os.environ, "PYTHONPATH": source}
            second.append(subprocess.run(command, env=env, capture_output=True, text=True))
        return write_table(frame, path, fmt)

    monkeypatch.setattr(edusim.results, "write_table", write_while_another_starts)
    first = main(["run", str(demo_path), "--years", "1", "--out", str(out), "--quiet",
                  "--no-report"])  # fmt: skip
    err = capsys.readouterr().err
    assert (first, second[0].returncode) == (EXIT_OK, EXIT_BAD_INPUT), (err, second[0].stderr)
    assert "in use by edusim run 'demo' (PID" in second[0].stderr
    assert "OSError" not in err + second[0].stderr and "Traceback" not in second[0].stderr
    assert (out / "manifest.json").is_file()


@pytest.mark.parametrize("seed", [str(2**64), str(2**63), "-1"])
def test_a_seed_the_tables_cannot_store_is_refused_before_the_run(
    demo_path, tmp_path, monkeypatch, capsys, seed
):
    _forbid_simulation(monkeypatch)
    out = tmp_path / "out"
    code = main(["run", str(demo_path), "--years", "1", "--seed", seed, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert f"--seed must be an integer from 0 to {2**63 - 1}" in err and seed in err
    assert not out.exists()


def test_the_largest_seed_runs_and_is_stored(demo_path, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["run", str(demo_path), "--years", "1", "--seed", str(2**63 - 1), "--out", str(out)]
    assert main([*args, "--quiet", "--no-report"]) == EXIT_OK
    assert (pd.read_parquet(out / "metrics.parquet")["seed"] == 2**63 - 1).all()


@pytest.mark.parametrize("target", ["file", "/dev/null"])
def test_an_out_that_is_a_file_or_device_is_named_as_such(
    demo_path, tmp_path, monkeypatch, capsys, target
):
    out = Path(target) if target.startswith("/") else tmp_path / target
    if target == "file":
        out.write_text("mine")
    elif not out.exists():
        pytest.skip("no /dev/null here")
    _forbid_simulation(monkeypatch)
    assert main(["run", str(demo_path), "--years", "1", "--out", str(out)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "not empty" not in err
    assert ("is a file" if target == "file" else "is a device or special file") in err


def test_ctrl_c_during_the_report_says_the_run_is_complete(
    demo_path, tmp_path, monkeypatch, capsys
):
    import edusim.report

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(edusim.report, "build_report", interrupted)
    out = tmp_path / "run"
    assert main(["run", str(demo_path), "--years", "1", "--out", str(out), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "no results were written" not in err
    assert f"the run is complete in {out}" in err and f"`edusim report {out}`" in err
    assert (out / "manifest.json").is_file()


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    """`edusim scenarios | head -1`: the reader closes the pipe; no "failed" message and
    no traceback, and the status a shell gives a program ended by SIGPIPE (141)."""
    reader, writer = os.pipe()
    os.close(reader)  # gone before the command writes a byte
    env = {k: v for k, v in os.environ.items() if k != "EDUSIM_DEBUG"}
    done = subprocess.run(
        [sys.executable, "-m", "edusim", "scenarios"],
        cwd=tmp_path,
        stdout=writer,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    os.close(writer)
    assert done.returncode == 141
    assert done.stderr == ""
