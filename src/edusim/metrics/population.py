"""Population counts and the mean achievement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from edusim.metrics.registry import register

if TYPE_CHECKING:
    from edusim.model import EduModel


def _pupils(model: EduModel) -> float:
    return float((model.families.school >= 0).sum())


register(_pupils, "pupils", "pupils", "information", "pupils enrolled", "count of enrolled pupils")


def _teachers(model: EduModel) -> float:
    return float(len(model.teachers))


register(_teachers, "teachers", "teachers", "information", "teachers in post", "count of teachers")


def _mean_achievement(model: EduModel) -> float:
    return float(model.families.achievement.mean())


register(
    _mean_achievement,
    "mean_achievement",
    "pupil SD",
    "higher is better",
    "mean achievement of all pupils (year-0 anchored scale)",
    "mean over pupils of achievement",
)
