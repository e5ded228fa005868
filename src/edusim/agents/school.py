"""Schools: Mesa agents that are views onto a vectorised school table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

if TYPE_CHECKING:
    from edusim.model import EduModel


@dataclass
class SchoolTable:
    """Per-school arrays (index = school index). Yearly rules read and write these."""

    name: np.ndarray
    stage: np.ndarray  # 0 primary, 1 junior
    district: np.ndarray
    town: np.ndarray
    cell: np.ndarray
    x_km: np.ndarray
    y_km: np.ndarray
    famous: np.ndarray
    prestige: np.ndarray
    management: np.ndarray  # pupil SD per year
    classes_per_grade: np.ndarray
    class_size: np.ndarray
    grades: np.ndarray  # number of grades taught (6 or 3)
    reputation: np.ndarray  # SD units within stage: the public's reading, results + brand
    premium_share: np.ndarray  # catchment housing premium, share of the base price
    base_spending: np.ndarray  # ordinary spending, CNY per pupil per year
    private: np.ndarray  # True for a private (民办) school: no catchment, no group
    fee_cny_per_year: np.ndarray  # tuition per pupil (0 in public schools)
    owner: np.ndarray = field(default_factory=lambda: np.empty(0))  # 0 city, 1 district, 2 county
    rural: np.ndarray = field(default_factory=lambda: np.empty(0))  # the school's own status
    resource_grant_cny: np.ndarray = field(default_factory=lambda: np.empty(0))  # this year
    development_grant_cny: np.ndarray = field(default_factory=lambda: np.empty(0))  # this year
    zone_pay_cny: np.ndarray = field(default_factory=lambda: np.empty(0))  # per teacher, year
    teaching_quality: np.ndarray = field(default_factory=lambda: np.empty(0))
    mean_achievement: np.ndarray = field(default_factory=lambda: np.empty(0))
    enrollment: np.ndarray = field(default_factory=lambda: np.empty(0))
    evaluation_score: np.ndarray = field(default_factory=lambda: np.empty(0))  # last July
    brand: np.ndarray = field(default_factory=lambda: np.empty(0))  # name beyond results, SD
    results_grant_cny: np.ndarray = field(
        default_factory=lambda: np.empty(0)
    )  # earned, paid next year
    # the lifecycle (scenario/lifecycle.py): rows exist for the whole run; a school opened
    # by an event has a row from the start, not open until then (world/lifecycle.py)
    active: np.ndarray = field(default_factory=lambda: np.empty(0))  # open this year
    opened_year: np.ndarray = field(default_factory=lambda: np.empty(0))  # 0: as built
    closed_year: np.ndarray = field(default_factory=lambda: np.empty(0))  # 0: not closed
    feeds: np.ndarray = field(default_factory=lambda: np.empty(0))  # junior school fed, -1
    nine_year: np.ndarray = field(default_factory=lambda: np.empty(0))  # 九年一贯制 section
    # management that stays with the school when its leaders change (policy/leadership.py)
    institution: np.ndarray = field(default_factory=lambda: np.empty(0))

    def __post_init__(self) -> None:
        count = self.stage.size
        if self.owner.size != count:  # not given: district-owned, urban
            self.owner = np.ones(count, dtype=np.int8)
            self.rural = np.zeros(count, dtype=bool)
        if self.active.size != count:  # not given: every school open from the start
            self.active = np.ones(count, dtype=bool)
            self.opened_year = np.zeros(count, dtype=np.int64)
            self.closed_year = np.zeros(count, dtype=np.int64)
            self.feeds = np.full(count, -1, dtype=np.int64)
            self.nine_year = np.zeros(count, dtype=bool)
        self.resource_grant_cny = np.zeros(count)
        self.development_grant_cny = np.zeros(count)
        self.zone_pay_cny = np.zeros(count)
        self.teaching_quality = np.zeros(count)
        self.mean_achievement = np.zeros(count)
        self.enrollment = np.zeros(count, dtype=np.int64)
        self.evaluation_score = np.zeros(count)
        if self.brand.size != count:
            self.brand = np.zeros(count)
        self.results_grant_cny = np.zeros(count)
        if self.institution.size != count:  # not given: all of management stays
            self.institution = np.asarray(self.management, dtype=float).copy()

    def __len__(self) -> int:
        return int(self.stage.size)

    @property
    def entry_capacity(self) -> np.ndarray:
        """Hard number of places in the entering grade."""
        return self.classes_per_grade * self.class_size

    @property
    def capacity(self) -> np.ndarray:
        """Hard number of places over all grades."""
        return self.entry_capacity * self.grades


STAGE_NAMES = ("primary", "junior")
"""A school's `stage` by its code in the table."""

HEADLINE_ROLES = (None, "core", "member")
"""A school's `group_role` by the role code of its tightest group (0: in none)."""


