"""The plan of an experiment: its arms (resolved scenarios) and their paired replicates.

Replicate k of every arm runs with the same seed (common random numbers), derived from
the experiment's root seed and k alone, so adding replications or arms never changes
the seeds of those already planned. A task is identified by a hash of the model's code,
its resolved scenario and seed: two arms that resolve to the same scenario share their
runs, a rerun recognises what is already finished, and runs stored by a different
version of the model are run again.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from edusim.experiment.design import points
from edusim.experiment.spec import CompareDesign, Experiment, ExperimentError, GridDesign
from edusim.experiment.task import Task
from edusim.provenance import OUTSIDE_THE_MODEL, model_hash, source_hash
from edusim.scenario.library import locate
from edusim.scenario.loader import Problem, ScenarioError, load_scenario
from edusim.scenario.schema import Scenario

KEY_LENGTH = 24
"""Hex digits of the task hash kept in names (96 bits: collisions are not a concern)."""


def replicate_seed(root_seed: int, replicate: int) -> int:
    """The seed of replicate `replicate`, shared by every arm (a 32-bit SeedSequence draw)."""
    state = np.random.SeedSequence([root_seed, replicate]).generate_state(1, dtype=np.uint32)
    return int(state[0])


@functools.cache
def model_fingerprint() -> str:
    """Hash of the simulator's source code (`provenance.source_hash` of the package this
    module belongs to, less `OUTSIDE_THE_MODEL`): a run stored by another version of the
    model is not reused (edits that do not touch the model, such as plotting, keep the
    runs). Equal to `provenance.model_hash()` for the installed package."""
    return source_hash(Path(__file__).resolve().parents[1], OUTSIDE_THE_MODEL)[:KEY_LENGTH]


def task_keys(scenario: Scenario, seeds: list[int]) -> list[str]:
    """Stable identities of runs: hash of the model's code, the resolved scenario, its
    years and each seed."""
    resolved = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    keys = []
    for seed in seeds:
        text = f"{resolved}\nyears={scenario.years}\nseed={seed}\nmodel={model_fingerprint()}"
        keys.append(hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH])
    return keys


@dataclass(frozen=True)
class Plan:
    """Everything to run and how to label it.

    `arms` maps each variant (or design point) to its resolved scenario, in order;
    `points` holds the parameter values of design points (None for comparisons);
    `tasks` has one row per (variant, replicate): seed, task key and final year.
    """

    experiment: Experiment
    arms: dict[str, Scenario]
    points: pd.DataFrame | None
    tasks: pd.DataFrame

    def unique_tasks(self) -> Iterator[Task]:
        """Each distinct run once, replicate by replicate (so early results come in pairs)."""
        seen: set[str] = set()
        for row in self.tasks.sort_values(["replicate", "order"]).itertuples(index=False):
            if row.task not in seen:
                seen.add(row.task)
                yield Task(row.task, self.arms[row.variant], row.seed, model_hash())

    @property
    def task_count(self) -> int:
        """Number of distinct runs."""
        return int(self.tasks["task"].nunique())


def _scenario_file(experiment: Experiment, name: str) -> Path:
    """A scenario named by an experiment file: relative to that file, else a shipped
    scenario of that name (`scenario: demo`)."""
    path = experiment.directory / name
    return path if path.exists() else locate(name)


def _load(path: Path, overrides: Mapping[str, Any], where: str, label: str) -> Scenario:
    try:
        return load_scenario(path, overrides)
    except ScenarioError as error:
        raise ExperimentError(
            label, [Problem(where, f"{error.source}: {problem}") for problem in error.problems]
        ) from None


def _apply(base: Scenario, overrides: Mapping[str, Any], where: str, label: str) -> Scenario:
    try:
        return load_scenario(base, overrides)
    except ScenarioError as error:
        raise ExperimentError(label, [Problem(where, str(p)) for p in error.problems]) from None


def _variant_arms(
    experiment: Experiment, base: Scenario, years: dict[str, int]
) -> dict[str, Scenario]:
    spec, label = experiment.spec, experiment.source
    arms = {}
    for name, variant in spec.variants.items():
        start = base
        if variant.scenario is not None:
            path = _scenario_file(experiment, variant.scenario)
            start = _load(path, years, f"variants.{name}.scenario", label)
        arms[name] = _apply(start, {**variant.set, **years}, f"variants.{name}.set", label)
    return arms


def _check_parameter_values(experiment: Experiment, base: Scenario) -> None:
    """Every listed value, or both ends of every range, must be valid on its own."""
    design, problems = experiment.spec.design, []
    for name, values in design.parameters.items():
        for index, value in enumerate(values):
            where = f"design.parameters['{name}']"
            if isinstance(design, GridDesign):
                where += f"[{index}]"
            try:
                load_scenario(base, {name: value})
            except ScenarioError as error:
                problems += [Problem(where, str(p)) for p in error.problems]
    if problems:
        raise ExperimentError(experiment.source, problems)


def _point_arms(
    experiment: Experiment, base: Scenario, years: dict[str, int]
) -> tuple[dict[str, Scenario], pd.DataFrame]:
    _check_parameter_values(experiment, base)
    frame = points(experiment.spec.design, experiment.spec.design_seed)
    arms = {}
    for name, row in zip(frame.index, frame.to_dict("records"), strict=True):
        arms[name] = _apply(base, {**row, **years}, f"design ({name})", experiment.source)
    return arms, frame


def build_plan(experiment: Experiment, replications: int | None = None) -> Plan:
    """Resolve every arm's scenario and list the paired replicates (validation errors raise)."""
    spec = experiment.spec
    years = {} if spec.years is None else {"years": spec.years}
    base = _load(_scenario_file(experiment, spec.scenario), years, "scenario", experiment.source)
    if isinstance(spec.design, CompareDesign):
        arms, frame = _variant_arms(experiment, base, years), None
    else:
        arms, frame = _point_arms(experiment, base, years)
    count = spec.replications if replications is None else replications
    if count < 1:
        raise ExperimentError(experiment.source, [Problem("replications", "must be at least 1")])
    seeds = [replicate_seed(spec.seed, k) for k in range(count)]
    rows = [
        {
            "variant": name,
            "order": order,
            "replicate": k,
            "seed": seed,
            "task": key,
            "final_year": scenario.start_year + scenario.years,
        }
        for order, (name, scenario) in enumerate(arms.items())
        for k, (seed, key) in enumerate(zip(seeds, task_keys(scenario, seeds), strict=True))
    ]
    return Plan(experiment, arms, frame, pd.DataFrame(rows))
