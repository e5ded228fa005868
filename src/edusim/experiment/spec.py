"""The experiment file: its schema and loading, with every problem located by YAML path.

An experiment names a base scenario, what varies (named variants, or a design over
parameter values), how many paired replications to run, for how many years, and
which metrics to summarise. Unknown keys are errors, as in scenario files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator

from edusim.metrics import METRICS
from edusim.scenario.fields import Section
from edusim.scenario.loader import (
    Problem,
    ScenarioError,
    read_mapping,
    validation_problems,
)

DESIGN_KINDS: tuple[str, ...] = ("compare", "grid", "lhs", "morris", "sobol")


class ExperimentError(ScenarioError):
    """An experiment file that cannot be used; carries every problem found."""

    def __str__(self) -> str:
        lines = [f"invalid experiment {self.source}:"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


class Variant(Section):
    """One arm of a comparison: the base scenario (or another file) with some overrides."""

    description: str = Field(default="", description="what this variant represents")
    scenario: str | None = Field(
        default=None,
        description="scenario file for this variant, relative to the experiment file "
        "(default: the experiment's scenario)",
    )
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="dotted parameter paths and their values, as with `--set`",
    )


class CompareDesign(Section):
    """Named variants against a baseline, with paired differences."""

    kind: Literal["compare"]
    baseline: str | None = Field(
        default=None, description="the variant the others are compared with (default: the first)"
    )


class GridDesign(Section):
    """Every combination of the listed values (full factorial)."""

    kind: Literal["grid"]
    parameters: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(
        min_length=1, description="dotted parameter path -> the values it takes"
    )


class RangeDesign(Section):
    """A design that samples each parameter from a [low, high] range."""

    parameters: dict[str, tuple[float, float]] = Field(
        min_length=1, description="dotted parameter path -> [low, high]"
    )
    seed: int | None = Field(
        default=None, ge=0, description="seed of the sampler (default: the experiment's seed)"
    )

    @field_validator("parameters")
    @classmethod
    def _ranges_increase(cls, parameters: dict[str, tuple[float, float]]):
        for name, (low, high) in parameters.items():
            if not low < high:
                raise ValueError(f"range of '{name}' must have low < high, got [{low}, {high}]")
        return parameters


class LhsDesign(RangeDesign):
    """A Latin hypercube over the ranges (scipy.stats.qmc)."""

    kind: Literal["lhs"]
    samples: int = Field(ge=1, le=100_000, description="points in the hypercube")


class MorrisDesign(RangeDesign):
    """Morris elementary-effects screening (SALib)."""

    kind: Literal["morris"]
    trajectories: int = Field(ge=2, le=10_000, description="Morris trajectories (SALib's N)")
    levels: int = Field(default=4, ge=2, le=100, description="grid levels (even)")

    @field_validator("levels")
    @classmethod
    def _even(cls, levels: int) -> int:
        if levels % 2:
            raise ValueError(f"levels must be even, got {levels}")
        return levels


class SobolDesign(RangeDesign):
    """Sobol variance-based indices from a Saltelli sample (SALib)."""

    kind: Literal["sobol"]
    samples: int = Field(ge=2, le=1 << 20, description="base sample size N, a power of 2")
    second_order: bool = Field(default=False, description="also sample for second-order indices")

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, samples: int) -> int:
        if samples & (samples - 1):
            raise ValueError(
                f"samples must be a power of 2 (Sobol sequences balance only then), got {samples}"
            )
        return samples


Design = Annotated[
    CompareDesign | GridDesign | LhsDesign | MorrisDesign | SobolDesign,
    Field(discriminator="kind"),
]


class ExperimentSpec(Section):
    """A whole experiment file."""

    name: str = Field(min_length=1, description="short name, used for the output folder")
    description: str = Field(default="", description="what the experiment asks")
    scenario: str = Field(description="base scenario file, relative to the experiment file")
    years: int | None = Field(
        default=None, ge=1, le=200, description="school years per run (default: scenario's)"
    )
    replications: int = Field(default=10, ge=1, le=100_000, description="paired replications")
    seed: int = Field(default=1, ge=0, description="root seed the replicates' seeds derive from")
    metrics: tuple[str, ...] | None = Field(
        default=None, min_length=1, description="metrics to summarise (default: all)"
    )
    variants: dict[str, Variant] = Field(
        default_factory=dict, description="named variants (compare designs only)"
    )
    design: Design = Field(
        default=CompareDesign(kind="compare"), description="how the runs are chosen"
    )

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, metrics: tuple[str, ...] | None):
        unknown = [name for name in metrics or () if name not in METRICS]
        if unknown:
            raise ValueError(f"unknown metrics {unknown}; known: {', '.join(METRICS)}")
        return metrics

    @property
    def baseline(self) -> str | None:
        """The baseline variant of a comparison (None for other designs)."""
        if not isinstance(self.design, CompareDesign):
            return None
        return self.design.baseline or next(iter(self.variants))

    @property
    def design_seed(self) -> int:
        """Seed of the design's sampler and bootstrap: its own, or the experiment's."""
        own = self.design.seed if isinstance(self.design, RangeDesign) else None
        return self.seed if own is None else own

    @property
    def metric_names(self) -> tuple[str, ...]:
        """The metrics of interest, in registry order when all are meant."""
        return self.metrics or tuple(METRICS)


@dataclass(frozen=True)
class Experiment:
    """A validated experiment and the folder its relative paths start from."""

    spec: ExperimentSpec
    directory: Path
    source: str


def _problems(error: ValidationError) -> list[Problem]:
    return validation_problems(
        error,
        reference="experiments/README.md",
        tags=DESIGN_KINDS,
        tag_hint=f"needs 'kind:', one of {', '.join(DESIGN_KINDS)}",
    )


def _design_problems(spec: ExperimentSpec) -> list[Problem]:
    """Checks across keys: variants belong to comparisons, and the baseline is one of them."""
    if not isinstance(spec.design, CompareDesign):
        if spec.variants:
            return [
                Problem("variants", f"only compare designs use variants, not {spec.design.kind}")
            ]
        return []
    if len(spec.variants) < 2:
        return [Problem("variants", "a compare design needs at least two variants")]
    if spec.design.baseline is not None and spec.design.baseline not in spec.variants:
        known = ", ".join(spec.variants)
        return [Problem("design.baseline", f"'{spec.design.baseline}' is not a variant ({known})")]
    return []


def load_experiment(source: str | Path | Mapping[str, Any]) -> Experiment:
    """Read and validate an experiment file (or mapping, relative to the working folder)."""
    if isinstance(source, Mapping):
        data, directory, label = dict(source), Path.cwd(), "experiment mapping"
    else:
        path = Path(source)
        label = str(path)
        try:
            data = read_mapping(path)
        except ScenarioError as error:
            raise ExperimentError(label, error.problems) from None
        directory = path.resolve().parent
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as error:
        raise ExperimentError(label, _problems(error)) from None
    problems = _design_problems(spec)
    if problems:
        raise ExperimentError(label, problems)
    return Experiment(spec, directory, label)
