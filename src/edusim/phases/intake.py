"""Enrollment phase: pupils move up a grade, new families arrive, entering families bid in
the housing market, and entrants are placed in schools under the enrollment rule in force.

Before the first reported year the phase clears the market and places the city's last
entrants `housing.burn_in_years` times, unreported (same rule, same schools), and keeps
only the premiums and the expectations they leave: the city starts in the equilibrium of
its initial rule instead of with every family expecting its catchment school
(docs/ODD.md §5).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np

from edusim.phases.arrivals import arrive, mark_siblings
from edusim.phases.base import Phase
from edusim.phases.housing_market import dwelling_stock, housing_moves
from edusim.phases.private_intake import fit_private_amenity, private_intake
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
from edusim.policy.mechanisms import STABLE, STRATEGY_PROOF, assign
from edusim.policy.mechanisms.manipulation import misreport_gainers
from edusim.policy.mechanisms.stability import blocked_applicants, listed_position
from edusim.processes.aggregate import school_counts
from edusim.processes.expectations import read_rule, rule_news_years
from edusim.processes.family_choice import (
    access_reputation,
    school_values,
    top_reputation_candidates,
)
from edusim.world.schools import FIRST_GRADE

if TYPE_CHECKING:
    from edusim.model import EduModel

LAST_GRADE = 9
BURN_IN_COLUMNS = ("cell", "owner", "residence_years", "moved_for_school", "school")
"""What the burn-in changes in the families and puts back."""


class Intake(Phase):
    """Graduation, grade progression, new grade-1 families, housing moves, placement."""

    name = "enrollment"
    month_day = (9, 1)
    description = (
        "grade 9 leaves, grades advance, new grade-1 families arrive; entering families "
        "buy, rent or stay as the housing market clears; entrants placed under the enrollment rule"
    )

    def init(self, model: EduModel) -> None:
        super().init(model)
        self.stock = dwelling_stock(model)
        self.cutoffs: dict[tuple[int, int], np.ndarray] = {}
        """Last intake's cut-off of every school or seat, by (stage, rule code)."""
        self.rule_news = rule_news_years(model.scenario.timeline, model.params.expectations)
        """School years whose intake reads an announced change of the enrollment rules."""
        self.primary_school_of = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        """This year's junior entrants' ids and the primary school each left (feeders)."""
        self._burn_in(model.params.housing.burn_in_years)
        if model.params.private.fit_amenity:
            self._fit_private_amenity()

    def step(self, year: int) -> None:
        families = self.model.families
        families.keep(families.grade < LAST_GRADE)
        families.grade += 1
        leaving_primary = families.grade == FIRST_GRADE[1]
        # each junior entrant's primary school, for feeder priority (对口), by family id
        self.primary_school_of = (
            families.uid[leaving_primary].copy(),
            families.school[leaving_primary].copy(),
        )
        families.school[leaving_primary] = UNPLACED
        families.moved_for_school[:] = False
        arrive(self.model, year)
        self.model.intake = {}
        for stage in (0, 1):
            entrants = np.flatnonzero(families.grade == FIRST_GRADE[stage])
            mark_siblings(self.model, year, stage, entrants)
            if year in self.rule_news:
                self._read_rules(year, stage, entrants)
            public_entrants, private_applicants = private_intake(self.model, year, stage, entrants)
            market = housing_moves(self.model, year, stage, public_entrants, self.stock[stage])
            self._place(year, stage, public_entrants)
            self.model.intake[stage].update(
                private_applicants=private_applicants,
                private_entrants=int(entrants.size - public_entrants.size),
                **market,
            )
        table = self.model.school_table
        table.enrollment = school_counts(families.school, len(table))

    def _burn_in(self, years: int) -> None:
        """Clear the market and place `years` times, in the years before the start, the
        public pupils of the city as built who entered last (grades 1 and 7), each time
        from their addresses as built and with what the previous rounds taught; keep
        only the premiums (the market starting from none) and the expectations. Their
        addresses, places, the classes, the intake history and the event log are put
        back, so the families as built, their ids and every reported draw are untouched.
        """
        if years == 0:
            return
        model = self.model
        families, table = model.families, model.school_table
        public = (families.school >= 0) & ~table.private[np.maximum(families.school, 0)]
        cohorts = [np.flatnonzero(public & (families.grade == FIRST_GRADE[s])) for s in (0, 1)]
        saved = {name: getattr(families, name).copy() for name in BURN_IN_COLUMNS}
        classes = table.classes_per_grade.copy()
        history, events = copy.deepcopy(model.intake_history), len(model._events)
        table.premium_share[:] = 0.0  # the market, not the guess, sets them
        start = model.scenario.start_year
        for year in range(start - years, start):
            for stage, entrants in enumerate(cohorts):
                for name in BURN_IN_COLUMNS:
                    getattr(families, name)[entrants] = saved[name][entrants]
                families.moved_for_school[entrants] = False
                housing_moves(model, year, stage, entrants, self.stock[stage])
                self._place(year, stage, entrants)
        for name in BURN_IN_COLUMNS:
            getattr(families, name)[:] = saved[name]
        table.classes_per_grade = classes
        model.intake_history = history
        del model._events[events:]
        model.intake = {}

    def _fit_private_amenity(self) -> None:
        """Invert each private school's amenity from its entrants as built, so that the
        city's last entrants, from their addresses as built and with the expectations
        the burn-in left, would choose the private schools as they did
        (`fit_private_amenity`)."""
        model = self.model
        families, table = model.families, model.school_table
        placed = np.maximum(families.school, 0)
        in_private = (families.school >= 0) & table.private[placed]
        for stage in (0, 1):
            cohort = np.flatnonzero((families.grade == FIRST_GRADE[stage]) & (families.school >= 0))
            target = np.bincount(families.school[cohort[in_private[cohort]]], minlength=len(table))
            model.private_amenity = fit_private_amenity(model, stage, cohort, target)

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
        placed, first_choice, rule, top3_met, outcome = self._assign(year, stage, entrants, home)
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
            "top3_met": int(
                (
                    placed[rule == RULE_CODES["catchment"]] == home[rule == RULE_CODES["catchment"]]
                ).sum()
            )
            + top3_met,
            **outcome,
            "distance_km_sum": float(distance.sum()),
        }
        self._remember_intake(stage, resident_entrants)

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

    def _read_rules(self, year: int, stage: int, entrants: np.ndarray) -> None:
        """Rule-aware expectations: entering families read the enrollment rule newly in
        force and value each address by what it would give this year's entrants from
        their present addresses (a forecast placement with its own lotteries, undone
        afterwards), blended with what they had learned (processes/expectations.py)."""
        model = self.model
        families, table = model.families, model.school_table
        home = model.catchments.catchment_of(families.cell[entrants], stage)
        classes, cutoffs, events = (
            table.classes_per_grade.copy(),
            dict(self.cutoffs),
            len(model._events),
        )
        in_stage = (table.stage == stage) & ~table.private
        resident_entrants = np.bincount(home, minlength=len(table))
        self._plan_classes(year, stage, entrants, resident_entrants, in_stage)
        placed = self._assign(year, stage, entrants, home, forecast=True)[0]
        table.classes_per_grade, self.cutoffs = classes, cutoffs
        del model._events[events:]
        forecast = access_reputation(
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
        model.access_reputation[stage] = read_rule(
            model.access_reputation[stage], forecast, model.params.expectations
        )
        if stage == 0:
            model.log_event(
                year,
                "expectations",
                "families read the new enrollment rule",
                {"model": model.params.expectations.model},
            )

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
        utility = school_values(
            candidates,
            table.reputation,
            km_to_schools(self.model, families.cell[entrants], candidates),
            families.income_cny[entrants],
            families.quality_taste[entrants],
            families.sibling_school[entrants],
            model.params.families,
            params.distance_cost_income_share_per_km,
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

    def _remember_intake(self, stage: int, resident_entrants: np.ndarray) -> None:
        history = self.model.intake_history.setdefault(stage, [])
        history.append(resident_entrants)

    def _district_lists(self, cells: np.ndarray, stage: int) -> tuple[np.ndarray, np.ndarray]:
        """Every school of the entrant's district and stage, nearest first (a last resort):
        one list per distinct cell of the entrants, and each entrant's row in it (entrants
        of one cell share a list, so the work grows with cells x schools, not entrants)."""
        model = self.model
        table, geo = model.school_table, model.geography
        unique_cells, rows = np.unique(cells, return_inverse=True)
        districts = geo.cell_district[unique_cells]
        width = int(np.bincount(table.district[(table.stage == stage) & ~table.private]).max())
        lists = np.full((unique_cells.size, width), UNPLACED, dtype=np.int64)
        for district in np.unique(districts):
            at = np.flatnonzero(districts == district)
            schools = np.flatnonzero(
                (table.district == district) & (table.stage == stage) & ~table.private
            )
            island = geo.cell_island[table.cell[schools]]
            travel = geo.travel_km(
                unique_cells[at][:, None], table.x_km[schools], table.y_km[schools], island
            )
            lists[at, : schools.size] = schools[np.argsort(travel, axis=1, kind="stable")]
        return lists, rows.reshape(-1)
