"""Evaluation phase: results are observed, schools are scored and groups rewarded,
reputations follow results, titles are reviewed."""

from __future__ import annotations

import numpy as np

from edusim.phases.base import Phase
from edusim.phases.leadership import judge_principals
from edusim.phases.satisfaction import school_satisfaction
from edusim.policy.evaluation import group_scores, results_grants, school_scores
from edusim.processes.aggregate import school_mean
from edusim.processes.reputation import results_reading, results_yardstick, updated_reputation
from edusim.processes.teacher_growth import promoted_tiers


class Evaluation(Phase):
    """Mean achievement per school becomes public; every open public school is scored on
    its pupils' progress, its gap narrowing to its core, its teachers' growth and,
    when weighted, its entering families' satisfaction (policy/evaluation.py), and groups in the upper half earn next year's results-based
    fund; reputation moves toward results with a lag; teachers are promoted to tiers by
    effectiveness (two-school experience counting under promotion priority); families'
    residence lengthens; principals
    are judged on the scores (phases/leadership.judge_principals)."""

    name = "evaluation"
    month_day = (7, 1)
    description = (
        "results observed; schools scored (progress, gap to core, teacher growth) and "
        "groups' results funds earned; principals judged; reputation updated with a lag; teacher tiers "
        "reviewed"
    )

    def init(self, model) -> None:
        super().init(model)
        self._last_quality = model.school_table.teaching_quality.copy()
        self._last_uid = model.teachers.uid.copy()
        self._last_effectiveness = model.teacher_effectiveness()
        # the unit in which the public reads results: the spread of the schools' results
        # per stage in the city as built (processes/reputation.results_reading)
        table = model.school_table
        self._yardstick = results_yardstick(
            table.mean_achievement[table.active], table.stage[table.active], 2
        )

    def step(self, year: int) -> None:
        model = self.model
        table, families, teachers = model.school_table, model.families, model.teachers
        params = model.params
        n = len(table)
        achievement_before = table.mean_achievement
        table.mean_achievement = school_mean(families.achievement, families.school, n)
        effectiveness = model.teacher_effectiveness()
        self._score(table, achievement_before, effectiveness)
        judge_principals(model)
        # the public reads the results of open schools that have taught every grade (a
        # school opened during the run has none to compare until then): the others keep
        # their reputation (assumption)
        rated = table.active & (year - table.opened_year + 1 >= table.grades)
        observed = results_reading(
            table.mean_achievement[rated], table.stage[rated], self._yardstick
        )
        table.brand = (1.0 - params.reputation.brand_decay_rate) * table.brand
        table.reputation = table.reputation.copy()
        table.reputation[rated] = updated_reputation(
            table.reputation[rated], observed + table.brand[rated], params.reputation.update_rate
        )
        rotation = params.rotation
        priority = (
            rotation.promotion_priority
            * rotation.promotion_priority_sd
            * (teachers.rotated_years > 0)
        )
        teachers.tier = promoted_tiers(
            effectiveness, teachers.experience, teachers.tier, params.teachers, priority
        )
        families.residence_years += 1.0  # in place: the column keeps its spare rows

    def _score(self, table, achievement_before: np.ndarray, effectiveness: np.ndarray) -> None:
        """This year's school scores and the results funds they earn (paid next year)."""
        model, params = self.model, self.model.params.evaluation
        teachers, n = model.teachers, len(table)
        included = ~table.private & (table.enrollment > 0)
        progress = table.mean_achievement - achievement_before
        change = np.zeros(len(teachers))
        if self._last_uid.size:  # teachers in post a year ago (uids ascend, never reused)
            position = np.minimum(
                np.searchsorted(self._last_uid, teachers.uid), self._last_uid.size - 1
            )
            stayed = self._last_uid[position] == teachers.uid
            change[stayed] = effectiveness[stayed] - self._last_effectiveness[position[stayed]]
        growth = school_mean(change, teachers.school, n)
        rows = model.member_rows()
        quality, last = table.teaching_quality, self._last_quality
        narrowing_rows = (last[rows["core"]] - last[rows["school"]]) - (
            quality[rows["core"]] - quality[rows["school"]]
        )
        narrowing = np.zeros(n)
        if rows["school"].size:
            counts = np.bincount(rows["school"], minlength=n)
            sums = np.bincount(rows["school"], weights=narrowing_rows, minlength=n)
            narrowing = sums / np.maximum(counts, 1)
        table.evaluation_score = school_scores(
            progress,
            narrowing,
            growth,
            table.stage,
            included,
            (params.weight_progress, params.weight_core_gap, params.weight_teacher_growth),
            satisfaction=school_satisfaction(model) if params.weight_satisfaction > 0 else None,
            weight_satisfaction=params.weight_satisfaction,
        )
        per_group = group_scores(
            table.evaluation_score, rows["school"], rows["group"], len(model.groups.groups)
        )
        table.results_grant_cny = results_grants(
            per_group, rows["school"], rows["group"], n, params.results_fund_cny
        )
        self._last_quality = quality.copy()
        self._last_uid = teachers.uid.copy()
        self._last_effectiveness = effectiveness
