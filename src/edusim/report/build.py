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

import importlib
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from edusim import plots
from edusim.plots.city import busiest_posting_year
from edusim.plots.labels import check_lang
from edusim.plots.style import FORMATS, save_figure
from edusim.report import captions
from edusim.report.sources import ExperimentSource, RunSource, load_results
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

RENDER_COST = {"city_map": 4, "small_multiples": 3, "teacher_flows": 2, "paired_differences": 3}
"""Rough relative rendering times: the slowest figures start first when rendering in
parallel."""

Data = pd.DataFrame | dict[str, pd.DataFrame]
BACKENDS = {"png": "agg"}

TITLES: dict[str, dict[str, str]] = {
    "trajectory": {"en": "Trajectory of the focal metric", "zh": "重点指标的逐年变化"},
    "small_multiples": {"en": "Metrics over years", "zh": "各项指标的逐年变化"},
    "paired_differences": {
        "en": "Paired differences from the baseline",
        "zh": "与基准组的配对差值",
    },
    "effect": {
        "en": "Effect of the reform (reform minus counterfactual)",
        "zh": "改革效应（改革减反事实）",
    },
    "quality_distribution": {
        "en": "School quality at start and end, by group role",
        "zh": "期初与期末学校教学质量分布（按集团角色）",
    },
    "group_convergence": {
        "en": "Within-group convergence: cores and members",
        "zh": "集团内部趋同：核心校与成员校",
    },
    "city_map": {
        "en": "Map of the city: catchments, premiums, schools and groups",
        "zh": "城市地图：学区、溢价、学校与集团",
    },
    "teacher_flows": {"en": "Teacher flows between schools", "zh": "学校间教师交流"},
    "sensitivity": {
        "en": "Sensitivity of the outcomes to the parameters",
        "zh": "结果对参数的敏感性",
    },
}


@dataclass
class FigureSpec:
    """A figure the folder supports: how to get its data, draw it and caption it."""

    name: str
    data: Callable[[], Data]
    draw: Callable[[Data, str], Figure]
    caption: Callable[[Data, str], str]


@dataclass
class FigureEntry:
    """A figure written to disk."""

    name: str
    title: str
    caption: str
    files: list[Path]
    data_files: list[Path]


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
                    lambda: plots.city_map_tables(tables["city"], schools, year),
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


def _write_data(data: Data, stem: Path) -> list[Path]:
    frames = {"": data} if isinstance(data, pd.DataFrame) else data
    paths = []
    for layer, frame in frames.items():
        path = Path(f"{stem}.csv") if not layer else Path(f"{stem}-{layer}.csv")
        frame.to_csv(path, index=False, float_format="%.10g")
        paths.append(path)
    return paths


def render_figure(
    spec: FigureSpec, folder: Path, lang: str, formats: tuple[str, ...] = FORMATS
) -> FigureEntry:
    """Compute a figure's data, draw it, and write its files, data and caption."""
    data = spec.data()
    figure = spec.draw(data, lang)
    caption = spec.caption(data, lang)
    title = TITLES[spec.name][lang]
    stem = folder / spec.name
    files = save_figure(figure, stem, formats=formats, lang=lang, title=title, description=caption)
    data_files = _write_data(data, stem)
    caption_file = Path(f"{stem}.caption.txt")
    caption_file.write_text(caption + "\n", encoding="utf-8")
    return FigureEntry(spec.name, title, caption, files, [*data_files, caption_file])


def _render_safely(
    spec: FigureSpec, folder: Path, lang: str, formats: tuple[str, ...]
) -> tuple[FigureEntry | None, str]:
    try:
        return render_figure(spec, folder, lang, formats), ""
    except ValueError as error:  # nothing to draw (e.g. every value missing)
        return None, str(error)


_PENDING: tuple[list[FigureSpec], Path, str, tuple[str, ...]] | None = None
"""The figures a forked worker renders (set just before the pool forks)."""


def _render_pending(position: int) -> tuple[FigureEntry | None, str]:
    assert _PENDING is not None
    specs, folder, lang, formats = _PENDING
    return _render_safely(specs[position], folder, lang, formats)


def _can_fork() -> bool:
    """Forking is safe here only without other threads. A finished progress bar leaves
    tqdm's monitor thread idle, so it is stopped (tqdm starts a new one when needed)."""
    tqdm_class = sys.modules["tqdm"].tqdm if "tqdm" in sys.modules else None
    monitor = getattr(tqdm_class, "monitor", None)
    if monitor is not None:
        monitor.exit()
        tqdm_class.monitor = None
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _render_all(
    specs: list[FigureSpec], folder: Path, lang: str, formats: tuple[str, ...], workers: int
) -> list[tuple[FigureEntry | None, str]]:
    """Render every figure, in `workers` forked processes when there are several (each
    figure is independent; forking shares the tables without copying or pickling them)."""
    global _PENDING
    workers = min(workers, len(specs))
    if workers <= 1 or not _can_fork():
        return [_render_safely(spec, folder, lang, formats) for spec in specs]
    for fmt in formats:  # import each backend once, before forking, not once per worker
        importlib.import_module(f"matplotlib.backends.backend_{BACKENDS.get(fmt, fmt)}")
    _PENDING = (specs, folder, lang, formats)
    order = sorted(range(len(specs)), key=lambda i: -RENDER_COST.get(specs[i].name, 1))
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            done = dict(zip(order, pool.map(_render_pending, order), strict=True))
    finally:
        _PENDING = None
    return [done[i] for i in range(len(specs))]


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


def build_report(
    path: str | Path,
    *,
    lang: str = "en",
    year: int | None = None,
    formats: tuple[str, ...] = FORMATS,
    workers: int = 1,
) -> Report:
    """Write the figures, tables, report.md and report.html of a run or an experiment.

    `year` is the calendar year shown on the map of a run (default: the last) and its
    teacher flows are those of the school year ending then (default: the busiest).
    `workers` > 1 renders figures in that many forked processes (where the platform
    forks and no other thread runs), else one after another.
    Raises sources.ReportInputError for a folder that is not a results folder, and
    plots.FontMissingError for `lang="zh"` without a CJK font.
    """
    from edusim.report.document import html_report, markdown_report

    started = time.perf_counter()
    check_lang(lang)
    source = load_results(path)
    if lang == "zh":
        plots.cjk_family()  # fail before any work if there is no CJK font
    suffix = "" if lang == "en" else f"-{lang}"
    root = source.path
    staging = root / f".report{suffix}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    figures_dir, tables_dir = staging / f"figures{suffix}", staging / f"tables{suffix}"
    figures_dir.mkdir(parents=True)
    tables_dir.mkdir()
    try:
        if isinstance(source, RunSource):
            specs, skipped = run_figures(source, year)
        else:
            specs, skipped = experiment_figures(source)
        entries = []
        for spec, (entry, reason) in zip(
            specs, _render_all(specs, figures_dir, lang, formats, workers), strict=True
        ):
            if entry is None:
                skipped[spec.name] = reason
            else:
                entries.append(entry)
        tables = _tables(source, tables_dir, lang)
        markdown = markdown_report(source, entries, tables, skipped, lang, suffix)
        (staging / f"report{suffix}.md").write_text(markdown, encoding="utf-8")
        page = html_report(source, entries, tables, skipped, lang)
        (staging / f"report{suffix}.html").write_text(page, encoding="utf-8")
        names = [
            f"figures{suffix}",
            f"tables{suffix}",
            f"report{suffix}.md",
            f"report{suffix}.html",
        ]
        _move_into_place(staging, root, names)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
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
