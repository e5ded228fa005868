"""The house style: labels in both languages, units, fonts, files that reproduce, and one
image compared with a stored reference."""

from __future__ import annotations

import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.testing.compare import compare_images
from PIL import Image
from reference_figures import KINDS, REFERENCE, save_reference_figure

from edusim import plots
from edusim.metrics import METRICS
from edusim.plots.axes import money_scale
from edusim.plots.fonts import FontMissingError, cjk_family
from edusim.plots.labels import METRIC_LABELS, UNIT_ZH, metric_label, unit_label
from edusim.plots.style import PALETTE, house_style, new_figure, save_figure


def test_every_registry_metric_has_an_english_and_a_chinese_label():
    missing = [name for name in METRICS if name not in METRIC_LABELS]
    assert missing == [], f"add these metrics to plots/labels.py METRIC_LABELS: {missing}"
    for name in METRICS:
        assert metric_label(name, "en") and metric_label(name, "zh") != metric_label(name, "en")


def test_every_registry_unit_has_a_chinese_translation():
    missing = sorted({entry.unit for entry in METRICS.values()} - set(UNIT_ZH))
    assert missing == [], f"add these units to plots/labels.py UNIT_ZH: {missing}"


def test_unknown_names_fall_back_to_english():
    assert metric_label("some_new_metric", "zh") == "Some new metric"
    assert unit_label("furlongs", "zh") == "furlongs"
    with pytest.raises(ValueError, match="unknown language"):
        metric_label("quality_sd", "fr")


@pytest.mark.parametrize(
    ("unit", "values", "lang", "expected"),
    [
        ("CNY", [350_000.0], "en", (1e3, "thousand CNY")),
        ("CNY", [4_600_000.0], "en", (1e6, "million CNY")),
        ("CNY per year", [2.5e6], "zh", (1e4, "万元/年")),
        ("CNY", [3e9], "zh", (1e8, "亿元")),
        ("CNY", [900.0], "en", (1.0, "CNY")),
        ("pupil SD", [1e6], "en", (1.0, "pupil SD")),
    ],
)
def test_money_is_shown_in_readable_units(unit, values, lang, expected):
    assert money_scale(unit, values, lang) == expected


def test_the_palette_is_okabe_ito_and_the_style_does_not_leak():
    assert PALETTE[0] == "#0072B2" and len(set(PALETTE)) == len(PALETTE)
    before = dict(mpl.rcParams)
    with house_style():
        assert mpl.rcParams["savefig.dpi"] == 300
        assert mpl.rcParams["svg.hashsalt"] == "edusim"
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][0].upper() == "#0072B2"
    assert dict(mpl.rcParams) == before


def _small_figure(lang: str = "en"):
    data = pd.DataFrame(
        {
            "variant": ["a"] * 3 + ["b"] * 3,
            "metric": "quality_sd",
            "unit": "pupil SD per year",
            "year": [2018, 2019, 2020] * 2,
            "n": 5,
            "mean": [0.15, 0.14, 0.13, 0.15, 0.12, 0.10],
            "low": [0.14, 0.13, 0.12, 0.14, 0.11, 0.09],
            "high": [0.16, 0.15, 0.14, 0.16, 0.13, 0.11],
            "band": "p10-p90",
        }
    )
    return plots.trajectories(data, lang=lang)


def test_files_are_300_dpi_and_reproducible(tmp_path):
    first = save_figure(_small_figure(), tmp_path / "one", title="t", description="d")
    second = save_figure(_small_figure(), tmp_path / "two", title="t", description="d")
    assert [p.suffix for p in first] == [".png", ".pdf", ".svg"]
    with Image.open(first[0]) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        assert image.width == pytest.approx(3.5 * 300, abs=2)
        assert image.info["Description"] == "d"
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.suffix
    assert b"CreationDate" not in first[1].read_bytes()


def test_the_faster_png_compression_keeps_every_pixel(tmp_path):
    (ours,) = save_figure(_small_figure(), tmp_path / "ours", formats=("png",))
    with house_style():
        _small_figure().savefig(tmp_path / "default.png", dpi=300)  # Pillow's level 6
    with Image.open(ours) as a, Image.open(tmp_path / "default.png") as b:
        assert np.array_equal(np.asarray(a), np.asarray(b))


