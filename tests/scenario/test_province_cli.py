"""`edusim schema --province` and `edusim describe` on province files: the schema of
province files, one line per city, and bad files or single-city options refused with
exit 2 and the YAML path."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from edusim.cli import main
from edusim.province import shard_seed
from edusim.scenario.json_schema import province_json_schema

ROOT = Path(__file__).resolve().parents[2]
TOY = ROOT / "tests" / "data" / "province-toy.yaml"
ZHEJIANG = ROOT / "scenarios" / "zhejiang.yaml"


def test_edusim_schema_province_writes_the_province_schema(tmp_path, capsys):
    out = tmp_path / "province.schema.json"
    assert main(["schema", "--province", "--out", str(out)]) == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["title"] == "edusim province file" and "cities" in schema["properties"]
    validator = jsonschema.Draft202012Validator(schema)
    for path in (TOY, ZHEJIANG):
        data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8"))))
        assert [e.message for e in validator.iter_errors(data)] == [], path.name
    bad = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    bad["cities"][0]["generated"]["pupils"]["junior"] = -5
    assert not validator.is_valid(bad)
    assert not validator.is_valid({**yaml.safe_load(TOY.read_text()), "citys": []})
    assert province_json_schema()["title"] == "edusim province file"


def test_describe_a_province_lists_each_city_with_its_seed_and_counts(capsys):
    assert main(["describe", str(TOY)]) == 0
    out = capsys.readouterr().out
    assert "name: toy-province" in out and "# 2 cities" in out
    rows = {
        line.split()[0]: line.split() for line in out.splitlines() if line[:5] in ("Alpha", "Beta ")
    }
    assert rows["Alpha"][1:8] == [str(shard_seed(11, "Alpha")), "2", "3", "2400", "1100", "6", "4"]
    assert rows["Beta"][1:8] == [str(shard_seed(11, "Beta")), "2", "2", "1500", "700", "5", "3"]
    assert main(["describe", str(TOY), "--seed", "12"]) == 0
    assert str(shard_seed(12, "Alpha")) in capsys.readouterr().out


def test_describe_refuses_a_bad_province_and_single_city_options(tmp_path, capsys):
    bad = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    bad["cities"][1]["generated"]["schools"]["primary"] = "many"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    assert main(["describe", str(path)]) == 2
    error = capsys.readouterr().err
    assert "cities[1].generated.schools.primary" in error and "Traceback" not in error
    for extra in (["--plan"], ["--set", "learning.peer_effect=0.1"], ["--counterfactual"]):
        assert main(["describe", str(TOY), *extra]) == 2
        assert "province file" in capsys.readouterr().err
