"""Reading a scenario: a file, a shipped scenario's name, a mapping or a Scenario, with
its `extends:` parents, the school list's groups and `--set` overrides, validated.

This is the one entry point for loading; it also re-exports the helpers that other layers
import from here (problems, YAML files, overrides, the calendar of dated policy).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from edusim.scenario.consistency import (
    consistency_problems,
    group_problems,
    timeline_problems,
    validate_mapping,
)
from edusim.scenario.library import locate
from edusim.scenario.overrides import (
    apply_override,
    editable_dump,
    override_problems,
    parse_assignment,
    split_path,
)
from edusim.scenario.policy_dates import school_year_of_date, skipped_after_run, takes_effect_in_run
from edusim.scenario.problems import Problem, ScenarioError, format_path, validation_problems
from edusim.scenario.schema import Scenario
from edusim.scenario.yaml_files import (
    MAX_EXTENDS_DEPTH,
    MAX_FILE_BYTES,
    deep_merge,
    parse_yaml_text,
    read_mapping,
    resolve_extends,
    scenario_to_yaml,
)

__all__ = [
    "MAX_EXTENDS_DEPTH",
    "MAX_FILE_BYTES",
    "Problem",
    "ScenarioError",
    "apply_override",
    "consistency_problems",
    "deep_merge",
    "editable_dump",
    "format_path",
    "group_problems",
    "load_scenario",
    "override_problems",
    "parse_assignment",
    "parse_yaml_text",
    "read_mapping",
    "resolve_extends",
    "scenario_to_yaml",
    "school_year_of_date",
    "skipped_after_run",
    "split_path",
    "takes_effect_in_run",
    "timeline_problems",
    "validate_mapping",
    "validation_problems",
]


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
