"""Enrollment phase: pupils move up a grade, new families arrive, entering families decide
where to live, and entrants are placed in schools under the enrollment rule in force."""

from __future__ import annotations

import numpy as np

from edusim.phases.base import Phase
from edusim.policy.enrollment import (
    RULE_CODES,
    UNPLACED,
    consideration_set,
    extra_classes,
    members_table,
    place_entrants,
    ranked_lists,
    resident_standing,
    rules_in_force,
    with_fallback,
    zone_of_schools,
)
from edusim.policy.matching import deferred_acceptance
from edusim.processes.aggregate import school_counts
from edusim.processes.family_choice import STAY, chosen_moves, top_reputation_candidates
from edusim.processes.housing import premium_cny, updated_premium
from edusim.processes.learning import entry_achievement
from edusim.world.households import arriving_families, family_taste, household_status
from edusim.world.schools import FIRST_GRADE
from edusim.world.synthesis import cell_premium_share, pupils_per_grade

LAST_GRADE = 9


class Intake(Phase):
    """Graduation, grade progression, new grade-1 families, housing moves, placement."""

    name = "enrollment"
    month_day = (9, 1)
    description = (
        "grade 9 leaves, grades advance, new grade-1 families arrive; entering families "
        "move house or stay; entrants placed under the enrollment rule; premiums adjust"
    )

    def step(self, year: int) -> None:
        families = self.model.families
        families.keep(families.grade < LAST_GRADE)
        families.grade += 1
        families.school[families.grade == FIRST_GRADE[1]] = UNPLACED
        families.moved_for_school[:] = False
        self._arrivals(year)
        self.model.intake = {}
        for stage in (0, 1):
            entrants = np.flatnonzero(families.grade == FIRST_GRADE[stage])
            self._housing_moves(year, stage, entrants)
            self._place(year, stage, entrants)
        table = self.model.school_table
        table.enrollment = school_counts(families.school, len(table))

    def _arrivals(self, year: int) -> None:
        """New grade-1 families, settled like the year-0 population."""
        model = self.model
        scenario, families = model.params, model.families
        growth = (1.0 + scenario.families.cohort_growth) ** (year - scenario.start_year + 1)
        cell_premium = cell_premium_share(model.catchments, model.school_table.premium_share)
        reference = model.income_reference
        log_price = (reference.log_price_mean, reference.log_price_sd)
        counts = [
            round(pupils_per_grade(district.pupils.primary, 6)[0] * growth)
            for district in model.scenario.city.districts
        ]
        first_uid = families.next_uid
        settled = [
            arriving_families(
                scenario,
                model.geography,
                first_uid + sum(counts[:d]) + np.arange(count),
                d,
                cell_premium,
                log_price,
                model.streams,
            )
            for d, count in enumerate(counts)
        ]
        uids = np.arange(first_uid, first_uid + sum(counts))
        income = np.concatenate([piece["income_cny"] for piece in settled])
        ses_z = (np.log(income) - reference.log_income_mean) / reference.log_income_sd
        families.add(
            uids.size,
            cell=np.concatenate([piece["cell"] for piece in settled]),
            district=np.repeat(np.arange(len(counts)), counts),
            income_cny=income,
            ses_z=ses_z,
            quality_taste=family_taste(ses_z, uids, scenario, model.streams),
            grade=1,
            school=UNPLACED,
            achievement=entry_achievement(
                ses_z, model.streams.normal("learning.entry", None, uids), scenario.learning
            ),
            moved_for_school=False,
            residence_years=6.0 * model.streams.uniform("families.residence", None, uids),
            **household_status(uids, scenario, model.streams),
        )

    def _housing_moves(self, year: int, stage: int, entrants: np.ndarray) -> None:
        """Entering families weigh buying into a better catchment (see family_choice)."""
        model = self.model
        families, table, params = model.families, model.school_table, model.params
        home = model.catchments.catchment_of(families.cell[entrants], stage)
        candidates = top_reputation_candidates(
            table.reputation,
            table.district,
            table.stage,
            params.families.candidate_schools,
            len(model.geography.district_names),
        )[families.district[entrants], stage]
        school_premium = premium_cny(
            table.premium_share,
            model.geography.district_price_cny_per_m2[table.district],
            params.housing,
        )
        flat_price = (
            model.geography.district_price_cny_per_m2[families.district[entrants]]
            * params.housing.flat_size_m2
        )
        target = chosen_moves(
            home,
            candidates,
            table.reputation,
            table.admission_chance * (1.0 - model.dwelling_used_share(stage)),
            school_premium,
            families.income_cny[entrants],
            families.quality_taste[entrants],
            params.families.moving_cost_share * flat_price,
            params.families,
        )
        movers = entrants[target != STAY]
        draw = model.streams.uniform("families.move", year, families.uid[movers])
        families.cell[movers] = model.catchments.cell_in_catchment(target[target != STAY], draw)
        families.moved_for_school[movers] = True
        families.residence_years[movers] = 0.0
        families.owner[movers] = True  # they buy into the catchment

    def _place(self, year: int, stage: int, entrants: np.ndarray) -> None:
        """Plan classes if the district is short, place entrants under the rule in force
        in their district, then update admission chances and premiums."""
        model = self.model
        families, table, catchments = model.families, model.school_table, model.catchments
        n_schools = len(table)
        cells = families.cell[entrants]
        home = catchments.catchment_of(cells, stage)
        resident_entrants = np.bincount(home, minlength=n_schools)
        in_stage = table.stage == stage
        self._plan_classes(year, stage, entrants, resident_entrants, in_stage)

        free = np.where(in_stage, table.entry_capacity, 0).astype(np.int64)
        uids = families.uid[entrants]
        lottery = model.streams.uniform("enrollment.lottery", year, uids)
        entitled = self._entitled(year, stage, entrants, home)
        standing = resident_standing(
            families.local_hukou[entrants],
            families.owner[entrants],
            families.residence_years[entrants],
            model.params.enrollment,
        )
        standing = np.where(entitled, standing, -1.0)
        codes = rules_in_force(model.params.enrollment, model.geography.district_names)
        rule = codes[families.district[entrants], stage]
        placed = np.full(entrants.size, UNPLACED, dtype=np.int64)
        first_choice = home.copy()
        for code in np.unique(rule):
            chosen = np.flatnonzero(rule == code)
            if code == RULE_CODES["catchment"]:
                priority = standing[chosen] + lottery[chosen]
                placed[chosen] = place_entrants(
                    catchments.cell_nearest[stage, cells[chosen]], priority, free
                )
                continue
            lists = self._preference_lists(code, stage, entrants[chosen], home[chosen])
            priority = np.repeat(lottery[chosen][:, None], lists.shape[1], axis=1)
            if code == RULE_CODES["choice"] and model.params.enrollment.catchment_priority:
                at_home = (lists == home[chosen][:, None]) & entitled[chosen][:, None]
                priority += at_home * (1.0 + standing[chosen][:, None])
            matched = deferred_acceptance(lists, priority, free)
            free -= np.bincount(matched[matched >= 0], minlength=n_schools)
            placed[chosen] = matched
            first_choice[chosen] = lists[:, 0]
        waiting = placed == UNPLACED
        if waiting.any():
            priority = np.maximum(standing[waiting], 0.0) + lottery[waiting]
            placed[waiting] = place_entrants(
                self._district_lists(cells[waiting], stage), priority, free
            )
        if (placed == UNPLACED).any():
            raise RuntimeError(
                f"{int((placed == UNPLACED).sum())} entrants found no place in {year}"
            )
        families.school[entrants] = placed

        admitted_home = np.bincount(home[placed == home], minlength=n_schools)
        table.admission_chance = np.where(
            in_stage & (resident_entrants > 0),
            admitted_home / np.maximum(resident_entrants, 1),
            table.admission_chance,
        )
        table.premium_share = np.where(
            in_stage,
            updated_premium(
                table.premium_share, resident_entrants, table.entry_capacity, model.params.housing
            ),
            table.premium_share,
        )
        distance = model.geography.travel_km(
            cells,
            table.x_km[placed],
            table.y_km[placed],
            model.geography.cell_island[table.cell[placed]],
        )
        model.intake[stage] = {
            "entrants": int(entrants.size),
            "movers": int(families.moved_for_school[entrants].sum()),
            "resident_entrants": resident_entrants,
            "applications": np.bincount(first_choice, minlength=n_schools),
            "entry_places": table.entry_capacity.copy(),
            "in_stage": in_stage,
            "out_of_catchment": int((first_choice != home).sum()),
            "first_choice_met": int((placed == first_choice).sum()),
            "distance_km_sum": float(distance.sum()),
        }
        self._remember_intake(stage, resident_entrants)

    def _plan_classes(self, year, stage, entrants, resident_entrants, in_stage) -> None:
        """Districts short of entry places add classes where residents overflow."""
        model = self.model
        table, families = model.school_table, model.families
        n_districts = len(model.geography.district_names)
        places = np.bincount(table.district[in_stage], table.entry_capacity[in_stage], n_districts)
        demand = np.bincount(families.district[entrants], minlength=n_districts)
        district_short = in_stage & (demand > places)[table.district]
        added = extra_classes(
            resident_entrants, table.entry_capacity, table.class_size, district_short
        )
        if added.any():
            table.classes_per_grade = table.classes_per_grade + added
            for school in np.flatnonzero(added):
                model.log_event(
                    year,
                    "capacity",
                    "classes added",
                    {"school": str(table.name[school]), "classes": int(added[school])},
                )

    def _preference_lists(
        self, code: int, stage: int, entrants: np.ndarray, home: np.ndarray
    ) -> np.ndarray:
        """Ranked school lists of entrants under zones, group-wide enrollment or choice."""
        model = self.model
        table, families, params = model.school_table, model.families, model.params.enrollment
        if code == RULE_CODES["zones"]:
            zone = zone_of_schools(
                table.x_km, table.y_km, table.district, table.stage, params.zone_size
            )
            candidates = members_table(zone, int(zone.max()) + 1)[zone[home]]
        elif code == RULE_CODES["group"]:
            campus_group = self.model.joint_enrollment_group(stage)
            owner = np.where(
                campus_group >= 0, campus_group, len(model.groups.groups) + np.arange(len(table))
            )
            owner = np.where(table.stage == stage, owner, -1)
            candidates = members_table(owner, int(owner.max()) + 1)[owner[home]]
        else:
            candidates = consideration_set(
                model.catchments.cell_nearest[stage, families.cell[entrants]],
                top_reputation_candidates(
                    table.reputation,
                    table.district,
                    table.stage,
                    model.params.families.candidate_schools,
                    len(model.geography.district_names),
                )[families.district[entrants], stage],
            )
        cells = families.cell[entrants]
        safe = np.maximum(candidates, 0)
        km = np.hypot(
            model.geography.cell_x[cells][:, None] - table.x_km[safe],
            model.geography.cell_y[cells][:, None] - table.y_km[safe],
        )
        value = (families.quality_taste[entrants] * families.income_cny[entrants])[
            :, None
        ] * table.reputation[safe]
        utility = value - params.distance_cost_cny_per_km * km
        length = params.choice_list_length if code == RULE_CODES["choice"] else candidates.shape[1]
        return with_fallback(ranked_lists(candidates, utility, length), home)

    def _entitled(
        self, year: int, stage: int, entrants: np.ndarray, home: np.ndarray
    ) -> np.ndarray:
        """Whether each entrant's address gives it catchment rights: under a one-enrollment-
        per-dwelling rule a family that just moved may have bought a flat already used."""
        model = self.model
        entitled = np.ones(entrants.size, dtype=bool)
        if model.params.enrollment.dwelling_rule_years == 0:
            return entitled
        movers = model.families.moved_for_school[entrants]
        draw = model.streams.uniform("enrollment.dwelling", year, model.families.uid[entrants])
        used = self.model.dwelling_used_share(stage)
        return ~movers | (draw >= used[home])

    def _remember_intake(self, stage: int, resident_entrants: np.ndarray) -> None:
        history = self.model.intake_history.setdefault(stage, [])
        history.append(resident_entrants)

    def _district_lists(self, cells: np.ndarray, stage: int) -> np.ndarray:
        """Every school of the entrant's district and stage, nearest first (a last resort)."""
        model = self.model
        table, geo = model.school_table, model.geography
        districts = geo.cell_district[cells]
        width = int(np.bincount(table.district[table.stage == stage]).max())
        lists = np.full((cells.size, width), UNPLACED, dtype=np.int64)
        for district in np.unique(districts):
            rows = np.flatnonzero(districts == district)
            schools = np.flatnonzero((table.district == district) & (table.stage == stage))
            island = geo.cell_island[table.cell[schools]]
            travel = geo.travel_km(
                cells[rows][:, None], table.x_km[schools], table.y_km[schools], island
            )
            lists[rows, : schools.size] = schools[np.argsort(travel, axis=1, kind="stable")]
        return lists
