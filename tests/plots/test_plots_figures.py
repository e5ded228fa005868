"""Every figure kind renders from the stored result sets, and draws exactly its data table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.quiver import Quiver

from edusim import plots
from edusim.experiment.stats import paired_difference
from edusim.plots.city import raster_index
from edusim.plots.series import BANDS

FOCAL = "quality_quartile_gap"


def _series_lines(ax) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {
        line.get_label(): (np.asarray(line.get_xdata()), np.asarray(line.get_ydata(), float))
        for line in ax.get_lines()
        if not line.get_label().startswith("_")
    }


def _assert_panel_matches(ax, rows: pd.DataFrame) -> None:
    lines = _series_lines(ax)
    for variant, series in rows.groupby("variant", sort=False):
        x, y = lines[variant]
        np.testing.assert_array_equal(x, series["year"].to_numpy())
        np.testing.assert_allclose(y, series["mean"].to_numpy(float), equal_nan=True)


def _visible(figure: Figure) -> list:
    return [ax for ax in figure.axes if ax.get_visible()]


# -- trajectories, small multiples, differences ----------------------------------------------


def test_a_run_has_one_series_without_a_band(run_source):
    data = plots.trajectory_table(run_source.tables["metrics"], [FOCAL])
    assert (data["n"] == 1).all() and (data["band"] == "none").all()
    assert data[["low", "high"]].isna().all().all()
    figure = plots.trajectories(data)
    (ax,) = figure.axes
    _assert_panel_matches(ax, data)
    assert not ax.collections  # no band drawn
    assert ax.get_ylabel() == "pupil SD per year" and ax.get_xlabel() == "Year"


@pytest.mark.parametrize("band", ["p10-p90", "ci95"])
def test_experiment_trajectories_have_bands_across_replications(compare_source, band):
    metrics = compare_source.metrics
    data = plots.trajectory_table(metrics, ["quality_sd"], band=band)
    assert set(data["band"]) == {band} and band in BANDS
    assert (data["n"] == 3).all()
    row = data.iloc[-1]
    values = metrics[
        (metrics["variant"] == row["variant"])
        & (metrics["metric"] == "quality_sd")
        & (metrics["year"] == row["year"])
    ]["value"].to_numpy()
    if band == "p10-p90":
        assert row["low"] == pytest.approx(np.quantile(values, 0.1))
        assert row["high"] == pytest.approx(np.quantile(values, 0.9))
    else:
        assert row["low"] < values.mean() < row["high"]
    figure = plots.trajectories(data)
    _assert_panel_matches(figure.axes[0], data)
    assert len(figure.axes[0].collections) == data["variant"].nunique()  # one band each


def test_small_multiples_draw_one_panel_per_metric_with_units(compare_source):
    data = plots.trajectory_table(compare_source.metrics, compare_source.metric_names)
    figure = plots.small_multiples(data)
    axes = _visible(figure)
    names = list(pd.unique(data["metric"]))
    assert len(axes) == len(names)
    for ax, name in zip(axes, names, strict=True):
        _assert_panel_matches(ax, data[data["metric"] == name])
        assert ax.get_ylabel(), name  # a unit on every value axis
        assert ax.get_title(loc="left").replace("\n", " ") == plots.metric_label(name)
    money = axes[names.index("premium_top_decile_cny")]
    assert money.get_ylabel() in ("thousand CNY", "million CNY")


def test_paired_differences_are_the_experiment_statistics(compare_source):
    metrics = compare_source.metrics
    data = plots.difference_table(metrics, "no-groups", ["quality_sd"])
    assert set(data["variant"]) == {"tight"} and set(data["baseline"]) == {"no-groups"}
    last = data.iloc[-1]
    year = last["year"]
    pick = metrics[(metrics["metric"] == "quality_sd") & (metrics["year"] == year)]
    tight = pick[pick["variant"] == "tight"].sort_values("replicate")["value"].to_numpy()
    base = pick[pick["variant"] == "no-groups"].sort_values("replicate")["value"].to_numpy()
    interval = paired_difference(tight, base)
    assert (last["mean"], last["low"], last["high"]) == pytest.approx(
        (interval.mean, interval.low, interval.high)
    )
    figure = plots.paired_differences(data)
    (ax,) = _visible(figure)
    _assert_panel_matches(ax, data)
    assert ax.get_ylabel().startswith("Δ")


def test_the_effect_table_of_a_counterfactual_run_is_drawn_as_differences(run_source):
    effect = run_source.tables["effect"]
    data = plots.effect_table(effect, [FOCAL, "premium_top_decile_cny"])
    expected = effect[effect["metric"] == FOCAL].sort_values("year")["difference"].to_numpy()
    np.testing.assert_allclose(data[data["metric"] == FOCAL]["mean"], expected)
    figure = plots.paired_differences(data)
    for ax, name in zip(_visible(figure), [FOCAL, "premium_top_decile_cny"], strict=True):
        _assert_panel_matches(ax, data[data["metric"] == name])


# -- schools ---------------------------------------------------------------------------------


def test_quality_distribution_shows_every_public_school_at_start_and_end(run_source):
    schools = run_source.tables["schools"]
    data = plots.quality_distribution_table(schools)
    public = schools[schools["sector"] == "public"]
    assert len(data) == 2 * public["school"].nunique()
    assert set(data["year"]) == {schools["year"].min(), schools["year"].max()}
    assert set(data["role"]) == {"core", "member", "none"}
    figure = plots.quality_distribution(data)
    points = {c.get_gid(): c for c in figure.axes[0].collections if isinstance(c, PathCollection)}
    for (role, year), rows in data.groupby(["role", "year"]):
        drawn = points[f"{role}-{year}"].get_offsets()[:, 1]
        np.testing.assert_allclose(drawn, rows["quality"].to_numpy())


def test_group_convergence_follows_cores_and_members(run_source):
    data = plots.convergence_table(run_source.tables["schools"])
    assert set(data["group_kind"]) == {"", "tight", "alliance"}
    figure = plots.group_convergence(data)
    axes = _visible(figure)
    assert len(axes) == 2
    for ax in axes:
        kind = "tight" if ax.get_title(loc="left").startswith("tight") else "alliance"
        lines = _series_lines(ax)
        for role, label in (("core", "Core school"), ("member", "Member school")):
            rows = data[(data["group_kind"] == kind) & (data["role"] == role)]
            np.testing.assert_allclose(lines[label][1], rows["mean"].to_numpy())
        reference = data[data["group_kind"] == ""]["mean"].to_numpy()
        np.testing.assert_allclose(lines["In no group"][1], reference)


def _overlapping_groups() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five public schools over two years: school 0 leads a tight group (member 1) and an
    urban-rural community (member 2); school 3 leads a vertical group (member 2); school
    4 is in no group. The schools table holds each school's tightest group only."""
    quality = [0.5, 0.1, -0.3, 0.4, 0.0, 0.55, 0.2, -0.2, 0.45, 0.0]
    schools = pd.DataFrame(
        {
            "year": [2018] * 5 + [2019] * 5,
            "school": list(range(5)) * 2,
            "sector": "public",
            "quality": quality,
            "group_id": [-1] * 5 + [0, 0, 2, 2, -1],
            "group_kind": [""] * 5 + ["tight", "tight", "vertical", "vertical", ""],
            "group_role": [""] * 5 + ["core", "member", "member", "core", ""],
        }
    )
    memberships = pd.DataFrame(
        {
            "year": 2019,
            "school": [0, 1, 0, 2, 3, 2],
            "group_id": [0, 0, 1, 1, 2, 2],
            "group_kind": ["tight", "tight", "community", "community", "vertical", "vertical"],
            "role": ["core", "member", "core", "member", "core", "member"],
        }
    )
    return schools, memberships


