"""Straight-line distances from families' cells to listed schools (for ranking schools)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

if TYPE_CHECKING:
    from edusim.model import EduModel


def km_to_schools(model: EduModel, cells: np.ndarray, schools: np.ndarray) -> np.ndarray:
    """Straight-line km from each cell to each listed school (cells x K; 0 where -1).

    One compiled pass (the C library's `hypot`, as `np.hypot` calls it), without the
    cells x K temporaries of the whole-array form `km_to_schools_reference`."""
    geo, table = model.geography, model.school_table
    return _km(
        np.ascontiguousarray(cells),
        np.ascontiguousarray(schools),
        geo.cell_x,
        geo.cell_y,
        table.x_km,
        table.y_km,
    )


@njit(cache=True)
def _km(cells, schools, cell_x, cell_y, school_x, school_y):  # pragma: no cover - compiled
    n, width = schools.shape
    km = np.zeros((n, width))
    for i in range(n):
        x, y = cell_x[cells[i]], cell_y[cells[i]]
        for k in range(width):
            s = schools[i, k]
            if s >= 0:
                km[i, k] = math.hypot(x - school_x[s], y - school_y[s])
    return km


def km_to_schools_reference(model: EduModel, cells: np.ndarray, schools: np.ndarray) -> np.ndarray:
    """`km_to_schools` as whole-array numpy (the definition the compiled pass follows)."""
    safe = np.maximum(schools, 0)
    km = np.hypot(
        model.geography.cell_x[cells][:, None] - model.school_table.x_km[safe],
        model.geography.cell_y[cells][:, None] - model.school_table.y_km[safe],
    )
    return np.where(schools >= 0, km, 0.0)
