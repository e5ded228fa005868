"""Running a province: every city a shard, written as it finishes, then the province table.

The output folder (claimed as a `province` folder, so a rerun with the same `--out`
resumes it) holds:

    cities/<city>/     one complete run folder per city (results.write_run: staged, its
                       manifest.json last), written by this process as the city finishes
    province.parquet   the province metrics (province/aggregate.py), from the stored
                       city tables
    province.resolved.yaml, summary.md
    manifest.json      written last: the folder is a finished province run once it exists

A city folder with a manifest whose seed and resolved scenario are this city's is kept
and not run again (resume); one without a manifest (a killed shard) is rewritten; one
holding another scenario or seed is refused, never overwritten. If any city fails, the
finished ones stay, no province table is written, and the error names the cities.
Results never depend on the executor or the number of workers: each city's tables are a
pure function of its scenario and its seed (`shards.shard_seed`), and the province
table is computed from the stored tables in the file's order of cities.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from edusim import __version__
from edusim.checksum import file_sha256
from edusim.output_dir import OutputFolderError, claim_output, safe_component
from edusim.provenance import model_hash, provenance
from edusim.province.aggregate import province_metrics
from edusim.province.shards import ShardOutcome, ShardTask, lost_shard, run_shard, shard_seed
from edusim.results import markdown_table, write_run, write_table
from edusim.scenario.loader import scenario_to_yaml
from edusim.scenario.province_loader import LoadedProvince
from edusim.scenario.schema import Scenario

CITIES = "cities"
PROVINCE_TABLE = "province"
SUMMARY_METRICS: tuple[str, ...] = (
    "pupils",
    "mean_achievement",
    "achievement_quartile_gap",
    "urban_rural_gap",
    "quality_sd",
    "ses_dissimilarity",
    "premium_mean_cny",
)
"""The metrics the summary shows for the final year (all are in the province table)."""


class ProvinceShardsFailed(RuntimeError):
    """Some cities failed; the finished ones are kept and a rerun resumes."""


@dataclass
class ProvinceRun:
    """A finished province run: its folder, table and what each shard cost."""

    path: Path
    table: pd.DataFrame
    shards: list[dict[str, Any]] = field(default_factory=list)


def shard_folder(out_dir: Path, city: str) -> Path:
    """Where a city's run folder goes inside the province folder."""
    return out_dir / CITIES / safe_component(city, "cities[].name")


