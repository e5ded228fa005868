"""Enrollment phase: pupils move up a grade, new families arrive, entering families decide
where to live, and entrants are placed in schools under the enrollment rule in force."""

from __future__ import annotations

import numpy as np

from edusim.phases.base import Phase
from edusim.policy.enrollment import (
    RESIDENT_CLASSES,
    RULE_CODES,
    UNPLACED,
    applicant_priority,
    consideration_set,
    extra_classes,
    ladder_class,
    members_table,
    place_entrants,
    ranked_lists,
    reserved_seats,
    resident_standing,
    rules_in_force,
    with_fallback,
    zone_of_schools,
)
from edusim.policy.matching import deferred_acceptance
from edusim.processes.aggregate import school_counts
from edusim.processes.family_choice import (
    BUY,
    STAY,
    access_reputation,
    chosen_moves,
    school_values,
    top_reputation_candidates,
)
from edusim.processes.housing import premium_cny, updated_premium
from edusim.processes.learning import entry_achievement
from edusim.world.households import (
    arriving_families,
    family_taste,
    household_status,
    older_sibling_school,
)
from edusim.world.private_schools import has_private_option
from edusim.world.schools import FIRST_GRADE, GRADES_PER_STAGE
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
            self._siblings(year, stage, entrants)
            public_entrants, private_applicants = self._private_intake(year, stage, entrants)
            self._housing_moves(year, stage, public_entrants)
            self._place(year, stage, public_entrants)
            self.model.intake[stage].update(
                private_applicants=private_applicants,
                private_entrants=int(entrants.size - public_entrants.size),
            )
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
            sibling_school=-1,
            residence_years=6.0 * model.streams.uniform("families.residence", None, uids),
            **household_status(uids, scenario, model.streams),
        )

    def _siblings(self, year: int, stage: int, entrants: np.ndarray) -> None:
        """Which entrants have an older sibling in the stage, and at which school."""
        model = self.model
        families = model.families
        in_stage = (
            (families.grade > FIRST_GRADE[stage])
            & (families.grade < FIRST_GRADE[stage] + GRADES_PER_STAGE[stage])
            & (families.school >= 0)
        )
        uids = families.uid[entrants]
        families.sibling_school[entrants] = older_sibling_school(
            families.cell[entrants],
            model.streams.uniform("families.sibling", year, uids)
            < model.params.families.sibling_share,
            families.cell[in_stage],
            families.school[in_stage],
            model.geography.n_cells,
        )

    def _private_intake(
        self, year: int, stage: int, entrants: np.ndarray
    ) -> tuple[np.ndarray, int]:
        """Families with the option apply to private schools worth more to them than their
        public prospect; oversubscribed private schools admit by lottery (公民同招) or by
        test. Returns the entrants left for public enrollment and the number of applicants.

        Private places are filled first, but a family that loses the lottery keeps every
        public right, so this equals one simultaneous matching in which applicants rank
        their private schools above their public one (digest, 公民同招)."""
        model = self.model
        families, table, params = model.families, model.school_table, model.params
        private = table.private & (table.stage == stage)
        if not private.any() or entrants.size == 0:
            return entrants, 0
        # only families with the option who can afford the cheapest fee weigh private schools
        income = families.income_cny[entrants]
        cheapest = table.fee_cny_per_year[private].min()
        position = np.flatnonzero(
            has_private_option(families.uid[entrants], params.private, model.streams)
            & (params.private.fee_income_share_max * income >= cheapest)
        )
        considering = entrants[position]
        n_districts = len(model.geography.district_names)
        candidates = members_table(np.where(private, table.district, -1), n_districts)[
            families.district[considering]
        ]
        income = families.income_cny[considering]
        taste = families.quality_taste[considering]
        cells = families.cell[considering]
        home = model.catchments.catchment_of(cells, stage)
        value = school_values(
            candidates,
            table.reputation,
            self._km(cells, candidates),
            income,
            taste,
            families.sibling_school[considering],
            params.families,
            params.enrollment.distance_cost_income_share_per_km,
            fee_cny=table.fee_cny_per_year * GRADES_PER_STAGE[stage],
        )
        now = ladder_class(
            families.local_hukou[considering],
            families.owner[considering],
            families.residence_years[considering],
            params.enrollment.renter_min_years,
        )
        public_value = school_values(
            home[:, None],
            table.reputation,
            self._km(cells, home[:, None]),
            income,
            taste,
            families.sibling_school[considering],
            params.families,
            params.enrollment.distance_cost_income_share_per_km,
        )[:, 0] + taste * income * (
            model.access_reputation[stage][now, home] - table.reputation[home]
        )
        affordable = (
            table.fee_cny_per_year[np.maximum(candidates, 0)]
            <= (params.private.fee_income_share_max * income)[:, None]
        )
        wanted = affordable & (value > public_value[:, None])
        lists = ranked_lists(
            candidates, np.where(wanted, value, -np.inf), params.enrollment.choice_list_length
        )
        position, lists = position[lists[:, 0] >= 0], lists[lists[:, 0] >= 0]
        applying = entrants[position]
        score = model.streams.uniform("enrollment.private_lottery", year, families.uid[applying])
        if params.enrollment.private_admission == "test":  # achievement so far decides
            score = families.achievement[applying]
        free = np.where(private, table.entry_capacity, 0).astype(np.int64)
        matched = deferred_acceptance(
            lists, np.repeat(score[:, None], lists.shape[1], axis=1), free
        )
        families.school[applying[matched >= 0]] = matched[matched >= 0]
        return np.delete(entrants, position[matched >= 0]), int(applying.size)

    def _km(self, cells: np.ndarray, schools: np.ndarray) -> np.ndarray:
        """Straight-line km from each cell to each listed school (cells x K; 0 where -1)."""
        model = self.model
        safe = np.maximum(schools, 0)
        km = np.hypot(
            model.geography.cell_x[cells][:, None] - model.school_table.x_km[safe],
            model.geography.cell_y[cells][:, None] - model.school_table.y_km[safe],
        )
        return np.where(schools >= 0, km, 0.0)

    def _housing_moves(self, year: int, stage: int, entrants: np.ndarray) -> None:
        """Entering families weigh buying or renting into a better catchment (family_choice)."""
        model = self.model
        families, table, params = model.families, model.school_table, model.params
        home = model.catchments.catchment_of(families.cell[entrants], stage)
        candidates = top_reputation_candidates(
            table.reputation,
            table.district,
            table.stage,
            params.families.candidate_schools,
            len(model.geography.district_names),
            eligible=~table.private,
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
        local = families.local_hukou[entrants]
        min_years = params.enrollment.renter_min_years
        now = ladder_class(
            local, families.owner[entrants], families.residence_years[entrants], min_years
        )
        as_owner = ladder_class(local, np.ones_like(local), np.zeros(local.size), min_years)
        as_renter = ladder_class(local, np.zeros_like(local), np.zeros(local.size), min_years)
        access = model.access_reputation[stage]
        open_share = 1.0 - model.dwelling_used_share(stage)
        safe = np.maximum(candidates, 0)
        current = access[now, home]
        target, tenure = chosen_moves(
            home,
            current,
            candidates,
            current[:, None]
            + open_share[safe] * (access[as_owner[:, None], safe] - current[:, None]),
            current[:, None]
            + open_share[safe] * (access[as_renter[:, None], safe] - current[:, None]),
            school_premium,
            families.income_cny[entrants],
            families.quality_taste[entrants],
            flat_price,
            params.families,
        )
        moving = target != STAY
        movers = entrants[moving]
        draw = model.streams.uniform("families.move", year, families.uid[movers])
        families.cell[movers] = model.catchments.cell_in_catchment(target[moving], draw)
        families.moved_for_school[movers] = True
        buying = tenure[moving] == BUY
        families.owner[movers] = buying
        families.residence_years[movers] = 0.0  # a newcomer renter ranks by the ladder's rules

    def _place(self, year: int, stage: int, entrants: np.ndarray) -> None:
        """Plan classes if the district is short, place entrants under the rule in force
        in their district, then update admission chances and premiums."""
        model = self.model
        families, table, catchments = model.families, model.school_table, model.catchments
        n_schools = len(table)
        cells = families.cell[entrants]
        home = catchments.catchment_of(cells, stage)
        resident_entrants = np.bincount(home, minlength=n_schools)
        in_stage = (table.stage == stage) & ~table.private
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
            matched = self._match(
                code,
                lists,
                entrants[chosen],
                home[chosen],
                entitled[chosen],
                standing[chosen],
                lottery[chosen],
                free,
            )
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

        observed = access_reputation(
            home,
            ladder_class(
                families.local_hukou[entrants],
                families.owner[entrants],
                families.residence_years[entrants],
                model.params.enrollment.renter_min_years,
            ),
            placed,
            table.reputation,
            len(RESIDENT_CLASSES),
        )
        memory = model.params.families.outcome_memory
        model.access_reputation[stage] = (
            memory * model.access_reputation[stage] + (1.0 - memory) * observed
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
            "renters": int((families.moved_for_school[entrants] & ~families.owner[entrants]).sum()),
            "resident_entrants": resident_entrants,
            "applications": np.bincount(first_choice, minlength=n_schools),
            "entry_places": table.entry_capacity.copy(),
            "in_stage": in_stage,
            "out_of_catchment": int((first_choice != home).sum()),
            "first_choice_met": int((placed == first_choice).sum()),
            "distance_km_sum": float(distance.sum()),
        }
        self._remember_intake(stage, resident_entrants)

    def _match(
        self,
        code: int,
        lists: np.ndarray,
        entrants: np.ndarray,
        home: np.ndarray,
        entitled: np.ndarray,
        standing: np.ndarray,
        lottery: np.ndarray,
        free: np.ndarray,
    ) -> np.ndarray:
        """Deferred acceptance over ranked lists with the rule's priorities: residents first
        at their catchment school under choice (with `catchment_priority`) or in its reserved
        places under zones and group-wide enrollment, then siblings, then (choice only) the
        nearer, then the lottery."""
        params = self.model.params.enrollment
        families = self.model.families
        n_schools = free.size
        if code != RULE_CODES["choice"] and params.reserved_share > 0:
            seats, resident, seat_free = reserved_seats(
                lists, home, entitled, free, params.reserved_share
            )
        else:
            seats, seat_free = lists, free
            resident = (
                (lists == home[:, None])
                & entitled[:, None]
                & (code == RULE_CODES["choice"] and params.catchment_priority)
            )
        schools = np.where(seats >= 0, seats % n_schools, UNPLACED)
        sibling = (schools == families.sibling_school[entrants][:, None]) & (schools >= 0)
        priority = applicant_priority(
            resident,
            standing,
            sibling & params.sibling_priority,
            self._km(families.cell[entrants], schools),
            lottery,
            params.distance_priority and code == RULE_CODES["choice"],
        )
        matched = deferred_acceptance(seats, priority, seat_free)
        return np.where(matched >= 0, matched % n_schools, UNPLACED)

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
                table.x_km,
                table.y_km,
                np.where(table.private, -1, table.district),
                table.stage,
                params.zone_size,
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
                    eligible=~table.private,
                )[families.district[entrants], stage],
            )
        utility = school_values(
            candidates,
            table.reputation,
            self._km(families.cell[entrants], candidates),
            families.income_cny[entrants],
            families.quality_taste[entrants],
            families.sibling_school[entrants],
            model.params.families,
            params.distance_cost_income_share_per_km,
        )
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
        width = int(np.bincount(table.district[(table.stage == stage) & ~table.private]).max())
        lists = np.full((cells.size, width), UNPLACED, dtype=np.int64)
        for district in np.unique(districts):
            rows = np.flatnonzero(districts == district)
            schools = np.flatnonzero(
                (table.district == district) & (table.stage == stage) & ~table.private
            )
            island = geo.cell_island[table.cell[schools]]
            travel = geo.travel_km(
                cells[rows][:, None], table.x_km[schools], table.y_km[schools], island
            )
            lists[rows, : schools.size] = schools[np.argsort(travel, axis=1, kind="stable")]
        return lists
