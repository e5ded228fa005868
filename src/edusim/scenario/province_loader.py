"""Reading a province file into one validated `Scenario` per city.

Every problem is a `ScenarioError` naming the province file and the YAML path inside it
(`cities[2].generated.pupils.junior`), also for a problem found in the file a city
extends, so the CLI exits 2 with one line per problem and nothing is simulated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from edusim.scenario.library import locate
from edusim.scenario.loader import (
    Problem,
    ScenarioError,
    deep_merge,
    editable_dump,
    format_path,
    load_scenario,
    read_mapping,
    resolve_extends,
    validation_problems,
)
from edusim.scenario.province import Province, ProvinceCity, generated_districts
from edusim.scenario.schema import Scenario

PROVINCE_KEY = "cities"
"""The top-level key that makes a YAML file a province rather than a single city."""


@dataclass(frozen=True)
class LoadedProvince:
    """A province file made runnable: its settings and one Scenario per city, in file order."""

    spec: Province
    source: str
    cities: tuple[Scenario, ...]
    scale: float = 1.0

    @property
    def name(self) -> str:
        """The province run's name."""
        return self.spec.name


def is_province_file(source: str | Path) -> bool:
    """Whether `source` names a YAML file whose top level lists `cities:` (a province)."""
    try:
        path = locate(source)
    except Exception:
        return False
    if not path.is_file():
        return False
    try:
        data = read_mapping(path)
    except ScenarioError:
        return False
    return PROVINCE_KEY in data


def scaled_districts(districts: Iterable[Mapping[str, Any]], scale: float) -> list[dict]:
    """Districts with pupils and schools multiplied by `scale` (a scaled-down province for
    benchmarks and tests): pupils rounded, schools rounded but at least one where there
    were any. Areas and everything else are kept."""
    out = []
    for district in districts:
        copy = dict(district)
        for key in ("pupils", "schools", "private_schools"):
            counts = district.get(key)
            if not isinstance(counts, Mapping):
                continue
            least = 1 if key == "schools" else 0
            copy[key] = {
                stage: max(least if value > 0 else 0, round(value * scale))
                for stage, value in counts.items()
            }
        if isinstance(copy.get("private_schools"), dict):  # never more private than sites
            copy["private_schools"] = {
                stage: min(value, copy["schools"][stage])
                for stage, value in copy["private_schools"].items()
            }
        out.append(copy)
    return out


def _located(problems: Iterable[Problem], prefix: str, where: str) -> list[Problem]:
    """Problems of a city's scenario placed under the city's entry of the province file."""
    found = []
    for problem in problems:
        path = f"{prefix}.{problem.path}" if problem.path else prefix
        found.append(Problem(path, f"{problem.message} (in {where})" if where else problem.message))
    return found


def _city_mapping(city: ProvinceCity, spec: Province, folder: Path, scale: float) -> dict[str, Any]:
    """The resolved mapping of one city before validation."""
    named = city.extends if city.extends is not None else spec.template
    candidate = folder / named
    path = candidate.resolve() if candidate.exists() else locate(named)
    if city.generated is None:
        data = editable_dump(load_scenario(path))
    else:
        data = resolve_extends(path)
        data.pop("city", None)
        data = deep_merge(
            data, {"city": {"districts": generated_districts(city.name, city.generated)}}
        )
    data["name"] = city.name
    if spec.years is not None:
        data["years"] = spec.years
    if scale != 1.0:
        data["city"]["districts"] = scaled_districts(data["city"]["districts"], scale)
    return data


def load_province(
    source: str | Path,
    *,
    scale: float = 1.0,
    seed: int | None = None,
    years: int | None = None,
) -> LoadedProvince:
    """Load and validate a province file and every city in it (all problems at once).

    `scale` multiplies every district's pupils and schools (benchmarks); `seed` and `years`
    replace the file's (the CLI's --seed and --years)."""
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ScenarioError(str(source), [Problem("--scale", f"must be > 0, got {scale!r}")])
    path = locate(source)
    label = str(path)
    data = read_mapping(path)
    for key, value in (("seed", seed), ("years", years)):
        if value is not None:
            data[key] = value
    try:
        spec = Province.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(
            label, validation_problems(error, reference="docs/scale.md (province files)")
        ) from None
    problems: list[Problem] = []
    cities: list[Scenario] = []
    for index, city in enumerate(spec.cities):
        prefix = format_path(("cities", index))
        try:
            mapping = _city_mapping(city, spec, path.parent, scale)
            cities.append(load_scenario(mapping, city.set))
        except ScenarioError as error:
            generated = error.source.startswith("scenario mapping") or error.source == label
            inner = "" if generated else error.source
            problems += _located(error.problems, prefix, inner)
        except FileNotFoundError as error:
            problems.append(Problem(f"{prefix}.extends", f"file not found: {error}"))
    if problems:
        raise ScenarioError(label, problems)
    return LoadedProvince(spec, label, tuple(cities), float(scale))
