"""Building a report: which figures a results folder supports, their data, captions and
files, the tables, then report.md and report.html.

Layout written into the results folder (`-zh` suffixes for `lang="zh"`, so both can sit
side by side):

    figures/<name>.png|pdf|svg   the figure (PNG at 300 dpi)
    figures/<name>.csv           the data drawn (or <name>-<layer>.csv for the map)
    figures/<name>.caption.txt   the caption
    tables/headline.csv|tex      the headline table (LaTeX booktabs), effect.* for a
                                 counterfactual run
    report.md, report.html       the report (HTML self-contained: images embedded)

Everything is first written to a hidden staging folder and moved into place at the end,
so a failed report leaves the previous one (if any) as it was.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from edusim import plots
from edusim.output_dir import remove_dead_partials
from edusim.plots.flows import busiest_posting_year
from edusim.plots.labels import check_lang
from edusim.report import captions
from edusim.report.render import FigureEntry, FigureSpec, render_all
from edusim.report.sources import ExperimentSource, ReportInputError, RunSource, load_results
from edusim.report.tables import (
    experiment_headline,
    latex_table,
    run_headline,
)

KEY_METRICS: tuple[str, ...] = (
    "quality_quartile_gap",
    "achievement_quartile_gap",
    "ses_gap",
    "within_group_gap",
    "backbone_in_weak_share",
    "high_quality_share",
    "movers_share",
    "premium_top_decile_cny",
    "balanced_share",
)
"""The metrics of a run's small multiples (those with values), in this order."""
FOCAL_METRIC = "quality_quartile_gap"
MAX_PANELS = 12
MAX_ARMS = 8
"""Designs with more arms than this are drawn as one pooled series."""

DEFAULT_FORMATS: tuple[str, ...] = ("png",)
"""Figure files a report writes unless asked for more (`plots.style.FORMATS` lists every
format): PNG at 300 dpi is what report.md and report.html show; PDF and SVG, for print
and editing, are written on request (`edusim report --formats png,pdf,svg`)."""


@dataclass
class Report:
    """What `build_report` wrote."""

    folder: Path
    lang: str
    markdown: Path
    html: Path
    figures: list[FigureEntry]
    tables: list[Path]
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def _finite_metrics(metrics: pd.DataFrame, names: list[str]) -> list[str]:
    finite = metrics.dropna(subset=["value"]).groupby("metric").size()
    return [name for name in names if finite.get(name, 0) > 0]


def run_figures(
    source: RunSource, year: int | None = None
) -> tuple[list[FigureSpec], dict[str, str]]:
    """The figures a run supports, and why the others are left out."""
    tables = source.tables
    metrics = tables["metrics"]
    provenance = captions.Provenance("run", source.name, 1, tuple(source.seeds))
    specs: list[FigureSpec] = []
    skipped: dict[str, str] = {}
    names = _finite_metrics(metrics, list(KEY_METRICS))
    focal = (
        FOCAL_METRIC if FOCAL_METRIC in names else (names or list(pd.unique(metrics["metric"])))[0]
    )
    specs.append(
        FigureSpec(
            "trajectory",
            lambda: plots.trajectory_table(metrics, [focal]),
            lambda data, lang: plots.trajectories(data, lang=lang),
            lambda data, lang: captions.trajectory_caption(data, provenance, lang),
        )
    )
    if names:
        specs.append(
            FigureSpec(
                "small_multiples",
                lambda: plots.trajectory_table(metrics, names),
                lambda data, lang: plots.small_multiples(data, lang=lang),
                lambda data, lang: captions.small_multiples_caption(data, provenance, lang),
            )
        )
    if "effect" in tables:
        effect_names = _finite_metrics(
            tables["effect"].rename(columns={"difference": "value"}), list(KEY_METRICS)
        )
        specs.append(
            FigureSpec(
                "effect",
                lambda: plots.effect_table(tables["effect"], effect_names or None),
                lambda data, lang: plots.paired_differences(data, lang=lang),
                lambda data, lang: captions.difference_caption(data, provenance, lang),
            )
        )
    else:
        skipped["effect"] = "no effect table (run `edusim run --counterfactual` to get one)"
    if "schools" in tables:
        schools = tables["schools"]
        specs.append(
            FigureSpec(
                "quality_distribution",
                lambda: plots.quality_distribution_table(schools),
                lambda data, lang: plots.quality_distribution(data, lang=lang),
                lambda data, lang: captions.distribution_caption(data, provenance, lang),
            )
        )
        last = schools[schools["year"] == schools["year"].max()]
        if (last["group_id"] >= 0).any():
            specs.append(
                FigureSpec(
                    "group_convergence",
                    lambda: plots.convergence_table(schools, tables.get("memberships")),
                    lambda data, lang: plots.group_convergence(data, lang=lang),
                    lambda data, lang: captions.convergence_caption(
                        data, provenance, lang, every_kind="memberships" in tables
                    ),
                )
            )
        else:
            skipped["group_convergence"] = "no school is in a group in the final year"
        if "city" in tables:
            specs.append(
                FigureSpec(
                    "city_map",
                    lambda: plots.city_map_tables(
                        tables["city"], schools, year, tables.get("boundaries")
                    ),
                    lambda data, lang: plots.city_map(data, lang=lang),
                    lambda data, lang: captions.map_caption(data, provenance, lang),
                )
            )
        else:
            skipped["city_map"] = "no city table (a run written before edusim had one)"
        events = tables.get("events")
        flow_year = None
        if events is not None:
            flow_year = year - 1 if year is not None else busiest_posting_year(events)
        if events is not None and flow_year is not None:
            specs.append(
                FigureSpec(
                    "teacher_flows",
                    lambda: plots.teacher_flow_table(events, schools, flow_year),
                    lambda data, lang: plots.teacher_flows(data, schools, lang=lang),
                    lambda data, lang: captions.flows_caption(data, provenance, lang),
                )
            )
        else:
            skipped["teacher_flows"] = "no teacher postings in the event log"
    else:
        skipped["schools"] = "no schools table: school figures left out"
    return specs, skipped