def _finished_shard(folder: Path, scenario: Scenario, seed: int, fmt: str) -> bool:
    """Whether `folder` holds this city's finished run (kept on resume). A folder that
    holds another finished run is refused (never overwritten)."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return False
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    resolved = (folder / "scenario.resolved.yaml").read_text(encoding="utf-8")
    if recorded.get("seed") == seed and resolved == scenario_to_yaml(scenario):
        if recorded.get("format") != fmt:
            raise OutputFolderError(
                f"{folder} holds the city in {recorded.get('format')}, not {fmt}; "
                f"rerun with --format {recorded.get('format')} or choose another --out"
            )
        return True
    raise OutputFolderError(
        f"{folder} holds a finished run of another scenario or seed than this province's "
        f"city '{scenario.name}' (seed {seed}); choose another --out"
    )


def _read_table(folder: Path, name: str, fmt: str) -> pd.DataFrame:
    path = folder / f"{name}.{fmt}"
    return pd.read_parquet(path) if fmt == "parquet" else pd.read_csv(path)


def _shard_row(scenario: Scenario, seed: int, outcome: ShardOutcome | None) -> dict[str, Any]:
    districts = scenario.city.districts
    return {
        "city": scenario.name,
        "seed": seed,
        "pupils": sum(d.pupils.primary + d.pupils.junior for d in districts),
        "schools": sum(d.schools.primary + d.schools.junior for d in districts),
        "years": scenario.years,
        "resumed": outcome is None,
        "cpu_seconds": None if outcome is None else round(outcome.cpu_seconds, 3),
        "wall_seconds": None if outcome is None else round(outcome.wall_seconds, 3),
        "worker_peak_rss_mib": None if outcome is None else round(outcome.peak_rss_mib, 1),
    }


def _summary(province: LoadedProvince, table: pd.DataFrame, shards: list[dict]) -> str:
    final = table[table["year"] == table["year"].max()]
    shown = final[final["metric"].isin(SUMMARY_METRICS)]
    columns = ["metric", "unit", "aggregate", "value", "min", "max", "range", "sd_between"]
    cities = pd.DataFrame(shards)[["city", "seed", "pupils", "schools", "resumed"]]
    return "\n".join(
        [
            f"# {province.name}: province seed {province.spec.seed}",
            "",
            province.spec.description,
            "",
            f"{len(shards)} cities, scale {province.scale:g}; each city's tables are in "
            f"{CITIES}/<city>/.",
            "",
            markdown_table(cities),
            "",
            f"## The province in {int(final['year'].max())} (from the cities' tables)",
            "",
            markdown_table(shown[columns]),
            "",
        ]
    )


def _write_province(
    out_dir: Path,
    province: LoadedProvince,
    table: pd.DataFrame,
    shards: list[dict[str, Any]],
    fmt: str,
    command: Sequence[str],
) -> None:
    """The province's own files, staged and moved into place, manifest.json last."""
    staging = out_dir / f".province.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        path = write_table(table, staging / PROVINCE_TABLE, fmt)
        spec = province.spec.model_dump(mode="json")
        (staging / "province.resolved.yaml").write_text(
            yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
        )
        (staging / "summary.md").write_text(_summary(province, table, shards), encoding="utf-8")
        city_tables = {
            f"{CITIES}/{row['city']}/metrics": file_sha256(
                shard_folder(out_dir, row["city"]) / f"metrics.{fmt}"
            )
            for row in shards
        }
        manifest = {
            "edusim_version": __version__,
            "code": provenance(),
            "province": province.name,
            "seed": province.spec.seed,
            "scale": province.scale,
            "format": fmt,
            "command": list(command),
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "shards": shards,
            "city_metrics_sha256": city_tables,
            "tables": {
                PROVINCE_TABLE: {
                    "file": path.name,
                    "rows": len(table),
                    "sha256": file_sha256(path),
                }
            },
            "complete": True,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        entries = sorted(staging.iterdir(), key=lambda entry: entry.name == "manifest.json")
        for entry in entries:
            os.replace(entry, out_dir / entry.name)
        staging.rmdir()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def run_province(
    province: LoadedProvince,
    out_dir: Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    dask_wait: float = 60.0,
    fmt: str = "parquet",
    command: Sequence[str] = (),
    say: Callable[[str], None] | None = None,
) -> ProvinceRun:
    """Run every city not yet finished in `out_dir`, write each as it finishes, then the
    province table and manifest. Raises ProvinceShardsFailed if a city failed (the
    finished ones are kept) and OutputFolderError for a folder that is not this province's."""
    from edusim.experiment.executor import outcomes

    out_dir = Path(out_dir)
    tell = say or (lambda _text: None)
    if (out_dir / "manifest.json").is_file():
        raise OutputFolderError(
            f"output folder {out_dir} already holds a finished province run; choose another --out"
        )
    with claim_output(out_dir, "province", province.name, resume=True):
        seeds = {c.name: shard_seed(province.spec.seed, c.name) for c in province.cities}
        pending = [
            city
            for city in province.cities
            if not _finished_shard(shard_folder(out_dir, city.name), city, seeds[city.name], fmt)
        ]
        kept = len(province.cities) - len(pending)
        if kept:
            tell(f"{kept} of {len(province.cities)} cities already finished in {out_dir}: kept")
        code = model_hash()
        tasks = [ShardTask(c.name, c, seeds[c.name], code) for c in pending]
        finished: dict[str, ShardOutcome] = {}
        failures: list[ShardOutcome] = []
        for outcome in outcomes(
            tasks,
            workers=workers,
            dask=dask,
            dask_wait=dask_wait,
            say=tell,
            run=run_shard,
            lost=lost_shard,
            in_flight=1,
        ):
            if not outcome.ok or outcome.result is None:
                failures.append(outcome)
                tell(f"{outcome.city}: FAILED")
                continue
            folder = shard_folder(out_dir, outcome.city)
            folder.parent.mkdir(parents=True, exist_ok=True)
            write_run(outcome.result, folder, fmt, command)
            finished[outcome.city] = outcome
            tell(
                f"{outcome.city}: {outcome.cpu_seconds:.1f} CPU-s, worker peak "
                f"{outcome.peak_rss_mib:.0f} MiB, written to {folder}"
            )
        if failures:
            names = ", ".join(f.city for f in failures)
            last = (failures[0].error or "").strip().splitlines()[-1:]
            raise ProvinceShardsFailed(
                f"{len(failures)} of {len(province.cities)} cities failed ({names}; first: "
                f"{last[0] if last else 'unknown'}); the {len(finished) + kept} finished are "
                f"kept in {out_dir}: rerun with --out {out_dir} to resume"
            )
        shards = [_shard_row(c, seeds[c.name], finished.get(c.name)) for c in province.cities]
        city_metrics = {
            c.name: _read_table(shard_folder(out_dir, c.name), "metrics", fmt)
            for c in province.cities
        }
        table = province_metrics(city_metrics)
        _write_province(out_dir, province, table, shards, fmt, command)
    return ProvinceRun(out_dir, table, shards)