class School(mesa.Agent):
    """A primary or junior secondary school, as Mesa sees it.

    Its state lives in `model.school_table` (vectorised rules read and write the arrays);
    every attribute here reads those arrays, so agents and arrays never disagree:
    `pos` (x_km, y_km), `district`, `stage`, `capacity`, `entry_capacity`, `enrollment`,
    `teaching_quality`, `reputation`, `famous`, and its groups: `group_id`,
    `group_kind`, `group_role` of its tightest group (None when in none) and
    `memberships` (every group it belongs to).
    """

    def __init__(self, model: EduModel, index: int):
        super().__init__(model)
        self.index = index

    @property
    def table(self) -> SchoolTable:
        return self.model.school_table

    @property
    def pos(self) -> tuple[float, float]:
        """The school's site (x_km, y_km) on the city map; schools do not move."""
        return (float(self.table.x_km[self.index]), float(self.table.y_km[self.index]))

    @pos.setter
    def pos(self, value: object) -> None:
        if value is not None:  # mesa.Agent.__init__ sets None; nothing else may move a school
            raise AttributeError("a school's position is its site in model.school_table")

    @property
    def name(self) -> str:
        return str(self.table.name[self.index])

    @property
    def stage(self) -> str:
        return STAGE_NAMES[int(self.table.stage[self.index])]

    @property
    def district(self) -> str:
        return str(self.model.geography.district_names[int(self.table.district[self.index])])

    @property
    def capacity(self) -> int:
        """Places over all grades (`SchoolTable.capacity` of this school alone, not the
        whole table's array, which the DataCollector would build once per school)."""
        table, i = self.table, self.index
        return int(table.classes_per_grade[i] * table.class_size[i] * table.grades[i])

    @property
    def entry_capacity(self) -> int:
        """Places in the entering grade."""
        table, i = self.table, self.index
        return int(table.classes_per_grade[i] * table.class_size[i])

    @property
    def teaching_quality(self) -> float:
        return float(self.table.teaching_quality[self.index])

    @property
    def reputation(self) -> float:
        return float(self.table.reputation[self.index])

    @property
    def enrollment(self) -> int:
        return int(self.table.enrollment[self.index])

    @property
    def famous(self) -> bool:
        return bool(self.table.famous[self.index])

    @property
    def group_id(self) -> int | None:
        """Id of the school's tightest group, None when it is in none."""
        group_id = int(self.model.school_group_headline()[0][self.index])
        return None if group_id < 0 else group_id

    @property
    def group_kind(self) -> str | None:
        kind = str(self.model.school_group_headline()[1][self.index])
        return kind or None

    @property
    def group_role(self) -> str | None:
        """'core' or 'member' in its tightest group, None when in none."""
        role = int(self.model.school_group_headline()[2][self.index])
        return HEADLINE_ROLES[role]

    @property
    def memberships(self) -> list[dict[str, object]]:
        """Every group the school belongs to: id, kind and role."""
        groups = self.model.groups
        rows = np.flatnonzero(groups.school == self.index)
        kinds = groups.kind_of_rows()[rows]
        return [
            {
                "group_id": int(groups.group[row]),
                "kind": str(kind),
                "role": ("core", "member")[int(groups.role[row]) - 1],
            }
            for row, kind in zip(rows, kinds, strict=True)
        ]

    def teacher_rows(self) -> np.ndarray:
        """Row indices of this school's teachers in `model.teachers`."""
        return np.flatnonzero(self.model.teachers.school == self.index)

    def __repr__(self) -> str:
        return f"School({self.name!r}, {self.stage}, q={self.teaching_quality:.3f})"


def _headline_columns(model: EduModel) -> dict[str, Callable[[], list[Any]]]:
    group_id, group_kind, group_role = model.school_group_headline()
    return {
        "group_id": lambda: [None if g < 0 else g for g in group_id.tolist()],
        "group_kind": lambda: [str(kind) or None for kind in group_kind.tolist()],
        "group_role": lambda: [HEADLINE_ROLES[role] for role in group_role.tolist()],
    }


def school_columns(model: EduModel, attributes: Sequence[str]) -> list[list[Any]] | None:
    """Each of `attributes` of every school, in school order, as the list of what the
    School agents' properties return (the same values of the same Python types), from
    the table's arrays in one pass per attribute instead of one property call per school
    and attribute (what Mesa's DataCollector does: 12 x 812 calls a year for Hangzhou).
    None when an attribute is not one of these (the caller then asks the agents)."""
    table = model.school_table
    districts = model.geography.district_names
    per_grade = table.classes_per_grade * table.class_size
    columns: dict[str, Callable[[], list[Any]]] = {
        "name": lambda: [str(name) for name in table.name.tolist()],
        "stage": lambda: [STAGE_NAMES[stage] for stage in table.stage.tolist()],
        "district": lambda: [str(districts[d]) for d in table.district.tolist()],
        "pos": lambda: list(
            zip(map(float, table.x_km.tolist()), map(float, table.y_km.tolist()), strict=True)
        ),
        "capacity": lambda: [int(c) for c in (per_grade * table.grades).tolist()],
        "entry_capacity": lambda: [int(c) for c in per_grade.tolist()],
        "enrollment": lambda: [int(n) for n in table.enrollment.tolist()],
        "teaching_quality": lambda: [float(q) for q in table.teaching_quality.tolist()],
        "reputation": lambda: [float(r) for r in table.reputation.tolist()],
        "famous": lambda: [bool(f) for f in table.famous.tolist()],
        **_headline_columns(model),
    }
    if any(attribute not in columns for attribute in attributes):
        return None
    return [columns[attribute]() for attribute in attributes]
