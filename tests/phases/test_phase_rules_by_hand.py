"""Rules inside the yearly phases, each checked on a small constructed city or a
hand-built case: which schools the public rates, how older siblings are found, what the
event log says, when a private fee is affordable. Written for the mutants of the phases
that no other fast test caught (docs/testing.md, "Mutation testing")."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from edusim.agents.leaders import EXECUTIVE, GROUP_POSTING, PRINCIPAL
from edusim.model import EduModel
from edusim.phases.arrivals import mark_siblings
from edusim.phases.private_intake import private_lists, private_lists_reference
from edusim.policy.enrollment import members_table
from edusim.scenario.loader import load_scenario
from edusim.world.schools import FIRST_GRADE, GRADES_PER_STAGE

SEED = 3


def _phase(model: EduModel, name: str):
    return next(phase for phase in model.phases if phase.name == name)


@pytest.fixture(scope="module")
def stepped(small_city) -> EduModel:
    """The small city after one school year (read-only for the tests that share it)."""
    model = EduModel(small_city, seed=SEED, years=2)
    model.step()
    return model


def test_a_school_opened_this_year_keeps_its_reputation(small_city):
    """The public rates a school only once it has taught every grade (evaluation.py):
    a school opened this year keeps the reputation it opened with, the others move."""
    model = EduModel(small_city, seed=SEED, years=2)
    model.step()
    year = model.current_school_year
    table = model.school_table
    new = int(np.flatnonzero(table.active & (table.stage == 0))[0])
    table.opened_year[new] = year  # opened this school year: grade 1 only
    before = table.reputation.copy()
    _phase(model, "evaluation").step(year)
    assert table.reputation[new] == before[new]
    others = np.flatnonzero(table.active & (np.arange(len(table)) != new))
    assert (table.reputation[others] != before[others]).sum() >= others.size - 1


def test_an_entrant_has_an_older_sibling_when_its_draw_is_under_the_share(small_city):
    """An entrant is given an older sibling with probability `families.sibling_share`,
    drawn from its own `families.sibling` stream of the year (the documented per-agent
    draw), and takes the school of the last pupil of the stage in its cell."""
    model = EduModel(small_city, seed=SEED, years=2, overrides={"families.sibling_share": 0.5})
    families = model.families
    stage, year = 0, 2019
    entrants = np.flatnonzero(families.grade == FIRST_GRADE[stage])
    assert entrants.size > 100
    in_stage = (
        (families.grade > FIRST_GRADE[stage])
        & (families.grade < FIRST_GRADE[stage] + GRADES_PER_STAGE[stage])
        & (families.school >= 0)
    )
    school_of_cell = np.full(model.geography.n_cells, -1)
    school_of_cell[families.cell[in_stage]] = families.school[in_stage]
    for this_year in (year, year + 1):
        mark_siblings(model, this_year, stage, entrants)
        draw = model.streams.uniform("families.sibling", this_year, families.uid[entrants])
        expected = np.where(draw < 0.5, school_of_cell[families.cell[entrants]], -1)
        np.testing.assert_array_equal(families.sibling_school[entrants], expected)
        assert 0.3 < (expected >= 0).mean() < 0.6  # about half, where a pupil lives nearby


RULE = {
    "name": "T",
    "kind": "tight",
    "formed": "2018-09-01",
    "stage": "primary",
    "target_share": 0.6,
}


def test_the_event_log_names_the_rule_its_groups_and_the_timeline_change(small_city):
    """What the event log (events.parquet) says of a rule's groups and a dated parameter
    change: the readers of a run find each group formed, the rule that formed it and how
    many, and the date and settings of a timeline event."""
    scenario = {
        **small_city,
        "timeline": [
            {
                "date": "2019-09-01",
                "label": "budget",
                "set": {"funding.budget_cap_cny": 1e6},
            }
        ],
    }
    model = EduModel(scenario, seed=SEED, years=2, overrides={"groups.rules": [RULE]})
    while model.running:
        model.step()
    events = model._events
    formed = [e for e in events if e["kind"] == "group" and e["label"] == "formed"]
    applied = [e for e in events if e["kind"] == "group" and e["label"] == "rule applied"]
    assert len(applied) == 1
    assert applied[0]["detail"]["rule"] == "T"
    assert applied[0]["detail"]["groups"] == len(formed) >= 1
    names = set(model.school_table.name.tolist())
    assert all(e["detail"]["core"] in names for e in formed)
    assert {e["detail"]["group"] for e in formed} == {
        f"T-{n:02d}" for n in range(1, len(formed) + 1)
    }
    (change,) = [e for e in events if e["kind"] == "policy"]
    assert change["label"] == "budget"
    assert change["detail"] == {"date": "2019-09-01", "set": {"funding.budget_cap_cny": 1e6}}


def test_a_private_fee_equal_to_the_income_limit_is_affordable():
    """A family may pay a fee up to `private.fee_income_share_max` of its income, the
    limit included (both forms of the private lists)."""
    params = load_scenario("demo")
    private = params.private.model_copy(update={"fee_income_share_max": 0.25})
    fee = np.array([20_000.0, 20_000.0])
    model = SimpleNamespace(
        geography=SimpleNamespace(cell_x=np.zeros(1), cell_y=np.zeros(1)),
        school_table=SimpleNamespace(
            x_km=np.zeros(2), y_km=np.zeros(2), reputation=np.ones(2), fee_cny_per_year=fee
        ),
        params=SimpleNamespace(
            enrollment=params.enrollment, families=params.families, private=private
        ),
    )
    members = members_table(np.zeros(2, dtype=np.int64), 1)
    income = np.array([80_000.0, 79_999.0])  # exactly 4 x the fee, and just under it
    args = (
        model,
        members,
        np.zeros(2, dtype=np.int16),
        np.zeros(2, dtype=np.int64),
        income,
        np.full(2, 0.1),
        np.full(2, -1, dtype=np.int32),
        np.full(2, -np.inf),  # the public school is only a last resort
        fee * 6,
    )
    for lists in (private_lists(*args), private_lists_reference(*args)):
        assert (lists[0] >= 0).sum() == 2  # at the limit: both schools listed
        assert (lists[1] >= 0).sum() == 0  # a yuan short: neither


ROTATION = {
    "groups.rules": [RULE],
    "rotation.district_rotation": True,
    "rotation.reservoir_share": 0.25,
    "rotation.walk_teachers_per_member": 1,
}


@pytest.fixture(scope="module")
def rotated(small_city):
    """The small city with a tight primary group, the district rule, a reservoir and walk
    teaching, after its first school year; the teachers as they were before it."""
    model = EduModel(small_city, seed=SEED, years=2, overrides=ROTATION)
    before = model.teachers.tier.copy(), model.teachers.home_school.copy()
    model.step()
    return model, before


def test_the_reservoir_holds_its_share_of_each_districts_backbone(rotated):
    """The reservoir is refilled to `reservoir_share` of each district's backbone
    teachers (rounded), and every reservoir teacher is deployed for the year to a school
    of its own district and stage that is not a sender."""
    model, _ = rotated
    teachers, table = model.teachers, model.school_table
    district = table.district[teachers.home_school]
    n_districts = len(model.geography.district_names)
    backbone = np.bincount(district[teachers.tier >= 1], minlength=n_districts)
    held = np.bincount(district[teachers.employer == 1], minlength=n_districts)
    np.testing.assert_array_equal(held, np.rint(0.25 * backbone))
    pool = np.flatnonzero(teachers.employer == 1)
    deployed = pool[teachers.posting_kind[pool] == 3]
    assert deployed.size > 0
    assert (table.district[teachers.school[deployed]] == district[deployed]).all()
    assert (
        table.stage[teachers.school[deployed]] == table.stage[teachers.home_school[deployed]]
    ).all()
    assert (teachers.school[deployed] != teachers.home_school[deployed]).all()


def test_walking_teachers_go_from_the_core_to_its_members(rotated):
    """走教: each member receives `walk_teachers_per_member` of its core's backbone
    teachers for `walk_share` of their time; they stay posted at the core."""
    model, _ = rotated
    teachers = model.teachers
    rows = model.member_rows()
    walking = np.flatnonzero(teachers.second_school >= 0)
    assert walking.size == model.rotation_stats[model.current_school_year]["walking"] > 0
    members = set(rows["school"][rows["school"] != rows["core"]].tolist())
    cores = set(rows["core"].tolist())
    assert set(teachers.second_school[walking].tolist()) <= members
    assert set(teachers.school[walking].tolist()) <= cores
    assert (teachers.tier[walking] >= 1).all()
    assert (teachers.second_share[walking] == model.params.rotation.walk_share).all()
    per_member = np.bincount(teachers.second_school[walking], minlength=len(model.school_table))
    assert set(per_member[sorted(members)].tolist()) <= {0, 1}
    assert per_member.sum() == walking.size


def test_district_postings_go_from_senders_to_receivers_of_the_same_area(rotated):
    """The district rule posts teachers of the strong urban schools (senders) to the weak
    or rural schools (receivers) of the same district and stage, for `posting_years`."""
    model, _ = rotated
    teachers, table = model.teachers, model.school_table
    year = model.current_school_year
    posted = np.flatnonzero(teachers.posting_kind == 2)
    assert posted.size == model.rotation_stats[year]["district"] > 0
    home, host = teachers.home_school[posted], teachers.school[posted]
    assert (table.district[home] == table.district[host]).all()
    assert (table.stage[home] == table.stage[host]).all()
    assert (table.teaching_quality[host] < table.teaching_quality[home]).mean() > 0.5
    assert (teachers.posting_end[posted] == year + model.params.rotation.posting_years - 1).all()


def test_leaders_on_the_small_city_one_principal_each_and_every_member_its_quota(small_city):
    """With executive principals for half the members, one posted deputy per member on
    extra leader posts, and principals rotating after one term: every open school has
    one principal at home, the weaker half of each group's members is run by its core's
    executive principal, every member holds exactly its quota of leaders from the core
    (one: a posted deputy, or the executive principal where one runs it), the
    newly appointed deputies are the rows added, and rotated principals stay within their
    district and stage."""
    both = [RULE, {**RULE, "name": "J", "stage": "junior"}]
    model = EduModel(
        small_city,
        seed=SEED,
        years=3,
        overrides={
            "groups.rules": both,
            "leaders.executive_share": 0.5,
            "rotation.leaders_per_member": 1,
            "leaders.extra_leader_posts": True,
            "leaders.principal_rotation": True,
            "leaders.rotation_terms": 1,
        },
    )
    rotated = appointed_executives = 0
    while model.running:
        before_rows = len(model.leaders)
        principal = model.leaders.role == PRINCIPAL
        school_of = dict(zip(model.leaders.uid, model.leaders.school, strict=True))
        was_at = dict(
            zip(model.leaders.uid[principal], model.leaders.school[principal], strict=True)
        )
        model.step()
        leaders, table = model.leaders, model.school_table
        stats = model.leader_stats[model.current_school_year]
        principal = leaders.role == PRINCIPAL
        per_school = np.bincount(leaders.school[principal], minlength=len(table))
        assert (per_school[table.active] == 1).all() and (per_school[~table.active] == 0).all()
        home = leaders.posting_kind[principal] != EXECUTIVE
        assert (leaders.school[principal][home] == leaders.home_school[principal][home]).all()
        rows = model.member_rows()
        member = rows["school"] != rows["core"]
        posted = np.bincount(
            leaders.school[leaders.posting_kind == GROUP_POSTING], minlength=len(table)
        )
        # the quota (1) counts the core's executive principal as the school-level leader
        # sent, so a member it runs gets no posted deputy besides (policy/leadership.py)
        executive_at = leaders.school[principal & (leaders.posting_kind == EXECUTIVE)]
        run_by_executive = np.isin(rows["school"][member], executive_at)
        assert (posted[rows["school"][member]] == 1 - run_by_executive).all()
        assert posted.sum() == member.sum() - run_by_executive.sum()
        for group in np.unique(rows["group"]):
            of_group = (rows["group"] == group) & member
            members = rows["school"][of_group]
            core = model.groups.groups[group].core
            run = np.isin(members, executive_at)
            assert run.sum() == int(np.floor(0.5 * members.size + 1e-9))
            executives = np.flatnonzero(principal & np.isin(leaders.school, members[run]))
            for uid, school in zip(
                leaders.uid[executives], leaders.school[executives], strict=True
            ):
                if uid not in school_of:  # appointed this year to an added post of the core
                    # (its post is the member's once it runs it: home_school is the member)
                    assert leaders.home_school[leaders.uid == uid][0] == school
                    appointed_executives += 1
                elif school_of[uid] != school:  # sent this year from the core's own team
                    assert school_of[uid] == core
                    appointed_executives += 1
        exits = stats["retired"] + stats["not_reappointed"]
        assert len(leaders) == before_rows + stats["appointed"] - exits
        moved = [
            (u, was_at[u], s)
            for u, s in zip(leaders.uid[principal], leaders.school[principal], strict=True)
            if u in was_at and was_at[u] != s and leaders.posting_kind[leaders.uid == u][0] == 0
        ]
        for _, old, new in moved:
            assert table.district[old] == table.district[new]
            assert table.stage[old] == table.stage[new]
        rotated += stats["rotated"]
    assert rotated > 0 and appointed_executives > 0


def test_online_lessons_are_taken_up_over_the_transition_years(small_city, monkeypatch):
    """A tight group's members take up the core's online lessons step by step: in their
    first year a third of `online_lift` (transition of two years), never more than the
    kind's whole `online_lift` (school_year.py; policy/group_effects.integration_share,
    applied by group_effects.quality_with_groups)."""
    import edusim.policy.group_effects as group_effects

    shares = []
    real = group_effects.online_lift

    def spy(quality, member, core, share):
        shares.append(np.array(share, dtype=float))
        return real(quality, member, core, share)

    monkeypatch.setattr(group_effects, "online_lift", spy)
    model = EduModel(small_city, seed=SEED, years=2, overrides={"groups.rules": [RULE]})
    model.step()
    assert model.params.groups.kinds["tight"].online_lift == 0.1
    assert model.params.groups.kinds["tight"].transition_years == 2
    (first,) = [s for s in shares if s.size]
    assert first == pytest.approx(np.full(first.size, 0.1 / 3), rel=1e-12)
    model.step()
    assert shares[-1] == pytest.approx(np.full(first.size, 0.2 / 3), rel=1e-12)


def test_school_scores_read_progress_the_narrowed_core_gap_and_teacher_growth(
    small_city, monkeypatch
):
    """The evaluation scores each school on three parts, recomputed here from the state
    a year apart: pupils' progress, how far a member closed its teaching-quality gap to
    its core, and the mean change in effectiveness of the teachers who stayed in post (a
    teacher new this year counts no change)."""
    import edusim.phases.evaluation as evaluation
    from edusim.processes.aggregate import school_mean

    model = EduModel(small_city, seed=SEED, years=2, overrides={"groups.rules": [RULE]})
    model.step()
    table, teachers = model.school_table, model.teachers
    quality_then = table.teaching_quality.copy()
    effectiveness_then = dict(zip(teachers.uid, model.teacher_effectiveness(), strict=True))
    achievement_then = table.mean_achievement.copy()
    seen = {}
    real = evaluation.school_scores

    def spy(progress, narrowing, growth, *rest, **named):
        teachers, table = model.teachers, model.school_table
        now = model.teacher_effectiveness()
        change = np.array(
            [now[i] - effectiveness_then.get(u, now[i]) for i, u in enumerate(teachers.uid)]
        )
        expected_growth = school_mean(change, teachers.school, len(table))
        rows = model.member_rows()
        quality = table.teaching_quality
        expected_narrowing = np.zeros(len(table))
        for school, core in zip(rows["school"], rows["core"], strict=True):
            expected_narrowing[school] = (quality_then[core] - quality_then[school]) - (
                quality[core] - quality[school]
            )
        np.testing.assert_allclose(growth, expected_growth, atol=1e-12)
        np.testing.assert_allclose(narrowing, expected_narrowing, atol=1e-12)
        np.testing.assert_allclose(progress, table.mean_achievement - achievement_then, atol=1e-12)
        seen["new"] = int(sum(u not in effectiveness_then for u in teachers.uid))
        seen["narrowed"] = int((expected_narrowing != 0).sum())
        return real(progress, narrowing, growth, *rest, **named)

    monkeypatch.setattr(evaluation, "school_scores", spy)
    model.step()
    assert seen["new"] > 0 and seen["narrowed"] > 0  # new teachers and members present


YEARLY = {
    "enrollment.lottery",
    "expectations.lottery",  # the forecast placement when families read a group's formation
    "families.move",
    "families.moving_anyway",
    "families.sibling",
    "learning.shock",
    "rotation.district_quota",
    "rotation.taste",
    "teachers.exit",
    "teachers.transfer_apply",  # who applies for a voluntary transfer this year
    "teachers.transfer_observed",  # how the receiving schools read an applicant
}
"""Events of a school year: drawn from that year's stream of their purpose."""
ONCE = {
    "families.address",
    "families.hukou",
    "families.income",
    "families.residence",
    "families.taste",
    "families.tenure",
    "learning.entry",
    "leaders.female",
    "leaders.quality",
    "teachers.age",
    "teachers.female",
    "teachers.innate",
    "teachers.qualified",
    "teachers.specialist",
}
"""Attributes an agent is given once, when it arrives: drawn without a year."""


