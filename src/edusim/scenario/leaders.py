"""Scenario schema of school leaders: principals and deputies (vice-principals and middle
managers) as agents, their effect on a school, their terms and rotation, the group's
executive principals and extra leader posts, and what the evaluation does to principals.
How many leaders a core posts to each member is `rotation.leaders_per_member`."""

from __future__ import annotations

from edusim.scenario.fields import Section, param

_NATIONAL = "digest: national rules (教师〔2014〕4号)"

LEADER_POLICIES: tuple[str, ...] = (
    "principal_rotation",
    "rotation_terms",
    "executive_share",
    "extra_leader_posts",
    "replace_bottom_share",
)
"""The leaders' settings that are policy (a counterfactual puts them back to defaults);
the others describe leaders themselves and stay."""


class LeaderParams(Section):
    """Principals and deputies: effect on the school, terms, rotation, group postings."""

    principal_share: float = param(
        0.7,
        unit="share of the variance of school management",
        source="Branch, Hanushek & Rivkin (2012, CALDER WP 66; Education Next 2013): a principal one SD above the mean raises yearly achievement by at least 0.05 pupil SD (range 0.05-0.21); with schools.management_sd 0.06 that is 0.05^2 / 0.06^2 = 0.69 of management's spread (Grissom, Egalite & Lindsay 2021: principals' effects nearly as large as teachers', 2.9 vs 3.7 months for the 25th-to-75th percentile)",
        description="share of the spread of school management (schools.management_sd) that is the principal's own effect and moves with the principal; the rest stays with the school",
        ge=0,
        le=1,
    )
    deputies_per_school: int = param(
        2,
        unit="deputies per school",
        source="assumption (a vice-principal and a head of teaching affairs; the seeds give no number)",
        description="vice-principals and middle managers each school holds posts for",
        ge=0,
        le=10,
    )
    deputy_weight: float = param(
        0.25,
        unit="share of a principal's effect",
        source="assumption (deputies carry part of a principal's effect; no estimate in the seeds or sources)",
        description="effect of a deputy on the school, as a share of what the same person would do as principal; the deputies count by their mean quality times deputies_per_school, so a surplus adds nothing by its number",
        ge=0,
        le=1,
    )
    appointment_age: float = param(
        42.0,
        unit="years",
        source="assumption",
        description="age of a newly appointed principal or deputy",
        ge=25,
        le=59,
    )
    term_years: int = param(
        3,
        unit="years",
        source="assumption (local rules set a principal's term at 3 to 5 years; none is in the seeds)",
        description="length of a principal's term",
        ge=1,
        le=10,
    )
    principal_rotation: bool = param(
        False,
        unit="yes/no",
        source=_NATIONAL
        + ": principals who have served two terms at one school should in principle rotate, mainly toward rural and weak schools; digest: Hangzhou H19 (principals toward rural and weak schools)",
        description="whether the district rotates principals who have served rotation_terms terms at one school, the best-judged to the weakest schools of their district and stage",
    )
    rotation_terms: int = param(
        2,
        unit="terms",
        source=_NATIONAL + " (two terms at one school)",
        description="terms at one school after which a principal rotates under principal_rotation",
        ge=1,
        le=5,
    )
    executive_share: float = param(
        0.0,
        unit="share of a group's members",
        source="digest: Sanming (成员学校执行校长统一任命: every member's executive principal appointed by the general school), Ninghe N21 (the president recommends member principals); 0 unless set",
        description="share of each group's members (weakest first) whose principal is an executive principal sent by the core (one of rotation.leaders_per_member): with extra_leader_posts a leader appointed to a post added for it, otherwise the core's strongest deputy, whose post the core refills by appointment; the member's own principal stays at the member as a deputy (assumption)",
        ge=0,
        le=1,
    )
    extra_leader_posts: bool = param(
        False,
        unit="yes/no",
        source="digest: Sanming S37 (适当增加领导职数,用于派驻: extra leader posts for postings to members)",
        description="whether the leaders a core sends to members (executive principals, posted deputies) hold posts added for the postings: the core appoints them and sends them, not its own team, which it keeps whole (without, a core sends its own deputies, strongest first, and their posts stay empty while they are posted)",
    )
    replace_bottom_share: float = param(
        0.0,
        unit="share of principals at a term's end",
        source="assumption (the seeds make evaluation count for principals but give no rule; 0 unless set)",
        description="share of the principals ending a term, lowest judged first within stage, who are not reappointed and are replaced by a new appointment",
        ge=0,
        le=0.5,
    )