def experiment_figures(source: ExperimentSource) -> tuple[list[FigureSpec], dict[str, str]]:
    """The figures an experiment supports, and why the others are left out."""
    metrics = source.metrics
    provenance = captions.Provenance(
        "experiment", source.name, source.replications, tuple(source.seeds), source.design
    )
    specs: list[FigureSpec] = []
    skipped: dict[str, str] = {}
    names = _finite_metrics(metrics, source.metric_names)[:MAX_PANELS]
    if not names:
        return specs, {"all": "no metric has a finite value"}
    pool = source.design in ("lhs", "morris", "sobol") or metrics["variant"].nunique() > MAX_ARMS
    specs.append(
        FigureSpec(
            "trajectory",
            lambda: plots.trajectory_table(metrics, names[:1], pool=pool),
            lambda data, lang: plots.trajectories(data, lang=lang),
            lambda data, lang: captions.trajectory_caption(data, provenance, lang),
        )
    )
    specs.append(
        FigureSpec(
            "small_multiples",
            lambda: plots.trajectory_table(metrics, names, pool=pool),
            lambda data, lang: plots.small_multiples(data, lang=lang),
            lambda data, lang: captions.small_multiples_caption(data, provenance, lang),
        )
    )
    baseline = source.baseline
    if baseline is not None and metrics["variant"].nunique() > 1:
        specs.append(
            FigureSpec(
                "paired_differences",
                lambda: plots.difference_table(metrics, baseline, names),
                lambda data, lang: plots.paired_differences(data, lang=lang),
                lambda data, lang: captions.difference_caption(data, provenance, lang),
            )
        )
    elif source.design == "compare":
        skipped["paired_differences"] = "only one arm: nothing to compare with the baseline"
    sensitivity = source.sensitivity
    if sensitivity is not None and not plots.sensitivity_table(sensitivity).empty:
        specs.append(
            FigureSpec(
                "sensitivity",
                lambda: plots.sensitivity_table(sensitivity),
                lambda data, lang: plots.sensitivity_bars(data, lang=lang),
                lambda data, lang: captions.sensitivity_caption(data, provenance, lang),
            )
        )
    elif source.design in ("morris", "sobol"):
        skipped["sensitivity"] = "no finite sensitivity index in sensitivity.csv"
    return specs, skipped


def _tables(
    source: RunSource | ExperimentSource, folder: Path, lang: str
) -> dict[str, pd.DataFrame]:
    """The report's tables, written as CSV and LaTeX into `folder`."""
    shown: dict[str, pd.DataFrame] = {}
    if isinstance(source, RunSource):
        shown["headline"] = run_headline(source.tables["metrics"], lang)
        effect = source.tables.get("effect")
        if effect is not None and not effect.empty:
            last = effect[effect["year"] == effect["year"].max()]
            columns = [
                c for c in ("metric", "unit", "reform", "counterfactual", "difference") if c in last
            ]
            shown["effect"] = last[columns].reset_index(drop=True)
    elif source.summary is not None and source.design in ("compare", "grid"):
        shown["headline"] = experiment_headline(source.summary, lang)
    elif source.sensitivity is not None:
        shown["headline"] = source.sensitivity.copy()
    for name, frame in shown.items():
        frame.to_csv(folder / f"{name}.csv", index=False, float_format="%.10g")
        caption = f"{source.name}: {name} table"
        (folder / f"{name}.tex").write_text(
            latex_table(frame, caption=caption, label=f"tab:{source.name}-{name}"), encoding="utf-8"
        )
    return shown


def _move_into_place(staging: Path, root: Path, names: list[str]) -> None:
    for name in names:
        target, built = root / name, staging / name
        if not built.exists():
            continue
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(built, target)


