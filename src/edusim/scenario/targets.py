"""The targets file of a calibration: what a city's observations say, and how surely.

Each target names a registered metric (`edusim.metrics.METRICS`), the year it was
observed (or a range of years, whose mean is compared), the observed value, its
uncertainty (an SD, or a 95% interval whose width / 3.92 is taken as the SD), an
optional weight and the source it comes from. The file is read like a scenario (safe
YAML, unknown keys refused) and every problem is reported at its YAML path:

    name: hangzhou-public
    targets:
      - metric: private_share
        year: 2022
        observed: 0.095
        interval: [0.07, 0.12]
        source: 2022年杭州市教育事业统计公告 (Hangzhou Education Bureau, 2023-03-30)

Statistics of other tables (a premium quantile of schools.parquet, flows in the event
log) are not targets yet: the experiment runner stores the metrics table only, so a
target is always a metric (the registry already holds the premium median and top
decile, the rotation counts and the participation share).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from edusim.scenario.fields import Section
from edusim.scenario.loader import Problem, ScenarioError, read_mapping, validation_problems
from edusim.scenario.schema import Scenario

Z95 = 1.959963984540054
"""The normal quantile of a two-sided 95% interval: an interval of width w has SD w / (2 Z95)."""


class TargetsError(ScenarioError):
    """A targets file that cannot be used; carries every problem found."""

    def __str__(self) -> str:
        lines = [f"invalid targets {self.source}:"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


class Target(Section):
    """One observation the model should reproduce."""

    name: str = Field(
        default="", description="short label (default: '<metric> <year>' or '<metric> <from>-<to>')"
    )
    metric: str = Field(min_length=1, description="a registered metric (docs/metrics.md)")
    year: int | None = Field(default=None, description="the calendar year observed")
    years: tuple[int, int] | None = Field(
        default=None, description="[first, last] calendar years whose mean was observed"
    )
    observed: float = Field(description="the observed value, in the metric's unit")
    sd: float | None = Field(default=None, gt=0, description="uncertainty of the observation (SD)")
    interval: tuple[float, float] | None = Field(
        default=None, description="a 95% interval around the observation (instead of sd)"
    )
    weight: float = Field(
        default=1.0, ge=0, description="multiplies the target's squared distance (default 1)"
    )
    source: str = Field(min_length=1, description="where the observation comes from")

    @field_validator("source")
    @classmethod
    def _cited(cls, source: str) -> str:
        if not source.strip():
            raise ValueError("must name where the observation comes from")
        return source

    @model_validator(mode="after")
    def _one_time_one_uncertainty(self) -> Target:
        if (self.year is None) == (self.years is None):
            raise ValueError("give exactly one of 'year' (one year) or 'years' ([first, last])")
        if self.years is not None and self.years[0] > self.years[1]:
            raise ValueError(f"'years' must be [first, last] with first <= last, got {self.years}")
        if (self.sd is None) == (self.interval is None):
            raise ValueError("give exactly one of 'sd' or 'interval' (a 95% interval [low, high])")
        if self.interval is not None:
            low, high = self.interval
            if not low < high:
                raise ValueError(f"'interval' must be [low, high] with low < high, got {low, high}")
            if not low <= self.observed <= high:
                raise ValueError(
                    f"'observed' {self.observed} lies outside its interval [{low}, {high}]"
                )
        return self

    @property
    def first_year(self) -> int:
        """The first calendar year the target covers."""
        return self.year if self.year is not None else self.years[0]  # type: ignore[index]

    @property
    def last_year(self) -> int:
        """The last calendar year the target covers."""
        return self.year if self.year is not None else self.years[1]  # type: ignore[index]

    @property
    def label(self) -> str:
        """The target's name, or one made from its metric and years."""
        if self.name:
            return self.name
        if self.year is not None:
            return f"{self.metric} {self.year}"
        return f"{self.metric} {self.first_year}-{self.last_year}"

    @property
    def uncertainty(self) -> float:
        """The observation's SD (from `sd`, or from the 95% interval's width)."""
        if self.sd is not None:
            return self.sd
        low, high = self.interval  # type: ignore[misc]
        return (high - low) / (2 * Z95)


class TargetsSpec(Section):
    """A whole targets file."""

    name: str = Field(default="", description="short name of this set of observations")
    description: str = Field(default="", description="what the observations are")
    targets: list[Target] = Field(min_length=1, description="the observations")


@dataclass(frozen=True)
class Targets:
    """Validated targets and where they were read from."""

    spec: TargetsSpec
    source: str

    @property
    def items(self) -> list[Target]:
        """The targets, in file order."""
        return self.spec.targets

    @property
    def last_year(self) -> int:
        """The latest year any target needs: runs stop there."""
        return max(target.last_year for target in self.items)


def _cross_problems(spec: TargetsSpec, metrics: Collection[str] | None) -> list[Problem]:
    """Metrics must be known (when the caller says which are), and labels unique, so the
    fit table has one row per target."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, target in enumerate(spec.targets):
        if metrics is not None and target.metric not in metrics:
            problems.append(
                Problem(
                    f"targets[{index}].metric",
                    f"unknown metric '{target.metric}'; see docs/metrics.md for the names",
                )
            )
        label = target.label
        if label in seen:
            problems.append(
                Problem(
                    f"targets[{index}].name",
                    f"'{label}' is already the label of targets[{seen[label]}]; give one a name",
                )
            )
        seen[label] = index
    return problems


def scenario_problems(targets: Targets, scenario: Scenario) -> list[Problem]:
    """Years the scenario does not simulate: from its start year to start + years."""
    first, last = scenario.start_year, scenario.start_year + scenario.years
    problems = []
    for index, target in enumerate(targets.items):
        key = "year" if target.year is not None else "years"
        for year in {target.first_year, target.last_year}:
            if not first <= year <= last:
                problems.append(
                    Problem(
                        f"targets[{index}].{key}",
                        f"{year} is outside the years scenario '{scenario.name}' simulates "
                        f"({first}-{last})",
                    )
                )
                break
    return problems


def load_targets(
    source: str | Path | Mapping[str, Any],
    scenario: Scenario | None = None,
    metrics: Collection[str] | None = None,
) -> Targets:
    """Read and validate a targets file (or mapping). With `scenario`, also check that
    every target's years are ones it simulates; with `metrics` (the registry's names,
    passed in because the scenario layer knows no model), that every metric is one of
    them. Raises TargetsError."""
    if isinstance(source, Mapping):
        data, label = dict(source), "targets mapping"
    else:
        label = str(source)
        try:
            data = read_mapping(Path(source))
        except ScenarioError as error:
            raise TargetsError(label, error.problems) from None
    try:
        spec = TargetsSpec.model_validate(data)
    except ValidationError as error:
        problems = validation_problems(error, reference="docs/calibration.md")
        raise TargetsError(label, problems) from None
    targets = Targets(spec, label)
    problems = _cross_problems(spec, metrics)
    if scenario is not None:
        problems += scenario_problems(targets, scenario)
    if problems:
        raise TargetsError(label, problems)
    return targets
