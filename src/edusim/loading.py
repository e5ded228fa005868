"""Results in one call: `load_run(dir)` and `load_experiment(dir)` give tidy DataFrames.

The stored tables keep plain types so that any tool reads them (Parquet or CSV, see
results.py and experiment/store.py). Loading adds what an analysis needs and a file
format cannot say:

* categoricals in their natural order: stage primary < junior, owner city < district <
  county, sector public < private, group role core < member, districts and group kinds
  in the scenario's order, metrics in the registry's order;
* nulls for absent values: a school in no group has `group_id`, `group_kind` and
  `group_role` NA (stored as -1 and ""), a cell without a catchment school of a stage NA
  (stored as -1);
* a `run_id` on every row and the overrides of each run (`runs`, one row per run: its
  id, seed, replicate and one column per overridden parameter, NA where a run does not
  set it);
* the event log's `detail` (a JSON string whose layout depends on the event's kind)
  expanded into typed columns `detail.<key>` (nested keys joined by dots), NA where an
  event has no such key.

Nothing here changes what is stored, and reading verifies nothing: `edusim report`
checks checksums; this is for notebooks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from edusim.yaml_text import load_plain_yaml

STAGES: tuple[str, ...] = ("primary", "junior")
OWNERS: tuple[str, ...] = ("city", "district", "county")
SECTORS: tuple[str, ...] = ("public", "private")
ROLES: tuple[str, ...] = ("core", "member")
RUN_TABLES: tuple[str, ...] = ("metrics", "schools", "memberships", "events", "balance", "city")


class ResultsFolderError(ValueError):
    """The folder is not a finished run directory or experiment folder."""


@dataclass
class LoadedRun:
    """One run's tables, tidy (see the module docstring), and its manifest."""

    run_id: str
    manifest: dict[str, Any]
    runs: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


@dataclass
class LoadedExperiment:
    """An experiment's metrics of every finished run, its runs with their overrides, its
    summary and its failed runs."""

    metrics: pd.DataFrame
    runs: pd.DataFrame
    summary: pd.DataFrame | None
    spec: dict[str, Any]


# -- shared ----------------------------------------------------------------------------
def _ordered(values: pd.Series, order: Iterable[str]) -> pd.Series:
    """`values` as a categorical in `order`, then any value `order` lacks (sorted)."""
    known = list(dict.fromkeys(order))
    present = values.dropna().astype(str).unique()
    extra = sorted(set(present) - set(known))
    return pd.Categorical(values, categories=known + extra, ordered=True)


def _null_where(frame: pd.DataFrame, column: str, absent: Any) -> None:
    if column not in frame:
        return
    if absent == -1:
        frame[column] = frame[column].astype("Int64").mask(frame[column] == -1)
    else:
        frame[column] = frame[column].astype("string").mask(frame[column] == absent)


def _metric_order() -> list[str]:
    from edusim.metric_info import METRIC_INFO

    return list(METRIC_INFO)


def tidy_table(name: str, frame: pd.DataFrame, scenario: Mapping[str, Any]) -> pd.DataFrame:
    """One stored run table made tidy: categoricals in natural order, nulls for absent
    values, `detail` expanded (events). `scenario` is the resolved scenario as a mapping
    (for the order of districts and group kinds)."""
    frame = frame.copy()
    districts = [d["name"] for d in scenario.get("city", {}).get("districts", [])]
    kinds = list(scenario.get("groups", {}).get("kinds", {}))
    for column in ("group_id",):
        _null_where(frame, column, -1)
    for column in ("group_kind", "group_role", "role", "group_name"):
        _null_where(frame, column, "")
    for column in ("primary_school", "junior_school"):
        _null_where(frame, column, -1)
    orders = {
        "stage": STAGES,
        "owner": OWNERS,
        "sector": SECTORS,
        "group_role": ROLES,
        "role": ROLES,
        "district": districts,
        "group_kind": kinds,
        "metric": _metric_order() if name in ("metrics",) else (),
        "indicator": (),
        "kind": (),
        "scenario": (),
    }
    for column, order in orders.items():
        if column in frame:
            frame[column] = _ordered(frame[column], order)
    for column in ("name", "label"):
        if column in frame:
            frame[column] = frame[column].astype("string")
    if name == "events" and "detail" in frame:
        frame = expand_detail(frame)
    return frame


def expand_detail(events: pd.DataFrame) -> pd.DataFrame:
    """The events table with `detail` (JSON text) replaced by typed `detail.<key>`
    columns; nested mappings give dotted names, lists stay Python lists."""
    parsed = [
        json.loads(text) if isinstance(text, str) and text else {} for text in events["detail"]
    ]
    wide = pd.json_normalize(parsed, sep=".") if parsed else pd.DataFrame(index=events.index)
    wide.index = events.index
    wide = wide.add_prefix("detail.").convert_dtypes()
    return pd.concat([events.drop(columns="detail"), wide], axis=1)


def _runs_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    runs = pd.DataFrame(list(rows))
    if "run_id" in runs:
        runs["run_id"] = runs["run_id"].astype("string")
    return runs.infer_objects()


