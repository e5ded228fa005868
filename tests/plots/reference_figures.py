"""The figures compared with the stored reference images, built one way for the test
(tests/plots/test_plots_style.py) and for the script that rewrites the references
(tests/data/update_reference_images.py): text is stripped, so the comparison does not
depend on font rendering."""

from __future__ import annotations

from pathlib import Path

from edusim import plots
from edusim.plots.style import house_style
from edusim.report.sources import ExperimentSource, RunSource, load_results

REFERENCE = Path(__file__).resolve().parent / "reference"
REPORT_DATA = Path(__file__).resolve().parents[1] / "data" / "report"
KINDS = ("trajectories", "city_map")
DPI = 80


def _without_text(figure) -> None:
    """Strip every text, so the comparison does not depend on font rendering."""
    for legend in figure.legends:
        legend.remove()
    for ax in figure.axes:
        ax.set_title("", loc="left")
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(labelbottom=False, labelleft=False)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        for text in list(ax.texts):
            text.remove()


def save_reference_figure(
    kind: str, compare_source: ExperimentSource, run_source: RunSource, path: Path
) -> Path:
    """Render figure `kind` from the stored result sets, without text, to `path` (PNG)."""
    if kind == "trajectories":
        data = plots.trajectory_table(compare_source.metrics, ["quality_sd"])
        figure = plots.trajectories(data)
    else:
        tables = run_source.tables
        figure = plots.city_map(plots.city_map_tables(tables["city"], tables["schools"]))
        for ax in figure.axes[2:]:  # colour bars: no text left to compare
            ax.remove()
    _without_text(figure)
    with house_style():
        figure.savefig(path, dpi=DPI)
    return path


def load_sources() -> tuple[ExperimentSource, RunSource]:
    """The stored comparison and run the reference figures are drawn from."""
    return load_results(REPORT_DATA / "compare"), load_results(REPORT_DATA / "run")