def test_each_years_events_are_drawn_from_that_years_streams(small_city):
    """Every per-agent draw of a run comes from its own documented purpose
    (tests/test_randomness.py lists them), keyed by the school year for the year's events
    (a lottery, a move, a shock) and by no year for an agent's lifelong attributes, so
    that no two years reuse one draw and a stored run reproduces. A purpose the model
    starts drawing from in this set-up is added to YEARLY or ONCE (and to MODEL_PURPOSES
    in tests/test_randomness.py)."""
    model = EduModel(
        small_city,
        seed=SEED,
        years=3,
        overrides={
            "groups.rules": [RULE],
            "rotation.district_rotation": True,
            "rotation.reservoir_share": 0.25,
        },
    )
    yearly, once = set(), set()
    for name in ("uniform", "normal"):
        real = getattr(model.streams, name)

        def spy(purpose, year, *args, _real=real, **kwargs):
            if year is None:
                once.add(purpose)
            else:
                assert year == model.current_school_year, purpose
                yearly.add(purpose)
            return _real(purpose, year, *args, **kwargs)

        setattr(model.streams, name, spy)
    while model.running:
        model.step()
    assert yearly == YEARLY
    assert once == ONCE


def test_results_funds_are_paid_the_next_year_and_reported_as_spent(small_city):
    """Ninghe's results-based working funds: what the groups above the median earn in
    July is paid with the next year's grants, counted in the money spent, logged, and
    not paid twice."""
    both = [RULE, {**RULE, "name": "J", "stage": "junior"}]
    model = EduModel(
        small_city,
        seed=SEED,
        years=3,
        overrides={"groups.rules": both, "evaluation.results_fund_cny": 1e6},
    )
    model.step()
    earned = float(model.school_table.results_grant_cny.sum())
    assert earned > 0
    model.step()
    year = model.current_school_year
    money = model.money[year]
    assert money["results_fund_cny"] == pytest.approx(earned)
    table = model.school_table
    received = table.resource_grant_cny.sum() + table.development_grant_cny.sum()
    assert money["spent_cny"] == pytest.approx(received)
    assert money["spent_cny"] >= earned
    (paid,) = [e for e in model._events if e["year"] == year and e["kind"] == "funding"
               and e["label"] == "results funds paid"]  # fmt: skip
    assert paid["detail"] == {"results_fund_cny": pytest.approx(earned)}


