"""The evaluation phase reads results on the yardstick of the city as built
(processes/reputation.results_reading): a year's reputation is last year's moved toward
the results' distance from the stage mean in the year-0 spread, plus the brand."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel
from edusim.processes.reputation import standardise_within


def test_reputation_moves_toward_results_read_in_the_year0_unit():
    model = EduModel("scenarios/demo.yaml", seed=3, years=3)
    table = model.school_table
    built = table.active.copy()
    unit = {stage: table.mean_achievement[built & (table.stage == stage)].std() for stage in (0, 1)}
    params = model.params.reputation
    for _ in range(3):
        before = model.school_table.reputation.copy()
        model.step()
    table = model.school_table
    rated = table.active & (model.current_school_year - table.opened_year + 1 >= table.grades)
    assert rated.sum() > 10
    expected = before.copy()
    for stage in (0, 1):
        mine = rated & (table.stage == stage)
        reading = (table.mean_achievement[mine] - table.mean_achievement[mine].mean()) / unit[stage]
        expected[mine] = (1 - params.update_rate) * before[mine] + params.update_rate * (
            reading + table.brand[mine]
        )
    np.testing.assert_allclose(table.reputation[rated], expected[rated], atol=1e-12)
    # the unit is not this year's spread: after three years it has moved
    now = {stage: table.mean_achievement[rated & (table.stage == stage)].std() for stage in (0, 1)}
    assert any(abs(now[s] / unit[s] - 1) > 1e-3 for s in (0, 1))


def test_the_city_as_built_reads_its_results_as_z_scores():
    model = EduModel("scenarios/demo.yaml", seed=3, years=1)
    table = model.school_table
    np.testing.assert_allclose(
        table.reputation - table.brand,
        standardise_within(table.mean_achievement, table.stage),
        atol=1e-12,
    )
