"""`plan`: search group layouts for a plan's objectives, in two stages.

1. Screening. Optuna's TPE sampler (multi-objective TPE when the plan asks for a Pareto
   front) proposes layouts in deterministic batches (`experiment.batched_search`: same
   seed and batch, same trials, whatever the workers; a killed search resumes). Each
   point is repaired into a layout that satisfies the plan (`planning.layout`), or
   rejected without a run; each layout runs `screen_years` years on `screen_replications`
   paired replications (default 1).
2. Re-evaluation. The `top` best screened layouts and the scenario's own layout run the
   full years with `reps` paired replications (common random numbers: replicate k of
   every layout has the same seed), through the same store, so they too are parallel,
   Dask-able and resumable.

Layouts are ranked by the weighted objective against the scenario's own layout on the
same seeds (`planning.objectives`; Pareto rank first for a multi-objective plan).
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from edusim.checksum import file_sha256
from edusim.experiment.batched_search import (
    ask_batch,
    open_study,
    optuna_module,
    quiet_optuna,
    resolved_sha256,
    run_tasks,
    start_folder,
    tpe_proposer,
)
from edusim.experiment.executor import DASK_WAIT_SECONDS
from edusim.experiment.plan import replicate_seed
from edusim.experiment.store import Store
from edusim.experiment.task import Task
from edusim.output_dir import claim_output, safe_component
from edusim.planning.budget import (
    COST_COLUMNS,
    MONEY_METRIC,
    costs_of,
    excess,
    over_budget,
    over_run,
    series,
)
from edusim.planning.estimate import background, estimator, own_money
from edusim.planning.facts import CityFacts, city_facts, one_city
from edusim.planning.layout import (
    Encoding,
    Layout,
    decode,
    encode,
    layout_cost,
    layout_json,
    layout_text,
)
from edusim.planning.objectives import TEACHERS_METRIC, Objectives, metric_directions
from edusim.planning.reevaluation import reevaluate
from edusim.planning.repair import Repairer
from edusim.planning.runs import metrics_of, tasks_of
from edusim.planning.spec import Plan, PlanError, load_plan, school_problems
from edusim.scenario.loader import Problem, load_scenario
from edusim.scenario.schema import Scenario

DEFAULT_ROOT = Path("results") / "plans"
SETTINGS = "planning.yaml"
JOURNAL = "optuna.journal"
STUDY = "edusim-plan"
DEFAULT_STARTUP = 10
INPUTS = {"plan_sha256": "plan file", "scenario_resolved_sha256": "resolved scenario"}
"""The hashed inputs of the settings: another file is another question."""


@dataclass(frozen=True)
class Candidate:
    """A layout and the scenario that runs it."""

    layout: Layout
    scenario: Scenario


@dataclass(frozen=True)
class PlanResult:
    """What a plan search produced; the folder holds the same tables as files."""

    out: Path
    layouts: pd.DataFrame  # one row per screened trial
    evaluation: pd.DataFrame  # re-evaluated layouts x replicates x metrics
    comparison: pd.DataFrame  # the best layout against the scenario's own, paired
    stability: pd.DataFrame  # how often each pairing is chosen
    best: Layout
    ran: int
    reused: int
    wall_seconds: float


def _distributions(optuna: Any, encoding: Encoding) -> dict[str, Any]:
    return {
        name: optuna.distributions.CategoricalDistribution(list(choices))
        for name, choices in encoding.choices().items()
    }


def _settings(
    scenario_path: Path, base: Scenario, plan_path: Path, options: dict[str, Any]
) -> dict[str, Any]:
    return {
        "scenario": str(scenario_path.resolve()),
        "scenario_resolved_sha256": resolved_sha256(base),
        "plan": str(plan_path.resolve()),
        "plan_sha256": file_sha256(plan_path),
        **options,
    }


def plan_layouts(
    scenario: str | Path,
    plan_file: str | Path,
    *,
    trials: int = 30,
    replications: int = 4,
    years: int | None = None,
    screen_years: int = 2,
    screen_replications: int = 1,
    top: int = 3,
    batch: int = 8,
    seed: int = 1,
    startup: int = DEFAULT_STARTUP,
    workers: int | None = None,
    dask: str | None = None,
    dask_wait: float = DASK_WAIT_SECONDS,
    out: str | Path | None = None,
    progress: bool = False,
) -> PlanResult:
    """Search layouts of groups for `plan_file` on `scenario`; write the folder `out`
    (default results/plans/<scenario name>) and return its tables.

    Raises ScenarioError (PlanError) for bad input before any run; OptunaMissingError
    without Optuna; OutputFolderError for a folder that is not this plan's."""
    started = time.perf_counter()
    optuna = optuna_module()
    for name, value in (
        ("trials", trials),
        ("reps", replications),
        ("batch", batch),
        ("top", top),
        ("screen-years", screen_years),
        ("screen-reps", screen_replications),
    ):
        if value < 1:
            raise PlanError(f"--{name}", [Problem(f"--{name}", f"must be at least 1, got {value}")])
    scenario_path, plan_path = Path(scenario), Path(plan_file)
    base = load_scenario(scenario_path, None if years is None else {"years": years})
    directions = metric_directions()
    plan = load_plan(plan_path, base, directions)
    seeds = [replicate_seed(seed, k) for k in range(replications)]
    given = base  # the scenario as given: its hash is the input's
    world_from = "the scenario" if base.world_seed is not None else "the first replicate's seed"
    base = one_city(base, seeds[0])
    facts = city_facts(base, seeds[0])
    problems = school_problems(plan.spec, set(facts.names))
    encoding = encode(plan.spec, facts)
    if not problems and not encoding.options:
        problems.append(
            Problem(
                "members",
                "no school the members filter admits can reach a school the cores filter "
                "admits; widen the filters, radius_km, same_district or same_island",
            )
        )
    if problems:
        raise PlanError(plan.source, problems)
    options = {
        "trials_batch": batch,
        "replications": replications,
        "years": base.years,
        "screen_years": min(screen_years, base.years),
        "screen_replications": screen_replications,
        "top": top,
        "seed": seed,
        "startup": startup,
        "world_seed": base.world_seed,
        "world_seed_from": world_from,
    }
    settings = _settings(scenario_path, given, plan_path, options)
    root = Path(out) if out is not None else DEFAULT_ROOT / safe_component(base.name)
    with claim_output(root, "plan", base.name, resume=True):
        start_folder(
            root, SETTINGS, settings, trials, "plan search", INPUTS, PlanError,
            {"plan.yaml": plan_path},
        )  # fmt: skip
        from edusim.planning.outputs import write_facts, write_outputs

        write_facts(root, facts)
        search = _Search(
            optuna, root, scenario_path, base, plan, facts, encoding, directions, settings,
            workers, dask, dask_wait, progress,
        )  # fmt: skip
        with quiet_optuna(optuna):
            layouts = search.screen(trials)
            evaluation, best, ranking = search.reevaluate(layouts)
        wall = time.perf_counter() - started
        comparison, stability = write_outputs(
            root, search, layouts, evaluation, best, ranking, (search.ran, search.reused, wall)
        )
    return PlanResult(
        root, layouts, evaluation, comparison, stability, best, search.ran, search.reused, wall
    )


