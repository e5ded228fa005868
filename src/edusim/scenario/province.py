"""A province: several cities simulated as separate shards of one run.

A province file lists its cities. Each city either *is* a place file (`extends:
hangzhou.yaml`, with its districts as written) or is a *compact generated city*: its
totals (pupils and schools per stage, land area, district counts by kind) are spread over
generated districts by `generated_districts`, on the policy of a template place file
(`template:`, default `base.yaml`). The schema knows nothing of the model; loading the
file into one validated `Scenario` per city is `scenario/province_loader.py`.

The district split of a generated city is a rule, not data: its per-kind weights below
are assumptions (stated as such), chosen so that counties hold fewer pupils per district
and more, smaller schools per pupil than urban districts, as in the Hangzhou bulletin's
county figures (scenarios/hangzhou.yaml: Chun'an, Jiande, Tonglu).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from edusim.scenario.city import DistrictKind, StageCounts
from edusim.scenario.fields import Section, param
from edusim.scenario.schema import MAX_SEED

KINDS: tuple[DistrictKind, ...] = ("urban", "suburban", "rural")

PUPIL_WEIGHT: dict[str, float] = {"urban": 1.0, "suburban": 1.0, "rural": 0.6}
"""Relative pupils per district by kind (assumption: a county holds about 60% of the pupils
of an urban district; Hangzhou's three counties average 0.5-0.7 of its urban districts in
scenarios/hangzhou.yaml, itself an estimate)."""

SCHOOLS_PER_PUPIL: dict[str, float] = {"urban": 1.0, "suburban": 1.15, "rural": 1.6}
"""Relative schools per pupil by kind (assumption: rural schools are smaller)."""

AREA_WEIGHT: dict[str, float] = {"urban": 0.03, "suburban": 0.25, "rural": 1.0}
"""Relative land area per district by kind (assumption: an urban district a few dozen km²,
a county over a thousand)."""

TOWNS: dict[str, int] = {"urban": 6, "suburban": 8, "rural": 10}
"""Towns or sub-districts per district by kind (assumption)."""

INCOME_LEVEL: dict[str, float] = {"urban": 1.2, "suburban": 1.0, "rural": 0.75}
"""Median income relative to the city median, by kind (assumption)."""

PRICE_RATIO: dict[str, float] = {"urban": 1.5, "suburban": 0.9, "rural": 0.45}
"""Base house price relative to the city's typical price, by kind (assumption)."""


class DistrictCounts(Section):
    """How many districts of each kind a generated city has."""

    urban: int = param(
        1, unit="districts", source="scenario file", description="urban districts", ge=0
    )
    suburban: int = param(
        1, unit="districts", source="scenario file", description="suburban districts", ge=0
    )
    rural: int = param(
        1, unit="districts", source="scenario file", description="rural counties", ge=0
    )

    def kinds(self) -> list[DistrictKind]:
        """One kind per district, urban first."""
        return [kind for kind in KINDS for _ in range(getattr(self, kind))]


class GeneratedCity(Section):
    """A compact city: totals spread over generated districts (`generated_districts`)."""

    districts: DistrictCounts = Field(description="districts of each kind")
    pupils: StageCounts = Field(description="enrolled pupils per stage at the start year")
    schools: StageCounts = Field(description="school sites per stage")
    area_km2: float = param(
        2000.0,
        unit="km²",
        source="scenario file",
        description="land area of the simulated city (split over districts by kind)",
        gt=0,
    )
    house_price_cny_per_m2: float = param(
        20000.0,
        unit="CNY/m²",
        source="assumption",
        description="typical base house price of the city (urban districts 1.5x, counties 0.45x)",
        gt=0,
    )

    @field_validator("districts")
    @classmethod
    def _some_district(cls, counts: DistrictCounts) -> DistrictCounts:
        if not counts.kinds():
            raise ValueError("a generated city needs at least one district")
        return counts


