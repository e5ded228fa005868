"""Enrollment phase: pupils move up a grade, new families arrive, entering families bid in
the housing market, and entrants are placed in schools under the enrollment rule in force.

Before the first reported year the phase rehearses the first reported intake
`housing.burn_in_years` times, unreported (same rule, same schools): the families who
enter at it (the grade-6 pupils as built and the first year's newcomers) go through the
private intake, the housing market and placement, and only the premiums, the
expectations and the dwellings built are kept. The city
starts in the equilibrium of its initial rule instead of with every family expecting its
catchment school (docs/ODD.md §5).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np

from edusim.phases.arrivals import arrive, mark_siblings
from edusim.phases.base import Phase
from edusim.phases.housing_market import (
    build_dwellings,
    cell_premium,
    dwelling_stock,
    dwellings_as_built,
    housing_moves,
    new_flats_of_catchment,
    settle_stock,
)
from edusim.phases.placement import Placement
from edusim.phases.private_intake import fit_private_amenity, private_intake
from edusim.phases.satisfaction import baseline_by_catchment, entrant_satisfaction
from edusim.policy.enrollment import (
    RESIDENT_CLASSES,
    RULE_CODES,
    UNPLACED,
    ladder_class,
)
from edusim.processes.aggregate import school_counts
from edusim.processes.expectations import (
    forecast_weight,
    group_news_years,
    read_rule,
    rule_news_years,
)
from edusim.processes.family_choice import access_reputation
from edusim.processes.satisfaction import join_stage_records
from edusim.world.schools import FIRST_GRADE

if TYPE_CHECKING:
    from edusim.model import EduModel

LAST_GRADE = 9
BURN_IN_COLUMNS = ("cell", "owner", "residence_years", "moved_for_school", "school")
"""What the burn-in changes in the families and puts back."""


class Intake(Placement, Phase):
    """Graduation, grade progression, new grade-1 families, housing moves, placement."""

    name = "enrollment"
    month_day = (9, 1)
    description = (
        "grade 9 leaves, grades advance, new grade-1 families arrive; entering families "
        "buy, rent or stay as the housing market clears; entrants placed under the enrollment rule"
    )

    def init(self, model: EduModel) -> None:
        super().init(model)
        model.dwellings_synthesised = dwellings_as_built(model)
        """Dwellings of every residential cell at no school premium (the city's pupils x
        `dwellings_per_pupil`); the burn-in settles the stock from it."""
        model.dwellings_as_built = model.dwellings_synthesised.copy()
        """Dwellings of every cell when the run starts (after the burn-in's settling)."""
        model.dwellings = model.dwellings_as_built.copy()
        self.stock = dwelling_stock(model)
        model.dwellings_built = np.zeros_like(model.dwellings)
        """Dwellings built in each cell last year, on sale in this year's markets."""
        self.cutoffs: dict[tuple[int, int], np.ndarray] = {}
        """Last intake's cut-off of every school or seat, by (stage, rule code)."""
        self.rule_news = rule_news_years(
            model.resolved_scenario.timeline, model.params.expectations
        )
        """School years whose intake reads an announced change of the enrollment rules."""
        self.group_news = group_news_years(model.params.groups, model.params.expectations)
        """School years whose intake reads the formation of groups that lend their core's
        name (in a year of new enrollment rules the rules' forecast carries it)."""
        self.primary_school_of = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        """This year's junior entrants' ids and the primary school each left (feeders)."""
        model.satisfaction_baseline = {}
        """Per stage and catchment, the mean satisfaction index of the families entering
        before the first school year (the burn-in's last round; without a burn-in, the first
        reported intake): what later entrants' sense of gain (获得感) is measured against."""
        model.premium_change = np.zeros(len(model.school_table))
        """Per school, last year's change of its premium share (what buyers extrapolate,
        processes/housing.py): none in the burn-in nor at the first reported intake."""
        self._burn_in(model.params.housing.burn_in_years)
        model.premium_before_intake = model.school_table.premium_share.copy()
        """Per school, the premium share before this year's intake (last year's price)."""
        model.premium_at_start = cell_premium(model)
        """Per cell, the premium the stock as built is in equilibrium with (developers
        build only where a premium rises above it: processes/housing_supply.py)."""
        model.developers_premium = model.premium_at_start.copy()
        """Per cell, the premium developers build against (smoothed over
        `developer_expectation_years`; `build_dwellings`)."""
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
        premium = self.model.school_table.premium_share
        self.model.premium_change = premium - self.model.premium_before_intake
        self.model.premium_before_intake = premium.copy()
        arrive(self.model, year)
        self.model.intake = {}
        self.model.satisfaction_entrants = None
        entering = []
        for stage in (0, 1):
            entering.append(np.flatnonzero(families.grade == FIRST_GRADE[stage]))
            mark_siblings(self.model, year, stage, entering[stage])
        if year in self.rule_news:
            # both stages' rules are read before either market clears: a family buying at
            # primary entry also buys the address's junior access (`junior_access_priced`),
            # which it values under the announced rule, not under last year's outcomes
            for stage in (0, 1):
                self._read_rules(year, stage, entering[stage])
        elif year in self.group_news:
            for stage in (0, 1):
                self._read_group_news(year, stage, entering[stage])
        for stage in (0, 1):
            entrants = entering[stage]
            public_entrants, private_applicants = private_intake(self.model, year, stage, entrants)
            market = housing_moves(
                self.model, year, stage, public_entrants, self.stock[stage], self._new(stage)
            )
            self._place(year, stage, public_entrants)
            self.model.intake[stage].update(
                private_applicants=private_applicants,
                private_entrants=int(entrants.size - public_entrants.size),
                **market,
            )
        # both stages' satisfaction records joined once, the stages' records its views
        self.model.satisfaction_entrants = join_stage_records(self.model.intake)
        if not self.model.satisfaction_baseline:
            self.model.satisfaction_baseline = baseline_by_catchment(self.model)
        table = self.model.school_table
        table.enrollment = school_counts(families.school, len(table))
        self._build()

    def _new(self, stage: int) -> np.ndarray:
        """Flats built last year in every school's catchment of `stage` (on sale now)."""
        return new_flats_of_catchment(self.model, self.model.dwellings_built, stage)

    def _build(self) -> None:
        """Developers answer this year's premiums (`build_dwellings`): the stock grows and
        the new flats go on sale in next year's markets."""
        self.model.dwellings_built = build_dwellings(self.model)
        self.stock = dwelling_stock(self.model)

    def _burn_in(self, years: int) -> None:
        """Rehearse the first reported intake `years` times, in the years before the start,
        with the families who enter it: its junior entrants are the grade-6 pupils as
        built (they move up at it), its primary entrants the newcomers it will bring
        (`arrive` for the first reported year: the same ids, so the same draws, settling
        by the premiums of the round before, as they will by the burn-in's last).
        Each round starts the junior entrants from their addresses as built with no school
        (their primary schools as built kept for feeder priority), draws the newcomers,
        runs the private intake, the housing market and placement and learns from the
        outcome, and moves the dwelling stock toward the long-run stock at the round's
        premiums (`settle_stock`: the city has lived under its initial rule for years,
        so its developers have answered the premiums it carries; nothing goes on sale as
        new). The newcomers leave at the end of the round. The premiums (the market
        starting from none), the expectations and the settled stock are kept: the stock
        as built is the one the burn-in ends with, in equilibrium with its last premiums
        (later building answers only premiums above them). The junior entrants'
        addresses and places, the classes, the intake history
        and the event log are put back, so the families as built, their ids and every
        reported draw are untouched.

        The cohorts are those who will enter, not the city's last entrants (grades 1 and
        7), because a place's junior grades as built may be smaller than the primary
        cohort that moves up into them (Hangzhou: 92,400 junior pupils per grade, 118,450
        primary), and the newcomers settle by the market's premiums where the grade-1
        pupils as built settled by the scenario's guess: premiums and expectations learnt
        on another cohort need not hold for the first intake (the smaller junior cohort
        made it rush; docs/ODD.md §5).
        """
        if years == 0:
            return
        model = self.model
        families, table = model.families, model.school_table
        as_built, next_uid = len(families), families.next_uid
        junior = np.flatnonzero(families.grade == FIRST_GRADE[1] - 1)
        # a round changes these columns only in the junior entrants' rows (the newcomers
        # leave at its end), so only those rows are kept (the whole columns were 142 MB
        # at eight times Hangzhou, alive through the burn-in's markets)
        saved = {name: getattr(families, name)[junior] for name in BURN_IN_COLUMNS}
        classes = table.classes_per_grade.copy()
        history, events = copy.deepcopy(model.intake_history), len(model._events)
        table.premium_share[:] = 0.0  # the market, not the guess, sets them
        synthesised = model.dwellings_synthesised
        # the junior entrants' primary schools as built, for feeder priority (对口)
        self.primary_school_of = (families.uid[junior].copy(), families.school[junior])
        start = model.resolved_scenario.start_year
        for year in range(start - years, start):
            for name in BURN_IN_COLUMNS:
                getattr(families, name)[junior] = saved[name]
            families.moved_for_school[junior] = False
            families.school[junior] = UNPLACED
            arrive(model, start)  # the first reported year's newcomers, as they will come
            newcomers = np.arange(as_built, len(families))
            for stage, cohort in enumerate((newcomers, junior)):
                entrants, _ = private_intake(model, year, stage, cohort)
                housing_moves(model, year, stage, entrants, self.stock[stage], self._new(stage))
                self._place(year, stage, entrants)
            settle_stock(model, synthesised)
            self.stock = dwelling_stock(model)
            families.keep(np.arange(len(families)) < as_built)
            families.next_uid = next_uid
        for name in BURN_IN_COLUMNS:
            getattr(families, name)[junior] = saved[name]
        model.dwellings_as_built = model.dwellings.copy()
        table.classes_per_grade = classes
        self.primary_school_of = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        model.intake_history = history
        del model._events[events:]
        model.satisfaction_baseline = baseline_by_catchment(model)
        model.intake = {}
        model.satisfaction_entrants = None

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
        # what each entrant expected its address to give, before this intake is learnt
        expected = model.access_reputation[stage][self._ladder_classes(entrants), home]

        observed = self._access_given(entrants, home, placed)
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
            "satisfaction": entrant_satisfaction(
                model, stage, entrants, home, placed, first_choice, expected, distance
            ),
        }
        self._remember_intake(stage, resident_entrants)

    def _read_rules(self, year: int, stage: int, entrants: np.ndarray) -> None:
        """Rule-aware expectations: entering families read the enrollment rule newly in
        force and value each address by what it would give this year's entrants from
        their present addresses (`_forecast_placement`), blended with what they had
        learned (processes/expectations.py)."""
        model = self.model
        home, placed = self._forecast_placement(year, stage, entrants)
        forecast = self._access_given(entrants, home, placed)
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

    def _read_group_news(self, year: int, stage: int, entrants: np.ndarray) -> None:
        """Rule-aware expectations in a year whose only news is the formation of groups
        that lend their core's name: families add to what they had learned the change
        of what each address gives that the borrowed names make, `brand_change` read
        through this year's forecast placement (what an address gives is linear in the
        reputations, so the change is `access_reputation` of the change), weighted as a
        rule's forecast (`forecast_weight`). Unlike a full forecast, nothing else in what
        they had learned is replaced."""
        model = self.model
        home, placed = self._forecast_placement(year, stage, entrants)
        change = np.zeros(len(model.school_table))
        known = min(change.size, model.brand_change.size)
        change[:known] = model.brand_change[:known]
        moved = access_reputation(
            home,
            self._ladder_classes(entrants),
            placed,
            change,
            len(RESIDENT_CLASSES),
        )
        weight = forecast_weight(model.params.expectations)
        model.access_reputation[stage] = model.access_reputation[stage] + weight * moved
        if stage == 0:
            model.log_event(
                year,
                "expectations",
                "families read the names new groups lend",
                {"model": model.params.expectations.model},
            )

    def _forecast_placement(
        self, year: int, stage: int, entrants: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each entrant's catchment and the school a forecast placement gives it from its
        present address under the rules in force (the real intake's code with its own
        lotteries `expectations.*`; the classes it plans, its cut-offs and its log
        entries are undone)."""
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
        return home, placed

    def _access_given(
        self, entrants: np.ndarray, home: np.ndarray, placed: np.ndarray
    ) -> np.ndarray:
        """What each (ladder class, catchment) address gave `entrants` living at `home`
        when placed at `placed`: the mean reputation of their schools
        (`family_choice.access_reputation`), for learning from an intake or a forecast."""
        return access_reputation(
            home,
            self._ladder_classes(entrants),
            placed,
            self.model.school_table.reputation,
            len(RESIDENT_CLASSES),
        )

    def _ladder_classes(self, entrants: np.ndarray) -> np.ndarray:
        """Each entrant's class on the resident ladder (registration, tenure, years)."""
        model = self.model
        families = model.families
        return ladder_class(
            families.local_hukou[entrants],
            families.owner[entrants],
            families.residence_years[entrants],
            model.params.enrollment.renter_min_years,
        )

    def _remember_intake(self, stage: int, resident_entrants: np.ndarray) -> None:
        history = self.model.intake_history.setdefault(stage, [])
        history.append(resident_entrants)