def test_a_reservoir_teacher_serves_its_whole_term(small_city):
    """A teacher who joins the district's reservoir serves `reservoir_term_years` school
    years in it (the joining year included), then returns to its school's employ."""
    model = EduModel(
        small_city,
        seed=SEED,
        years=4,
        overrides={"rotation.reservoir_share": 0.25, "rotation.reservoir_term_years": 2},
    )
    model.step()
    first = model.current_school_year
    pool = model.teachers.employer == 1
    joined = model.teachers.uid[pool]
    assert joined.size and (model.teachers.pool_end[pool] == first + 1).all()
    model.step()  # the second year of their term: all still in the reservoir
    teachers = model.teachers
    assert np.isin(joined, teachers.uid[teachers.employer == 1]).all()
    assert (teachers.pool_end[np.isin(teachers.uid, joined)] == first + 1).all()  # same term
    model.step()  # the term is over: back at their school, or chosen again for a new term
    teachers = model.teachers
    again = np.isin(teachers.uid, joined) & (teachers.employer == 1)
    assert (teachers.pool_end[again] == first + 3).all()


@pytest.mark.parametrize("renew", [False, True])
def test_a_group_ends_or_is_renewed_when_its_term_is_over(small_city, renew):
    """A group formed for one year is dissolved after it (memberships removed, logged) or,
    renewable, kept with its members for another term (logged as renewed)."""
    rule = {**RULE, "term_years": 1, "renew": renew}
    model = EduModel(small_city, seed=SEED, years=3, overrides={"groups.rules": [rule]})
    model.step()
    formed = model.groups.school.size
    assert formed > 0
    model.step()
    year = model.current_school_year
    label = "renewed" if renew else "dissolved"
    logged = [e for e in model._events if e["kind"] == "group" and e["label"] == label]
    assert {e["year"] for e in logged} == {year}
    assert len(logged) == len(model.groups.groups)
    assert model.groups.school.size == (formed if renew else 0)
    assert all(g.active == renew for g in model.groups.groups)


