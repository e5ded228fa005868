"""Changing one parameter of a scenario mapping by its dotted path (`--set`, timeline
events, sweeps, counterfactuals): `city.districts[Xihu].towns=4`."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from edusim.scenario.problems import Problem, validation_problems
from edusim.scenario.schema import Scenario
from edusim.scenario.yaml_files import parse_yaml_text


def editable_dump(scenario: Scenario) -> dict[str, Any]:
    """A scenario as plain YAML-like data (lists, not tuples) that overrides can edit."""
    return scenario.model_dump(mode="json")


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
