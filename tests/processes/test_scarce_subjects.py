"""Scarce-subject lessons without a trained teacher (Chongming 一1): coverage and loss."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.processes.learning import scarce_subject_coverage, scarce_subject_loss
from edusim.randomness import Streams
from edusim.scenario.teachers import TeacherParams
from edusim.world.staff import specialists


def test_coverage_and_loss_by_hand():
    # school 0: 4 teachers, 1 specialist -> 1 / (0.25 x 4) = 1 (covered); school 1: 4
    # teachers, none -> 0; school 2: 8 teachers, 1 specialist -> 1 / 2; school 3: empty
    school = np.array([0, 0, 0, 0, 1, 1, 1, 1] + [2] * 8)
    specialist = np.zeros(school.size, bool)
    specialist[[0, 8]] = True
    coverage = scarce_subject_coverage(specialist, school, 4, 0.25)
    assert coverage.tolist() == [1.0, 0.0, 0.5, 1.0]
    params = TeacherParams(scarce_subject_share=0.25, non_specialist_penalty=0.1)
    loss = scarce_subject_loss(specialist, school, 4, params)
    assert loss == pytest.approx([0.0, 0.025, 0.0125, 0.0])


def test_no_loss_when_subjects_are_not_modelled():
    school = np.array([0, 1, 1])
    loss = scarce_subject_loss(np.zeros(3, bool), school, 2, TeacherParams())
    assert loss.tolist() == [0.0, 0.0]


def test_rural_schools_draw_fewer_specialists_and_draws_are_per_teacher():
    params = TeacherParams(scarce_subject_share=0.2, scarce_specialists_rural=0.5)
    uids = np.arange(40_000)
    rural = uids % 2 == 1
    trained = specialists(uids, rural, params, Streams(7))
    assert trained[~rural].mean() == pytest.approx(0.2, abs=0.01)
    assert trained[rural].mean() == pytest.approx(0.1, abs=0.01)
    again = specialists(uids[:10], rural[:10], params, Streams(7))
    assert (again == trained[:10]).all()
    assert not specialists(uids, rural, TeacherParams(), Streams(7)).any()
