"""Metrics over years: trajectories with bands, small multiples, paired differences.

Data functions turn the tidy `metrics` table (one row per run, year and metric) into the
table a figure draws: one row per series, metric and year with `mean`, `low`, `high`
(the band; NaN when there is none), `n` (replications) and `band` (what low-high is).
Figure functions take that table and return a matplotlib Figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from edusim.metric_info import METRIC_INFO
from edusim.plots.axes import panel_grid, value_axis, year_axis
from edusim.plots.labels import metric_label, wrap
from edusim.plots.style import house_style, new_figure, series_colours

BANDS: dict[str, str] = {
    "p10-p90": "10th-90th percentile across replications",
    "ci95": "95% confidence interval of the mean (t)",
    "none": "no band (single replication)",
}
SERIES_COLUMNS: tuple[str, ...] = (
    "variant",
    "metric",
    "unit",
    "year",
    "n",
    "mean",
    "low",
    "high",
    "band",
)
POOLED = "all design points"


def _ordered_metrics(frame: pd.DataFrame, names: Sequence[str] | None) -> list[str]:
    present = set(frame["metric"].unique())
    if names is not None:
        return [name for name in names if name in present]
    registry = [name for name in METRIC_INFO if name in present]
    return registry + sorted(present - set(registry))


def _with_variant(metrics: pd.DataFrame, pool: bool) -> pd.DataFrame:
    if pool:
        return metrics.assign(variant=POOLED)
    if "variant" in metrics:
        return metrics
    return metrics.assign(variant=metrics["scenario"])


def _finalise(rows: pd.DataFrame, variants: list[str], metrics: list[str]) -> pd.DataFrame:
    rows = rows.assign(
        variant=pd.Categorical(rows["variant"], variants, ordered=True),
        metric=pd.Categorical(rows["metric"], metrics, ordered=True),
    ).sort_values(["metric", "variant", "year"], kind="stable")
    rows["variant"] = rows["variant"].astype(str)
    rows["metric"] = rows["metric"].astype(str)
    rows["unit"] = [METRIC_INFO[m].unit if m in METRIC_INFO else "" for m in rows["metric"]]
    return rows[list(SERIES_COLUMNS)].reset_index(drop=True)


def trajectory_table(
    metrics: pd.DataFrame,
    names: Sequence[str] | None = None,
    *,
    band: str = "p10-p90",
    pool: bool = False,
) -> pd.DataFrame:
    """Per series (variant, or the scenario of a run), metric and year: mean and band.

    `band` is 'p10-p90' (percentiles across replications) or 'ci95' (t interval of the
    mean); with one replication there is no band ('none'). `pool` merges every variant
    into one series (for designs with many points).
    """
    if band not in ("p10-p90", "ci95"):
        raise ValueError(f"unknown band '{band}', expected 'p10-p90' or 'ci95'")
    frame = _with_variant(metrics, pool)
    wanted = _ordered_metrics(frame, names)
    frame = frame[frame["metric"].isin(wanted)]
    grouped = frame.groupby(["variant", "metric", "year"], sort=False)["value"]
    rows = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    if band == "p10-p90":
        rows["low"] = grouped.quantile(0.10).to_numpy()
        rows["high"] = grouped.quantile(0.90).to_numpy()
    else:
        from scipy import stats  # about 1 CPU-s to import: only for t intervals

        n = rows["n"].to_numpy(dtype=float)
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * rows["sd"] / np.sqrt(np.maximum(n, 1))
        rows["low"], rows["high"] = rows["mean"] - half, rows["mean"] + half
    single = rows["n"] < 2
    rows.loc[single, ["low", "high"]] = np.nan
    rows["band"] = np.where(single, "none", band)
    return _finalise(rows, list(pd.unique(frame["variant"])), wanted)


def difference_table(
    metrics: pd.DataFrame, baseline: str, names: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per variant other than `baseline`, metric and year: the mean paired difference
    (variant - baseline, replicate by replicate) and its 95% t interval."""
    from edusim.experiment.stats import paired_difference  # scipy, only for this table

    wanted = _ordered_metrics(metrics, names)
    frame = metrics[metrics["metric"].isin(wanted)]
    keys = ["replicate", "metric", "year"]
    base = frame[frame["variant"] == baseline].set_index(keys)["value"]
    rows = []
    for variant, treated in frame[frame["variant"] != baseline].groupby("variant", sort=False):
        paired = treated.set_index(keys)["value"]
        joined = pd.DataFrame({"treated": paired, "base": base.reindex(paired.index)})
        for (metric, year), group in joined.groupby(level=["metric", "year"], sort=False):
            interval = paired_difference(group["treated"].to_numpy(), group["base"].to_numpy())
            difference = (group["treated"] - group["base"]).dropna()
            rows.append(
                {
                    "variant": variant,
                    "metric": metric,
                    "year": year,
                    "n": interval.n,
                    "mean": float(difference.mean()) if len(difference) else np.nan,
                    "low": interval.low,
                    "high": interval.high,
                    "band": "ci95" if interval.n >= 2 else "none",
                }
            )
    columns = ["variant", "metric", "year", "n", "mean", "low", "high", "band"]
    table = pd.DataFrame(rows, columns=columns)
    variants = [v for v in pd.unique(frame["variant"]) if v != baseline]
    result = _finalise(table, variants, wanted)
    result.insert(1, "baseline", baseline)
    return result


