"""The fallback's lists (every school of the entrant's district and stage, nearest first),
grouped by district once, equal what a pass over every school and cell per district gave."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.policy.enrollment import UNPLACED


def _lists_district_by_district(model: EduModel, cells: np.ndarray, stage: int):
    """The form the grouped lists replaced (a mask over all schools and all cells for
    each district)."""
    table, geo = model.school_table, model.geography
    unique_cells, rows = np.unique(cells, return_inverse=True)
    districts = geo.cell_district[unique_cells]
    width = int(np.bincount(table.district[(table.stage == stage) & ~table.private]).max())
    lists = np.full((unique_cells.size, width), UNPLACED, dtype=np.int64)
    for district in np.unique(districts):
        at = np.flatnonzero(districts == district)
        schools = np.flatnonzero(
            (table.district == district) & (table.stage == stage) & ~table.private
        )
        island = geo.cell_island[table.cell[schools]]
        travel = geo.travel_km(
            unique_cells[at][:, None], table.x_km[schools], table.y_km[schools], island
        )
        lists[at, : schools.size] = schools[np.argsort(travel, axis=1, kind="stable")]
    return lists, rows.reshape(-1)


@pytest.mark.parametrize("stage", [0, 1])
def test_grouped_fallback_lists_equal_the_district_by_district_lists(demo_path, stage):
    model = EduModel(demo_path, seed=4, years=1)
    intake = next(phase for phase in model.phases if phase.name == "enrollment")
    rng = np.random.default_rng(stage)
    # cells of every district, repeated (entrants share cells), in no order
    cells = rng.choice(model.families.cell, 3_000).astype(np.int32)
    got = intake._district_lists(cells, stage)
    expected = _lists_district_by_district(model, cells, stage)
    for a, b in zip(got, expected, strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    assert len(np.unique(model.geography.cell_district[cells])) > 1
