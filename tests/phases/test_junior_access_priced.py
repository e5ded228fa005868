"""Junior access priced with the primary address (对口 by address): families buying for
primary entry bid up the catchments whose dwellings lead to a better junior school."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel


def primary_premium_over(demo_path, priced: bool) -> float:
    """Mean premium share of the primary catchments whose dwellings lie in a weak junior
    school's catchment, after one intake in which families expect that school to shine."""
    model = EduModel(
        demo_path,
        seed=3,
        years=1,
        overrides={
            "timeline": [],
            "enrollment.rule": "catchment",
            "enrollment.by_area": [],
            "housing.junior_access_priced": priced,
        },
    )
    table = model.school_table
    junior = np.flatnonzero((table.stage == 1) & ~table.private)
    target = junior[np.argmin(table.reputation[junior])]  # a weak junior school ...
    model.access_reputation[1][:, target] += 3.0  # ... that families now expect to shine
    model.step()
    cells = model.catchments.cell_school[1] == target
    primary = np.unique(model.catchments.cell_school[0, cells])
    return float(table.premium_share[primary[primary >= 0]].mean())


def test_primary_buyers_bid_for_the_junior_school_their_address_leads_to(demo_path):
    priced, unpriced = primary_premium_over(demo_path, True), primary_premium_over(demo_path, False)
    assert priced > unpriced + 0.01, (priced, unpriced)
