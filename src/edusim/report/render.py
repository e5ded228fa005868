"""Rendering figures to files: a figure's data, drawing, caption and files, and many
figures at once in forked processes.

A figure is a `FigureSpec` (how to get its data, draw and caption it); `render_figure`
writes `<name>.png|pdf|svg`, `<name>.csv` (the data drawn) and `<name>.caption.txt`.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from edusim.forking import die_with_parent, fork_is_safe
from edusim.plots.style import FORMATS, save_figure

RENDER_COST = {
    "effect": 8,
    "small_multiples": 7,
    "city_map": 7,
    "paired_differences": 7,
    "teacher_flows": 3,
    "group_convergence": 3,
    "quality_distribution": 2,
    "trajectory": 2,
}
"""Rough relative rendering times (tenths of a CPU-second: the PNGs of
tests/data/report/run, one report, 2026-11-28: effect 0.78, small multiples 0.69, city
map 0.67, teacher flows 0.29, group convergence 0.28, quality distribution 0.18,
trajectory 0.17; paired differences drawn like the effect figure). The slowest figures
start first when rendering in parallel, so the last to finish is a short one; before the
effect figure was listed it started last and the report took about 0.7 s longer."""

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
    "calibration_fit": {"en": "Fit per target", "zh": "各校准目标的拟合"},
    "province_cities": {
        "en": "Cities beside the province, final year",
        "zh": "各市与全省对比（末年）",
    },
    "province_over_years": {
        "en": "The province over the years, with the range between cities",
        "zh": "全省逐年变化及各市间极差",
    },
    "calibration_traces": {"en": "Traces of the search", "zh": "搜索轨迹"},
    "calibration_pairs": {"en": "Pairs of parameters, good trials", "zh": "较优试验的参数两两散点"},
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


def render_all(
    specs: list[FigureSpec], folder: Path, lang: str, formats: tuple[str, ...], workers: int
) -> list[tuple[FigureEntry | None, str]]:
    """Render every figure, in `workers` forked processes when there are several (each
    figure is independent; forking shares the tables without copying or pickling them)."""
    global _PENDING
    workers = min(workers, len(specs))
    if workers <= 1 or not fork_is_safe():
        return [_render_safely(spec, folder, lang, formats) for spec in specs]
    for fmt in formats:  # import each backend once, before forking, not once per worker
        importlib.import_module(f"matplotlib.backends.backend_{BACKENDS.get(fmt, fmt)}")
    _PENDING = (specs, folder, lang, formats)
    order = sorted(range(len(specs)), key=lambda i: -RENDER_COST.get(specs[i].name, 1))
    try:
        context = multiprocessing.get_context("fork")
        parent = os.getpid()
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=die_with_parent,
            initargs=(parent,),
        ) as pool:
            done = dict(zip(order, pool.map(_render_pending, order), strict=True))
    finally:
        _PENDING = None
    return [done[i] for i in range(len(specs))]
