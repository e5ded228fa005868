"""Shipped scenarios found by name, `edusim scenarios`, and the JSON Schema of scenario
files (`edusim schema`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from edusim.cli import main
from edusim.scenario import library
from edusim.scenario.json_schema import scenario_json_schema
from edusim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY_SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_every_repository_scenario_is_shipped_by_name():
    shipped = library.shipped_scenarios()
    assert list(shipped) == [path.stem for path in REPOSITORY_SCENARIOS]
    assert {"base", "demo", "hangzhou"} <= set(shipped)


def test_a_name_loads_the_shipped_scenario(demo_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nowhere near the repository's scenarios/
    by_name = load_scenario("demo")
    assert by_name == load_scenario(demo_path)
    assert load_scenario("demo.yaml", {"years": 2}).years == 2
    assert load_scenario(Path("demo")).name == "demo"


def test_a_users_own_file_wins_over_a_shipped_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo.yaml").write_text(
        f"extends: {ROOT / 'scenarios' / 'demo.yaml'}\nname: mine\n", encoding="utf-8"
    )
    assert load_scenario("demo.yaml").name == "mine"
    assert load_scenario("demo").name == "demo"  # no file called plain `demo` here


def test_an_unknown_name_is_still_file_not_found(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "no-such-place"]) == 2
    assert "file not found" in capsys.readouterr().err


def test_edusim_scenarios_lists_each_with_its_description(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for path in REPOSITORY_SCENARIOS:
        assert path.stem in lines
    assert "Small synthetic city" in lines["demo"]


def test_the_schema_accepts_every_shipped_file_as_written():
    from edusim.scenario.province import Province

    validator = jsonschema.Draft202012Validator(scenario_json_schema())
    provinces = jsonschema.Draft202012Validator(Province.model_json_schema())
    for path in REPOSITORY_SCENARIOS:
        data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        checker = provinces if "cities" in data else validator  # a province file lists cities
        errors = [error.message for error in checker.iter_errors(data)]
        assert errors == [], path.name


def test_the_schema_knows_extends_and_refuses_what_the_loader_refuses():
    schema = scenario_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    assert "extends" in schema["properties"]
    # a file that extends another may leave out name and city, and so may a parent
    assert validator.is_valid({"extends": "base.yaml", "years": 3})
    assert validator.is_valid({"years": 3})
    # wrong types, out-of-range values and misspelt keys are refused
    assert not validator.is_valid({"extends": 3})
    assert not validator.is_valid({"years": "ten"})
    assert not validator.is_valid({"extends": "base.yaml", "yeers": 3})
    assert not validator.is_valid({"extends": "base.yaml", "learning": {"peer_efect": 0.1}})


def test_edusim_schema_writes_the_schema(tmp_path, capsys):
    out = tmp_path / "scenario.schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(
        json.dumps(scenario_json_schema())
    )
    assert main(["schema"]) == 0
    assert '"extends"' in capsys.readouterr().out


@pytest.mark.slow
def test_the_wheel_carries_the_scenarios_and_falls_back_to_a_version(tmp_path):
    """The build copies scenarios/*.yaml into edusim/scenarios/ (git keeps one copy), and
    a source tree without git metadata builds with the fallback version."""
    pytest.importorskip("setuptools_scm")
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("src", "scenarios"):
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("edusim-*.whl")
    fallback = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools_scm"
    ]["fallback_version"]
    assert wheel.name.startswith(f"edusim-{fallback}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in REPOSITORY_SCENARIOS:
        assert f"edusim/scenarios/{path.name}" in names
    assert any(name.endswith("licenses/LICENSE") for name in names)
    assert not (ROOT / "src" / "edusim" / "scenarios").exists()  # one copy, in scenarios/