def effect_table(effect: pd.DataFrame, names: Sequence[str] | None = None) -> pd.DataFrame:
    """The counterfactual comparison of a run (columns year, metric, unit, reform,
    counterfactual, difference) as a difference table: one series, no band."""
    wanted = _ordered_metrics(effect, names)
    frame = effect[effect["metric"].isin(wanted)]
    rows = pd.DataFrame(
        {
            "variant": "reform",
            "metric": frame["metric"],
            "year": frame["year"],
            "n": 1,
            "mean": frame["difference"].astype(float),
            "low": np.nan,
            "high": np.nan,
            "band": "none",
        }
    )
    result = _finalise(rows, ["reform"], wanted)
    if "unit" in frame:  # the effect table's own units win for metrics the registry lacks
        units = dict(zip(frame["metric"], frame["unit"], strict=False))
        result["unit"] = [
            u or units.get(m, "") for m, u in zip(result["metric"], result["unit"], strict=True)
        ]
    result.insert(1, "baseline", "counterfactual")
    return result


def _colour_order(data: pd.DataFrame) -> list[str]:
    """Series in colour order: the baseline of a difference table keeps the first colour,
    so every arm has the same colour in trajectories and in differences."""
    variants = list(pd.unique(data["variant"]))
    if "baseline" in data and len(data):
        baseline = str(data["baseline"].iloc[0])
        return [baseline, *[v for v in variants if v != baseline]]
    return variants


def _draw_series(ax: Axes, rows: pd.DataFrame, colour: str, label: str) -> None:
    rows = rows.sort_values("year")
    years = rows["year"].to_numpy()
    ax.plot(
        years,
        rows["mean"].to_numpy(dtype=float),
        color=colour,
        label=label,
        marker="o",
        markersize=2,
    )
    low, high = rows["low"].to_numpy(dtype=float), rows["high"].to_numpy(dtype=float)
    if np.isfinite(low).any():
        ax.fill_between(years, low, high, color=colour, alpha=0.22, linewidth=0, label="_band")


def _panel(
    ax: Axes,
    rows: pd.DataFrame,
    colours: dict[str, str],
    lang: str,
    zero: bool,
    xlabel: bool,
    title_width: int,
) -> None:
    """Series of one metric: title is the metric, y label its unit (scaled for money)."""
    for variant, series in rows.groupby("variant", sort=False):
        _draw_series(ax, series, colours[variant], str(variant))
    if zero:
        ax.axhline(0.0, color="#333333", linewidth=0.6, zorder=1.5)
    metric = rows["metric"].iloc[0]
    unit = rows["unit"].iloc[0]
    values = pd.concat([rows["mean"], rows["low"], rows["high"]]).to_numpy(dtype=float)
    year_axis(ax, lang, label=xlabel)
    ax.set_title(wrap(metric_label(metric, lang), title_width))
    label = ("Δ {unit}" if lang == "en" else "差值（{unit}）") if zero else None
    value_axis(ax, unit, values, lang, label=label, width=28)


def _legend(figure: Figure, axes: list[Axes], count: int) -> None:
    if count < 2:
        return
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=min(count, 4))


def trajectories(data: pd.DataFrame, metric: str | None = None, *, lang: str = "en") -> Figure:
    """One metric over years: a line per series (mean) with its band (single column)."""
    metric = metric or str(data["metric"].iloc[0])
    rows = data[data["metric"] == metric]
    if rows.empty:
        raise ValueError(f"no rows for metric '{metric}'")
    variants = list(pd.unique(rows["variant"]))
    with house_style(lang):
        figure, ax = new_figure(height=2.5)
        colours = series_colours(_colour_order(data))
        _panel(
            ax, rows, colours, lang, zero=False, xlabel=True, title_width=46 if lang == "en" else 22
        )
        if len(variants) > 1:
            ax.legend(loc="best")
    return figure


def _grid(
    data: pd.DataFrame, metrics: Sequence[str] | None, lang: str, ncols: int, zero: bool
) -> Figure:
    names = list(metrics) if metrics is not None else list(pd.unique(data["metric"]))
    names = [name for name in names if data.loc[data["metric"] == name, "mean"].notna().any()]
    if not names:
        raise ValueError("no metric with finite values to plot")
    variants = list(pd.unique(data["variant"]))
    colours = series_colours(_colour_order(data))
    with house_style(lang):
        figure, axes = panel_grid(len(names), ncols, sharex=True)
        columns = min(ncols, len(names))
        for position, (ax, name) in enumerate(zip(axes, names, strict=True)):
            bottom = position + columns >= len(names)  # no panel below this one
            rows = data[data["metric"] == name]
            width = 30 if lang == "en" else 13
            _panel(ax, rows, colours, lang, zero=zero, xlabel=bottom, title_width=width)
            if bottom:
                ax.xaxis.set_tick_params(labelbottom=True)
        _legend(figure, axes, len(variants))
    return figure


def small_multiples(
    data: pd.DataFrame, metrics: Sequence[str] | None = None, *, lang: str = "en", ncols: int = 3
) -> Figure:
    """A grid of metrics (one panel each) with every series in each panel."""
    return _grid(data, metrics, lang, ncols, zero=False)


def paired_differences(
    data: pd.DataFrame, metrics: Sequence[str] | None = None, *, lang: str = "en", ncols: int = 3
) -> Figure:
    """Differences from the baseline (or counterfactual) over years, a panel per metric,
    with the 95% CI band of paired replications and a line at zero."""
    return _grid(data, metrics, lang, ncols, zero=True)
