"""The house style: the shipped style file, the palette, figure sizes and saving.

Every figure function draws inside `house_style(lang)`, which starts from matplotlib's
defaults (so a user's rcParams do not leak in), applies `edusim.mplstyle` and, for
Chinese, a CJK font. `save_figure` writes PNG (300 dpi), PDF and SVG with fixed
metadata and no dates, so the same figure gives the same files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

import matplotlib as mpl
import matplotlib.style
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.transforms import Bbox

from edusim import __version__
from edusim.plots.fonts import cjk_family
from edusim.plots.labels import check_lang

STYLE_FILE = files("edusim.plots").joinpath("edusim.mplstyle")

OKABE_ITO: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
"""Okabe and Ito's colour-blind-safe palette (Okabe & Ito 2008, Color Universal Design)."""

PALETTE: tuple[str, ...] = tuple(
    OKABE_ITO[name] for name in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")
)
"""Series colours in order (yellow is left out: too faint on white for lines)."""

GREY = "#8C8C8C"
ROLE_COLOURS: dict[str, str] = {
    "core": OKABE_ITO["vermillion"],
    "member": OKABE_ITO["blue"],
    "none": GREY,
}
QUALITY_CMAP = "viridis"

SINGLE_COLUMN_IN = 3.5
DOUBLE_COLUMN_IN = 7.2
DPI = 300
FORMATS: tuple[str, ...] = ("png", "pdf", "svg")
PNG_COMPRESS_LEVEL = 3
"""zlib level of the PNG files (Pillow's default is 6). The pixels are the same at any
level; measured on the seven figures of tests/data/report/run (300 dpi), level 3 encodes
in 0.38 CPU-s against 0.61 at level 6, for files 15% larger (1.29 against 1.11 MB);
levels 1-2 are no faster and larger still. Encoding was the largest single cost of a
report after matplotlib's layout and drawing."""


