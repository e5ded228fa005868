"""The files of a calibration folder: trials table, fit, profile, best scenario, summary.

Pure functions of the search's records (`experiment.calibrate`), written atomically
with the experiment store's `write_text`. `best.yaml` extends the input scenario with
the best values only; a value inside a list (`city.districts[Xihu].towns`) carries the
whole list, because `extends:` replaces lists rather than merging them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from edusim.experiment.fit import fit_table, profile_table
from edusim.experiment.store import write_text
from edusim.results import markdown_table
from edusim.scenario.loader import load_scenario, split_path
from edusim.scenario.schema import Scenario
from edusim.scenario.targets import Targets


def nested_override(best: Scenario, names: Sequence[str]) -> dict[str, Any]:
    """The smallest mapping that, merged by `extends:`, sets every `names` path to its
    value in `best`; a path through a list carries the whole list (lists are replaced)."""
    resolved = best.model_dump(mode="json")
    override: dict[str, Any] = {}
    for name in names:
        segments = split_path(name)
        source, target = resolved, override
        for position, segment in enumerate(segments):
            last = position == len(segments) - 1
            value = source[segment]
            if last or isinstance(value, list):
                target[segment] = value
                break
            target = target.setdefault(segment, {})
            source = value
    return override


def best_scenario_text(
    scenario_path: Path,
    out: Path,
    best: Scenario,
    names: Sequence[str],
    header: Sequence[str],
) -> str:
    """best.yaml: a header saying what was fitted and how well, `extends:` the input
    (relative to the folder when possible) and the calibrated values."""
    try:
        parent = os.path.relpath(scenario_path.resolve(), out.resolve())
    except ValueError:  # another drive (Windows)
        parent = str(scenario_path.resolve())
    body = {
        "extends": parent,
        "name": f"{best.name}-calibrated",
        **nested_override(best, names),
    }
    lines = [f"# {line}" if line else "#" for line in header]
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
    return "\n".join(lines) + "\n" + text


def trials_table(
    records: list[dict[str, Any]], names: Sequence[str], targets: Targets
) -> pd.DataFrame:
    """One row per trial, in trial order: batch, state, loss, values, model means, error."""
    columns = [
        "trial",
        "batch",
        "state",
        "loss",
        *names,
        *(f"model: {target.label}" for target in targets.items),
        "error",
    ]
    return pd.DataFrame(records, columns=columns).sort_values("trial").reset_index(drop=True)


def summary_markdown(
    settings: dict[str, Any],
    trials: pd.DataFrame,
    fit: pd.DataFrame,
    profile: pd.DataFrame,
    best_loss: float,
    wall_seconds: float,
    ran: int,
    reused: int,
) -> str:
    done = int((trials["state"] == "COMPLETE").sum())
    lines = [
        "# Calibration",
        "",
        f"Scenario `{settings['scenario']}`, targets `{settings['targets']}`.",
        f"{len(trials)} trials ({done} finished) in batches of {settings['batch']}, "
        f"{settings['replications']} paired replications each, {settings['years']} years per "
        f"run, sampler seed {settings['seed']} (TPE after {settings['startup']} random trials).",
        f"This session: {ran} runs done, {reused} reused, {wall_seconds:.1f} s wall time.",
        "",
        f"Best loss {best_loss:.3f} over {len(fit)} targets (sum of weight x z^2; z is the "
        "distance in units of the observation's SD combined with the Monte Carlo error of "
        "the model mean).",
        "",
        "## Fit per target (best trial)",
        "",
        markdown_table(
            fit[["target", "observed", "sd", "model_mean", "band_low", "band_high", "z"]]
        ),
        "",
        "## Profile per parameter",
        "",
        "Good trials: loss within 3.84 (chi-square(1) 95%) of the best.",
        "",
        markdown_table(profile),
        "",
    ]
    return "\n".join(lines)


def header_lines(
    input_name: str,
    fit: pd.DataFrame,
    profile: pd.DataFrame,
    best_loss: float,
    trial_count: int,
    settings: dict,
) -> list[str]:
    lines = [
        f"Calibrated from '{input_name}' by `edusim calibrate`: {trial_count} trials x "
        f"{settings['replications']} replications of {settings['years']} years, seed "
        f"{settings['seed']}.",
        f"Targets: {settings['targets']}",
        f"Best loss {best_loss:.3f} (sum of weight x z^2 over {len(fit)} targets). Fit:",
    ]
    for row in fit.itertuples(index=False):
        lines.append(
            f"  {row.target}: observed {row.observed:.4g} (sd {row.sd:.3g}), model "
            f"{row.model_mean:.4g} [{row.band_low:.4g}, {row.band_high:.4g}], z {row.z:+.2f}"
        )
    lines.append("Profile (good trials: loss within 3.84 of the best):")
    for row in profile.itertuples(index=False):
        lines.append(
            f"  {row.parameter}: best {row.best:.4g}, good {row.good_low:.4g} to "
            f"{row.good_high:.4g} of {row.low:g} to {row.high:g} ({row.verdict})"
        )
    return lines


def write_outputs(
    root: Path,
    base: Scenario,
    goal: Targets,
    ranges: Mapping[str, tuple[float, float]],
    settings: dict[str, Any],
    table: pd.DataFrame,
    trial_values: Mapping[int, Mapping[str, np.ndarray]],
    session: tuple[int, int, float],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float], float]:
    """Write trials.csv, fit.csv, profile.csv, best.yaml and summary.md (each atomically)
    from a trials table with at least one finished trial; return the fit, the profile,
    the best values and the best loss. `session` is (runs done, runs reused, wall s)."""
    complete = table[table["state"] == "COMPLETE"]
    best_row = complete.loc[complete["loss"].idxmin()]
    best_number = int(best_row["trial"])
    best = {name: float(best_row[name]) for name in ranges}
    best_loss = float(best_row["loss"])
    fit = fit_table(trial_values[best_number], goal.items)
    profile = profile_table(table, ranges)
    ran, reused, wall = session
    number_format = "%.10g"
    write_text(root / "trials.csv", table.to_csv(index=False, float_format=number_format))
    write_text(root / "fit.csv", fit.to_csv(index=False, float_format=number_format))
    write_text(root / "profile.csv", profile.to_csv(index=False, float_format=number_format))
    best_scenario = load_scenario(base, best)
    header = header_lines(base.name, fit, profile, best_loss, len(table), settings)
    text = best_scenario_text(Path(settings["scenario"]), root, best_scenario, list(ranges), header)
    write_text(root / "best.yaml", text)
    summary = summary_markdown(settings, table, fit, profile, best_loss, wall, ran, reused)
    write_text(root / "summary.md", summary)
    return fit, profile, best, best_loss
