"""The example notebook runs headless from top to bottom (a Jupyter kernel driven by
nbclient, as CI or a reader's `jupyter nbconvert --execute` would) and shows what it
promises: no error, the tables it loaded, a figure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import edusim

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "demo_city.ipynb"

YEARS, REPLICATIONS, VARIANTS, METRICS = 1, 2, 2, 3
"""A short run for the test; the experiment in the notebook has two variants and three
metrics."""


def _text(cell) -> str:
    """Everything a cell printed or displayed as text."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "\n".join(parts)


def _shape(cells, label: str) -> tuple[int, int]:
    for cell in cells:
        found = re.search(rf"{re.escape(label)}: \((\d+), (\d+)\)", _text(cell))
        if found:
            return int(found.group(1)), int(found.group(2))
    raise AssertionError(f"no cell printed {label!r}")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    folder = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1, "the notebook needs one cell tagged 'parameters'"
    parameters[0].source = (
        "from pathlib import Path\n"
        f"SCENARIO = 'demo'\nYEARS = {YEARS}\nREPLICATIONS = {REPLICATIONS}\n"
        f"OUT = Path({str(folder / 'results')!r})"
    )
    client = nbclient.NotebookClient(
        notebook,
        timeout=None,  # no wall-clock limit: a slow machine is not a failure
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return notebook, folder / "results"


def test_the_notebook_runs_without_an_error_cell(executed):
    notebook, _ = executed
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.get("execution_count") for cell in code)
    errors = [o for cell in code for o in cell.outputs if o["output_type"] == "error"]
    assert errors == []


def test_the_notebook_shows_the_tables_it_loaded(executed):
    notebook, results = executed
    run = edusim.load_run(results / "run")  # what the notebook wrote, read here again
    assert _shape(notebook.cells, "schools table") == run.schools.shape
    assert run.schools["year"].nunique() == YEARS + 1  # the city as built and each year
    assert (
        _shape(notebook.cells, "runs") == edusim.load_experiment(results / "experiment").runs.shape
    )
    assert _shape(notebook.cells, "runs")[0] == VARIANTS * REPLICATIONS
    assert _shape(notebook.cells, "final-year outcomes") == (VARIANTS * REPLICATIONS, METRICS)


def test_the_notebook_draws_its_figure(executed):
    notebook, _ = executed
    images = [
        output["data"]["image/png"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert len(images) == 1
    assert len(images[0]) > 10_000  # base64 of a drawn two-panel figure, not an empty one


def test_the_stored_notebook_has_no_outputs():
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code)
