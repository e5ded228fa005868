"""Plain YAML through libyaml (edusim/yaml_text.py): the same data and text as PyYAML's
pure-Python parser and emitter, and the same refusals (aliases, deep nesting)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edusim import yaml_text
from edusim.scenario.loader import load_scenario
from edusim.scenario.problems import ScenarioError
from edusim.scenario.yaml_files import parse_yaml_text, scenario_to_yaml

ROOT = Path(__file__).resolve().parents[1]
REPOSITORY_YAML = sorted(
    path
    for folder in ("scenarios", "experiments", "tests", "docs", "benchmarks")
    if (ROOT / folder).is_dir()
    for path in (ROOT / folder).rglob("*.y*ml")
)
SHIPPED = sorted(
    path for path in (ROOT / "scenarios").glob("*.yaml") if path.stem not in ("base", "zhejiang")
)

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")


def test_the_repository_has_yaml_to_compare():
    assert len(REPOSITORY_YAML) >= 20 and len(SHIPPED) >= 5


@needs_libyaml
@pytest.mark.parametrize("path", REPOSITORY_YAML, ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_reads_every_repository_file_as_the_python_parser_does(path):
    text = path.read_text(encoding="utf-8")
    try:
        expected = yaml.load(text, Loader=yaml_text._PlainYamlLoader)
    except yaml.YAMLError:  # a file written to be refused is refused by both
        with pytest.raises(yaml.YAMLError):
            yaml_text.load_plain_yaml(text)
        return
    assert yaml_text.load_plain_yaml(text) == expected


@needs_libyaml
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_resolved_scenario_text_is_what_the_python_emitter_writes(path):
    scenario = load_scenario(path)
    python_text = yaml.safe_dump(
        scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100
    )
    assert scenario_to_yaml(scenario) == python_text


@pytest.fixture(params=["libyaml", "python"])
def parser(request, monkeypatch):
    """Both paths: libyaml (where PyYAML has it) and the pure-Python fallback."""
    if request.param == "libyaml" and not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    if request.param == "python":
        monkeypatch.setattr(yaml_text.yaml, "__with_libyaml__", False)
    return request.param


def test_an_alias_is_refused_at_its_place(parser):
    with pytest.raises(ScenarioError) as error:
        parse_yaml_text("name: &n x\nlater:\n  description: *n\n", "alias.yaml")
    message = str(error.value)
    assert "aliases" in message and "line 3, column 16" in message


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a: ", "}")])
def test_nesting_beyond_the_bound_is_refused_and_within_it_read(parser, opening, closing):
    deep = yaml_text.MAX_NESTING + 1
    with pytest.raises(ScenarioError, match="nested too deeply"):
        parse_yaml_text("x: " + opening * deep + "1" + closing * deep + "\n", "deep.yaml")
    fits = yaml_text.MAX_NESTING - 1  # the top-level mapping is one level
    value = parse_yaml_text("x: " + opening * fits + "1" + closing * fits + "\n", "ok.yaml")["x"]
    levels = 0
    while isinstance(value, list | dict):
        value = value[0] if isinstance(value, list) else value["a"]
        levels += 1
    assert (levels, value) == (fits, 1)


def test_a_tag_is_refused_as_unsupported(parser):
    with pytest.raises(ScenarioError, match="unsupported YAML tag"):
        parse_yaml_text("x: !!python/object:os.system {}\n", "tag.yaml")


def test_the_fallback_dumps_the_same_text(monkeypatch):
    data = {"name": "杭州", "values": [1, 2.5, None], "nested": {"b": True, "a": "x" * 120}}
    fast = yaml_text.dump_plain_yaml(data)
    monkeypatch.setattr(yaml_text.yaml, "__with_libyaml__", False)
    assert yaml_text.dump_plain_yaml(data) == fast
    assert yaml_text.load_plain_yaml(fast) == data
