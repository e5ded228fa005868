"""Immediate acceptance (the Boston mechanism).

In round r every applicant not yet placed applies to the r-th school of its list; a
school with places left admits the highest-priority applicants of the round up to its
places, for good, and rejects the rest (an application to a full school is simply
rejected). Abdulkadiroğlu and Sönmez (2003, "School choice: a mechanism design
approach", American Economic Review 93(3), §III) show it is neither stable nor
strategy-proof: ranking a popular school first can cost a family its priority at the
school it could have had. It is the parallel mechanism with bands of one school
(Chen and Kesten 2017), which is how it is computed here.
"""

from __future__ import annotations

import numpy as np

from edusim.policy.mechanisms.parallel import parallel_mechanism


def immediate_acceptance(
    preferences: np.ndarray, priority: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """School of each applicant (-1: unplaced) under the Boston mechanism."""
    return parallel_mechanism(preferences, priority, capacity, band_size=1)
