"""Straight-line distances from families' cells to listed schools (for ranking schools)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from edusim.model import EduModel


def km_to_schools(model: EduModel, cells: np.ndarray, schools: np.ndarray) -> np.ndarray:
    """Straight-line km from each cell to each listed school (cells x K; 0 where -1)."""
    safe = np.maximum(schools, 0)
    km = np.hypot(
        model.geography.cell_x[cells][:, None] - model.school_table.x_km[safe],
        model.geography.cell_y[cells][:, None] - model.school_table.y_km[safe],
    )
    return np.where(schools >= 0, km, 0.0)