class ProvinceCity(Section):
    """One city of a province: a place file, or a generated city on a template."""

    name: str = Field(
        min_length=1,
        description="the city's name (its shard, its folder under cities/ and its seed)",
        json_schema_extra={"unit": "name", "source": "scenario file"},
    )
    extends: str | None = Field(
        default=None,
        description="a place file (relative to the province file, or a shipped scenario's "
        "name) the city is, districts and all; with `generated`, only its policy is used; "
        "omitted: the province's `template`",
        json_schema_extra={"unit": "file path", "source": "scenario file"},
    )
    generated: GeneratedCity | None = Field(
        default=None,
        description="totals of a compact generated city; omitted: the districts of `extends`",
        json_schema_extra={"unit": "block", "source": "scenario file"},
    )
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides of this city's scenario, dotted path to value (as --set)",
        json_schema_extra={"unit": "overrides", "source": "scenario file"},
    )
    source: str = Field(
        default="",
        description="where the city's counts come from, or 'estimate' and how",
        json_schema_extra={"unit": "text", "source": "scenario file"},
    )


class Province(Section):
    """A province file: its cities, the root seed their shard seeds derive from, and the
    years every city runs."""

    name: str = Field(
        min_length=1,
        description="the province run's name (results/<name>/...)",
        json_schema_extra={"unit": "name", "source": "scenario file"},
    )
    description: str = Field(default="", json_schema_extra={"unit": "text", "source": "file"})
    seed: int = param(
        1,
        unit="seed",
        source="scenario file",
        description="province root seed; each city's seed derives from it and the city's name",
        ge=0,
        le=MAX_SEED,
    )
    years: int | None = param(
        None,
        unit="school years",
        source="scenario file",
        description="school years every city runs (omitted: each city's own)",
        ge=1,
    )
    template: str = Field(
        default="base.yaml",
        description="place file whose policy generated cities take (relative to the file)",
        json_schema_extra={"unit": "file path", "source": "scenario file"},
    )
    cities: tuple[ProvinceCity, ...] = Field(min_length=1, description="the cities")

    @field_validator("cities")
    @classmethod
    def _unique_names(cls, cities: tuple[ProvinceCity, ...]) -> tuple[ProvinceCity, ...]:
        seen: set[str] = set()
        for city in cities:
            if city.name.casefold() in seen:
                raise ValueError(f"city name '{city.name}' appears twice")
            seen.add(city.name.casefold())
        return cities


def split_total(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """`total` split in proportion to `weights` by largest remainders, so the parts add up
    to `total` exactly; each part at least `minimum` when the total allows it."""
    count = len(weights)
    floor = minimum if total >= minimum * count else 0
    rest = total - floor * count
    scale = sum(weights)
    exact = [rest * w / scale for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(count), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [floor + part for part in parts]


def generated_districts(city_name: str, spec: GeneratedCity) -> list[dict[str, Any]]:
    """The `city.districts` of a generated city: its totals spread over its districts by the
    per-kind weights above (exact totals; at least one school per stage where a district has
    pupils of that stage)."""
    kinds = spec.districts.kinds()
    pupil_weights = [PUPIL_WEIGHT[kind] for kind in kinds]
    pupils = {
        stage: split_total(getattr(spec.pupils, stage), pupil_weights)
        for stage in ("primary", "junior")
    }
    schools = {
        stage: split_total(
            getattr(spec.schools, stage),
            [w * SCHOOLS_PER_PUPIL[kind] for w, kind in zip(pupil_weights, kinds, strict=True)],
            minimum=1,
        )
        for stage in ("primary", "junior")
    }
    areas = [AREA_WEIGHT[kind] for kind in kinds]
    area_scale = spec.area_km2 / sum(areas)
    numbers: dict[str, int] = {}
    districts = []
    for index, kind in enumerate(kinds):
        numbers[kind] = numbers.get(kind, 0) + 1
        districts.append(
            {
                "name": f"{city_name} {kind} {numbers[kind]}",
                "kind": kind,
                "area_km2": round(areas[index] * area_scale, 1),
                "towns": TOWNS[kind],
                "schools": {stage: schools[stage][index] for stage in schools},
                "pupils": {stage: pupils[stage][index] for stage in pupils},
                "income_level": INCOME_LEVEL[kind],
                "house_price_cny_per_m2": round(spec.house_price_cny_per_m2 * PRICE_RATIO[kind]),
            }
        )
    return districts
