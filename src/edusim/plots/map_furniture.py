"""What a map on the real geometry carries besides its data: district boundaries and
their names, water, a scale bar and a north arrow.

All of it reads the stored `boundaries` table (one row per point of each ring, kind
'district' or 'water', km on the city's plane; see `model.boundaries_table`). The
plane is a Lambert azimuthal equal-area projection centred on the city, so north is up
along the central meridian and within a degree of it across a city.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PolyCollection

WATER_COLOUR = "#DCEBF5"
BOUNDARY_COLOUR = "#222222"
NICE_STEPS = (1.0, 2.0, 5.0)


def _rings(boundaries: pd.DataFrame, kind: str) -> list[np.ndarray]:
    rows = boundaries[boundaries["kind"] == kind]
    return [group[["x_km", "y_km"]].to_numpy(float) for _, group in rows.groupby("ring", sort=True)]


def draw_water(ax, boundaries: pd.DataFrame) -> None:
    """Water (the sea and estuaries near the city) as pale blue polygons under the map."""
    rings = _rings(boundaries, "water")
    if rings:
        ax.add_collection(
            PolyCollection(rings, facecolors=WATER_COLOUR, edgecolors="none", zorder=0)
        )


def draw_boundaries(ax, boundaries: pd.DataFrame, lang: str, labels: bool = True) -> None:
    """District boundaries as thin dark lines, each district named once at the middle of
    its largest ring (its Chinese name in a Chinese figure, when the data has one)."""
    rings = _rings(boundaries, "district")
    ax.add_collection(LineCollection(rings, colors=BOUNDARY_COLOUR, linewidths=0.45, zorder=2.5))
    if not labels:
        return
    districts = boundaries[boundaries["kind"] == "district"]
    for name, rows in districts.groupby("district", sort=False):
        sizes = rows.groupby("ring").size()
        ring = rows[rows["ring"] == sizes.idxmax()]
        x, y = ring["x_km"].mean(), ring["y_km"].mean()
        label = name
        if lang == "zh" and str(rows["name_zh"].iloc[0]):
            label = str(rows["name_zh"].iloc[0])
        ax.annotate(
            label,
            (x, y),
            ha="center",
            va="center",
            fontsize=5,
            color=BOUNDARY_COLOUR,
            zorder=5,
            annotation_clip=True,
        )


def nice_length(span_km: float) -> float:
    """A round length (1, 2 or 5 times a power of ten, km) about a fifth of `span_km`."""
    target = max(span_km / 5.0, 1e-9)
    power = 10.0 ** math.floor(math.log10(target))
    return max(step * power for step in NICE_STEPS if step * power <= target)


def draw_scale_bar(ax, extent: tuple[float, float, float, float], lang: str) -> None:
    """A bar of a round length at the lower left, labelled in km (公里)."""
    left, right, bottom, top = extent
    length = nice_length(right - left)
    x0, y0 = left + 0.05 * (right - left), bottom + 0.05 * (top - bottom)
    ax.plot([x0, x0 + length], [y0, y0], color="black", linewidth=1.6, zorder=6)
    unit = "公里" if lang == "zh" else "km"
    ax.annotate(
        f"{length:g} {unit}",
        (x0 + length / 2, y0),
        xytext=(0, 2),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=5.5,
        zorder=6,
    )


def draw_north_arrow(ax, extent: tuple[float, float, float, float], lang: str) -> None:
    """An arrow pointing up (north on the projected map) at the upper right."""
    left, right, bottom, top = extent
    x = right - 0.06 * (right - left)
    y0, y1 = top - 0.16 * (top - bottom), top - 0.06 * (top - bottom)
    ax.annotate(
        "",
        xy=(x, y1),
        xytext=(x, y0),
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 0.8},
        zorder=6,
    )
    ax.annotate(
        "北" if lang == "zh" else "N",
        (x, y1),
        xytext=(0, 1),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=6,
        zorder=6,
    )
