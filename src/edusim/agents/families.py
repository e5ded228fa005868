"""Families: an array-backed population, one row per family with a child in compulsory school.

A family with two children in school appears as two rows; an entrant's older sibling is
represented only by the school it attends (`sibling_school`).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from edusim.agents.population import Population


class Families(Population):
    """One row per family and its compulsory-school child."""

    fields: ClassVar[dict[str, type]] = {
        "cell": np.int32,  # residential cell the family lives in
        "district": np.int16,  # district of that cell
        "income_cny": np.float64,  # annual household income, CNY
        "ses_z": np.float64,  # log income standardised against the year-0 city distribution
        "quality_taste": np.float64,  # willingness to pay, income-years per SD of reputation
        "grade": np.int8,  # 1-9
        "school": np.int32,  # index of the school attended, -1 while unplaced
        "achievement": np.float64,  # pupil SD units, anchored at the year-0 distribution
        "school_gain": np.float64,  # part of achievement from teaching quality, still carried
        "moved_for_school": np.bool_,  # moved house for a school at its latest entry
        "residence_years": np.float64,  # years lived at the current address
        "local_hukou": np.bool_,  # local household registration (False: migrant family)
        "owner": np.bool_,  # owns the dwelling (False: rents)
        "sibling_school": np.int32,  # school of an older sibling in the same stage, -1: none
    }
