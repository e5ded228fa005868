"""Running a scenario and writing its results: tidy tables, resolved scenario, manifest.

A run directory is claimed and locked first (output_dir.py: missing or empty folders
only), then every file is written into a hidden staging folder inside it and moved into
place at the end, manifest.json last, so a crashed or interrupted run never leaves a
directory that looks finished. Each table is itself written to a temporary file and
renamed.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from edusim import __version__
from edusim.checksum import file_sha256
from edusim.counterfactual import effect_headline, effect_table
from edusim.forking import die_with_parent, fork_is_safe
from edusim.headline import headline_table
from edusim.log import LOGGER
from edusim.model import SCENARIO_SEED, EduModel
from edusim.output_dir import (
    OutputFolderError,
    claim_output,
    remove_abandoned_runs,
    safe_component,
)
from edusim.provenance import provenance
from edusim.scenario.counterfactual import counterfactual_of
from edusim.scenario.loader import scenario_to_yaml
from edusim.scenario.schema import Scenario

TABLE_NAMES: tuple[str, ...] = (
    "metrics",
    "schools",
    "memberships",
    "events",
    "balance",
    "city",
)
OPTIONAL_TABLES: tuple[str, ...] = ("boundaries",)
"""Tables a run writes only when it has them (boundaries: a city on the real map)."""
FORMATS: tuple[str, ...] = ("parquet", "csv")
RECORDED_PACKAGES: tuple[str, ...] = (
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "simpy",
    "pydantic",
    "pyarrow",
    "PyYAML",
)


@dataclass
class RunResult:
    """The outcome of one run: tidy tables and what is needed to reproduce them."""

    scenario: Scenario
    seed: int
    tables: dict[str, pd.DataFrame]
    wall_seconds: float
    overrides: dict[str, Any] = field(default_factory=dict)

    def headline(self) -> pd.DataFrame:
        """Each metric at the first and last recorded year, with its unit and direction."""
        return headline_table(self.tables["metrics"])


OutputExistsError = OutputFolderError
"""The output folder may not be written (kept under its earlier name)."""


def run_scenario(
    scenario: str | Path | Scenario | Mapping[str, Any],
    seed: int | None = None,
    *,
    years: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    replicate: int = 0,
    progress: bool = False,
) -> RunResult:
    """Build and run a scenario; return its tables (nothing is written)."""
    started = time.perf_counter()
    model = EduModel(
        scenario,
        SCENARIO_SEED if seed is None else seed,  # None: the scenario file's seed, as on the CLI
        years=years,
        overrides=overrides,
        replicate=replicate,
    )
    bar = tqdm(
        total=model.resolved_scenario.years,
        desc=model.resolved_scenario.name,
        unit="year",
        disable=not progress,
        file=sys.stderr,
        leave=False,
    )
    try:
        with bar:
            while model.running:
                model.step()
                bar.update(1)
        model.finish()
    finally:
        model.release()  # a failed run must not stay in Mesa's registry either
    settings = {**(overrides or {}), **({"years": years} if years is not None else {})}
    LOGGER.info(
        "%s, seed %d: %d school years in %.1f s",
        model.resolved_scenario.name,
        model.seed,
        model.steps,
        time.perf_counter() - started,
    )
    return RunResult(
        model.resolved_scenario, model.seed, model.tables(), time.perf_counter() - started, settings
    )


def run_counterfactual(result: RunResult, *, progress: bool = False) -> RunResult:
    """Run the counterfactual of a run's scenario (see scenario/counterfactual.py) with the
    same seed and replicate, so both share the city and every random stream."""
    scenario = counterfactual_of(result.scenario)
    replicate = int(result.tables["metrics"]["replicate"].iloc[0])
    return run_scenario(scenario, result.seed, replicate=replicate, progress=progress)


def run_with_counterfactual(
    scenario: Scenario, *, progress: bool = False, side_by_side: bool = True
) -> tuple[RunResult, RunResult]:
    """A scenario's run and its counterfactual's (`run_counterfactual`): the same seed and
    replicate, so the same tables whichever way they run. With `side_by_side` (and more
    than one core, and a process that may fork) the counterfactual runs in a forked
    process while this one runs the reform, so the pair takes about the time of one
    run on two cores, at the memory of two models; otherwise one after the other here.
    Only the reform shows its progress bar. If either run fails, or this one is
    interrupted, the other is stopped and the error raised here."""
    if not (side_by_side and (os.cpu_count() or 1) > 1 and fork_is_safe()):
        result = run_scenario(scenario, progress=progress)
        return result, run_counterfactual(result, progress=progress)
    fork = multiprocessing.get_context("fork")
    receiving, sending = fork.Pipe(duplex=False)
    child = fork.Process(
        target=_counterfactual_in_child,
        args=(sending, os.getpid(), counterfactual_of(scenario), scenario.seed),
        name="edusim-counterfactual",
    )
    child.start()
    sending.close()  # the child holds the sending end; a dead child then ends recv()
    try:
        result = run_scenario(scenario, progress=progress)
        try:
            outcome, value = receiving.recv()
        except EOFError:
            child.join()
            raise RuntimeError(
                f"the counterfactual's process ended without a result (exit code "
                f"{child.exitcode}; a process killed for lack of memory ends so)"
            ) from None
        if outcome == "error":
            raise value
        return result, value
    finally:
        receiving.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _counterfactual_in_child(
    sending: Any, parent: int, counterfactual: Scenario, seed: int
) -> None:
    """The forked half of `run_with_counterfactual`: run the counterfactual (replicate 0,
    as `run_scenario` numbers the reform) and send back the result or the error."""
    die_with_parent(parent)
    try:
        sending.send(("ok", run_scenario(counterfactual, seed, replicate=0)))
    except BaseException as error:  # any failure, interruptions too, goes back to the parent
        sending.send(("error", error))
    finally:
        sending.close()


def default_run_dir(root: Path, scenario_name: str, seed: int) -> Path:
    """results/<scenario>/<UTC timestamp>-seed<seed>, unique per run. The scenario's name
    is made one safe path component (see output_dir.safe_component)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    base = root / safe_component(scenario_name, "name") / f"{stamp}-seed{seed}"
    candidate, counter = base, 1
    while candidate.exists():
        counter += 1
        candidate = base.with_name(f"{base.name}-{counter}")
    return candidate


