"""Teaching quality with part-time teaching at a second school (走教): a time-weighted
mean of the teachers teaching at each school (processes/learning.teaching_quality)."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.processes.learning import teaching_quality


def test_a_walking_teacher_counts_at_both_schools_by_time():
    effectiveness = np.array([0.4, 0.0, 0.0, 0.1])
    school = np.array([0, 0, 1, 1])
    management = np.array([0.0, 0.05])
    plain = teaching_quality(effectiveness, school, management)
    assert plain.tolist() == pytest.approx([0.2, 0.1])
    second = np.array([1, -1, -1, -1])
    share = np.array([0.25, 0.0, 0.0, 0.0])
    walked = teaching_quality(effectiveness, school, management, second, share)
    # school 0: (0.75 x 0.4 + 0.0) / 1.75; school 1: (0.25 x 0.4 + 0.1) / 2.25 + 0.05
    assert walked == pytest.approx([0.3 / 1.75, 0.2 / 2.25 + 0.05])


def test_without_second_schools_the_mean_is_unchanged():
    rng = np.random.default_rng(3)
    effectiveness = rng.normal(size=50)
    school = rng.integers(0, 5, 50)
    management = rng.normal(size=5) * 0.01
    none = np.full(50, -1)
    assert teaching_quality(effectiveness, school, management, none, np.zeros(50)) == pytest.approx(
        teaching_quality(effectiveness, school, management)
    )
