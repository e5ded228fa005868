"""The report of a province run folder: a table of its cities, the province's metrics
and the gaps between cities, figures of both, as report.md and a self-contained
report.html.

It reads what `edusim run PROVINCE.yaml` wrote (manifest.json, province.parquet and each
city's metrics table, checked against the manifest's checksums) and never runs a city.
Like the other reports, everything is written to a staging folder first and moved into
place at the end.
"""

from __future__ import annotations

import html
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pandas as pd

from edusim.checksum import file_sha256
from edusim.plots import province as figures
from edusim.report.figure_sections import html_figures, markdown_figures
from edusim.report.render import FigureSpec
from edusim.report.sources import ReportInputError, read_file
from edusim.report.tables import html_table, latex_table, markdown_table

SHOWN_METRICS: tuple[str, ...] = (
    "mean_achievement",
    "achievement_quartile_gap",
    "urban_rural_gap",
    "quality_sd",
    "ses_dissimilarity",
    "premium_mean_cny",
)
"""The metrics of the city table and the figures (the summary's, pupils aside: pupils
are a column of the city table)."""

PROVINCE_COLUMNS = ["metric", "unit", "aggregate", "value", "min", "max", "city_min"]
PROVINCE_COLUMNS += ["city_max", "range", "sd_between"]


def is_province(path: Path) -> bool:
    """Whether `path` is a finished province run (its manifest names a province)."""
    manifest = path / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        return "province" in json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def _checked(path: Path, relative: str, sha256: str) -> pd.DataFrame:
    file = path / relative
    if not file.is_file() or file_sha256(file) != sha256:
        raise ReportInputError(
            f"{path}: {relative} is missing or does not match manifest.json (the folder was "
            "changed after the run); rerun the province with the same --out"
        )
    return read_file(file)


