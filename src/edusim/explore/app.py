"""The module `solara run` serves for `edusim explore`: the scenario, years and seed come
from environment variables the command sets (solara imports this module itself)."""

from __future__ import annotations

import os

from edusim.explore.page import explore_page

_years = os.environ.get("EDUSIM_EXPLORE_YEARS")
_seed = os.environ.get("EDUSIM_EXPLORE_SEED")
page = explore_page(
    os.environ.get("EDUSIM_EXPLORE_SCENARIO", "demo"),
    years=int(_years) if _years else None,
    seed=int(_seed) if _seed else None,
)