def open_staging(root: Path, suffix: str) -> tuple[Path, Path, Path]:
    """A fresh staging folder for a report of `root` (dead ones of killed reports removed
    first), with its figures and tables folders: (staging, figures, tables)."""
    remove_dead_partials(root, ("report",))  # left by a report that was killed
    staging = root / f".report{suffix}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    figures_dir, tables_dir = staging / f"figures{suffix}", staging / f"tables{suffix}"
    figures_dir.mkdir(parents=True)
    tables_dir.mkdir()
    return staging, figures_dir, tables_dir


def rendered(
    specs: list[FigureSpec],
    figures_dir: Path,
    lang: str,
    formats: tuple[str, ...],
    workers: int,
    skipped: dict[str, str],
) -> list[FigureEntry]:
    """Render `specs`; the figures drawn, in order (those not drawn go to `skipped`)."""
    entries = []
    for spec, (entry, reason) in zip(
        specs, render_all(specs, figures_dir, lang, formats, workers), strict=True
    ):
        if entry is None:
            skipped[spec.name] = reason
        else:
            entries.append(entry)
    return entries


def report_names(suffix: str) -> list[str]:
    """What a report puts into its folder."""
    return [f"figures{suffix}", f"tables{suffix}", f"report{suffix}.md", f"report{suffix}.html"]


def finished_report(
    root: Path,
    lang: str,
    suffix: str,
    entries: list[FigureEntry],
    skipped: dict[str, str],
    started: float,
) -> Report:
    """The Report of files moved into `root`."""
    moved = [
        FigureEntry(
            e.name,
            e.title,
            e.caption,
            [root / f"figures{suffix}" / p.name for p in e.files],
            [root / f"figures{suffix}" / p.name for p in e.data_files],
        )
        for e in entries
    ]
    return Report(
        root,
        lang,
        root / f"report{suffix}.md",
        root / f"report{suffix}.html",
        moved,
        sorted((root / f"tables{suffix}").glob("*")),
        skipped,
        time.perf_counter() - started,
    )


def check_year(source: RunSource, year: int) -> None:
    """Refuse a --year the run has no record of, naming the years it has."""
    years = sorted(int(y) for y in pd.unique(source.tables["metrics"]["year"]))
    if year not in years:
        raise ReportInputError(
            f"{source.path}: --year {year} is not a year of this run; expected one of "
            f"{years[0]}-{years[-1]}"
        )


def build_report(
    path: str | Path,
    *,
    lang: str = "en",
    year: int | None = None,
    formats: tuple[str, ...] | None = None,
    workers: int = 1,
) -> Report:
    """Write the figures, tables, report.md and report.html of a run or an experiment.

    `year` is the calendar year shown on the map of a run (default: the last) and its
    teacher flows are those of the school year ending then (default: the busiest).
    `formats` are the figure files to write (default `DEFAULT_FORMATS`: PNG only; PDF
    and SVG on request, since vector output doubles the rendering time).
    `workers` > 1 renders figures in that many forked processes (where the platform
    forks and no other thread runs), else one after another.
    Raises sources.ReportInputError for a folder that is not a results folder, whose
    tables do not match its manifest or cannot be read, or a `year` the run lacks; and
    plots.FontMissingError for `lang="zh"` without a CJK font. Staging folders of a
    killed report (`.report.partial-PID`, PID dead) are removed first.
    """
    from edusim.report.document import html_report, markdown_report

    started = time.perf_counter()
    formats = DEFAULT_FORMATS if formats is None else formats
    check_lang(lang)
    from edusim.report.calibration import build_calibration_report, is_calibration

    if is_calibration(Path(path)):
        return build_calibration_report(Path(path), lang=lang, formats=formats, workers=workers)
    from edusim.report.province import build_province_report, is_province

    if is_province(Path(path)):
        return build_province_report(Path(path), lang=lang, formats=formats, workers=workers)
    source = load_results(path)
    if isinstance(source, RunSource) and year is not None:
        check_year(source, year)
    if lang == "zh":
        plots.cjk_family()  # fail before any work if there is no CJK font
    suffix = "" if lang == "en" else f"-{lang}"
    root = source.path
    staging, figures_dir, tables_dir = open_staging(root, suffix)
    try:
        if isinstance(source, RunSource):
            specs, skipped = run_figures(source, year)
        else:
            specs, skipped = experiment_figures(source)
        entries = rendered(specs, figures_dir, lang, formats, workers, skipped)
        tables = _tables(source, tables_dir, lang)
        markdown = markdown_report(source, entries, tables, skipped, lang, suffix)
        (staging / f"report{suffix}.md").write_text(markdown, encoding="utf-8")
        page = html_report(source, entries, tables, skipped, lang)
        (staging / f"report{suffix}.html").write_text(page, encoding="utf-8")
        _move_into_place(staging, root, report_names(suffix))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return finished_report(root, lang, suffix, entries, skipped, started)
