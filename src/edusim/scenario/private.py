"""Private (民办) compulsory schools: how many there are, what they charge, who considers them.

Two segments: elite schools, whose fee rises with their prestige and which families with
the option choose over their public prospect, and low-fee schools, which serve migrant
families without the documents for a public place (and anyone else who prefers them).

Private schools are school sites like any other (they count in a district's `schools`),
without a catchment, outside groups, rotation and reform grants. Since the 2020 intake
they may not select by test and draw lots when oversubscribed, at the same time as public
enrollment (公民同招; digest, "Public and private schools enrol at the same time"): see
`enrollment.private_admission`.
"""

from __future__ import annotations

from edusim.scenario.fields import Section, param

NATIONAL_BULLETIN_2019 = (
    "MOE national statistical bulletin 2019 (reported by eol.cn and 163.com, 2020-05-20): "
    "6,228 private primary schools of 160,100 with 9.45 M of 105.6 M pupils; 5,793 private "
    "junior schools with 6.87 M pupils of about 48.4 M (154 M compulsory minus primary)"
)


class PrivateParams(Section):
    """Private schools' share of sites and pupils, their fees, and families' interest."""

    school_share_primary: float = param(
        0.039,
        unit="share of a district's primary sites",
        source=f"national share 6,228 / 160,100; {NATIONAL_BULLETIN_2019}",
        description="primary school sites that are private, per district (rounded), unless the district sets `private_schools`",
        ge=0,
        le=0.5,
    )
    school_share_junior: float = param(
        0.11,
        unit="share of a district's junior sites",
        source=f"national share 5,793 / about 52,500; {NATIONAL_BULLETIN_2019}",
        description="junior school sites that are private, per district (rounded), unless the district sets `private_schools`",
        ge=0,
        le=0.5,
    )
    pupil_share_primary: float = param(
        0.089,
        unit="share of a district's primary pupils",
        source=f"national share 9.45 / 105.6 M; {NATIONAL_BULLETIN_2019}",
        description="primary pupils in private schools at the start (sets their capacity), in districts that have any",
        ge=0,
        le=0.8,
    )
    pupil_share_junior: float = param(
        0.142,
        unit="share of a district's junior pupils",
        source=f"national share 6.87 / 48.4 M; {NATIONAL_BULLETIN_2019}",
        description="junior pupils in private schools at the start (sets their capacity), in districts that have any",
        ge=0,
        le=0.8,
    )
    fee_cny_per_year: float = param(
        30000.0,
        unit="CNY per pupil per year",
        source="assumption (order of magnitude of urban private compulsory school fees in Zhejiang)",
        description="tuition of an elite private school of average prestige",
        ge=0,
    )
    fee_prestige_slope: float = param(
        0.3,
        unit="log CNY per SD of prestige",
        source="assumption (better-known private schools charge more); at most 2: e^2 = 7.4 times the fee per SD, about 3,000 times between elite schools 4 SD apart, far beyond any list of fees",
        description="how an elite private school's fee rises with its prestige",
        ge=0,
        le=2,
    )
    prestige_shift_sd: float = param(
        0.5,
        unit="SD of prestige",
        source="assumption (urban private schools selected by test before 2020; digest, 公民同招)",
        description="mean prestige of private schools relative to public schools of their district",
    )
    option_share: float = param(
        0.6,
        unit="share of families",
        source="assumption",
        description="families for whom a private school is an option at all (others never apply)",
        ge=0,
        le=1,
    )
    low_fee_site_share: float = param(
        0.5,
        unit="share of a district's private sites of a stage",
        source="assumption (low-fee private schools for migrant children, 民工子弟学校, stand beside the urban elite private schools)",
        description="private sites that are low-fee schools (the least prestigious of the district's private sites of the stage, rounded half down: a lone private site is elite); the rest are elite schools",
        ge=0,
        le=1,
    )
    low_fee_cny_per_year: float = param(
        8000.0,
        unit="CNY per pupil per year",
        source="assumption (low-fee private schools charge a few thousand yuan a term)",
        description="tuition of a low-fee private school",
        ge=0,
    )
    migrant_no_public_share: float = param(
        0.155,
        unit="share of migrant families",
        source="Hangzhou 2022: 24.20万 of 28.63万 migrant pupils (84.53%) in public schools; 2022年杭州市教育事业统计公告 (CALIBRATION-TARGETS, families)",
        description="migrant families without the documents (residence permit, social insurance, points) for a public place: they seek a private one, and are seated by the district only if none admits them",
        ge=0,
        le=1,
    )
    fit_amenity: bool = param(
        True,
        unit="yes/no",
        source=(
            "method: unobserved school attributes inverted from observed enrolment, as mean"
            " utilities from market shares (Berry 1994, RAND Journal of Economics 25(2))"
        ),
        description="before the first year, give each private school chosen less often than it enrols the amenity (beyond its reputation, in SD of reputation, at least 0) at which the city's last entrants as built would choose it as often as it enrols; without it the private share drifts to what the model's tastes alone support",
    )
    fee_income_share_max: float = param(
        0.3,
        unit="share of yearly income",
        source="assumption",
        description="largest yearly fee a family will pay, as a share of its income",
        ge=0,
        le=1,
    )


def private_school_count(sites: int, explicit: int | None, share: float) -> int:
    """Private sites among a district's `sites` of a stage: the district's own count if it
    gives one, else `share` of the sites rounded, always leaving one public school."""
    count = round(share * sites) if explicit is None else explicit
    return max(0, min(count, sites - 1))
