"""Reports of the stored run and experiments: every figure's files, data that is what is
drawn, captions from the data, tables as LaTeX, self-contained HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.quiver import Quiver
from PIL import Image

from edusim.report import ReportInputError, build_report, load_results
from edusim.report.build import FigureSpec, experiment_figures, run_figures
from edusim.report.tables import latex_escape, latex_table

RUN_FIGURES = {
    "trajectory",
    "small_multiples",
    "effect",
    "quality_distribution",
    "group_convergence",
    "city_map",
    "teacher_flows",
}


def _specs(folder: Path) -> dict[str, FigureSpec]:
    source = load_results(folder)
    specs, _ = run_figures(source) if source.kind == "run" else experiment_figures(source)
    return {spec.name: spec for spec in specs}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


# -- files -------------------------------------------------------------------------------------


def test_a_run_report_draws_every_figure_kind_of_a_run(run_report):
    assert {entry.name for entry in run_report.figures} == RUN_FIGURES
    assert run_report.skipped == {}


@pytest.mark.parametrize("which", ["run_report", "compare_report", "morris_report"])
def test_every_figure_has_png_pdf_svg_data_and_caption(which, request):
    report = request.getfixturevalue(which)
    assert report.figures
    for entry in report.figures:
        png, pdf, svg = entry.files
        with Image.open(png) as image:
            assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
            assert image.width >= 3.4 * 300
        assert png.stat().st_size > 20_000, entry.name
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000
        assert b"<svg" in svg.read_bytes()[:1000]
        csvs = [p for p in entry.data_files if p.suffix == ".csv"]
        assert csvs and all(len(_csv(p)) for p in csvs), entry.name
        caption = png.with_name(f"{entry.name}.caption.txt").read_text(encoding="utf-8")
        assert caption.strip() == entry.caption


def test_experiment_reports_draw_the_experiment_figures(compare_report, morris_report):
    assert [e.name for e in compare_report.figures] == [
        "trajectory",
        "small_multiples",
        "paired_differences",
    ]
    assert [e.name for e in morris_report.figures] == [
        "trajectory",
        "small_multiples",
        "sensitivity",
    ]
    pooled = _csv(morris_report.folder / "figures" / "trajectory.csv")
    assert set(pooled["variant"]) == {"all design points"}


# -- the data drawn ------------------------------------------------------------------------------


def _lines(ax) -> dict[str, np.ndarray]:
    return {
        line.get_label(): np.asarray(line.get_ydata(), float)
        for line in ax.get_lines()
        if not line.get_label().startswith("_")
    }


def _check_series(figure, data: pd.DataFrame) -> None:
    axes = [ax for ax in figure.axes if ax.get_visible()]
    metrics = [
        m for m in pd.unique(data["metric"]) if data.loc[data["metric"] == m, "mean"].notna().any()
    ]
    assert len(axes) == len(metrics)
    for ax, metric in zip(axes, metrics, strict=True):
        lines = _lines(ax)
        for variant, rows in data[data["metric"] == metric].groupby("variant", sort=False):
            np.testing.assert_allclose(lines[variant], rows["mean"], rtol=1e-9, equal_nan=True)


def _check(name: str, figure, folder: Path) -> None:
    """The figure `spec.draw` makes from the written CSV draws exactly the CSV's numbers."""
    if name in ("trajectory", "small_multiples", "effect", "paired_differences"):
        _check_series(figure, _csv(folder / f"{name}.csv"))
    elif name == "quality_distribution":
        data = _csv(folder / f"{name}.csv")
        points = {c.get_gid(): c for c in figure.axes[0].collections if c.get_gid()}
        for (role, year), rows in data.groupby(["role", "year"]):
            np.testing.assert_allclose(
                points[f"{role}-{year}"].get_offsets()[:, 1], rows["quality"]
            )
    elif name == "group_convergence":
        data = _csv(folder / f"{name}.csv").fillna({"group_kind": ""})
        drawn = sorted(np.concatenate(list(_lines(ax).values())).tolist() for ax in figure.axes)
        kinds = [k for k in pd.unique(data["group_kind"]) if k]
        expected = [
            np.concatenate(
                [
                    data[(data["group_kind"] == k) & (data["role"] == r)]["mean"]
                    for r in ("core", "member")
                ]
                + [data[data["group_kind"] == ""]["mean"]]
            ).tolist()
            for k in kinds
        ]
        np.testing.assert_allclose(sorted(map(sorted, drawn)), sorted(map(sorted, expected)))
    elif name == "city_map":
        schools = _csv(folder / "city_map-schools.csv")
        links = _csv(folder / "city_map-links.csv")
        offsets, segments = [], []
        for ax in figure.axes:
            for artist in ax.collections:
                if isinstance(artist, PathCollection) and artist.get_gid():
                    offsets += artist.get_offsets().tolist()
                if isinstance(artist, LineCollection) and artist.get_gid():
                    segments += [s.ravel().tolist() for s in artist.get_segments()]
        np.testing.assert_allclose(
            sorted(offsets), sorted(schools[["x_km", "y_km"]].values.tolist())
        )
        expected = links[["x0_km", "y0_km", "x1_km", "y1_km"]].values.tolist()
        np.testing.assert_allclose(sorted(segments), sorted(expected))
    elif name == "teacher_flows":
        flows = _csv(folder / f"{name}.csv")
        arrows = [c for c in figure.axes[0].collections if isinstance(c, Quiver)]
        drawn = sorted(
            zip(
                np.concatenate([a.X for a in arrows]),
                np.concatenate([a.Y for a in arrows]),
                strict=True,
            )
        )
        np.testing.assert_allclose(drawn, sorted(zip(flows["x0_km"], flows["y0_km"], strict=True)))
    elif name == "sensitivity":
        data = _csv(folder / f"{name}.csv")
        widths = [p.get_width() for ax in figure.axes for p in ax.patches]
        np.testing.assert_allclose(widths, data["mu_star"])
    else:
        raise AssertionError(f"no check for {name}")


