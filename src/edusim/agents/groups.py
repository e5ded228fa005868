"""School groups as state: the groups that exist and which schools belong to them.

A school may belong to several groups of different kinds at once (a rural school can be
in a famous-school group and an urban-rural community). Memberships are rows of arrays:
school, group, role (core or member) and the school year it joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CORE, MEMBER = 1, 2
ROLE_NAMES = np.array(["", "core", "member"], dtype=object)
"""Role codes as written in the tables (0: in no group)."""
KIND_TIGHTNESS: tuple[str, ...] = (
    "tight",
    "entrusted",
    "horizontal",
    "alliance",
    "vertical",
    "university",
    "zone",
    "community",
)
"""Kinds from tightest to loosest: a school's headline group is its tightest one."""


@dataclass
class Group:
    """One group and its current term."""

    name: str
    kind: str
    core: int
    formed_year: int
    term_years: int
    renew: bool
    term_end_year: int  # last school year of the current term
    active: bool = True


@dataclass
class GroupTable:
    """All groups of a run and their memberships."""

    groups: list[Group] = field(default_factory=list)
    school: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    group: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    role: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int8))
    joined_year: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def form(
        self,
        name: str,
        kind: str,
        core: int,
        members: np.ndarray,
        year: int,
        term_years: int,
        renew: bool,
    ) -> int:
        """Create a group with its core and members; returns its id."""
        group_id = len(self.groups)
        self.groups.append(Group(name, kind, core, year, term_years, renew, year + term_years - 1))
        schools = np.concatenate([[core], np.asarray(members, dtype=np.int64)])
        roles = np.full(schools.size, MEMBER, dtype=np.int8)
        roles[0] = CORE
        self.school = np.concatenate([self.school, schools])
        self.group = np.concatenate([self.group, np.full(schools.size, group_id)])
        self.role = np.concatenate([self.role, roles])
        self.joined_year = np.concatenate([self.joined_year, np.full(schools.size, year)])
        return group_id

    def dissolve(self, group_id: int) -> None:
        """End a group: its memberships are removed."""
        self.groups[group_id].active = False
        keep = self.group != group_id
        self.school, self.group = self.school[keep], self.group[keep]
        self.role, self.joined_year = self.role[keep], self.joined_year[keep]

    def join(self, group_id: int, school: int, year: int) -> None:
        """A school joins an active group as a member."""
        self.school = np.append(self.school, np.int64(school))
        self.group = np.append(self.group, np.int64(group_id))
        self.role = np.append(self.role, np.int8(MEMBER))
        self.joined_year = np.append(self.joined_year, np.int64(year))

    def leave(self, school: int) -> list[int]:
        """A school that closes or is merged leaves every group; a group it led dissolves.
        Returns the ids of the dissolved groups."""
        led = [g for g, group in enumerate(self.groups) if group.active and group.core == school]
        for group_id in led:
            self.dissolve(group_id)
        keep = self.school != school
        self.school, self.group = self.school[keep], self.group[keep]
        self.role, self.joined_year = self.role[keep], self.joined_year[keep]
        return led

    def active_id(self, name: str) -> int:
        """Id of the active group called `name` (KeyError if none)."""
        for group_id, group in enumerate(self.groups):
            if group.active and group.name == name:
                return group_id
        raise KeyError(name)

    def kind_of_rows(self) -> np.ndarray:
        """Kind name of every membership row."""
        kinds = np.array([g.kind for g in self.groups] or [""], dtype=object)
        return kinds[self.group] if self.group.size else np.empty(0, dtype=object)

    def core_of_rows(self) -> np.ndarray:
        """Core school of every membership row's group."""
        cores = np.array([g.core for g in self.groups] or [0], dtype=np.int64)
        return cores[self.group] if self.group.size else np.empty(0, dtype=np.int64)

    def in_kind(self, kind: str, n_schools: int) -> np.ndarray:
        """Mask of schools that belong to an active group of `kind`."""
        mask = np.zeros(n_schools, dtype=bool)
        mask[self.school[self.kind_of_rows() == kind]] = True
        return mask

    def memberships(self) -> dict[str, np.ndarray]:
        """Every current membership, one row each, in formation order (a group's core
        first): school, group id, name and kind, role ('core' or 'member') and the school
        year it joined. A school in several groups has several rows (the memberships
        table), where `headline` keeps only its tightest."""
        names = np.array([g.name for g in self.groups] or [""], dtype=object)
        rows = self.group.size
        return {
            "school": self.school,
            "group_id": self.group,
            "group_name": names[self.group] if rows else np.empty(0, dtype=object),
            "group_kind": self.kind_of_rows(),
            "role": ROLE_NAMES[self.role],
            "joined_year": self.joined_year,
        }

    def headline(self, n_schools: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per school: id, kind and role of its tightest group (-1, '', 0 when in none)."""
        group_id = np.full(n_schools, -1, dtype=np.int64)
        kind = np.full(n_schools, "", dtype=object)
        role = np.zeros(n_schools, dtype=np.int8)
        row_kinds = self.kind_of_rows()
        for name in reversed(KIND_TIGHTNESS):  # tighter kinds overwrite looser ones
            rows = np.flatnonzero(row_kinds == name)
            group_id[self.school[rows]] = self.group[rows]
            kind[self.school[rows]] = name
            role[self.school[rows]] = self.role[rows]
        return group_id, kind.astype(str), role
