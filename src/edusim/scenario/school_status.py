"""Scenario schema of each school's administrative owner (市属 / 区属 / 县属) and its own
urban or rural status, with the rules that generate them and per-school overrides.

The documents count their targets on these: Hangzhou's 25% of schools in cross-level
groups (跨层级: a city-owned core with district-owned members) and 98% of *rural* schools
in urban-rural communities (village schools of suburban districts included); Sanming's
city-level pairings join city-owned and district-owned schools (digest; SEED-COVERAGE H2,
H3, S1).
"""

from __future__ import annotations

from typing import Literal

from edusim.scenario.fields import Section, entry, param

OwnerLevel = Literal["city", "district", "county"]
OWNER_LEVELS: tuple[str, ...] = OwnerLevel.__args__  # type: ignore[attr-defined]
"""Owner levels by code: 0 city (市属), 1 district (区属), 2 county (县属)."""


class SchoolStatusParams(Section):
    """Who owns each public school and whether it is a rural school.

    Rules (assumption, stated in docs/ODD.md): schools of a rural county are county-owned,
    other schools district-owned; the most prestigious `city_owned_share_of_famous` of the
    famous public schools of urban districts are city-owned. A school is rural when it lies
    in a rural county outside the county seat, or in a suburban district outside the
    district seat (the seat is the town with the largest residential weight). `owners` and
    `rural` override the rules school by school.
    """

    city_owned_share_of_famous: float = param(
        0.5,
        unit="share of famous schools",
        source="assumption (city-owned compulsory schools are few and among the famous ones; digest: Sanming's city-level pairings, Hangzhou 跨层级)",
        description="share of the famous public schools of urban districts owned by the city (the most prestigious first)",
        ge=0,
        le=1,
    )
    county_seat_urban: bool = param(
        True,
        unit="yes/no",
        source="assumption (county towns, 县城, count as urban in Chinese school statistics)",
        description="whether schools in a rural county's seat town count as urban",
    )
    suburban_villages_rural: bool = param(
        True,
        unit="yes/no",
        source="assumption; SEED-COVERAGE H3 (suburban districts have village schools)",
        description="whether schools of a suburban district outside its seat town count as rural",
    )
    owners: dict[str, OwnerLevel] = entry(
        {},
        unit="school name -> city | district | county",
        description="owner level of named schools, overriding the rule",
    )
    rural: dict[str, bool] = entry(
        {},
        unit="school name -> yes/no",
        description="rural status of named schools, overriding the rule",
    )