def test_a_stages_housing_market_prices_only_that_stages_catchments(small_city):
    """Primary entrants bid for primary catchments only: clearing the primary market
    leaves the junior and private schools' premiums as they were."""
    from edusim.phases.housing_market import housing_moves

    model = EduModel(small_city, seed=SEED, years=3)
    model.step()
    table, families = model.school_table, model.families
    year = model.current_school_year + 1
    entrants = np.flatnonzero(families.grade == FIRST_GRADE[0])
    other = (table.stage != 0) | table.private
    before = table.premium_share.copy()
    assert (before[other & table.active] > 0).any()
    housing_moves(model, year, 0, entrants, _phase(model, "enrollment").stock[0])
    np.testing.assert_array_equal(table.premium_share[other], before[other])
    assert (table.premium_share[~other] != before[~other]).any()


def test_a_closed_schools_staff_are_dealt_in_proportion_by_largest_remainders():
    """`_in_proportion` (school_lifecycle.py): 4 teachers over weights 1, 1, 2 go 1, 1,
    2; 5 over 1, 1, 1 go 2, 2, 1 (equal remainders: the first rows); none give an empty
    list of rows that can index arrays."""
    from edusim.phases.school_lifecycle import _in_proportion

    np.testing.assert_array_equal(_in_proportion(np.array([1.0, 1.0, 2.0]), 4), [0, 1, 2, 2])
    np.testing.assert_array_equal(_in_proportion(np.array([1.0, 1.0, 1.0]), 5), [0, 0, 1, 1, 2])
    none = _in_proportion(np.array([1.0, 2.0]), 0)
    assert none.size == 0 and none.dtype.kind == "i"
    assert np.arange(3)[none].size == 0


