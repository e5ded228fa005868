"""Scenario files: safe YAML, typed immutable models, `extends:`, `--set`, every problem."""

from __future__ import annotations

import copy
import datetime as dt

import pydantic
import pytest

from edusim.scenario.loader import (
    MAX_FILE_BYTES,
    Problem,
    ScenarioError,
    deep_merge,
    format_path,
    load_scenario,
    parse_assignment,
    scenario_to_yaml,
    skipped_after_run,
    split_path,
)
from edusim.scenario.schema import District, LearningParams, Scenario

DISTRICT = """
    - name: A
      kind: urban
      schools: {primary: 2, junior: 1}
      pupils: {primary: 600, junior: 300}
"""


def _problems(error: pytest.ExceptionInfo[ScenarioError]) -> dict[str, str]:
    return {problem.path: problem.message for problem in error.value.problems}


def _city(**district) -> dict:
    entry = {
        "name": "A",
        "kind": "urban",
        "schools": {"primary": 2, "junior": 1},
        "pupils": {"primary": 600, "junior": 300},
        **district,
    }
    return {"districts": [entry]}


# -- loading ---------------------------------------------------------------------------


def test_demo_loads_into_a_typed_immutable_scenario(demo_path):
    scenario = load_scenario(demo_path)
    assert isinstance(scenario, Scenario)
    assert scenario.name == "demo"
    assert isinstance(scenario.city.districts[0], District)
    assert isinstance(scenario.learning, LearningParams)
    assert [d.name for d in scenario.city.districts] == [
        "Old Town",
        "Riverside",
        "New Port",
        "Hill County",
    ]
    with pytest.raises(pydantic.ValidationError):
        scenario.years = 3
    with pytest.raises(pydantic.ValidationError):
        scenario.learning.peer_effect = 0.5
    with pytest.raises(TypeError):
        scenario.city.districts[0] = scenario.city.districts[1]  # a tuple


def test_defaults_come_from_the_schema(demo_path):
    scenario = load_scenario(demo_path)
    assert scenario.learning == LearningParams()
    assert scenario.city.districts[0].islands == 0
    assert scenario.city.districts[3].islands == 2


def test_load_accepts_a_scenario_or_a_mapping(demo_path, small_scenario):
    scenario = load_scenario(demo_path)
    assert load_scenario(scenario) == scenario
    small = load_scenario(small_scenario)
    assert small.name == "small"
    assert small.city.districts[1].islands == 2


def test_a_mapping_does_not_resolve_extends(small_scenario):
    small_scenario["extends"] = "base.yaml"
    with pytest.raises(ScenarioError) as error:
        load_scenario(small_scenario)
    assert "extends" in _problems(error)


def test_a_mapping_needs_name_and_city():
    with pytest.raises(ScenarioError) as error:
        load_scenario({"years": 3})
    problems = _problems(error)
    assert problems["name"] == "required key is missing"
    assert problems["city"] == "required key is missing"


def test_resolved_yaml_loads_back_into_the_same_scenario(demo_path, write_yaml):
    scenario = load_scenario(
        demo_path,
        {"timeline": [{"date": "2020-09-01", "label": "x", "set": {"learning.peer_effect": 0.1}}]},
    )
    path = write_yaml("resolved.yaml", scenario_to_yaml(scenario))
    assert load_scenario(path) == scenario


# -- unknown keys and every problem with its path ---------------------------------------


