"""The scenario schema: every input of a run, typed, closed and documented.

Each parameter declares its unit, default and source through `param`. Sources name a
section of `shared/domain/POLICY-DIGEST.md` ("digest"), a row of
`shared/domain/PARAMETER-SOURCES.md` ("sources §N") or say "assumption" plainly.
City and behaviour blocks are the model's context (uncertainties); `enrollment` and
`timeline` are the policy levers that later modules extend.

Each block lives in the module of its concept (`scenario/city.py`, `scenario/teachers.py`,
`scenario/enrollment.py`, ...); this module assembles them into `Scenario` and re-exports
them, so `from edusim.scenario.schema import City` keeps working.
"""

from __future__ import annotations

from pydantic import Field

from edusim.scenario.city import City, District, DistrictKind, StageCounts
from edusim.scenario.counterfactual import CounterfactualParams
from edusim.scenario.enrollment import EnrollmentParams, EnrollmentRule, EnrollmentScope
from edusim.scenario.expectations import ExpectationParams
from edusim.scenario.families import FamilyParams
from edusim.scenario.fields import Section, entry, param
from edusim.scenario.funding import BalanceParams, FundingParams
from edusim.scenario.groups import GroupParams
from edusim.scenario.housing import HousingParams
from edusim.scenario.leaders import LeaderParams
from edusim.scenario.learning import LearningParams, ReputationParams
from edusim.scenario.lifecycle import FeederParams
from edusim.scenario.private import PrivateParams
from edusim.scenario.rotation import EvaluationParams, RotationParams
from edusim.scenario.school_status import SchoolStatusParams
from edusim.scenario.schools import SchoolParams
from edusim.scenario.sharing import SharingParams
from edusim.scenario.specialties import SpecialtyParams
from edusim.scenario.teachers import TeacherParams
from edusim.scenario.timeline import TimelineEvent

STAGES: tuple[str, ...] = ("primary", "junior")
"""Compulsory stages: primary grades 1-6 and junior secondary grades 7-9 (digest, intro)."""

MAX_SEED: int = 2**63 - 1
"""Largest root seed: seeds are stored with every run (the `seed` column of the result
tables and experiment parts is a signed 64-bit integer, and manifest.json), so a seed
must fit in int64. numpy's SeedSequence itself takes any non-negative integer."""

__all__ = [
    "MAX_SEED",
    "STAGES",
    "City",
    "District",
    "DistrictKind",
    "EnrollmentParams",
    "EnrollmentRule",
    "EnrollmentScope",
    "ExpectationParams",
    "FamilyParams",
    "FeederParams",
    "LeaderParams",
    "LearningParams",
    "ReputationParams",
    "Scenario",
    "SchoolParams",
    "StageCounts",
    "TeacherParams",
    "TimelineEvent",
]


class Scenario(Section):
    """A complete, resolved scenario: the only input a run needs besides its seed."""

    name: str = entry(unit="name", description="short name used for result folders", min_length=1)
    description: str = entry("", unit="text", description="what the scenario represents")
    seed: int = param(
        1,
        unit="integer",
        source="scenario file",
        description="root seed (at most 2^63 - 1, the largest the result tables store)",
        ge=0,
        le=MAX_SEED,
    )
    world_seed: int | None = param(
        None,
        unit="integer",
        source="scenario file (`edusim plan` sets it to its first replicate's seed, docs/planning.md)",
        description="root seed of the city as built (map, schools, teachers, families and leaders at year 0); the school years' draws keep the run's seed, so replicates run on one city. null: the run's seed builds the city",
        ge=0,
        le=MAX_SEED,
    )
    start_year: int = param(
        2018,
        unit="calendar year",
        source="scenario file",
        description="first school year (September of this year)",
        ge=1950,
        le=2100,
    )
    years: int = param(
        20,
        unit="years",
        source="scenario file",
        description="school years simulated",
        ge=1,
        le=200,
    )
    city: City
    schools: SchoolParams = SchoolParams()
    school_status: SchoolStatusParams = SchoolStatusParams()
    teachers: TeacherParams = TeacherParams()
    families: FamilyParams = FamilyParams()
    expectations: ExpectationParams = ExpectationParams()
    learning: LearningParams = LearningParams()
    reputation: ReputationParams = ReputationParams()
    housing: HousingParams = HousingParams()
    enrollment: EnrollmentParams = EnrollmentParams()
    private: PrivateParams = PrivateParams()
    groups: GroupParams = GroupParams()
    sharing: SharingParams = SharingParams()
    specialties: SpecialtyParams = SpecialtyParams()
    rotation: RotationParams = RotationParams()
    leaders: LeaderParams = LeaderParams()
    evaluation: EvaluationParams = EvaluationParams()
    funding: FundingParams = FundingParams()
    balance: BalanceParams = BalanceParams()
    feeders: FeederParams = FeederParams()
    timeline: tuple[TimelineEvent, ...] = Field(
        default=(), description="dated policy events, in any order"
    )
    counterfactual: CounterfactualParams = CounterfactualParams()
