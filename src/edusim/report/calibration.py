"""The report of a calibration folder: fit per target, traces, pairs of good trials, and
the fit and profile tables, as report.md and a self-contained report.html.

It reads the tables `edusim calibrate` wrote (fit.csv, trials.csv, profile.csv,
calibration.yaml) and never the runs, so it needs no Optuna. Like the other reports,
everything is written to a staging folder first and moved into place at the end.
"""

from __future__ import annotations

import html
import shutil
import time
from pathlib import Path

import pandas as pd
import yaml

from edusim.plots import calibration as figures
from edusim.report.figure_sections import html_figures, markdown_figures
from edusim.report.render import FigureSpec
from edusim.report.sources import ReportInputError
from edusim.report.tables import html_table, latex_table, markdown_table

# The report of a run or experiment imports this module only to ask `is_calibration`;
# edusim.experiment.fit (the scenario loader and its schema: about 0.2 CPU-s) is imported
# by the functions that write a calibration report.

TABLES = ("fit.csv", "trials.csv", "profile.csv")
FIT_COLUMNS = ["target", "observed", "sd", "model_mean", "band_low", "band_high", "z"]


def is_calibration(path: Path) -> bool:
    """Whether `path` is a calibration folder (it has calibration.yaml)."""
    return (path / "calibration.yaml").is_file()


def _read(path: Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    missing = [name for name in TABLES if not (path / name).is_file()]
    if missing:
        raise ReportInputError(
            f"{path}: calibration folder without {', '.join(missing)} (the calibration has "
            "not finished; rerun the same `edusim calibrate` command to finish it)"
        )
    try:
        settings = yaml.safe_load((path / "calibration.yaml").read_text(encoding="utf-8"))
        tables = {name.removesuffix(".csv"): pd.read_csv(path / name) for name in TABLES}
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ReportInputError(f"{path}: cannot read the calibration tables ({error})") from None
    return settings, tables


def _specs(tables: dict[str, pd.DataFrame], parameters: list[str]) -> list[FigureSpec]:
    from edusim.experiment.fit import PROFILE_DELTA

    fit, trials = tables["fit"], tables["trials"]
    return [
        FigureSpec(
            "calibration_fit",
            lambda: fit,
            lambda data, lang: figures.fit_per_target(data, lang=lang),
            lambda data, lang: (
                "Each target: the observation with its 95% interval (black) and the best "
                "trial's model mean with the 95% band of its replications (blue); z is the "
                "distance in units of the combined uncertainty."
            ),
        ),
        FigureSpec(
            "calibration_traces",
            lambda: figures.trace_table(trials, parameters),
            lambda data, lang: figures.traces(data, parameters, lang=lang),
            lambda data, lang: (
                f"Loss of each of {len(data)} finished trials with the best so far (top), and "
                "each parameter's value by trial, the best trial in red."
            ),
        ),
        FigureSpec(
            "calibration_pairs",
            lambda: figures.pairs_table(trials, parameters, PROFILE_DELTA),
            lambda data, lang: figures.good_trial_pairs(data, parameters, lang=lang),
            lambda data, lang: (
                f"Pairs of parameters: {int(data['good'].sum())} good trials (loss within "
                f"{PROFILE_DELTA:.2f} of the best) coloured by loss, the other "
                f"{int((~data['good']).sum())} grey; diagonal: values of good trials."
            ),
        ),
    ]


def build_calibration_report(
    path: Path, *, lang: str = "en", formats: tuple[str, ...] = ("png",), workers: int = 1
):
    """Write figures, tables, report.md and report.html into a calibration folder."""
    from edusim.report.build import (
        _move_into_place,
        finished_report,
        open_staging,
        rendered,
        report_names,
    )

    started = time.perf_counter()
    settings, tables = _read(path)
    parameters = list((settings or {}).get("parameters", {}))
    suffix = "" if lang == "en" else f"-{lang}"
    staging, figures_dir, tables_dir = open_staging(path, suffix)
    try:
        skipped: dict[str, str] = {}
        entries = rendered(_specs(tables, parameters), figures_dir, lang, formats, workers, skipped)
        shown = {"fit": tables["fit"][FIT_COLUMNS], "profile": tables["profile"]}
        for name, frame in shown.items():
            frame.to_csv(tables_dir / f"{name}.csv", index=False, float_format="%.10g")
            (tables_dir / f"{name}.tex").write_text(
                latex_table(frame, caption=f"calibration: {name}", label=f"tab:calibration-{name}"),
                encoding="utf-8",
            )
        (staging / f"report{suffix}.md").write_text(
            _markdown(settings, shown, entries, skipped, suffix), encoding="utf-8"
        )
        (staging / f"report{suffix}.html").write_text(
            _html(settings, shown, entries, skipped), encoding="utf-8"
        )
        _move_into_place(staging, path, report_names(suffix))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return finished_report(path, lang, suffix, entries, skipped, started)


def _intro(settings: dict) -> str:
    from edusim.experiment.fit import PROFILE_DELTA

    return (
        f"Scenario {settings.get('scenario')}, targets {settings.get('targets')}; "
        f"{settings.get('trials')} trials of {settings.get('replications')} paired "
        f"replications ({settings.get('years')} years each), batches of "
        f"{settings.get('batch')}, seed {settings.get('seed')}. Good trials: loss within "
        f"{PROFILE_DELTA:.2f} (chi-square(1) 95%) of the best."
    )


def _markdown(settings, shown, entries, skipped, suffix) -> str:
    lines = ["# Calibration report", "", _intro(settings), ""]
    lines += ["## Fit per target (best trial)", "", markdown_table(shown["fit"]), ""]
    lines += ["## Profile per parameter", "", markdown_table(shown["profile"]), ""]
    lines += markdown_figures(entries, skipped, suffix)
    return "\n".join(lines) + "\n"


def _html(settings, shown, entries, skipped) -> str:
    from edusim.report.document import CSS

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f"<head><meta charset='utf-8'><title>Calibration report</title><style>{CSS}</style></head>",
        "<body>",
        "<h1>Calibration report</h1>",
        f"<p>{html.escape(_intro(settings))}</p>",
        "<h2>Fit per target (best trial)</h2>",
        html_table(shown["fit"]),
        "<h2>Profile per parameter</h2>",
        html_table(shown["profile"]),
    ]
    parts += html_figures(entries, skipped)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
