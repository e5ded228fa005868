"""What a results folder is (a run or an experiment) and its tables, read once.

A run directory (`edusim run`, results.write_run) has manifest.json and the tidy tables
metrics, schools, memberships, events, balance, city (Parquet or CSV), scenario.resolved.yaml and,
with `--counterfactual`, an `effect` table. An experiment folder (`edusim experiment`,
experiment/store.py) has experiment.yaml, tasks.csv, manifest.jsonl, metrics.parquet,
summary.csv and, for Morris and Sobol designs, sensitivity.csv.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from edusim.checksum import file_sha256
from edusim.yaml_text import load_plain_yaml


class ReportInputError(Exception):
    """The folder given to the report is not a results folder it can read."""


TABLES: tuple[str, ...] = (
    "metrics",
    "schools",
    "memberships",
    "events",
    "city",
    "effect",
    "boundaries",
)
"""The tables of a run directory a report reads."""
METRIC_COLUMNS: tuple[str, ...] = ("year", "metric", "value")


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """`name`.parquet or `name`.csv in `folder`, or None if neither exists.

    Raises ReportInputError (naming the file) for a table that cannot be read."""
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.is_file():
        return read_file(parquet)
    if csv.is_file():
        return read_file(csv)
    return None


def read_file(path: Path) -> pd.DataFrame:
    """One stored table, Parquet or CSV; ReportInputError if it is truncated, empty or
    not a table at all."""
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, keep_default_na=False, na_values=["", "NaN", "nan"])
    except Exception as error:  # pyarrow, pandas and OS errors alike: the file is unusable
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ReportInputError(
            f"{path.parent}: {path.name} cannot be read as a table ({reason}); the folder is "
            "damaged: rerun to write it again"
        ) from error


def verify_run_tables(path: Path, manifest: dict[str, Any]) -> dict[str, Path]:
    """Check every table listed in manifest.json against its checksum; return the files by
    table name. ReportInputError for a missing, changed or unlisted table, so a report
    never shows numbers under another run's provenance."""
    listed = manifest.get("tables")
    if not isinstance(listed, dict) or not listed:
        raise ReportInputError(
            f"{path}: manifest.json lists no table checksums, so the tables cannot be "
            "checked; rerun the scenario with `edusim run`"
        )
    files: dict[str, Path] = {}
    for name, entry in listed.items():
        relative = str(entry.get("file", "")) if isinstance(entry, dict) else ""
        file = path / relative
        if not relative or Path(relative).is_absolute() or ".." in Path(relative).parts:
            raise ReportInputError(f"{path}: manifest.json has no valid file for table '{name}'")
        if not file.is_file():
            raise ReportInputError(
                f"{path}: {relative} is missing, though manifest.json lists it; the folder "
                "is not as the run wrote it"
            )
        if file_sha256(file) != entry.get("sha256"):
            raise ReportInputError(
                f"{path}: {relative} does not match its checksum in manifest.json (changed "
                "or replaced after the run); rerun the scenario to get a consistent folder"
            )
        files[name] = file
    for name in TABLES:
        for suffix in (".parquet", ".csv"):
            stray = path / f"{name}{suffix}"
            if stray.is_file() and files.get(name) != stray:
                raise ReportInputError(
                    f"{path}: {stray.name} is not listed in manifest.json (added after the "
                    "run?); remove it or rerun the scenario"
                )
    return files


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

    @functools.cached_property
    def description(self) -> str:
        """The scenario's description (parsed once: both report pages show it)."""
        scenario = load_plain_yaml(self.scenario_yaml) if self.scenario_yaml else {}
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
    if not isinstance(manifest, dict):
        raise ReportInputError(f"{path}: manifest.json is not a JSON object")
    files = verify_run_tables(path, manifest)
    resolved = path / "scenario.resolved.yaml"
    source = RunSource(
        path, manifest, resolved.read_text(encoding="utf-8") if resolved.is_file() else ""
    )
    for name in TABLES:
        if name in files:
            source.tables[name] = read_file(files[name])
    if "metrics" not in source.tables:
        raise ReportInputError(f"{path}: a run directory without a metrics table")
    _check_metrics(files["metrics"], source.tables["metrics"])
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
    metrics = read_file(path / "metrics.parquet")
    if metrics.empty:
        raise ReportInputError(f"{path}: the experiment has no finished run to report")
    _check_metrics(path / "metrics.parquet", metrics, ("variant", "replicate", "seed"))
    records = []
    manifest = path / "manifest.jsonl"
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    _check_experiment_rows(path, metrics, records)
    tasks = read_file(path / "tasks.csv") if (path / "tasks.csv").is_file() else pd.DataFrame()
    summary = read_file(path / "summary.csv") if (path / "summary.csv").is_file() else None
    sensitivity = None
    if (path / "sensitivity.csv").is_file():
        try:
            sensitivity = pd.read_csv(
                path / "sensitivity.csv", keep_default_na=False, na_values=[""]
            )
        except Exception as error:
            raise ReportInputError(
                f"{path}: sensitivity.csv cannot be read as a table ({error})"
            ) from error
        _fix_text_columns(sensitivity, ("note",))
    return ExperimentSource(path, spec, spec_yaml, metrics, tasks, records, summary, sensitivity)


def _check_metrics(file: Path, metrics: pd.DataFrame, extra: tuple[str, ...] = ()) -> None:
    """A metrics table has rows and the columns a report reads."""
    missing = [column for column in (*METRIC_COLUMNS, *extra) if column not in metrics]
    if missing:
        raise ReportInputError(
            f"{file.parent}: {file.name} lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; it is not a metrics table written by edusim"
        )
    if metrics.empty:
        raise ReportInputError(f"{file.parent}: {file.name} has no rows")


def _check_experiment_rows(path: Path, metrics: pd.DataFrame, records: list[dict]) -> None:
    """metrics.parquet against manifest.jsonl. The experiment store records no checksums,
    only each finished task's row count; every task in the table must be recorded as
    finished with as many rows, so a table from another experiment is refused."""
    if "task" not in metrics or not records:
        return
    recorded = {
        str(record.get("task")): record.get("rows")
        for record in records
        if record.get("status") == "ok"
    }
    keys = [column for column in ("variant", "replicate", "task") if column in metrics]
    for key, rows in metrics.groupby(keys, sort=False).size().items():
        task = key[-1] if isinstance(key, tuple) else key
        if recorded.get(str(task)) != rows:
            raise ReportInputError(
                f"{path}: metrics.parquet does not match manifest.jsonl (task {task} has "
                f"{rows} rows, the manifest records {recorded.get(str(task), 'no finished run')}"
                "); rerun `edusim experiment` with the same --out to rebuild it"
            )


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