def test_walking_teachers_raise_the_members_teaching_quality(small_city, rotated):
    """A member's teaching quality counts the walking teachers by their share of time
    there (processes/learning.teaching_quality): the same city without walk teaching has
    lower quality at the members that received them."""
    model, _ = rotated
    without = EduModel(
        small_city,
        seed=SEED,
        years=2,
        overrides={**ROTATION, "rotation.walk_teachers_per_member": 0},
    )
    without.step()
    hosts = np.unique(model.teachers.second_school[model.teachers.second_school >= 0])
    gain = model.school_table.teaching_quality[hosts] - without.school_table.teaching_quality[hosts]
    assert hosts.size > 0 and (gain > 0).all()


def test_each_junior_entrants_primary_school_is_found_by_id(small_city):
    """The junior intake looks up the primary school each entrant left (for feeder
    priority, 对口): by id, -1 for an id it has not seen, and -1 for everyone before any
    primary leaver is known."""
    model = EduModel(small_city, seed=SEED, years=2, overrides={"enrollment.rule": "choice"})
    families = model.families
    grade_6 = families.grade == 6
    before = dict(zip(families.uid[grade_6], families.school[grade_6], strict=True))
    model.step()
    intake = _phase(model, "enrollment")
    uids, primary = intake.primary_school_of
    assert len(before) > 50 and dict(zip(uids, primary, strict=True)) == before
    assert list(intake._primary_school(np.array([uids[3], -5, uids[0]]))) == [
        primary[3],
        -1,
        primary[0],
    ]
    intake.primary_school_of = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    assert list(intake._primary_school(np.array([uids[0], 7]))) == [-1, -1]