def test_chinese_labels_use_a_cjk_font_without_missing_glyphs(tmp_path):
    family = cjk_family()
    with house_style("zh"):
        path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
        assert family in {f.name for f in font_manager.fontManager.ttflist if f.fname == path}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a warning
        figure = _small_figure("zh")
        files = save_figure(figure, tmp_path / "zh", formats=("png", "pdf"), lang="zh")
    assert figure.axes[0].get_xlabel() == "年份"
    assert files[0].stat().st_size > 10_000
    assert b"NotoSansCJK" in files[1].read_bytes() or family.encode() in files[1].read_bytes()


def test_a_missing_cjk_font_says_how_to_install_one():
    with pytest.raises(FontMissingError, match=r'pip install "edusim\[zh\]"'):
        cjk_family(families=("No Such Font",), packages=(("no_such_package", "FONT_PATH"),))


@pytest.mark.parametrize("kind", KINDS)
def test_figures_match_the_reference_images(kind, compare_source, run_source, tmp_path):
    """Compared only: after a deliberate change of a figure, rewrite the references with
    `python tests/data/update_reference_images.py` (never as a side effect of a test)."""
    actual = save_reference_figure(kind, compare_source, run_source, tmp_path / f"{kind}.png")
    assert compare_images(str(REFERENCE / f"{kind}.png"), str(actual), tol=3) is None


def test_a_plotted_band_is_the_data_band():
    figure = _small_figure()
    band = figure.axes[0].collections[0]
    vertices = band.get_paths()[0].vertices
    assert np.isclose(vertices[:, 1].max(), 0.16) and np.isclose(vertices[:, 1].min(), 0.12)


def test_each_format_draws_the_figure_once(tmp_path):
    """savefig of a figure with a layout engine draws it twice (once only to lay it
    out); save_figure lays it out itself and leaves no engine, so one draw a file."""
    figure = _small_figure()
    draws = []
    plain_draw = figure.draw
    figure.draw = lambda renderer: draws.append(renderer) or plain_draw(renderer)
    save_figure(figure, tmp_path / "once", formats=("png", "pdf", "svg"))
    assert len(draws) == 3
    assert figure.get_layout_engine() is None


def test_every_format_keeps_the_layout_of_the_png(tmp_path):
    """The vector files are laid out as the PNG is (at 300 dpi), not again at their
    own 72 dpi after the PNG (savefig would restore the house style's engine)."""
    after_png = save_figure(_small_figure(), tmp_path / "after", formats=("png", "svg"))[1]
    (alone,) = save_figure(_small_figure(), tmp_path / "alone", formats=("svg",))
    assert after_png.read_bytes() == alone.read_bytes()


def _pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image)


def _lifted_title_figure():
    """A left title over a y axis with a multiplier (1e6), which lifts the title."""
    with house_style():
        figure, ax = new_figure()
        ax.plot([2018, 2019, 2020], [1.2e6, 2.5e6, 3.1e6])
        ax.set_title("Pupils", loc="left")
    return figure


def test_titles_are_held_at_the_top_where_nothing_lifts_them(tmp_path):
    """matplotlib re-measures the y axis to place a title at every layout pass and draw;
    where nothing reaches over the axes, save_figure holds it at y = 1 instead."""
    figure = _small_figure()
    save_figure(figure, tmp_path / "held", formats=("png",))
    assert figure.axes[0]._autotitlepos is False
    assert figure.axes[0]._left_title.get_position()[1] == 1.0


def test_a_title_lifted_by_a_multiplier_is_where_matplotlib_puts_it(tmp_path):
    figure = _lifted_title_figure()
    (ours,) = save_figure(figure, tmp_path / "ours", formats=("png",))
    with house_style():
        _lifted_title_figure().savefig(tmp_path / "plain.png", dpi=300)
    ax = figure.axes[0]
    assert ax.yaxis.offsetText.get_text() == "1e6"
    assert ax._left_title.get_position()[1] > 1.0  # lifted over the multiplier
    assert np.array_equal(_pixels(ours), _pixels(tmp_path / "plain.png"))
