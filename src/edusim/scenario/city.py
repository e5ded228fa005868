"""The city: districts with their geography, schools and pupils at the start year."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from edusim.scenario.fields import Section, param

DistrictKind = Literal["urban", "suburban", "rural"]


class StageCounts(Section):
    """A count for each compulsory stage."""

    primary: int = Field(
        ge=0,
        description="count for the primary stage (grades 1-6)",
        json_schema_extra={"unit": "schools or pupils", "source": "scenario file"},
    )
    junior: int = Field(
        ge=0,
        description="count for the junior secondary stage (grades 7-9)",
        json_schema_extra={"unit": "schools or pupils", "source": "scenario file"},
    )


class District(Section):
    """A district or county: its geography, its schools and its pupils at the start year."""

    name: str = Field(
        min_length=1,
        description="district name as in the sources",
        json_schema_extra={"unit": "name", "source": "scenario file"},
    )
    kind: DistrictKind = Field(
        description="urban, suburban or rural (county)",
        json_schema_extra={
            "unit": "category",
            "source": "digest (urban and suburban districts, counties)",
        },
    )
    area_km2: float = param(
        100.0,
        unit="km²",
        source="scenario file",
        description="land area (large enough for its share of its ring to hold cells for its schools and towns, and at most a few million cells; `edusim validate` says how large)",
        gt=0,
    )
    towns: int = param(
        5, unit="towns", source="scenario file", description="towns or sub-districts", ge=1
    )
    islands: int = param(
        0,
        unit="islands",
        source="digest: Chongming (three islands)",
        description="0 for mainland; N >= 1 splits the district into N islands across water",
        ge=0,
        le=12,
    )
    schools: StageCounts = Field(description="number of school sites per stage")
    private_schools: StageCounts | None = Field(
        default=None,
        description="how many of those sites are private (民办); omitted: `private.school_share_*` of them, rounded",
        json_schema_extra={"unit": "schools per stage", "source": "scenario file"},
    )
    pupils: StageCounts = Field(description="enrolled pupils per stage at the start year")
    income_level: float = param(
        1.0,
        unit="ratio to city median",
        source="assumption",
        description="median household income of the district relative to the city median",
        gt=0,
    )
    house_price_cny_per_m2: float = param(
        30000.0,
        unit="CNY/m²",
        source="assumption (order of magnitude of Hangzhou resale prices)",
        description="base price of housing without any school premium",
        gt=0,
    )


class City(Section):
    """The synthetic city: districts on a plane of residential cells."""

    cell_km: float = param(
        1.0,
        unit="km",
        source="assumption",
        description="side of a residential grid cell; catchments are unions of cells",
        gt=0.1,
        le=10,
    )
    island_crossing_km: float = param(
        25.0,
        unit="km-equivalent",
        source="assumption; digest: Chongming travel cost between islands",
        description="extra travel cost of crossing water between two islands",
        ge=0,
    )
    districts: tuple[District, ...] = Field(min_length=1, description="the districts")

    @field_validator("districts")
    @classmethod
    def _unique_names(cls, districts: tuple[District, ...]) -> tuple[District, ...]:
        seen: set[str] = set()
        for district in districts:
            if district.name in seen:
                raise ValueError(f"district name '{district.name}' appears twice")
            seen.add(district.name)
        return districts
