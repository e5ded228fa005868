"""Teachers: effectiveness, growth, exit and hiring."""

from __future__ import annotations

from pydantic import Field, model_validator

from edusim.scenario.fields import Section, entry, param


class PostTransfer(Section):
    """Teacher posts (编制) moved from one district's schools to another's (Hangzhou H18:
    可跨层级、跨区域划转教师编制)."""

    from_district: str = entry(
        unit="district name", description="district whose schools give up posts"
    )
    to_district: str = entry(
        unit="district name", description="district whose schools receive them"
    )
    share: float = param(
        0.05,
        unit="share of the giving district's posts",
        source="digest: Hangzhou H18 (no size given: set by the scenario)",
        description="share of the giving district's public-school posts that the receiving district's public schools hold instead, every year, taken from and given to schools in proportion to their posts (no teacher is laid off: the giving schools stop hiring until they are within their posts)",
        gt=0,
        le=0.5,
    )


class TeacherParams(Section):
    """Teachers: effectiveness, growth, exit and hiring."""

    effect_sd: float = param(
        0.13,
        unit="pupil SD per year",
        source="sources §1: average SD of teacher effects (Hanushek & Rivkin 2010)",
        description="spread of innate teacher effectiveness",
        ge=0,
    )
    prestige_effect_slope: float = param(
        0.05,
        unit="pupil SD per year per SD prestige",
        source="assumption (famous schools hold stronger teachers; digest, problem)",
        description="mean effectiveness shift of a school's teachers per SD of prestige",
        ge=0,
    )
    experience_gain: float = param(
        0.061,
        unit="pupil SD per year",
        source="sources §1: +0.061 SD at 3-5 years vs novice (Clotfelter, Ladd & Vigdor 2010)",
        description="total effectiveness gained from experience, reached after ~5 years",
        ge=0,
    )
    experience_scale_years: float = param(
        2.0,
        unit="years",
        source="sources §1: about half the gain in the first years (Papay & Kraft 2015)",
        description="e-folding time of the experience gain",
        gt=0,
    )
    peer_learning_rate: float = param(
        0.02,
        unit="share of gap closed per year",
        source="assumption",
        description="share of the gap to the school's strongest colleagues closed each year",
        ge=0,
        le=1,
    )
    strong_colleague_quantile: float = param(
        0.9,
        unit="quantile",
        source="assumption",
        description="which colleagues a teacher learns from (the school's top decile)",
        ge=0.5,
        le=1,
    )
    female_share: float = param(
        0.7,
        unit="share",
        source="assumption",
        description="share of women among teachers (retirement age differs)",
        ge=0,
        le=1,
    )
    retirement_age_female: int = param(
        55,
        unit="years",
        source="sources §5: retirement age women 55 (professional)",
        description="retirement age of women teachers",
        ge=40,
        le=70,
    )
    retirement_age_male: int = param(
        60,
        unit="years",
        source="sources §5: retirement age men 60",
        description="retirement age of men teachers",
        ge=40,
        le=70,
    )
    attrition_urban: float = param(
        0.02,
        unit="share per year",
        source="assumption",
        description="yearly quit rate of teachers in urban districts",
        ge=0,
        le=1,
    )
    attrition_rural: float = param(
        0.07,
        unit="share per year",
        source="sources §5: rural attrition 5-10%/yr (Chongqing study)",
        description="yearly quit rate of teachers in rural counties (suburban: the mean)",
        ge=0,
        le=1,
    )
    hire_age_mean: float = param(
        24.0,
        unit="years",
        source="assumption",
        description="mean age of new hires (below both retirement ages)",
        ge=18,
    )
    hire_reputation_slope: float = param(
        0.03,
        unit="pupil SD per year per SD reputation",
        source="assumption (reputable schools attract stronger graduates)",
        description="shift of new hires' innate effectiveness per SD of school reputation",
        ge=0,
    )
    transfer_apply_share: float = param(
        0.065,
        unit="share of eligible teachers per year",
        source="Hanushek, Kain & Rivkin 2004, J. Human Resources 39(2) 326-354, Table 1: 6.5% of Texas teachers change school within their district each year (5.7-7.2% at 3-30 years' experience), a realised rate, used here as the share who apply (in the model fewer move: only into a vacancy at a school of higher standing that chooses them); no Chinese rate found",
        description="share of teachers eligible for a transfer (school-employed, at home, transfer_min_years_at_school at their school) who apply each year to move to a school of higher standing (reputation) of their district and stage (选调 / 考调); 0 = no voluntary transfers",
        ge=0,
        le=1,
    )
    transfer_min_years_at_school: float = param(
        3.0,
        unit="years",
        source="assumption (county recruitment notices bind new teachers to their first school for a minimum service term, commonly 3-5 years; from memory, verify)",
        description="years a teacher must have taught at its school before it may apply for a transfer (a return from a posting or a transfer starts a new term)",
        ge=0,
    )
    transfer_observation_sd: float = param(
        0.13,
        unit="pupil SD per year",
        source="assumption (a reliability of 0.5 against effect_sd 0.13: single-year value-added estimates correlate about 0.2-0.5 from year to year, McCaffrey, Sass, Lockwood & Mihaly 2009, Education Finance and Policy 4(4))",
        description="noise of the receiving school's reading of an applicant's effectiveness (interview, test lesson, record): it ranks applicants by effectiveness plus this SD times the applicant's own draw",
        ge=0,
    )
    rural_age_shift_years: float = param(
        4.0,
        unit="years",
        source="digest: Chongming teachers older on average",
        description="how much older rural teachers are at the start",
        ge=0,
    )
    share_famous_special: float = param(
        0.01,
        unit="share of teachers",
        source="assumption",
        description="share of famous or special-grade teachers (top tier; the three tier shares sum to at most 1)",
        ge=0,
        le=1,
    )
    share_municipal_backbone: float = param(
        0.04,
        unit="share of teachers",
        source="assumption",
        description="share of municipal backbone teachers (second tier; the three tier shares sum to at most 1)",
        ge=0,
        le=1,
    )
    share_backbone: float = param(
        0.15,
        unit="share of teachers",
        source="assumption",
        description="share of school/district backbone teachers (third tier; the three tier shares sum to at most 1)",
        ge=0,
        le=1,
    )
    tier_min_experience_years: int = param(
        5,
        unit="years",
        source="assumption",
        description="experience needed before a teacher can be promoted to a tier",
        ge=0,
    )

    initial_surplus_share_rural: float = param(
        0.0,
        unit="share of the standard's posts",
        source="seed 003 一1 (Chongming: “教师量总体富余、师生比偏高”, overstaffed in total; no size given: 0 unless set)",
        description="teachers above the staffing standard at year 0 in the public schools of rural districts (nobody is laid off: vacancies are counted against posts, so the surplus shrinks as teachers leave)",
        ge=0,
        le=1,
    )
    group_hiring: bool = param(
        False,
        unit="yes/no",
        source="seed 004 四(二)1 (Sanming: “人员统一招聘使用”, unified hiring in the general school)",
        description="whether groups whose kind redeploys staff (`staff_redeploy`: one employer) hire for their members under the core's name: a member's new hires are drawn as at a school of the better of its own and its core's reputation, by no more than lifts the member's teachers to its core's (the people channels' shared cap, ODD 7.8)",
    )
    core_extra_posts_share: float = param(
        0.0,
        unit="share of the standard's posts",
        source="digest: Hangzhou (core schools of approved groups may get extra staff quota, 可适当增加教师编制; no size given: 0 unless set)",
        description="extra teacher posts (编制) of a school while it is the core of a group, over the staffing standard; vacancies are counted against the posts",
        ge=0,
        le=0.5,
    )
    senior_title_share: float = param(
        0.10,
        unit="share of a school's posts",
        source="assumption (title posts are capped per school by a structure ratio, 岗位结构比例, under the 2015 title reform, 人社部发〔2015〕79号; the local ratios vary and none is in the seeds)",
        description="share of a school's posts that may be held by teachers with a senior title (高级教师); a teacher is promoted only into a free senior post of the home school",
        ge=0,
        le=1,
    )
    core_extra_senior_share: float = param(
        0.0,
        unit="share of a school's posts",
        source="digest: Hangzhou (higher senior/intermediate title ratios at core schools; no size given: 0 unless set)",
        description="extra senior-title share of a school's posts while it is the core of a group",
        ge=0,
        le=0.5,
    )
    post_transfers: tuple[PostTransfer, ...] = Field(
        default=(),
        description="teacher posts moved across districts (Hangzhou H18), applied in order",
    )
    senior_title_min_experience_years: int = param(
        10,
        unit="years",
        source="assumption (a senior title follows years in an intermediate one)",
        description="experience needed before a teacher can be promoted to a senior title",
        ge=0,
    )
    senior_title_service_years: float = param(
        0.0,
        unit="years",
        source="national title reform (人社部发〔2015〕79号: urban teachers applying for a senior title should in principle have served a year or more at a rural or weak school; from memory, verify); 0 = not required (the model's default, so that the rule's effect can be compared)",
        description="years of postings at another school (two-school experience) a teacher of an urban school needs before a senior title; teachers of rural schools need none; a teacher who lacks them values a posting like promotion priority",
        ge=0,
        le=5,
    )

    scarce_subject_share: float = param(
        0.0,
        unit="share of a school's lessons",
        source="seed 003 一1 (Chongming: “学科结构上也不合理，部分学科师资短缺”, some subjects short of teachers); the national curriculum plan gives arts 9-11% and PE 10-11% of compulsory lessons (教育部 2001 义务教育课程设置实验方案, from memory, verify); 0 = subjects not modelled unless set",
        description="share of every school's lessons in subjects that need a teacher trained in them (music, fine arts, PE and the like); that share of teachers is trained in them (specialists), fewer at rural schools (scarce_specialists_rural), and a school's lessons of these subjects that its specialists cannot cover lose non_specialist_penalty",
        ge=0,
        le=0.5,
    )
    scarce_specialists_rural: float = param(
        1.0,
        unit="share of the need",
        source="seed 003 一1 (Chongming: subject shortages, no size given): 1 = no shortage unless set",
        description="specialists among the teachers of rural public schools, at the start and among their hires, as a share of scarce_subject_share (1: as many as elsewhere)",
        ge=0,
        le=1,
    )
    non_specialist_penalty: float = param(
        0.1,
        unit="pupil SD per year",
        source="assumption (about 0.8 SD of teacher effects, effect_sd 0.13: a lesson with no trained teacher is taught by a teacher of another subject, or dropped; no estimate in the sources)",
        description="teaching quality lost in a lesson of a scarce subject taught by nobody trained in it (counts only when scarce_subject_share > 0)",
        ge=0,
        le=0.5,
    )

    @model_validator(mode="after")
    def _consistent(self) -> TeacherParams:
        """The tier shares are shares of the same teachers, and a hire is younger than
        retirement age (added in the order `processes.teacher_growth` adds them)."""
        tiers = self.share_famous_special + self.share_municipal_backbone + self.share_backbone
        if tiers > 1:
            raise ValueError(
                f"share_famous_special + share_municipal_backbone + share_backbone is "
                f"{tiers:.6g}; the three tiers are shares of the same teachers and must sum "
                "to at most 1"
            )
        youngest = min(self.retirement_age_female, self.retirement_age_male)
        if self.hire_age_mean >= youngest:
            raise ValueError(
                f"hire_age_mean ({self.hire_age_mean:g}) must be below the retirement ages "
                f"(retirement_age_female {self.retirement_age_female}, retirement_age_male "
                f"{self.retirement_age_male})"
            )
        return self
