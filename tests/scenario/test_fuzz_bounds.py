"""Values at or near the schema's bounds: every run succeeds with finite metrics or is
refused at validation with a ScenarioError (exit 2 at the command line), never a crash.

The parameters are found by walking the schema (pydantic fields, their ge/le/gt/lt
bounds, booleans and literal choices) over the demo city, so a new parameter is fuzzed
without touching this file. Draw k comes from numpy's generator seeded [SEED, k]. The suite runs a few
dozen draws; set EDUSIM_FUZZ_DRAWS (and optionally EDUSIM_FUZZ_SEED) for a larger run,
for example

    EDUSIM_FUZZ_DRAWS=200 python -m pytest tests/scenario/test_fuzz_bounds.py -s

which prints how many runs succeeded, were refused and crashed, and every crash.
EDUSIM_FUZZ_SCENARIO names another city scenario (not a province file) to fuzz the same
way (its own knobs, timeline included), for example a place:

    EDUSIM_FUZZ_SCENARIO=scenarios/dalian.yaml EDUSIM_FUZZ_DRAWS=120 \
        python -m pytest tests/scenario/test_fuzz_bounds.py -s -k run_or_are_refused

(2026-11-29: Dalian's first 120 draws found a town outside its district refused only when
the city was built; now `validate` refuses it, docs/testing.md.)
"""

from __future__ import annotations

import math
import os
import re
import traceback
import types
import typing
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
import numpy as np
from pydantic import BaseModel

from edusim.metrics import METRICS
from edusim.results import run_scenario
from edusim.scenario.loader import ScenarioError, load_scenario

DRAWS = int(os.environ.get("EDUSIM_FUZZ_DRAWS", "24"))
SEED = int(os.environ.get("EDUSIM_FUZZ_SEED", "20261127"))
SCENARIO = os.environ.get("EDUSIM_FUZZ_SCENARIO")
YEARS = 3
FIXED = frozenset({"years", "start_year", "name", "description"})
"""Top-level keys the fuzz leaves alone: the run length is fixed at YEARS."""


@dataclass(frozen=True)
class Knob:
    """One settable scalar of the scenario: its YAML path, kind, bounds and default."""

    path: str
    kind: str  # "float", "int", "bool" or "choice"
    default: Any
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    choices: tuple[Any, ...] = ()
    optional: bool = False


def _scalar_type(annotation: Any) -> tuple[Any, bool]:
    """The annotation without `| None`, and whether None was allowed."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def knobs_of(model: BaseModel, prefix: str = "") -> list[Knob]:
    """Every bounded number, boolean and literal choice of `model`, walked recursively
    through sections, tuples of sections and mappings of sections."""
    found: list[Knob] = []
    for name, info in type(model).model_fields.items():
        if not prefix and name in FIXED:
            continue
        path = f"{prefix}.{name}" if prefix else name
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += knobs_of(value, path)
            continue
        if isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            for index, item in enumerate(value):
                found += knobs_of(item, f"{path}[{index}]")
            continue
        if isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel):
            for key, item in value.items():
                found += knobs_of(item, f"{path}.{key}")
            continue
        annotation, optional = _scalar_type(info.annotation)
        bounds: dict[str, float] = {}
        for item in info.metadata:
            for key in ("ge", "gt", "le", "lt"):
                if isinstance(item, getattr(annotated_types, key.capitalize())):
                    bounds[key] = getattr(item, key)
        if annotation is bool:
            found.append(Knob(path, "bool", value))
        elif annotation in (int, float):
            found.append(Knob(path, annotation.__name__, value, optional=optional, **bounds))
        elif typing.get_origin(annotation) is Literal:
            found.append(Knob(path, "choice", value, choices=typing.get_args(annotation)))
    return found


def near_bound(knob: Knob, rng: np.random.Generator) -> Any:
    """A value at or near one of the knob's bounds (for an open side: far from the default)."""
    if knob.kind == "bool":
        return bool(rng.integers(2))
    if knob.kind == "choice":
        return knob.choices[rng.integers(len(knob.choices))]
    if knob.optional and rng.random() < 0.15:
        return None
    default = knob.default if knob.default is not None else (knob.ge or knob.gt or 1)
    scale = max(abs(float(default)), 1.0)
    tiny = scale * 10.0 ** -rng.uniform(1, 9)
    candidates: list[float] = []
    if knob.ge is not None:
        candidates += [knob.ge, knob.ge + tiny]
    if knob.gt is not None:
        candidates += [knob.gt + tiny]
    if knob.le is not None:
        candidates += [knob.le, knob.le - tiny]
    if knob.lt is not None:
        candidates += [knob.lt - tiny]
    if knob.le is None and knob.lt is None:
        candidates += [scale * 10.0 ** rng.uniform(0.5, 2)]
    if knob.ge is None and knob.gt is None:
        candidates += [-scale * 10.0 ** rng.uniform(0.5, 2)]
    value = candidates[rng.integers(len(candidates))]
    if knob.kind == "int":
        lower = knob.ge if knob.ge is not None else (knob.gt + 1 if knob.gt is not None else None)
        upper = knob.le if knob.le is not None else (knob.lt - 1 if knob.lt is not None else None)
        value = round(value)
        if lower is not None:
            value = max(value, math.ceil(lower))
        if upper is not None:
            value = min(value, math.floor(upper))
        return int(value)
    return float(value)


