"""The lifecycle every phase component follows (later policy modules use the same one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from edusim.model import EduModel


class Phase:
    """A component run once a year at a fixed point of the calendar.

    Lifecycle: `init(model)` once after the world is built, `step(year)` every school
    year, `finalize()` once after the last year.
    """

    name: ClassVar[str]
    month_day: ClassVar[tuple[int, int]]
    description: ClassVar[str]

    def init(self, model: EduModel) -> None:
        self.model = model

    def step(self, year: int) -> None:
        raise NotImplementedError

    def finalize(self) -> None:
        """Nothing to release by default."""
