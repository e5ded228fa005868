"""Learning and reputation: how achievement is produced and how the public reads it."""

from __future__ import annotations

from edusim.scenario.fields import Section, param


class LearningParams(Section):
    """Pupil achievement: persistence, teaching, peers, background."""

    persistence: float = param(
        0.8,
        unit="share per year",
        source="assumption (achievement tied to background is much more persistent than teacher-induced gains; see `school_persistence`)",
        description="share of last year's achievement other than the school-induced part (background, peers, start, shocks) carried into this year",
        ge=0,
        le=1,
    )
    school_persistence: float = param(
        0.35,
        unit="share per year",
        source=(
            "midpoint of the published range 0.2-0.5: Jacob, Lefgren & Sims (2010), J. Human"
            " Resources 45(4): 1/5 to 1/3 of teacher-induced gains persist into the next"
            " year; Kane & Staiger (2008), NBER w14607: about half"
        ),
        description="share of last year's school-induced achievement (gains from teaching quality) carried into this year; set equal to `persistence` for the single-stock rule",
        ge=0,
        le=1,
    )
    teaching_weight: float = param(
        1.0,
        unit="ratio",
        source="assumption (teaching quality is in pupil SD units)",
        description="weight of school teaching quality in the yearly gain",
        ge=0,
    )
    peer_effect: float = param(
        0.03,
        unit="SD per SD of peer mean per year",
        source=(
            "sources §2: 0.11-0.18 SD per SD of classmates' score (Chen et al. 2023), a level"
            " effect, times (1 - persistence) to make it a yearly flow"
        ),
        description="yearly gain per SD of the school's mean prior achievement",
        ge=0,
    )
    ses_effect: float = param(
        0.02,
        unit="SD per SD log income per year",
        source=(
            "calibrated (docs/ODD.md 7.5): in the demo city after ten years (seeds 1-4) the"
            " correlation of family log income with achievement within the junior grades is"
            " 0.33, between Sirin (2005), Rev. Educ. Res. 75(3): mean r about 0.3, and PISA"
            " 2018: socio-economic status explains about 12% of the variance (r about 0.35;"
            " sources §3); the 90/10 income gap then comes out at 0.86 SD of the grade"
            " (Reardon 2011: about 0.9 for US cohorts born 1950-1970, 1.25 for those born"
            " about 2000)"
        ),
        description="yearly gain per SD of family log income",
        ge=0,
    )
    entry_ses_effect: float = param(
        0.3,
        unit="SD per SD log income",
        source="sources §3: SES-achievement correlation r ≈ 0.3 (Sirin 2005)",
        description="achievement gap by family income already present at school entry",
        ge=0,
        le=1,
    )
    noise_sd: float = param(
        0.35,
        unit="pupil SD",
        source="assumption",
        description="idiosyncratic yearly shock to achievement",
        ge=0,
    )
    annual_growth_sd: float = param(
        0.4,
        unit="pupil SD per year",
        source="assumption (typical yearly learning gain; converts quality to learning-years)",
        description="one year of learning in SD units, for the learning-years quality index",
        gt=0,
    )


class ReputationParams(Section):
    """Reputation: the public's lagged reading of observed results."""

    update_rate: float = param(
        0.3,
        unit="share per year",
        source="assumption (reputation follows results with a lag)",
        description="weight of this year's observed results in reputation",
        ge=0,
        le=1,
    )
    famous_brand_sd: float = param(
        0.5,
        unit="SD of reputation",
        source="assumption (famous names outlive results; digest, problem)",
        description="brand of famous schools: reputation they hold beyond their results",
        ge=0,
    )
    brand_decay_rate: float = param(
        0.02,
        unit="share per year",
        source="assumption (famous names outlive results for decades; digest, problem); 1 gives the brand no life beyond the first year, as before this parameter",
        description="share of a school's brand lost each year (0.02: half-life about 34 years)",
        ge=0,
        le=1,
    )