def test_group_convergence_shows_the_cores_of_every_kind_from_memberships():
    schools, memberships = _overlapping_groups()
    headline = plots.convergence_table(schools)
    assert "community" not in set(headline["group_kind"])  # its core is tight in `schools`
    data = plots.convergence_table(schools, memberships)
    final = data[data["year"] == 2019].set_index(["group_kind", "role"])["n"]
    assert final.to_dict() == {
        ("", "none"): 1,
        ("community", "core"): 1,
        ("community", "member"): 1,
        ("tight", "core"): 1,
        ("tight", "member"): 1,
        ("vertical", "core"): 1,
        ("vertical", "member"): 1,
    }
    community = data[(data["group_kind"] == "community") & (data["role"] == "core")]
    assert community["mean"].tolist() == [0.5, 0.55]  # school 0 from the start
    figure = plots.group_convergence(data)
    titles = sorted(ax.get_title(loc="left") for ax in _visible(figure))
    assert len(titles) == 3 and all("1 cores, 1 members" in title for title in titles)


# -- the city ----------------------------------------------------------------------------------


def test_the_raster_shows_every_cell_and_each_pixel_lies_in_its_cell(run_source):
    city = run_source.tables["city"]
    x, y, size = (city[c].to_numpy() for c in ("x_km", "y_km", "size_km"))
    index, (left, right, bottom, top) = raster_index(x, y, size)
    rows, columns = index.shape
    px = left + (np.arange(columns) + 0.5) * (right - left) / columns
    py = bottom + (np.arange(rows) + 0.5) * (top - bottom) / rows
    gx, gy = np.meshgrid(px, py)
    covered = index >= 0
    cell = index[covered]
    assert (np.abs(gx[covered] - x[cell]) <= size[cell] / 2 + 1e-9).all()
    assert (np.abs(gy[covered] - y[cell]) <= size[cell] / 2 + 1e-9).all()
    assert np.unique(cell).size == len(city)  # no cell is lost


