"""Teachers' postings of one school year: school to school on the map, district to district.

Teacher flows aggregate the event log's postings of one school year school to school
(arrows on the map, coloured by whether the teacher went to a weaker or a stronger
school) and district to district (a matrix).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from edusim.plots.city import map_axes, map_height, schools_in
from edusim.plots.labels import word
from edusim.plots.style import DOUBLE_COLUMN_IN, OKABE_ITO, house_style

DIRECTIONS: tuple[str, ...] = ("to_weaker", "to_stronger")
DIRECTION_COLOURS = {"to_weaker": OKABE_ITO["blue"], "to_stronger": OKABE_ITO["vermillion"]}


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
    state = schools_in(schools, school_year).drop_duplicates("name").set_index("name")
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
    background = schools_in(schools, year) if schools is not None else None
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
        map_axes(left, lang)
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