@pytest.mark.parametrize("which", ["run_report", "compare_report", "morris_report"])
def test_the_data_csv_is_what_the_figure_draws(which, request):
    report = request.getfixturevalue(which)
    specs = _specs(report.folder)
    folder = report.folder / "figures"
    for entry in report.figures:
        spec = specs[entry.name]
        data = spec.data()
        written = {
            p.stem.removeprefix(entry.name).lstrip("-"): _csv(p)
            for p in entry.data_files
            if p.suffix == ".csv"
        }
        frames = {"": data} if isinstance(data, pd.DataFrame) else data
        assert set(written) == set(frames)
        for key, frame in frames.items():
            back = written[key]
            assert list(back.columns) == list(frame.columns)
            for column in frame.columns:
                if pd.api.types.is_numeric_dtype(frame[column]):
                    np.testing.assert_allclose(
                        back[column], frame[column], rtol=1e-9, equal_nan=True
                    )
                else:
                    assert (
                        back[column].astype(object).fillna("").astype(str).tolist()
                        == frame[column].astype(str).tolist()
                    )
        _check(entry.name, spec.draw(data, "en"), folder)


# -- captions, documents, tables -------------------------------------------------------------------


def test_captions_state_replications_band_and_seeds(run_report, compare_report):
    for entry in run_report.figures:
        assert "Single replication (seed 7)" in entry.caption, entry.name
    captions = {e.name: e.caption for e in compare_report.figures}
    seeds = pd.read_csv(compare_report.folder / "tasks.csv")["seed"].unique()
    for caption in captions.values():
        assert "3 paired replications per arm" in caption
        assert all(str(seed) in caption for seed in seeds)
    assert "10th-90th percentile across replications" in captions["trajectory"]
    assert "95% confidence interval" in captions["paired_differences"]
    assert "baseline 'no-groups'" in captions["paired_differences"]
    flows = next(e.caption for e in run_report.figures if e.name == "teacher_flows")
    assert re.search(r"school year 20\d\d/\d\d: \d+ teachers", flows)


