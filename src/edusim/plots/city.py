"""The city map: schools, catchments and groups on the city's cells.

The map shades each catchment by its housing premium (cells rasterised on a regular
grid, drawn with one `imshow` per panel), colours schools by teaching quality and draws
group links core to member as one LineCollection, so a city of hundreds of schools and
tens of thousands of cells renders in well under a second. On a real map it also draws
the district boundaries (water is what lies outside them), a scale bar and a north arrow
(plots/map_furniture.py). Teacher flows on the map are in plots/flows.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import cm, colors
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from edusim.plots.axes import divided, money_scale
from edusim.plots.labels import with_unit, word
from edusim.plots.map_furniture import (
    draw_boundaries,
    draw_north_arrow,
    draw_scale_bar,
    draw_water,
)
from edusim.plots.schools import QUALITY_UNIT, final_roles
from edusim.plots.style import (
    DOUBLE_COLUMN_IN,
    OKABE_ITO,
    QUALITY_CMAP,
    house_style,
)

STAGES: tuple[str, ...] = ("primary", "junior")
MARKERS: dict[str, tuple[str, float]] = {
    "core": ("*", 46.0),
    "member": ("o", 13.0),
    "none": ("o", 6.0),
    "private": ("s", 8.0),
}
"""Marker and size (points^2) of a school by role; private schools are squares."""
MAX_RASTER_PIXELS = 900


# -- the map ----------------------------------------------------------------------------------


def schools_in(schools: pd.DataFrame, year: int) -> pd.DataFrame:
    years = np.sort(schools["year"].unique())
    shown = years[years <= year].max() if (years <= year).any() else years.min()
    return schools[schools["year"] == shown]


def city_map_tables(
    city: pd.DataFrame,
    schools: pd.DataFrame,
    year: int | None = None,
    boundaries: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """The layers of the map in `year` (default: the last):

    - schools: school, name, stage, sector, district, x_km, y_km, quality, premium_cny,
      group_id, group_kind, role (role 'private' for private schools);
    - cells: cell, stage, x_km, y_km, size_km, school (its catchment school, -1 none),
      premium_cny (of that school's catchment);
    - links: group_id, group_kind, stage, core, member, x0_km, y0_km, x1_km, y1_km;
    - boundaries (a real map only): kind, district, name_zh, ring, x_km, y_km.
    """
    year = int(schools["year"].max()) if year is None else int(year)
    now = schools_in(schools, year)
    roles = final_roles(now).drop(columns=["group_id", "group_kind"])
    shown = now.merge(roles, on="school", how="left")
    if "sector" in shown:
        shown.loc[shown["sector"] == "private", "role"] = "private"
    else:
        shown["sector"] = "public"
    school_columns = [
        "school",
        "name",
        "stage",
        "sector",
        "district",
        "x_km",
        "y_km",
        "quality",
        "premium_cny",
        "group_id",
        "group_kind",
        "role",
    ]
    school_table = shown[school_columns].reset_index(drop=True)
    school_table.insert(0, "year", int(now["year"].iloc[0]))

    premium = shown.set_index("school")["premium_cny"]
    cell_frames = []
    for stage in STAGES:
        catchment = city[f"{stage}_school"].to_numpy()
        cell_premium = np.where(catchment >= 0, premium.reindex(catchment).to_numpy(float), np.nan)
        cell_frames.append(
            pd.DataFrame(
                {
                    "cell": city["cell"].to_numpy(),
                    "stage": stage,
                    "x_km": city["x_km"].to_numpy(),
                    "y_km": city["y_km"].to_numpy(),
                    "size_km": city["size_km"].to_numpy(),
                    "school": catchment,
                    "premium_cny": cell_premium,
                }
            )
        )
    cells = pd.concat(cell_frames, ignore_index=True)

    grouped = school_table[school_table["group_id"] >= 0]
    cores = grouped[grouped["role"] == "core"][["group_id", "school", "x_km", "y_km"]]
    members = grouped[grouped["role"] == "member"][
        ["group_id", "group_kind", "stage", "school", "x_km", "y_km"]
    ]
    joined = members.merge(cores, on="group_id", suffixes=("_member", "_core"))
    links = pd.DataFrame(
        {
            "group_id": joined["group_id"],
            "group_kind": joined["group_kind"],
            "stage": joined["stage"],
            "core": joined["school_core"],
            "member": joined["school_member"],
            "x0_km": joined["x_km_core"],
            "y0_km": joined["y_km_core"],
            "x1_km": joined["x_km_member"],
            "y1_km": joined["y_km_member"],
        }
    ).sort_values(["group_id", "member"], kind="stable")
    layers = {"schools": school_table, "cells": cells, "links": links.reset_index(drop=True)}
    if boundaries is not None and len(boundaries):
        columns = ["kind", "district", "name_zh", "ring", "x_km", "y_km"]
        layers["boundaries"] = boundaries[columns].reset_index(drop=True)
    return layers


def raster_index(
    x: np.ndarray, y: np.ndarray, size: np.ndarray
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Which cell covers each pixel of a regular grid over the cells (-1: none, e.g.
    water), and the grid's extent (left, right, bottom, top) for `imshow`.

    Cells are squares of side `size` centred on (x, y); the pixel is 0.7 of the smallest
    cell side, coarsened so the grid has at most MAX_RASTER_PIXELS along a side.
    """
    half = size / 2.0
    left, right = float((x - half).min()), float((x + half).max())
    bottom, top = float((y - half).min()), float((y + half).max())
    # pixels a bit smaller than the smallest cell, so every cell holds a pixel centre
    pixel = max(0.7 * float(size.min()), max(right - left, top - bottom) / MAX_RASTER_PIXELS)
    columns = max(1, int(np.ceil((right - left) / pixel)))
    rows = max(1, int(np.ceil((top - bottom) / pixel)))
    px = left + (np.arange(columns) + 0.5) * pixel
    py = bottom + (np.arange(rows) + 0.5) * pixel
    # each cell paints the pixels whose centres lie in its square; where squares touch
    # (a centre on the shared edge, within the tolerance) the nearest cell centre wins
    tolerance = 1e-9
    first_col = np.clip(np.ceil((x - half - tolerance - left) / pixel - 0.5), 0, columns)
    last_col = np.clip(np.floor((x + half + tolerance - left) / pixel - 0.5), -1, columns - 1)
    first_row = np.clip(np.ceil((y - half - tolerance - bottom) / pixel - 0.5), 0, rows)
    last_row = np.clip(np.floor((y + half + tolerance - bottom) / pixel - 0.5), -1, rows - 1)
    n_cols = np.maximum(last_col - first_col + 1, 0).astype(np.int64)
    n_rows = np.maximum(last_row - first_row + 1, 0).astype(np.int64)
    per_cell = n_cols * n_rows
    cell = np.repeat(np.arange(x.size), per_cell)
    within = np.arange(cell.size) - np.repeat(np.cumsum(per_cell) - per_cell, per_cell)
    column = first_col[cell].astype(np.int64) + within % n_cols[cell]
    row = first_row[cell].astype(np.int64) + within // n_cols[cell]
    distance = np.hypot(px[column] - x[cell], py[row] - y[cell])
    pixel_id = row * columns + column
    order = np.lexsort((cell, distance, pixel_id))  # per pixel: nearest, then lowest id
    pixel_id, cell = pixel_id[order], cell[order]
    keep = np.ones(pixel_id.size, dtype=bool)
    keep[1:] = pixel_id[1:] != pixel_id[:-1]
    index = np.full(rows * columns, -1, dtype=np.int64)
    index[pixel_id[keep]] = cell[keep]
    extent = (left, left + columns * pixel, bottom, bottom + rows * pixel)
    return index.reshape(rows, columns), extent


def _boundaries(ids: np.ndarray) -> np.ndarray:
    """Pixels where the catchment changes to the right or above (both sides on land)."""
    edge = np.zeros(ids.shape, dtype=bool)
    land = ids >= 0
    horizontal = (ids[:, 1:] != ids[:, :-1]) & land[:, 1:] & land[:, :-1]
    vertical = (ids[1:, :] != ids[:-1, :]) & land[1:, :] & land[:-1, :]
    edge[:, 1:] |= horizontal
    edge[1:, :] |= vertical
    return edge


def catchment_image(
    index: np.ndarray,
    catchment: np.ndarray,
    premium: np.ndarray,
    cmap: colors.Colormap,
    norm: colors.Normalize,
) -> np.ndarray:
    """RGBA raster: each pixel coloured by its cell's catchment premium (land without a
    catchment as no premium), white where the catchment changes, transparent off land."""
    covered = index >= 0
    cell = np.maximum(index, 0)
    values = np.where(covered, np.nan_to_num(premium[cell], nan=0.0), 0.0)
    image = cmap(norm(values))
    ids = np.where(covered, catchment[cell], -2)
    image[_boundaries(ids)] = (1.0, 1.0, 1.0, 0.9)
    image[~covered] = (1.0, 1.0, 1.0, 0.0)
    return image


def map_axes(ax, lang: str, ylabel: bool = True) -> None:
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel(with_unit(word("x_km", lang), "km", lang))
    if ylabel:
        ax.set_ylabel(with_unit(word("y_km", lang), "km", lang))


def map_height(extent: tuple[float, float, float, float], width: float) -> float:
    """Height (in) of a map panel `width` inches wide, kept between 1.3 and 4 in."""
    left, right, bottom, top = extent
    return float(np.clip(width * (top - bottom) / max(right - left, 1e-9), 1.3, 3.6))


PREMIUM_COLOURS = ("#E8E8E8", "#4D4D4D")
"""Land with no premium is light grey, the dearest catchment dark grey; water is white."""


def _legend_handles(schools: pd.DataFrame, links: pd.DataFrame, lang: str) -> list[Line2D]:
    handles = [
        Line2D(
            [],
            [],
            marker=MARKERS[role][0],
            linestyle="",
            markerfacecolor="#BBBBBB",
            markeredgecolor="black",
            markeredgewidth=0.3,
            markersize=float(np.sqrt(MARKERS[role][1])),
            label=word(role, lang),
        )
        for role in MARKERS
        if (schools["role"] == role).any()
    ]
    if len(links):
        handles.append(
            Line2D([], [], color=OKABE_ITO["vermillion"], lw=0.8, label=word("group_link", lang))
        )
    return handles


def city_map(tables: dict[str, pd.DataFrame], *, lang: str = "en") -> Figure:
    """Primary and junior panels: catchments shaded by housing premium (grey, darker is
    dearer, white lines between catchments), schools coloured by teaching quality
    (marker by group role), and group links core to member."""
    cells, schools, links = tables["cells"], tables["schools"], tables["links"]
    real = tables.get("boundaries")  # a real map: boundaries, water, scale, north
    first = cells[cells["stage"] == STAGES[0]]
    index, extent = raster_index(
        first["x_km"].to_numpy(), first["y_km"].to_numpy(), first["size_km"].to_numpy()
    )
    finite = cells["premium_cny"].notna().any()
    premium_max = float(np.nanmax(cells["premium_cny"])) if finite else 1.0
    premium_norm = colors.PowerNorm(0.5, 0.0, max(premium_max, 1.0))
    quality_norm = colors.Normalize(schools["quality"].min(), schools["quality"].max())
    greys = colors.LinearSegmentedColormap.from_list("premium", PREMIUM_COLOURS)
    panel_width = (DOUBLE_COLUMN_IN - 0.8) / 2
    height = map_height(extent, panel_width) + 1.3
    with house_style(lang):
        figure = Figure(figsize=(DOUBLE_COLUMN_IN, height))
        grid = figure.add_gridspec(2, 2, height_ratios=[1.0, 0.045])
        axes = [figure.add_subplot(grid[0, 0])]
        axes.append(figure.add_subplot(grid[0, 1], sharex=axes[0], sharey=axes[0]))
        points = None
        for ax, stage in zip(axes, STAGES, strict=True):
            stage_cells = cells[cells["stage"] == stage]
            catchment = stage_cells["school"].to_numpy()
            values = stage_cells["premium_cny"].to_numpy(dtype=float)
            ax.imshow(
                catchment_image(index, catchment, values, greys, premium_norm),
                origin="lower",
                extent=extent,
                interpolation="none",  # vector formats embed the raster as it is
                zorder=1,  # above water
            )
            stage_links = links[links["stage"] == stage]
            segments = stage_links[["x0_km", "y0_km", "x1_km", "y1_km"]].to_numpy()
            ax.add_collection(
                LineCollection(
                    segments.reshape(-1, 2, 2),
                    colors=OKABE_ITO["vermillion"],
                    linewidths=0.6,
                    alpha=0.85,
                    zorder=2,
                    gid=f"{stage}-links",
                )
            )
            stage_schools = schools[schools["stage"] == stage]
            for role, (marker, size) in MARKERS.items():
                rows = stage_schools[stage_schools["role"] == role]
                if rows.empty:
                    continue
                points = ax.scatter(
                    rows["x_km"],
                    rows["y_km"],
                    c=rows["quality"],
                    cmap=QUALITY_CMAP,
                    norm=quality_norm,
                    marker=marker,
                    s=size,
                    edgecolors="black",
                    linewidths=0.3,
                    zorder=3 + (role == "core"),
                    gid=f"{stage}-{role}",
                )
            if real is not None:
                draw_water(ax, real)
                draw_boundaries(ax, real, lang, labels=stage == STAGES[0])
                draw_scale_bar(ax, extent, lang)
                draw_north_arrow(ax, extent, lang)
            ax.set_title(word(stage, lang))
            map_axes(ax, lang, ylabel=stage == STAGES[0])
        axes[0].set_xlim(extent[0], extent[1])
        axes[0].set_ylim(extent[2], extent[3])
        axes[1].tick_params(labelleft=False)
        divisor, premium_unit = money_scale("CNY", [premium_max], lang)
        shading = cm.ScalarMappable(premium_norm, greys)
        bar = figure.colorbar(shading, cax=figure.add_subplot(grid[1, 0]), orientation="horizontal")
        bar.set_label(_bracketed(word("premium", lang), premium_unit, lang))
        if divisor != 1.0:
            bar.formatter = divided(divisor)
            bar.update_ticks()
        if points is not None:
            cax = figure.add_subplot(grid[1, 1])
            bar = figure.colorbar(points, cax=cax, orientation="horizontal")
            bar.set_label(with_unit(word("quality", lang), QUALITY_UNIT, lang))
        handles = _legend_handles(schools, links, lang)
        figure.legend(handles=handles, loc="outside upper center", ncols=min(len(handles), 5))
    return figure


def _bracketed(label: str, unit: str, lang: str) -> str:
    return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"
