"""Scenario files on disk: safe YAML (no tags, no aliases, bounded size), `extends:`
inheritance by deep merge, and the resolved scenario written back as YAML."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from edusim.scenario.problems import Problem, ScenarioError
from edusim.scenario.schema import Scenario
from edusim.yaml_text import dump_plain_yaml, load_plain_yaml

MAX_FILE_BYTES = 2_000_000
"""Scenario files larger than this are refused unread: no real scenario comes close."""

MAX_EXTENDS_DEPTH = 16


def parse_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text safely; errors name the line and column."""
    try:
        return load_plain_yaml(text)
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


def scenario_to_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario as YAML, written beside every result."""
    return dump_plain_yaml(scenario.model_dump(mode="json"))
