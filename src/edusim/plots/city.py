"""The synthetic city: a map of schools, catchments and groups, and teachers' postings.

The map shades each catchment by its housing premium (cells rasterised on a regular
grid, drawn with one `imshow` per panel), colours schools by teaching quality and draws
group links core to member as one LineCollection, so a city of hundreds of schools and
tens of thousands of cells renders in well under a second. Teacher flows aggregate the
event log's postings of one school year school to school (arrows on the map, coloured by
whether the teacher went to a weaker or a stronger school) and district to district
(a matrix).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from matplotlib import cm, colors
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy.spatial import cKDTree

from edusim.plots.axes import divided, money_scale
from edusim.plots.labels import with_unit, word
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
DIRECTIONS: tuple[str, ...] = ("to_weaker", "to_stronger")
DIRECTION_COLOURS = {"to_weaker": OKABE_ITO["blue"], "to_stronger": OKABE_ITO["vermillion"]}


# -- the map ----------------------------------------------------------------------------------


def _schools_in(schools: pd.DataFrame, year: int) -> pd.DataFrame:
    years = np.sort(schools["year"].unique())
    shown = years[years <= year].max() if (years <= year).any() else years.min()
    return schools[schools["year"] == shown]


def city_map_tables(
    city: pd.DataFrame, schools: pd.DataFrame, year: int | None = None
) -> dict[str, pd.DataFrame]:
    """The layers of the map in `year` (default: the last):

    - schools: school, name, stage, sector, district, x_km, y_km, quality, premium_cny,
      group_id, group_kind, role (role 'private' for private schools);
    - cells: cell, stage, x_km, y_km, size_km, school (its catchment school, -1 none),
      premium_cny (of that school's catchment);
    - links: group_id, group_kind, stage, core, member, x0_km, y0_km, x1_km, y1_km.
    """
    year = int(schools["year"].max()) if year is None else int(year)
    now = _schools_in(schools, year)
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
    return {"schools": school_table, "cells": cells, "links": links.reset_index(drop=True)}


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
    gx, gy = np.meshgrid(px, py)
    centres = np.column_stack([gx.ravel(), gy.ravel()])
    k = min(4, x.size)
    _, nearest = cKDTree(np.column_stack([x, y])).query(centres, k=k)
    nearest = nearest.reshape(len(centres), k)
    tolerance = 1e-9 + half[nearest]
    inside = (np.abs(centres[:, :1] - x[nearest]) <= tolerance) & (
        np.abs(centres[:, 1:] - y[nearest]) <= tolerance
    )
    first = np.argmax(inside, axis=1)
    index = np.where(inside.any(axis=1), nearest[np.arange(len(centres)), first], -1)
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


def _map_axes(ax, lang: str, ylabel: bool = True) -> None:
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
            ax.set_title(word(stage, lang))
            _map_axes(ax, lang, ylabel=stage == STAGES[0])
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


# -- teacher flows ----------------------------------------------------------------------------


def postings(events: pd.DataFrame) -> pd.DataFrame:
    """One row per logged posting: school_year, teacher, from_name, to_name, tier."""
    rows = events[events["kind"] == "posting"]
    details = [json.loads(text) for text in rows["detail"]]
    return pd.DataFrame(
        {
            "school_year": rows["year"].to_numpy(dtype=int),
            "teacher": [d.get("teacher") for d in details],
            "from_name": [str(d["from"]) for d in details],
            "to_name": [str(d["to"]) for d in details],
            "tier": [int(d.get("tier", 0)) for d in details],
        }
    )


def busiest_posting_year(events: pd.DataFrame) -> int | None:
    """The school year with the most postings (the earliest of ties); None without any."""
    counts = postings(events)["school_year"].value_counts()
    if counts.empty:
        return None
    return int(counts[counts == counts.max()].index.min())


def teacher_flow_table(
    events: pd.DataFrame, schools: pd.DataFrame, school_year: int | None = None
) -> pd.DataFrame:
    """Postings of one school year (default: the busiest), school to school: columns
    school_year, from_school, to_school, from_name, to_name, from_district, to_district,
    teachers, backbone, x0_km, y0_km, x1_km, y1_km, from_quality, to_quality, direction.

    Schools are as they stood when the school year began (the schools table's row of that
    calendar year); direction says whether the receiving school's quality was lower.
    """
    posted = postings(events)
    if school_year is None:
        school_year = busiest_posting_year(events)
    columns = [
        "school_year",
        "from_school",
        "to_school",
        "from_name",
        "to_name",
        "from_district",
        "to_district",
        "teachers",
        "backbone",
        "x0_km",
        "y0_km",
        "x1_km",
        "y1_km",
        "from_quality",
        "to_quality",
        "direction",
    ]
    if school_year is None:
        return pd.DataFrame(columns=columns)
    posted = posted[posted["school_year"] == school_year]
    if posted.empty:
        return pd.DataFrame(columns=columns)
    state = _schools_in(schools, school_year).drop_duplicates("name").set_index("name")
    pairs = (
        posted.assign(backbone=posted["tier"] >= 1)
        .groupby(["from_name", "to_name"], sort=True)
        .agg(teachers=("teacher", "size"), backbone=("backbone", "sum"))
        .reset_index()
    )
    origin = state.reindex(pairs["from_name"])
    destination = state.reindex(pairs["to_name"])
    table = pd.DataFrame(
        {
            "school_year": int(school_year),
            "from_school": origin["school"].to_numpy(),
            "to_school": destination["school"].to_numpy(),
            "from_name": pairs["from_name"],
            "to_name": pairs["to_name"],
            "from_district": origin["district"].to_numpy(),
            "to_district": destination["district"].to_numpy(),
            "teachers": pairs["teachers"].astype(int),
            "backbone": pairs["backbone"].astype(int),
            "x0_km": origin["x_km"].to_numpy(),
            "y0_km": origin["y_km"].to_numpy(),
            "x1_km": destination["x_km"].to_numpy(),
            "y1_km": destination["y_km"].to_numpy(),
            "from_quality": origin["quality"].to_numpy(),
            "to_quality": destination["quality"].to_numpy(),
        }
    )
    table["direction"] = np.where(table["to_quality"] < table["from_quality"], *DIRECTIONS)
    return table[columns].sort_values(["from_name", "to_name"]).reset_index(drop=True)


def width_of(teachers: np.ndarray) -> np.ndarray:
    """Arrow shaft width (fraction of the axes width) for a number of teachers."""
    return 0.0022 + 0.0011 * np.minimum(np.sqrt(np.asarray(teachers, dtype=float)) - 1, 4)


def _flow_arrows(ax, flows: pd.DataFrame) -> None:
    for direction in DIRECTIONS:
        rows = flows[flows["direction"] == direction]
        for width, group in rows.groupby(width_of(rows["teachers"].to_numpy()), sort=True):
            ax.quiver(
                group["x0_km"],
                group["y0_km"],
                group["x1_km"] - group["x0_km"],
                group["y1_km"] - group["y0_km"],
                angles="xy",
                scale_units="xy",
                scale=1,
                width=width,
                headwidth=3.5,
                headlength=4.5,
                headaxislength=4,
                color=DIRECTION_COLOURS[direction],
                alpha=0.85,
                zorder=2,
                gid=direction,
            )


def _district_matrix(ax, flows: pd.DataFrame, districts: list[str], lang: str) -> None:
    matrix = flows.pivot_table(
        index="from_district", columns="to_district", values="teachers", aggfunc="sum"
    )
    values = matrix.reindex(index=districts, columns=districts).fillna(0).to_numpy(float)
    ax.imshow(values, cmap="Blues", vmin=0, vmax=max(values.max(), 1.0))
    size = 6 if len(districts) <= 8 else 4.5
    for (i, j), count in np.ndenumerate(values):
        if count:
            shade = "white" if count > 0.6 * values.max() else "black"
            ax.text(j, i, f"{int(count)}", ha="center", va="center", fontsize=size, color=shade)
    ticks = range(len(districts))
    ax.set_xticks(ticks, districts, rotation=45, ha="right", fontsize=size + 0.5)
    ax.set_yticks(ticks, districts, fontsize=size + 0.5)
    ax.set_xlabel(word("to_district", lang))
    ax.set_ylabel(word("from_district", lang))
    ax.grid(False)
    ax.set_title(word("district_flows", lang))
    for spine in ax.spines.values():
        spine.set_visible(False)


def teacher_flows(
    flows: pd.DataFrame, schools: pd.DataFrame | None = None, *, lang: str = "en"
) -> Figure:
    """Left: arrows from sending to receiving school (wider for more teachers; blue to a
    weaker school, vermillion to a stronger one) over all schools in grey. Right: teachers
    posted from district to district."""
    if flows.empty:
        raise ValueError("no postings to draw")
    year = int(flows["school_year"].iloc[0])
    named = set(flows["from_district"]) | set(flows["to_district"])
    order = list(pd.unique(schools["district"])) if schools is not None else sorted(named)
    districts = [d for d in order if d in named]
    background = _schools_in(schools, year) if schools is not None else None
    xs = [flows["x0_km"], flows["x1_km"]] + ([background["x_km"]] if background is not None else [])
    ys = [flows["y0_km"], flows["y1_km"]] + ([background["y_km"]] if background is not None else [])
    x, y = pd.concat(xs).to_numpy(float), pd.concat(ys).to_numpy(float)
    pad = 0.04 * max(np.ptp(x), np.ptp(y), 1.0)
    extent = (x.min() - pad, x.max() + pad, y.min() - pad, y.max() + pad)
    map_width = DOUBLE_COLUMN_IN * 0.66 - 0.6
    height = max(map_height(extent, map_width), 1.9) + 1.0
    with house_style(lang):
        figure = Figure(figsize=(DOUBLE_COLUMN_IN, height))
        left, right = figure.subplots(1, 2, width_ratios=[2.1, 1.0])
        if background is not None:
            left.scatter(
                background["x_km"],
                background["y_km"],
                s=3,
                color="#C8C8C8",
                linewidths=0,
                zorder=1,
            )
        _flow_arrows(left, flows)
        left.set_xlim(extent[0], extent[1])
        left.set_ylim(extent[2], extent[3])
        _map_axes(left, lang)
        total = int(flows["teachers"].sum())
        span = f"{year}/{str(year + 1)[-2:]}"
        if lang == "zh":
            left.set_title(f"{span}{word('school_year', lang)}{word('postings', lang)}：{total}人")
        else:
            left.set_title(f"{word('postings', lang)}, school year {span}: {total}")
        handles = [
            Line2D([], [], color=DIRECTION_COLOURS[d], lw=1.5, label=word(d, lang))
            for d in DIRECTIONS
            if (flows["direction"] == d).any()
        ]
        left.legend(handles=handles, loc="best", fontsize=6)
        _district_matrix(right, flows, districts, lang)
    return figure
