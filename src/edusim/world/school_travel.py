"""Travel cost between schools, computed for the pairs asked for.

Group formation, group rotation, walking teachers and the district's rotation each need the
travel cost from a few schools (a core, a district's senders) to a few others (candidate
members, hosts, receivers). A full schools x schools matrix would make the year quadratic in
schools (3,248 schools at four times Hangzhou: 10.5 million pairs, 84 MB); `SchoolTravel`
instead computes only the pairs indexed, with the same formula as
`Geography.travel_km` (distance from the first school's cell to the second school's site,
plus the crossing penalty where the two lie on different islands), so every number is the
one the full matrix held.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from edusim.world.geography import Geography


class SchoolTravel:
    """Travel cost (km, water crossings included) from school to school, indexed like the
    schools x schools matrix it stands for: `travel[core, members]`,
    `travel[np.ix_(senders, receivers)]`. Indices are school rows (integers or integer
    arrays, broadcast against each other as numpy's fancy indexing does); the sites are read
    from the school table at each call, so schools opened or moved are always current."""

    def __init__(self, geography: Geography, table: Any):
        self.geography = geography
        self.table = table

    @property
    def shape(self) -> tuple[int, int]:
        schools = len(self.table.cell)
        return schools, schools

    def __getitem__(self, key: tuple[Any, Any]) -> np.ndarray:
        if not isinstance(key, tuple) or len(key) != 2:
            raise TypeError("index school travel as travel[from_schools, to_schools]")
        origin, destination = (_rows(part) for part in key)
        table, geo = self.table, self.geography
        to_cell = table.cell[destination]
        travel = geo.travel_km(
            table.cell[origin], table.x_km[destination], table.y_km[destination],
            geo.cell_island[to_cell],
        )  # fmt: skip
        return np.asarray(travel, dtype=float)


def _rows(part: Any) -> np.ndarray | int:
    """An index of school rows: an integer or an integer array (no slices or masks, which
    would hide a full row or matrix)."""
    if isinstance(part, (int, np.integer)):
        return int(part)
    rows = np.asarray(part)
    if rows.dtype.kind not in "iu":
        raise TypeError(f"school rows must be integers, not {rows.dtype}")
    return rows
