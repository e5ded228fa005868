"""Helpers shared by the figure functions: year axes, unit-aware value axes, panel grids."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from edusim.plots.labels import unit_label, word, wrap
from edusim.plots.style import DOUBLE_COLUMN_IN, SINGLE_COLUMN_IN

_CNY_SCALES = {
    "en": ((1e6, 1e6, "million CNY"), (1e4, 1e3, "thousand CNY")),
    "zh": ((1e9, 1e8, "亿元"), (1e5, 1e4, "万元")),
}


def money_scale(unit: str, values: Iterable[float], lang: str = "en") -> tuple[float, str]:
    """(divisor, unit text) so amounts in CNY show as thousands or millions (万元, 亿元).

    Units other than CNY amounts keep a divisor of 1 and their (translated) text.
    """
    shown = unit_label(unit, lang)
    if not unit.startswith("CNY"):
        return 1.0, shown
    finite = np.abs(np.asarray([v for v in values if np.isfinite(v)], dtype=float))
    largest = float(finite.max()) if finite.size else 0.0
    for threshold, divisor, name in _CNY_SCALES[lang]:
        if largest >= threshold:
            if lang == "zh":
                return divisor, shown.replace("元", name, 1)
            return divisor, unit.replace("CNY", name, 1)
    return 1.0, shown


def _number(value: float) -> str:
    text = f"{value:.6g}"
    return "0" if text in ("-0", "0") else text.replace("-", "\N{MINUS SIGN}")


def value_axis(
    ax: Axes,
    unit: str,
    values: Iterable[float],
    lang: str = "en",
    label: str | None = None,
    which: str = "y",
    width: int = 34,
) -> None:
    """Label an axis with its unit (and `label`: 'label (unit)', or `label` with a
    '{unit}' placeholder), scaling CNY amounts in the tick labels.

    The plotted data stay in the registry's unit; only the tick labels are divided.
    """
    divisor, unit_text = money_scale(unit, values, lang)
    if label is None:
        text = unit_text
    elif "{unit}" in label:
        text = label.format(unit=unit_text)
    elif unit_text:
        text = f"{label}（{unit_text}）" if lang == "zh" else f"{label} ({unit_text})"
    else:
        text = label
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_label_text(wrap(text, width))
    if divisor != 1.0:
        axis.set_major_formatter(divided(divisor))


def divided(divisor: float) -> ticker.Formatter:
    """Tick labels of values divided by `divisor` (amounts shown in thousands, ...)."""
    return ticker.FuncFormatter(lambda value, _: _number(value / divisor))


def year_axis(ax: Axes, lang: str = "en", label: bool = True) -> None:
    """Integer years on the x axis, at most seven ticks, in steps of 1, 2, 5 or 10."""
    ax.xaxis.set_major_locator(
        ticker.MaxNLocator(integer=True, nbins=6, steps=[1, 2, 5, 10], min_n_ticks=2)
    )
    if label:
        ax.set_xlabel(word("year", lang))


def panel_grid(
    count: int,
    ncols: int = 3,
    panel_height: float = 1.75,
    sharex: bool = False,
    sharey: bool = False,
) -> tuple[Figure, list[Axes]]:
    """A grid of `count` panels (single column for one, else double), unused hidden."""
    from edusim.plots.style import new_figure

    ncols = max(1, min(ncols, count))
    nrows = math.ceil(count / ncols)
    width = SINGLE_COLUMN_IN if ncols == 1 else DOUBLE_COLUMN_IN
    height = panel_height * nrows + 0.5
    if ncols == 1:
        height = 2.4 * nrows + 0.3
    figure, axes = new_figure(
        width, height, nrows=nrows, ncols=ncols, squeeze=False, sharex=sharex, sharey=sharey
    )
    flat = list(axes.ravel())
    for ax in flat[count:]:
        ax.set_visible(False)
    return figure, flat[:count]
