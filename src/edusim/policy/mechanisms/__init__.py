"""The menu of assignment mechanisms, one module each, sharing one input layout
(`inputs.py`): preference lists, priorities that travel with each listed school, and
capacities.

| name | module | stable | strategy-proof | efficient |
|---|---|---|---|---|
| deferred_acceptance | `deferred_acceptance.py` | yes | yes | no |
| immediate_acceptance (Boston) | `immediate_acceptance.py` | no | no | no |
| parallel (平行志愿, bands of k) | `parallel.py` | between | between | no |
| serial_dictatorship | `serial_dictatorship.py` | w.r.t. its order | yes | yes |
| top_trading_cycles | `top_trading_cycles.py` | no | yes | yes |

(Abdulkadiroğlu and Sönmez 2003; Chen and Kesten 2017.) `assign` runs one by name;
`stability.py` finds blocking pairs and `manipulation.py` samples families who would
gain by misreporting.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from edusim.policy.mechanisms.deferred_acceptance import deferred_acceptance
from edusim.policy.mechanisms.immediate_acceptance import immediate_acceptance
from edusim.policy.mechanisms.inputs import UNMATCHED
from edusim.policy.mechanisms.parallel import parallel_mechanism
from edusim.policy.mechanisms.serial_dictatorship import serial_dictatorship
from edusim.policy.mechanisms.top_trading_cycles import top_trading_cycles

Mechanism = Literal[
    "deferred_acceptance",
    "immediate_acceptance",
    "parallel",
    "serial_dictatorship",
    "top_trading_cycles",
]
MECHANISMS: tuple[str, ...] = Mechanism.__args__
STRATEGY_PROOF: frozenset[str] = frozenset(
    {"deferred_acceptance", "serial_dictatorship", "top_trading_cycles"}
)
STABLE: frozenset[str] = frozenset({"deferred_acceptance"})

__all__ = [
    "MECHANISMS",
    "STABLE",
    "STRATEGY_PROOF",
    "UNMATCHED",
    "Mechanism",
    "assign",
    "deferred_acceptance",
    "immediate_acceptance",
    "parallel_mechanism",
    "serial_dictatorship",
    "top_trading_cycles",
]


def assign(
    mechanism: str,
    preferences: np.ndarray,
    priority: np.ndarray,
    capacity: np.ndarray,
    *,
    band_size: int = 1,
    order: np.ndarray | None = None,
) -> np.ndarray:
    """School of each applicant (-1: unplaced) under the named mechanism.

    `band_size` is the parallel mechanism's choice band; `order` is serial
    dictatorship's one score per applicant (higher chooses first; required for it).
    """
    if mechanism == "deferred_acceptance":
        return deferred_acceptance(preferences, priority, capacity)
    if mechanism == "immediate_acceptance":
        return immediate_acceptance(preferences, priority, capacity)
    if mechanism == "parallel":
        return parallel_mechanism(preferences, priority, capacity, band_size)
    if mechanism == "serial_dictatorship":
        if order is None:
            raise ValueError("serial dictatorship needs an order (one score per applicant)")
        return serial_dictatorship(preferences, order, capacity)
    if mechanism == "top_trading_cycles":
        return top_trading_cycles(preferences, priority, capacity)
    raise ValueError(f"unknown mechanism {mechanism!r}; expected one of {MECHANISMS}")