def test_the_district_rule_sends_willing_teachers_first(small_city, monkeypatch):
    """With `willing_first` (and no backbone minimum), a sender school's district postings
    go to its willing teachers before any unwilling one (phases/rotation.py)."""
    import edusim.phases.rotation as rotation

    seen = []
    real = rotation._RotationContext.willing

    def spy(self, rows, *args):
        result = real(self, rows, *args)
        seen.append((self.model.teachers.uid[rows].copy(), np.asarray(result, dtype=bool).copy()))
        return result

    monkeypatch.setattr(rotation._RotationContext, "willing", spy)
    model = EduModel(
        small_city,
        seed=SEED,
        years=2,
        overrides={
            "rotation.district_rotation": True,
            "rotation.willing_first": True,
            "rotation.backbone_share_min": 0.0,
        },
    )
    model.step()
    (uids, willing), *_ = seen
    teachers = model.teachers
    rows = np.searchsorted(teachers.uid, uids)  # uids ascend; nobody leaves mid-year
    assert (teachers.uid[rows] == uids).all()
    posted = teachers.posting_kind[rows] == 2
    school = teachers.home_school[rows]
    compared = 0
    for unit in np.unique(school[posted]):
        mine = school == unit
        if (mine & willing & ~posted).any() or (mine & ~willing).any():
            compared += 1
        # an unwilling teacher is posted only when every willing one is
        if (mine & posted & ~willing).any():
            assert not (mine & willing & ~posted).any()
        if (mine & willing & ~posted).any():
            assert not (mine & posted & ~willing).any()
    assert posted.any() and willing.any() and (~willing).any() and compared > 0
