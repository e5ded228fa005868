"""Population counts and the mean achievement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from edusim.metrics.registry import metric

if TYPE_CHECKING:
    from edusim.model import EduModel


@metric("pupils", "pupils", "information", "pupils enrolled", "count of enrolled pupils")
def _pupils(model: EduModel) -> float:
    return float((model.families.school >= 0).sum())


@metric("teachers", "teachers", "information", "teachers in post", "count of teachers")
def _teachers(model: EduModel) -> float:
    return float(len(model.teachers))


@metric(
    "mean_achievement",
    "pupil SD",
    "higher is better",
    "mean achievement of all pupils (year-0 anchored scale)",
    "mean over pupils of achievement",
)
def _mean_achievement(model: EduModel) -> float:
    return float(model.families.achievement.mean())
