"""Reading scenario files: safe YAML, `extends:` inheritance, `--set` overrides, validation.

Every failure becomes a `ScenarioError` listing problems with the YAML path of each, so
the CLI can print them and exit 2 without a traceback.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from edusim.scenario.counterfactual import counterfactual_problems
from edusim.scenario.fields import YesNo
from edusim.scenario.library import locate
from edusim.scenario.schema import MAX_SEED, Scenario

MAX_FILE_BYTES = 2_000_000
"""Scenario files larger than this are refused unread: no real scenario comes close."""

MAX_EXTENDS_DEPTH = 16


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located by its YAML path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ScenarioError(Exception):
    """A scenario that cannot be used; carries every problem found."""

    def __init__(self, source: str, problems: Iterable[Problem]):
        self.source = source
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"invalid scenario {self.source}:"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


class _ScenarioYamlLoader(yaml.SafeLoader):
    """Safe YAML that also refuses anchors and aliases (no alias bombs, no shared nodes)."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                problem="YAML aliases (*name) are not allowed in scenario files; use 'extends:'",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)


def editable_dump(scenario: Scenario) -> dict[str, Any]:
    """A scenario as plain YAML-like data (lists, not tuples) that overrides can edit."""
    return scenario.model_dump(mode="json")


def format_path(location: Iterable[Any]) -> str:
    """Render a location tuple as a YAML path: ('city', 'districts', 2, 'name') -> city.districts[2].name."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def parse_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text safely; errors name the line and column."""
    try:
        return yaml.load(text, Loader=_ScenarioYamlLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        problem = error.problem or str(error)
        if "could not determine a constructor" in problem or "tag" in problem:
            problem = f"unsupported YAML tag ({problem}); scenario files hold plain data only"
        raise ScenarioError(
            source, [Problem("", f"not valid YAML at {where}: {problem}")]
        ) from None
    except yaml.YAMLError as error:
        raise ScenarioError(source, [Problem("", f"not valid YAML: {error}")]) from None
    except RecursionError:
        raise ScenarioError(
            source, [Problem("", "YAML nested too deeply for a scenario file")]
        ) from None


def read_mapping(path: Path) -> dict[str, Any]:
    """Read one YAML file that must hold a mapping at its top level."""
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScenarioError(source, [Problem("", "file not found")]) from None
    except OSError as error:
        raise ScenarioError(source, [Problem("", f"cannot read file: {error.strerror}")]) from None
    if path.is_dir():
        raise ScenarioError(source, [Problem("", "is a directory, expected a YAML file")])
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            source,
            [Problem("", f"file is {size} bytes; scenario files are limited to {MAX_FILE_BYTES}")],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(source, [Problem("", "file is not UTF-8 text")]) from None
    except OSError as error:
        raise ScenarioError(source, [Problem("", f"cannot read file: {error.strerror}")]) from None
    data = parse_yaml_text(text, source)
    if data is None:
        raise ScenarioError(source, [Problem("", "file is empty, expected a mapping of keys")])
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ScenarioError(source, [Problem("", f"top level is a {kind}, expected a mapping")])
    return data


def deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Merge `update` into `base`: mappings merge key by key, anything else is replaced."""
    merged = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def resolve_extends(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Load a file and the files it `extends:`, parents first, into one mapping."""
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(str(p.name) for p in (*chain, path))
        raise ScenarioError(str(chain[0]), [Problem("extends", f"circular inheritance: {cycle}")])
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(str(chain[0]), [Problem("extends", "inheritance chain too deep")])
    data = read_mapping(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(str(path), [Problem("extends", "expected a file name (string)")])
    parent_path = (path.parent / parent).resolve()
    if not parent_path.exists():
        raise ScenarioError(str(path), [Problem("extends", f"file '{parent}' not found")])
    return deep_merge(resolve_extends(parent_path, (*chain, path)), data)


_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def split_path(dotted: str) -> list[str | int]:
    """Split 'city.districts[0].towns' or 'city.districts[Xihu].towns' into segments."""
    segments: list[str | int] = []
    for name, index in _SEGMENT.findall(dotted):
        if name:
            segments.append(name)
        elif index.lstrip("-").isdigit():
            segments.append(int(index))
        else:
            segments.append(index)
    return segments


def _child(container: Any, segment: str | int) -> Any:
    """The key or index of `container` that `segment` names."""
    if isinstance(container, list):
        if isinstance(segment, int):
            if -len(container) <= segment < len(container):
                return segment
            raise KeyError(f"index {segment} is out of range (list has {len(container)} items)")
        for position, item in enumerate(container):
            if isinstance(item, dict) and item.get("name") == segment:
                return position
        raise KeyError(f"no item named '{segment}' in the list")
    if isinstance(container, dict):
        if isinstance(segment, int):
            raise KeyError(f"'[{segment}]' indexes a mapping, not a list")
        return segment
    raise KeyError(f"cannot descend into a {type(container).__name__}")


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse a CLI `key=value` pair; the value is read as a YAML scalar or flow collection."""
    if "=" not in text:
        raise ValueError(f"--set expects path=value, got '{text}'")
    path, raw = text.split("=", 1)
    path = path.strip()
    if not path:
        raise ValueError(f"--set expects path=value, got '{text}'")
    return path, parse_yaml_text(raw, f"--set {path}") if raw.strip() else ""


def validation_problems(
    error: ValidationError,
    *,
    reference: str = "scenarios/base.yaml",
    tags: tuple[str, ...] = (),
    tag_hint: str = "",
) -> list[Problem]:
    """Every pydantic error as a Problem at its YAML path, in words a researcher reads.

    `reference` is where valid keys are documented; `tags` are discriminator values that
    pydantic puts into locations but the YAML does not have; `tag_hint` replaces the
    message when such a tag is missing.
    """
    problems = []
    errors = error.errors()
    locations = {tuple(item["loc"]) for item in errors}
    for item in errors:
        location = tuple(item["loc"])
        has_item_errors = any(
            other[: len(location)] == location and len(other) > len(location) for other in locations
        )
        if item["type"] == "too_short" and has_item_errors:
            continue  # the container is only short because its invalid items were dropped
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = f"unknown key (check the spelling; see {reference})"
        elif item["type"] == "missing":
            message = "required key is missing"
        elif item["type"] == "union_tag_not_found" and tag_hint:
            message = tag_hint
        elif isinstance(item.get("input"), YesNo):
            message = f"expected a number, got the yes/no value {item['input']}"
        elif item["type"] == "less_than_equal" and location == ("seed",):
            message = (
                f"must be at most {MAX_SEED} (2^63 - 1), the largest seed the result tables "
                f"store (got {item['input']!r})"
            )
        elif item["type"] == "finite_number":
            message = f"must be a finite number (got {item['input']!r})"
        elif "input" in item and item["type"] not in ("model_type", "value_error"):
            message = f"{message} (got {item['input']!r})"
        path = format_path(part for part in location if part not in tags)
        problems.append(Problem(path, message))
    return problems


def validate_mapping(data: Mapping[str, Any], source: str) -> Scenario:
    """Validate a resolved mapping into a Scenario, collecting every problem at once."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(source, validation_problems(error)) from None
    problems = consistency_problems(scenario)
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def consistency_problems(scenario: Scenario) -> list[Problem]:
    """Checks across keys that the schema alone cannot express."""
    problems: list[Problem] = []
    for index, district in enumerate(scenario.city.districts):
        path = f"city.districts[{index}]"
        for stage in ("primary", "junior"):
            schools = getattr(district.schools, stage)
            pupils = getattr(district.pupils, stage)
            if pupils > 0 and schools == 0:
                problems.append(
                    Problem(
                        f"{path}.schools.{stage}",
                        f"district has {pupils} {stage} pupils but no school",
                    )
                )
            private = getattr(district.private_schools, stage) if district.private_schools else 0
            if private and private >= schools:
                problems.append(
                    Problem(
                        f"{path}.private_schools.{stage}",
                        f"{private} private of {schools} {stage} schools leaves no public "
                        "school for the catchments",
                    )
                )
            if schools > 0 and pupils == 0:
                problems.append(
                    Problem(
                        f"{path}.pupils.{stage}",
                        f"district has {schools} {stage} schools but no pupils",
                    )
                )
        if district.pupils.primary > 0 and district.schools.junior == 0:
            problems.append(
                Problem(
                    f"{path}.schools.junior",
                    "district has primary pupils but no junior school: they would have "
                    "nowhere to go at grade 7",
                )
            )
        if district.islands > district.towns:
            problems.append(
                Problem(
                    f"{path}.islands", f"{district.islands} islands need at least as many towns"
                )
            )
    problems += layout_problems(scenario)
    problems += schools_file_problems(scenario, problems)
    problems += group_problems(scenario)
    problems += school_change_problems(scenario)
    own = {str(problem) for problem in problems}
    problems += [  # the counterfactual shares the city: report the city's problems once
        problem
        for problem in counterfactual_problems(scenario)
        if problem.message.removeprefix("in the counterfactual, ") not in own
    ]
    base = editable_dump(scenario)
    alone = len(problems)
    end_year = scenario.start_year + scenario.years
    for index, event in enumerate(scenario.timeline):
        if school_year_of_date(event.date) < scenario.start_year:
            problems.append(
                Problem(
                    f"timeline[{index}].date",
                    f"{event.date} is before the run: it would take effect in school year "
                    f"{school_year_of_date(event.date)}, the run covers {scenario.start_year}-"
                    f"{end_year - 1} (dated policy takes effect on the first 1 September on or "
                    "after its date)",
                )
            )
        for dotted, value in event.set.items():
            where = f"timeline[{index}].set['{dotted}']"
            fixed = dotted.split(".")[0] in (
                "timeline",
                "feeders",
                "city",
                "name",
                "seed",
                "start_year",
                "years",
            )
            if fixed or (dotted.startswith("groups.") and not dotted.startswith("groups.kinds.")):
                problems.append(Problem(where, "this key is fixed for the whole run"))
                continue
            trial = copy.deepcopy(base)
            trial["timeline"] = []
            problems += override_problems(trial, dotted, value, where)
    if len(problems) == alone:
        problems += timeline_problems(scenario, base)
    return problems


def timeline_problems(scenario: Scenario, base: dict[str, Any]) -> list[Problem]:
    """Events that are valid alone but not on top of the events before them (the model
    applies them one after another, in order of the school year they take effect)."""
    state = copy.deepcopy(base)
    state["timeline"] = []
    order = sorted(
        range(len(scenario.timeline)),
        key=lambda index: school_year_of_date(scenario.timeline[index].date),
    )
    problems = []
    for index in order:
        trial = copy.deepcopy(state)
        for dotted, value in scenario.timeline[index].set.items():
            apply_override(trial, dotted, value)
        try:
            Scenario.model_validate(trial)
        except ValidationError as error:
            problems += [
                Problem(f"timeline[{index}].set", f"after the events before it, {problem}")
                for problem in validation_problems(error)
            ]
            continue
        state = trial
    return problems


def override_problems(data: dict[str, Any], dotted: str, value: Any, where: str) -> list[Problem]:
    """What is wrong with setting `dotted` to `value` in a scenario mapping (which this
    changes), reported at `where`: an unknown parameter or a value the schema refuses."""
    try:
        apply_override(data, dotted, value)
        Scenario.model_validate(data)
    except KeyError as error:
        return [Problem(where, f"no such parameter ({error.args[0]})")]
    except ValidationError as error:
        return [Problem(where, p.message) for p in validation_problems(error)]
    return []


def layout_problems(scenario: Scenario) -> list[Problem]:
    """A city too thin or too large to lay out in cells, found before anything is built
    (the bounds are in `world.layout_limits`, beside the layouts they bound)."""
    from edusim.world import layout_limits

    return [
        Problem(path, message) for path, message in layout_limits.layout_problems(scenario.city)
    ]


def schools_file_problems(scenario: Scenario, found: list[Problem]) -> list[Problem]:
    """The school list's rows on the map: points inside their districts, counts that
    agree with the districts' (checked only for a city that lays out, `found` empty)."""
    if scenario.city.schools_file is None or found:
        return []
    from edusim.randomness import Streams
    from edusim.world.geography import build_geography
    from edusim.world.listed_schools import placement_problems, school_list

    _, problems = school_list(scenario.city)
    if not problems:
        geo = build_geography(scenario.city, Streams(0).generator("world.geography"))
        problems = placement_problems(scenario, geo)
    return [Problem(path, message) for path, message in problems]


def group_problems(scenario: Scenario) -> list[Problem]:
    """Explicit groups must name existing schools; rules must name existing districts."""
    from edusim.world.schools import scenario_private_names, scenario_school_names

    problems: list[Problem] = []
    names = scenario_school_names(scenario)
    private = scenario_private_names(scenario)

    def missing_or_private(name: str) -> str | None:
        if name not in names:
            return f"school '{name}' does not exist (names: see `edusim describe`)"
        if name in private:
            return f"school '{name}' is private: private schools do not join groups"
        return None

    for index, group in enumerate(scenario.groups.explicit):
        path = f"groups.explicit[{index}]"
        if problem := missing_or_private(group.core):
            problems.append(Problem(f"{path}.core", problem))
        for position, member in enumerate(group.members):
            if problem := missing_or_private(member):
                problems.append(Problem(f"{path}.members[{position}]", problem))
            elif member == group.core:
                problems.append(
                    Problem(f"{path}.members[{position}]", f"school '{member}' is the core")
                )
        if len(set(group.members)) != len(group.members):
            problems.append(Problem(f"{path}.members", "a school is listed twice"))
        if school_year_of_date(group.formed) < scenario.start_year:
            problems.append(Problem(f"{path}.formed", f"{group.formed} is before the run"))
    districts = {d.name for d in scenario.city.districts}
    scoped = [
        (f"enrollment.by_area[{i}]", s.districts) for i, s in enumerate(scenario.enrollment.by_area)
    ]
    scoped += [(f"groups.rules[{i}]", r.districts) for i, r in enumerate(scenario.groups.rules)]
    scoped_members = [
        (f"groups.rules[{i}]", r.member_districts) for i, r in enumerate(scenario.groups.rules)
    ]
    for path, named in scoped_members:
        problems += [
            Problem(f"{path}.member_districts[{position}]", f"district '{district}' does not exist")
            for position, district in enumerate(named)
            if district not in districts
        ]
    for index, transfer in enumerate(scenario.teachers.post_transfers):
        path = f"teachers.post_transfers[{index}]"
        for key in ("from_district", "to_district"):
            if getattr(transfer, key) not in districts:
                problems.append(
                    Problem(f"{path}.{key}", f"district '{getattr(transfer, key)}' does not exist")
                )
        if transfer.from_district == transfer.to_district:
            problems.append(Problem(f"{path}.to_district", "posts must move to another district"))
    for path, named in scoped:
        problems += [
            Problem(f"{path}.districts[{position}]", f"district '{district}' does not exist")
            for position, district in enumerate(named)
            if district not in districts
        ]
    for table in ("owners", "rural"):
        for name in getattr(scenario.school_status, table):
            if name not in names or name in private:
                problems.append(
                    Problem(
                        f"school_status.{table}.{name}",
                        f"'{name}' is not a public school of this city (names: see `edusim describe`)",
                    )
                )
    for index, rule in enumerate(scenario.groups.rules):
        if school_year_of_date(rule.formed) < scenario.start_year:
            problems.append(
                Problem(f"groups.rules[{index}].formed", f"{rule.formed} is before the run")
            )
    return problems


def school_change_problems(scenario: Scenario) -> list[Problem]:
    """School changes of the timeline and feeder pairs (scenario/lifecycle.py)."""
    from edusim.scenario.lifecycle import lifecycle_problems
    from edusim.world.schools import scenario_private_names, scenario_school_names

    private = scenario_private_names(scenario)
    city = {n: (d, s, n in private) for n, (d, s) in scenario_school_names(scenario).items()}
    return lifecycle_problems(scenario, city)


def skipped_after_run(scenario: Scenario) -> list[Problem]:
    """Dated items (timeline events, explicit groups, group rules) that would take effect
    after the run's last school year. A shortened run skips them (the CLI says so, one
    line each); items dated before the start are errors (`consistency_problems`)."""
    start, end = scenario.start_year, scenario.start_year + scenario.years
    groups = scenario.groups
    dated = [
        (f"timeline[{i}].date", e.date, f"event '{e.label}'" if e.label else "event")
        for i, e in enumerate(scenario.timeline)
    ]
    dated += [
        (f"groups.explicit[{i}].formed", g.formed, f"group '{g.name}'")
        for i, g in enumerate(groups.explicit)
    ]
    dated += [
        (f"groups.rules[{i}].formed", r.formed, f"rule '{r.name}'")
        for i, r in enumerate(groups.rules)
    ]
    return [
        Problem(
            path,
            f"{date} takes effect in school year {school_year_of_date(date)}, after the run "
            f"({start}-{end - 1}): {item} skipped",
        )
        for path, date, item in dated
        if school_year_of_date(date) >= end
    ]


def school_year_of_date(date: dt.date) -> int:
    """Dated policy takes effect at the first school-year start (1 September) on or after it."""
    return date.year if (date.month, date.day) <= (9, 1) else date.year + 1


def takes_effect_in_run(date: dt.date, start_year: int, end_year: int) -> bool:
    """Whether a dated policy takes effect in one of the school years [start_year, end_year)."""
    return start_year <= school_year_of_date(date) < end_year


def apply_override(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `value` at an existing dotted path of `data` (in place); unknown keys raise KeyError."""
    node: Any = data
    segments = split_path(dotted)
    for position, segment in enumerate(segments):
        if isinstance(node, dict) and isinstance(segment, str) and segment not in node:
            valid = ", ".join(sorted(node))
            raise KeyError(f"'{segment}' is not a key here; valid keys: {valid}")
        key = _child(node, segment)
        if position == len(segments) - 1:
            node[key] = value
        else:
            node = node[key]


def load_scenario(
    source: str | Path | Scenario | Mapping[str, Any],
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
) -> Scenario:
    """Load, inherit, override and validate a scenario.

    `source` is a path, the name of a shipped scenario (`"demo"`, see
    scenario/library.py), an already validated Scenario or a plain mapping. `overrides` are
    dotted paths with values (mapping) or CLI-style 'path=value' strings.
    """
    if isinstance(source, Scenario):
        data, label = editable_dump(source), f"scenario '{source.name}'"
    elif isinstance(source, Mapping):
        data, label = copy.deepcopy(dict(source)), "scenario mapping"
    else:
        path = locate(source)
        data, label = resolve_extends(path), str(path)
        _resolve_schools_file(data, path.parent)
    _add_listed_groups(data, label)
    pairs: list[tuple[str, Any]] = []
    if isinstance(overrides, Mapping):
        pairs = list(overrides.items())
    elif overrides is not None:
        try:
            pairs = [parse_assignment(text) for text in overrides]
        except ValueError as error:
            raise ScenarioError(label, [Problem("--set", str(error))]) from None
    scenario = validate_mapping(data, label)
    if not pairs:
        return scenario
    resolved = editable_dump(scenario)
    problems = []
    for dotted, value in pairs:
        try:
            apply_override(resolved, dotted, value)
        except KeyError as error:
            problems.append(Problem(dotted, f"cannot override: {error.args[0]}"))
    if problems:
        raise ScenarioError(label, problems)
    return validate_mapping(resolved, f"{label} with overrides")


def _resolve_schools_file(data: dict[str, Any], folder: Path) -> None:
    """A relative `city.schools_file` is relative to the scenario file's folder."""
    city = data.get("city")
    if isinstance(city, dict) and isinstance(city.get("schools_file"), str):
        named = Path(city["schools_file"])
        if not named.is_absolute():
            city["schools_file"] = str((folder / named).resolve())


def _add_listed_groups(data: dict[str, Any], label: str) -> None:
    """The school list's groups join `groups.explicit` (once: a group of that name
    already there is left as it is); a list that cannot be read stops here."""
    from edusim.scenario.school_list import explicit_groups, read_school_list

    city = data.get("city")
    if not (isinstance(city, dict) and isinstance(city.get("schools_file"), str)):
        return
    districts = city.get("districts")
    if not isinstance(districts, list):
        return
    names = [d.get("name", "") for d in districts if isinstance(d, dict)]
    listed, problems = read_school_list(Path(city["schools_file"]), names)
    if problems:
        raise ScenarioError(label, [Problem(path, message) for path, message in problems])
    start = data.get("start_year", 2018)
    groups = data.setdefault("groups", {})
    if not isinstance(groups, dict):
        return
    explicit = list(groups.get("explicit") or [])
    have = {g.get("name") for g in explicit if isinstance(g, dict)}
    explicit += [g for g in explicit_groups(listed, start) if g["name"] not in have]
    groups["explicit"] = explicit


def scenario_to_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario as YAML, written beside every result."""
    return yaml.safe_dump(
        scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100
    )
