"""Courses a member's pupils take at or from their group's core (Dalian 二(三)2 学生跨校选课,
Hangzhou 学生共育, Chongming 五5 特色项目学生联合培养), as pure rules over membership rows.

A share `c` of a member's lesson time is taught at or by the core, so that share of its
pupils' learning takes the core's teaching quality instead of their own school's:

    q_member' = q_member + c * (q_core - q_member) - travel_loss

Pupils who go to the core's campus spend lesson time on the road: a trip of `d` km each
way at `v` km/h costs `2 d / v` hours, taken from that day's lessons, and each round trip
carries `h` hours of shared lessons, so a member whose share `c` of `H` weekly hours is
taught at the core (a share `t` of them with the pupils travelling) loses

    hours_lost = min(t c H, t c H / h * 2 d / v)      (hours a week)

worth `instruction_hour_effect` pupil SD per year each (Lavy 2015, sharing.py). The core's
own pupils are unchanged (no crowding of the hosting campus: an assumption). The lessons
the core's teachers give at the member cost no travel; the visits are made only where
they gain the pupils something net of travel:

    gain = c (1 - t) gap + max(0, c t gap - e hours_lost)

and with several groups the best of them counts (as every group channel does,
policy/group_effects.py).
"""

from __future__ import annotations

import numpy as np

from edusim.policy.group_effects import strongest_per_school


def travel_hours_lost(
    share: np.ndarray,
    distance_km: np.ndarray,
    weekly_hours: float,
    hours_per_trip: float,
    travel_share: float,
    speed_kmh: float,
) -> np.ndarray:
    """Lesson hours a week each membership row's pupils spend travelling to the core's
    campus: round trips a week (`travel_share * share * weekly_hours / hours_per_trip`)
    times `2 * distance / speed`, never more than the shared hours they travel for."""
    travelled = travel_share * share * weekly_hours
    return np.minimum(travelled, travelled / hours_per_trip * 2.0 * distance_km / speed_kmh)


def shared_course_gain(
    quality: np.ndarray,
    member: np.ndarray,
    core: np.ndarray,
    share: np.ndarray,
    travel_share: float,
    hours_lost: np.ndarray,
    hour_effect: float,
) -> np.ndarray:
    """Teaching quality each school's pupils gain from their groups' shared courses (0 for
    schools with none): per row, the lessons taught at the member by the core's teachers,
    `share * (1 - travel_share) * gap`, plus the visits where they are worth their travel,
    `max(0, share * travel_share * gap - hour_effect * hours_lost)`, with gap
    `q_core - q_member`; best row per school, never negative."""
    gap = quality[core] - quality[member]
    visits = np.maximum(0.0, share * travel_share * gap - hour_effect * hours_lost)
    net = share * (1.0 - travel_share) * gap + visits
    return strongest_per_school(net, member, quality.size)


def after_school_gain(
    quality: np.ndarray,
    member: np.ndarray,
    core: np.ndarray,
    share: np.ndarray,
    hours_ratio: float,
    weight: float,
) -> np.ndarray:
    """Teaching quality each member's pupils gain when its after-school services (课后服务,
    Ninghe 四7) are run with its core's staff and courses: they take `share` of the gap to
    the core's quality, and an after-school week is `hours_ratio` (after-school hours over
    lesson hours) of a lesson week, each hour worth `weight` of a lesson hour:
    `weight * hours_ratio * share * (q_core - q_member)`, best row per school, never
    negative. The services a school runs on its own are part of its quality as built."""
    gain = weight * hours_ratio * share * (quality[core] - quality[member])
    return strongest_per_school(gain, member, quality.size)
