"""Experimental classes in the model: the core's best junior pupils learn beside one
another, so they gain and the rest of the core's junior pupils lose against the same city
without the classes; every other school learns as before."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel

GROUP = {
    "name": "T",
    "kind": "tight",
    "core": "Core-J01",
    "members": ["Core-J02"],
    "formed": "2018-09-01",
}


def _one_year(scenario, classes: int) -> EduModel:
    group = {**GROUP, "experimental_classes": classes}
    model = EduModel(scenario, seed=2, years=1, overrides={"groups.explicit": [group]})
    model.step()
    return model


def test_experimental_classes_raise_the_tracked_and_lower_the_rest_of_the_core(
    small_scenario, monkeypatch
):
    import edusim.phases.school_year as school_year

    plain = _one_year(small_scenario, 0)
    seen = {}

    def recording(school, grade, achievement, seats):
        seen["tracked"] = school_year_tracked(school, grade, achievement, seats)
        seen["prior"], seen["grade"] = achievement.copy(), grade.copy()
        return seen["tracked"]

    school_year_tracked = school_year.tracked_pupils
    monkeypatch.setattr(school_year, "tracked_pupils", recording)
    tracked_run = _one_year(small_scenario, 1)
    core = int(np.flatnonzero(tracked_run.school_table.name == "Core-J01")[0])
    a, b = plain.families, tracked_run.families
    assert np.array_equal(a.uid, b.uid) and np.array_equal(a.school, b.school)
    change = b.achievement - a.achievement
    tracked, prior, grade = seen["tracked"], seen["prior"], seen["grade"]
    at_core = (b.school == core) & (grade >= 7)
    np.testing.assert_array_equal(change[b.school != core], 0.0)
    seats = tracked_run.school_table.class_size[core]  # one class per grade
    per_grade = [int(tracked[grade == g].sum()) for g in (7, 8, 9)]
    assert sum(per_grade) > 0 and max(per_grade) <= seats
    assert not tracked[~at_core].any()
    # the tracked are the best of their grade at the core, they gain, the rest lose
    for g in (7, 8, 9):
        rows = at_core & (grade == g)
        if tracked[rows].any() and (~tracked[rows]).any():
            assert prior[rows & tracked].min() >= prior[rows & ~tracked].max()
    assert (change[tracked] > 0).all()
    assert (change[at_core & ~tracked] < 0).all()
