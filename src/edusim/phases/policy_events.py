"""Policy phase: at the start of a school year dated events take effect and school groups
are formed, renewed or dissolved."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.agents.groups import MEMBER
from edusim.grouped import rows_by_key
from edusim.phases.base import Phase
from edusim.phases.school_lifecycle import apply_school_change
from edusim.policy.funding import (
    DEVELOPMENT_GRANTS,
    RESOURCE_GRANTS,
    capped,
    weakest_rural_schools,
)
from edusim.policy.group_effects import brand_transfer
from edusim.policy.group_formation import SchoolView, form_by_rule
from edusim.scenario.funding import GRANT_KINDS
from edusim.scenario.loader import (
    apply_override,
    editable_dump,
    school_year_of_date,
    validate_mapping,
)
from edusim.scenario.schema import TimelineEvent

if TYPE_CHECKING:
    from edusim.model import EduModel


def school_year_of_effect(event: TimelineEvent) -> int:
    """The school year in which a timeline event takes effect."""
    return school_year_of_date(event.date)


class PolicyEvents(Phase):
    """Fires the timeline (replacing the parameters in force, `model.params`) and runs the
    groups' lifecycle: terms end (renewed or dissolved), then new groups form."""

    name = "policy"
    month_day = (9, 1)
    description = (
        "dated policy events take effect; group terms end (renewed or dissolved); new groups "
        "form; the year's reform grants are allocated under the budget cap"
    )

    def init(self, model: EduModel) -> None:
        super().init(model)
        model.brand_change = np.zeros(len(model.school_table))
        """What this year's group formations moved each school's reputation by (the name
        cores lend their members, `brand_transfer`): news that rule-aware families read
        (phases/intake.py)."""

    def step(self, year: int) -> None:
        self.model.brand_change = np.zeros(len(self.model.school_table))
        self._timeline(year)
        self._terms(year)
        self._explicit_groups(year)
        self._rule_groups(year)
        self._fund(year)

    def _timeline(self, year: int) -> None:
        model = self.model
        for event in model.resolved_scenario.timeline:
            if school_year_of_effect(event) != year:
                continue
            if event.set:
                data = editable_dump(model.params)
                for dotted, value in event.set.items():
                    apply_override(data, dotted, value)
                model.params = validate_mapping(data, f"timeline event '{event.label}'")
                detail = {"date": event.date.isoformat(), "set": dict(event.set)}
                model.log_event(year, "policy", event.label or "parameters changed", detail)
            if event.school_change is not None:
                kind, spec = event.school_change
                detail = apply_school_change(self, year, kind, spec)
                detail = {"date": event.date.isoformat(), "change": kind, **detail}
                model.log_event(year, "school", event.label or kind, detail)

    def _terms(self, year: int) -> None:
        groups = self.model.groups
        for group_id, group in enumerate(groups.groups):
            if not group.active or group.term_end_year >= year:
                continue
            if group.renew:
                group.term_end_year += group.term_years
                self.model.log_event(year, "group", "renewed", {"group": group.name})
            else:
                groups.dissolve(group_id)
                self.model.log_event(year, "group", "dissolved", {"group": group.name})

    def form_group(
        self,
        year: int,
        name: str,
        kind: str,
        core: int,
        members: np.ndarray,
        term_years: int,
        renew: bool,
    ) -> None:
        model = self.model
        table = model.school_table
        model.groups.form(name, kind, core, members, year, term_years, renew)
        params = model.params.groups.kinds[kind]
        self._lend_name(core, members, params.brand_sharing, params.brand_dilution)
        model.log_event(
            year,
            "group",
            "formed",
            {
                "group": name,
                "kind": kind,
                "core": str(table.name[core]),
                "members": [str(n) for n in table.name[members]],
            },
        )

    def _lend_name(self, core: int, members: np.ndarray, sharing: float, dilution: float) -> None:
        """The core lends its name to `members` (`brand_transfer`); the change of every
        school's reputation is added to this year's `model.brand_change`."""
        model = self.model
        before = model.school_table.reputation
        model.school_table.reputation = brand_transfer(before, core, members, sharing, dilution)
        change = np.zeros(before.size)
        change[: model.brand_change.size] = model.brand_change[: before.size]
        model.brand_change = change + (model.school_table.reputation - before)

    def join_group(self, year: int, name: str, school: int) -> None:
        """A school joins the active group called `name` as a member, borrowing its core's
        name like the members it formed with (a school opened into a group)."""
        model = self.model
        table, groups = model.school_table, model.groups
        group_id = groups.active_id(name)
        group = groups.groups[group_id]
        groups.join(group_id, school, year)
        params = model.params.groups.kinds[group.kind]
        self._lend_name(group.core, np.array([school]), params.brand_sharing, params.brand_dilution)
        model.log_event(
            year,
            "group",
            "joined",
            {"group": name, "kind": group.kind, "school": str(table.name[school])},
        )

    def _explicit_groups(self, year: int) -> None:
        model = self.model
        index = {name: i for i, name in enumerate(model.school_table.name)}
        for spec in model.params.groups.explicit:
            if school_year_of_date(spec.formed) != year:
                continue
            members = np.array([index[m] for m in spec.members], dtype=np.int64)
            self.form_group(
                year, spec.name, spec.kind, index[spec.core], members, spec.term_years, spec.renew
            )

    def _rule_groups(self, year: int) -> None:
        model = self.model
        rules = [r for r in model.params.groups.rules if school_year_of_date(r.formed) == year]
        if not rules:
            return
        table, geo = model.school_table, model.geography
        names = geo.district_names
        view = SchoolView(
            stage=table.stage,
            district=table.district,
            district_kind=geo.district_kind[table.district],
            quality=table.teaching_quality,
            enrollment=table.enrollment,
            travel_km=model.school_travel_km(),
            owner=table.owner,
            rural=table.rural,
            feeds=table.feeds,
        )
        for rule in rules:
            scope = (
                [names.index(d) for d in rule.districts] if rule.districts else range(len(names))
            )
            # private schools stay outside groups (public schools' reform)
            taken = model.groups.in_kind(rule.kind, len(table)) | table.private | ~table.active
            member_scope = np.array([names.index(d) for d in rule.member_districts], dtype=int)
            formed, achieved = form_by_rule(rule, view, np.array(list(scope)), taken, member_scope)
            for number, (core, members) in enumerate(formed, start=1):
                self.form_group(
                    year,
                    f"{rule.name}-{number:02d}",
                    rule.kind,
                    core,
                    members,
                    rule.term_years,
                    rule.renew,
                )
            model.log_event(
                year,
                "group",
                "rule applied",
                {
                    "rule": rule.name,
                    "kind": rule.kind,
                    "groups": len(formed),
                    "members": int(sum(m.size for _, m in formed)),
                    "target_share": rule.target_share,
                    "achieved_share": round(achieved, 4),
                },
            )

    def _fund(self, year: int) -> None:
        """Allocate this year's grants to schools (see policy/funding.py)."""
        model = self.model
        table, groups, params = model.school_table, model.groups, model.params.funding
        n = len(table)
        # resource grants by kind, then development grants by kind (one row each)
        grants = {kind: np.zeros(n) for kind in GRANT_KINDS}
        zone_pay = np.zeros(n)
        row_kind = groups.kind_of_rows()
        members = groups.role == MEMBER
        # branch campuses of groups within one district (Chongming 二6: "区内集团的每个分校
        # 区"); a group spanning districts draws the trusteeship grant instead
        rows_of_group = rows_by_key(groups.group, len(groups.groups))
        spans = np.array(
            [np.unique(table.district[groups.school[rows]]).size > 1 for rows in rows_of_group],
            dtype=bool,
        )
        branch = members & np.isin(row_kind, ("tight", "entrusted")) & ~spans[groups.group]
        np.add.at(grants["branch_campus"], groups.school[branch], params.branch_campus_cny)
        rural = model.geography.district_kind[table.district] == 2
        special = np.bincount(
            model.teachers.home_school[model.teachers.tier == 3], minlength=n
        ).astype(float)
        for group, rows in zip(groups.groups, rows_of_group, strict=True):
            if rows.size == 0:
                continue
            schools = groups.school[rows]
            member_schools = groups.school[rows[members[rows]]]
            if np.unique(table.district[schools]).size > 1 and member_schools.size:
                grants["cross_district_group"][member_schools] += (
                    params.cross_district_group_cny / member_schools.size
                )
            if group.kind == "zone":
                target = zone_pay if params.zone_reward_as_pay else grants["zone"]
                target[schools] += params.zone_cny / schools.size
            rural_members = member_schools[rural[member_schools]]
            if rural_members.size and special[group.core] > 0:
                support = special[group.core] * params.special_teacher_support_cny
                grants["special_teacher"][rural_members] += support / rural_members.size
        studios = weakest_rural_schools(table.teaching_quality, rural, params.rural_studios)
        if studios.size:
            per_school = np.bincount(
                np.arange(params.rural_studios) % studios.size, minlength=studios.size
            )
            grants["rural_studio"][studios] += per_school * params.rural_studio_cny
        requested = float(sum(g.sum() for g in grants.values()))
        under_cap = [kind for kind in GRANT_KINDS if kind in params.capped_grants]
        scale = 1.0
        if under_cap:
            scaled, scale = capped(np.stack([grants[k] for k in under_cap]), params.budget_cap_cny)
            for kind, row in zip(under_cap, scaled, strict=True):
                grants[kind] = row
        table.resource_grant_cny = sum(grants[k] for k in RESOURCE_GRANTS)
        table.development_grant_cny = sum(grants[k] for k in DEVELOPMENT_GRANTS)
        staff = np.bincount(model.teachers.school, minlength=n)
        table.zone_pay_cny = np.where(staff > 0, zone_pay / np.maximum(staff, 1), 0.0)
        model.money[year] = {
            "requested_cny": requested,
            "spent_cny": float(sum(g.sum() for g in grants.values())),
            "scale": scale,
            "performance_pay_cny": float(zone_pay.sum()),
        }
        if requested > 0 or zone_pay.any():
            model.log_event(year, "funding", "grants allocated", model.money[year])
