"""EduModel: the Mesa model that wires scenario, world, phases, calendar and metrics."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from edusim.agents.groups import MEMBER, GroupTable
from edusim.agents.school import School, school_columns
from edusim.balance import balance_table
from edusim.calendar import Calendar
from edusim.event_log import EventLog
from edusim.mesa_adapter import (
    SCENARIO_SEED,
    EduScenario,
    SchoolYearCollector,
    is_mesa_scenario,
    root_seed,
    unpack_mesa_scenario,
)
from edusim.metrics import (
    METRICS,
    compute_all,
)
from edusim.phases import PHASE_ORDER
from edusim.policy.enrollment import RESIDENT_CLASSES
from edusim.randomness import Streams
from edusim.scenario.loader import load_scenario
from edusim.scenario.schema import Scenario
from edusim.snapshots import (
    boundaries_table,
    city_table,
    events_table,
    membership_snapshot,
    school_snapshot,
    with_keys,
)
from edusim.world.lifecycle import NO_CAMPUSES
from edusim.world.school_travel import SchoolTravel
from edusim.world.synthesis import build_world

SCHOOL_REPORTERS: dict[str, str] = {
    "name": "name",
    "stage": "stage",
    "district": "district",
    "pos": "pos",
    "capacity": "capacity",
    "enrollment": "enrollment",
    "teaching_quality": "teaching_quality",
    "reputation": "reputation",
    "group_id": "group_id",
    "group_kind": "group_kind",
    "group_role": "group_role",
}
"""Agent reporters of the DataCollector: School attributes, one row per school and year
(`model.datacollector.get_agent_vars_dataframe()`)."""

HIGH_QUALITY_QUANTILE = 0.75
"""Schools at or above this quantile of year-0 teaching quality count as high quality."""


class EduModel(mesa.Model):
    """A city's compulsory schools over the years; one `step()` is one school year.

    `EduModel(scenario="demo", seed=7)`: `scenario` is a shipped scenario's name, a file,
    a `Scenario`, a mapping, or a Mesa scenario object (`EduScenario`, or Mesa 3.5's
    `Scenario` with `source` and parameters). Seeding follows Mesa: `seed=None` draws a
    fresh seed, `rng=` takes an integer or a numpy generator; by default the scenario
    file's seed is used (so equal calls give equal runs). The seed used is `model.seed`.
    The city as built (map, schools, teachers, families, leaders, the housing burn-in:
    everything before the first school year) comes from the scenario's `world_seed` when
    it is set, else from the run's seed: `model.world_seed`.

    Further keyword arguments override scenario parameters, with `__` standing for a
    dot (`learning__peer_effect=0.2`), so `mesa.batch_run` and SolaraViz can set them;
    `years` overrides the run length; `overrides` takes dotted paths directly.

    `model.resolved_scenario` is the edusim `Scenario` the model was built from;
    `model.scenario` is Mesa's view of it (`EduScenario`: the parameters given, `rng`,
    and every field of the resolved scenario read through).
    """

    def __init__(
        self,
        scenario: str | Path | Scenario | Mapping[str, Any] | EduScenario = "demo",
        seed: int | str | None = SCENARIO_SEED,
        *,
        rng: Any = None,
        years: int | None = None,
        overrides: Mapping[str, Any] | None = None,
        replicate: int = 0,
        **kwargs: Any,
    ):
        if is_mesa_scenario(scenario):  # Mesa 3.5's SolaraViz re-creates models this way
            scenario, given, scenario_rng = unpack_mesa_scenario(scenario)
            kwargs = {**given, **kwargs}
            if rng is None and scenario_rng is not None:
                rng = scenario_rng
        parameters = {key.replace(".", "__"): value for key, value in (overrides or {}).items()}
        parameters.update(kwargs)
        if years is not None:
            parameters["years"] = years
        changes = {key.replace("__", "."): value for key, value in parameters.items()}
        self.resolved_scenario = load_scenario(scenario, changes or None)
        self.seed = root_seed(self.resolved_scenario.seed, seed, rng)
        self.replicate = replicate
        self.streams = Streams(self.seed)
        super().__init__(rng=self.streams.generator("mesa"))
        # a name or file is the class's `source`; a Scenario or mapping is kept on the object
        kept = {} if isinstance(scenario, (str, Path)) else {"source": scenario}
        self.scenario = EduScenario.of(scenario)(rng=self.seed, **kept, **parameters)

        self.params = self.resolved_scenario  # in force; timeline events replace it
        # the city as built (the world, the phases' year-0 state with the housing burn-in,
        # the year-0 record) draws from `world_seed` when the scenario sets one, so that
        # replicates run on one city; the school years draw from the run's seed
        world_seed = self.resolved_scenario.world_seed
        self.world_seed = self.seed if world_seed is None else world_seed
        self.streams = Streams(self.world_seed)
        world = build_world(self.resolved_scenario, self.streams)
        self.geography = world.geography
        self.catchments = world.catchments
        self.school_table = world.schools
        self.families = world.families
        self.teachers = world.teachers
        self.leaders = world.leaders
        self.income_reference = world.income_reference
        self.quality_reference = world.quality_reference
        self.quality_threshold = float(  # over the schools of the city as built
            np.quantile(
                self.school_table.teaching_quality[self.school_table.active],
                HIGH_QUALITY_QUANTILE,
            )
        )
        self.campuses = NO_CAMPUSES  # (cells, owners) of campuses kept by mergers
        self.merged_into: dict[int, int] = {}  # absorbed school -> absorbing school
        self.schools = [School(self, index) for index in range(len(self.school_table))]
        self._school_travel = SchoolTravel(self.geography, self.school_table)
        self.groups = GroupTable()

        self.intake: dict[int, dict[str, Any]] = {}
        self.satisfaction_entrants: dict[str, np.ndarray] | None = None
        """This year's public entrants' satisfaction records of both stages, joined
        (processes/satisfaction.py `join_stage_records`; None before an intake)."""
        self.staff_flows: dict[int, dict[str, int]] = {}
        self.rotation_stats: dict[int, dict[str, int]] = {}
        self.leader_stats: dict[int, dict[str, int]] = {}
        self.money: dict[int, dict[str, float]] = {}
        self.private_amenity = np.zeros(len(self.school_table))
        """What families value in each private school beyond its reputation (SD of
        reputation), inverted from the enrolment as built (phases/private_intake.py)."""
        self.intake_history: dict[int, list[np.ndarray]] = {}
        # what a catchment address gave each resident class last intake (family_choice)
        self.access_reputation = {
            stage: np.tile(self.school_table.reputation, (len(RESIDENT_CLASSES), 1))
            for stage in (0, 1)
        }
        self.current_school_year = (
            self.resolved_scenario.start_year - 1
        )  # the year the city stands for
        self.latest_metrics: dict[str, float] = {}
        self.metric_memo: dict[str, object] | None = None
        """What several metrics need, computed once while `compute_all` runs."""
        self._metric_rows: list[tuple[int, str, float]] = []
        self._school_frames: list[pd.DataFrame] = []
        self._membership_frames: list[pd.DataFrame] = []
        self._events = EventLog()
        self._balance_frames: list[pd.DataFrame] = []

        self.phases = [phase_class() for phase_class in PHASE_ORDER]
        for phase in self.phases:
            phase.init(self)
        self.calendar = Calendar(self.resolved_scenario, self.phases)
        self._headline_cache: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]] | None = None
        self.datacollector = SchoolYearCollector(
            model_reporters={"year": _observed_year, **{name: _reporter(name) for name in METRICS}},
            agent_reporters=SCHOOL_REPORTERS,
        )
        self.initial_quality_gap = _quality_gap_now(self)
        start_year = self.resolved_scenario.start_year
        self.log_event(start_year, "run", "city built", self.city_counts())
        self.record(observed_year=start_year)
        self.streams = Streams(self.seed)

    @property
    def scenario(self) -> EduScenario:
        """Mesa's scenario object of this model (see EduScenario): the parameters given,
        `rng`, and every field of `resolved_scenario` read through (`.name`, `.years`)."""
        return self._mesa_scenario

    @scenario.setter
    def scenario(self, value: Any) -> None:
        # Mesa 3.5's Model.__init__ sets a plain Scenario(rng=seed) first; EduModel then
        # sets its EduScenario. As in Mesa, the scenario learns its model.
        if isinstance(value, Scenario):  # before Mesa 3.5, model.scenario was edusim's
            warnings.warn(
                "model.scenario is Mesa's scenario object; set model.resolved_scenario",
                DeprecationWarning,
                stacklevel=2,
            )
            self.resolved_scenario = value
            return
        self._mesa_scenario = value
        value.model = self

    # -- the year ---------------------------------------------------------------------
    def step(self) -> None:
        """One school year: the calendar runs every phase of the year in plan order."""
        school_year = self.resolved_scenario.start_year + self.steps - 1
        self.current_school_year = school_year
        self.calendar.run_school_year(school_year)
        if self.steps >= self.resolved_scenario.years:
            self.running = False

    def run(self) -> EduModel:
        """Run all the scenario's years, then finish."""
        while self.running:
            self.step()
        self.finish()
        return self

    def finish(self) -> None:
        """End of the run: every phase's `finalize` (call once, after the last step).

        Then `release()`: a finished model creates no agents.
        """
        for phase in self.phases:
            phase.finalize()
        self.release()

    def release(self) -> None:
        """Drop this model from Mesa's class-level agent id counters (`mesa.Agent._ids`,
        a dict keyed by model in Mesa 3.3), which would otherwise keep every model alive
        after its run: a worker running many replications would grow by one city per run.
        Call it when no more agents will be created (`finish` does). Mesa versions without
        that registry (3.5 keeps agent ids on the model) have nothing to release."""
        registry = getattr(mesa.Agent, "_ids", None)
        if registry is not None:
            registry.pop(self, None)

    # -- derived state used by several phases ---------------------------------------------
    def teacher_effectiveness(self) -> np.ndarray:
        """Current effectiveness of every teacher (pupil SD per year)."""
        params = self.params.teachers
        return self.teachers.effectiveness(params.experience_gain, params.experience_scale_years)

    def pupil_teacher_ratio(self) -> np.ndarray:
        """Staffing standard per school (pupils per teacher)."""
        schools = self.params.schools
        return np.where(
            self.school_table.stage == 0,
            schools.pupil_teacher_ratio_primary,
            schools.pupil_teacher_ratio_junior,
        )

    def joint_enrollment_group(self, stage: int) -> np.ndarray:
        """Per school, the active group it enrols with as one unit (-1: none)."""
        table, groups = self.school_table, self.groups
        kinds = self.params.groups.kinds
        joint = np.array([kinds[k].joint_enrollment for k in groups.kind_of_rows()], dtype=bool)
        rows = joint & (table.stage[groups.school] == stage) if groups.school.size else joint
        result = np.full(len(table), -1, dtype=np.int64)
        result[groups.school[rows]] = groups.group[rows]
        return result

    def dwelling_used_share(self, stage: int) -> np.ndarray:
        """Per catchment, the share of dwellings that gave a place within the dwelling rule's
        window (0 without the rule): a newcomer's flat is one of them with this chance."""
        years = self.params.enrollment.dwelling_rule_years
        table = self.school_table
        if years == 0 or not self.intake_history.get(stage):
            return np.zeros(len(table))
        recent = np.sum(self.intake_history[stage][-years:], axis=0)
        families = self.families
        of_stage = (families.grade >= (1, 7)[stage]) & (families.grade <= (6, 9)[stage])
        residents = np.bincount(
            self.catchments.catchment_of(families.cell[of_stage], stage), minlength=len(table)
        )
        dwellings = self.params.enrollment.dwellings_per_family * np.maximum(residents, 1)
        return np.minimum(1.0, recent / dwellings)

    def school_travel_km(self) -> SchoolTravel:
        """Travel cost between schools (km, water crossings included), indexed like a
        schools x schools matrix (`travel[core, members]`) but computed only for the pairs
        asked for, so no pass of the year is quadratic in schools (`world/school_travel.py`)."""
        return self._school_travel

    def member_rows(self, include_cores: bool = False) -> dict[str, np.ndarray]:
        """Membership rows of member schools (and of cores, if asked) with their kind's
        parameters."""
        groups = self.groups
        rows = np.ones(groups.role.size, dtype=bool) if include_cores else groups.role == MEMBER
        kinds = self.params.groups.kinds
        group = groups.group[rows]
        columns = {
            "school": groups.school[rows],
            "group": group,
            "core": groups.core_of_rows()[rows],
            "joined_year": groups.joined_year[rows],
        }
        # each group's kind parameters once, then one gather per column (not per row)
        group_kind = [kinds[g.kind] for g in groups.groups]
        for name in (
            "management_transfer",
            "joint_research",
            "online_lift",
            "transition_cost",
            "transition_years",
        ):
            of_group = np.array([getattr(kind, name) for kind in group_kind] or [0.0], dtype=float)
            columns[name] = of_group[group] if group.size else np.empty(0)
        return columns

    def school_group_headline(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per school: id, kind and role code of its tightest group (-1, '', 0 if none),
        computed once per change of the memberships (GroupTable replaces its arrays
        when groups form or dissolve), so School agents read it at no extra cost."""
        groups = self.groups
        key = (groups.school, groups.group, groups.role)
        cached = self._headline_cache
        if (
            cached is None
            or cached[0][0] is not key[0]
            or cached[0][1] is not key[1]
            or cached[0][2] is not key[2]
        ):
            cached = (key, groups.headline(len(self.school_table)))
            self._headline_cache = cached
        return cached[1]

    def agent_columns(self, attributes: Sequence[str]) -> list[list[Any]] | None:
        """`attributes` of every agent in `self.agents`' order, one list per attribute
        (what Mesa's DataCollector would read agent by agent), or None when the agents
        are not exactly the schools in school order or an attribute is not a School
        column (agents/school.school_columns); the collector then asks the agents."""
        agents = self.agents
        if len(agents) != len(self.schools) or any(
            agent is not school for agent, school in zip(agents, self.schools, strict=True)
        ):
            return None
        return school_columns(self, attributes)

    # -- recording ------------------------------------------------------------------------
    def log_event(self, school_year: int, kind: str, label: str, detail: Mapping[str, Any]) -> None:
        """Append an entry to the event log (written as events.parquet)."""
        self._events.add(school_year, kind, label, detail)

    def log_events(
        self, school_year: int, kind: str, label: str, columns: Mapping[str, Any], **options: Any
    ) -> None:
        """Append one entry per row of `columns` (an event of each agent, e.g. each
        teacher posted), kept as columns; `options` are `EventLog.add_batch`'s
        (`constants`, `order`)."""
        self._events.add_batch(school_year, kind, label, columns, **options)

    def record(self, observed_year: int) -> None:
        """Compute the registry's metrics and snapshot the school table for `observed_year`."""
        self.latest_balance = balance_table(self, observed_year)
        self._balance_frames.append(self.latest_balance)
        self.latest_metrics = compute_all(self)
        self._metric_rows += [(observed_year, k, v) for k, v in self.latest_metrics.items()]
        self._school_frames.append(school_snapshot(self, observed_year))
        self._membership_frames.append(membership_snapshot(self, observed_year))
        if self.steps > 0:  # Mesa rows are school years: row k is the state after year k + 1
            self.datacollector.collect(self)  # labelled k (SchoolYearCollector)

    def city_counts(self) -> dict[str, Any]:
        """Schools, teachers and pupils by district and stage (for `describe` and the log)."""
        table = self.school_table
        counts = {}
        for d, name in enumerate(self.geography.district_names):
            entry = {}
            for stage, label in ((0, "primary"), (1, "junior")):
                schools = (table.district == d) & (table.stage == stage)
                entry[f"{label}_schools"] = int(schools.sum())
                entry[f"{label}_pupils"] = int(table.enrollment[schools].sum())
                entry[f"{label}_teachers"] = int(
                    np.isin(self.teachers.school, np.flatnonzero(schools)).sum()
                )
            counts[name] = entry
        return counts

    def metrics_so_far(self) -> pd.DataFrame:
        """Every metric recorded so far (year, metric, value): the city as built, then each
        school year (the `metrics` table without the run's keys)."""
        return pd.DataFrame(self._metric_rows, columns=["year", "metric", "value"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Tidy result tables of the run so far: metrics, schools, memberships, events,
        balance, city, and on a real map boundaries."""
        keys = {
            "scenario": self.resolved_scenario.name,
            "replicate": self.replicate,
            "seed": self.seed,
        }
        metrics = self.metrics_so_far()
        schools = pd.concat(self._school_frames, ignore_index=True)
        memberships = pd.concat(self._membership_frames, ignore_index=True)
        events = events_table(self._events)
        balance = pd.concat(self._balance_frames, ignore_index=True)
        frames = (
            ("metrics", metrics),
            ("schools", schools),
            ("memberships", memberships),
            ("events", events),
            ("balance", balance),
            ("city", city_table(self)),
        )
        tables = {name: with_keys(frame, keys) for name, frame in frames}
        if self.geography.outlines:  # a real map: its boundaries and water, for the figure
            tables["boundaries"] = with_keys(boundaries_table(self), keys)
        return tables


def _quality_gap_now(model: EduModel) -> float:
    return METRICS["quality_quartile_gap"].compute(model)


def _observed_year(model: EduModel) -> int:
    """The year a DataCollector row describes, as in the result tables (`year`)."""
    return model.resolved_scenario.start_year + model.steps


def _reporter(name: str):
    def report(model: EduModel) -> float:
        return model.latest_metrics[name]

    report.__name__ = f"report_{name}"
    return report