def test_a_large_cell_beside_small_ones_is_covered_to_its_edge():
    # a 4 km cell with eight 1 km cells along its right edge: near that edge the small
    # cells' centres are nearer than the large cell's (a 4-nearest lookup left holes there)
    x = np.array([0.0] + [2.5] * 4 + [3.5] * 4)
    y = np.array([0.0] + [-1.5, -0.5, 0.5, 1.5] * 2)
    size = np.array([4.0] + [1.0] * 8)
    index, (left, right, bottom, top) = raster_index(x, y, size)
    rows, columns = index.shape
    px = left + (np.arange(columns) + 0.5) * (right - left) / columns
    py = bottom + (np.arange(rows) + 0.5) * (top - bottom) / rows
    gx, gy = np.meshgrid(px, py)
    in_large = (np.abs(gx) < 2) & (np.abs(gy) < 2)
    assert in_large.any() and (index[in_large] == 0).all()
    assert (index[(gx > 2) & (gx < 4) & (np.abs(gy) < 2)] > 0).all()


def test_city_map_draws_every_school_and_group_link(run_source):
    tables = plots.city_map_tables(run_source.tables["city"], run_source.tables["schools"])
    schools, links, cells = tables["schools"], tables["links"], tables["cells"]
    assert set(cells["stage"]) == {"primary", "junior"}
    assert len(cells) == 2 * len(run_source.tables["city"])
    assert len(links) == (schools["role"] == "member").sum()
    figure = plots.city_map(tables)
    drawn_points, drawn_links = [], []
    for ax in figure.axes:
        for artist in ax.collections:
            if isinstance(artist, PathCollection) and artist.get_gid():
                stage, role = artist.get_gid().split("-")
                rows = schools[(schools["stage"] == stage) & (schools["role"] == role)]
                np.testing.assert_allclose(artist.get_offsets(), rows[["x_km", "y_km"]])
                drawn_points.append(len(rows))
            if isinstance(artist, LineCollection) and artist.get_gid():
                drawn_links += [segment.tolist() for segment in artist.get_segments()]
    assert sum(drawn_points) == len(schools)
    expected = links[["x0_km", "y0_km", "x1_km", "y1_km"]].to_numpy().reshape(-1, 2, 2)
    assert sorted(drawn_links) == sorted(expected.tolist())
    labels = [ax.get_xlabel() for ax in figure.axes[:2]]
    assert labels == ["East-west (km)"] * 2


def test_teacher_flows_count_every_posting_of_the_year(run_source):
    events, schools = run_source.tables["events"], run_source.tables["schools"]
    flows = plots.teacher_flow_table(events, schools)
    year = int(flows["school_year"].iloc[0])
    postings = events[(events["kind"] == "posting") & (events["year"] == year)]
    assert flows["teachers"].sum() == len(postings)
    tiers = [json.loads(detail)["tier"] for detail in postings["detail"]]
    assert flows["backbone"].sum() == sum(tier >= 1 for tier in tiers)
    assert flows[["from_school", "to_school"]].notna().all().all()
    figure = plots.teacher_flows(flows, schools)
    arrows = [c for c in figure.axes[0].collections if isinstance(c, Quiver)]
    drawn = sorted(
        zip(
            np.concatenate([a.X for a in arrows]),
            np.concatenate([a.U for a in arrows]),
            strict=True,
        )
    )
    expected = sorted(zip(flows["x0_km"], flows["x1_km"] - flows["x0_km"], strict=True))
    np.testing.assert_allclose(drawn, expected)
    matrix = figure.axes[1].images[0].get_array()
    assert matrix.sum() == flows["teachers"].sum()


def test_no_postings_means_no_flow_figure(run_source):
    events = run_source.tables["events"]
    flows = plots.teacher_flow_table(
        events[events["kind"] != "posting"], run_source.tables["schools"]
    )
    assert flows.empty
    with pytest.raises(ValueError, match="no postings"):
        plots.teacher_flows(flows)


# -- sensitivity -------------------------------------------------------------------------------


def test_sensitivity_bars_are_the_morris_indices(morris_source):
    data = plots.sensitivity_table(morris_source.sensitivity)
    assert set(data["parameter"]) == {"learning.peer_effect", "housing.adjust_speed"}
    figure = plots.sensitivity_bars(data)
    for ax, (metric, rows) in zip(
        _visible(figure), data.groupby("metric", sort=False), strict=True
    ):
        widths = [patch.get_width() for patch in ax.patches]
        np.testing.assert_allclose(widths, rows["mu_star"].to_numpy())
        assert ax.get_xlabel(), metric


def test_sobol_tables_get_two_bars_per_parameter():
    table = pd.DataFrame(
        {
            "metric": ["quality_sd"] * 2,
            "parameter": ["a", "b"],
            "S1": [0.5, 0.2],
            "S1_conf": [0.05, 0.04],
            "ST": [0.6, 0.3],
            "ST_conf": [0.06, 0.05],
            "note": ["", ""],
        }
    )
    figure = plots.sensitivity_bars(plots.sensitivity_table(table))
    (ax,) = _visible(figure)
    assert sorted(p.get_width() for p in ax.patches) == [0.2, 0.3, 0.5, 0.6]
    assert ax.get_xlabel() == "share of variance"