def series_colours(names: Sequence[str]) -> dict[str, str]:
    """A palette colour for each series name, in order (cycling past seven)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


@contextmanager
def house_style(lang: str = "en") -> Iterator[None]:
    """rcParams of the house style (and a CJK font for 'zh') for the enclosed block."""
    check_lang(lang)
    extra: dict[str, object] = {}
    if lang == "zh":
        extra["font.sans-serif"] = [cjk_family(), "DejaVu Sans"]
    with mpl.style.context([str(STYLE_FILE), extra], after_reset=True):
        yield


def new_figure(
    width: float = SINGLE_COLUMN_IN, height: float = 2.6, **subplots: object
) -> tuple[Figure, object]:
    """A Figure (not registered with pyplot) and its axes from `Figure.subplots`."""
    figure = Figure(figsize=(width, height))
    axes = figure.subplots(**subplots) if subplots else figure.subplots()
    return figure, axes


def _metadata(fmt: str, title: str, description: str) -> dict[str, str | None]:
    creator = f"edusim {__version__} (matplotlib {mpl.__version__})"
    if fmt == "png":
        return {"Title": title, "Description": description, "Software": creator}
    if fmt == "pdf":
        return {
            "Title": title,
            "Subject": description,
            "Creator": creator,
            "Producer": creator,
            "CreationDate": None,
            "ModDate": None,
        }
    if fmt == "svg":
        return {"Title": title, "Description": description, "Creator": creator, "Date": None}
    return {}


def save_figure(
    figure: Figure,
    stem: Path,
    *,
    formats: Sequence[str] = FORMATS,
    lang: str = "en",
    title: str = "",
    description: str = "",
) -> list[Path]:
    """Write `figure` as stem.png (300 dpi), stem.pdf and stem.svg; return the paths.

    The files carry `title` and `description` (e.g. the caption) and no date.
    """
    paths = []
    canvas = figure.canvas  # laid_out lends the figure an Agg canvas (300 dpi buffer)
    with house_style(lang), laid_out(figure):
        for fmt in formats:
            if fmt != "png":
                figure.set_canvas(canvas)  # vector files need no pixel buffer: let it go
            path = Path(f"{stem}.{fmt}")
            extra = {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if fmt == "png" else {}
            figure.savefig(
                path, format=fmt, dpi=DPI, metadata=_metadata(fmt, title, description), **extra
            )
            paths.append(path)
    figure.set_canvas(canvas)
    return paths


NO_LAYOUT_ENGINE = {"figure.autolayout": False, "figure.constrained_layout.use": False}
"""rcParams under which `Figure.set_layout_engine(None)` leaves a figure without engine."""


@contextmanager
def laid_out(figure: Figure) -> Iterator[None]:
    """Run the figure's layout engine once, at the PNG's resolution, and leave the
    figure without an engine inside the block (and after it).

    `savefig` of a figure with a layout engine draws the whole figure twice: once with
    drawing switched off only to run the engine, then for real; matplotlib's 'none'
    placeholder engine still triggers the first draw, and `savefig` restores a removed
    engine from rcParams (the house style's constrained layout) when it ends. Laying
    out here with the Agg canvas that draws the PNG (whose text measurements are then
    cached), and saving under rcParams that create no engine, gives the same PNG for
    one draw instead of two, and every later format keeps that layout. Titles are
    held at the top of their axes while laying out and drawing (`_held_titles`).
    """
    engine = figure.get_layout_engine()
    if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
        if not isinstance(figure.canvas, FigureCanvasAgg):
            FigureCanvasAgg(figure)
        shown_dpi = figure.dpi
        figure.dpi = DPI
        try:
            held = _hold_titles(figure)
            placed = _positions(figure)
            engine.execute(figure)
            if _release_pushed_titles(figure, held):  # lay out again, from the start
                _restore_positions(placed)
                engine.execute(figure)
        finally:
            figure.dpi = shown_dpi
    with mpl.rc_context(NO_LAYOUT_ENGINE):
        figure.set_layout_engine(None)
        yield


def _hold_titles(figure: Figure) -> list[Axes]:
    """Hold every automatically placed axes title at the top of its axes (y = 1); the
    axes held.

    matplotlib places a title for every layout pass and every draw, measuring the axes'
    whole y axis again each time (a third of the CPU of laying out and drawing the
    9-panel figures), only to lift the title above whatever reaches over the top of
    the axes: an x axis on top, a twin's, or the y axis' offset text (a multiplier
    such as 1e6). Our figures rarely have any of these; `_release_pushed_titles`
    finds those that do after the layout. Uses matplotlib's private `_autotitlepos`
    (what `set_title(y=...)` sets), `_update_title_position` and `_set_position`
    (checked on matplotlib 3.11) and leaves the axes alone where one is missing."""
    held = [
        ax
        for ax in figure.axes
        if getattr(ax, "_autotitlepos", None) is True
        and hasattr(ax, "_update_title_position")
        and hasattr(ax, "_set_position")
        and any(title.get_text() for title in (ax.title, ax._left_title, ax._right_title))
    ]
    for ax in held:
        ax._autotitlepos = False
    return held


Placement = list[tuple[Axes, Bbox, Bbox]]


def _positions(figure: Figure) -> Placement:
    """Each axes' original and active position, as placed before any layout."""
    return [
        (ax, ax.get_position(original=True).frozen(), ax.get_position().frozen())
        for ax in figure.axes
    ]


def _restore_positions(placement: Placement) -> None:
    """Put the axes back where `_positions` found them (with matplotlib's private
    `_set_position`: the public one takes an axes out of the layout)."""
    for ax, original, active in placement:
        ax._set_position(original, which="original")
        ax._set_position(active, which="active")


def _release_pushed_titles(figure: Figure, held: list[Axes]) -> bool:
    """After a layout with titles held: ask matplotlib where it would place each held
    axes' titles; axes whose titles it would lift go back to automatic placement (the
    others stay held, so their titles are where matplotlib would put them). Whether
    any went back (then the layout must run again)."""
    renderer = figure.canvas.get_renderer()
    released = False
    for ax in held:
        titles = (ax.title, ax._left_title, ax._right_title)
        ax._autotitlepos = True
        ax._update_title_position(renderer)
        if all(title.get_position()[1] == 1.0 for title in titles):
            ax._autotitlepos = False
        else:
            released = True
    return released