def draw_overrides(knobs: list[Knob], rng: np.random.Generator) -> dict[str, Any]:
    """Many knobs at once (8 to 30 of them) at or near their bounds. The city's own counts
    are drawn less often: a district without schools is refused at once, and the fuzz is
    about the parameters."""
    weights = np.array([0.25 if k.path.startswith("city.") else 1.0 for k in knobs])
    count = min(int(rng.integers(8, 31)), len(knobs))
    chosen = rng.choice(len(knobs), size=count, replace=False, p=weights / weights.sum())
    return {knobs[i].path: near_bound(knobs[i], rng) for i in sorted(chosen)}


def undefined_allowed(demo_path) -> set[tuple[str, int]]:
    """(metric, year offset) pairs that may be NaN: metrics whose registry entry says when
    they are undefined (no groups, no postings, ...), and those NaN in the demo itself."""
    documented = {n for n, m in METRICS.items() if "NaN" in m.description + m.formula}
    demo = load_scenario(demo_path, {"years": YEARS})
    metrics = run_scenario(demo).tables["metrics"]
    undefined = metrics[metrics["value"].isna()]
    allowed = {
        (m, y - demo.start_year)
        for m, y in zip(undefined["metric"], undefined["year"], strict=True)
    }
    return allowed | {(m, y) for m in documented for y in range(YEARS + 1)}


def outcome(demo_path, overrides: dict[str, Any], allowed: set) -> tuple[str, str]:
    """'ok', 'refused' or 'crashed', with the reason for the last two. A run crashed if it
    raised, or if a metric is infinite, or NaN where it is not allowed to be undefined."""
    try:
        scenario = load_scenario(demo_path, {**overrides, "years": YEARS})
    except ScenarioError as error:
        return "refused", "; ".join(
            sorted({re.sub(r"\[[^\]]*\]", "[]", p.path) for p in error.problems})
        )
    try:
        metrics = run_scenario(scenario).tables["metrics"]
    except Exception:  # any exception here is the finding
        return "crashed", traceback.format_exc(limit=-3)
    if metrics.empty:
        return "crashed", "no metrics"
    values = metrics["value"].to_numpy(dtype=float)
    offsets = metrics["year"] - scenario.start_year
    excused = [(m, y) in allowed for m, y in zip(metrics["metric"], offsets, strict=True)]
    bad = metrics[np.isinf(values) | (np.isnan(values) & ~np.array(excused, dtype=bool))]
    if len(bad):
        return "crashed", f"non-finite metrics: {sorted(set(bad['metric']))}"
    return "ok", ""


def test_knobs_cover_the_schema(demo_path):
    knobs = {k.path: k for k in knobs_of(load_scenario(demo_path))}
    assert knobs["teachers.share_backbone"].le == 1
    assert knobs["city.districts[1].area_km2"].gt == 0
    assert knobs["groups.kinds.tight.staff_redeploy"].kind == "bool"
    assert knobs["enrollment.rule"].choices == (
        "catchment",
        "zones",
        "group",
        "choice",
        "achievement",
    )
    assert knobs["funding.budget_cap_cny"].optional
    assert "years" not in knobs and "start_year" not in knobs
    assert len(knobs) > 150


def test_values_at_the_bounds_run_or_are_refused(demo_path):
    fuzzed = SCENARIO or demo_path
    knobs = knobs_of(load_scenario(fuzzed))
    allowed = undefined_allowed(fuzzed)
    counts: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    crashes = []
    for draw in range(DRAWS):
        overrides = draw_overrides(knobs, np.random.default_rng([SEED, draw]))
        kind, reason = outcome(fuzzed, overrides, allowed)
        counts[kind] += 1
        if kind == "refused":
            refusals[reason] += 1
        if kind == "crashed":
            crashes.append(f"draw {draw}: {overrides}\n{reason}")
    print(
        f"\nfuzz of {fuzzed}, {DRAWS} draws (seed {SEED}): {counts['ok']} succeeded, "
        f"{counts['refused']} refused, {counts['crashed']} crashed"
    )
    print("refused at:", dict(refusals.most_common(12)))
    for crash in crashes:
        print(crash)
    assert not crashes, "\n\n".join(crashes)
    assert counts["ok"] > 0  # the draws are not all refused at validation
