"""Running teaching levels of schools while a rotation pass moves teachers, so that each
group's moves are judged against its core's and members' current levels (the people
channels' shared cap, policy/staffing.moves_within_gap)."""

from __future__ import annotations

import numpy as np

from edusim.policy.staffing import moves_within_gap


class TeachingLevels:
    """Running teaching-time totals of effectiveness per school (`total / weight` is the
    school's teachers' level), kept up to date as a pass moves teachers, so that each
    group's moves are judged against its core's and members' current levels
    (policy/staffing.moves_within_gap) without a pass over all teachers per group."""

    def __init__(self, effectiveness: np.ndarray, school: np.ndarray, n_schools: int):
        self.effectiveness = effectiveness
        self.total = np.bincount(school, weights=effectiveness, minlength=n_schools)
        self.weight = np.bincount(school, minlength=n_schools).astype(float)

    def moves_within_gap(
        self,
        core: int,
        members: np.ndarray,
        sent: np.ndarray,
        hosts: np.ndarray,
        returned: np.ndarray,
        share: float = 1.0,
    ) -> np.ndarray:
        """Which of the core's proposed moves (teachers `sent` to `hosts` for `share` of
        their time, each host sending back `returned`, -1 for nobody) are made."""
        order = np.argsort(members, kind="stable")
        host = order[np.searchsorted(members[order], hosts)]
        back = returned >= 0
        eff = self.effectiveness
        return moves_within_gap(
            self.total[core],
            self.weight[core],
            self.total[members],
            self.weight[members],
            host,
            eff[sent],
            np.full(sent.size, share),
            np.where(back, eff[np.maximum(returned, 0)], 0.0),
            back.astype(float),
        )

    def move(
        self, rows: np.ndarray, origin: np.ndarray | int, destination: np.ndarray | int,
        share: float = 1.0,
    ) -> None:  # fmt: skip
        """Count `share` of the teaching time of teachers `rows` at `destination` instead
        of `origin` (a school each, or one for all)."""
        moved = share * self.effectiveness[rows]
        origin = np.broadcast_to(origin, rows.shape)
        destination = np.broadcast_to(destination, rows.shape)
        np.subtract.at(self.total, origin, moved)
        np.subtract.at(self.weight, origin, share)
        np.add.at(self.total, destination, moved)
        np.add.at(self.weight, destination, share)