# -- a run -----------------------------------------------------------------------------
def overrides_from_command(command: Sequence[str]) -> dict[str, Any]:
    """The `--set PATH=VALUE` pairs (values parsed as YAML), `--seed` and `--years` of a
    recorded `edusim run` command line."""
    overrides: dict[str, Any] = {}
    words = list(command)
    for index, word in enumerate(words):
        value = None
        if word in ("--set", "--seed", "--years") and index + 1 < len(words):
            value = words[index + 1]
        elif word.startswith(("--set=", "--seed=", "--years=")):
            word, value = word.split("=", 1)
        if value is None:
            continue
        if word == "--set":
            path, _, text = value.partition("=")
            overrides[path.strip()] = yaml.safe_load(text)
        else:
            overrides[word[2:]] = int(value)
    return overrides


def _table_path(folder: Path, name: str, manifest: Mapping[str, Any]) -> Path:
    entry = manifest.get("tables", {}).get(name)
    if entry is not None:
        return folder / entry["file"]
    return folder / f"{name}.{manifest.get('format', 'parquet')}"


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path)
    return pd.read_parquet(path)


def load_run(folder: str | Path) -> LoadedRun:
    """Every table of a finished run directory, tidy, with `run_id` (the folder's name)
    on each row; `runs` holds the run's seed, replicate and overrides (`--set` pairs,
    `--seed`, `--years`, or what `run_scenario(overrides=...)` was given).

    Tables are attributes too: `load_run(d).schools`.
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise ResultsFolderError(
            f"{folder} is not a finished run directory (no manifest.json); "
            "runs are written by `edusim run` or edusim.results.write_run"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    scenario = load_plain_yaml((folder / "scenario.resolved.yaml").read_text(encoding="utf-8"))
    run_id = folder.resolve().name
    overrides = manifest.get("overrides") or overrides_from_command(manifest.get("command", []))
    tables = {}
    for name in RUN_TABLES:
        path = _table_path(folder, name, manifest)
        if not path.is_file():
            continue
        frame = tidy_table(name, _read(path), scenario)
        frame.insert(0, "run_id", pd.array([run_id] * len(frame), dtype="string"))
        tables[name] = frame
    runs = _runs_table(
        [
            {
                "run_id": run_id,
                "scenario": manifest.get("scenario"),
                "seed": manifest.get("seed"),
                "replicate": int(tables["metrics"]["replicate"].iloc[0])
                if "metrics" in tables and len(tables["metrics"])
                else 0,
                **overrides,
            }
        ]
    )
    return LoadedRun(run_id, manifest, runs, tables)


# -- an experiment ---------------------------------------------------------------------
def _experiment_overrides(folder: Path, spec: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Variant -> its overrides: a comparison's `set` (and `scenario` file if it has one),
    a design point's parameter values."""
    points = folder / "points.csv"
    if points.is_file():
        frame = pd.read_csv(points, index_col=0)
        return {str(name): row.to_dict() for name, row in frame.iterrows()}
    overrides = {}
    for name, variant in (spec.get("variants") or {}).items():
        entry = dict(variant.get("set") or {})
        if variant.get("scenario"):
            entry["scenario_file"] = variant["scenario"]
        overrides[name] = entry
    return overrides


def load_experiment(folder: str | Path) -> LoadedExperiment:
    """An experiment folder's metrics (every finished run, tidy, with `run_id` = the
    task key), its runs (variant, replicate, seed, status and one column per overridden
    parameter) and its summary table."""
    folder = Path(folder)
    if not (folder / "tasks.csv").is_file() or not (folder / "metrics.parquet").is_file():
        raise ResultsFolderError(
            f"{folder} is not a finished experiment folder (tasks.csv and metrics.parquet "
            "are written by `edusim experiment`)"
        )
    spec = yaml.safe_load((folder / "experiment.yaml").read_text(encoding="utf-8")) or {}
    tasks = pd.read_csv(folder / "tasks.csv")
    variants = list(dict.fromkeys(tasks["variant"].astype(str)))
    overrides = _experiment_overrides(folder, spec)
    statuses: dict[str, str] = {}
    manifest = folder / "manifest.jsonl"
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line of a killed run
            statuses[record.get("key", record.get("task", ""))] = record.get("status", "")
    rows = [
        {
            "run_id": row.task,
            "variant": str(row.variant),
            "replicate": int(row.replicate),
            "seed": int(row.seed),
            "status": statuses.get(row.task) or "not run",
            **overrides.get(str(row.variant), {}),
        }
        for row in tasks.itertuples(index=False)
    ]
    runs = _runs_table(rows)
    runs["variant"] = _ordered(runs["variant"], variants)
    runs["status"] = runs["status"].astype("string")
    metrics = pd.read_parquet(folder / "metrics.parquet").rename(columns={"task": "run_id"})
    metrics["run_id"] = metrics["run_id"].astype("string")
    metrics["variant"] = _ordered(metrics["variant"], variants)
    metrics["metric"] = _ordered(metrics["metric"], _metric_order())
    metrics["scenario"] = metrics["scenario"].astype("category")
    summary_path = folder / "summary.csv"
    summary = pd.read_csv(summary_path) if summary_path.is_file() else None
    if summary is not None:
        for column, order in (("variant", variants), ("metric", _metric_order())):
            if column in summary:
                summary[column] = _ordered(summary[column], order)
    return LoadedExperiment(metrics, runs, summary, spec)
