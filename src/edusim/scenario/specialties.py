"""Scenario schema of school specialties (办学特色, 特色项目): which schools have one, how
many kinds there are, and what a matching specialty is worth to the families who care.

A specialty gives families' school preferences a second, horizontal dimension beside
reputation: a family that cares for a kind of specialty (arts, sports, science, culture,
...) values a school offering it above its reputation. Off unless `school_share` is set
(Dalian 二(三)3, Hangzhou 基本原则, Ninghe 三2 "一集团一特色"); groups of a kind with
`groups.kinds.<kind>.shared_specialty` give their members the core's specialty.
"""

from __future__ import annotations

from edusim.scenario.fields import Section, param


class SpecialtyParams(Section):
    """School specialties and families' taste for them."""

    school_share: float = param(
        0.0,
        unit="share of public schools",
        source="assumption, set per place (no share is given in the documents); 0: no school has a specialty",
        description="share of public schools with a specialty as built (each of `kinds` kinds equally likely)",
        ge=0,
        le=1,
    )
    kinds: int = param(
        4,
        unit="kinds",
        source="assumption (the documents' examples: arts, sports, science and technology, traditional culture; Chongming 三4-5: 生态课程, 农艺农技, 非遗文化馆)",
        description="number of kinds of specialty; a family that cares for one cares for one kind, each equally likely",
        ge=1,
        le=20,
    )
    family_interest_share: float = param(
        0.5,
        unit="share of families",
        source="assumption (no survey of parents' interest in specialties is in the sources)",
        description="share of families that care for one kind of specialty",
        ge=0,
        le=1,
    )
    match_value_sd: float = param(
        0.2,
        unit="SD of reputation",
        source="assumption (a fifth of the spread of schools' reputation: a horizontal taste that can reorder schools close in reputation, not the famous schools)",
        description="what a school offering the kind of specialty a family cares for is worth to it, in SD of reputation (valued with the family's taste for quality)",
        ge=0,
        le=2,
    )
