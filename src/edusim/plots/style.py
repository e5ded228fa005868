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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine

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
    with house_style(lang), laid_out(figure):
        for fmt in formats:
            path = Path(f"{stem}.{fmt}")
            extra = {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if fmt == "png" else {}
            figure.savefig(
                path, format=fmt, dpi=DPI, metadata=_metadata(fmt, title, description), **extra
            )
            paths.append(path)
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
    one draw instead of two, and every later format keeps that layout.
    """
    engine = figure.get_layout_engine()
    if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
        if not isinstance(figure.canvas, FigureCanvasAgg):
            FigureCanvasAgg(figure)
        shown_dpi = figure.dpi
        figure.dpi = DPI
        try:
            engine.execute(figure)
        finally:
            figure.dpi = shown_dpi
    with mpl.rc_context(NO_LAYOUT_ENGINE):
        figure.set_layout_engine(None)
        yield
