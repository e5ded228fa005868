"""Retired famous teachers who go on teaching at rural schools (返聘 to the countryside).

Hangzhou's document (seed 001, 加强师资队伍建设) encourages "退休特级教师等名师到农村学校任
教": special-grade and other famous teachers keep teaching after retirement, at rural schools.
A share of the teachers of the top tier (`famous_special`) who reach retirement age in a
year accept; each is re-employed outside the posts (编制) for a fixed number of years at a
rural public school of the stage taught, the strongest retiree to the weakest school.
Their old post is refilled as any retirement's; at the rural school they are teachers above
its posts, so nobody there loses a post and no vacancy is filled by them.
"""

from __future__ import annotations

import numpy as np

TOP_TIER = 3
"""Code of `famous_special` in `agents.teachers.TIERS` (special-grade and famous teachers)."""


def returning_retirees(
    retiring: np.ndarray, tier: np.ndarray, accept_uniform: np.ndarray, share: float
) -> np.ndarray:
    """Mask of this year's retirees who go on teaching at a rural school: top-tier teachers
    whose own draw falls below `share` (the encouragement is voluntary)."""
    return retiring & (tier >= TOP_TIER) & (accept_uniform < share)


def rural_hosts(
    retiree_stage: np.ndarray,
    retiree_effectiveness: np.ndarray,
    host: np.ndarray,
    school_stage: np.ndarray,
    school_strength: np.ndarray,
) -> np.ndarray:
    """Host school per returning retiree (-1 where the stage has no host).

    Within each stage the hosts (`host`: rural public schools open this year) are taken
    weakest first by `school_strength` (mean effectiveness of their teachers) and the
    retirees strongest first, retiree i going to the i-th weakest host (around again when
    there are more retirees than hosts), so the strongest teacher goes to the weakest
    school and no school receives a second before every host has one."""
    result = np.full(retiree_stage.size, -1, dtype=np.int64)
    for stage in np.unique(retiree_stage):
        hosts = np.flatnonzero(host & (school_stage == stage))
        if hosts.size == 0:
            continue
        weakest_first = hosts[np.argsort(school_strength[hosts], kind="stable")]
        retirees = np.flatnonzero(retiree_stage == stage)
        strongest_first = retirees[np.argsort(-retiree_effectiveness[retirees], kind="stable")]
        result[strongest_first] = weakest_first[np.arange(strongest_first.size) % hosts.size]
    return result
