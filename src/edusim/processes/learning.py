"""Pupil achievement: two stocks, what schools taught and everything else, each with its own
persistence; their sum is the achievement every metric reads.

Achievement a is in pupil SD units, anchored at the year-0 distribution. Its part s is the
school-induced stock, the gains from teaching quality still carried; the rest, a - s, is
achievement from background, peers, the start and idiosyncratic shocks. Each school year:

    s' = school_persistence * s + teaching_weight * (q_s - q_ref)
    a' = persistence * (a - s) + peer_effect * (p_s - p_g) + ses_effect * ses
         + noise_sd * e + s'

q_s is the school's teaching quality (mean effectiveness of the teachers teaching there +
management, adjusted by group effects and grants, see the school-year phase), q_ref its
pupil-weighted city mean in year 0; p_s is the mean prior achievement of the pupil's
school and p_g the city mean of the pupil's grade; e is a standard normal draw per pupil.

Why two rates: teacher-induced gains fade fast (Jacob, Lefgren & Sims 2010, J. Human
Resources 45(4): only 1/5 to 1/3 persists into the next year; Kane & Staiger 2008, NBER
w14607: about half), while achievement tied to background is much more persistent. With
`school_persistence` equal to `persistence` the rule is the single-stock one
a' = persistence * a + teaching_weight * (q_s - q_ref) + ... (up to rounding).
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
    school_gain: np.ndarray,
    quality_gap: np.ndarray,
    peer_gap: np.ndarray,
    ses_z: np.ndarray,
    shocks: np.ndarray,
    params: LearningParams,
) -> tuple[np.ndarray, np.ndarray]:
    """Achievement and its school-induced part after one school year (all per pupil)."""
    gain = params.school_persistence * school_gain + params.teaching_weight * quality_gap
    rest = (
        params.persistence * (achievement - school_gain)
        + params.peer_effect * peer_gap
        + params.ses_effect * ses_z
        + params.noise_sd * shocks
    )
    return rest + gain, gain


def school_year_achievement(
    achievement: np.ndarray,
    school_gain: np.ndarray,
    school: np.ndarray,
    grade: np.ndarray,
    teaching_quality: np.ndarray,
    quality_reference: float,
    peer_mean: np.ndarray,
    grade_mean: np.ndarray,
    ses_z: np.ndarray,
    shocks: np.ndarray,
    params: LearningParams,
    out: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """`yearly_achievement` of every pupil from its school's teaching quality and peer mean
    and its grade's mean, in one compiled pass (no per-pupil temporaries): the same
    operations in the same order, so the same numbers bit for bit (tests/processes/
    test_learning.py; the whole year in tests/test_kernels_match_reference.py).

    `out`: two float64 arrays to write achievement and school gain into, returned; they
    may be `achievement` and `school_gain` themselves (each pupil's row is read before it
    is written), so the year needs no second copy of either column (two columns of 66 MB
    at eight times Hangzhou)."""
    if out is None:
        out = (np.empty(achievement.size), np.empty(achievement.size))
    _school_year_achievement(
        achievement, school_gain, school, grade, teaching_quality, float(quality_reference),
        peer_mean, grade_mean, ses_z, shocks, float(params.persistence),
        float(params.school_persistence), float(params.teaching_weight),
        float(params.peer_effect), float(params.ses_effect), float(params.noise_sd), *out,
    )  # fmt: skip
    return out


@njit(cache=True)
def _school_year_achievement(
    achievement, school_gain, school, grade, quality, reference, peer_mean, grade_mean, ses_z,
    shocks, persistence, school_persistence, teaching_weight, peer_effect, ses_effect, noise_sd,
    out, gain_out,
):  # pragma: no cover - compiled  # fmt: skip
    for i in range(achievement.size):
        s, g = school[i], grade[i]
        gain = school_persistence * school_gain[i] + teaching_weight * (quality[s] - reference)
        rest = (
            persistence * (achievement[i] - school_gain[i])
            + peer_effect * (peer_mean[s] - grade_mean[g])
            + ses_effect * ses_z[i]
            + noise_sd * shocks[i]
        )
        out[i] = rest + gain
        gain_out[i] = gain


def school_year_achievement_reference(
    achievement, school_gain, school, grade, teaching_quality, quality_reference, peer_mean,
    grade_mean, ses_z, shocks, params, out=None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """`school_year_achievement` as the whole-array expression it replaced."""
    result = yearly_achievement(
        achievement,
        school_gain,
        teaching_quality[school] - quality_reference,
        peer_mean[school] - grade_mean[grade],
        ses_z,
        shocks,
        params,
    )
    if out is None:
        return result
    out[0][:], out[1][:] = result
    return out


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
) -> tuple[np.ndarray, np.ndarray]:
    """Achievement of pupils already in school at the start and its school-induced part,
    as if `yearly_achievement` had run for `years_in_school` years at today's school
    (peer effects left out)."""
    rest = _accumulated(params.persistence, years_in_school)
    school = _accumulated(params.school_persistence, years_in_school)
    rho = params.persistence
    carried = rho**years_in_school
    if rho < 1.0:
        noise_scale = np.sqrt((1.0 - carried**2) / (1.0 - rho**2))
    else:
        noise_scale = np.sqrt(years_in_school)
    gain = school * params.teaching_weight * quality_gap
    achievement = (
        carried * entry_achievement(ses_z, entry_shocks, params)
        + rest * params.ses_effect * ses_z
        + params.noise_sd * noise_scale * history_shocks
        + gain
    )
    return achievement, gain


def _accumulated(rho: float, years: np.ndarray) -> np.ndarray:
    """Sum of rho**k for k < years: what a constant yearly flow adds up to after `years`
    years at persistence rho."""
    if rho < 1.0:
        return (1.0 - rho**years) / (1.0 - rho)
    return years.astype(float)
