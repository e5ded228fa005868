"""Array-backed agent populations: one row an agent, one numpy array an attribute.

Ids are stable and never reused. Rows of agents that leave are dropped (the arrays are
compacted), so yearly rules run over live agents only; random draws are keyed by id
(see `edusim.randomness`), never by row position.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np


class Population:
    """A struct-of-arrays population. Subclasses declare `fields` as name -> dtype."""

    fields: ClassVar[dict[str, type]] = {}

    def __init__(self) -> None:
        self.uid = np.empty(0, dtype=np.int64)
        self.next_uid = 0
        for name, dtype in self.fields.items():
            setattr(self, name, np.empty(0, dtype=dtype))

    def __len__(self) -> int:
        return int(self.uid.size)

    def add(self, count: int, **values: Any) -> np.ndarray:
        """Append `count` agents; every declared field must be given (array or scalar)."""
        missing = set(self.fields) - set(values)
        unknown = set(values) - set(self.fields)
        if missing or unknown:
            raise ValueError(f"add(): missing fields {sorted(missing)}, unknown {sorted(unknown)}")
        new_uids = np.arange(self.next_uid, self.next_uid + count, dtype=np.int64)
        self.next_uid += count
        self.uid = np.concatenate([self.uid, new_uids])
        for name, dtype in self.fields.items():
            column = np.broadcast_to(np.asarray(values[name], dtype=dtype), (count,))
            setattr(self, name, np.concatenate([getattr(self, name), column]))
        return new_uids

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where `mask` is true (agents leaving the model)."""
        mask = np.asarray(mask, dtype=bool)
        self.uid = self.uid[mask]
        for name in self.fields:
            setattr(self, name, getattr(self, name)[mask])
