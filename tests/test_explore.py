"""`edusim explore` and SolaraViz used directly: `SolaraViz(EduModel(...), components=...,
model_params=...)` renders, steps a year and resets with the sliders' values on the Mesa
installed (3.3 to 3.5; Mesa 3.5's Reset re-creates the model from `model.scenario`); the
map draws the city, the charts draw a line from the first school year on, and the served
page shows the map and the charts in headless Chromium and steps a year."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

from edusim.cli import main
from edusim.explore import (
    POLICY_SLIDERS,
    city_map_figure,
    explore_page,
    metric_chart_figure,
    slider_defaults,
)
from edusim.model import EduModel

ALLIANCE = [
    {
        "name": "G",
        "kind": "alliance",
        "formed": "2018-09-01",
        "stage": "primary",
        "target_share": 0.6,
    }
]


pytestmark = pytest.mark.usefixtures("release_unfinished_models")


def test_the_map_shows_cells_schools_and_group_links():
    model = EduModel("demo", seed=4, years=1, overrides={"groups.rules": ALLIANCE}).run()
    figure = city_map_figure(model)
    axes = figure.axes[0]
    # cells, primary schools, junior schools (scatter) and the group links (lines)
    offsets = [len(c.get_offsets()) for c in axes.collections if hasattr(c, "get_offsets")]
    assert model.geography.n_cells in offsets
    assert int((model.school_table.stage == 0).sum()) in offsets
    links = [c for c in axes.collections if type(c).__name__ == "LineCollection"]
    assert len(links) == 1
    members = int((model.groups.role != 1).sum())
    assert members > 0 and len(links[0].get_segments()) == members
    assert "school year 2018" in axes.get_title()


def test_solaraviz_accepts_edumodels_parameters_and_the_sliders():
    pytest.importorskip("solara")
    from mesa.visualization import solara_viz

    params = {"scenario": "demo", "years": 2, **{name: 0.1 for name in POLICY_SLIDERS}}
    model = EduModel(**params)
    # as ModelCreator checks: Mesa 3.3 the class's __init__, 3.5 the model and its scenario
    build = getattr(solara_viz, "_build_model_init_kwargs", None)
    solara_viz._check_model_params(model if build else EduModel.__init__, params)
    assert model.resolved_scenario.learning.peer_effect == 0.1
    assert model.resolved_scenario.rotation.share_of_eligible == 0.1


def test_the_charts_draw_a_line_from_the_city_as_built_after_one_school_year():
    model = EduModel("demo", years=2, seed=3)
    model.step()
    line = metric_chart_figure(model, ("quality_sd",)).axes[0].lines[0]
    years, values = line.get_data()
    assert list(years) == [2018, 2019]  # the city as built and after one school year
    stored = model.tables()["metrics"].query("metric == 'quality_sd'")
    assert list(values) == list(stored.sort_values("year")["value"])


def _render(page):
    """Render a SolaraViz page as the server does: inside an AppLayout, which holds the
    sidebar (the controls and the sliders)."""
    import solara

    @solara.component
    def Served():
        with solara.AppLayout():
            solara.Column(children=[page])

    return solara.render(Served(), handle_error=False)[1]


def _click(rendered, label: str) -> None:
    import ipyvuetify

    rendered.find(ipyvuetify.Btn, children=[label]).widget.click()


def test_solaraviz_drives_edumodel_directly_step_and_reset_with_the_sliders():
    """The documented API, no browser: Mesa's SolaraViz with an EduModel, Mesa's own plot
    component and a slider; Step runs a school year, Reset re-creates the same city
    (Mesa 3.5 passes `scenario=type(model.scenario)()`) with the slider's value."""
    solara = pytest.importorskip("solara")
    from mesa.visualization import Slider, SolaraViz, make_plot_component

    model = solara.reactive(EduModel("demo-lifecycle", years=2, seed=5))
    page = SolaraViz(
        model,
        components=[make_plot_component(["quality_sd"])],
        model_params={
            "scenario": "demo-lifecycle",
            "years": 2,
            "seed": 5,
            "learning__peer_effect": Slider("peer effect", 0.07, 0.0, 0.1, 0.005),
        },
    )
    rendered = _render(page)
    first = model.value
    _click(rendered, "Step")
    assert first.steps == 1 and first.current_school_year == 2018
    _click(rendered, "Reset")
    again = model.value
    assert again is not first and again.steps == 0
    assert again.resolved_scenario.name == "demo-lifecycle"  # not the default, demo
    assert again.resolved_scenario.years == 2 and again.seed == 5
    assert again.resolved_scenario.learning.peer_effect == 0.07  # the slider's value
    reference = EduModel("demo-lifecycle", years=2, seed=5, learning__peer_effect=0.07)
    assert again.resolved_scenario == reference.resolved_scenario
    np.testing.assert_array_equal(  # the same city: same seed, same schools
        again.school_table.teaching_quality, reference.school_table.teaching_quality
    )
    _click(rendered, "Step")
    assert again.steps == 1


