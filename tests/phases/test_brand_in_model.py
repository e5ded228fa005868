"""A famous school's brand: reputation beyond results that lasts (reputation params)."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.processes.reputation import results_reading, results_yardstick

YEARS = 8


def _brand_lead(**overrides) -> tuple[float, np.ndarray]:
    """Mean over famous schools of reputation minus the results as the public reads them
    (in the unit of the city as built), after YEARS, and the brand column."""
    model = EduModel("scenarios/demo.yaml", seed=2, years=YEARS, overrides=overrides)
    table = model.school_table
    yardstick = results_yardstick(table.mean_achievement, table.stage, 2)
    model.run()
    table = model.school_table
    results = results_reading(table.mean_achievement, table.stage, yardstick)
    famous = table.famous & ~table.private
    return float((table.reputation - results)[famous].mean()), table.brand


def test_a_famous_name_keeps_its_lead_over_results_while_the_brand_lasts():
    """With the default decay the brand is 0.5 x 0.98^8 = 0.425 SD after eight years, and
    the reputation of famous schools stays close to results plus brand (it follows
    results with a lag); with the brand gone after a year (decay 1) the lead melts."""
    lead, brand = _brand_lead()
    famous_brand = brand[brand > 0]
    assert famous_brand == pytest.approx(np.full(famous_brand.size, 0.5 * 0.98**YEARS))
    assert lead > 0.3
    lead_without, brand_without = _brand_lead(**{"reputation.brand_decay_rate": 1.0})
    assert (brand_without == 0).all()
    assert abs(lead_without) < 0.15
    assert lead - lead_without > 0.25
