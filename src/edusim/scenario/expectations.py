"""Scenario schema of how families form expectations of what an address gives.

`adaptive` families learn only from outcomes: what last year's entrants living in a
catchment got (blended over intakes with `families.outcome_memory`). A rule change then
has no effect on the housing market until it has been lived once. `rule_aware` families
also read announced rules: at the first intake after a change of the enrollment rules is
announced (and in force), they value each address by what the new rule would give this
year's entrants from their present addresses (a forecast placement, phases/intake.py).
`mixed` blends the forecast with what they had learned, with weight `rule_aware_weight`.

A timeline event's announcement date is its own `announced:`, or `announcement_lead_months`
before the 1 September on which it takes effect. Families read it at an intake when it
was announced at least `decision_lead_months` before that 1 September, the date by which
a family must hold its address.
"""

from __future__ import annotations

from typing import Literal

from edusim.scenario.fields import Section, param

ExpectationModel = Literal["adaptive", "rule_aware", "mixed"]


class ExpectationParams(Section):
    """What families expect an address to give: learned from outcomes, read from rules, or both."""

    model: ExpectationModel = param(
        "mixed",
        unit="choice",
        source=(
            "assumption, from two observations of Beijing's 2020 multi-school zoning: the"
            " market reacted within days of the announcement (Xicheng, 30 April 2020: a rush"
            " of purchases before the 31 July cut-off), but prices of top catchments fell"
            " over the following year rather than at once (Desheng listings 6-8% lower a"
            " year on, Yicai, 29 July 2022; Cui et al., Big Data and Computing Innovation"
            " 6(1), doi:10.18063/bdci.v6i1.1405: a DID on Xicheng prices over 15 months"
            " either side of the policy)"
        ),
        description="how families form expectations: adaptive (outcomes only), rule_aware (read announced rules) or mixed (a weighted blend)",
    )
    rule_aware_weight: float = param(
        0.5,
        unit="weight on the rule's forecast",
        source="assumption (half forecast, half experience; see `model`)",
        description="under `mixed`, the weight families give a new rule's forecast against what they had learned from outcomes",
        ge=0,
        le=1,
    )
    announcement_lead_months: int = param(
        4,
        unit="months",
        source=(
            "assumption from the enrollment calendar: districts publish a September intake's"
            " rules in April-May (Beijing Xicheng's 2020 rules on 30 April)"
        ),
        description="how long before it takes effect (1 September) a timeline event without its own `announced` date is announced",
        ge=0,
        le=120,
    )
    decision_lead_months: int = param(
        1,
        unit="months",
        source=(
            "assumption: the address counts from a registration cut-off about a month before"
            " the intake (Xicheng 2020: homes bought after 31 July fall under the new rule)"
        ),
        description="how long before 1 September a rule must be announced for entering families to read it at that intake",
        ge=0,
        le=12,
    )