def test_the_explore_page_renders_and_steps_without_a_browser():
    """The page of `edusim explore`: the map and three charts as images; Step redraws them,
    Reset and Step again work."""
    pytest.importorskip("solara")
    import ipywidgets

    rendered = _render(explore_page("demo", years=2, seed=3))

    def images() -> list[bytes]:
        return [bytes(found.value) for found in rendered.find(ipywidgets.Image).widgets]

    before = images()
    assert len(before) >= 4 and all(before)  # the map and the three charts
    _click(rendered, "Step")
    after = images()
    assert len(after) == len(before) and all(a != b for a, b in zip(after, before, strict=True))
    _click(rendered, "Reset")
    _click(rendered, "Step")
    assert images() == after  # the same city again: same seed, same first year


def test_a_mesa_scenario_rebuilds_the_model_it_came_from():
    model = EduModel("demo", years=2, seed=9, learning__peer_effect=0.04)
    assert model.scenario.rng == 9 and model.scenario.source == "demo"
    assert model.scenario.name == "demo" and model.scenario.years == 2  # read through
    again = EduModel(scenario=model.scenario)
    assert again.seed == 9 and again.resolved_scenario == model.resolved_scenario
    fresh = EduModel(scenario=type(model.scenario)(), years=2)  # what Mesa 3.5's Reset does
    assert fresh.resolved_scenario.name == "demo" and fresh.seed == model.resolved_scenario.seed
    assert slider_defaults(model)["learning__peer_effect"] == 0.04


def test_explore_refuses_a_bad_scenario_before_serving(tmp_path, capsys):
    assert main(["explore", str(tmp_path / "missing.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium (packages chromium): playwright drives it, no browser download."""

MAP_WIDTH_PX = 480  # city_map_figure: 6 inches at the page's 80 dpi; charts are 400
CHART_LINE_RGB = (31, 119, 180)  # matplotlib's first line colour (C0)


def _chromium() -> str | None:
    found = CHROMIUM if os.path.exists(CHROMIUM) else None
    return found or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
def test_the_served_page_shows_the_map_and_a_chart_in_headless_chromium(tmp_path):
    """`edusim explore demo` served by solara, driven by playwright in headless Chromium:
    the page shows the map (hundreds of colours: cells shaded by premium, schools by
    quality) and the charts (a drawn line in matplotlib's first colour), a slider, and
    steps a year. The screenshot is kept in the test's folder."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium)")
    pytest.importorskip("solara")
    playwright = pytest.importorskip("playwright.sync_api")
    from PIL import Image

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "edusim", "explore", "demo", "--years", "3", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the server and anything it starts end together
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        while True:  # until it serves or ends by itself: no wall-clock limit
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if server.poll() is not None:
                    output = server.stdout.read().decode(errors="replace")[-2000:]
                    pytest.fail(f"explore did not serve: {output}")
                time.sleep(1)
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=chromium,
                headless=True,
                # as this machine's probe starts it: no background connections to refuse
                args=[
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            # the map and the charts are matplotlib figures served as images
            page.wait_for_function(
                "document.querySelectorAll('img').length >= 4 && "
                "[...document.querySelectorAll('img')].every(i => i.naturalWidth > 0)",
                timeout=0,  # Playwright: 0 is no limit (no wall-clock limit in a test)
            )
            text = page.inner_text("body")
            page.get_by_role("button", name="Step").click()  # one school year
            page.wait_for_function(  # Mesa 3.3 counts steps, 3.5 time
                "/(Step: 1|Time: 1\\.0)\\b/.test(document.body.innerText)", timeout=0
            )
            page.wait_for_timeout(1000)  # the redrawn figures
            shot = tmp_path / "explore.png"
            page.screenshot(path=str(shot), full_page=True)
            figures = []
            for number, image in enumerate(page.query_selector_all("img")):
                width = image.evaluate("e => e.naturalWidth")
                path = tmp_path / f"figure-{number}.png"
                image.screenshot(path=str(path))
                figures.append((width, np.asarray(Image.open(path).convert("RGB"))))
            browser.close()
        assert "peer effect" in text  # a policy slider
        maps = [pixels for width, pixels in figures if width == MAP_WIDTH_PX]
        charts = [pixels for width, pixels in figures if width != MAP_WIDTH_PX]
        assert len(maps) == 1 and len(charts) >= 3
        colours = len(np.unique(maps[0].reshape(-1, 3), axis=0))
        assert colours > 300  # cells shaded by premium and schools by quality
        for pixels in charts:  # a line drawn in C0 (antialiased: within a few levels)
            near = np.abs(pixels.astype(int) - CHART_LINE_RGB).max(axis=2) <= 12
            assert near.sum() > 100
        whole = np.asarray(Image.open(shot).convert("RGB"))
        assert len(np.unique(whole.reshape(-1, 3), axis=0)) > 300
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
