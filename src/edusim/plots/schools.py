"""Schools' teaching quality: its distribution at start and end by group role, and the
convergence of group cores and members over the years.

Both take the tidy `schools` table (one row per school and year) of a run. A school's
role is its role in the final year (core, member or in no group), kept for every year,
so the start shows where the schools that were grouped began. The distribution uses each
school's tightest group (the schools table's headline columns); the convergence uses the
`memberships` table (one row per school, group and year) when the run has one, so a
school counts in every kind of group it belongs to: a Hangzhou core of a vertical group
that is also a member of a famous-school group is a vertical core and a horizontal
member. Private schools are left out: groups and the quality metrics are about public
schools.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from edusim.plots.axes import panel_grid, value_axis, year_axis
from edusim.plots.labels import group_kind_label, word
from edusim.plots.style import GREY, ROLE_COLOURS, house_style, new_figure

ROLES: tuple[str, ...] = ("core", "member", "none")
QUALITY_UNIT = "pupil SD per year"
"""Unit of the schools table's `quality` (teaching quality, as the registry's quality_sd)."""


def _public(schools: pd.DataFrame) -> pd.DataFrame:
    if "sector" in schools:
        return schools[schools["sector"] == "public"]
    return schools


def final_roles(schools: pd.DataFrame) -> pd.DataFrame:
    """Per school: its group role ('core', 'member', 'none'), group id and kind in the
    final year."""
    last = schools[schools["year"] == schools["year"].max()]
    roles = last[["school", "group_role", "group_id", "group_kind"]].copy()
    roles["role"] = roles["group_role"].replace("", "none").fillna("none")
    roles["group_kind"] = roles["group_kind"].fillna("")
    return roles[["school", "role", "group_id", "group_kind"]]


def final_kind_roles(memberships: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Per school and kind of group it belongs to in the final year of `schools`: its role
    in that kind ('core' if it leads any group of the kind, else 'member'); schools in no
    group get one row with kind '' and role 'none'. Columns school, role, group_kind."""
    last_year = schools["year"].max()
    last = memberships[memberships["year"] == last_year]
    leads = (last["role"] == "core").groupby([last["school"], last["group_kind"]]).any()
    rows = leads.rename("leads").reset_index()
    rows["role"] = np.where(rows["leads"], "core", "member")
    alone = np.setdiff1d(schools["school"].unique(), rows["school"].unique())
    none = pd.DataFrame({"school": alone, "role": "none", "group_kind": ""})
    return pd.concat([rows[["school", "role", "group_kind"]], none], ignore_index=True)


def quality_distribution_table(schools: pd.DataFrame) -> pd.DataFrame:
    """Quality of every public school in the first and last year, with its final role:
    columns year, school, stage, role, group_kind, quality."""
    public = _public(schools)
    years = [public["year"].min(), public["year"].max()]
    rows = public[public["year"].isin(years)][["year", "school", "stage", "quality"]]
    table = rows.merge(final_roles(public), on="school", how="left")
    table["role"] = pd.Categorical(table["role"], ROLES, ordered=True)
    table = table.sort_values(["role", "year", "school"], kind="stable")
    table["role"] = table["role"].astype(str)
    return table[["year", "school", "stage", "role", "group_kind", "quality"]].reset_index(
        drop=True
    )


def jitter(schools: np.ndarray, spread: float = 0.12) -> np.ndarray:
    """A fixed horizontal offset per school id (golden-ratio sequence): no randomness."""
    return ((np.asarray(schools, dtype=float) * 0.6180339887) % 1.0 - 0.5) * 2 * spread


