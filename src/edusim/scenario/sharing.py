"""Scenario schema of what groups share besides teachers and management: courses taught at
another campus (pupils' lessons at the core, 跨校选课 / 学生共育), after-school services
(课后服务) run with the core's staff and courses, and facilities (libraries, labs, venues
shared within a zone or group).

How much a kind of group shares is set per kind (`groups.kinds.<kind>.shared_courses`,
`shared_after_school`, `shared_facilities`, all 0 by default); this section holds what the sharing costs and
what it is worth, the same for every kind.
"""

from __future__ import annotations

from edusim.scenario.fields import Section, param

_LAVY = (
    "Lavy (2015), Economic Journal 125(588): one more hour a week of instruction in a subject"
    " raises test scores by about 0.058 SD (a level effect), times (1 - school_persistence"
    " 0.35) to make it a yearly flow: 0.04 (assumption for the conversion)"
)


class SharingParams(Section):
    """Courses at another campus (travel time they cost) and shared facilities (what a
    school has and what better facilities add to learning)."""

    weekly_lesson_hours: float = param(
        20.0,
        unit="hours per week",
        source=(
            "MOE compulsory curriculum plan (义务教育课程方案, 2022): 26-34 periods a week of"
            " 40-45 minutes, about 17-25 hours; midpoint (assumption)"
        ),
        description="lesson hours a pupil has in a school week; a member's shared-course share of them is taught at or by the core",
        gt=0,
        le=60,
    )
    hours_per_course_trip: float = param(
        3.0,
        unit="hours",
        source="assumption (a half-day block of lessons per visit to the other campus)",
        description="lesson hours taught at the other campus per round trip a pupil makes",
        gt=0,
        le=10,
    )
    course_travel_share: float = param(
        1.0,
        unit="share",
        source="assumption (pupils go to the core's campus; 0 when the core's teachers come to the pupils or teach live online, as in Hangzhou's 空中课堂)",
        description="share of the shared-course lessons for which the pupils travel to the other campus (the rest are taught at the member by the core's teachers); travel time is taken from lesson time",
        ge=0,
        le=1,
    )
    travel_speed_kmh: float = param(
        25.0,
        unit="km per hour",
        source="assumption (school bus on county roads, stops included)",
        description="speed of a trip between campuses; a trip of d km each way costs 2 d / speed hours of lesson time",
        gt=0,
        le=120,
    )
    instruction_hour_effect: float = param(
        0.04,
        unit="pupil SD per year per weekly hour",
        source=_LAVY,
        description="teaching quality lost per lesson hour a week spent travelling instead of learning",
        ge=0,
        le=0.2,
    )
    after_school_hours: float = param(
        10.0,
        unit="hours per week",
        source=(
            'national after-school service rule (课后服务 "5+2": every school day, at least 2'
            " hours; MOE 2021 and the 2021 双减 opinion of the Party Central Committee and State"
            " Council)"
        ),
        description="hours a week of after-school services a school offers its pupils",
        ge=0,
        le=40,
    )
    after_school_learning_weight: float = param(
        0.25,
        unit="ratio",
        source="assumption (homework supervision, clubs and sports teach less per hour than lessons)",
        description="learning an after-school hour gives, as a share of a lesson hour's",
        ge=0,
        le=1,
    )
    facilities_rural_gap: float = param(
        0.3,
        unit="share of the full facility stock",
        source=(
            "assumption (digest, national rules: the 2017 balance standard's equipment value"
            " and teaching space per pupil are where rural schools fall short; no size given)"
        ),
        description="facilities (libraries, labs, venues, language-test rooms) a rural school lacks, as a share of an urban school's stock (1)",
        ge=0,
        le=1,
    )
    facilities_small_gap: float = param(
        0.2,
        unit="share of the full facility stock",
        source="assumption (digest, Chongming: schools under 200 pupils, built without labs or halls of their own)",
        description="facilities a small school lacks besides the rural gap (stock 1 - rural gap - small gap, at least 0)",
        ge=0,
        le=1,
    )
    small_school_pupils: int = param(
        200,
        unit="pupils",
        source="digest, Chongming (24 compulsory schools have fewer than 200 pupils)",
        description="a school whose places as built number fewer than this is small for its facilities",
        ge=0,
    )
    facility_effect: float = param(
        0.03,
        unit="pupil SD per year per unit of facility stock",
        source=(
            "assumption, at the small end of the school-facilities literature: Neilson &"
            " Zimmerman (2014), J. Public Economics 120: a full school rebuild raised reading"
            " scores by about 0.15 SD after six years; Cellini, Ferreira & Rothstein (2010),"
            " QJE 125(1), and Martorell, Stange & McFarlin (2016), J. Public Economics 140:"
            " no clear effect of capital spending on scores. Only the change sharing makes"
            " counts: a school's own facilities are part of its quality as built"
        ),
        description="teaching quality a school gains per unit of facility stock it gets the use of through sharing (the full stock is 1)",
        ge=0,
        le=0.2,
    )