def test_unknown_keys_are_rejected_with_their_yaml_path(write_yaml):
    path = write_yaml(
        "bad.yaml",
        "extends: base.yaml\nname: x\ncolour: red\nlearning: {peer_efect: 0.1}\ncity:\n"
        "  districts:" + DISTRICT + "      popluation: 3\n",
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    problems = _problems(error)
    for where in ("colour", "learning.peer_efect", "city.districts[0].popluation"):
        assert "unknown key" in problems[where]


def test_validation_reports_every_problem_at_once(write_yaml):
    path = write_yaml(
        "bad.yaml",
        "extends: base.yaml\nname: x\nyears: 0\nlearning: {peer_effect: -1}\n"
        "families: {income_sorting: 2}\ncity:\n  districts:" + DISTRICT,
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    problems = _problems(error)
    assert set(problems) == {"years", "learning.peer_effect", "families.income_sorting"}
    text = str(error.value)
    assert text.splitlines()[0] == f"invalid scenario {path}:"
    assert "  learning.peer_effect: " in text


@pytest.mark.parametrize("districts", [1, 2])
def test_one_bad_district_key_is_reported_only_where_it_is(small_scenario, districts):
    del small_scenario["city"]["districts"][districts:]
    small_scenario["city"]["districts"][0]["kind"] = "metropolis"
    with pytest.raises(ScenarioError) as error:
        load_scenario(small_scenario)
    # nothing else is wrong: the city has its districts, one of them with a bad kind
    assert list(_problems(error)) == ["city.districts[0].kind"]


def test_duplicate_district_names_are_rejected(small_scenario):
    small_scenario["city"]["districts"][1]["name"] = "Core"
    with pytest.raises(ScenarioError) as error:
        load_scenario(small_scenario)
    assert "appears twice" in _problems(error)["city.districts"]


# -- consistency across keys --------------------------------------------------------------


@pytest.mark.parametrize(
    ("district", "where", "words"),
    [
        (
            {"schools": {"primary": 0, "junior": 1}},
            "city.districts[0].schools.primary",
            "600 primary pupils but no school",
        ),
        (
            {"pupils": {"primary": 600, "junior": 0}},
            "city.districts[0].pupils.junior",
            "1 junior schools but no pupils",
        ),
        ({"towns": 2, "islands": 3}, "city.districts[0].islands", "3 islands"),
    ],
)
def test_inconsistent_districts_are_rejected_with_their_path(district, where, words):
    with pytest.raises(ScenarioError) as error:
        load_scenario({"name": "x", "city": _city(**district)})
    assert words in _problems(error)[where]


def test_a_district_with_primary_pupils_but_no_junior_school_is_rejected_or_runs():
    """Primary pupils move on to grade 7: a city without a junior school for them must
    either be refused at validation (with the path) or run without failing."""
    from edusim.model import EduModel

    mapping = {
        "name": "x",
        "years": 4,
        "city": _city(schools={"primary": 2, "junior": 0}, pupils={"primary": 600, "junior": 0}),
    }
    try:
        scenario = load_scenario(mapping)
    except ScenarioError as error:
        assert any(p.path.startswith("city.districts[0]") for p in error.problems)
        return
    model = EduModel(scenario, seed=1).run()
    assert (model.families.school >= 0).all()


def test_timeline_events_are_checked(demo_path):
    timeline = [
        {"date": "2019-09-01", "set": {"learning.no_such": 1}},
        {"date": "2030-09-01", "set": {"learning.peer_effect": 0.1}},
        {"date": "2017-09-01", "set": {"learning.peer_effect": 0.1}},
        {"date": "2019-09-01", "set": {"learning.peer_effect": -3}},
        {"date": "2019-09-01", "set": {"years": 4}},
        {"date": "2019-09-01", "set": {"city.cell_km": 2}},
    ]
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, {"years": 3, "timeline": timeline})
    problems = _problems(error)
    assert "no such parameter" in problems["timeline[0].set['learning.no_such']"]
    assert "timeline[1].date" not in problems  # after the run: skipped, not an error
    assert "before the run" in problems["timeline[2].date"]
    assert "greater than or equal to 0" in problems["timeline[3].set['learning.peer_effect']"]
    assert "fixed" in problems["timeline[4].set['years']"]
    assert "fixed" in problems["timeline[5].set['city.cell_km']"]


def test_items_dated_after_the_run_are_skipped_and_listed(demo_path):
    """With years=2 the run covers school years 2018 and 2019. An event dated 2019-10-01
    takes effect on 1 September 2020 (see phases.policy_events), after the run: a shortened
    run skips it, and `skipped_after_run` lists it (the CLI prints each on stderr); so for
    groups and rules. The model never applies them."""
    timeline = [
        {"date": "2019-09-01", "label": "in", "set": {"learning.peer_effect": 0.1}},
        {"date": "2019-10-01", "label": "late", "set": {"learning.peer_effect": 0.2}},
    ]
    rules = [
        {"name": "R", "kind": "alliance", "formed": "2020-09-01", "stage": "primary"},
        {"name": "S", "kind": "alliance", "formed": "2018-09-01", "stage": "junior"},
    ]
    explicit = [
        {
            "name": "G",
            "kind": "tight",
            "core": "Old Town-P01",
            "members": ["Old Town-P02"],
            "formed": "2021-09-01",
        }
    ]
    overrides = {"years": 2, "timeline": timeline, "groups.rules": rules}
    scenario = load_scenario(demo_path, {**overrides, "groups.explicit": explicit})
    skipped = {p.path: p.message for p in skipped_after_run(scenario)}
    assert set(skipped) == {
        "timeline[1].date",
        "groups.rules[0].formed",
        "groups.explicit[0].formed",
    }
    assert skipped["timeline[1].date"] == (
        "2019-10-01 takes effect in school year 2020, after the run (2018-2019): "
        "event 'late' skipped"
    )
    from edusim.model import EduModel

    model = EduModel(scenario).run()
    assert model.groups.groups and all(g.name.startswith("S-") for g in model.groups.groups)
    assert model.params.learning.peer_effect == 0.1
    assert skipped_after_run(load_scenario(demo_path)) == []


# -- extends --------------------------------------------------------------------------------


def test_extends_merges_mappings_and_replaces_everything_else(write_yaml):
    write_yaml(
        "parent.yaml",
        "extends: base.yaml\nname: parent\nyears: 7\n"
        "learning: {peer_effect: 0.2, noise_sd: 0.1}\ncity:\n  districts:"
        + DISTRICT
        + "    - name: B\n      kind: rural\n      schools: {primary: 1, junior: 1}\n"
        "      pupils: {primary: 60, junior: 30}\n",
    )
    child = write_yaml(
        "child.yaml",
        "extends: parent.yaml\nname: child\nlearning: {noise_sd: 0.3}\ncity:\n  districts:"
        + DISTRICT,
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.years == 7  # from the parent
    assert scenario.learning.peer_effect == 0.2  # parent's, kept by the merge
    assert scenario.learning.noise_sd == 0.3  # child's
    assert scenario.learning.persistence == LearningParams().persistence  # base's
    assert [d.name for d in scenario.city.districts] == ["A"]  # lists are replaced


def test_extends_is_relative_to_the_file_that_extends(tmp_path, base_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "base.yaml").write_text(base_path.read_text(encoding="utf-8"))
    (tmp_path / "places").mkdir()
    child = tmp_path / "places" / "x.yaml"
    child.write_text("extends: ../lib/base.yaml\nname: x\ncity:\n  districts:" + DISTRICT)
    assert load_scenario(child).name == "x"


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"a.yaml": "extends: b.yaml\nname: a\n", "b.yaml": "extends: a.yaml\n"}, "circular"),
        ({"a.yaml": "extends: a.yaml\nname: a\n"}, "circular"),
        ({"a.yaml": "extends: nowhere.yaml\nname: a\n"}, "'nowhere.yaml' not found"),
        ({"a.yaml": "extends: [base.yaml]\nname: a\n"}, "expected a file name"),
        ({"a.yaml": "extends: b.yaml\nname: a\n", "b.yaml": "- a list\n"}, "top level is a list"),
    ],
)
def test_bad_inheritance_is_a_scenario_error(write_yaml, files, words):
    for name, text in files.items():
        write_yaml(name, text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(write_yaml("a.yaml", files["a.yaml"]))
    assert words in str(error.value)


# -- overrides ------------------------------------------------------------------------------


def test_overrides_by_mapping_and_by_cli_strings(demo_path):
    by_mapping = load_scenario(demo_path, {"learning.peer_effect": 0.05, "years": 3})
    by_strings = load_scenario(demo_path, ["learning.peer_effect=0.05", "years=3"])
    assert by_mapping == by_strings
    assert by_mapping.learning.peer_effect == 0.05
    assert by_mapping.years == 3
    assert load_scenario(demo_path).learning.peer_effect != 0.05


def test_override_values_are_read_as_yaml(demo_path):
    scenario = load_scenario(
        demo_path,
        ["description=a b c", "families.cohort_growth=-0.01", "seed=12"],
    )
    assert scenario.description == "a b c"
    assert scenario.families.cohort_growth == -0.01
    assert scenario.seed == 12


@pytest.mark.parametrize(
    "assignment", ["city.districts[0].towns=9", "city.districts[Old Town].towns=9"]
)
def test_overrides_reach_into_lists_by_index_or_by_name(demo_path, assignment):
    scenario = load_scenario(demo_path, [assignment])
    assert scenario.city.districts[0].towns == 9
    assert scenario.city.districts[1].towns == load_scenario(demo_path).city.districts[1].towns


def test_override_into_a_list_by_mapping(demo_path):
    scenario = load_scenario(demo_path, {"city.districts[Hill County].islands": 1})
    assert scenario.city.districts[3].islands == 1


@pytest.mark.parametrize(
    ("assignment", "words"),
    [
        ("learning.peer_efect=0.1", "'peer_efect' is not a key here"),
        ("learning.peer_effect=-1", "greater than or equal to 0"),
        ("nothing=1", "'nothing' is not a key here"),
        ("city.districts[9].towns=2", "out of range"),
        ("city.districts[Atlantis].towns=2", "no item named 'Atlantis'"),
    ],
)
def test_bad_overrides_name_their_path(demo_path, assignment, words):
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, [assignment])
    path = assignment.split("=")[0]
    assert words in _problems(error)[path]