def quality_distribution(data: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Violins of school quality at the first (open) and last year (filled) per role,
    with every school as a dot and the median as a bar."""
    years = sorted(data["year"].unique())
    roles = [role for role in ROLES if (data["role"] == role).any()]
    with house_style(lang):
        figure, ax = new_figure(height=2.6)
        for position, role in enumerate(roles):
            colour = ROLE_COLOURS[role]
            for side, year in zip((-0.2, 0.2), years, strict=False):
                rows = data[(data["role"] == role) & (data["year"] == year)]
                values = rows["quality"].to_numpy(dtype=float)
                x = position + side
                filled = year == years[-1] and len(years) > 1
                if values.size >= 3 and np.ptp(values) > 0:
                    body = ax.violinplot(values, [x], widths=0.36, showextrema=False)["bodies"][0]
                    body.set_facecolor(colour if filled else "white")
                    body.set_edgecolor(colour)
                    body.set_alpha(0.45 if filled else 1.0)
                    body.set_linewidth(0.8)
                crowded = values.size > 60  # many schools: small faint dots, the violin shows
                ax.scatter(
                    x + jitter(rows["school"].to_numpy(), 0.07),
                    values,
                    s=1.2 if crowded else 3,
                    color=colour if filled else "white",
                    edgecolors=colour,
                    linewidths=0.3 if crowded else 0.4,
                    alpha=0.4 if crowded else 1.0,
                    zorder=3,
                    gid=f"{role}-{year}",
                )
                if values.size:
                    median = float(np.median(values))
                    ax.plot(
                        [x - 0.13, x + 0.13], [median, median], color="#222222", lw=1.4, zorder=4
                    )
        ax.set_xticks(range(len(roles)), [word(role, lang) for role in roles])
        ax.set_xlim(-0.6, len(roles) - 0.4)
        value_axis(ax, QUALITY_UNIT, data["quality"], lang, word("quality", lang), width=44)
        handles = [
            Patch(facecolor="white", edgecolor="#444444", label=str(years[0])),
            Patch(facecolor="#BBBBBB", edgecolor="#444444", label=str(years[-1])),
            Line2D([], [], color="#222222", lw=1.2, label="median" if lang == "en" else "中位数"),
        ]
        ax.legend(handles=handles[: 1 + (len(years) > 1)] + handles[2:], loc="upper right", ncols=3)
        ax.margins(y=0.12)
    return figure


def convergence_table(
    schools: pd.DataFrame,
    memberships: pd.DataFrame | None = None,
    band: tuple[float, float] = (0.1, 0.9),
) -> pd.DataFrame:
    """Per group kind, final role and year: mean quality of the schools and its spread
    (percentiles `band` across schools). Schools in no group form the reference series
    (group_kind ''). Columns group_kind, role, year, n, mean, low, high.

    With `memberships` a school counts in each kind it belongs to (`final_kind_roles`);
    without (runs written before the table existed) only in its tightest."""
    public = _public(schools)
    if memberships is None:
        roles = final_roles(public)[["school", "role", "group_kind"]]
    else:
        roles = final_kind_roles(memberships, public)
    table = public[["year", "school", "quality"]].merge(roles, on="school")
    grouped = table.groupby(["group_kind", "role", "year"], sort=True)["quality"]
    rows = grouped.agg(n="count", mean="mean").reset_index()
    rows["low"] = grouped.quantile(band[0]).to_numpy()
    rows["high"] = grouped.quantile(band[1]).to_numpy()
    rows["role"] = pd.Categorical(rows["role"], ROLES, ordered=True)
    rows = rows.sort_values(["group_kind", "role", "year"], kind="stable")
    rows["role"] = rows["role"].astype(str)
    return rows.reset_index(drop=True)


def group_convergence(data: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Mean quality of cores and of members over years, one panel per group kind, with
    the 10-90% band across schools; schools in no group as a dashed grey reference."""
    kinds = [kind for kind in pd.unique(data["group_kind"]) if kind]
    if not kinds:
        raise ValueError("no school is in a group in the final year")
    reference = data[data["group_kind"] == ""]
    with house_style(lang):
        figure, axes = panel_grid(
            len(kinds), ncols=min(len(kinds), 2), panel_height=2.0, sharey=True
        )
        for ax, kind in zip(axes, kinds, strict=True):
            for role in ("core", "member"):
                rows = data[(data["group_kind"] == kind) & (data["role"] == role)]
                if rows.empty:
                    continue
                colour = ROLE_COLOURS[role]
                ax.plot(rows["year"], rows["mean"], color=colour, label=word(role, lang))
                ax.fill_between(
                    rows["year"], rows["low"], rows["high"], color=colour, alpha=0.18, lw=0
                )
            if not reference.empty:
                ax.plot(
                    reference["year"],
                    reference["mean"],
                    color=GREY,
                    linestyle="--",
                    label=word("none", lang),
                )
            counts = data[(data["group_kind"] == kind) & (data["year"] == data["year"].max())]
            n = dict(zip(counts["role"], counts["n"], strict=True))
            title = group_kind_label(kind, lang)
            detail = f"{n.get('core', 0)} cores, {n.get('member', 0)} members"
            if lang == "zh":
                detail = f"核心校{n.get('core', 0)}所，成员校{n.get('member', 0)}所"
            ax.set_title(f"{title}: {detail}" if lang == "en" else f"{title}：{detail}")
            year_axis(ax, lang)
            if ax is axes[0]:
                value_axis(ax, QUALITY_UNIT, data["mean"], lang, word("quality", lang), width=30)
        handles = [
            Line2D([], [], color=ROLE_COLOURS["core"], label=word("core", lang)),
            Line2D([], [], color=ROLE_COLOURS["member"], label=word("member", lang)),
        ]
        if not reference.empty:
            handles.append(Line2D([], [], color=GREY, linestyle="--", label=word("none", lang)))
        figure.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    return figure
