"""Scarce subjects in the model: rural schools short of specialists teach worse, and
with subjects not modelled nothing changes."""

from __future__ import annotations

import numpy as np

from edusim.metrics import METRICS
from edusim.model import EduModel

SHORT = {
    "teachers.scarce_subject_share": 0.2,
    "teachers.scarce_specialists_rural": 0.3,
    "teachers.non_specialist_penalty": 0.1,
}


def test_a_rural_shortage_lowers_rural_teaching_quality_and_is_reported(small_scenario):
    plain = EduModel(small_scenario, seed=4, years=2)
    short = EduModel(small_scenario, seed=4, years=2, overrides=SHORT)
    rural = short.school_table.rural & ~short.school_table.private
    # same teachers and seeds; the loss is on top of the same mean effectiveness
    assert np.array_equal(plain.teachers.innate, short.teachers.innate)
    loss = plain.school_table.teaching_quality - short.school_table.teaching_quality
    assert (loss >= -1e-12).all() and (loss <= 0.2 * 0.1 + 1e-12).all()
    assert loss[rural].mean() > loss[~rural].mean()
    t = short.teachers
    assert t.specialist[rural[t.school]].mean() < t.specialist[~rural[t.school]].mean()
    uncovered = METRICS["scarce_lessons_uncovered_rural"].compute(short)
    assert 0.3 < uncovered <= 1.0
    assert np.isnan(METRICS["scarce_lessons_uncovered_rural"].compute(plain))


def test_the_school_year_takes_the_loss_off_each_school_s_teaching_quality(
    small_scenario, monkeypatch
):
    """The same city stepped once with the school year's loss and once without it: the
    quality differs by exactly the loss of the year's teachers (everything before the
    school year, staffing included, is the same in both)."""
    import edusim.phases.school_year as school_year
    from edusim.processes.learning import scarce_subject_loss

    short = EduModel(small_scenario, seed=4, years=2, overrides=SHORT)
    short.step()
    with monkeypatch.context() as patch:
        patch.setattr(
            school_year, "scarce_subject_loss", lambda s, t, n, p: np.zeros(n), raising=True
        )
        unpenalised = EduModel(small_scenario, seed=4, years=2, overrides=SHORT)
        unpenalised.step()
    t = short.teachers
    expected = scarce_subject_loss(
        t.specialist, t.school, len(short.school_table), short.params.teachers
    )
    assert expected.max() > 0
    difference = unpenalised.school_table.teaching_quality - short.school_table.teaching_quality
    np.testing.assert_allclose(difference, expected, atol=1e-12)