@pytest.mark.parametrize("assignment", ["learning.peer_effect", "=3", "learning.peer_effect=[1"])
def test_malformed_assignments_are_scenario_errors(demo_path, assignment):
    with pytest.raises(ScenarioError):
        load_scenario(demo_path, [assignment])


def test_override_values_cannot_build_python_objects(demo_path, tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(ScenarioError) as error:
        load_scenario(
            demo_path, [f'description=!!python/object/apply:os.system ["touch {marker}"]']
        )
    assert "unsupported YAML tag" in str(error.value)
    assert not marker.exists()


# -- files that are missing, unreadable, not YAML, not a mapping or hostile ----------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "file is empty"),
        (b"# only a comment\n", "file is empty"),
        (b"- a\n- b\n", "top level is a list"),
        (b"just text\n", "top level is a str"),
        (b"key: [unclosed\n", "not valid YAML at line"),
        (b"a: 1\n\tb: 2\n", "not valid YAML"),
        (b"--- a\n--- b\n", "not valid YAML"),
        (b"\xff\xfe\x00\x01 binary", "not UTF-8"),
    ],
)
def test_unusable_files_are_scenario_errors(tmp_path, content, words):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert words in str(error.value)
    assert error.value.source == str(path)


def test_missing_file_directory_and_path_through_a_file(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nowhere.yaml")
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)
    (tmp_path / "plain").write_text("x")
    with pytest.raises(ScenarioError, match="cannot read file"):
        load_scenario(tmp_path / "plain" / "child.yaml")


