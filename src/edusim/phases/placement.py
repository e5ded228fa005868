"""Placement of entrants in public schools under the enrollment rule in force: the
catchment ladder, the mechanisms of zones, group-wide enrollment, choice and admission by
achievement, the district's fallback, class planning and the dwelling rule's entitlement.

`Placement` is the part of the enrollment phase (phases/intake.py) that decides where each
entrant goes; the intake calls it for the year's entrants, for the burn-in and for the
forecast placement of rule-aware expectations (it records nothing when forecasting).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.grouped import rows_by_key
from edusim.phases.specialties import liked_specialties, offered_specialties
from edusim.phases.travel import km_to_schools
from edusim.policy.admission import (
    achievement_priority,
    cutoffs,
    exam_scores,
    fed_applicants,
    percentile,
    school_lottery_ids,
    skip_out_of_reach,
)
from edusim.policy.enrollment import (
    RULE_CODES,
    UNPLACED,
    applicant_priority,
    consideration_set,
    extra_classes,
    members_table,
    place_entrants,
    ranked_lists,
    reserved_seats,
    resident_standing,
    rules_in_force,
    with_fallback,
    zone_of_schools,
)
from edusim.policy.mechanisms import STABLE, STRATEGY_PROOF, assign
from edusim.policy.mechanisms.manipulation import misreport_gainers
from edusim.policy.mechanisms.stability import blocked_applicants, listed_position
from edusim.policy.specialties import match_bonus
from edusim.processes.family_choice import (
    school_values,
    top_reputation_candidates,
)

if TYPE_CHECKING:
    from edusim.model import EduModel


class Placement:
    """Where entrants are placed; mixed into the enrollment phase (`Intake`), whose
    `model`, `cutoffs` and `primary_school_of` it reads."""

    model: EduModel
    cutoffs: dict[tuple[int, int], np.ndarray]
    primary_school_of: tuple[np.ndarray, np.ndarray]

    def _assign(
        self, year: int, stage: int, entrants: np.ndarray, home: np.ndarray, forecast: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, dict[str, int]]:
        """Each entrant's school under the rule in force in its district (fallback: the
        district's nearest school with room), its first choice, its rule code, how many
        got one of their first three, and the mechanism counts. A `forecast` placement
        (rule-aware expectations) draws its own lotteries and records nothing."""
        model = self.model
        families, table, catchments = model.families, model.school_table, model.catchments
        n_schools = len(table)
        cells = families.cell[entrants]
        in_stage = (table.stage == stage) & ~table.private
        free = np.where(in_stage, table.entry_capacity, 0).astype(np.int64)
        uids = families.uid[entrants]
        lottery = (
            model.streams.uniform("expectations.lottery", year, uids)
            if forecast
            else model.streams.uniform("enrollment.lottery", year, uids)
        )
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
        top3_met = 0
        outcome = {"matched": 0, "blocked": 0, "misreport_checked": 0, "misreport_gainers": 0}
        for code in np.unique(rule):
            chosen = np.flatnonzero(rule == code)
            if code == RULE_CODES["catchment"]:
                priority = standing[chosen] + lottery[chosen]
                placed[chosen] = place_entrants(
                    catchments.cell_nearest[stage], priority, free, rows=cells[chosen]
                )
                continue
            lists = self._preference_lists(code, stage, entrants[chosen], home[chosen])
            matched, found = self._match(
                year,
                stage,
                code,
                lists,
                entrants[chosen],
                home[chosen],
                entitled[chosen],
                standing[chosen],
                lottery[chosen],
                free,
                forecast,
            )
            free -= np.bincount(matched[matched >= 0], minlength=n_schools)
            placed[chosen] = matched
            first_choice[chosen] = lists[:, 0]
            top3_met += int((listed_position(lists[:, :3], matched) < 3).sum())
            for key, value in found.items():
                outcome[key] += value
        waiting = placed == UNPLACED
        if waiting.any():
            priority = np.maximum(standing[waiting], 0.0) + lottery[waiting]
            lists, rows = self._district_lists(cells[waiting], stage)
            placed[waiting] = place_entrants(lists, priority, free, rows=rows)
        if (placed == UNPLACED).any():
            raise RuntimeError(
                f"{int((placed == UNPLACED).sum())} entrants found no place in {year}"
            )
        return placed, first_choice, rule, top3_met, outcome

    def _primary_school(self, uids: np.ndarray) -> np.ndarray:
        """The primary school each junior entrant (by id) left this year (-1: none, as
        for a family that arrived from outside the city)."""
        known, school = self.primary_school_of
        if known.size == 0:
            return np.full(uids.size, -1, dtype=np.int64)
        order = np.argsort(known, kind="stable")
        position = np.minimum(np.searchsorted(known[order], uids), known.size - 1)
        found = known[order][position] == uids
        return np.where(found, school[order][position], -1)

    def _match(
        self,
        year: int,
        stage: int,
        code: int,
        lists: np.ndarray,
        entrants: np.ndarray,
        home: np.ndarray,
        entitled: np.ndarray,
        standing: np.ndarray,
        lottery: np.ndarray,
        free: np.ndarray,
        forecast: bool = False,
    ) -> tuple[np.ndarray, dict[str, int]]:
        """Ranked lists and the rule's priorities through the mechanism in force.

        Priorities: residents first at their catchment school under choice and
        achievement (with `catchment_priority`) or in its reserved places under zones and
        group-wide enrollment; then, under all but achievement, siblings, the nearer
        (choice only) and the lottery; under achievement the test score instead. Returns
        each entrant's school (-1: unmatched) and the counts behind the mechanism
        metrics (blocking pairs, misreporting)."""
        params = self.model.params.enrollment
        families = self.model.families
        n_schools = free.size
        streams = self.model.streams
        by_own_choice = code in (RULE_CODES["choice"], RULE_CODES["achievement"])
        if not by_own_choice and params.reserved_share > 0:
            seats, resident, seat_free = reserved_seats(
                lists, home, entitled, free, params.reserved_share
            )
        else:
            seats, seat_free = lists, free
            resident = (
                (lists == home[:, None])
                & entitled[:, None]
                & (by_own_choice and params.catchment_priority)
            )
        schools = np.where(seats >= 0, seats % n_schools, UNPLACED)
        uids = families.uid[entrants]
        order = lottery
        if code == RULE_CODES["achievement"]:
            achievement = families.achievement[entrants]
            noise = (
                streams.normal("expectations.test", year, uids)
                if forecast
                else streams.normal("enrollment.test", year, uids)
            )
            order = percentile(exam_scores(achievement, noise, params.test_noise_sd))
            priority = achievement_priority(resident, order)
            expected = achievement_priority(resident, percentile(achievement))
        else:
            if params.tie_breaking == "multiple":
                ids = school_lottery_ids(uids, schools)
                lottery = (
                    streams.uniform("expectations.school_lottery", year, ids.ravel())
                    if forecast
                    else streams.uniform("enrollment.school_lottery", year, ids.ravel())
                )
                lottery = lottery.reshape(schools.shape)
            sibling = (schools == families.sibling_school[entrants][:, None]) & (schools >= 0)
            feeder = None
            if params.feeder_priority and stage == 1:
                feeder = fed_applicants(
                    self._primary_school(uids), self.model.school_table.feeds, schools
                )
            priority = applicant_priority(
                resident,
                standing,
                sibling & params.sibling_priority,
                km_to_schools(self.model, families.cell[entrants], schools),
                lottery,
                params.distance_priority and code == RULE_CODES["choice"],
                feeder=feeder,
            )
            expected = priority - (lottery if lottery.ndim == 2 else lottery[:, None]) + 0.5
        strategic = params.strategy == "cutoffs" and params.mechanism not in STRATEGY_PROOF
        if strategic:
            seats, priority = skip_out_of_reach(
                seats, priority, expected, self.cutoffs.get((stage, code))
            )

        def run(seats, priority, capacity):
            return assign(
                params.mechanism,
                seats,
                priority,
                capacity,
                band_size=params.parallel_band_size,
                order=order,
            )

        matched = run(seats, priority, seat_free)
        if (
            strategic and not forecast
        ):  # only strategic lists read them (sincere the first such year)
            self.cutoffs[(stage, code)] = cutoffs(seats, priority, seat_free, matched)
        # a stable mechanism leaves no blocking pair (Gale and Shapley 1962; tested in
        # tests/policy/mechanisms), so the check (about 0.1 s at city scale) is skipped
        blocked = (
            0
            if params.mechanism in STABLE
            else int(blocked_applicants(seats, priority, seat_free, matched).sum())
        )
        found = {"matched": int(entrants.size), "blocked": blocked}
        if params.misreport_sample > 0 and entrants.size and not forecast:
            draw = self.model.streams.uniform("enrollment.misreport_sample", year, uids)
            sampled = np.argsort(draw, kind="stable")[: params.misreport_sample]
            # judged against the list the family submitted (sincere unless `strategy`)
            gains = misreport_gainers(run, seats, priority, seat_free, sampled, matched)
            found["misreport_checked"] = int(sampled.size)
            found["misreport_gainers"] = int(gains.sum())
        return np.where(matched >= 0, matched % n_schools, UNPLACED), found

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
        """Ranked school lists of entrants under zones, group-wide enrollment, choice or
        achievement (the last two: the family's considered schools, cut to its list length)."""
        model = self.model
        table, families, params = model.school_table, model.families, model.params.enrollment
        if code == RULE_CODES["zones"]:
            zone = zone_of_schools(
                table.x_km,
                table.y_km,
                np.where(table.private | ~table.active, -1, table.district),
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
                    eligible=~table.private & table.active,
                )[families.district[entrants], stage],
            )
        offered = offered_specialties(model)
        utility = school_values(
            candidates,
            table.reputation,
            km_to_schools(self.model, families.cell[entrants], candidates),
            families.income_cny[entrants],
            families.quality_taste[entrants],
            families.sibling_school[entrants],
            model.params.families,
            params.distance_cost_income_share_per_km,
            specialty_bonus=None
            if offered is None
            else match_bonus(
                liked_specialties(model, entrants),
                offered,
                candidates,
                model.params.specialties.match_value_sd,
            ),
        )
        own_choice = code in (RULE_CODES["choice"], RULE_CODES["achievement"])
        length = params.choice_list_length if own_choice else candidates.shape[1]
        return with_fallback(ranked_lists(candidates, utility, length), home)

    def _entitled(
        self, year: int, stage: int, entrants: np.ndarray, home: np.ndarray
    ) -> np.ndarray:
        """Whether each entrant's address gives it catchment rights: under a one-enrollment-
        per-dwelling rule a family that just rented may have a flat already used (a flat
        bought in the market is one that still gives a place: housing_market)."""
        model = self.model
        entitled = np.ones(entrants.size, dtype=bool)
        if model.params.enrollment.dwelling_rule_years == 0:
            return entitled
        tenants = model.families.moved_for_school[entrants] & ~model.families.owner[entrants]
        draw = model.streams.uniform("enrollment.dwelling", year, model.families.uid[entrants])
        used = self.model.dwelling_used_share(stage)
        return ~tenants | (draw >= used[home])

    def _district_lists(self, cells: np.ndarray, stage: int) -> tuple[np.ndarray, np.ndarray]:
        """Every school of the entrant's district and stage, nearest first (a last resort):
        one list per distinct cell of the entrants, and each entrant's row in it (entrants
        of one cell share a list, so the work grows with cells x schools, not entrants)."""
        model = self.model
        table, geo = model.school_table, model.geography
        unique_cells, rows = np.unique(cells, return_inverse=True)
        districts = geo.cell_district[unique_cells]
        public = np.flatnonzero((table.stage == stage) & ~table.private)
        width = int(np.bincount(table.district[public]).max())
        lists = np.full((unique_cells.size, width), UNPLACED, dtype=np.int64)
        # the cells and the schools grouped by district once (each group ascending), not
        # a pass over all of them for every district
        n_districts = len(geo.district_names)
        cells_by = rows_by_key(districts, n_districts)
        schools_by = rows_by_key(table.district[public], n_districts)
        for district in np.unique(districts):
            at = cells_by[district]
            schools = public[schools_by[district]]
            island = geo.cell_island[table.cell[schools]]
            travel = geo.travel_km(
                unique_cells[at][:, None], table.x_km[schools], table.y_km[schools], island
            )
            lists[at, : schools.size] = schools[np.argsort(travel, axis=1, kind="stable")]
        return lists, rows.reshape(-1)