def test_report_md_and_html_hold_figures_tables_scenario_and_manifest(run_report):
    markdown = run_report.markdown.read_text(encoding="utf-8")
    page = run_report.html.read_text(encoding="utf-8")
    for entry in run_report.figures:
        assert f"(figures/{entry.name}.png)" in markdown
        assert entry.caption in markdown
    assert page.count("data:image/png;base64,") == len(run_report.figures)
    assert 'src="figures' not in page and "<link" not in page  # nothing outside the page
    manifest = json.loads((run_report.folder / "manifest.json").read_text())
    for text in (markdown, page):
        assert "## Resolved scenario" in text or "Resolved scenario" in text
        assert manifest["packages"]["numpy"] in text
        assert "quality_quartile_gap" in text
    assert "Effect of the reform in the final year" in markdown


def test_tables_are_written_as_csv_and_booktabs_latex(run_report, compare_report):
    tex = (run_report.folder / "tables" / "headline.tex").read_text(encoding="utf-8")
    for rule in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}"):
        assert rule in tex
    assert r"quality\_quartile\_gap" in tex
    headline = pd.read_csv(run_report.folder / "tables" / "headline.csv")
    assert {"metric", "label", "unit", "2018", "2021", "change"} <= set(headline.columns)
    assert (run_report.folder / "tables" / "effect.tex").is_file()
    summary = pd.read_csv(compare_report.folder / "tables" / "headline.csv")
    assert "difference [95% CI]" in summary.columns


def test_latex_escapes_its_special_characters():
    assert latex_escape("a_b & 50% #1 {x} ~ ^ $ \\") == (
        r"a\_b \& 50\% \#1 \{x\} \textasciitilde{} \textasciicircum{} \$ \textbackslash{}"
    )
    table = latex_table(pd.DataFrame({"name": ["x_y"], "value": [12345.678]}), caption="50%")
    assert r"\caption{50\%}" in table and "12,346" in table and "{lr}" in table


# -- what a folder is, and what it lacks ------------------------------------------------------------


def test_a_run_without_effect_or_city_leaves_those_figures_out(results_copy, record_tables):
    folder = results_copy("run")
    (folder / "effect.csv").unlink()
    (folder / "city.parquet").unlink()
    record_tables(folder)
    source = load_results(folder)
    specs, skipped = run_figures(source)
    assert {spec.name for spec in specs} == RUN_FIGURES - {"effect", "city_map"}
    assert "--counterfactual" in skipped["effect"] and "city table" in skipped["city_map"]


def test_a_csv_run_reads_back_like_the_parquet_run(results_copy, record_tables):
    folder = results_copy("run")
    for name in ("metrics", "schools", "events", "city"):
        path = folder / f"{name}.parquet"
        pd.read_parquet(path).to_csv(folder / f"{name}.csv", index=False)
        path.unlink()
    record_tables(folder)
    from_csv = load_results(folder)
    parquet = load_results(Path(__file__).resolve().parents[1] / "data" / "report" / "run")
    for name in ("schools", "events"):
        for column in ("group_kind", "group_role", "sector", "detail"):
            if column in parquet.tables[name]:
                expected = parquet.tables[name][column].tolist()
                assert from_csv.tables[name][column].tolist() == expected
    assert from_csv.tables["effect"].equals(parquet.tables["effect"])


@pytest.mark.parametrize("case", ["missing", "file", "empty", "unfinished"])
def test_a_folder_that_is_not_results_is_refused_clearly(tmp_path, case):
    target = tmp_path / "x"
    if case == "file":
        target.write_text("x")
    elif case == "empty":
        target.mkdir()
    elif case == "unfinished":
        target.mkdir()
        (target / "experiment.yaml").write_text("name: x\n")
    expected = {
        "missing": "no such directory",
        "file": "not a directory",
        "empty": "neither a run directory",
        "unfinished": "without metrics.parquet",
    }[case]
    with pytest.raises(ReportInputError, match=expected):
        build_report(target)


def test_rebuilding_replaces_the_report_and_leaves_nothing_behind(results_copy):
    folder = results_copy("compare")
    first = build_report(folder, formats=("svg",), workers=2)
    second = build_report(folder, formats=("svg",), workers=2)
    assert [e.name for e in first.figures] == [e.name for e in second.figures]
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    page = second.html.read_text(encoding="utf-8")
    assert page.count("data:image/svg+xml;base64,") == len(second.figures)  # no PNG: SVG
    assert sorted(p.suffix for p in (folder / "figures").glob("trajectory*")) == [
        ".csv",
        ".svg",
        ".txt",
    ]