def write_table(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    """Write one table atomically (temporary name, then rename); returns the final path."""
    final = path.with_suffix(f".{fmt}")
    temporary = final.with_name(f".{final.name}.tmp")
    if fmt == "parquet":
        frame.to_parquet(temporary, index=False)
    elif fmt == "csv":
        frame.to_csv(temporary, index=False, float_format="%.10g")
    else:
        raise ValueError(f"unknown format '{fmt}', expected one of {FORMATS}")
    os.replace(temporary, final)
    return final


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape results."""
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table of a small DataFrame (numbers to four significant digits)."""
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = [
        "| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def summary_markdown(result: RunResult, counterfactual: RunResult | None = None) -> str:
    """A short human summary: the headline metrics at the first and last year and, with a
    counterfactual, the reform's effect in the final year."""
    headline = result.headline()
    lines = [
        f"# {result.scenario.name}: seed {result.seed}",
        "",
        result.scenario.description or "",
        "",
        f"{result.scenario.years} school years from {result.scenario.start_year}; "
        f"wall time {result.wall_seconds:.1f} s.",
        "",
        markdown_table(headline),
        "",
    ]
    if counterfactual is not None:
        effect = effect_table(result.tables["metrics"], counterfactual.tables["metrics"])
        final_year = int(effect["year"].max())
        lines += [
            f"## Effect of the reform in {final_year} (reform - counterfactual, seed {result.seed})",
            "",
            f"Counterfactual '{counterfactual.scenario.name}': "
            f"{counterfactual.scenario.description.rstrip('.')}. Same city, families and "
            "random streams; "
            f"wall time {counterfactual.wall_seconds:.1f} s.",
            "",
            markdown_table(effect_headline(effect)),
            "",
        ]
    return "\n".join(lines)


def write_run(
    result: RunResult,
    out_dir: Path,
    fmt: str = "parquet",
    command: Sequence[str] = (),
    counterfactual: RunResult | None = None,
) -> Path:
    """Write a run's directory and return its path.

    The folder must be missing, empty or left by a killed run (output_dir.claim_output);
    it is locked while written. Files go to a staging folder inside it first and are moved
    into place at the end, manifest.json last.

    With a `counterfactual` run (same seed), its tables and resolved scenario go to
    `counterfactual/` and the paired differences to the `effect` table."""
    out_dir = Path(out_dir)
    with claim_output(out_dir, "run", result.scenario.name):
        remove_abandoned_runs(out_dir.parent)
        staging = out_dir / f".run.partial-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            _write_files(result, staging, fmt, command, counterfactual)
            _move_into_place(staging, out_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return out_dir


def _move_into_place(staging: Path, out_dir: Path) -> None:
    """Move every file of `staging` into `out_dir`, manifest.json last, so a folder with
    a manifest is complete. The folder is written in place (never renamed), so an empty
    mount point works; a failure takes back what was moved."""
    entries = sorted(staging.iterdir(), key=lambda entry: entry.name == "manifest.json")
    moved: list[Path] = []
    try:
        for entry in entries:
            target = out_dir / entry.name
            os.replace(entry, target)
            moved.append(target)
        staging.rmdir()
    except BaseException:
        for target in reversed(moved):
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
        raise


def _plain(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides as JSON can hold them (anything else as its text)."""
    return json.loads(json.dumps(dict(overrides), default=str))


def _write_files(
    result: RunResult,
    staging: Path,
    fmt: str,
    command: Sequence[str],
    counterfactual: RunResult | None,
) -> None:
    """Every file of a run directory, written into `staging`, the manifest last."""
    files = {name: write_table(result.tables[name], staging / name, fmt) for name in TABLE_NAMES}
    for name in OPTIONAL_TABLES:
        if name in result.tables:
            files[name] = write_table(result.tables[name], staging / name, fmt)
    (staging / "scenario.resolved.yaml").write_text(
        scenario_to_yaml(result.scenario), encoding="utf-8"
    )
    (staging / "summary.md").write_text(summary_markdown(result, counterfactual), encoding="utf-8")
    tables = dict(result.tables)
    if counterfactual is not None:
        tables["effect"] = effect_table(result.tables["metrics"], counterfactual.tables["metrics"])
        files["effect"] = write_table(tables["effect"], staging / "effect", fmt)
        (staging / "counterfactual").mkdir()
        for name in TABLE_NAMES + tuple(n for n in OPTIONAL_TABLES if n in counterfactual.tables):
            key = f"counterfactual/{name}"
            tables[key] = counterfactual.tables[name]
            files[key] = write_table(tables[key], staging / key, fmt)
        (staging / "counterfactual" / "scenario.resolved.yaml").write_text(
            scenario_to_yaml(counterfactual.scenario), encoding="utf-8"
        )
        (staging / "counterfactual" / "summary.md").write_text(
            summary_markdown(counterfactual), encoding="utf-8"
        )
    manifest = {
        "edusim_version": __version__,
        "code": provenance(),
        "scenario": result.scenario.name,
        "seed": result.seed,
        "years": result.scenario.years,
        "start_year": result.scenario.start_year,
        "format": fmt,
        "wall_seconds": round(result.wall_seconds, 3),
        "command": list(command),
        "overrides": _plain(result.overrides),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
        "tables": {
            name: {
                "file": path.relative_to(staging).as_posix(),
                "rows": len(tables[name]),
                "sha256": file_sha256(path),
            }
            for name, path in files.items()
        },
        "complete": True,
    }
    if counterfactual is not None:
        manifest["counterfactual"] = {
            "scenario": counterfactual.scenario.name,
            "description": counterfactual.scenario.description,
            "seed": counterfactual.seed,
            "wall_seconds": round(counterfactual.wall_seconds, 3),
        }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