def read_province(path: Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """The manifest, the province table and every city's metrics (a `city` column added),
    each table checked against the manifest's checksum."""
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    fmt = manifest.get("format", "parquet")
    entry = manifest["tables"]["province"]
    table = _checked(path, entry["file"], entry["sha256"])
    cities = []
    for shard in manifest["shards"]:
        relative = next(
            (key for key in manifest["city_metrics_sha256"] if key.split("/")[1] == shard["city"]),
            f"cities/{shard['city']}/metrics",
        )
        metrics = _checked(
            path, f"{relative}.{fmt}", manifest["city_metrics_sha256"].get(relative, "")
        )
        cities.append(metrics.assign(city=shard["city"]))
    return manifest, table, pd.concat(cities, ignore_index=True)


def city_table(manifest: dict[str, Any], cities: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per city: its pupils and schools as specified, and its value of each shown
    metric in `year`."""
    final = cities[(cities["year"] == year) & cities["metric"].isin(SHOWN_METRICS)]
    wide = final.pivot_table(index="city", columns="metric", values="value", sort=False)
    shards = pd.DataFrame(manifest["shards"])[["city", "pupils", "schools", "seed"]]
    order = [m for m in SHOWN_METRICS if m in wide.columns]
    return shards.merge(wide[order].reset_index(), on="city", how="left")


def _city_values(cities: pd.DataFrame, table: pd.DataFrame, year: int) -> pd.DataFrame:
    final = cities[(cities["year"] == year) & cities["metric"].isin(SHOWN_METRICS)]
    province = table[table["year"] == year].set_index("metric")
    final = final.dropna(subset=["value"])
    data = final[["metric", "city", "value"]].assign(
        unit=final["metric"].map(province["unit"]), province=final["metric"].map(province["value"])
    )[["metric", "unit", "city", "value", "province"]]
    order = {metric: position for position, metric in enumerate(SHOWN_METRICS)}
    return data.sort_values("metric", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


def _specs(table: pd.DataFrame, cities: pd.DataFrame, year: int) -> list[FigureSpec]:
    over_years = table[table["metric"].isin(SHOWN_METRICS)][
        ["metric", "unit", "year", "value", "min", "max"]
    ].dropna(subset=["value"])
    order = {metric: position for position, metric in enumerate(SHOWN_METRICS)}
    over_years = over_years.sort_values("metric", key=lambda s: s.map(order), kind="stable")
    return [
        FigureSpec(
            "province_cities",
            lambda: _city_values(cities, table, year),
            lambda data, lang: figures.cities_beside_province(data, lang=lang),
            lambda data, lang: (
                f"Each city's value in {year} (dots, lowest at the bottom) and the province's "
                "pupil-weighted value (line): the distance between the dots is the gap "
                "between cities that the province value averages away."
            ),
        ),
        FigureSpec(
            "province_over_years",
            lambda: over_years.reset_index(drop=True),
            lambda data, lang: figures.province_over_years(data, lang=lang),
            lambda data, lang: (
                "The province's pupil-weighted value by year (line) and the band from the "
                "lowest to the highest city that year."
            ),
        ),
    ]


def build_province_report(
    path: Path, *, lang: str = "en", formats: tuple[str, ...] = ("png",), workers: int = 1
):
    """Write figures, tables, report.md and report.html into a province run folder."""
    from edusim.report.build import (
        _move_into_place,
        finished_report,
        open_staging,
        rendered,
        report_names,
    )

    started = time.perf_counter()
    try:
        manifest, table, cities = read_province(path)
    except (KeyError, ValueError, OSError) as error:
        raise ReportInputError(f"{path}: cannot read the province run ({error})") from None
    year = int(table["year"].max())
    suffix = "" if lang == "en" else f"-{lang}"
    staging, figures_dir, tables_dir = open_staging(path, suffix)
    try:
        skipped: dict[str, str] = {}
        entries = rendered(
            _specs(table, cities, year), figures_dir, lang, formats, workers, skipped
        )
        final = table[table["year"] == year]
        shown = {
            "cities": city_table(manifest, cities, year),
            "province": final[final["metric"].isin(SHOWN_METRICS)][
                [c for c in PROVINCE_COLUMNS if c in final]
            ].reset_index(drop=True),
        }
        name = manifest["province"]
        for key, frame in shown.items():
            frame.to_csv(tables_dir / f"{key}.csv", index=False, float_format="%.10g")
            (tables_dir / f"{key}.tex").write_text(
                latex_table(frame, caption=f"{name}: {key}", label=f"tab:{name}-{key}"),
                encoding="utf-8",
            )
        (staging / f"report{suffix}.md").write_text(
            _markdown(manifest, year, shown, entries, skipped, suffix), encoding="utf-8"
        )
        (staging / f"report{suffix}.html").write_text(
            _html(manifest, year, shown, entries, skipped), encoding="utf-8"
        )
        _move_into_place(staging, path, report_names(suffix))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return finished_report(path, lang, suffix, entries, skipped, started)


def _intro(manifest: dict[str, Any], year: int) -> str:
    return (
        f"Province {manifest['province']}, seed {manifest['seed']}, scale "
        f"{manifest.get('scale', 1.0):g}: {len(manifest['shards'])} cities, each simulated as "
        f"its own shard (tables in cities/<city>/). The province's value of a count is the "
        "sum of its cities'; of every other metric, the pupil-weighted mean of the city "
        f"values; range and sd_between are the gaps between cities. Year shown: {year}."
    )


def _markdown(manifest, year, shown, entries, skipped, suffix) -> str:
    lines = [f"# Province report: {manifest['province']}", "", _intro(manifest, year), ""]
    lines += [f"## Cities in {year}", "", markdown_table(shown["cities"]), ""]
    lines += [f"## The province in {year}", "", markdown_table(shown["province"]), ""]
    lines += markdown_figures(entries, skipped, suffix)
    return "\n".join(lines) + "\n"


def _html(manifest, year, shown, entries, skipped) -> str:
    from edusim.report.document import CSS

    title = f"Province report: {manifest['province']}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f"<head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{CSS}</style></head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(_intro(manifest, year))}</p>",
        f"<h2>Cities in {year}</h2>",
        html_table(shown["cities"]),
        f"<h2>The province in {year}</h2>",
        html_table(shown["province"]),
    ]
    parts += html_figures(entries, skipped)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
