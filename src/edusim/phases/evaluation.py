"""Evaluation phase: results are observed, reputations follow them, titles are reviewed."""

from __future__ import annotations

from edusim.phases.base import Phase
from edusim.policy.group_effects import management_convergence
from edusim.processes.aggregate import school_mean
from edusim.processes.reputation import standardise_within, updated_reputation
from edusim.processes.teacher_growth import promoted_tiers


class Evaluation(Phase):
    """Mean achievement per school becomes public; reputation moves toward it with a lag;
    teachers are promoted to tiers by effectiveness; families' residence lengthens; group
    members' management closes part of its gap to the core's."""

    name = "evaluation"
    month_day = (7, 1)
    description = (
        "results observed; reputation updated with a lag; teacher tiers reviewed; "
        "group members' management moves toward their core's"
    )

    def step(self, year: int) -> None:
        model = self.model
        table, families, teachers = model.school_table, model.families, model.teachers
        table.mean_achievement = school_mean(families.achievement, families.school, len(table))
        observed = standardise_within(table.mean_achievement, table.stage)
        table.reputation = updated_reputation(
            table.reputation, observed, model.params.reputation.update_rate
        )
        teachers.tier = promoted_tiers(
            model.teacher_effectiveness(), teachers.experience, teachers.tier, model.params.teachers
        )
        families.residence_years = families.residence_years + 1.0
        rows = model.member_rows()
        table.management = management_convergence(
            table.management, rows["school"], rows["core"], rows["management_transfer"]
        )
