"""What a results folder is (a run or an experiment) and its tables, read once.

A run directory (`edusim run`, results.write_run) has manifest.json and the tidy tables
metrics, schools, memberships, events, balance, city (Parquet or CSV), scenario.resolved.yaml and,
with `--counterfactual`, an `effect` table. An experiment folder (`edusim experiment`,
experiment/store.py) has experiment.yaml, tasks.csv, manifest.jsonl, metrics.parquet,
summary.csv and, for Morris and Sobol designs, sensitivity.csv.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml


class ReportInputError(Exception):
    """The folder given to the report is not a results folder it can read."""


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """`name`.parquet or `name`.csv in `folder`, or None if neither exists."""
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.is_file():
        return pd.read_parquet(parquet)
    if csv.is_file():
        return pd.read_csv(csv, keep_default_na=False, na_values=["", "NaN", "nan"])
    return None


def _fix_text_columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """CSV reads empty strings back as NaN; text columns get '' again."""
    for column in columns:
        if column in frame:
            frame[column] = frame[column].astype(object).fillna("").astype(str)
    return frame


@dataclass
class RunSource:
    """One run of `edusim run`: its tables, manifest and resolved scenario."""

    path: Path
    manifest: dict[str, Any]
    scenario_yaml: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    kind = "run"

    @property
    def name(self) -> str:
        return str(self.manifest.get("scenario", self.path.name))

    @property
    def seeds(self) -> list[int]:
        return [int(self.manifest["seed"])] if "seed" in self.manifest else []

    @property
    def replications(self) -> int:
        return 1

    @property
    def description(self) -> str:
        scenario = yaml.safe_load(self.scenario_yaml) if self.scenario_yaml else {}
        return str((scenario or {}).get("description") or "")


@dataclass
class ExperimentSource:
    """One experiment folder: every run's metrics, the plan and the summaries."""

    path: Path
    spec: dict[str, Any]
    spec_yaml: str
    metrics: pd.DataFrame
    tasks: pd.DataFrame
    records: list[dict[str, Any]]
    summary: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None

    kind = "experiment"

    @property
    def name(self) -> str:
        return str(self.spec.get("name", self.path.name))

    @property
    def design(self) -> str:
        return str((self.spec.get("design") or {}).get("kind", "compare"))

    @property
    def baseline(self) -> str | None:
        if self.design != "compare":
            return None
        variants = list(pd.unique(self.metrics["variant"]))
        chosen = (self.spec.get("design") or {}).get("baseline")
        return chosen or (variants[0] if variants else None)

    @property
    def seeds(self) -> list[int]:
        seeds = self.metrics.drop_duplicates("replicate").sort_values("replicate")["seed"]
        return [int(seed) for seed in seeds]

    @property
    def replications(self) -> int:
        return int(self.metrics["replicate"].nunique())

    @property
    def description(self) -> str:
        return str(self.spec.get("description") or "").strip()

    @property
    def metric_names(self) -> list[str]:
        listed = list(self.spec.get("metrics") or [])
        return listed or list(pd.unique(self.metrics["metric"]))


def _load_run(path: Path) -> RunSource:
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ReportInputError(f"{path}: cannot read manifest.json ({error})") from error
    resolved = path / "scenario.resolved.yaml"
    source = RunSource(
        path, manifest, resolved.read_text(encoding="utf-8") if resolved.is_file() else ""
    )
    for name in ("metrics", "schools", "memberships", "events", "city", "effect"):
        table = read_table(path, name)
        if table is not None:
            source.tables[name] = table
    if "metrics" not in source.tables:
        raise ReportInputError(f"{path}: a run directory without a metrics table")
    if "schools" in source.tables:
        _fix_text_columns(source.tables["schools"], ("group_kind", "group_role", "sector"))
    if "memberships" in source.tables:
        _fix_text_columns(source.tables["memberships"], ("group_kind", "role", "group_name"))
    if "events" in source.tables:
        _fix_text_columns(source.tables["events"], ("kind", "label", "detail"))
    return source


def _load_experiment(path: Path) -> ExperimentSource:
    spec_yaml = (path / "experiment.yaml").read_text(encoding="utf-8")
    try:
        spec = yaml.safe_load(spec_yaml) or {}
    except yaml.YAMLError as error:
        raise ReportInputError(f"{path}: experiment.yaml is not valid YAML ({error})") from error
    if not (path / "metrics.parquet").is_file():
        raise ReportInputError(
            f"{path}: an experiment folder without metrics.parquet (not finished? rerun "
            "`edusim experiment` with the same --out to complete it)"
        )
    metrics = pd.read_parquet(path / "metrics.parquet")
    if metrics.empty:
        raise ReportInputError(f"{path}: the experiment has no finished run to report")
    records = []
    manifest = path / "manifest.jsonl"
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    tasks = pd.read_csv(path / "tasks.csv") if (path / "tasks.csv").is_file() else pd.DataFrame()
    summary = pd.read_csv(path / "summary.csv") if (path / "summary.csv").is_file() else None
    sensitivity = None
    if (path / "sensitivity.csv").is_file():
        sensitivity = pd.read_csv(path / "sensitivity.csv", keep_default_na=False, na_values=[""])
        _fix_text_columns(sensitivity, ("note",))
    return ExperimentSource(path, spec, spec_yaml, metrics, tasks, records, summary, sensitivity)


def load_results(path: str | Path) -> RunSource | ExperimentSource:
    """Read a run directory or an experiment folder; ReportInputError if it is neither."""
    path = Path(path)
    if not path.exists():
        raise ReportInputError(f"{path}: no such directory")
    if not path.is_dir():
        raise ReportInputError(f"{path}: not a directory")
    if (path / "experiment.yaml").is_file():
        return _load_experiment(path)
    if (path / "manifest.json").is_file():
        return _load_run(path)
    raise ReportInputError(
        f"{path}: neither a run directory (manifest.json and metrics, from `edusim run`) nor "
        "an experiment folder (experiment.yaml and metrics.parquet, from `edusim experiment`)"
    )