def test_oversized_files_are_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("name: x\n" + "#" * MAX_FILE_BYTES + "\n")
    with pytest.raises(ScenarioError, match="limited to"):
        load_scenario(path)


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!custom 3",
    ],
)
def test_yaml_tags_that_build_objects_are_refused(tmp_path, tag):
    marker = tmp_path / "pwned"
    path = tmp_path / "hostile.yaml"
    path.write_text("name: x\ncity: " + tag.format(marker=marker) + "\n")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert "unsupported YAML tag" in str(error.value)
    assert not marker.exists()


def test_alias_bombs_are_refused(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert "aliases" in str(error.value)


def test_a_single_alias_is_refused_too(tmp_path):
    path = tmp_path / "alias.yaml"
    path.write_text("name: &n x\ndescription: *n\n")
    with pytest.raises(ScenarioError, match="aliases"):
        load_scenario(path)


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deeply_nested_yaml_is_a_scenario_error(tmp_path, opening):
    """A small file of deeply nested brackets must not exhaust the stack (RecursionError)."""
    closing = "]" if opening == "[" else "}"
    depth = 2_000
    path = tmp_path / "deep.yaml"
    path.write_text("name: x\ncity: " + opening * depth + "1" + closing * depth + "\n")
    with pytest.raises(ScenarioError):
        load_scenario(path)


# -- pure helpers ---------------------------------------------------------------------------


def test_split_and_format_paths():
    assert split_path("city.districts[0].towns") == ["city", "districts", 0, "towns"]
    assert split_path("city.districts[Old Town].towns") == [
        "city",
        "districts",
        "Old Town",
        "towns",
    ]
    assert split_path("a[-1]") == ["a", -1]
    assert format_path(("city", "districts", 2, "name")) == "city.districts[2].name"
    assert format_path(()) == ""


def test_parse_assignment_reads_yaml_values():
    assert parse_assignment("a.b=0.5") == ("a.b", 0.5)
    assert parse_assignment("a=[1, 2]") == ("a", [1, 2])
    assert parse_assignment("a=true") == ("a", True)
    assert parse_assignment("a=x=y") == ("a", "x=y")
    assert parse_assignment("a=") == ("a", "")
    assert parse_assignment("a=2020-09-01") == ("a", dt.date(2020, 9, 1))
    with pytest.raises(ValueError):
        parse_assignment("no equals sign")


def test_deep_merge_does_not_modify_its_inputs():
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 1}
    update = {"a": {"y": [3]}, "c": {"z": 1}}
    frozen = copy.deepcopy((base, update))
    merged = deep_merge(base, update)
    assert merged == {"a": {"x": 1, "y": [3]}, "b": 1, "c": {"z": 1}}
    assert (base, update) == frozen
    merged["c"]["z"] = 2
    assert update["c"]["z"] == 1


