"""Teachers: an array-backed population with effectiveness, experience, age and tier."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from edusim.agents.population import Population

TIERS: tuple[str, ...] = ("ordinary", "backbone", "municipal_backbone", "famous_special")
"""Teacher tiers, lowest first; `tier >= 1` is a backbone teacher of some level."""

POSTING_KINDS: tuple[str, ...] = ("home", "group", "district", "reservoir")
"""What a teacher's current posting is, by code (`posting_kind`)."""

TITLES: tuple[str, ...] = ("ordinary", "senior")
"""Professional titles (职称), by code (`title`): separate from the effectiveness tiers;
senior titles are capped per school (`policy.titles`)."""

EMPLOYERS: tuple[str, ...] = ("school", "district", "retiree")
"""Who holds a teacher's post, by code (`employer`): the home school, the district's
backbone reservoir (蓄水池), whose teachers' posts are pooled by the district, or nobody:
a retired teacher re-employed at a rural school outside its posts (返聘, policy/retirees.py)."""


class Teachers(Population):
    """One row per teacher in post."""

    fields: ClassVar[dict[str, type]] = {
        "school": np.int32,  # index of the school where the teacher teaches
        "innate": np.float64,  # innate effectiveness, pupil SD per year
        "learned": np.float64,  # effectiveness learned from colleagues, pupil SD per year
        "experience": np.float64,  # years of teaching
        "age": np.float64,  # years
        "female": np.bool_,
        "tier": np.int8,  # index into TIERS
        "years_at_school": np.float64,  # consecutive years at the current school
        "home_school": np.int32,  # school that employs the teacher (differs while posted)
        "posting_end": np.int32,  # last school year of the current posting, -1 at home
        "qualified": np.bool_,  # above the required qualification (balanced-quality indicator)
        "employer": np.int8,  # index into EMPLOYERS
        "posting_kind": np.int8,  # index into POSTING_KINDS (0 while at home)
        "rotated_years": np.float64,  # years of postings at another school (two-school experience)
        "pool_end": np.int32,  # last school year in the district reservoir, -1 if not in it
        "title": np.int8,  # index into TITLES
        "second_school": np.int32,  # school taught at part-time this year (走教), -1 if none
        "second_share": np.float64,  # share of teaching time at the second school
        "specialist": np.bool_,  # trained in a scarce subject (teachers.scarce_subject_share)
        "rehire_end": np.int32,  # last school year of a retiree's re-employment, -1 if none
    }

    def effectiveness(self, experience_gain: float, experience_scale_years: float) -> np.ndarray:
        """Current effectiveness in pupil SD per year: innate + learned + experience return."""
        experience_return = experience_gain * (
            1.0 - np.exp(-self.experience / experience_scale_years)
        )
        return self.innate + self.learned + experience_return