class _Search:
    """The state of one search: its study, store, seeds and the candidates seen."""

    def __init__(
        self,
        optuna: Any,
        root: Path,
        scenario_path: Path,
        base: Scenario,
        plan: Plan,
        facts: CityFacts,
        encoding: Encoding,
        directions: dict[str, str],
        settings: dict[str, Any],
        workers: int | None,
        dask: str | None,
        dask_wait: float,
        progress: bool,
    ):
        self.optuna, self.root, self.scenario_path = optuna, root, scenario_path
        self.base, self.plan, self.facts, self.encoding = base, plan, facts, encoding
        self.objectives = Objectives.of(plan, directions)
        self.settings = settings
        self.run_options = (workers, dask, dask_wait)
        self.say = (lambda text: print(f"edusim: {text}", file=sys.stderr)) if progress else None
        self.store = Store(root / "runs")
        self.seeds = [replicate_seed(settings["seed"], k) for k in range(settings["replications"])]
        self.screen_base = load_scenario(base, {"years": settings["screen_years"]})
        self.existing = base.model_dump(mode="json")["groups"]
        self.ran = self.reused = 0
        self.estimator = estimator(base, facts)
        self.background = background(self.estimator, base, plan.spec, facts)
        self.own_estimate: dict[str, float] = {}

    # -- scenarios of layouts -------------------------------------------------------
    def scenario_of(self, layout: Layout, run_base: Scenario) -> Scenario:
        from edusim.planning.layout import scenario_overrides

        overrides = scenario_overrides(layout, self.plan.spec, self.existing, self.base.start_year)
        return load_scenario(run_base, overrides)

    def _run(self, tasks: list[Task]) -> None:
        workers, dask, dask_wait = self.run_options
        ran, reused = run_tasks(self.store, tasks, workers, dask, dask_wait, self.say)
        self.ran, self.reused = self.ran + ran, self.reused + reused

    def _final(self, scenario: Scenario) -> int:
        return scenario.start_year + scenario.years

    # -- stage 1 --------------------------------------------------------------------
    def screen(self, trial_count: int) -> pd.DataFrame:
        """Screen `trial_count` layouts (short runs, one replication): the layouts table."""
        optuna, spec = self.optuna, self.plan.spec
        from optuna.trial import TrialState

        multi = spec.multi_objective
        directions = ["minimize"] * (len(self.objectives.metrics) if multi else 1)
        study = open_study(optuna, str(self.root / JOURNAL), STUDY, directions)
        distributions = _distributions(optuna, self.encoding)
        propose = tpe_proposer(
            optuna, distributions, directions, self.settings["seed"], self.settings["startup"]
        )
        funding = self.base.funding
        screen_seeds = [
            replicate_seed(self.settings["seed"], k)
            for k in range(self.settings["screen_replications"])
        ]
        own_tasks = tasks_of(self.screen_base, screen_seeds)
        # Budgets are judged against the own layout's full runs on the screening seeds
        # (the re-evaluation runs them anyway): its groups may form one by one over the
        # years while a proposal's form at once, so its first years' money and teachers
        # would understate what it spends and posts over the run.
        own_full = tasks_of(self.base, screen_seeds)
        self._run(own_tasks + own_full)
        final = self._final(self.screen_base)
        own, _, _ = self._screened(own_tasks, final)
        own_costs = self._screened(own_full, self._final(self.base))[1]
        self.own_screen = own
        self.own_costs = own_costs
        own_frames = [metrics_of(self.store, task) for task in own_full]
        own_teachers = (
            np.mean([series(f, TEACHERS_METRIC) for f in own_frames], axis=0)
            if all(f is not None for f in own_frames)
            else np.zeros(self.estimator.years.size)
        )
        self.own_estimate = {
            "estimated": float(own_money(self.estimator, self.background).mean()),
            "simulated": own_costs[MONEY_METRIC],
        }
        repairer = Repairer(
            spec, self.encoding, self.facts, funding, self.estimator, self.background, own_costs
        )
        self.repairer = repairer
        batch = self.settings["trials_batch"]
        records: list[dict[str, Any]] = []
        for first in range(0, trial_count, batch):
            numbers = range(first, min(first + batch, trial_count))
            points = ask_batch(optuna, study, numbers, distributions, propose)
            decoded = {
                n: decode(points[n], self.encoding, spec, self.facts, funding) for n in numbers
            }
            moves = dict.fromkeys(numbers, 0)
            for n in numbers:  # toward the budget by its estimate (planning.repair)
                layout, reason = decoded[n]
                if not reason:
                    layout, moves[n] = repairer.repair(layout)
                    decoded[n] = (layout, "")
            tasks: dict[int, list[Task]] = {}
            for n in numbers:
                layout, reason = decoded[n]
                if not reason:
                    tasks[n] = tasks_of(self.scenario_of(layout, self.screen_base), screen_seeds)
            self._run([task for group in tasks.values() for task in group])
            stored = {t.number: t for t in study.get_trials(deepcopy=False)}
            for n in numbers:
                layout, reason = decoded[n]
                values = np.full(len(self.objectives.metrics), math.nan)
                costs = {MONEY_METRIC: math.nan, TEACHERS_METRIC: math.nan}
                over = dict(costs)
                outside: dict[str, float] = {}
                guess = repairer.estimated(layout)
                if not reason:
                    values, costs, failed = self._screened(tasks[n], final)
                    if failed:
                        reason = "its run failed (traceback in runs/manifest.jsonl)"
                    elif not np.isfinite(values).all():
                        reason = "the model gives no finite value for an objective"
                    else:
                        over = self._over_run(tasks[n], layout, own_teachers)
                        reason = over_budget(spec, over, own_costs)
                        outside = excess(spec, over, own_costs) if reason else {}
                score = self.objectives.score(values, own) if not reason or outside else math.nan
                signed = self.objectives.signs * values
                if n in stored and stored[n].state == TrialState.RUNNING:
                    told = list(signed) if multi else score
                    if outside:  # run but over budget: the sampler learns by how much
                        trial = optuna.trial.Trial(study, stored[n]._trial_id)
                        for metric, value in outside.items():
                            trial.set_constraint(metric, value)
                        study.tell(trial, told)
                    elif reason:
                        study.tell(n, state=TrialState.FAIL)
                    else:
                        study.tell(n, told)
                records.append(
                    {
                        "trial": n,
                        "batch": first // batch,
                        "state": "INFEASIBLE" if reason else "COMPLETE",
                        "reason": reason,
                        "score": score,
                        **{
                            f"screen: {m}": v
                            for m, v in zip(self.objectives.metrics, values, strict=True)
                        },
                        "teachers_per_year": costs[TEACHERS_METRIC],
                        "money_cny_per_year": costs[MONEY_METRIC],
                        "teachers_over_run_per_year": over[TEACHERS_METRIC],
                        "money_over_run_cny_per_year": over[MONEY_METRIC],
                        "estimated_teachers_per_year": guess[TEACHERS_METRIC],
                        "estimated_money_cny_per_year": guess[MONEY_METRIC],
                        "repair_moves": moves[n],
                        "grants_at_rates_cny_per_year": layout_cost(layout, self.facts, funding),
                        "groups": len(layout),
                        "members": sum(len(g.members) for g in layout),
                        "layout": layout_text(layout),
                        "layout_json": layout_json(layout),
                    }
                )
            if self.say is not None:
                done = [r["score"] for r in records if r["state"] == "COMPLETE"]
                best = min(done, default=math.nan)
                self.say(f"screened layouts {numbers.start}-{numbers.stop - 1}; best {best:.4g}")
        return pd.DataFrame(records)

    def _over_run(
        self, tasks: list[Task], layout: Layout, own_teachers: np.ndarray
    ) -> dict[str, float]:
        """Money and teachers per year over the full run's years of a screened layout:
        its screening runs' years as simulated, the later years as estimated (money by
        the grant rules under the cap; teachers as the own layout's simulated postings
        that year plus the estimated change). Means over the screening seeds."""
        yearly = self.repairer.yearly(layout)
        estimated = {
            MONEY_METRIC: yearly[MONEY_METRIC],
            TEACHERS_METRIC: own_teachers + yearly[TEACHERS_METRIC],
        }
        frames = [metrics_of(self.store, task) for task in tasks]
        return {
            metric: float(np.mean([over_run(series(f, metric), estimated[metric]) for f in frames]))
            for metric in COST_COLUMNS.values()
        }

    def _screened(self, tasks: list[Task], final: int) -> tuple[np.ndarray, dict[str, float], bool]:
        """Objective values and costs of a layout's screening runs (means over their
        seeds), and whether a run failed."""
        frames = [metrics_of(self.store, task) for task in tasks]
        count = len(self.objectives.metrics)
        if any(frame is None for frame in frames):
            nothing = {MONEY_METRIC: math.nan, TEACHERS_METRIC: math.nan}
            return np.full(count, math.nan), nothing, True
        values = np.mean([self.objectives.values(f, final) for f in frames], axis=0)
        per_run = [costs_of(f) for f in frames]
        costs = {m: float(np.mean([c[m] for c in per_run])) for m in COST_COLUMNS.values()}
        return values, costs, False

    # -- stage 2 -------------------------------------------------------------------
    def reevaluate(self, layouts: pd.DataFrame) -> tuple[pd.DataFrame, Layout, pd.DataFrame]:
        """Run the top layouts and the own layout for the full years on every seed
        (`planning.reevaluation`)."""
        return reevaluate(self, layouts)
