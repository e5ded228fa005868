"""The district as employer (县管校聘 / 区管校聘): which schools send and receive teachers under
the national rotation rule, how many each sends, and where the district's backbone
reservoir (蓄水池) is deployed.

Within an area (a district's schools of one stage, or the city's under `district_scope:
city`), open public schools at or above the area's median teaching quality that are not
rural send; schools below the median, and rural schools, receive (national rule: from
urban and strong schools to rural and weak ones). A sending school sends the national
share of its eligible teachers, rounded stochastically per school so the area's total is
unbiased. Postings are dealt to receivers in proportion to their staff, the strongest
teacher to the weakest school first (`policy.rotation.host_allocation`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.policy.rotation import host_allocation

if TYPE_CHECKING:
    from edusim.world.school_travel import SchoolTravel


def school_areas(
    district: np.ndarray, stage: np.ndarray, open_public: np.ndarray, scope: str
) -> np.ndarray:
    """Area code of every school (-1: outside the rule, i.e. private or without pupils)."""
    base = district.astype(np.int64) * 2 + stage if scope == "district" else stage.astype(np.int64)
    return np.where(open_public, base, -1)


def senders_and_receivers(
    quality: np.ndarray, rural: np.ndarray, area: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of sending schools (strong, urban) and receiving schools (weak or rural)."""
    median = np.full(int(area.max()) + 1 if area.size and area.max() >= 0 else 0, np.inf)
    for code in np.unique(area[area >= 0]):
        median[code] = np.median(quality[area == code])
    inside = area >= 0
    at_or_above = np.zeros(area.size, dtype=bool)
    at_or_above[inside] = quality[inside] >= median[area[inside]]
    senders = inside & at_or_above & ~rural
    receivers = inside & (~at_or_above | rural)
    return senders, receivers


def sending_quota(eligible_count: np.ndarray, share: float, uniform: np.ndarray) -> np.ndarray:
    """Teachers each school sends: `share` of its eligible teachers, rounded up with
    probability equal to the fractional part (per-school draw `uniform`)."""
    exact = share * eligible_count
    return np.floor(exact + uniform).astype(np.int64)


def mean_travel_to_receivers(
    travel_km: np.ndarray | SchoolTravel,
    area: np.ndarray,
    senders: np.ndarray,
    receivers: np.ndarray,
) -> np.ndarray:
    """Per school, the mean travel cost to its area's receiving schools (0 where none)."""
    result = np.zeros(area.size)
    for code in np.unique(area[senders]):
        sending = np.flatnonzero(senders & (area == code))
        receiving = np.flatnonzero(receivers & (area == code))
        if receiving.size:
            result[sending] = travel_km[np.ix_(sending, receiving)].mean(axis=1)
    return result


def receiving_hosts(
    teacher_area: np.ndarray,
    effectiveness: np.ndarray,
    area: np.ndarray,
    receivers: np.ndarray,
    staff: np.ndarray,
    strength: np.ndarray,
) -> np.ndarray:
    """Host school of each posted teacher (arrays aligned with the posted teachers): within
    its area, the strongest teachers to the weakest receivers, in proportion to their staff;
    -1 where the area has no receiver."""
    hosts = np.full(teacher_area.size, -1, dtype=np.int64)
    for code in np.unique(teacher_area):
        posted = np.flatnonzero(teacher_area == code)
        receiving = np.flatnonzero(receivers & (area == code))
        if receiving.size == 0:
            continue
        posted = posted[np.argsort(-effectiveness[posted], kind="stable")]
        hosts[posted] = receiving[
            host_allocation(posted.size, staff[receiving], strength[receiving])
        ]
    return hosts