def test_problem_and_error_text():
    assert str(Problem("a.b", "bad")) == "a.b: bad"
    assert str(Problem("", "bad")) == "bad"
    error = ScenarioError("f.yaml", [Problem("a", "one"), Problem("b", "two")])
    assert str(error) == "invalid scenario f.yaml:\n  a: one\n  b: two"


def test_posts_moved_across_districts_must_name_two_existing_districts(small_scenario):
    data = copy.deepcopy(small_scenario)
    first = data["city"]["districts"][0]["name"]
    data["teachers"] = {
        "post_transfers": [
            {"from_district": first, "to_district": "Atlantis", "share": 0.1},
            {"from_district": first, "to_district": first, "share": 0.1},
        ]
    }
    with pytest.raises(ScenarioError) as error:
        load_scenario(data)
    problems = _problems(error)
    assert "Atlantis" in problems["teachers.post_transfers[0].to_district"]
    assert "another district" in problems["teachers.post_transfers[1].to_district"]


@pytest.mark.parametrize(
    "path, value",
    [
        ("private.fee_prestige_slope", 49.0),
        ("schools.prestige_size_slope", 13.8),
        ("families.income_log_sd", 50.0),
    ],
)
def test_spreads_that_would_overflow_to_infinite_money_are_refused(demo_path, path, value):
    """Found by the bounds fuzz on Ninghe (2026-11-28, ninth session): with the first two
    at these values an elite fee of `fee_cny_per_year x exp(slope x prestige)` overflowed
    to infinity (a warning, not an error), and incomes of `median x exp(log-SD x z)` had
    the same open side. The three are bounded at 2 (their sources say why), and a value
    above is refused by name."""
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, {path: value})
    message = str(error.value)
    assert path in message and "2" in message
    assert load_scenario(demo_path, {path: 2.0}) is not None
