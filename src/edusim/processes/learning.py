"""Pupil achievement: a persistent score that gains from teaching, peers and background.

Achievement is in pupil SD units, anchored at the year-0 distribution. Each school year:

    a' = persistence * a + teaching_weight * (q_s - q_ref) + peer_effect * (p_s - p_g)
         + ses_effect * ses + noise_sd * e

q_s is the school's teaching quality (mean effectiveness of the teachers teaching there +
management, adjusted by group effects and grants, see the school-year phase), q_ref its
pupil-weighted city mean in year 0; p_s is the mean prior achievement of the pupil's
school and p_g the city mean of the pupil's grade; e is a standard normal draw per pupil.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from edusim.processes.aggregate import school_mean
from edusim.scenario.schema import LearningParams, TeacherParams


def teaching_quality(
    effectiveness: np.ndarray,
    teacher_school: np.ndarray,
    management: np.ndarray,
    second_school: np.ndarray | None = None,
    second_share: np.ndarray | None = None,
) -> np.ndarray:
    """School teaching quality (pupil SD per year): mean teacher effectiveness + management.
    With part-time teaching at a second school (走教), each teacher counts at each school by
    the share of teaching time spent there (a time-weighted mean)."""
    n = management.size
    if second_school is None or second_share is None or not (second_school >= 0).any():
        return school_mean(effectiveness, teacher_school, n) + management
    away = np.where(second_school >= 0, second_share, 0.0)
    at = second_school >= 0
    weight = np.bincount(teacher_school, weights=1.0 - away, minlength=n) + np.bincount(
        second_school[at], weights=away[at], minlength=n
    )
    total = np.bincount(
        teacher_school, weights=(1.0 - away) * effectiveness, minlength=n
    ) + np.bincount(second_school[at], weights=(away * effectiveness)[at], minlength=n)
    means = np.zeros(n)
    np.divide(total, weight, out=means, where=weight > 0)
    return means + management


def scarce_subject_loss(
    specialist: np.ndarray, teacher_school: np.ndarray, n_schools: int, params: TeacherParams
) -> np.ndarray:
    """Teaching quality each school loses to scarce-subject lessons nobody trained teaches
    (Chongming 一1, 部分学科师资短缺): with a share `s` of lessons in those subjects and `k`
    specialists among `n` teachers, the school covers `min(1, k / (s n))` of them, and each
    uncovered lesson loses `non_specialist_penalty`, so the loss is
    `penalty * s * (1 - coverage)` (0 when subjects are not modelled, `s` = 0)."""
    share = params.scarce_subject_share
    if share <= 0:
        return np.zeros(n_schools)
    coverage = scarce_subject_coverage(specialist, teacher_school, n_schools, share)
    return params.non_specialist_penalty * share * (1.0 - coverage)


def scarce_subject_coverage(
    specialist: np.ndarray, teacher_school: np.ndarray, n_schools: int, share: float
) -> np.ndarray:
    """Share of each school's scarce-subject lessons its specialists cover,
    `min(1, specialists / (share * teachers))` (1 at a school without teachers or when
    `share` is 0)."""
    coverage = np.ones(n_schools)
    if share <= 0:
        return coverage
    staff = np.bincount(teacher_school, minlength=n_schools).astype(float)
    trained = np.bincount(teacher_school, weights=specialist.astype(float), minlength=n_schools)
    np.divide(trained, share * staff, out=coverage, where=staff > 0)
    return np.minimum(coverage, 1.0)


def yearly_achievement(
    achievement: np.ndarray,
    quality_gap: np.ndarray,
    peer_gap: np.ndarray,
    ses_z: np.ndarray,
    shocks: np.ndarray,
    params: LearningParams,
) -> np.ndarray:
    """Achievement after one school year (all arguments per pupil)."""
    return (
        params.persistence * achievement
        + params.teaching_weight * quality_gap
        + params.peer_effect * peer_gap
        + params.ses_effect * ses_z
        + params.noise_sd * shocks
    )


def school_year_achievement(
    achievement: np.ndarray,
    school: np.ndarray,
    grade: np.ndarray,
    teaching_quality: np.ndarray,
    quality_reference: float,
    peer_mean: np.ndarray,
    grade_mean: np.ndarray,
    ses_z: np.ndarray,
    shocks: np.ndarray,
    params: LearningParams,
) -> np.ndarray:
    """`yearly_achievement` of every pupil from its school's teaching quality and peer mean
    and its grade's mean, in one compiled pass (no per-pupil temporaries): the same
    operations in the same order, so the same numbers bit for bit (tests/processes/
    test_learning.py; the whole year in tests/test_kernels_match_reference.py)."""
    return _school_year_achievement(
        achievement, school, grade, teaching_quality, float(quality_reference), peer_mean,
        grade_mean, ses_z, shocks, float(params.persistence), float(params.teaching_weight),
        float(params.peer_effect), float(params.ses_effect), float(params.noise_sd),
    )  # fmt: skip


@njit(cache=True)
def _school_year_achievement(
    achievement, school, grade, quality, reference, peer_mean, grade_mean, ses_z, shocks,
    persistence, teaching_weight, peer_effect, ses_effect, noise_sd,
):  # pragma: no cover - compiled  # fmt: skip
    out = np.empty(achievement.size)
    for i in range(achievement.size):
        s, g = school[i], grade[i]
        out[i] = (
            persistence * achievement[i]
            + teaching_weight * (quality[s] - reference)
            + peer_effect * (peer_mean[s] - grade_mean[g])
            + ses_effect * ses_z[i]
            + noise_sd * shocks[i]
        )
    return out


def school_year_achievement_reference(
    achievement, school, grade, teaching_quality, quality_reference, peer_mean, grade_mean,
    ses_z, shocks, params,
) -> np.ndarray:  # fmt: skip
    """`school_year_achievement` as the whole-array expression it replaced."""
    return yearly_achievement(
        achievement,
        teaching_quality[school] - quality_reference,
        peer_mean[school] - grade_mean[grade],
        ses_z,
        shocks,
        params,
    )


def entry_achievement(ses_z: np.ndarray, shocks: np.ndarray, params: LearningParams) -> np.ndarray:
    """Achievement at school entry: a background gradient plus individual variation (SD 1)."""
    rho = params.entry_ses_effect
    return rho * ses_z + np.sqrt(1.0 - rho**2) * shocks


def initial_achievement(
    years_in_school: np.ndarray,
    quality_gap: np.ndarray,
    ses_z: np.ndarray,
    entry_shocks: np.ndarray,
    history_shocks: np.ndarray,
    params: LearningParams,
) -> np.ndarray:
    """Achievement of pupils already in school at the start, as if `yearly_achievement`
    had run for `years_in_school` years at today's school (peer effects left out)."""
    rho = params.persistence
    carried = rho**years_in_school
    if rho < 1.0:
        accumulated = (1.0 - carried) / (1.0 - rho)
        noise_scale = np.sqrt((1.0 - carried**2) / (1.0 - rho**2))
    else:
        accumulated = years_in_school.astype(float)
        noise_scale = np.sqrt(years_in_school)
    drift = params.teaching_weight * quality_gap + params.ses_effect * ses_z
    return (
        carried * entry_achievement(ses_z, entry_shocks, params)
        + accumulated * drift
        + params.noise_sd * noise_scale * history_shocks
    )
